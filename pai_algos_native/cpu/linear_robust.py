"""Robust linear regression kernels (CPU): Theil-Sen and RANSAC.

- :func:`subset_lstsq`: the least-squares solutions of many small subsets of rows (Theil-Sen's
  subpopulation), in parallel over fixed chunks of subsets. Each subset is solved by a
  Householder QR of its ``n_subsamples x (n_features [+ 1])`` design, held in per-chunk
  buffers; a rank-deficient or under-determined subset falls back to LAPACK's minimum-norm
  ``gelsd`` (``np.linalg.lstsq``), the answer scikit-learn's ``gelss`` gives.
- :func:`spatial_median`: the spatial (L1) median of the subset solutions by the modified
  Weiszfeld iteration of Vardi and Zhang (2000), as scikit-learn's ``_spatial_median``.
- :func:`residual_mask`: the RANSAC consensus of one model, ``|y - X w - b| <= t`` (or the
  squared residual), with the inlier count.
- :func:`ransac_trials`: a batch of RANSAC trials in parallel: each fits ordinary least
  squares (with intercept: on the subset centred by its means) to its minimal subset, counts
  its inliers over all rows and scores it by R^2 on its inliers.

``X`` is float32 or float64 (C-contiguous), ``y`` float64; every accumulation is float64. The
results do not depend on the number of threads: each subset or trial is computed by one
thread, start to end.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["ransac_trials", "residual_mask", "spatial_median", "subset_lstsq"]

_EPS = float(np.finfo(np.float64).eps)
# Subsets solved by one thread with one set of buffers.
CHUNK = 64


@njit(**JIT)
def _qr_solve(A, b, m, p, x):
    """Least squares ``min ||A[:m, :p] x - b[:m]||`` by Householder QR, in place.

    Returns False (and leaves ``x`` undefined) when ``R`` has a negligible diagonal entry,
    so that the caller can fall back to a rank-revealing solver.
    """
    rmax = 0.0
    for k in range(p):
        norm = 0.0
        for i in range(k, m):
            norm += A[i, k] * A[i, k]
        norm = math.sqrt(norm)
        if norm == 0.0:
            return False
        alpha = -norm if A[k, k] >= 0 else norm
        v0 = A[k, k] - alpha
        # v = [v0, A[k+1:, k]]; H = I - 2 v v^T / (v^T v)
        vnorm2 = v0 * v0
        for i in range(k + 1, m):
            vnorm2 += A[i, k] * A[i, k]
        if vnorm2 > 0.0:
            for j in range(k + 1, p):
                s = v0 * A[k, j]
                for i in range(k + 1, m):
                    s += A[i, k] * A[i, j]
                s = 2.0 * s / vnorm2
                A[k, j] -= s * v0
                for i in range(k + 1, m):
                    A[i, j] -= s * A[i, k]
            s = v0 * b[k]
            for i in range(k + 1, m):
                s += A[i, k] * b[i]
            s = 2.0 * s / vnorm2
            b[k] -= s * v0
            for i in range(k + 1, m):
                b[i] -= s * A[i, k]
        A[k, k] = alpha
        rmax = max(rmax, abs(alpha))
    tol = max(m, p) * _EPS * rmax
    for k in range(p):
        if abs(A[k, k]) <= tol:
            return False
    for k in range(p - 1, -1, -1):
        s = b[k]
        for j in range(k + 1, p):
            s -= A[k, j] * x[j]
        x[k] = s / A[k, k]
    return True


@njit(**JIT)
def _fill_subset(X, y, rows, fit_intercept, center, A, b, xm):
    """Copy the subset into ``A`` (with a ones column first, or centred) and ``b``.

    Returns the mean of ``y`` over the subset when ``center`` (0.0 otherwise); ``xm`` gets
    the means of the columns.
    """
    m = rows.shape[0]
    d = X.shape[1]
    off = 1 if (fit_intercept and not center) else 0
    ym = 0.0
    for j in range(d):
        xm[j] = 0.0
    if center:
        for i in range(m):
            r = rows[i]
            ym += y[r]
            for j in range(d):
                xm[j] += X[r, j]
        ym /= m
        for j in range(d):
            xm[j] /= m
    for i in range(m):
        r = rows[i]
        if off:
            A[i, 0] = 1.0
        for j in range(d):
            A[i, off + j] = np.float64(X[r, j]) - xm[j]
        b[i] = y[r] - ym
    return ym


@njit(**JIT)
def _solve_subset(X, y, rows, fit_intercept, center, A, b, xm, x):
    """Fill and solve one subset: QR, or LAPACK's minimum-norm solve when rank-deficient.

    Returns the mean of ``y`` over the subset when ``center`` (0.0 otherwise).
    """
    m, p = A.shape
    ym = _fill_subset(X, y, rows, fit_intercept, center, A, b, xm)
    if m >= p and _qr_solve(A, b, m, p, x):
        return ym
    # the QR overwrote A and b: fill them again for the rank-revealing solver
    _fill_subset(X, y, rows, fit_intercept, center, A, b, xm)
    # NumPy's cutoff (rcond=None): singular values below max(m, p) * eps of the largest are
    # zero. Numba's default (-1) is LAPACK's bare eps, which keeps an exactly collinear
    # direction alive about half the time.
    sol = np.linalg.lstsq(A, b, rcond=max(m, p) * _EPS)[0]
    for j in range(p):
        x[j] = sol[j]
    return ym


@njit(**JIT_PARALLEL)
def subset_lstsq(X, y, indices, fit_intercept, weights):
    """Least-squares solution of each row subset, written to ``weights``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    y : ndarray of shape (n_samples,), float64
    indices : ndarray of shape (n_subsets, n_subsamples), int64
        Rows of each subset.
    fit_intercept : bool
        Prepend a column of ones (the intercept comes first in each solution).
    weights : ndarray of shape (n_subsets, n_features + fit_intercept), float64
        Output.
    """
    n_sub, m = indices.shape
    p = weights.shape[1]
    d = X.shape[1]
    n_chunks = (n_sub + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        A = np.empty((m, p))
        b = np.empty(m)
        x = np.empty(p)
        xm = np.empty(d)
        for s in range(c * CHUNK, min(n_sub, (c + 1) * CHUNK)):
            _solve_subset(X, y, indices[s], fit_intercept, False, A, b, xm, x)
            for j in range(p):
                weights[s, j] = x[j]


@njit(**JIT)
def spatial_median(W, max_iter, tol):
    """Spatial median of the rows of ``W`` by the modified Weiszfeld iteration.

    Parameters
    ----------
    W : ndarray of shape (n_points, n_dims), float64
    max_iter : int
    tol : float
        Stop when the squared step is below ``tol**2``.

    Returns
    -------
    n_iter : int
        Index of the last iteration (scikit-learn's convention), 1 for one dimension.
    median : ndarray of shape (n_dims,)
    converged : bool
    """
    n, p = W.shape
    if p == 1:
        return 1, np.array([np.median(W[:, 0])]), True
    tol2 = tol * tol
    old = np.zeros(p)
    for i in range(n):
        for j in range(p):
            old[j] += W[i, j]
    for j in range(p):
        old[j] /= n
    new = old.copy()
    direction = np.empty(p)
    quot = np.empty(p)
    n_iter = 0
    converged = False
    for it in range(max_iter):
        n_iter = it
        for j in range(p):
            direction[j] = 0.0
            quot[j] = 0.0
        inv_sum = 0.0
        n_far = 0
        for i in range(n):
            dn = 0.0
            for j in range(p):
                dn += (W[i, j] - old[j]) ** 2
            dn = math.sqrt(dn)
            if dn >= _EPS:
                n_far += 1
                inv_sum += 1.0 / dn
                for j in range(p):
                    quot[j] += (W[i, j] - old[j]) / dn
                    direction[j] += W[i, j] / dn
        is_in = 1.0 if n_far < n else 0.0
        qnorm = 0.0
        for j in range(p):
            qnorm += quot[j] * quot[j]
        qnorm = math.sqrt(qnorm)
        if qnorm > _EPS:
            for j in range(p):
                direction[j] /= inv_sum
        else:
            for j in range(p):
                direction[j] = 1.0
            qnorm = 1.0
        a = max(0.0, 1.0 - is_in / qnorm)
        bb = min(1.0, is_in / qnorm)
        step = 0.0
        for j in range(p):
            new[j] = a * direction[j] + bb * old[j]
            step += (old[j] - new[j]) ** 2
        if step < tol2:
            converged = True
            break
        for j in range(p):
            old[j] = new[j]
    return n_iter, new, converged


@njit(**JIT)
def _consensus(X, y, coef, intercept, threshold, squared, y_shift, mask):
    """Inlier count, ``sum r^2`` and shifted ``y`` moments over the inliers of one model.

    Writes ``mask`` when it has ``n_samples`` entries (pass an empty array to skip).
    """
    n, d = X.shape
    count = 0
    ss_res = 0.0
    sy = 0.0
    syy = 0.0
    write = mask.shape[0] == n
    for i in range(n):
        pred = intercept
        for j in range(d):
            pred += np.float64(X[i, j]) * coef[j]
        r = y[i] - pred
        loss = r * r if squared else abs(r)
        inlier = loss <= threshold
        if write:
            mask[i] = inlier
        if inlier:
            count += 1
            ss_res += r * r
            t = y[i] - y_shift
            sy += t
            syy += t * t
    return count, ss_res, sy, syy


@njit(**JIT)
def residual_mask(X, y, coef, intercept, threshold, squared, mask):
    """RANSAC consensus of one linear model: ``mask[i] = loss(y_i - x_i w - b) <= threshold``.

    ``loss`` is the absolute residual, or the squared one when ``squared``. Returns the
    number of inliers.
    """
    return _consensus(X, y, coef, intercept, threshold, squared, 0.0, mask)[0]


@njit(**JIT)
def _r2(count, ss_res, sy, syy):
    if count < 2:
        return np.nan
    ss_tot = syy - sy * sy / count
    if ss_tot <= 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


@njit(**JIT_PARALLEL)
def ransac_trials(
    X, y, subsets, fit_intercept, threshold, squared, coef, intercept, n_inliers, score
):
    """A batch of RANSAC trials, one per row of ``subsets``, in parallel.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    y : ndarray of shape (n_samples,), float64
    subsets : ndarray of shape (n_trials, min_samples), int64
    fit_intercept : bool
    threshold : float
        Residual threshold (on the squared residual when ``squared``).
    squared : bool
    coef : ndarray of shape (n_trials, n_features), float64
        Output: least-squares coefficients of each subset.
    intercept, n_inliers, score : ndarray of shape (n_trials,)
        Outputs: intercept, inlier count (int64) and R^2 on the inliers (NaN with fewer
        than two inliers).
    """
    n_trials, m = subsets.shape
    d = X.shape[1]
    empty = np.zeros(0, dtype=np.bool_)
    for t in prange(n_trials):
        A = np.empty((m, d))
        b = np.empty(m)
        x = np.empty(d)
        xm = np.empty(d)
        ym = _solve_subset(X, y, subsets[t], fit_intercept, fit_intercept, A, b, xm, x)
        b0 = 0.0
        for j in range(d):
            coef[t, j] = x[j]
            b0 -= xm[j] * x[j]
        b0 += ym
        intercept[t] = b0
        cnt, ss_res, sy, syy = _consensus(X, y, x, b0, threshold, squared, ym, empty)
        n_inliers[t] = cnt
        score[t] = _r2(cnt, ss_res, sy, syy)
