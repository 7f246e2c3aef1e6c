"""Plain NumPy references of the factorization-machine kernels (pai_algos_native.cpu.fm).

Dense O(k n^2) sums over explicit feature pairs, no sum-square trick, so the kernels' algebra is
checked against the definitions (Rendle 2010, eq. 1; Juan et al. 2016, eq. 3).
"""

from __future__ import annotations

import numpy as np


def fm_scores(X, w0, w, V):
    """``w0 + X w + sum_{j<l} <v_j, v_l> x_j x_l`` per row of the dense ``X``."""
    n, d = X.shape
    out = np.full(n, float(w0)) + X @ w
    for i in range(n):
        for j in range(d):
            for l in range(j + 1, d):  # noqa: E741
                out[i] += V[j] @ V[l] * X[i, j] * X[i, l]
    return out


def ffm_scores(X, w0, w, V, field):
    """``w0 + X w + sum_{j<l} <V[j, F(l)], V[l, F(j)]> x_j x_l``; ``V`` of shape (d, F, k)."""
    n, d = X.shape
    out = np.full(n, float(w0)) + X @ w
    for i in range(n):
        for j in range(d):
            for l in range(j + 1, d):  # noqa: E741
                out[i] += V[j, field[l]] @ V[l, field[j]] * X[i, j] * X[i, l]
    return out


def loss_and_dscore(loss, scores, y):
    """Per-row loss and its derivative in the score (``"log"``: y in {0, 1})."""
    if loss == "log":
        z = np.where(y > 0.5, scores, -scores)
        return np.logaddexp(0.0, -z), 1.0 / (1.0 + np.exp(-scores)) - y
    return 0.5 * (scores - y) ** 2, scores - y


def fm_gradient(X, y, s, w0, w, V, loss, reg_w0, reg_w, reg_v):
    """Summed weighted loss and its gradient in (w0, w, V), with the lazy L2 terms: each
    penalty counts once per row holding the feature (a non-zero ``x_j``)."""
    scores = fm_scores(X, w0, w, V)
    value, d = loss_and_dscore(loss, scores, y)
    g = d * s
    n, dim = X.shape
    gV = np.zeros_like(V)
    for i in range(n):
        for j in range(dim):
            for l in range(dim):  # noqa: E741
                if l != j:
                    gV[j] += g[i] * X[i, j] * X[i, l] * V[l]
    count = (X != 0).sum(axis=0)
    gw = X.T @ g + reg_w * count * w
    gV += reg_v * count[:, None] * V
    gw0 = g.sum() + reg_w0 * n * w0
    return float((value * s).sum()), gw0, gw, gV


def ffm_gradient(X, y, s, w0, w, V, field, loss, reg_w0, reg_w, reg_v):
    """As :func:`fm_gradient` for a field-aware FM; the L2 term of ``V[j, f]`` counts once per
    pair (j, l) of a row with ``F(l) = f`` (libffm's per-pair update)."""
    scores = ffm_scores(X, w0, w, V, field)
    value, d = loss_and_dscore(loss, scores, y)
    g = d * s
    n, dim = X.shape
    gV = np.zeros_like(V)
    for i in range(n):
        for j in range(dim):
            for l in range(dim):  # noqa: E741
                if l != j and X[i, j] != 0 and X[i, l] != 0:
                    gV[j, field[l]] += g[i] * X[i, j] * X[i, l] * V[l, field[j]]
                    gV[j, field[l]] += reg_v * V[j, field[l]]
    count = (X != 0).sum(axis=0)
    gw = X.T @ g + reg_w * count * w
    gw0 = g.sum() + reg_w0 * n * w0
    return float((value * s).sum()), gw0, gw, gV
