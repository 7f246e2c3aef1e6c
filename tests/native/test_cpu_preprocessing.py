"""pai_algos_native.cpu.preprocessing against the NumPy references in naive_preprocessing."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import preprocessing as kern

from . import naive_preprocessing as naive

DTYPES = [np.float32, np.float64]
NO_WEIGHT = np.empty(0)


def _tol(dtype):
    # inputs are exact in either dtype; sums are carried in float64 in both kernel and reference
    return {"rtol": 1e-10, "atol": 1e-10}


def _check(got, want, dtype=np.float64):
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(1, 4), (37, 3), (5000, 9)])
def test_dense_moments(rng, dtype, weighted, shape):
    X = rng.normal(3.0, 2.0, size=shape).astype(dtype)
    w = rng.uniform(0.1, 2.0, size=shape[0]) if weighted else None
    got = kern.dense_moments(X, NO_WEIGHT if w is None else w)
    _check(got, naive.moments(X, w), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_moments_skips_nan(rng, dtype):
    X = rng.normal(size=(400, 5)).astype(dtype)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 3] = np.nan  # a column with no value at all
    w = rng.uniform(0.1, 2.0, size=400)
    for weights, ref_w in ((NO_WEIGHT, None), (w, w)):
        count, mean, m2 = kern.dense_moments(X, weights)
        _check((count, mean, m2), naive.moments(X, ref_w), dtype)
        assert count[3] == 0.0 and mean[3] == 0.0 and m2[3] == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_moments_constant_column_has_zero_m2(rng, dtype):
    X = rng.normal(size=(3000, 3)).astype(dtype)
    X[:, 1] = dtype(0.1)
    count, mean, m2 = kern.dense_moments(X, NO_WEIGHT)
    # zero up to the rounding of the block means (the scaler's constant-feature bound)
    c = np.float64(dtype(0.1))
    eps = np.finfo(np.float64).eps
    assert 0.0 <= m2[1] <= count[1] * (count[1] * c * eps) ** 2
    np.testing.assert_allclose(mean[1], c, rtol=count[1] * eps)


def test_dense_moments_large_offset_is_accurate(rng):
    # the one-pass "sum of squares" formula would lose every digit here
    X = 1e8 + rng.normal(size=(20000, 2))
    _, _, m2 = kern.dense_moments(X, NO_WEIGHT)
    np.testing.assert_allclose(m2 / 20000, X.var(axis=0), rtol=1e-7)


def test_merge_moments_matches_whole(rng):
    X = rng.normal(size=(300, 4))
    a = kern.dense_moments(X[:120], NO_WEIGHT)
    b = kern.dense_moments(X[120:], NO_WEIGHT)
    _check(kern.merge_moments(*a, *b), naive.moments(X))
    # merging into nothing returns the other side
    empty = (np.zeros(4), np.zeros(4), np.zeros(4))
    _check(kern.merge_moments(*empty, *b), b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_moments(rng, dtype, weighted, fmt):
    dense = rng.normal(2.0, 1.0, size=(3000, 7)).astype(dtype)
    dense[rng.random(dense.shape) < 0.6] = 0.0
    dense[rng.random(dense.shape) < 0.02] = np.nan
    dense[:, 2] = 0.0  # an all-zero column
    X = sp.csr_matrix(dense).asformat(fmt)
    w = rng.uniform(0.1, 2.0, size=dense.shape[0]) if weighted else None
    weights = NO_WEIGHT if w is None else w
    if fmt == "csr":
        got = kern.csr_moments(X.data, X.indices, X.indptr, X.shape[1], weights)
    else:
        got = kern.csc_moments(X.data, X.indices, X.indptr, X.shape[0], weights)
    _check(got, naive.moments(dense, w), dtype)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_moments_single_row(rng, fmt):
    dense = np.array([[0.0, rng.normal(), 0.0, rng.normal()]])
    X = sp.csr_matrix(dense).asformat(fmt)
    if fmt == "csr":
        got = kern.csr_moments(X.data, X.indices, X.indptr, 4, NO_WEIGHT)
    else:
        got = kern.csc_moments(X.data, X.indices, X.indptr, 1, NO_WEIGHT)
    _check(got, naive.moments(dense))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("n_rows", [1, 257])
def test_dense_scale_is_bitwise_numpy(rng, dtype, inverse, n_rows):
    X = rng.normal(size=(n_rows, 6)).astype(dtype)
    X[0, 0] = np.nan
    mean = rng.normal(size=6).astype(dtype)
    scale = rng.uniform(0.5, 2.0, size=6).astype(dtype)
    out = np.empty_like(X)
    kern.dense_scale(X, mean, scale, out, inverse)
    np.testing.assert_array_equal(out, naive.scale(X, mean, scale, inverse))
    assert out.dtype == dtype
    # in place
    Y = X.copy()
    kern.dense_scale(Y, mean, scale, Y, inverse)
    np.testing.assert_array_equal(Y, out)


def test_dense_scale_fortran_input(rng):
    X = np.asfortranarray(rng.normal(size=(50, 4)))
    mean, scale = rng.normal(size=4), rng.uniform(1, 2, size=4)
    out = np.empty(X.shape)
    kern.dense_scale(X, mean, scale, out, False)
    np.testing.assert_array_equal(out, naive.scale(X, mean, scale))


@pytest.mark.parametrize("dtype", DTYPES)
def test_sparse_scale(rng, dtype):
    X = sp.random(200, 8, density=0.3, format="csr", dtype=dtype, random_state=rng)
    factor = rng.uniform(0.5, 2.0, size=8)
    out = np.empty_like(X.data)
    kern.sparse_scale(X.data, X.indices, factor, out)
    want = X.data.copy()
    want *= factor.take(X.indices)
    np.testing.assert_array_equal(out, want)
