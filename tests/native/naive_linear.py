"""Plain NumPy references for the kernels of :mod:`pai_algos_native.cpu.linear`."""

from __future__ import annotations

import numpy as np


def logistic_loss_grad(X, y, sample_weight, coef, intercept):
    """Weighted sum of logistic losses and its gradient, shape (n_outputs, n_features + 1).

    ``X`` may be dense or a scipy.sparse matrix; everything is computed in float64.
    """
    X = X.astype(np.float64)
    raw = np.asarray(X @ coef.T) + intercept  # (n, n_outputs)
    s = sample_weight.astype(np.float64)
    if coef.shape[0] == 1:
        z = raw[:, 0]
        yf = y.astype(np.float64)
        loss = np.logaddexp(0.0, z) - yf * z
        g = (1.0 / (1.0 + np.exp(-z)) - yf)[:, None]
    else:
        m = raw.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(raw - m).sum(axis=1))
        loss = lse - raw[np.arange(len(y)), y]
        g = np.exp(raw - lse[:, None])
        g[np.arange(len(y)), y] -= 1.0
    g = g * s[:, None]
    grad = np.empty((coef.shape[0], coef.shape[1] + 1))
    grad[:, :-1] = np.asarray(X.T @ g).T
    grad[:, -1] = g.sum(axis=0)
    return float(np.sum(s * loss)), grad


def logistic_hessian(X, y, sample_weight, coef, intercept):
    """Hessian of the weighted loss sum, parameters ordered ``k * (n_features + 1) + j``."""
    X = np.asarray(X.todense() if hasattr(X, "todense") else X, dtype=np.float64)
    n, d = X.shape
    Xt = np.hstack([X, np.ones((n, 1))])
    raw = X @ coef.T + intercept
    s = sample_weight.astype(np.float64)
    k_out = coef.shape[0]
    if k_out == 1:
        p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return (Xt * (s * p * (1 - p))[:, None]).T @ Xt
    p = np.exp(raw - raw.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    H = np.empty((k_out * (d + 1), k_out * (d + 1)))
    for k in range(k_out):
        for c in range(k_out):
            w = s * (p[:, k] * (k == c) - p[:, k] * p[:, c])
            H[k * (d + 1) : (k + 1) * (d + 1), c * (d + 1) : (c + 1) * (d + 1)] = (
                Xt * w[:, None]
            ).T @ Xt
    return H
