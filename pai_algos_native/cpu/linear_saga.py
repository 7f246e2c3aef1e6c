"""SAGA epochs for the logistic losses (binary and multinomial), L2 / L1 / elastic-net.

One call runs one epoch of SAGA (Defazio, Bach and Lacoste-Julien, 2014) over the rows listed
in ``order`` (drawn by the caller, uniformly with replacement, as scikit-learn's sag_fast does),
for the objective

    F(W, b) = 1/n sum_i s_i loss(y_i, W x_i + b) + alpha/2 ||W||^2 + beta ||W||_1

with ``n = X.shape[0]``; the intercept is not penalised. The step at row ``i`` is

    W <- prox_{step beta ||.||_1}( (1 - step alpha) W
                                  - step (1 - 1/m) (g_i - g_i^old) x_i - step G / m )

where ``g_i`` is the derivative of the loss with respect to the scores (times ``s_i``),
``g_i^old`` the one remembered from the last visit of row ``i``, ``G`` the sum of the
remembered gradients (after adding the new one) and ``m`` the number of distinct rows seen so
far (``n`` after the first epoch), as in scikit-learn's ``sag_fast.pyx``.

Dense rows update every weight at every step. CSR rows use just-in-time ("lazy") updates:
the L2 shrinkage is kept as a scalar ``wscale`` multiplying the stored weights, the averaged
gradient steps and the L1 thresholds that a feature missed are summed in two running arrays
and applied the next time the feature appears, and everything is brought up to date at the end
of the epoch (or when ``wscale`` underflows). The two paths compute the same iterates.

State shared between epochs (all float64, updated in place): ``coef`` (n_outputs, n_features),
``intercept`` (n_outputs,), ``sum_grad`` (n_outputs, n_features), ``intercept_sum_grad``
(n_outputs,), ``memory`` (n_samples, n_outputs) and ``seen`` (n_samples,) uint8. ``X`` may be
float32 or float64; products are formed in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._config import JIT
from .linear import _binary_terms, _dot_row, _softmax_grad

__all__ = ["saga_epoch", "saga_epoch_csr", "saga_step_size"]


def saga_step_size(max_curvature, alpha, n_samples):
    """scikit-learn's SAGA step for the logistic loss: ``1 / (2 L + min(2 n alpha, L))``.

    Parameters
    ----------
    max_curvature : float
        ``max_i s_i (||x_i||^2 + fit_intercept)``; ``L = max_curvature / 4 + alpha`` bounds
        the curvature of every row's loss.
    alpha : float
        L2 strength of the objective.
    n_samples : int

    Returns
    -------
    float
    """
    lipschitz = 0.25 * float(max_curvature) + alpha
    mu = min(2.0 * n_samples * alpha, lipschitz)
    return 1.0 / (2.0 * lipschitz + mu)


@njit(**JIT)
def _soft(w, t):
    if w > t:
        return w - t
    if w < -t:
        return w + t
    return 0.0


@njit(**JIT)
def _row_gradient(raw, yi, s):
    """``raw`` (the scores) becomes ``s * dloss/dscore``; returns the row's loss."""
    if raw.shape[0] == 1:
        li, gi = _binary_terms(raw[0], np.float64(yi))
        raw[0] = s * gi
        return li
    return _softmax_grad(raw, yi, s)


@njit(**JIT)
def _intercept_step(intercept, intercept_sum_grad, memory, i, g, step, m, fit_intercept):
    k_out = g.shape[0]
    for k in range(k_out):
        corr = g[k] - memory[i, k]
        memory[i, k] = g[k]
        if fit_intercept:
            intercept_sum_grad[k] += corr
            intercept[k] -= step * intercept_sum_grad[k] / m + step * (1.0 - 1.0 / m) * corr


@njit(**JIT)
def _saga_dense(
    X, y, sw, order, coef, intercept, sum_grad, intercept_sum_grad, memory, seen, n_seen,
    step, alpha, beta, fit_intercept,
):  # fmt: skip
    d = X.shape[1]
    k_out = coef.shape[0]
    g = np.empty(k_out)
    shrink = 1.0 - step * alpha
    thresh = step * beta
    loss = 0.0
    for t in range(order.shape[0]):
        i = order[t]
        if seen[i] == 0:
            seen[i] = 1
            n_seen += 1
        m = float(n_seen)
        for k in range(k_out):
            g[k] = _dot_row(X, i, coef[k]) + intercept[k]
        loss += sw[i] * _row_gradient(g, y[i], sw[i])
        corr_scale = step * (1.0 - 1.0 / m)
        avg_scale = step / m
        for k in range(k_out):
            dk = g[k] - memory[i, k]
            wk = coef[k]
            gk = sum_grad[k]
            if thresh > 0.0:
                for j in range(d):
                    c = dk * X[i, j]
                    gk[j] += c
                    wk[j] = _soft(shrink * wk[j] - corr_scale * c - avg_scale * gk[j], thresh)
            else:
                for j in range(d):
                    c = dk * X[i, j]
                    gk[j] += c
                    wk[j] = shrink * wk[j] - corr_scale * c - avg_scale * gk[j]
        _intercept_step(intercept, intercept_sum_grad, memory, i, g, step, m, fit_intercept)
    return n_seen, loss


@njit(**JIT)
def _catch_up(coef, sum_grad, j, t, last, cum, cum_prox, prox):
    """Apply to feature ``j`` the steps ``last .. t-1`` it missed (stored weights, scaled)."""
    if t <= last:
        return
    c = cum[t - 1] - (cum[last - 1] if last > 0 else 0.0)
    if not prox:
        for k in range(coef.shape[0]):
            coef[k, j] -= c * sum_grad[k, j]
        return
    cp = cum_prox[t - 1] - (cum_prox[last - 1] if last > 0 else 0.0)
    for k in range(coef.shape[0]):
        sg = sum_grad[k, j]
        if abs(sg * c) < cp:
            # every missed step moves the weight towards zero by at least its shift: the
            # gradient steps then the thresholds, all at once, give the same weight
            coef[k, j] = _soft(coef[k, j] - c * sg, cp)
        else:
            w = coef[k, j]
            for u in range(last, t):
                prev = cum[u - 1] if u > 0 else 0.0
                prev_p = cum_prox[u - 1] if u > 0 else 0.0
                w = _soft(w - sg * (cum[u] - prev), cum_prox[u] - prev_p)
            coef[k, j] = w


@njit(**JIT)
def _flush(coef, sum_grad, t, last, cum, cum_prox, prox, wscale):
    """Bring every feature up to step ``t`` and fold ``wscale`` into the weights."""
    d = coef.shape[1]
    for j in range(d):
        _catch_up(coef, sum_grad, j, t, last[j], cum, cum_prox, prox)
        last[j] = t
        for k in range(coef.shape[0]):
            coef[k, j] *= wscale


@njit(**JIT)
def _saga_csr(
    data, indices, indptr, y, sw, order, coef, intercept, sum_grad, intercept_sum_grad,
    memory, seen, n_seen, step, alpha, beta, fit_intercept,
):  # fmt: skip
    k_out, d = coef.shape
    n_steps = order.shape[0]
    g = np.empty(k_out)
    # cum[t]: sum over steps u <= t of step / (wscale_u m_u); cum_prox[t]: of step beta / wscale_u
    cum = np.zeros(n_steps)
    cum_prox = np.zeros(n_steps)
    last = np.zeros(d, dtype=np.int64)  # first step not yet applied to each feature
    prox = beta > 0.0
    shrink = 1.0 - step * alpha
    wscale = 1.0
    loss = 0.0
    for t in range(n_steps):
        i = order[t]
        if seen[i] == 0:
            seen[i] = 1
            n_seen += 1
        m = float(n_seen)
        p0 = indptr[i]
        p1 = indptr[i + 1]
        for p in range(p0, p1):
            j = indices[p]
            _catch_up(coef, sum_grad, j, t, last[j], cum, cum_prox, prox)
            last[j] = t
        for k in range(k_out):
            acc = 0.0
            for p in range(p0, p1):
                acc += np.float64(data[p]) * coef[k, indices[p]]
            g[k] = wscale * acc + intercept[k]
        loss += sw[i] * _row_gradient(g, y[i], sw[i])
        wscale *= shrink
        corr_scale = step * (1.0 - 1.0 / m) / wscale
        for k in range(k_out):
            dk = g[k] - memory[i, k]
            for p in range(p0, p1):
                j = indices[p]
                c = dk * data[p]
                coef[k, j] -= corr_scale * c
                sum_grad[k, j] += c
        _intercept_step(intercept, intercept_sum_grad, memory, i, g, step, m, fit_intercept)
        base = cum[t - 1] if t > 0 else 0.0
        base_p = cum_prox[t - 1] if t > 0 else 0.0
        cum[t] = base + step / (wscale * m)
        if prox:
            cum_prox[t] = base_p + step * beta / wscale
        if wscale < 1e-9:
            # rescale before the stored weights overflow; restart the running sums at t + 1
            _flush(coef, sum_grad, t + 1, last, cum, cum_prox, prox, wscale)
            wscale = 1.0
            cum[t] = 0.0
            cum_prox[t] = 0.0
    if n_steps > 0:
        _flush(coef, sum_grad, n_steps, last, cum, cum_prox, prox, wscale)
    return n_seen, loss


def saga_epoch(
    X, y, sample_weight, order, coef, intercept, sum_grad, intercept_sum_grad, memory, seen,
    n_seen, step, alpha, beta, fit_intercept,
):  # fmt: skip
    """One SAGA epoch over dense ``X``; the state arrays are updated in place.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y : ndarray of shape (n_samples,), integer
        Class index (binary: 0 or 1).
    sample_weight : ndarray of shape (n_samples,), float64
        ``s_i`` in the objective (scaled by the caller so that they average to the weight
        the data term should have).
    order : ndarray of shape (n_steps,), integer
        Rows to visit, in order.
    coef : ndarray of shape (n_outputs, n_features), float64
        ``n_outputs == 1``: binary logistic loss; otherwise multinomial.
    intercept : ndarray of shape (n_outputs,), float64
    sum_grad : ndarray of shape (n_outputs, n_features), float64
    intercept_sum_grad : ndarray of shape (n_outputs,), float64
    memory : ndarray of shape (n_samples, n_outputs), float64
        Remembered ``s_i dloss/dscore`` per row.
    seen : ndarray of shape (n_samples,), uint8
    n_seen : int
        Number of rows with ``seen == 1``.
    step, alpha, beta : float
        Step size, L2 and L1 strengths.
    fit_intercept : bool

    Returns
    -------
    n_seen : int
        The updated count of rows seen.
    loss : float
        ``sum_t s_i loss_i`` over the visited rows, each at the weights before its step
        (a running estimate of the data term).
    """
    n_seen, loss = _saga_dense(
        X, y, sample_weight, order, coef, intercept, sum_grad, intercept_sum_grad, memory,
        seen, int(n_seen), float(step), float(alpha), float(beta), bool(fit_intercept),
    )  # fmt: skip
    return int(n_seen), float(loss)


def saga_epoch_csr(
    data, indices, indptr, y, sample_weight, order, coef, intercept, sum_grad,
    intercept_sum_grad, memory, seen, n_seen, step, alpha, beta, fit_intercept,
):  # fmt: skip
    """:func:`saga_epoch` for a CSR matrix given as ``(data, indices, indptr)``.

    Weights of the features absent from a row are updated just in time; the number of
    features is ``coef.shape[1]``.
    """
    n_seen, loss = _saga_csr(
        data, indices, indptr, y, sample_weight, order, coef, intercept, sum_grad,
        intercept_sum_grad, memory, seen, int(n_seen), float(step), float(alpha),
        float(beta), bool(fit_intercept),
    )  # fmt: skip
    return int(n_seen), float(loss)
