"""CPU LARS / Lasso-LARS / OMP kernels against the NumPy references (fresh random inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import linear_lars

from .naive_linear_lars import lars_path as naive_lars
from .naive_linear_lars import omp as naive_omp

EPS = float(np.finfo(float).eps)


def _moments(rng, n, p, dtype, k_true=None):
    X = rng.normal(size=(n, p)).astype(dtype).astype(np.float64)
    X -= X.mean(axis=0)
    w = rng.normal(size=p)
    if k_true is not None:
        w[k_true:] = 0.0
    y = X @ w + 0.5 * rng.normal(size=n)
    y -= y.mean()
    return X.T @ X, X.T @ y, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "lasso, positive, alpha_min", [(False, False, 0.0), (True, False, 0.0), (True, False, 0.05),
                                   (True, True, 0.0)]
)  # fmt: skip
def test_lars_path_matches_numpy(rng, dtype, lasso, positive, alpha_min):
    n, p = 80, 9
    G, q, _ = _moments(rng, n, p, dtype)
    alphas, coefs, active, n_iter, status = linear_lars.lars_path_gram(
        G, q, float(n), 500, alpha_min, lasso, positive, EPS
    )
    ref_a, ref_c, ref_active = naive_lars(G, q, n, 500, alpha_min, lasso, positive)
    assert status == 0
    assert n_iter == len(ref_a) - 1
    np.testing.assert_allclose(alphas, ref_a, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(coefs, ref_c, rtol=1e-7, atol=1e-9 * np.abs(ref_c).max())
    np.testing.assert_array_equal(active, ref_active)


def test_lars_max_iter_and_underdetermined(rng):
    # more features than samples: the path stops after n - 1 steps (centred rank)
    n, p = 12, 30
    G, q, _ = _moments(rng, n, p, np.float64)
    alphas, coefs, active, n_iter, _ = linear_lars.lars_path_gram(
        G, q, float(n), 4, 0.0, False, False, EPS
    )
    ref_a, ref_c, ref_active = naive_lars(G, q, n, 4, 0.0, False, False)
    assert n_iter == 4 and len(active) == 4
    np.testing.assert_allclose(alphas, ref_a, rtol=1e-8)
    np.testing.assert_allclose(coefs, ref_c, rtol=1e-7, atol=1e-10)


def test_lars_constant_column_and_single_feature(rng):
    n = 40
    X = rng.normal(size=(n, 3))
    X[:, 1] = 0.0  # constant column, centred to zero: never enters
    X -= X.mean(axis=0)
    y = X @ np.array([1.0, 0.0, -2.0]) + rng.normal(size=n)
    y -= y.mean()
    alphas, coefs, active, _, _ = linear_lars.lars_path_gram(
        X.T @ X, X.T @ y, float(n), 500, 0.0, True, False, EPS
    )
    assert 1 not in active
    np.testing.assert_allclose(coefs[-1, [0, 2]], np.linalg.lstsq(X[:, [0, 2]], y)[0], rtol=1e-8)
    assert alphas[-1] == 0.0
    G1, q1 = X[:, :1].T @ X[:, :1], X[:, :1].T @ y
    alphas, coefs, active, n_iter, _ = linear_lars.lars_path_gram(
        G1, q1, float(n), 500, 0.0, False, False, EPS
    )
    assert n_iter == 1 and list(active) == [0]
    np.testing.assert_allclose(coefs[-1, 0], q1[0] / G1[0, 0], rtol=1e-10)


def test_cholesky_delete_matches_refactorisation(rng):
    A = rng.normal(size=(20, 6))
    G = A.T @ A
    L = np.linalg.cholesky(G)
    for go_out in range(6):
        Lw = L.copy()
        linear_lars.cholesky_delete(Lw, 6, go_out)
        keep = [j for j in range(6) if j != go_out]
        ref = np.linalg.cholesky(G[np.ix_(keep, keep)])
        np.testing.assert_allclose(np.tril(Lw[:5, :5]), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 4, 9])
def test_omp_matches_numpy(rng, dtype, k):
    G, q, _ = _moments(rng, 60, 9, dtype, k_true=4)
    coef = np.full(9, np.nan)
    n_iter, status = linear_lars.omp_gram(G, q, k, 0.0, 0.0, False, coef)
    ref = naive_omp(G, q, k)
    assert n_iter == k and status == 0
    np.testing.assert_allclose(coef, ref, rtol=1e-8, atol=1e-10)


def test_omp_tolerance_matches_numpy(rng):
    G, q, y = _moments(rng, 60, 9, np.float64, k_true=3)
    tol = 1.5 * 0.25 * 60
    coef = np.zeros(9)
    n_iter, _ = linear_lars.omp_gram(G, q, 0, float(y @ y), tol, True, coef)
    ref = naive_omp(G, q, None, float(y @ y), tol)
    np.testing.assert_allclose(coef, ref, rtol=1e-8, atol=1e-10)
    assert n_iter == np.count_nonzero(ref)


def test_omp_dependent_atoms_stop_early(rng):
    X = rng.normal(size=(30, 3))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # linearly dependent dictionary
    y = X[:, 0] + X[:, 1] + X[:, 2]
    coef = np.zeros(4)
    n_iter, status = linear_lars.omp_gram(X.T @ X, X.T @ y, 4, 0.0, 0.0, False, coef)
    assert status == linear_lars.PREMATURE and n_iter < 4
    np.testing.assert_allclose(X @ coef, y, atol=1e-8)
