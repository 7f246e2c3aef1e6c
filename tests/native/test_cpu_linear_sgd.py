"""SGD kernels against the plain references of naive_linear_sgd (fresh random inputs)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_sgd as k

from . import naive_linear_sgd as naive

CLASSIFICATION = ["hinge", "squared_hinge", "log_loss", "modified_huber"]
REGRESSION = ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"]
PENALTIES = {None: 0, "l2": 2, "l1": 1, "elasticnet": 3}


def _data(rng, n, d, loss, dtype=np.float64):
    X = rng.normal(size=(n, d)).astype(dtype)
    if loss in REGRESSION:
        y = X.astype(float) @ rng.normal(size=d) + 0.3 * rng.normal(size=n)
    elif loss == "log_loss":
        y = (rng.random(n) < 0.5).astype(float)
    else:
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    return X, y, rng.uniform(0.5, 1.5, n)


def _run(X, y, sw, loss, penalty, lr, *, average=0, eta0=0.05, csr=False, w0=None):
    d = X.shape[1]
    w = np.zeros(d, X.dtype) if w0 is None else w0.astype(X.dtype)
    aw = np.zeros(d, X.dtype)
    q = np.zeros(d, X.dtype)
    state = np.array([1.0, 0.0, 0.0, 0.0, eta0])
    param = 1.0 if loss in ("hinge", "squared_hinge") else 0.3
    # plain_sgd passes l1_ratio 0 for "l2" and 1 for "l1"
    l1_ratio = {None: 0.0, "l2": 0.0, "l1": 1.0}.get(penalty, 0.4)
    args = (k.LOSSES[loss], param, PENALTIES[penalty], 0.01, l1_ratio, True, False, 1, 1.0, 1.0,
            k.LEARNING_RATES[lr], eta0, 0.5, 0.0, 1.0, average, True)  # fmt: skip
    index = np.arange(X.shape[0])
    row_sq = np.einsum("ij,ij->i", X.astype(float), X.astype(float))
    if csr:
        A = sp.csr_matrix(X)
        k.sgd_epoch_csr(A.data, A.indices, A.indptr, y, sw, index, row_sq, w, aw, q, state, *args)
    else:
        k.sgd_epoch(X, y, sw, index, row_sq, w, aw, q, state, *args)
    return w, aw, state


@pytest.mark.parametrize("loss", CLASSIFICATION + REGRESSION)
@pytest.mark.parametrize("penalty", [None, "l2", "l1", "elasticnet"])
def test_epoch_matches_reference(rng, loss, penalty):
    X, y, sw = _data(rng, 40, 6, loss)
    w, _, state = _run(X, y, sw, loss, penalty, "invscaling")
    param = 1.0 if loss in ("hinge", "squared_hinge") else 0.3
    rw, rb, _, _, rt = naive.epoch(
        X, y, sw, np.zeros(6), 0.0, code=k.LOSSES[loss], param=param,
        penalty=PENALTIES[penalty], alpha=0.01, l1_ratio=0.4, lr="invscaling", eta0=0.05,
        power_t=0.5, t=1.0,
    )  # fmt: skip
    np.testing.assert_allclose(w, rw, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(state[2], rb, rtol=1e-6, atol=1e-7)
    assert state[0] == rt


@pytest.mark.parametrize("loss", ["hinge", "log_loss", "squared_error", "huber"])
@pytest.mark.parametrize("penalty", [None, "l2", "l1", "elasticnet"])
def test_csr_matches_dense(rng, loss, penalty):
    X, y, sw = _data(rng, 50, 8, loss)
    X[rng.random(X.shape) < 0.5] = 0.0
    X[:, 0] = 1.0  # a dense column: the L1 truncation of CSR only touches stored entries
    w_dense, _, s_dense = _run(X, y, sw, loss, penalty, "constant")
    w_csr, _, s_csr = _run(X, y, sw, loss, penalty, "constant", csr=True)
    if penalty in ("l1", "elasticnet"):
        # the truncation differs on the zeros; both must still be a valid descent
        assert np.all(np.isfinite(w_csr))
    else:
        np.testing.assert_allclose(w_csr, w_dense, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(s_csr[2], s_dense[2], rtol=1e-9)


@pytest.mark.parametrize("penalty", [None, "l2"])
def test_averaging_matches_reference(rng, penalty):
    X, y, sw = _data(rng, 30, 5, "hinge")
    _, aw, state = _run(X, y, sw, "hinge", penalty, "constant", average=3)
    _, _, raw, rab, _ = naive.epoch(
        X, y, sw, np.zeros(5), 0.0, code=0, param=1.0, penalty=PENALTIES[penalty],
        alpha=0.01, l1_ratio=0.4, lr="constant", eta0=0.05, power_t=0.5, t=1.0, average=3,
    )  # fmt: skip
    np.testing.assert_allclose(aw, raw, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(state[3], rab, rtol=1e-6, atol=1e-9)


def test_passive_aggressive_step(rng):
    X, y, sw = _data(rng, 30, 5, "hinge")
    sw[:] = 1.0
    w, _, state = _run(X, y, sw, "hinge", None, "pa1", eta0=0.5)
    rw, rb, *_ = naive.epoch(
        X, y, sw, np.zeros(5), 0.0, code=0, param=1.0, penalty=0, alpha=1.0, l1_ratio=0.0,
        lr="pa1", eta0=0.5, power_t=0.5, t=1.0,
    )  # fmt: skip
    np.testing.assert_allclose(w, rw, rtol=1e-9)
    np.testing.assert_allclose(state[2], rb, rtol=1e-9)


def test_float32_close_to_float64(rng):
    X, y, sw = _data(rng, 60, 7, "log_loss")
    w64, _, _ = _run(X, y, sw, "log_loss", "elasticnet", "invscaling")
    w32, _, _ = _run(X.astype(np.float32), y, sw, "log_loss", "elasticnet", "invscaling")
    assert w32.dtype == np.float32
    np.testing.assert_allclose(w32, w64, rtol=1e-4, atol=1e-5)


def test_single_row_and_constant_column(rng):
    X, y, sw = _data(rng, 1, 4, "squared_error")
    X[:, 2] = 3.0
    w, _, state = _run(X, y, sw, "squared_error", "l2", "constant")
    rw, rb, *_ = naive.epoch(
        X, y, sw, np.zeros(4), 0.0, code=4, param=0.3, penalty=2, alpha=0.01, l1_ratio=0.4,
        lr="constant", eta0=0.05, power_t=0.5, t=1.0,
    )  # fmt: skip
    np.testing.assert_allclose(w, rw, rtol=1e-9)
    assert state[0] == 2.0


def test_shuffle_is_sklearns_generator(rng):
    index = np.arange(25)
    seed = int(rng.integers(1, 2**31 - 1))
    got = index.copy()
    k._shuffle(got, seed)
    np.testing.assert_array_equal(got, naive.shuffle(index, seed))


def test_plain_sgd_stops_on_tol(rng):
    X, y, _ = _data(rng, 200, 5, "squared_error")
    w = np.zeros(5)
    state = np.array([1.0, 0.0, 0.0, 0.0, 0.0])
    seen = []
    n_iter = k.plain_sgd(
        X, y, np.ones(200), np.arange(200), w, None, state, loss="squared_error",
        loss_param=0.1, penalty="l2", alpha=1e-4, l1_ratio=0.15, max_iter=500, tol=1e-3,
        n_iter_no_change=3, fit_intercept=True, shuffle=True, seed=3, weight_pos=1.0,
        weight_neg=1.0, learning_rate="invscaling", eta0=0.01, power_t=0.25,
        intercept_decay=1.0, average=0, on_epoch=lambda e, obj: seen.append(obj),
    )  # fmt: skip
    assert 3 < n_iter < 500 and len(seen) == n_iter
    best, count, stop = np.inf, 0, None
    for obj in seen:  # scikit-learn's rule, replayed
        count = count + 1 if obj > best - 1e-3 else 0
        best = min(best, obj)
        if count >= 3:
            stop = seen.index(obj) + 1
            break
    assert stop == n_iter


@pytest.mark.parametrize("loss", CLASSIFICATION + REGRESSION)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_grad_matches_reference(rng, loss, dtype):
    X, y, sw = _data(rng, 300, 6, loss, dtype)
    coef = rng.normal(size=6) * 0.3
    code = k.LOSSES[loss]
    param = 1.0 if loss in ("hinge", "squared_hinge") else 0.3
    grad = np.empty(7)
    total = k.sgd_loss_grad(X, y, sw, coef, 0.1, code, param, grad)
    ref_total, ref_grad = naive.loss_grad(X.astype(float), y, sw, coef, 0.1, code, param)
    np.testing.assert_allclose(total, ref_total, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-4)
    A = sp.csr_matrix(X)
    grad_csr = np.empty(7)
    total_csr = k.sgd_loss_grad_csr(A.data, A.indices, A.indptr, y, sw, coef, 0.1, code, param,
                                    grad_csr)  # fmt: skip
    np.testing.assert_allclose(total_csr, total, rtol=1e-10)
    np.testing.assert_allclose(grad_csr, grad, rtol=1e-9, atol=1e-9)
