"""Plain NumPy references for pai_algos_native.cpu.svm."""

from __future__ import annotations

import numpy as np


def augment(X, bias):
    """``[X, bias]`` as a dense float64 array (the intercept as a constant feature)."""
    X = np.asarray(X.todense() if hasattr(X, "todense") else X, dtype=np.float64)
    return np.hstack([X, np.full((X.shape[0], 1), float(bias))])


def primal_loss_grad(X, y, Ci, w, bias, epsilon, svr):
    """``(sum_i C_i l_i, gradient, D)`` of the squared hinge / squared eps-insensitive loss."""
    Z = augment(X, bias)
    z = Z @ w
    if svr:
        r = z - y
        r = np.where(r > epsilon, r - epsilon, np.where(r < -epsilon, r + epsilon, 0.0))
        active = r != 0.0
        g = 2.0 * Ci * r
    else:
        m = 1.0 - y * z
        active = m > 0.0
        r = np.where(active, m, 0.0)
        g = -2.0 * Ci * y * r
    loss = float(np.sum(Ci * r * r))
    D = np.where(active & (Ci != 0.0), 2.0 * Ci, 0.0)
    return loss, Z.T @ np.where(active, g, 0.0), D


def primal_hess_vec(X, D, v, bias):
    Z = augment(X, bias)
    return Z.T @ (D * (Z @ v))


def svc_primal_objective(X, y, Ci, w, bias, hinge, l1=False):
    """liblinear's primal objective of one binary output (``y`` in {-1, +1})."""
    m = np.maximum(0.0, 1.0 - y * (augment(X, bias) @ w))
    reg = np.abs(w).sum() if l1 else 0.5 * float(w @ w)
    return reg + float(np.sum(Ci * (m if hinge else m * m)))


def svr_primal_objective(X, y, Ci, w, bias, epsilon, l1_loss):
    r = np.maximum(0.0, np.abs(augment(X, bias) @ w - y) - epsilon)
    return 0.5 * float(w @ w) + float(np.sum(Ci * (r if l1_loss else r * r)))


def dual_cd_svc(X, y, Ci, bias, hinge, n_passes=2000):
    """Hsieh et al.'s coordinate descent without shrinking, in index order: the reference
    optimum of the (squared) hinge SVC dual, returned as the primal ``w``."""
    Z = augment(X, bias)
    n = Z.shape[0]
    upper = Ci if hinge else np.full(n, np.inf)
    diag = np.zeros(n) if hinge else 0.5 / Ci
    qd = np.einsum("ij,ij->i", Z, Z) + diag
    alpha = np.zeros(n)
    w = np.zeros(Z.shape[1])
    for _ in range(n_passes):
        for i in range(n):
            G = y[i] * (Z[i] @ w) - 1.0 + diag[i] * alpha[i]
            new = min(max(alpha[i] - G / qd[i], 0.0), upper[i])
            w += (new - alpha[i]) * y[i] * Z[i]
            alpha[i] = new
    return w


def crammer_singer_objective(X, y, Ci, W, bias):
    """``||W||^2 / 2 + sum_i C_i max_m (1 - [m = y_i] + (w_m - w_{y_i}) . x_i)``."""
    scores = augment(X, bias) @ W
    n = scores.shape[0]
    margins = scores - scores[np.arange(n), y][:, None] + 1.0
    margins[np.arange(n), y] = 0.0
    return 0.5 * float(np.sum(W * W)) + float(np.sum(Ci * margins.max(axis=1)))
