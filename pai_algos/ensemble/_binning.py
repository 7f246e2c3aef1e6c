"""Quantile binning of features into uint8 codes for the histogram tree engine."""

from __future__ import annotations

import numpy as np

from pai_algos_native import kernels

__all__ = ["BinMapper"]

#: rows used to find the bin thresholds when there are more (scikit-learn's choice).
_SUBSAMPLE = 200_000


def _feature_thresholds(col, max_bins):
    """Thresholds between bins of one column (NaN already removed), at most ``max_bins - 1``.

    Few distinct values: the midpoints between consecutive ones; otherwise the midpoints of
    ``max_bins`` equal-frequency quantiles (scikit-learn's rule, so the bins agree with it).
    """
    col = np.sort(col)
    distinct = col[np.concatenate(([True], col[1:] != col[:-1]))]
    if distinct.shape[0] <= max_bins:
        mid = (distinct[:-1] + distinct[1:]) * 0.5
    else:
        # np.percentile(col, q, method="midpoint") on the sorted column, without re-sorting
        index = np.linspace(0, 100, num=max_bins + 1)[1:-1] / 100 * (col.shape[0] - 1)
        lo = col[np.floor(index).astype(np.intp)]
        hi = col[np.ceil(index).astype(np.intp)]
        mid = np.unique(np.where(index % 1 == 0, lo, hi - (hi - lo) * 0.5))
    mid = mid.astype(np.float64)
    # -0.0 and 0.0 are the same threshold
    mid[mid == 0] = 0.0
    return mid


class BinMapper:
    """Find per-feature quantile thresholds and map raw data to feature-major uint8 codes.

    Parameters
    ----------
    max_bins : int
        Bins for non-missing values (at most 255); NaN gets bin ``max_bins``.
    random_state : numpy.random.RandomState
        Draws the subsample used for the thresholds when there are more than 200,000 rows.
    n_categories : ndarray of shape (n_features,), int, default=None
        For a categorical feature, its number of categories ``k``: its values are the
        category indices ``0 .. k - 1`` and each gets its own bin; 0 for numerical features.
    """

    def __init__(self, max_bins, random_state, n_categories=None):
        self.max_bins = max_bins
        self.random_state = random_state
        self.n_categories = n_categories

    def fit(self, X):
        """Compute ``thresholds_``, ``offsets_``, ``n_bins_non_missing_`` and ``has_missing_``."""
        has_missing = np.isnan(X).any(axis=0).astype(np.uint8)
        if X.shape[0] > _SUBSAMPLE:
            rows = self.random_state.choice(X.shape[0], _SUBSAMPLE, replace=False)
            X = X.take(np.sort(rows), axis=0)
        thresholds = []
        for f in range(X.shape[1]):
            if self.n_categories is not None and self.n_categories[f] > 0:
                # one bin per category index, whatever the subsample saw
                thresholds.append(np.arange(self.n_categories[f] - 1) + 0.5)
                continue
            col = np.asarray(X[:, f], dtype=np.float64)
            col = col[~np.isnan(col)]
            thresholds.append(_feature_thresholds(col, self.max_bins) if col.size else np.empty(0))
        self.thresholds_ = np.concatenate(thresholds) if thresholds else np.empty(0)
        self.offsets_ = np.zeros(X.shape[1] + 1, dtype=np.int64)
        self.offsets_[1:] = np.cumsum([t.shape[0] for t in thresholds])
        self.n_bins_non_missing_ = np.diff(self.offsets_) + 1
        self.has_missing_ = has_missing
        self.missing_bin_ = self.max_bins
        self.n_bins_ = self.max_bins + 1
        return self

    def transform(self, X):
        """Codes of shape (n_features, n_samples), uint8."""
        X = np.ascontiguousarray(X)
        codes = np.empty((X.shape[1], X.shape[0]), dtype=np.uint8)
        kernels("trees").bin_features(X, self.thresholds_, self.offsets_, self.missing_bin_, codes)
        return codes

    def raw_threshold(self, feature, bin_index):
        """The raw threshold equivalent to ``code <= bin_index`` (inf past the last one)."""
        start, stop = self.offsets_[feature], self.offsets_[feature + 1]
        if bin_index < stop - start:
            return self.thresholds_[start + bin_index]
        return np.inf
