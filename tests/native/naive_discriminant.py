"""Plain NumPy references for pai_algos_native.cpu.discriminant."""

from __future__ import annotations

import numpy as np


def class_moments(X, y, n_classes):
    X = np.asarray(X, dtype=np.float64)
    d = X.shape[1]
    counts = np.zeros(n_classes, dtype=np.int64)
    means = np.zeros((n_classes, d))
    scatter = np.zeros((n_classes, d, d))
    for k in range(n_classes):
        Xk = X[y == k]
        counts[k] = Xk.shape[0]
        if counts[k]:
            means[k] = Xk.mean(axis=0)
            R = Xk - means[k]
            scatter[k] = R.T @ R
    return counts, means, scatter


def class_fourth_moments(X, y, means, scale):
    X = np.asarray(X, dtype=np.float64)
    Z = (X - means[y]) * scale[y]
    q = np.sum(Z * Z, axis=1) ** 2
    return np.bincount(y, weights=q, minlength=means.shape[0])
