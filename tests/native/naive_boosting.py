"""NumPy references for pai_algos_native.cpu.boosting."""

from __future__ import annotations

import numpy as np


def samme_votes(codes, weights, n_classes):
    """Zhu et al.'s vote: w where the class is predicted, -w / (K - 1) elsewhere."""
    n_est, n = codes.shape
    out = np.zeros((n, n_classes))
    for m in range(n_est):
        onehot = np.eye(n_classes)[codes[m]]
        out += weights[m] * np.where(onehot == 1, 1.0, -1.0 / (n_classes - 1))
    return out


def weighted_median(preds, weights):
    """scikit-learn's AdaBoostRegressor._get_median_predict, row by row."""
    out = np.empty(preds.shape[0])
    for i, row in enumerate(preds):
        order = np.argsort(row, kind="stable")
        cdf = np.cumsum(weights[order])
        out[i] = row[order[np.argmax(cdf >= 0.5 * cdf[-1])]]
    return out
