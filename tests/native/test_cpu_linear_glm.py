"""CPU GLM and Huber kernels against the NumPy references, with finite-difference checks."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_glm

from .naive_linear_glm import glm_loss_grad_hess, huber_loss_grad

DTYPES = [np.float32, np.float64]
# (family, power): Poisson, Gamma, Tweedie 1.5, 3 and normal with log link; identity links
CASES = [(0, 1.0), (0, 2.0), (0, 1.5), (0, 3.0), (0, 0.0), (1, 0.0), (1, 1.5), (1, 1.0)]


def _X(rng, n, d, dtype, sparse):
    if sparse:
        X = sp.random(n, d, density=0.3, format="csr", random_state=rng, dtype=dtype)
        X.data = (X.data * 2 - 1).astype(dtype)
        return X
    return (rng.normal(size=(n, d)) * 0.5).astype(dtype)


def _glm_call(X, y, sw, coef, b, family, power, with_h=True):
    d = coef.shape[0]
    grad = np.full(d + 1, np.nan)
    hw = np.full(X.shape[0], np.nan) if with_h else None
    hess = np.full((d + 1, d + 1), np.nan)
    if sp.issparse(X):
        loss = linear_glm.glm_loss_grad_csr(
            X.data, X.indices, X.indptr, y, sw, coef, b, family, power, grad, hw
        )
        if with_h:
            linear_glm.glm_hessian_csr(X.data, X.indices, X.indptr, hw, hess)
    else:
        loss = linear_glm.glm_loss_grad(X, y, sw, coef, b, family, power, grad, hw)
        if with_h:
            linear_glm.glm_hessian(X, hw, hess)
    return loss, grad, hw, hess


def _glm_problem(rng, n, d, dtype, sparse, family, power):
    X = _X(rng, n, d, dtype, sparse)
    coef = rng.normal(scale=0.3, size=d)
    # identity link with power > 0 needs a positive mean: a large intercept keeps it so
    b = 0.2 if family == 0 else 5.0
    y = rng.gamma(2.0, 1.5, size=n) + (0.1 if power >= 2 else 0.0)
    if power == 0:
        y = rng.normal(size=n)
    sw = rng.uniform(0.0, 2.0, size=n)
    return X, y, sw, coef, b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("family,power", CASES)
def test_glm_matches_numpy(rng, dtype, sparse, family, power):
    X, y, sw, coef, b = _glm_problem(rng, 530, 7, dtype, sparse, family, power)
    loss, grad, hw, hess = _glm_call(X, y, sw, coef, b, family, power)
    ref_loss, ref_grad, ref_hw, ref_hess = glm_loss_grad_hess(X, y, sw, coef, b, family, power)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(hw, ref_hw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hess, ref_hess, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize(
    "dtype,sparse", [(np.float32, False), (np.float64, False), (np.float32, True)]
)
@pytest.mark.parametrize("family,power", [(0, 1.5), (1, 0.0)])
def test_glm_parallel_path_matches_numpy(rng, dtype, sparse, family, power):
    # enough stored values for the chunked parallel kernels (SERIAL_BELOW)
    d = 40 if sparse else 8
    n = linear_glm.SERIAL_BELOW // (10 if sparse else d) + 5
    X, y, sw, coef, b = _glm_problem(rng, n, d, dtype, sparse, family, power)
    assert (X.nnz if sparse else X.size) >= linear_glm.SERIAL_BELOW
    loss, grad, hw, hess = _glm_call(X, y, sw, coef, b, family, power)
    ref_loss, ref_grad, ref_hw, ref_hess = glm_loss_grad_hess(X, y, sw, coef, b, family, power)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-9)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(hw, ref_hw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hess, ref_hess, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("family,power", [(0, 1.0), (0, 2.0), (0, 1.5), (1, 0.0)])
def test_glm_gradient_finite_differences(rng, family, power):
    X, y, sw, coef, b = _glm_problem(rng, 60, 4, np.float64, False, family, power)
    _, grad, _, hess = _glm_call(X, y, sw, coef, b, family, power)
    w = np.r_[coef, b]
    h = 1e-6
    for k in range(w.size):
        e = np.zeros_like(w)
        e[k] = h

        def f(v):
            return _glm_call(X, y, sw, v[:-1], v[-1], family, power, with_h=False)[:2]

        (lp, gp), (lm, gm) = f(w + e), f(w - e)
        np.testing.assert_allclose((lp - lm) / (2 * h), grad[k], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose((gp - gm) / (2 * h), hess[:, k], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sparse", [False, True])
def test_glm_edge_cases(rng, sparse):
    # a single row, a constant column, a zero weight
    X, y, sw, coef, b = _glm_problem(rng, 1, 3, np.float64, sparse, 0, 1.0)
    ref = glm_loss_grad_hess(X, y, sw, coef, b, 0, 1.0)
    out = _glm_call(X, y, sw, coef, b, 0, 1.0)
    np.testing.assert_allclose(out[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(out[3], ref[3], rtol=1e-12, atol=1e-14)
    X, y, sw, coef, b = _glm_problem(rng, 40, 3, np.float64, False, 0, 1.0)
    X[:, 1] = 2.5
    sw[::3] = 0.0
    Xin = sp.csr_matrix(X) if sparse else X
    ref = glm_loss_grad_hess(Xin, y, sw, coef, b, 0, 1.0)
    out = _glm_call(Xin, y, sw, coef, b, 0, 1.0)
    for got, want in zip(out, ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_glm_thread_count_does_not_change_result(rng):
    import numba

    n = linear_glm.SERIAL_BELOW // 5 + 7
    X, y, sw, coef, b = _glm_problem(rng, n, 5, np.float64, False, 0, 1.5)
    first = _glm_call(X, y, sw, coef, b, 0, 1.5)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        second = _glm_call(X, y, sw, coef, b, 0, 1.5)
    finally:
        numba.set_num_threads(before)
    for a, c in zip(first, second):
        np.testing.assert_array_equal(a, c)


def _huber_call(X, y, sw, coef, b, sigma, eps):
    grad = np.full(coef.shape[0] + 1, np.nan)
    stats = np.full(3, np.nan)
    if sp.issparse(X):
        linear_glm.huber_loss_grad_csr(
            X.data, X.indices, X.indptr, y, sw, coef, b, sigma, eps, grad, stats
        )
    else:
        linear_glm.huber_loss_grad(X, y, sw, coef, b, sigma, eps, grad, stats)
    return stats, grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("large", [False, True])
def test_huber_matches_numpy(rng, dtype, sparse, large):
    d = 40 if sparse and large else 6
    n = linear_glm.SERIAL_BELOW // (10 if sparse else d) + 11 if large else 610
    X = _X(rng, n, d, dtype, sparse)
    assert ((X.nnz if sparse else X.size) >= linear_glm.SERIAL_BELOW) == large
    coef = rng.normal(size=d)
    y = rng.standard_t(2, size=n) * 2
    sw = rng.uniform(0.0, 2.0, size=n)
    sw[::7] = 0.0
    stats, grad = _huber_call(X, y, sw, coef, 0.3, 1.1, 1.35)
    ref_stats, ref_grad = huber_loss_grad(X, y, sw, coef, 0.3, 1.1, 1.35)
    assert 0 < ref_stats[2] < sw.sum()  # both branches exercised
    np.testing.assert_allclose(stats, ref_stats, rtol=1e-9)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8, atol=1e-8)


def test_huber_single_row(rng):
    X = rng.normal(size=(1, 4))
    coef = rng.normal(size=4)
    y = np.array([100.0])
    stats, grad = _huber_call(X, y, np.ones(1), coef, 0.0, 1.0, 1.35)
    ref_stats, ref_grad = huber_loss_grad(X, y, np.ones(1), coef, 0.0, 1.0, 1.35)
    np.testing.assert_allclose(stats, ref_stats, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12)
