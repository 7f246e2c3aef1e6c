"""Kernels of the weight-boosting ensembles (AdaBoost): vote accumulation and weighted medians.

The weak learners' own kernels (tree building, tree prediction) live with the trees; what is
left for the ensemble is combining the per-estimator predictions, once per row.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT_PARALLEL

__all__ = ["samme_votes", "weighted_median"]


@njit(**JIT_PARALLEL)
def samme_votes(codes, weights, n_classes, out):
    """Accumulate SAMME's weighted votes into ``out``.

    Parameters
    ----------
    codes : int32 array of shape (n_estimators, n_samples)
        The class index each estimator predicts for each row.
    weights : float64 array of shape (n_estimators,)
        The estimator weights.
    n_classes : int
        Number of classes K (>= 2).
    out : float64 array of shape (n_samples, n_classes), overwritten
        ``out[i, k] = sum_m w_m * (1 if codes[m, i] == k else -1 / (K - 1))``, the
        multi-class AdaBoost decision of Zhu et al. (before normalisation).
    """
    n_est, n = codes.shape
    off = -1.0 / (n_classes - 1)
    total = 0.0
    for m in range(n_est):
        total += weights[m]
    for i in prange(n):
        for k in range(n_classes):
            out[i, k] = off * total
        for m in range(n_est):
            # the predicted class gets w instead of -w / (K - 1)
            out[i, codes[m, i]] += weights[m] * (1.0 - off)


@njit(**JIT_PARALLEL)
def weighted_median(preds, weights, out):
    """Per row, the lower weighted median of the estimators' predictions.

    Parameters
    ----------
    preds : float array of shape (n_samples, n_estimators)
        Each estimator's prediction for each row.
    weights : float64 array of shape (n_estimators,)
        The estimator weights (non-negative).
    out : float array of shape (n_samples,), overwritten
        The prediction of the first estimator, in ascending order of prediction (ties kept in
        estimator order), whose cumulative weight reaches half the total: AdaBoost.R2's
        combination rule (Drucker 1997), as :class:`sklearn.ensemble.AdaBoostRegressor`.
    """
    n, n_est = preds.shape
    half = 0.0
    for m in range(n_est):
        half += weights[m]
    half *= 0.5
    for i in prange(n):
        order = np.argsort(preds[i], kind="mergesort")
        acc = 0.0
        pick = order[n_est - 1]
        for j in range(n_est):
            acc += weights[order[j]]
            if acc >= half:
                pick = order[j]
                break
        out[i] = preds[i, pick]
