"""Plain NumPy references for the kernels of :mod:`pai_algos_native.cpu.linear_robust`."""

from __future__ import annotations

import numpy as np

_EPS = float(np.finfo(np.float64).eps)


def subset_lstsq(X, y, indices, fit_intercept):
    """Minimum-norm least squares of each subset, intercept first."""
    X = np.asarray(X, dtype=np.float64)
    out = []
    for rows in indices:
        A = X[rows]
        if fit_intercept:
            A = np.column_stack([np.ones(len(rows)), A])
        out.append(np.linalg.lstsq(A, y[rows], rcond=None)[0])
    return np.array(out)


def spatial_median(W, max_iter, tol):
    """Modified Weiszfeld iteration (Vardi and Zhang 2000): ``(n_iter, median)``."""
    if W.shape[1] == 1:
        return 1, np.median(W, axis=0)
    old = W.mean(axis=0)
    new = old
    n_iter = 0
    for it in range(max_iter):
        n_iter = it
        diff = W - old
        norm = np.sqrt((diff**2).sum(axis=1))
        far = norm >= _EPS
        eta = float(far.sum() < len(W))
        r = np.linalg.norm((diff[far] / norm[far, None]).sum(axis=0))
        if r > _EPS:
            t = (W[far] / norm[far, None]).sum(axis=0) / (1.0 / norm[far]).sum()
        else:
            t, r = np.ones(W.shape[1]), 1.0
        new = max(0.0, 1 - eta / r) * t + min(1.0, eta / r) * old
        if ((old - new) ** 2).sum() < tol**2:
            break
        old = new
    return n_iter, new


def residual_mask(X, y, coef, intercept, threshold, squared):
    r = y - (np.asarray(X, dtype=np.float64) @ coef + intercept)
    loss = r**2 if squared else np.abs(r)
    return loss <= threshold


def ransac_trial(X, y, rows, fit_intercept, threshold, squared):
    """One RANSAC trial: ``(coef, intercept, n_inliers, r2 on the inliers)``."""
    Xs = np.asarray(X, dtype=np.float64)[rows]
    ys = y[rows]
    if fit_intercept:
        xm, ym = Xs.mean(axis=0), ys.mean()
    else:
        xm, ym = np.zeros(Xs.shape[1]), 0.0
    coef = np.linalg.lstsq(Xs - xm, ys - ym, rcond=None)[0]
    intercept = ym - xm @ coef
    mask = residual_mask(X, y, coef, intercept, threshold, squared)
    yi = y[mask]
    ri = yi - (np.asarray(X, dtype=np.float64)[mask] @ coef + intercept)
    if mask.sum() < 2:
        r2 = np.nan
    else:
        ss_tot = ((yi - yi.mean()) ** 2).sum()
        r2 = (1.0 if (ri**2).sum() == 0 else 0.0) if ss_tot == 0 else 1 - (ri**2).sum() / ss_tot
    return coef, intercept, int(mask.sum()), r2
