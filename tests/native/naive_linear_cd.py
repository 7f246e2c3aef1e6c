"""Plain NumPy references for the coordinate-descent kernels (pai_algos_native.cpu.linear_cd)."""

from __future__ import annotations

import numpy as np


def objective(X, y, w, l1, l2):
    """Sum-form elastic net: ``||y - Xw||^2 / 2 + l1 |w|_1 + l2 |w|^2 / 2``."""
    r = y - X @ w
    return 0.5 * r @ r + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w


def duality_gap(X, y, w, l1, l2):
    """Formulation A of the duality gap (dual point: the rescaled residual), l1 > 0."""
    r = y - X @ w
    xta = X.T @ r - l2 * w
    dual_norm = np.max(np.abs(xta))
    scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    primal = objective(X, y, w, l1, l2)
    dual = -0.5 * scale**2 * (r @ r + l2 * w @ w) + scale * (r @ y)
    return primal - dual


def coordinate_descent(X, y, l1, l2, n_epochs=2000):
    """Cyclic coordinate descent, no screening, a fixed number of epochs."""
    n, p = X.shape
    w = np.zeros(p)
    norm2 = (X**2).sum(axis=0)
    r = y.astype(np.float64).copy()
    for _ in range(n_epochs):
        for j in range(p):
            if norm2[j] == 0:
                continue
            tmp = X[:, j] @ r + w[j] * norm2[j]
            new = np.sign(tmp) * max(abs(tmp) - l1, 0.0) / (norm2[j] + l2)
            r -= (new - w[j]) * X[:, j]
            w[j] = new
    return w


def kkt_violation(X, y, w, l1, l2):
    """Largest violation of the optimality conditions of the sum-form elastic net."""
    g = X.T @ (y - X @ w) - l2 * w
    nz = w != 0
    viol = np.zeros_like(w)
    viol[nz] = np.abs(g[nz] - l1 * np.sign(w[nz]))
    viol[~nz] = np.maximum(np.abs(g[~nz]) - l1, 0.0)
    return viol.max() if viol.size else 0.0


def gram_centered(X, mu, sw, Y):
    Xc = (X.astype(np.float64) - mu) * np.sqrt(sw)[:, None]
    return Xc.T @ Xc, ((X.astype(np.float64) - mu) * sw[:, None]).T @ Y
