"""pai_algos_native.cpu.discriminant against the NumPy references in naive_discriminant."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import discriminant as kern

from . import naive_discriminant as naive

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("n", "d", "k"), [(1, 3, 1), (50, 4, 3), (9000, 7, 5)])
def test_class_moments(rng, dtype, n, d, k):
    X = rng.normal(5.0, 3.0, size=(n, d)).astype(dtype)
    y = rng.integers(0, k, size=n).astype(np.int64)
    got = kern.class_moments(X, y, k)
    want = naive.class_moments(X, y, k)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-10, atol=1e-9)
    # symmetric by construction
    np.testing.assert_array_equal(got[2], np.transpose(got[2], (0, 2, 1)))


def test_class_moments_constant_column_and_absent_class(rng):
    X = rng.normal(size=(3000, 4))
    X[:, 2] = 7.25
    y = rng.integers(0, 2, size=3000).astype(np.int64)  # class 2 never appears
    counts, means, scatter = kern.class_moments(X, y, 3)
    assert counts[2] == 0 and np.all(means[2] == 0) and np.all(scatter[2] == 0)
    np.testing.assert_allclose(means[:2, 2], 7.25, rtol=1e-15)
    np.testing.assert_allclose(scatter[:2, 2, :], 0.0, atol=1e-10)


def test_class_moments_is_thread_independent(rng):
    import numba

    X = rng.normal(size=(20000, 5))
    y = rng.integers(0, 3, size=20000).astype(np.int64)
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        results.append(kern.class_moments(X, y, 3))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_class_moments_large_offset_is_stable(rng):
    # centred updates: no cancellation when the mean dwarfs the spread
    X = 1e8 + rng.normal(size=(5000, 3))
    y = np.zeros(5000, dtype=np.int64)
    _, _, scatter = kern.class_moments(X, y, 1)
    R = X - X.mean(axis=0)
    np.testing.assert_allclose(scatter[0], R.T @ R, rtol=1e-6, atol=1e-8 * float(np.sum(R * R)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 400, 7000])
def test_class_fourth_moments(rng, dtype, n):
    d, k = 4, 3
    X = rng.normal(size=(n, d)).astype(dtype)
    y = rng.integers(0, k, size=n).astype(np.int64)
    means = rng.normal(size=(k, d))
    scale = rng.uniform(0.5, 2.0, size=(k, d))
    got = kern.class_fourth_moments(X, y, means, scale)
    np.testing.assert_allclose(got, naive.class_fourth_moments(X, y, means, scale), rtol=1e-11)
