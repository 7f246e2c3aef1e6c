"""Plain NumPy references for pai_algos_native.cpu.naive_bayes."""

from __future__ import annotations

import numpy as np


def class_moments(X, y, n_classes, sample_weight=None):
    """Per-class (count, mean, m2), float64."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    d = X.shape[1]
    count = np.zeros(n_classes)
    mean = np.zeros((n_classes, d))
    m2 = np.zeros((n_classes, d))
    for c in range(n_classes):
        mask = y == c
        wc = w[mask]
        count[c] = wc.sum()
        if count[c] > 0:
            mean[c] = wc @ X[mask] / count[c]
            m2[c] = wc @ (X[mask] - mean[c]) ** 2
    return count, mean, m2


def joint_log_likelihood(X, theta, var, log_prior):
    """Gaussian joint log-likelihood, one class at a time (as scikit-learn writes it)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.empty((X.shape[0], theta.shape[0]))
    for c in range(theta.shape[0]):
        out[:, c] = (
            log_prior[c]
            - 0.5 * np.sum(np.log(2.0 * np.pi * var[c]))
            - 0.5 * np.sum((X - theta[c]) ** 2 / var[c], axis=1)
        )
    return out
