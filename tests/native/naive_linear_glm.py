"""Plain NumPy references for :mod:`pai_algos_native.cpu.linear_glm`."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _dense(X):
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def half_tweedie(y, raw, power, family):
    """Pointwise half Tweedie loss and its first two derivatives in ``raw`` (by cases)."""
    p = power
    if family == 0:  # log link
        mu = np.exp(raw)
        if p == 0:
            return 0.5 * (mu - y) ** 2, (mu - y) * mu, mu * (2 * mu - y)
        if p == 1:
            return mu - y * raw, mu - y, mu
        if p == 2:
            return raw + y / mu, 1 - y / mu, y / mu
        loss = mu ** (2 - p) / (2 - p) - y * mu ** (1 - p) / (1 - p)
        return (
            loss,
            mu ** (2 - p) - y * mu ** (1 - p),
            ((2 - p) * mu ** (2 - p) - (1 - p) * y * mu ** (1 - p)),
        )
    mu = raw
    if p == 0:
        return 0.5 * (mu - y) ** 2, mu - y, np.ones_like(mu)
    if p == 1:
        return mu - y * np.log(mu), 1 - y / mu, y / mu**2
    if p == 2:
        return np.log(mu) + y / mu, (mu - y) / mu**2, (2 * y - mu) / mu**3
    loss = mu ** (2 - p) / (2 - p) - y * mu ** (1 - p) / (1 - p)
    return loss, mu ** (-p) * (mu - y), (1 - p) * mu ** (-p) + p * y * mu ** (-p - 1)


def glm_loss_grad_hess(X, y, sw, coef, intercept, family, power):
    """Weighted loss sum, gradient ``[X, 1]^T (s l')`` and Hessian ``[X,1]^T diag(s l'') [X,1]``."""
    Xd = _dense(X)
    raw = Xd @ coef + intercept
    loss, g, h = half_tweedie(y, raw, power, family)
    Xa = np.hstack([Xd, np.ones((Xd.shape[0], 1))])
    return (
        float(np.sum(sw * loss)),
        Xa.T @ (sw * g),
        sw * h,
        Xa.T @ ((sw * h)[:, None] * Xa),
    )


def huber_loss_grad(X, y, sw, coef, intercept, sigma, epsilon):
    """Stats (inlier squares, outlier absolute sum, outlier weight) and gradient pieces."""
    Xd = _dense(X)
    r = y - Xd @ coef - intercept
    out = np.abs(r) > epsilon * sigma
    stats = np.array([np.sum((sw * r**2)[~out]), np.sum((sw * np.abs(r))[out]), np.sum(sw[out])])
    a = np.where(out, -2.0 * epsilon * sw * np.sign(r), -2.0 * sw * r / sigma)
    Xa = np.hstack([Xd, np.ones((Xd.shape[0], 1))])
    return stats, Xa.T @ a
