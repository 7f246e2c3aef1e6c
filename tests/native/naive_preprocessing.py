"""Plain NumPy references for pai_algos_native.cpu.preprocessing."""

from __future__ import annotations

import numpy as np


def moments(X, sample_weight=None):
    """Per-column (count, mean, m2) of a dense array, NaN skipped, float64."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    finite = ~np.isnan(X)
    W = w[:, None] * finite
    count = W.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (W * np.where(finite, X, 0.0)).sum(axis=0) / count, 0.0)
    dev = np.where(finite, X - mean, 0.0)
    m2 = (W * dev**2).sum(axis=0)
    return count, mean, m2


def scale(X, mean, scale_, inverse=False):
    """``(X - mean) / scale`` (or its inverse) in the dtype of X."""
    mean = np.asarray(mean, dtype=X.dtype)
    scale_ = np.asarray(scale_, dtype=X.dtype)
    return X * scale_ + mean if inverse else (X - mean) / scale_
