"""CPU SAGA epoch kernels against the eager NumPy reference, dense and CSR."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_saga

from .naive_linear import logistic_loss_grad
from .naive_linear_saga import saga_epoch as naive_epoch

DTYPES = [np.float32, np.float64]


def _problem(rng, n, d, n_outputs, dtype, density=0.5):
    X = rng.normal(size=(n, d))
    X[rng.random(X.shape) > density] = 0.0
    X = X.astype(dtype)
    n_classes = 2 if n_outputs == 1 else n_outputs
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    sw = rng.uniform(0.3, 2.0, size=n)
    return X, y, sw


def _state(n, d, n_outputs):
    return [
        np.zeros((n_outputs, d)),  # coef
        np.zeros(n_outputs),  # intercept
        np.zeros((n_outputs, d)),  # sum_grad
        np.zeros(n_outputs),  # intercept_sum_grad
        np.zeros((n, n_outputs)),  # memory
        np.zeros(n, dtype=np.uint8),  # seen
    ]


def _run(kind, X, y, sw, orders, n_outputs, step, alpha, beta, fit_intercept=True):
    n, d = X.shape
    state = _state(n, d, n_outputs)
    n_seen = 0
    losses = []
    Xs = sp.csr_matrix(X)
    for order in orders:
        tail = (n_seen, step, alpha, beta, fit_intercept)
        if kind == "naive":
            n_seen, loss = naive_epoch(X, y, sw, order, *state, *tail)
        elif kind == "dense":
            n_seen, loss = linear_saga.saga_epoch(X, y, sw, order, *state, *tail)
        else:
            args = (Xs.data, Xs.indices, Xs.indptr, y, sw, order)
            n_seen, loss = linear_saga.saga_epoch_csr(*args, *state, *tail)
        losses.append(loss)
    return state, n_seen, losses


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("kind", ["dense", "csr"])
@pytest.mark.parametrize("alpha, beta", [(0.2, 0.0), (0.0, 0.05), (0.1, 0.03)])
def test_matches_numpy(rng, dtype, n_outputs, kind, alpha, beta):
    X, y, sw = _problem(rng, 40, 7, n_outputs, dtype)
    orders = [rng.integers(0, 40, size=40) for _ in range(3)]
    ref, ref_seen, ref_losses = _run("naive", X, y, sw, orders, n_outputs, 0.05, alpha, beta)
    got, seen, losses = _run(kind, X, y, sw, orders, n_outputs, 0.05, alpha, beta)
    assert seen == ref_seen == int(ref[5].sum())
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_strong_l1_gives_exact_zeros(rng, kind):
    X, y, sw = _problem(rng, 30, 5, 3, np.float64)
    orders = [rng.integers(0, 30, size=30) for _ in range(3)]
    got, _, _ = _run(kind, X, y, sw, orders, 3, 0.05, 0.0, 50.0)
    assert np.all(got[0] == 0.0)
    assert np.any(got[1] != 0.0)  # the intercept is not penalised


@pytest.mark.parametrize("n_outputs", [1, 4])
def test_csr_rescales_when_wscale_underflows(rng, n_outputs):
    # step * alpha = 0.6: the L2 scale drops below 1e-9 within ~25 steps of an epoch
    X, y, sw = _problem(rng, 60, 5, n_outputs, np.float64, density=0.3)
    orders = [rng.integers(0, 60, size=60) for _ in range(2)]
    for beta in (0.0, 0.2):
        ref, _, _ = _run("naive", X, y, sw, orders, n_outputs, 0.1, 6.0, beta)
        got, _, _ = _run("csr", X, y, sw, orders, n_outputs, 0.1, 6.0, beta)
        np.testing.assert_allclose(got[0], ref[0], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(got[1], ref[1], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_single_row_constant_column_no_intercept(rng, kind):
    X, y, sw = _problem(rng, 1, 4, 1, np.float64, density=1.0)
    X[:, 2] = 3.0
    orders = [np.zeros(3, dtype=np.int64)]
    ref, _, _ = _run("naive", X, y, sw, orders, 1, 0.1, 0.1, 0.01, fit_intercept=False)
    got, _, _ = _run(kind, X, y, sw, orders, 1, 0.1, 0.1, 0.01, fit_intercept=False)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    assert np.all(got[1] == 0.0)


def test_empty_order_changes_nothing(rng):
    X, y, sw = _problem(rng, 10, 3, 1, np.float64)
    for kind in ("dense", "csr"):
        got, seen, losses = _run(kind, X, y, sw, [np.zeros(0, dtype=np.int64)], 1, 0.1, 0.1, 0.1)
        assert seen == 0 and losses == [0.0]
        assert not np.any(got[0])


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_epochs_converge_to_l2_optimum(rng, n_outputs, kind):
    # with an L2 penalty only, the fixed point zeroes the full gradient of the objective
    n, d = 80, 4
    X, y, sw = _problem(rng, n, d, n_outputs, np.float64, density=0.8)
    alpha = 0.05
    sq = np.einsum("ij,ij->i", X, X)
    step = linear_saga.saga_step_size(np.max(sw * (sq + 1.0)), alpha, n)
    orders = [rng.integers(0, n, size=n) for _ in range(400)]
    state, _, _ = _run(kind, X, y, sw, orders, n_outputs, step, alpha, 0.0)
    coef, intercept = state[0], state[1]
    _, grad = logistic_loss_grad(X, y, sw, coef, intercept)
    grad = grad / n
    grad[:, :-1] += alpha * coef
    assert np.max(np.abs(grad)) < 1e-8


def test_step_size_matches_scikit_learn_rule():
    # L = 0.25 * 8 + 0.5 = 2.5, mu = min(2 * 10 * 0.5, L) = 2.5 -> 1 / 7.5
    assert linear_saga.saga_step_size(8.0, 0.5, 10) == pytest.approx(1 / 7.5)
    assert linear_saga.saga_step_size(8.0, 0.0, 10) == pytest.approx(1 / 4.0)
