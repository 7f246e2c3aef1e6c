"""CPU logistic loss-and-gradient kernels against the NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear

from .naive_linear import logistic_hessian as naive_hessian
from .naive_linear import logistic_loss_grad as naive_loss_grad

DTYPES = [np.float32, np.float64]


def _problem(rng, n, d, n_outputs, dtype, density=None):
    if density is None:
        X = rng.normal(size=(n, d)).astype(dtype)
    else:
        X = sp.random(n, d, density=density, format="csr", random_state=rng, dtype=dtype)
        X.data = (X.data * 4 - 2).astype(dtype)
    n_classes = 2 if n_outputs == 1 else n_outputs
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    sw = rng.uniform(0.0, 3.0, size=n)
    coef = rng.normal(scale=0.5, size=(n_outputs, d))
    intercept = rng.normal(size=n_outputs)
    return X, y, sw, coef, intercept


def _call(X, y, sw, coef, intercept):
    grad = np.full((coef.shape[0], coef.shape[1] + 1), np.nan)
    if sp.issparse(X):
        loss = linear.logistic_loss_grad_csr(
            X.data, X.indices, X.indptr, y, sw, coef, intercept, grad
        )
    else:
        loss = linear.logistic_loss_grad(X, y, sw, coef, intercept, grad)
    return loss, grad


def _tol(dtype):
    # X is read in its own dtype but every product is formed in float64
    return 1e-10 if dtype == np.float64 else 1e-9


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_matches_numpy(rng, dtype, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(
        rng, 700, 9, n_outputs, dtype, density=0.4 if sparse else None
    )
    loss, grad = _call(X, y, sw, coef, intercept)
    ref_loss, ref_grad = naive_loss_grad(X, y, sw, coef, intercept)
    np.testing.assert_allclose(loss, ref_loss, rtol=_tol(dtype))
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("n_outputs", [1, 4])
@pytest.mark.parametrize("sparse", [False, True])
def test_single_row_and_constant_column(rng, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(rng, 1, 5, n_outputs, np.float64)
    X[:, 2] = 3.0
    if sparse:
        X = sp.csr_matrix(X)
    loss, grad = _call(X, y, sw, coef, intercept)
    ref_loss, ref_grad = naive_loss_grad(X, y, sw, coef, intercept)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12)


def test_extreme_scores_stay_finite():
    X = np.array([[1000.0], [-1000.0], [1000.0]])
    y = np.array([0, 1, 1])
    loss, grad = _call(X, y, np.ones(3), np.ones((1, 1)), np.zeros(1))
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(loss, 2000.0)
    np.testing.assert_allclose(grad, [[2000.0, 0.0]], atol=1e-12)


def test_zero_weights_drop_rows(rng):
    X, y, sw, coef, intercept = _problem(rng, 300, 6, 3, np.float64)
    sw[::2] = 0.0
    loss, grad = _call(X, y, sw, coef, intercept)
    keep = sw > 0
    ref_loss, ref_grad = naive_loss_grad(X[keep], y[keep], sw[keep], coef, intercept)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_by_finite_differences(rng, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(
        rng, 200, 4, n_outputs, np.float64, density=0.5 if sparse else None
    )
    _, grad = _call(X, y, sw, coef, intercept)
    params = np.hstack([coef, intercept[:, None]])
    eps = 1e-6
    numeric = np.empty_like(params)
    for idx in np.ndindex(params.shape):
        hi, lo = params.copy(), params.copy()
        hi[idx] += eps
        lo[idx] -= eps
        f_hi, _ = _call(X, y, sw, np.ascontiguousarray(hi[:, :-1]), hi[:, -1].copy())
        f_lo, _ = _call(X, y, sw, np.ascontiguousarray(lo[:, :-1]), lo[:, -1].copy())
        numeric[idx] = (f_hi - f_lo) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def test_result_does_not_depend_on_thread_count(rng, monkeypatch):
    import numba

    monkeypatch.setattr(linear, "SERIAL_WORK", 0)  # use the thread pool even on small data

    X, y, sw, coef, intercept = _problem(rng, 3000, 7, 3, np.float32)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _call(X, y, sw, coef, intercept)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = _call(X, y, sw, coef, intercept)
    finally:
        numba.set_num_threads(previous)
    assert one[0] == many[0]
    np.testing.assert_array_equal(one[1], many[1])


def test_chunks_depend_on_size_only():
    assert linear.n_chunks_for(10, 5) == 1
    assert linear.n_chunks_for(10**7, 5) == linear.MAX_CHUNKS
    assert linear.n_chunks_for(10**7, 10**9) == 1


# ----------------------------------------------------------------------------- Hessian


def _hessian(X, y, sw, coef, intercept):
    size = coef.shape[0] * (coef.shape[1] + 1)
    hess = np.full((size, size), np.nan)
    if sp.issparse(X):
        linear.logistic_hessian_csr(X.data, X.indices, X.indptr, y, sw, coef, intercept, hess)
    else:
        linear.logistic_hessian(X, y, sw, coef, intercept, hess)
    return hess


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_matches_numpy(rng, dtype, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(
        rng, 600, 6, n_outputs, dtype, density=0.4 if sparse else None
    )
    hess = _hessian(X, y, sw, coef, intercept)
    np.testing.assert_allclose(hess, naive_hessian(X, y, sw, coef, intercept), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_single_row_and_constant_column(rng, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(rng, 1, 4, n_outputs, np.float64)
    X[:, 1] = 2.0
    if sparse:
        X = sp.csr_matrix(X)
    hess = _hessian(X, y, sw, coef, intercept)
    np.testing.assert_allclose(hess, naive_hessian(X, y, sw, coef, intercept), rtol=1e-12)


def test_hessian_unsorted_csr_indices(rng):
    X, y, sw, coef, intercept = _problem(rng, 50, 6, 3, np.float64, density=0.6)
    shuffled = X.copy()
    for i in range(shuffled.shape[0]):
        lo, hi = shuffled.indptr[i], shuffled.indptr[i + 1]
        perm = rng.permutation(hi - lo) + lo
        shuffled.indices[lo:hi] = shuffled.indices[perm]
        shuffled.data[lo:hi] = shuffled.data[perm]
    np.testing.assert_allclose(
        _hessian(shuffled, y, sw, coef, intercept), _hessian(X, y, sw, coef, intercept), rtol=1e-12
    )


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_hessian_by_finite_differences_of_gradient(rng, n_outputs):
    X, y, sw, coef, intercept = _problem(rng, 150, 3, n_outputs, np.float64)
    hess = _hessian(X, y, sw, coef, intercept)
    params = np.hstack([coef, intercept[:, None]])
    eps = 1e-6
    numeric = np.empty_like(hess)
    for a, idx in enumerate(np.ndindex(params.shape)):
        hi, lo = params.copy(), params.copy()
        hi[idx] += eps
        lo[idx] -= eps
        _, g_hi = _call(X, y, sw, np.ascontiguousarray(hi[:, :-1]), hi[:, -1].copy())
        _, g_lo = _call(X, y, sw, np.ascontiguousarray(lo[:, :-1]), lo[:, -1].copy())
        numeric[:, a] = ((g_hi - g_lo) / (2 * eps)).ravel()
    np.testing.assert_allclose(hess, numeric, rtol=1e-5, atol=1e-5)


def test_hessian_does_not_depend_on_thread_count(rng, monkeypatch):
    import numba

    monkeypatch.setattr(linear, "SERIAL_WORK", 0)

    X, y, sw, coef, intercept = _problem(rng, 2000, 5, 3, np.float32)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _hessian(X, y, sw, coef, intercept)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = _hessian(X, y, sw, coef, intercept)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(one, many)


def test_small_calls_run_on_one_thread_and_restore_the_setting(rng):
    import numba

    seen = []
    X, y, sw, coef, intercept = _problem(rng, 50, 3, 1, np.float64)
    previous = numba.get_num_threads()
    with linear._threads_for(10):
        seen.append(numba.get_num_threads())
    with linear._threads_for(linear.SERIAL_WORK):
        seen.append(numba.get_num_threads())
    assert seen == [1, previous] and numba.get_num_threads() == previous
    _call(X, y, sw, coef, intercept)
    assert numba.get_num_threads() == previous
