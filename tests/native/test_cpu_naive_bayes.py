"""pai_algos_native.cpu.naive_bayes against the NumPy references in naive_naive_bayes."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import naive_bayes as kern

from . import naive_naive_bayes as naive

DTYPES = [np.float32, np.float64]
NO_WEIGHT = np.empty(0)
TOL = {"rtol": 1e-10, "atol": 1e-10}


def _check(got, want):
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, **TOL)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("n", "d", "k"), [(1, 3, 1), (50, 4, 3), (6000, 7, 5)])
def test_class_moments(rng, dtype, weighted, n, d, k):
    X = rng.normal(2.0, 3.0, size=(n, d)).astype(dtype)
    y = rng.integers(0, k, size=n).astype(np.int64)
    w = rng.uniform(0.1, 2.0, size=n) if weighted else None
    got = kern.class_moments(X, y, k, NO_WEIGHT if w is None else w)
    _check(got, naive.class_moments(X, y, k, w))


def test_class_moments_absent_class_and_zero_weights(rng):
    X = rng.normal(size=(500, 3))
    y = rng.integers(0, 2, size=500).astype(np.int64)  # class 2 never appears
    w = rng.uniform(0.1, 1.0, size=500)
    w[y == 1] = 0.0  # class 1 appears with no weight
    count, mean, m2 = kern.class_moments(X, y, 3, w)
    _check((count, mean, m2), naive.class_moments(X, y, 3, w))
    assert count[1] == 0.0 and count[2] == 0.0
    assert not mean[1:].any() and not m2[1:].any()


def test_class_moments_constant_feature(rng):
    X = rng.normal(size=(4000, 3))
    X[:, 0] = 7.25
    y = rng.integers(0, 4, size=4000).astype(np.int64)
    count, mean, m2 = kern.class_moments(X, y, 4, NO_WEIGHT)
    # zero up to the rounding of the block means
    eps = np.finfo(np.float64).eps
    assert np.all((m2[:, 0] >= 0.0) & (m2[:, 0] <= count * (count * 7.25 * eps) ** 2))
    np.testing.assert_allclose(mean[:, 0], 7.25, rtol=4000 * eps)


def test_merge_class_moments_matches_whole(rng):
    X = rng.normal(size=(700, 5))
    y = rng.integers(0, 3, size=700).astype(np.int64)
    a = kern.class_moments(X[:300], y[:300], 3, NO_WEIGHT)
    b = kern.class_moments(X[300:], y[300:], 3, NO_WEIGHT)
    _check(kern.merge_class_moments(*a, *b), naive.class_moments(X, y, 3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("n", "k"), [(1, 1), (1, 4), (333, 2), (1000, 7)])
def test_joint_log_likelihood(rng, dtype, n, k):
    d = 6
    X = rng.normal(size=(n, d)).astype(dtype)
    theta = rng.normal(size=(k, d))
    var = rng.uniform(0.2, 3.0, size=(k, d))
    prior = rng.dirichlet(np.ones(k))
    out = np.empty((n, k), dtype=dtype)
    kern.joint_log_likelihood(X, theta, var, np.log(prior), out)
    want = naive.joint_log_likelihood(X, theta, var, np.log(prior))
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, want, rtol=rtol)
    np.testing.assert_array_equal(out.argmax(axis=1), want.argmax(axis=1))


def test_joint_log_likelihood_zero_prior_is_minus_inf(rng):
    X = rng.normal(size=(5, 2))
    out = np.empty((5, 2))
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.array([1.0, 0.0]))
    kern.joint_log_likelihood(X, np.zeros((2, 2)), np.ones((2, 2)), log_prior, out)
    assert np.all(np.isneginf(out[:, 1])) and np.all(np.isfinite(out[:, 0]))
