"""Plain NumPy reference for :mod:`pai_algos_native.cpu.linear_saga`: eager SAGA steps."""

from __future__ import annotations

import numpy as np


def _scores_grad(z, yi, s):
    """``s * dloss/dscore`` and the loss of one row with scores ``z``."""
    if z.shape[0] == 1:
        p = 1.0 / (1.0 + np.exp(-z[0]))
        loss = np.logaddexp(0.0, z[0]) - yi * z[0]
        return np.array([s * (p - yi)]), float(loss)
    m = z.max()
    lse = m + np.log(np.exp(z - m).sum())
    g = np.exp(z - lse)
    g[yi] -= 1.0
    return s * g, float(lse - z[yi])


def saga_epoch(X, y, sample_weight, order, coef, intercept, sum_grad, intercept_sum_grad,
               memory, seen, n_seen, step, alpha, beta, fit_intercept):  # fmt: skip
    """Same contract as the kernel (in-place state, returns ``(n_seen, loss)``).

    Every weight is updated at every step: ``W <- soft((1 - step alpha) W - step (1 - 1/m)
    (g - g_old) x - step G / m, step beta)``. ``X`` may be dense or scipy.sparse.
    """
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    X = X.astype(np.float64)
    loss = 0.0
    for i in order:
        if not seen[i]:
            seen[i] = 1
            n_seen += 1
        z = coef @ X[i] + intercept
        g, li = _scores_grad(z, int(y[i]), sample_weight[i])
        loss += sample_weight[i] * li
        corr = g - memory[i]
        sum_grad += np.outer(corr, X[i])
        w = (1 - step * alpha) * coef - step * (1 - 1 / n_seen) * np.outer(corr, X[i])
        w -= step * sum_grad / n_seen
        coef[:] = np.sign(w) * np.maximum(np.abs(w) - step * beta, 0.0)
        if fit_intercept:
            intercept_sum_grad += corr
            intercept -= step * intercept_sum_grad / n_seen + step * (1 - 1 / n_seen) * corr
        memory[i] = g
    return n_seen, loss
