"""pai_algos_native.cpu.svm against the NumPy references in naive_svm."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import svm as kern

from . import naive_svm as naive

DTYPES = [np.float32, np.float64]


def _data(rng, n, d, dtype, sparse):
    X = rng.normal(size=(n, d))
    if sparse:
        X[rng.random((n, d)) < 0.5] = 0.0
        return sp.csr_matrix(X.astype(dtype))
    return X.astype(dtype)


def _args(X):
    return (X.data, X.indices, X.indptr) if sp.issparse(X) else (X,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("svr", [False, True])
@pytest.mark.parametrize(("n", "d"), [(1, 3), (40, 5), (700, 9)])
def test_primal_loss_grad_and_hess_vec(rng, dtype, sparse, svr, n, d):
    X = _data(rng, n, d, dtype, sparse)
    y = rng.normal(size=n) if svr else np.where(rng.random(n) < 0.5, 1.0, -1.0)
    Ci = rng.uniform(0.0, 2.0, size=n)
    Ci[: n // 5] = 0.0
    w = rng.normal(size=d + 1) * 0.3
    bias, eps = 1.7, 0.2
    grad, D = np.empty(d + 1), np.empty(n)
    call = kern.primal_loss_grad_csr if sparse else kern.primal_loss_grad
    loss = call(*_args(X), y, Ci, w, bias, eps, svr, grad, D)
    ref_loss, ref_grad, ref_D = naive.primal_loss_grad(X, y, Ci, w, bias, eps, svr)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(D, ref_D)
    v, out = rng.normal(size=d + 1), np.empty(d + 1)
    hv = kern.primal_hess_vec_csr if sparse else kern.primal_hess_vec
    hv(*_args(X), D, v, bias, out)
    np.testing.assert_allclose(out, naive.primal_hess_vec(X, D, v, bias), rtol=1e-10, atol=1e-10)


def test_primal_gradient_matches_finite_differences(rng):
    X = rng.normal(size=(60, 4))
    y = np.where(rng.random(60) < 0.5, 1.0, -1.0)
    Ci = np.ones(60)
    w = rng.normal(size=5) * 0.2
    grad, D = np.empty(5), np.empty(60)
    kern.primal_loss_grad(X, y, Ci, w, 1.0, 0.0, False, grad, D)
    h = 1e-6
    for j in range(5):
        e = np.zeros(5)
        e[j] = h
        up = kern.primal_loss_grad(X, y, Ci, w + e, 1.0, 0.0, False, np.empty(5), D)
        down = kern.primal_loss_grad(X, y, Ci, w - e, 1.0, 0.0, False, np.empty(5), D)
        assert abs((up - down) / (2 * h) - grad[j]) < 1e-4


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("hinge", [False, True])
def test_dual_cd_svc_reaches_the_reference_optimum(rng, dtype, sparse, hinge):
    n, d = 30, 4
    X = _data(rng, n, d, dtype, sparse)
    y_index = (rng.random(n) < 0.5).astype(np.int64)
    y_index[:2] = [0, 1]
    sw = rng.uniform(0.5, 1.5, size=n)
    c_pos, c_neg = np.array([0.8]), np.array([1.3])
    coef, trace = np.zeros((1, d + 1)), np.zeros((1, 5000))
    call = kern.dual_cd_svc_csr if sparse else kern.dual_cd_svc
    extra = (d,) if sparse else ()
    n_iter = call(*_args(X), *extra, 1.0, y_index, np.array([1]), sw, c_pos, c_neg, hinge,
                  1e-10, 5000, np.array([3]), coef, trace)  # fmt: skip
    assert 0 < n_iter[0] < 5000
    y = np.where(y_index == 1, 1.0, -1.0)
    Ci = sw * np.where(y > 0, c_pos[0], c_neg[0])
    ref = naive.dual_cd_svc(X, y, Ci, 1.0, hinge, n_passes=800)
    obj = naive.svc_primal_objective(X, y, Ci, coef[0], 1.0, hinge)
    ref_obj = naive.svc_primal_objective(X, y, Ci, ref, 1.0, hinge)
    assert obj <= ref_obj * (1 + 1e-6) + 1e-9
    if not hinge:  # strictly convex primal: the weights are unique
        np.testing.assert_allclose(coef[0], ref, rtol=1e-5, atol=1e-6)


def test_dual_cd_svc_one_vs_rest_is_thread_independent(rng):
    import numba

    X = rng.normal(size=(200, 6))
    y_index = rng.integers(0, 3, size=200).astype(np.int64)
    args = (X, 1.0, y_index, np.arange(3), np.ones(200), np.ones(3), np.ones(3), False, 1e-3,
            100, np.array([1, 2, 3]))  # fmt: skip
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        coef = np.zeros((3, 7))
        kern.dual_cd_svc(*args, coef, np.zeros((3, 100)))
        results.append(coef)
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_loss", [False, True])
def test_dual_cd_svr_is_optimal(rng, sparse, l1_loss):
    from scipy.optimize import minimize

    n, d = 40, 3
    X = _data(rng, n, d, np.float64, sparse)
    y = np.asarray(X @ rng.normal(size=d)).ravel() + rng.normal(scale=0.1, size=n)
    Ci = np.full(n, 0.7)
    w, trace = np.zeros(d + 1), np.zeros(20000)
    call = kern.dual_cd_svr_csr if sparse else kern.dual_cd_svr
    extra = (d,) if sparse else ()
    call(*_args(X), *extra, 1.0, y, Ci, 0.05, l1_loss, 1e-8, 20000, 5, w, trace)
    got = naive.svr_primal_objective(X, y, Ci, w, 1.0, 0.05, l1_loss)
    ref = minimize(
        lambda v: naive.svr_primal_objective(X, y, Ci, v, 1.0, 0.05, l1_loss),
        np.zeros(d + 1),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )
    assert got <= ref.fun * (1 + 1e-6) + 1e-9


def test_l1_cd_svc_is_optimal_and_sparse(rng):
    n, d = 80, 6
    X = rng.normal(size=(n, d))
    y_index = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    cols = sp.csc_matrix(np.hstack([X, np.ones((n, 1))]))
    coef, trace = np.zeros((1, d + 1)), np.zeros((1, 5000))
    kern.l1_cd_svc(cols.data, cols.indices, cols.indptr, n, y_index, np.array([1]), np.ones(n),
                   np.array([0.05]), np.array([0.05]), np.array([1e-8]), 5000, np.array([0]),
                   coef, trace)  # fmt: skip
    y = np.where(y_index == 1, 1.0, -1.0)
    Ci = np.full(n, 0.05)
    got = naive.svc_primal_objective(X, y, Ci, coef[0], 1.0, False, l1=True)
    # a coordinate perturbation never lowers the objective (optimality, up to tolerance)
    for j in range(d + 1):
        for step in (1e-4, -1e-4):
            w = coef[0].copy()
            w[j] += step
            assert naive.svc_primal_objective(X, y, Ci, w, 1.0, False, l1=True) >= got - 1e-9
    assert np.sum(coef[0][:d] == 0.0) >= 1  # strong penalty: some weights exactly zero


@pytest.mark.parametrize("sparse", [False, True])
def test_crammer_singer_is_optimal(rng, sparse):
    n, d, k = 60, 3, 3
    X = _data(rng, n, d, np.float64, sparse)
    y = rng.integers(0, k, size=n).astype(np.int64)
    Ci = rng.uniform(0.5, 1.5, size=n)
    W, trace = np.zeros((d + 1, k)), np.zeros(20000)
    if sparse:
        it = kern.crammer_singer_csr(*_args(X), d, 1.0, y, k, Ci, 1e-9, 20000, 7, W, trace)
    else:
        it = kern.crammer_singer(X, 1.0, y, k, Ci, 1e-9, 20000, 7, W, trace)
    assert 0 < it < 20000
    got = naive.crammer_singer_objective(X, y, Ci, W, 1.0)
    # convex objective: no random direction improves on the solution
    for _ in range(200):
        step = rng.normal(size=W.shape) * 1e-3
        assert naive.crammer_singer_objective(X, y, Ci, W + step, 1.0) >= got - 1e-9
