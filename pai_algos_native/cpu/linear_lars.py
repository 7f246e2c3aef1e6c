"""Least-angle regression and orthogonal matching pursuit on the Gram matrix (CPU).

Both solvers work on ``G = X^T X`` and ``q = X^T y`` (float64, centred by the caller) and keep
the Cholesky factor ``L`` of the active-set Gram ``G_AA = L L^T``, updated by one row when a
variable enters (a forward substitution, ``O(k^2)``) and downdated by Givens rotations when
one leaves. Variables are kept in an ordering where the active ones come first: rows and
columns of the working copy of ``G`` are swapped as they enter or leave, so the equiangular
correlations ``G[A, I]^T w_A`` read contiguous rows.

- :func:`lars_path_gram`: the LARS / Lasso-LARS path (Efron, Hastie, Johnstone and
  Tibshirani 2004, section 2 and the Lasso modification of section 3.1). At each step the
  equiangular direction is ``w_A = A_A (G_AA)^{-1} s_A`` with ``A_A = (s_A^T G_AA^{-1} s_A)
  ^{-1/2}`` (eq. 2.5), the step length ``gamma`` is the smallest positive
  ``(C -+ c_j) / (A_A -+ a_j)`` over the inactive ``j`` (eq. 2.13), and in the Lasso variant a
  coefficient that would change sign stops the step and leaves the active set (eq. 3.5). The
  bookkeeping (tie breaking, the rounding of the correlations, the degenerate-regressor and
  early-stopping rules) follows scikit-learn's ``lars_path`` so the paths agree.
- :func:`omp_gram`: orthogonal matching pursuit with the progressive Cholesky of Rubinstein,
  Zibulevsky and Elad (2008), "Batch-OMP" (as scikit-learn's ``orthogonal_mp_gram``): the
  residual correlations are ``q - G[:, A] gamma_A`` with ``gamma_A`` from two triangular
  solves.

Inputs are float64 and C-contiguous; both functions copy what they modify.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._config import JIT

__all__ = ["cholesky_delete", "lars_path_gram", "omp_gram"]

# Status bits returned by the solvers (the estimator turns them into warnings).
DEGENERATE = 1  # a regressor was dropped for good: the active-set Gram became singular
EARLY_STOP = 2  # lasso: alpha increased, the correlations are dominated by rounding
PREMATURE = 4  # omp: linear dependence in the dictionary stopped the pursuit early

_TINY32 = float(np.finfo(np.float32).tiny)
_EQ_TOL = float(np.finfo(np.float32).eps)
_DBL_MAX = float(np.finfo(np.float64).max)
_EPS64 = float(np.finfo(np.float64).eps)
# decimals kept by scikit-learn's rounding of the equiangular correlations (float64 precision)
_ROUND = 1e15


@njit(**JIT)
def _swap_sym(G, a, b):
    """Swap rows and columns ``a`` and ``b`` of the square matrix ``G`` in place."""
    if a == b:
        return
    n = G.shape[0]
    for k in range(n):
        t = G[a, k]
        G[a, k] = G[b, k]
        G[b, k] = t
    for k in range(n):
        t = G[k, a]
        G[k, a] = G[k, b]
        G[k, b] = t


@njit(**JIT)
def _forward(L, k, x):
    """Solve ``L[:k, :k] z = x[:k]`` (lower triangular) in place."""
    for i in range(k):
        s = x[i]
        for j in range(i):
            s -= L[i, j] * x[j]
        x[i] = s / L[i, i]


@njit(**JIT)
def _cho_solve(L, k, b, out):
    """``out[:k] = (L L^T)^{-1} b[:k]`` with the lower factor ``L[:k, :k]``."""
    for i in range(k):
        s = b[i]
        for j in range(i):
            s -= L[i, j] * out[j]
        out[i] = s / L[i, i]
    for i in range(k - 1, -1, -1):
        s = out[i]
        for j in range(i + 1, k):
            s -= L[j, i] * out[j]
        out[i] = s / L[i, i]


@njit(**JIT)
def _min_pos(x, n):
    m = _DBL_MAX
    for i in range(n):
        if 0.0 < x[i] < m:
            m = x[i]
    return m


@njit(**JIT)
def cholesky_delete(L, n, go_out):
    """Remove row/column ``go_out`` from the lower Cholesky factor ``L[:n, :n]`` in place.

    Rows below ``go_out`` move up one place; Givens rotations of columns ``(i, i + 1)`` then
    restore the lower-triangular form (LINPACK ``dchdd``; scikit-learn's ``cholesky_delete``).
    """
    for i in range(go_out, n - 1):
        for j in range(i + 2):
            L[i, j] = L[i + 1, j]
    for i in range(go_out, n - 1):
        a = L[i, i]
        b = L[i, i + 1]
        # BLAS drotg
        roe = a if abs(a) > abs(b) else b
        scale = abs(a) + abs(b)
        if scale == 0.0:
            c, s, r = 1.0, 0.0, 0.0
        else:
            r = scale * math.sqrt((a / scale) ** 2 + (b / scale) ** 2)
            if roe < 0:
                r = -r
            c = a / r
            s = b / r
        L[i, i] = r
        if r < 0:
            L[i, i] = -r
            c = -c
            s = -s
        L[i, i + 1] = 0.0
        for k in range(i + 1, n - 1):
            x = L[k, i]
            y = L[k, i + 1]
            L[k, i] = c * x + s * y
            L[k, i + 1] = c * y - s * x


@njit(**JIT)
def lars_path_gram(Gram, Xy, n_samples, max_iter, alpha_min, lasso, positive, eps):
    """The LARS (``lasso=False``) or Lasso-LARS path from the Gram matrix.

    Parameters
    ----------
    Gram : ndarray of shape (n_features, n_features), float64
        ``X^T X`` of the centred design.
    Xy : ndarray of shape (n_features,), float64
        ``X^T y``.
    n_samples : float
        Divides the correlations to give ``alpha``.
    max_iter : int
        Maximum number of steps (and of active variables).
    alpha_min : float
        Stop (interpolating the last segment) when ``alpha`` reaches it.
    lasso, positive : bool
        Lasso modification (drop variables whose coefficient crosses zero); non-negative
        coefficients (lasso only).
    eps : float
        Floor of the Cholesky diagonal.

    Returns
    -------
    alphas : ndarray of shape (n_iter + 1,)
    coefs : ndarray of shape (n_iter + 1, n_features)
        One row per node of the path.
    active : ndarray of shape (n_active,), int64
        Active variables at the end, in order of entry.
    n_iter : int
    status : int
        Bit field of :data:`DEGENERATE` and :data:`EARLY_STOP`.
    """
    p = Gram.shape[0]
    G = Gram.copy()
    cov = Xy.copy()  # cov[n_active:] are the correlations of the inactive variables
    max_features = min(max_iter, p)
    cap = max_features + 1
    coefs = np.zeros((cap, p))
    alphas = np.zeros(cap)
    indices = np.arange(p)
    active = np.empty(p, dtype=np.int64)
    sign_active = np.zeros(max(max_features, 1))
    L = np.zeros((max(max_features, 1), max(max_features, 1)))
    Lw = np.empty_like(L)
    ls = np.empty(max(max_features, 1))
    corr = np.empty(p)
    z = np.empty(max(max_features, 1))
    drops = np.empty(max(max_features, 1), dtype=np.int64)
    n_iter = 0
    n_active = 0
    n_drop = 0
    drop = False
    status = 0
    C = 0.0
    C_ = 0.0
    C_idx = 0
    while True:
        n_cov = p - n_active
        if n_cov > 0:
            C_idx = 0
            best = -np.inf
            for j in range(n_cov):
                v = cov[n_active + j] if positive else abs(cov[n_active + j])
                if v > best:
                    best = v
                    C_idx = j
            C_ = cov[n_active + C_idx]
            C = C_ if positive else abs(C_)
        else:
            C = 0.0
        alphas[n_iter] = C / n_samples
        if alphas[n_iter] <= alpha_min + _EQ_TOL:  # early stopping
            if abs(alphas[n_iter] - alpha_min) > _EQ_TOL:
                if n_iter > 0:
                    prev_a = alphas[n_iter - 1]
                    ss = (prev_a - alpha_min) / (prev_a - alphas[n_iter])
                    for j in range(p):
                        prev = coefs[n_iter - 1, j]
                        coefs[n_iter, j] = prev + ss * (coefs[n_iter, j] - prev)
                alphas[n_iter] = alpha_min
            break
        if n_iter >= max_iter or n_active >= p:
            break
        if not drop:
            m = n_active
            n = C_idx + n_active
            t = cov[n]
            cov[n] = cov[m]
            cov[m] = t
            ti = indices[n]
            indices[n] = indices[m]
            indices[m] = ti
            _swap_sym(G, m, n)
            c = G[m, m]
            for j in range(m):
                L[m, j] = G[m, j]
            if m:
                # the new row of L solves L[:m, :m] w = G[A, j]
                for i in range(m):
                    s = L[m, i]
                    for j in range(i):
                        s -= L[i, j] * L[m, j]
                    L[m, i] = s / L[i, i]
            v = 0.0
            for j in range(m):
                v += L[m, j] * L[m, j]
            diag = max(math.sqrt(abs(c - v)), eps)
            L[m, m] = diag
            if diag < 1e-7:
                # degenerate regressor: zero its correlation and leave it out for good
                status |= DEGENERATE
                cov[m] = 0.0
                t = cov[n]
                cov[n] = cov[m]
                cov[m] = t
                continue
            sign_active[m] = 1.0 if positive else np.sign(C_)
            active[m] = indices[m]
            n_active += 1
        if lasso and n_iter > 0 and alphas[n_iter - 1] < alphas[n_iter]:
            status |= EARLY_STOP
            break
        # equiangular direction: ls = A_A G_AA^{-1} s_A
        _cho_solve(L, n_active, sign_active, ls)
        if n_active == 1 and ls[0] == 0.0:
            ls[0] = 1.0
            AA = 1.0
        else:
            s = 0.0
            for k in range(n_active):
                s += ls[k] * sign_active[k]
            AA = 1.0 / math.sqrt(s) if s > 0 else np.inf
            if not np.isfinite(AA):
                # L too ill-conditioned: regularise its diagonal until the solve is usable
                for a in range(n_active):
                    for b in range(n_active):
                        Lw[a, b] = L[a, b]
                i = 0
                while not np.isfinite(AA):
                    for a in range(n_active):
                        Lw[a, a] += (2.0**i) * eps
                    _cho_solve(Lw, n_active, sign_active, ls)
                    s = 0.0
                    for k in range(n_active):
                        s += ls[k] * sign_active[k]
                    AA = 1.0 / math.sqrt(max(s, eps))
                    i += 1
            for k in range(n_active):
                ls[k] *= AA
        # correlations of the inactive variables with the equiangular vector
        n_cov = p - n_active
        for j in range(n_cov):
            corr[j] = 0.0
        for k in range(n_active):
            lk = ls[k]
            for j in range(n_cov):
                corr[j] += G[k, n_active + j] * lk
        for j in range(n_cov):
            corr[j] = np.rint(corr[j] * _ROUND) / _ROUND
        g1 = _DBL_MAX
        g2 = _DBL_MAX
        for j in range(n_cov):
            cj = cov[n_active + j]
            v = (C - cj) / (AA - corr[j] + _TINY32)
            if 0.0 < v < g1:
                g1 = v
            if not positive:
                v = (C + cj) / (AA + corr[j] + _TINY32)
                if 0.0 < v < g2:
                    g2 = v
        gamma = min(g1, C / AA) if positive else min(g1, g2, C / AA)
        drop = False
        for k in range(n_active):
            z[k] = -coefs[n_iter, active[k]] / (ls[k] + _TINY32)
        z_pos = _min_pos(z, n_active)
        n_drop = 0
        if z_pos < gamma:
            # some coefficients change sign: descending positions, as scikit-learn
            for k in range(n_active - 1, -1, -1):
                if z[k] == z_pos:
                    drops[n_drop] = k
                    n_drop += 1
                    sign_active[k] = -sign_active[k]
            if lasso:
                gamma = z_pos
            drop = True
        n_iter += 1
        if n_iter >= coefs.shape[0]:
            grown = np.zeros((2 * coefs.shape[0], p))
            grown[: coefs.shape[0]] = coefs
            coefs = grown
            grown_a = np.zeros(2 * alphas.shape[0])
            grown_a[: alphas.shape[0]] = alphas
            alphas = grown_a
        for k in range(n_active):
            a = active[k]
            coefs[n_iter, a] = coefs[n_iter - 1, a] + gamma * ls[k]
        for j in range(n_cov):
            cov[n_active + j] -= gamma * corr[j]
        if drop and lasso:
            for d in range(n_drop):
                ii = drops[d]
                cholesky_delete(L, n_active, ii)
                n_active -= 1
                dropped = active[ii]
                for k in range(ii, n_active):
                    active[k] = active[k + 1]
                    sign_active[k] = sign_active[k + 1]
                    ti = indices[k]
                    indices[k] = indices[k + 1]
                    indices[k + 1] = ti
                    _swap_sym(G, k, k + 1)
                sign_active[n_active] = 0.0
                # its correlation with the current residual, from the original moments
                temp = Xy[dropped]
                for j in range(p):
                    temp -= Gram[dropped, j] * coefs[n_iter, j]
                cov[n_active] = temp
    return (
        alphas[: n_iter + 1].copy(),
        coefs[: n_iter + 1].copy(),
        active[:n_active].copy(),
        n_iter,
        status,
    )


@njit(**JIT)
def omp_gram(Gram, Xy, n_nonzero_coefs, tol_0, tol, use_tol, coef):
    """Orthogonal matching pursuit on the Gram matrix; writes ``coef`` (zeros elsewhere).

    Parameters
    ----------
    Gram : ndarray of shape (n_features, n_features), float64
    Xy : ndarray of shape (n_features,), float64
    n_nonzero_coefs : int
        Number of atoms to select (ignored when ``use_tol``).
    tol_0 : float
        ``||y||^2`` (used with ``use_tol``).
    tol : float
        Stop when the squared residual norm is at most ``tol`` (used with ``use_tol``).
    use_tol : bool
    coef : ndarray of shape (n_features,), float64
        Output.

    Returns
    -------
    n_active : int
        Number of selected atoms (the iterations run).
    status : int
        :data:`PREMATURE` when linear dependence stopped the pursuit early, else 0.
    """
    p = Gram.shape[0]
    G = Gram.copy()
    xy = Xy.copy()
    alpha = Xy.copy()
    indices = np.arange(p)
    max_features = p if use_tol else n_nonzero_coefs
    L = np.zeros((max(max_features, 1), max(max_features, 1)))
    gamma = np.zeros(max(max_features, 1))
    row = np.empty(max(max_features, 1))
    tol_curr = tol_0
    delta = 0.0
    n_active = 0
    status = 0
    while True:
        lam = 0
        best = -1.0
        for j in range(p):
            if abs(alpha[j]) > best:
                best = abs(alpha[j])
                lam = j
        if lam < n_active or alpha[lam] ** 2 < _EPS64:
            status = PREMATURE
            break
        if n_active > 0:
            for j in range(n_active):
                row[j] = G[lam, j]
            _forward(L, n_active, row)
            v = 0.0
            for j in range(n_active):
                L[n_active, j] = row[j]
                v += row[j] * row[j]
            Lkk = G[lam, lam] - v
            if Lkk <= _EPS64:
                status = PREMATURE
                break
            L[n_active, n_active] = math.sqrt(Lkk)
        else:
            L[0, 0] = math.sqrt(G[lam, lam])
        _swap_sym(G, n_active, lam)
        ti = indices[n_active]
        indices[n_active] = indices[lam]
        indices[lam] = ti
        t = xy[n_active]
        xy[n_active] = xy[lam]
        xy[lam] = t
        n_active += 1
        _cho_solve(L, n_active, xy, gamma)
        # alpha = xy - G[:, A] gamma (in the swapped order)
        for j in range(p):
            s = 0.0
            for k in range(n_active):
                s += G[j, k] * gamma[k]
            alpha[j] = xy[j] - s
        if use_tol:
            tol_curr += delta
            delta = 0.0
            for k in range(n_active):
                delta += gamma[k] * (xy[k] - alpha[k])
            tol_curr -= delta
            if abs(tol_curr) <= tol:
                break
        elif n_active == max_features:
            break
    for j in range(p):
        coef[j] = 0.0
    for k in range(n_active):
        coef[indices[k]] = gamma[k]
    return n_active, status
