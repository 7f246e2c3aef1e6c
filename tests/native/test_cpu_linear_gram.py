"""CPU Gram-moment kernels against the NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_gram

from .naive_linear_gram import gram_moments as naive_gram

DTYPES = [np.float32, np.float64]


def _problem(rng, n, d, t, dtype, density=None):
    if density is None:
        X = (rng.normal(size=(n, d)) + rng.normal(scale=5, size=d)).astype(dtype)
    else:
        X = sp.random(n, d, density=density, format="csr", random_state=rng, dtype=dtype)
        X.data = (X.data * 4 - 2).astype(dtype)
    Y = rng.normal(size=(n, t))
    sw = rng.uniform(0.0, 3.0, size=n)
    return X, Y, sw


def _call(X, Y, sw, x_shift, y_shift):
    d, t = X.shape[1], Y.shape[1]
    G, B = np.full((d, d), np.nan), np.full((d, t), np.nan)
    xs, ys = np.full(d, np.nan), np.full(t, np.nan)
    if sp.issparse(X):
        s = linear_gram.gram_csr(X.data, X.indices, X.indptr, Y, sw, y_shift, G, B, xs, ys)
    else:
        s = linear_gram.gram_dense(X, Y, sw, x_shift, y_shift, G, B, xs, ys)
    return G, B, xs, ys, s


def _assert_close(got, ref):
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 3, 5, 2051])
@pytest.mark.parametrize("t", [1, 3])
def test_dense_matches_numpy(rng, dtype, n, t):
    X, Y, sw = _problem(rng, n, 7, t, dtype)
    c = rng.normal(size=7)
    e = rng.normal(size=t)
    _assert_close(_call(X, Y, sw, c, e), naive_gram(X, Y, sw, c, e))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_rows_matches_numpy_on_the_subset(rng, dtype):
    X, Y, sw = _problem(rng, 3000, 6, 2, dtype)
    rows = np.sort(rng.choice(3000, size=2100, replace=False)).astype(np.int64)
    c, e = rng.normal(size=6), rng.normal(size=2)
    Ys, sws = np.ascontiguousarray(Y[rows]), sw[rows]
    G, B = np.full((6, 6), np.nan), np.full((6, 2), np.nan)
    xs, ys = np.full(6, np.nan), np.full(2, np.nan)
    s = linear_gram.gram_dense_rows(X, rows, Ys, sws, c, e, G, B, xs, ys)
    _assert_close((G, B, xs, ys, s), naive_gram(X[rows], Ys, sws, c, e))
    # all rows in order: the same numbers as gram_dense
    everything = np.arange(3000, dtype=np.int64)
    s2 = linear_gram.gram_dense_rows(X, everything, Y, sw, c, e, G, B, xs, ys)
    for a, b in zip((G, B, xs, ys, s2), _call(X, Y, sw, c, e), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2051])
def test_csr_matches_numpy(rng, dtype, n):
    X, Y, sw = _problem(rng, n, 9, 2, dtype, density=0.3)
    e = rng.normal(size=2)
    zero = np.zeros(9)
    _assert_close(_call(X, Y, sw, zero, e), naive_gram(X, Y, sw, zero, e))


def test_csr_equals_dense(rng):
    X, Y, sw = _problem(rng, 300, 6, 2, np.float64, density=0.5)
    zero, e = np.zeros(6), np.zeros(2)
    _assert_close(_call(X, Y, sw, zero, e), _call(X.toarray(), Y, sw, zero, e))


def test_constant_column_and_zero_weights(rng):
    X, Y, sw = _problem(rng, 400, 5, 1, np.float64)
    X[:, 2] = 7.5
    sw[::3] = 0.0
    c = X[:10].mean(axis=0)
    G, B, xs, ys, s = _call(X, Y, sw, c, np.zeros(1))
    _assert_close((G, B, xs, ys, s), naive_gram(X, Y, sw, c, np.zeros(1)))
    # shifted by the column value itself, the constant column has no moments at all
    assert np.all(G[2] == 0.0) and B[2, 0] == 0.0 and xs[2] == 0.0


def test_result_does_not_depend_on_threads(rng):
    import numba

    X, Y, sw = _problem(rng, 5000, 11, 2, np.float32)
    c, e = np.zeros(11), np.zeros(2)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _call(X, Y, sw, c, e)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = _call(X, Y, sw, c, e)
    finally:
        numba.set_num_threads(previous)
    for a, b in zip(one, many, strict=True):
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_is_an_error(rng):
    X, Y, sw = _problem(rng, 10, 3, 1, np.float64)
    with pytest.raises(ValueError, match="shape mismatch"):
        linear_gram.gram_dense(
            X,
            Y,
            sw,
            np.zeros(3),
            np.zeros(1),
            np.empty((2, 2)),
            np.empty((3, 1)),
            np.empty(3),
            np.empty(1),
        )
    with pytest.raises(ValueError, match="shape mismatch"):
        linear_gram.gram_dense(
            X,
            Y,
            sw[:5],
            np.zeros(3),
            np.zeros(1),
            np.empty((3, 3)),
            np.empty((3, 1)),
            np.empty(3),
            np.empty(1),
        )
