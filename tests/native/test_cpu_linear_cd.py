"""Coordinate-descent kernels against the NumPy references of naive_linear_cd."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_cd

from . import naive_linear_cd as naive


def _data(rng, n=60, p=8, dtype=np.float64, sparse=False):
    X = rng.normal(size=(n, p))
    if sparse:
        X[rng.random(X.shape) < 0.6] = 0.0
    w = np.zeros(p)
    w[:3] = rng.normal(size=3) * 2
    y = X @ w + 0.1 * rng.normal(size=n)
    return X.astype(dtype), y


def _solve(kind, X, y, l1, l2, tol=1e-12, positive=False, random=False, max_iter=5000):
    p = X.shape[1]
    w = np.zeros(p)
    if kind == "dense":
        XT = np.ascontiguousarray(X.T)
        out = linear_cd.cd_dense(
            w, XT, y, linear_cd.col_sq_norms(XT), l1, l2, max_iter, tol, positive, random, 7, True
        )
    elif kind == "sparse":
        Xc = sp.csc_matrix(X)
        out = linear_cd.cd_sparse(
            w, Xc.data, Xc.indices, Xc.indptr, y, np.ones(len(y)), np.zeros(p),
            l1, l2, max_iter, tol, positive, random, 7, True,
        )  # fmt: skip
    else:
        X64 = X.astype(np.float64)
        G = np.ascontiguousarray(X64.T @ X64)
        out = linear_cd.cd_gram(
            w, G, X64.T @ y, float(y @ y), l1, l2, max_iter, tol, positive, random, 7, True
        )
    return w, out


@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("l2", [0.0, 3.0])
def test_solvers_match_reference(rng, kind, dtype, l2):
    X, y = _data(rng, dtype=dtype, sparse=kind == "sparse")
    l1 = 0.2 * np.max(np.abs(X.astype(np.float64).T @ y))
    w, (gap, tol, n_iter) = _solve(kind, X, y, l1, l2)
    X64 = X.astype(np.float64)
    assert gap <= tol and n_iter >= 1
    ref = naive.coordinate_descent(X64, y, l1, l2)
    np.testing.assert_allclose(w, ref, rtol=1e-6, atol=1e-8)
    assert naive.kkt_violation(X64, y, w, l1, l2) < 1e-5 * l1
    np.testing.assert_allclose(gap, naive.duality_gap(X64, y, w, l1, l2), atol=1e-8 * (y @ y))


@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
def test_random_selection_and_positive(rng, kind):
    X, y = _data(rng, sparse=kind == "sparse")
    l1 = 0.1 * np.max(np.abs(X.T @ y))
    w_cyc, _ = _solve(kind, X, y, l1, 1.0)
    w_rnd, _ = _solve(kind, X, y, l1, 1.0, random=True)
    np.testing.assert_allclose(w_rnd, w_cyc, rtol=1e-5, atol=1e-8)
    w_pos, _ = _solve(kind, X, y, l1, 1.0, positive=True)
    assert np.all(w_pos >= 0)


@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
def test_all_zero_above_alpha_max(rng, kind):
    X, y = _data(rng, sparse=kind == "sparse")
    l1 = 1.01 * np.max(np.abs(X.T @ y))
    w, (gap, tol, n_iter) = _solve(kind, X, y, l1, 0.0)
    assert np.all(w == 0) and n_iter == 0


@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
def test_single_row_and_constant_column(rng, kind):
    X, y = _data(rng, n=1, p=4)
    w, _ = _solve(kind, X, y, 0.01, 0.5)
    np.testing.assert_allclose(w, naive.coordinate_descent(X, y, 0.01, 0.5), atol=1e-8)
    X, y = _data(rng, sparse=kind == "sparse")
    X[:, 2] = 0.0  # a centred constant column is all zeros
    w, (gap, tol, _) = _solve(kind, X, y, 0.5, 0.0)
    assert w[2] == 0.0 and gap <= tol


def test_sparse_centring_matches_dense_centred(rng):
    X, y = _data(rng, sparse=True)
    sw = rng.uniform(0.5, 2.0, size=len(y))
    mu = sw @ X / sw.sum()
    yc = y - sw @ y / sw.sum()
    Xc = sp.csc_matrix(X)
    p = X.shape[1]
    w = np.zeros(p)
    linear_cd.cd_sparse(
        w, Xc.data, Xc.indices, Xc.indptr, yc, sw, mu, 1.0, 0.5, 5000, 1e-12, False, False, 1, True
    )
    s = np.sqrt(sw)
    ref = naive.coordinate_descent((X - mu) * s[:, None], yc * s, 1.0, 0.5)
    np.testing.assert_allclose(w, ref, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gram_centered_and_mean(rng, dtype):
    n, p = 5000, 7
    X = (rng.normal(size=(n, p)) + 3).astype(dtype)
    rows = np.sort(rng.choice(n, size=3000, replace=False)).astype(np.int64)
    sw = rng.uniform(0.1, 2.0, size=rows.size)
    Y = rng.normal(size=(rows.size, 2))
    mu = linear_cd.weighted_col_mean(X, rows, sw)
    np.testing.assert_allclose(mu, sw @ X[rows].astype(np.float64) / sw.sum(), rtol=1e-10)
    G = np.empty((p, p))
    Q = np.empty((p, 2))
    linear_cd.gram_centered(X, rows, mu, sw, Y, G, Q)
    G_ref, Q_ref = naive.gram_centered(X[rows], mu, sw, Y)
    np.testing.assert_allclose(G, G_ref, rtol=1e-10)
    np.testing.assert_allclose(Q, Q_ref, rtol=1e-9, atol=1e-9)
    assert np.array_equal(G, G.T)


def test_parallel_dense_pass_matches_serial(rng):
    # above PARALLEL_MIN_ROWS the fused pass runs over chunks: same answer
    n = linear_cd.PARALLEL_MIN_ROWS + 1000
    X = rng.normal(size=(n, 3)).astype(np.float32)
    y = X @ np.array([1.0, 0.0, -2.0]) + rng.normal(size=n)
    l1 = 0.05 * np.max(np.abs(X.astype(np.float64).T @ y))
    w, (gap, tol, _) = _solve("dense", X, y, l1, 0.0, tol=1e-10)
    w_gram, _ = _solve("gram", X, y, l1, 0.0, tol=1e-10)
    assert gap <= tol
    np.testing.assert_allclose(w, w_gram, rtol=1e-6)
