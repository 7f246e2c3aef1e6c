"""Linear SVM kernels (CPU): dual coordinate descent, primal squared losses, L1 primal CD.

Conventions (shared by every function here):

- The intercept is an extra feature of constant value ``bias`` (liblinear's convention, so
  the intercept is penalised like the other weights); ``bias == 0`` means no intercept. Weight
  vectors therefore have ``n_features + 1`` entries, the last one multiplying ``bias``.
- Dense input is a C-contiguous ``X`` (float32 or float64); CSR input travels as ``(data,
  indices, indptr)`` with ``n_features``. Products are formed in float64.
- Classification is one-vs-rest: output ``k`` treats the samples with ``y_index == pos[k]``
  as +1 and the rest as -1. The per-sample cost is ``C_i = sample_weight[i] * c_pos[k]`` for
  the positives and ``sample_weight[i] * c_neg[k]`` for the negatives (``C`` times the class
  weight folded in by the caller). Outputs are independent, so they run in parallel (prange);
  each uses its own random stream seeded by ``seeds[k]``, so the result does not depend on
  the thread count.

Dual coordinate descent follows Hsieh et al. (2008), Algorithm 3 with shrinking and a random
permutation per outer iteration, for the hinge (L1-loss) and squared hinge (L2-loss) SVC, and
Ho & Lin (2012), Algorithm 4, for the epsilon-insensitive SVR. The L1-penalised squared hinge
primal is the coordinate-descent Newton method of Yuan et al. (2010) (liblinear's solver 5).
The primal squared losses give a fused loss/gradient pass and a Hessian-vector product for a
trust-region Newton method run by the caller (scipy).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL
from .linear import _dot_row, n_chunks_for

__all__ = [
    "crammer_singer",
    "crammer_singer_csr",
    "dual_cd_svc",
    "dual_cd_svc_csr",
    "dual_cd_svr",
    "dual_cd_svr_csr",
    "l1_cd_svc",
    "primal_hess_vec",
    "primal_hess_vec_csr",
    "primal_loss_grad",
    "primal_loss_grad_csr",
]

_INF = np.inf
# liblinear's line-search constants for the L1 primal solver
_SIGMA = 0.01
_MAX_LINESEARCH = 20


# ---------------------------------------------------------------- row access (dense or CSR)


@njit(**JIT)
def _row_dot(X, data, indices, indptr, sparse, i, w, bias):
    d = w.shape[0] - 1
    acc = 0.0
    if sparse:
        for p in range(indptr[i], indptr[i + 1]):
            acc += np.float64(data[p]) * w[indices[p]]
    else:
        acc = _dot_row(X, i, w)
    return acc + bias * w[d]


@njit(**JIT)
def _row_axpy(X, data, indices, indptr, sparse, i, a, w, bias):
    d = w.shape[0] - 1
    if sparse:
        for p in range(indptr[i], indptr[i + 1]):
            w[indices[p]] += a * np.float64(data[p])
    else:
        for j in range(d):
            w[j] += a * np.float64(X[i, j])
    w[d] += a * bias


@njit(**JIT)
def _row_sqnorm(X, data, indices, indptr, sparse, i, d, bias):
    acc = bias * bias
    if sparse:
        for p in range(indptr[i], indptr[i + 1]):
            v = np.float64(data[p])
            acc += v * v
    else:
        for j in range(d):
            v = np.float64(X[i, j])
            acc += v * v
    return acc


@njit(**JIT)
def _shuffle_prefix(index, size):
    # liblinear's in-place Fisher-Yates over the active prefix
    for s in range(size):
        j = s + np.random.randint(0, size - s)
        t = index[s]
        index[s] = index[j]
        index[j] = t


# ---------------------------------------------------------------- dual CD, classification


@njit(**JIT)
def _dual_svc_one(X, data, indices, indptr, sparse, n, d, bias, yk, Ci, hinge, tol,
                  max_iter, seed, w, trace):  # fmt: skip
    """Hsieh et al. (2008), Algorithm 3 on one binary problem; returns the iterations run."""
    np.random.seed(seed)
    alpha = np.zeros(n)
    qd = np.empty(n)
    upper = np.empty(n)
    diag = np.empty(n)
    index = np.empty(n, dtype=np.int64)
    active = 0
    for i in range(n):
        if Ci[i] > 0.0:  # a zero-cost sample has alpha fixed at 0
            index[active] = i
            active += 1
            if hinge:
                upper[i] = Ci[i]
                diag[i] = 0.0
            else:
                upper[i] = _INF
                diag[i] = 0.5 / Ci[i]
            qd[i] = diag[i] + _row_sqnorm(X, data, indices, indptr, sparse, i, d, bias)
    n_active = active
    w[:] = 0.0
    pg_max_old = _INF
    pg_min_old = -_INF
    it = 0
    while it < max_iter:
        pg_max_new = -_INF
        pg_min_new = _INF
        _shuffle_prefix(index, active)
        s = 0
        while s < active:
            i = index[s]
            yi = yk[i]
            G = yi * _row_dot(X, data, indices, indptr, sparse, i, w, bias) - 1.0
            G += alpha[i] * diag[i]
            PG = 0.0
            if alpha[i] == 0.0:
                if G > pg_max_old:
                    active -= 1
                    index[s] = index[active]
                    index[active] = i
                    continue
                elif G < 0.0:
                    PG = G
            elif alpha[i] == upper[i]:
                if G < pg_min_old:
                    active -= 1
                    index[s] = index[active]
                    index[active] = i
                    continue
                elif G > 0.0:
                    PG = G
            else:
                PG = G
            pg_max_new = max(pg_max_new, PG)
            pg_min_new = min(pg_min_new, PG)
            if abs(PG) > 1.0e-12:
                old = alpha[i]
                a = min(max(old - G / qd[i], 0.0), upper[i])
                alpha[i] = a
                _row_axpy(X, data, indices, indptr, sparse, i, (a - old) * yi, w, bias)
            s += 1
        trace[it] = pg_max_new - pg_min_new
        it += 1
        if pg_max_new - pg_min_new <= tol:
            if active == n_active:
                break
            active = n_active
            pg_max_old = _INF
            pg_min_old = -_INF
            continue
        pg_max_old = pg_max_new if pg_max_new > 0.0 else _INF
        pg_min_old = pg_min_new if pg_min_new < 0.0 else -_INF
    return it


@njit(**JIT_PARALLEL)
def _dual_svc(X, data, indices, indptr, sparse, n, d, bias, y_index, pos, sample_weight,
              c_pos, c_neg, hinge, tol, max_iter, seeds, coef, trace):  # fmt: skip
    n_out = pos.shape[0]
    n_iter = np.zeros(n_out, dtype=np.int64)
    for k in prange(n_out):
        yk = np.empty(n)
        Ci = np.empty(n)
        for i in range(n):
            if y_index[i] == pos[k]:
                yk[i] = 1.0
                Ci[i] = sample_weight[i] * c_pos[k]
            else:
                yk[i] = -1.0
                Ci[i] = sample_weight[i] * c_neg[k]
        n_iter[k] = _dual_svc_one(X, data, indices, indptr, sparse, n, d, bias, yk, Ci, hinge,
                                  tol, max_iter, seeds[k], coef[k], trace[k])  # fmt: skip
    return n_iter


def dual_cd_svc(X, bias, y_index, pos, sample_weight, c_pos, c_neg, hinge, tol, max_iter,
                seeds, coef, trace):  # fmt: skip
    """Dual coordinate descent for the L2-penalised (squared) hinge SVC, one-vs-rest.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    bias : float
        Value of the constant intercept feature (0: no intercept).
    y_index : int64 ndarray of shape (n_samples,)
    pos : int64 ndarray of shape (n_outputs,)
        The class index that is +1 in each output.
    sample_weight : float64 ndarray of shape (n_samples,)
    c_pos, c_neg : float64 ndarrays of shape (n_outputs,)
        Cost of the positives / negatives of each output.
    hinge : bool
        True for the hinge (L1) loss, False for the squared hinge (L2) loss.
    tol : float
        Stop when the projected-gradient spread ``max PG - min PG`` is at most ``tol``.
    max_iter : int
        Outer iterations (passes over the active samples).
    seeds : int64 ndarray of shape (n_outputs,)
    coef : float64 ndarray of shape (n_outputs, n_features + 1)
        Overwritten with the weights; the last column multiplies ``bias``.
    trace : float64 ndarray of shape (n_outputs, max_iter)
        Receives the projected-gradient spread of each outer iteration.

    Returns
    -------
    n_iter : int64 ndarray of shape (n_outputs,)
    """
    n, d = X.shape
    e_f = np.empty(0, dtype=X.dtype)
    e_i = np.empty(0, dtype=np.int32)
    return _dual_svc(X, e_f, e_i, e_i, False, n, d, float(bias), y_index, pos, sample_weight,
                     c_pos, c_neg, bool(hinge), float(tol), int(max_iter), seeds, coef,
                     trace)  # fmt: skip


def dual_cd_svc_csr(data, indices, indptr, n_features, bias, y_index, pos, sample_weight,
                    c_pos, c_neg, hinge, tol, max_iter, seeds, coef, trace):  # fmt: skip
    """:func:`dual_cd_svc` for a CSR matrix given as ``(data, indices, indptr)``."""
    e_x = np.empty((0, 0), dtype=data.dtype)
    n = indptr.shape[0] - 1
    return _dual_svc(e_x, data, indices, indptr, True, n, int(n_features), float(bias),
                     y_index, pos, sample_weight, c_pos, c_neg, bool(hinge), float(tol),
                     int(max_iter), seeds, coef, trace)  # fmt: skip


# ---------------------------------------------------------------- dual CD, regression


@njit(**JIT)
def _dual_svr(X, data, indices, indptr, sparse, n, d, bias, y, Ci, eps, l1_loss, tol,
              max_iter, seed, w, trace):  # fmt: skip
    """Ho & Lin (2012), Algorithm 4; the stop is liblinear's ``||PG||_1 <= tol ||PG0||_1``."""
    np.random.seed(seed)
    beta = np.zeros(n)
    qd = np.empty(n)
    upper = np.empty(n)
    lam = np.empty(n)
    index = np.empty(n, dtype=np.int64)
    active = 0
    for i in range(n):
        if Ci[i] > 0.0:
            index[active] = i
            active += 1
            if l1_loss:
                upper[i] = Ci[i]
                lam[i] = 0.0
            else:
                upper[i] = _INF
                lam[i] = 0.5 / Ci[i]
            qd[i] = _row_sqnorm(X, data, indices, indptr, sparse, i, d, bias)
    n_active = active
    w[:] = 0.0
    g_max_old = _INF
    g_norm1_init = -1.0
    it = 0
    while it < max_iter:
        g_max_new = 0.0
        g_norm1_new = 0.0
        _shuffle_prefix(index, active)
        s = 0
        while s < active:
            i = index[s]
            G = -y[i] + lam[i] * beta[i] + _row_dot(X, data, indices, indptr, sparse, i, w, bias)
            Gp = G + eps
            Gn = G - eps
            H = qd[i] + lam[i]
            b = beta[i]
            violation = 0.0
            shrink = False
            if b == 0.0:
                if Gp < 0.0:
                    violation = -Gp
                elif Gn > 0.0:
                    violation = Gn
                elif Gp > g_max_old and Gn < -g_max_old:
                    shrink = True
            elif b >= upper[i]:
                if Gp > 0.0:
                    violation = Gp
                elif Gp < -g_max_old:
                    shrink = True
            elif b <= -upper[i]:
                if Gn < 0.0:
                    violation = -Gn
                elif Gn > g_max_old:
                    shrink = True
            elif b > 0.0:
                violation = abs(Gp)
            else:
                violation = abs(Gn)
            if shrink:
                active -= 1
                index[s] = index[active]
                index[active] = i
                continue
            g_max_new = max(g_max_new, violation)
            g_norm1_new += violation
            s += 1
            # Newton direction of the one-variable problem (Ho & Lin, eq. 30)
            if Gp < H * b:
                dlt = -Gp / H
            elif Gn > H * b:
                dlt = -Gn / H
            else:
                dlt = -b
            if abs(dlt) < 1.0e-12:
                continue
            nb = min(max(b + dlt, -upper[i]), upper[i])
            beta[i] = nb
            if nb != b:
                _row_axpy(X, data, indices, indptr, sparse, i, nb - b, w, bias)
        if it == 0:
            g_norm1_init = g_norm1_new
        trace[it] = g_norm1_new
        it += 1
        if g_norm1_new <= tol * g_norm1_init:
            if active == n_active:
                break
            active = n_active
            g_max_old = _INF
            continue
        g_max_old = g_max_new
    return it


def dual_cd_svr(X, bias, y, Ci, epsilon, l1_loss, tol, max_iter, seed, coef, trace):
    """Dual coordinate descent for the L2-penalised (squared) epsilon-insensitive SVR.

    ``Ci`` (float64, per sample) is ``C`` times the sample weight; ``l1_loss`` picks the
    epsilon-insensitive loss (else its square); ``coef`` (float64, ``n_features + 1``) is
    overwritten; ``trace`` (``max_iter``) receives the L1 norm of the projected gradient.
    Returns the number of outer iterations.
    """
    n, d = X.shape
    e_f = np.empty(0, dtype=X.dtype)
    e_i = np.empty(0, dtype=np.int32)
    return _dual_svr(X, e_f, e_i, e_i, False, n, d, float(bias), y, Ci, float(epsilon),
                     bool(l1_loss), float(tol), int(max_iter), int(seed), coef,
                     trace)  # fmt: skip


def dual_cd_svr_csr(data, indices, indptr, n_features, bias, y, Ci, epsilon, l1_loss, tol,
                    max_iter, seed, coef, trace):  # fmt: skip
    """:func:`dual_cd_svr` for a CSR matrix given as ``(data, indices, indptr)``."""
    e_x = np.empty((0, 0), dtype=data.dtype)
    n = indptr.shape[0] - 1
    return _dual_svr(e_x, data, indices, indptr, True, n, int(n_features), float(bias), y, Ci,
                     float(epsilon), bool(l1_loss), float(tol), int(max_iter), int(seed),
                     coef, trace)  # fmt: skip


# ---------------------------------------------------------------- primal squared losses


@njit(**JIT)
def _primal_chunk(X, data, indices, indptr, sparse, y, Ci, w, bias, eps, svr, start, stop,
                  part, D):  # fmt: skip
    part[:] = 0.0
    loss = 0.0
    for i in range(start, stop):
        c = Ci[i]
        D[i] = 0.0
        if c == 0.0:
            continue
        z = _row_dot(X, data, indices, indptr, sparse, i, w, bias)
        if svr:
            r = z - y[i]
            if r > eps:
                r -= eps
            elif r < -eps:
                r += eps
            else:
                continue
            g = 2.0 * c * r
        else:
            m = 1.0 - y[i] * z
            if m <= 0.0:
                continue
            r = m
            g = -2.0 * c * y[i] * m
        loss += c * r * r
        D[i] = 2.0 * c
        _row_axpy(X, data, indices, indptr, sparse, i, g, part, bias)
    return loss


@njit(**JIT_PARALLEL)
def _primal_loss_grad(X, data, indices, indptr, sparse, n, y, Ci, w, bias, eps, svr, grad, D,
                      n_chunks):  # fmt: skip
    d1 = w.shape[0]
    parts = np.zeros((n_chunks, d1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _primal_chunk(X, data, indices, indptr, sparse, y, Ci, w, bias, eps, svr,
                                  start, stop, parts[c], D)  # fmt: skip
    total = 0.0
    grad[:] = 0.0
    for c in range(n_chunks):
        total += losses[c]
        for j in range(d1):
            grad[j] += parts[c, j]
    return total


@njit(**JIT)
def _hv_chunk(X, data, indices, indptr, sparse, D, v, bias, start, stop, part):
    part[:] = 0.0
    for i in range(start, stop):
        if D[i] == 0.0:
            continue
        t = D[i] * _row_dot(X, data, indices, indptr, sparse, i, v, bias)
        _row_axpy(X, data, indices, indptr, sparse, i, t, part, bias)


@njit(**JIT_PARALLEL)
def _hess_vec(X, data, indices, indptr, sparse, n, D, v, bias, out, n_chunks):
    d1 = v.shape[0]
    parts = np.zeros((n_chunks, d1))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        _hv_chunk(X, data, indices, indptr, sparse, D, v, bias, start, stop, parts[c])
    out[:] = 0.0
    for c in range(n_chunks):
        for j in range(d1):
            out[j] += parts[c, j]


def primal_loss_grad(X, y, Ci, w, bias, epsilon, svr, grad, D):
    """Loss ``sum_i C_i l_i(w)`` of the squared hinge or squared epsilon-insensitive loss.

    ``y`` is +-1 (SVC) or the target (SVR, ``svr=True``), float64. ``grad`` (``n_features +
    1``) receives the gradient of the sum, ``D`` (``n_samples``) the generalised second
    derivative ``2 C_i`` on the samples with a non-zero loss (0 elsewhere), for
    :func:`primal_hess_vec`. The penalty ``w'w / 2`` is the caller's. Rows are cut into chunks
    fixed by the problem size, partial gradients summed in chunk order.
    """
    n = X.shape[0]
    e_f = np.empty(0, dtype=X.dtype)
    e_i = np.empty(0, dtype=np.int32)
    n_chunks = n_chunks_for(n, w.shape[0])
    return _primal_loss_grad(X, e_f, e_i, e_i, False, n, y, Ci, w, float(bias),
                             float(epsilon), bool(svr), grad, D, n_chunks)  # fmt: skip


def primal_loss_grad_csr(data, indices, indptr, y, Ci, w, bias, epsilon, svr, grad, D):
    """:func:`primal_loss_grad` for a CSR matrix given as ``(data, indices, indptr)``."""
    n = indptr.shape[0] - 1
    e_x = np.empty((0, 0), dtype=data.dtype)
    n_chunks = n_chunks_for(n, w.shape[0])
    return _primal_loss_grad(e_x, data, indices, indptr, True, n, y, Ci, w, float(bias),
                             float(epsilon), bool(svr), grad, D, n_chunks)  # fmt: skip


def primal_hess_vec(X, D, v, bias, out):
    """``out = sum_i D_i x_i (x_i . v)`` (the loss part of the generalised Hessian times v)."""
    n = X.shape[0]
    e_f = np.empty(0, dtype=X.dtype)
    e_i = np.empty(0, dtype=np.int32)
    _hess_vec(X, e_f, e_i, e_i, False, n, D, v, float(bias), out, n_chunks_for(n, v.shape[0]))


def primal_hess_vec_csr(data, indices, indptr, D, v, bias, out):
    """:func:`primal_hess_vec` for a CSR matrix given as ``(data, indices, indptr)``."""
    n = indptr.shape[0] - 1
    e_x = np.empty((0, 0), dtype=data.dtype)
    _hess_vec(e_x, data, indices, indptr, True, n, D, v, float(bias), out,
              n_chunks_for(n, v.shape[0]))  # fmt: skip


# ---------------------------------------------------------------- L1-penalised primal CD


@njit(**JIT)
def _l1_one(data, indices, indptr, n, yk, Ci, tol, max_iter, seed, w, trace):
    """Yuan et al. (2010), CDN for ``||w||_1 + sum_i C_i max(0, 1 - y_i w.x_i)^2``.

    Columns come as CSC ``(data, indices, indptr)`` with the intercept column included.
    """
    np.random.seed(seed)
    p = indptr.shape[0] - 1
    b = np.ones(n)  # b_i = 1 - y_i w.x_i
    xj_sq = np.zeros(p)
    index = np.arange(p)
    for j in range(p):
        for q in range(indptr[j], indptr[j + 1]):
            i = indices[q]
            v = np.float64(data[q])
            xj_sq[j] += Ci[i] * v * v
    w[:] = 0.0
    g_max_old = _INF
    g_norm1_init = -1.0
    active = p
    it = 0
    while it < max_iter:
        g_max_new = 0.0
        g_norm1_new = 0.0
        _shuffle_prefix(index, active)
        s = 0
        while s < active:
            j = index[s]
            g_loss = 0.0
            H = 0.0
            for q in range(indptr[j], indptr[j + 1]):
                i = indices[q]
                if b[i] > 0.0:
                    v = np.float64(data[q]) * yk[i]
                    t = Ci[i] * v
                    g_loss -= t * b[i]
                    H += t * v
            g_loss *= 2.0
            G = g_loss
            H = max(2.0 * H, 1.0e-12)
            Gp = G + 1.0
            Gn = G - 1.0
            violation = 0.0
            wj = w[j]
            if wj == 0.0:
                if Gp < 0.0:
                    violation = -Gp
                elif Gn > 0.0:
                    violation = Gn
                elif Gp > g_max_old / n and Gn < -g_max_old / n:
                    active -= 1
                    index[s] = index[active]
                    index[active] = j
                    continue
            elif wj > 0.0:
                violation = abs(Gp)
            else:
                violation = abs(Gn)
            s += 1
            g_max_new = max(g_max_new, violation)
            g_norm1_new += violation
            if Gp < H * wj:
                dlt = -Gp / H
            elif Gn > H * wj:
                dlt = -Gn / H
            else:
                dlt = -wj
            if abs(dlt) < 1.0e-12:
                continue
            delta = abs(wj + dlt) - abs(wj) + G * dlt
            d_old = 0.0
            loss_old = 0.0
            n_ls = 0
            while n_ls < _MAX_LINESEARCH:
                d_diff = d_old - dlt
                cond = abs(wj + dlt) - abs(wj) - _SIGMA * delta
                appx = xj_sq[j] * dlt * dlt + g_loss * dlt + cond
                if appx <= 0.0:
                    for q in range(indptr[j], indptr[j + 1]):
                        i = indices[q]
                        b[i] += d_diff * np.float64(data[q]) * yk[i]
                    break
                loss_new = 0.0
                for q in range(indptr[j], indptr[j + 1]):
                    i = indices[q]
                    if n_ls == 0 and b[i] > 0.0:
                        loss_old += Ci[i] * b[i] * b[i]
                    bn = b[i] + d_diff * np.float64(data[q]) * yk[i]
                    b[i] = bn
                    if bn > 0.0:
                        loss_new += Ci[i] * bn * bn
                cond = cond + loss_new - loss_old
                if cond <= 0.0:
                    break
                d_old = dlt
                dlt *= 0.5
                delta *= 0.5
                n_ls += 1
            w[j] += dlt
            if n_ls >= _MAX_LINESEARCH:
                # the line search failed: recompute b from w to shed accumulated error
                b[:] = 1.0
                for jj in range(p):
                    if w[jj] != 0.0:
                        for q in range(indptr[jj], indptr[jj + 1]):
                            i = indices[q]
                            b[i] -= w[jj] * np.float64(data[q]) * yk[i]
        if it == 0:
            g_norm1_init = g_norm1_new
        trace[it] = g_norm1_new
        it += 1
        if g_norm1_new <= tol * g_norm1_init:
            if active == p:
                break
            active = p
            g_max_old = _INF
            continue
        g_max_old = g_max_new
    return it


@njit(**JIT_PARALLEL)
def _l1_svc(data, indices, indptr, n, y_index, pos, sample_weight, c_pos, c_neg, tol,
            max_iter, seeds, coef, trace):  # fmt: skip
    n_out = pos.shape[0]
    n_iter = np.zeros(n_out, dtype=np.int64)
    for k in prange(n_out):
        yk = np.empty(n)
        Ci = np.empty(n)
        for i in range(n):
            if y_index[i] == pos[k]:
                yk[i] = 1.0
                Ci[i] = sample_weight[i] * c_pos[k]
            else:
                yk[i] = -1.0
                Ci[i] = sample_weight[i] * c_neg[k]
        n_iter[k] = _l1_one(data, indices, indptr, n, yk, Ci, tol[k], max_iter, seeds[k],
                            coef[k], trace[k])  # fmt: skip
    return n_iter


def l1_cd_svc(data, indices, indptr, n_samples, y_index, pos, sample_weight, c_pos, c_neg, tol,
              max_iter, seeds, coef, trace):  # fmt: skip
    """Coordinate-descent Newton for the L1-penalised squared hinge SVC, one-vs-rest.

    The data come column by column as CSC ``(data, indices, indptr)`` of shape ``(n_samples,
    n_columns)``, the intercept column (constant ``bias``) already appended by the caller.
    ``tol`` (float64, per output) is the relative stop on the L1 norm of the minimum-norm
    subgradient. ``coef`` (float64, ``(n_outputs, n_columns)``) is overwritten; ``trace``
    (``(n_outputs, max_iter)``) receives that norm per outer iteration. Returns the
    iterations per output.
    """
    return _l1_svc(data, indices, indptr, int(n_samples), y_index, pos, sample_weight, c_pos,
                   c_neg, tol, int(max_iter), seeds, coef, trace)  # fmt: skip


# ---------------------------------------------------------------- Crammer-Singer multi-class


@njit(**JIT)
def _cs_sub_problem(Ai, yi, c_yi, size, B, D, alpha_new):
    """Keerthi et al. (2008), the closed-form solution of one sample's sub-problem."""
    for r in range(size):
        D[r] = B[r]
    if yi < size:
        D[yi] += Ai * c_yi
    for r in range(1, size):  # insertion sort, descending (size is the number of classes)
        v = D[r]
        q = r - 1
        while q >= 0 and D[q] < v:
            D[q + 1] = D[q]
            q -= 1
        D[q + 1] = v
    beta = D[0] - Ai * c_yi
    r = 1
    while r < size and beta < r * D[r]:
        beta += D[r]
        r += 1
    beta /= r
    for r in range(size):
        bound = c_yi if r == yi else 0.0
        alpha_new[r] = min(bound, (beta - B[r]) / Ai)


@njit(**JIT)
def _cs_shrunk(m, yi, alpha, c, g, min_g):
    bound = c if m == yi else 0.0
    return alpha == bound and g < min_g


@njit(**JIT)
def _crammer_singer(X, data, indices, indptr, sparse, n, d, bias, y, Ci, K, tol, max_iter,
                    seed, W, trace):  # fmt: skip
    """liblinear's Solver_MCSVM_CS (Keerthi et al., 2008): one sample's K duals at a time.

    ``W`` (float64, ``(n_features + 1, K)``) is overwritten.
    """
    np.random.seed(seed)
    alpha = np.zeros((n, K))
    alpha_index = np.empty((n, K), dtype=np.int64)
    size_i = np.full(n, K, dtype=np.int64)
    y_pos = np.empty(n, dtype=np.int64)
    index = np.arange(n)
    qd = np.empty(n)
    G = np.empty(K)
    B = np.empty(K)
    D = np.empty(K)
    alpha_new = np.empty(K)
    d_ind = np.empty(K, dtype=np.int64)
    d_val = np.empty(K)
    for i in range(n):
        y_pos[i] = y[i]
        for m in range(K):
            alpha_index[i, m] = m
        qd[i] = _row_sqnorm(X, data, indices, indptr, sparse, i, d, bias)
    W[:] = 0.0
    eps_shrink = max(10.0 * tol, 1.0)
    start_from_all = True
    active = n
    it = 0
    while it < max_iter:
        stopping = -_INF
        _shuffle_prefix(index, active)
        s = 0
        while s < active:
            i = index[s]
            Ai = qd[i]
            if Ai <= 0.0:
                s += 1
                continue
            size = size_i[i]
            yi = y_pos[i]
            c = Ci[i]
            for m in range(size):
                G[m] = 1.0
            if yi < size:
                G[yi] = 0.0
            if sparse:
                for p in range(indptr[i], indptr[i + 1]):
                    v = np.float64(data[p])
                    j = indices[p]
                    for m in range(size):
                        G[m] += W[j, alpha_index[i, m]] * v
            else:
                for j in range(d):
                    v = np.float64(X[i, j])
                    for m in range(size):
                        G[m] += W[j, alpha_index[i, m]] * v
            for m in range(size):
                G[m] += W[d, alpha_index[i, m]] * bias
            min_g = _INF
            max_g = -_INF
            for m in range(size):
                if alpha[i, alpha_index[i, m]] < 0.0 and G[m] < min_g:
                    min_g = G[m]
                if G[m] > max_g:
                    max_g = G[m]
            if yi < size and alpha[i, y[i]] < c and G[yi] < min_g:
                min_g = G[yi]
            m = 0
            while m < size:
                if _cs_shrunk(m, yi, alpha[i, alpha_index[i, m]], c, G[m], min_g):
                    size -= 1
                    while size > m:
                        if not _cs_shrunk(size, yi, alpha[i, alpha_index[i, size]], c, G[size],
                                          min_g):  # fmt: skip
                            t = alpha_index[i, m]
                            alpha_index[i, m] = alpha_index[i, size]
                            alpha_index[i, size] = t
                            tg = G[m]
                            G[m] = G[size]
                            G[size] = tg
                            if yi == size:
                                yi = m
                            elif yi == m:
                                yi = size
                            break
                        size -= 1
                m += 1
            size_i[i] = size
            y_pos[i] = yi
            if size <= 1:
                active -= 1
                index[s] = index[active]
                index[active] = i
                continue
            s += 1
            if max_g - min_g <= 1.0e-12:
                continue
            stopping = max(max_g - min_g, stopping)
            for m in range(size):
                B[m] = G[m] - Ai * alpha[i, alpha_index[i, m]]
            _cs_sub_problem(Ai, yi, c, size, B, D, alpha_new)
            nz = 0
            for m in range(size):
                k = alpha_index[i, m]
                delta = alpha_new[m] - alpha[i, k]
                alpha[i, k] = alpha_new[m]
                if abs(delta) >= 1.0e-12:
                    d_ind[nz] = k
                    d_val[nz] = delta
                    nz += 1
            if sparse:
                for p in range(indptr[i], indptr[i + 1]):
                    v = np.float64(data[p])
                    j = indices[p]
                    for m in range(nz):
                        W[j, d_ind[m]] += d_val[m] * v
            else:
                for j in range(d):
                    v = np.float64(X[i, j])
                    for m in range(nz):
                        W[j, d_ind[m]] += d_val[m] * v
            for m in range(nz):
                W[d, d_ind[m]] += d_val[m] * bias
        trace[it] = stopping
        it += 1
        if stopping < eps_shrink:
            if stopping < tol and start_from_all:
                break
            active = n
            size_i[:] = K
            eps_shrink = max(eps_shrink / 2.0, tol)
            start_from_all = True
        else:
            start_from_all = False
    return it


def crammer_singer(X, bias, y_index, n_classes, Ci, tol, max_iter, seed, W, trace):
    """Crammer-Singer multi-class linear SVM by sequential dual coordinate descent.

    ``y_index`` (int64) holds class indices, ``Ci`` (float64) the per-sample cost (``C``
    times the sample and class weights); ``W`` (float64, ``(n_features + 1, n_classes)``) is
    overwritten, its last row multiplying ``bias``; ``trace`` (``max_iter``) receives the
    largest gradient spread per outer iteration. Returns the iterations run.
    """
    n, d = X.shape
    e_f = np.empty(0, dtype=X.dtype)
    e_i = np.empty(0, dtype=np.int32)
    return _crammer_singer(X, e_f, e_i, e_i, False, n, d, float(bias), y_index, Ci,
                           int(n_classes), float(tol), int(max_iter), int(seed), W,
                           trace)  # fmt: skip


def crammer_singer_csr(data, indices, indptr, n_features, bias, y_index, n_classes, Ci, tol,
                       max_iter, seed, W, trace):  # fmt: skip
    """:func:`crammer_singer` for a CSR matrix given as ``(data, indices, indptr)``."""
    e_x = np.empty((0, 0), dtype=data.dtype)
    n = indptr.shape[0] - 1
    return _crammer_singer(e_x, data, indices, indptr, True, n, int(n_features), float(bias),
                           y_index, Ci, int(n_classes), float(tol), int(max_iter), int(seed),
                           W, trace)  # fmt: skip
