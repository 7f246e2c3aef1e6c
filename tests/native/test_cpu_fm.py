"""Factorization-machine kernels against the dense NumPy references of naive_fm.py."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import fm
from pai_algos_native.cpu import keyed_table as kt

from . import naive_fm as naive

TOL = {np.float32: 2e-4, np.float64: 1e-10}
DTYPES = [np.float32, np.float64]


def _problem(rng, dtype, n=9, d=7, k=3, density=0.5, n_fields=None):
    X = sp.random(n, d, density=density, format="csr", random_state=rng, dtype=np.float64)
    X.data = rng.uniform(-1.5, 1.5, X.data.shape[0])
    X = X.astype(dtype)
    X.sort_indices()
    width = k if n_fields is None else n_fields * k
    P = rng.normal(0, 0.5, (d + 1, 1 + width)).astype(dtype)  # row 0: intercept
    y = rng.integers(0, 2, n).astype(np.float64)
    s = rng.uniform(0.5, 2.0, n)
    return X, P, y, s


def _dense_parts(P, k, n_fields=None):
    w0, w = float(P[0, 0]), P[1:, 0].astype(np.float64)
    V = P[1:, 1:].astype(np.float64)
    if n_fields is not None:
        V = V.reshape(V.shape[0], n_fields, k)
    return w0, w, V


@pytest.mark.parametrize("dtype", DTYPES)
def test_fm_predict(rng, dtype):
    X, P, _, _ = _problem(rng, dtype)
    out = np.empty(X.shape[0], dtype=dtype)
    fm.fm_predict(X.data, X.indices.astype(np.int64) + 1, X.indptr.astype(np.int64), P, True, out)
    w0, w, V = _dense_parts(P, 3)
    expected = naive.fm_scores(X.toarray().astype(np.float64), w0, w, V)
    np.testing.assert_allclose(out, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_ffm_predict(rng, dtype):
    n_fields, k = 3, 2
    X, P, _, _ = _problem(rng, dtype, n_fields=n_fields, k=k)
    field = np.concatenate([[0], rng.integers(0, n_fields, X.shape[1])]).astype(np.int64)
    out = np.empty(X.shape[0], dtype=dtype)
    fm.ffm_predict(
        X.data, X.indices.astype(np.int64) + 1, X.indptr.astype(np.int64), field, n_fields, P,
        True, out,
    )  # fmt: skip
    w0, w, V = _dense_parts(P, k, n_fields)
    expected = naive.ffm_scores(X.toarray().astype(np.float64), w0, w, V, field[1:])
    np.testing.assert_allclose(out, expected, rtol=TOL[dtype], atol=TOL[dtype])


def _pulled(X, rows, table):
    """Pull through the parameter server's key dedup: keys[0] is the intercept."""
    keys, inverse = kt.unique_keys(X.indices.astype(np.int64), X.indptr, rows, True)
    slots = np.concatenate([[0], keys[1:] + 1])
    return keys, inverse, slots, np.ascontiguousarray(table[slots])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", ["log", "squared"])
def test_fm_batch_grad(rng, dtype, loss):
    X, P, y, s = _problem(rng, dtype)
    if loss == "squared":
        y = rng.normal(size=X.shape[0])
    rows = rng.permutation(X.shape[0])[:6].astype(np.int64)
    keys, inverse, slots, local = _pulled(X, rows, P)
    grad = np.empty(local.shape, dtype=np.float64)
    regs = (0.3, 0.2, 0.1)
    code = fm.LOG if loss == "log" else fm.SQUARED
    value = fm.fm_batch_grad(code, X.data, X.indptr, rows, inverse, y, s, local, True, *regs, grad)
    w0, w, V = _dense_parts(P, 3)
    Xd = X.toarray().astype(np.float64)[rows]
    ev, gw0, gw, gV = naive.fm_gradient(Xd, y[rows], s[rows], w0, w, V, loss, *regs)
    tol = TOL[dtype]
    assert value == pytest.approx(ev, rel=tol, abs=tol)
    assert grad[0, 0] == pytest.approx(gw0, rel=tol, abs=tol)
    np.testing.assert_array_equal(grad[0, 1:], 0.0)
    cols = keys[1:]
    np.testing.assert_allclose(grad[1:, 0], gw[cols], rtol=tol, atol=tol)
    np.testing.assert_allclose(grad[1:, 1:], gV[cols], rtol=tol, atol=tol)
    serial = np.empty_like(grad)
    args = (code, X.data, X.indptr, rows, inverse, y, s, local, True, *regs, serial)
    assert fm.fm_batch_grad_serial(*args) == value
    np.testing.assert_array_equal(serial, grad)  # same sums in the same order


@pytest.mark.parametrize("dtype", DTYPES)
def test_ffm_batch_grad(rng, dtype):
    n_fields, k = 3, 2
    X, P, y, s = _problem(rng, dtype, n_fields=n_fields, k=k)
    field = np.concatenate([[0], rng.integers(0, n_fields, X.shape[1])]).astype(np.int64)
    rows = rng.permutation(X.shape[0])[:5].astype(np.int64)
    keys, inverse, slots, local = _pulled(X, rows, P)
    grad = np.empty(local.shape, dtype=np.float64)
    regs = (0.3, 0.2, 0.1)
    value = fm.ffm_batch_grad(
        fm.LOG, X.data, X.indptr, rows, inverse, field[slots], n_fields, y, s, local, True,
        *regs, grad,
    )  # fmt: skip
    w0, w, V = _dense_parts(P, k, n_fields)
    Xd = X.toarray().astype(np.float64)[rows]
    ev, gw0, gw, gV = naive.ffm_gradient(Xd, y[rows], s[rows], w0, w, V, field[1:], "log", *regs)
    tol = TOL[dtype]
    assert value == pytest.approx(ev, rel=tol, abs=tol)
    assert grad[0, 0] == pytest.approx(gw0, rel=tol, abs=tol)
    cols = keys[1:]
    np.testing.assert_allclose(grad[1:, 0], gw[cols], rtol=tol, atol=tol)
    np.testing.assert_allclose(grad[1:, 1:], gV[cols].reshape(len(cols), -1), rtol=tol, atol=tol)
    serial = np.empty_like(grad)
    args = (fm.LOG, X.data, X.indptr, rows, inverse, field[slots], n_fields, y, s, local, True)
    assert fm.ffm_batch_grad_serial(*args, *regs, serial) == value
    np.testing.assert_array_equal(serial, grad)


def test_fm_gradient_finite_differences(rng):
    """The gradient is the derivative of the loss (regularization off)."""
    X, P, y, s = _problem(rng, np.float64, n=5, d=4, k=2)
    rows = np.arange(5, dtype=np.int64)
    _, inverse, _, local = _pulled(X, rows, P)
    grad = np.empty(local.shape)
    fm.fm_batch_grad(fm.LOG, X.data, X.indptr, rows, inverse, y, s, local, True, 0, 0, 0, grad)
    h = 1e-6
    for q in range(1, local.shape[0]):
        for c in range(local.shape[1]):
            plus, minus = local.copy(), local.copy()
            plus[q, c] += h
            minus[q, c] -= h
            buf = np.empty(local.shape)
            lp = fm.fm_batch_grad(fm.LOG, X.data, X.indptr, rows, inverse, y, s, plus, True,
                                  0, 0, 0, buf)  # fmt: skip
            lm = fm.fm_batch_grad(fm.LOG, X.data, X.indptr, rows, inverse, y, s, minus, True,
                                  0, 0, 0, buf)  # fmt: skip
            assert grad[q, c] == pytest.approx((lp - lm) / (2 * h), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("solver", [fm.SGD, fm.ADAGRAD])
def test_fm_epoch_is_pull_compute_push(rng, solver):
    """A pass with batch_size=b equals pull -> fm_batch_grad -> apply_update per minibatch."""
    X, P, y, s = _problem(rng, np.float64, n=10)
    order = rng.permutation(X.shape[0]).astype(np.int64)
    indices = X.indices.astype(np.int64) + 1
    indptr = X.indptr.astype(np.int64)
    P1, G1 = P.copy(), np.ones_like(P)
    regs = (0.01, 0.02, 0.03)
    total = fm.fm_epoch(fm.LOG, solver, X.data, indices, indptr, order, y, s, P1, G1, True, 4,
                        0.1, 1e-8, *regs)  # fmt: skip
    P2, G2 = P.copy(), np.ones_like(P)
    expected = 0.0
    for start in range(0, 10, 4):
        rows = order[start : start + 4]
        _, inverse, slots, local = _pulled(X, rows, P2)
        grad = np.empty(local.shape)
        expected += fm.fm_batch_grad(fm.LOG, X.data, X.indptr, rows, inverse, y, s, local,
                                     True, *regs, grad)  # fmt: skip
        fm.apply_update(P2, G2, slots.astype(np.int64), grad, solver, 0.1, 1e-8)
    assert total == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(P1, P2, rtol=1e-12, atol=1e-14)


def test_single_row_and_constant_column(rng):
    """One row, every column the same value: scores still match the reference."""
    X = sp.csr_matrix(np.full((1, 5), 0.7))
    P = rng.normal(size=(6, 4))
    out = np.empty(1)
    fm.fm_predict(X.data, X.indices.astype(np.int64) + 1, X.indptr.astype(np.int64), P, True, out)
    expected = naive.fm_scores(X.toarray(), P[0, 0], P[1:, 0], P[1:, 1:])
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_empty_row_scores_intercept(rng):
    X = sp.csr_matrix((3, 4))
    P = rng.normal(size=(5, 3))
    out = np.empty(3)
    fm.fm_predict(X.data, X.indices.astype(np.int64) + 1, X.indptr.astype(np.int64), P, True, out)
    np.testing.assert_allclose(out, P[0, 0])
