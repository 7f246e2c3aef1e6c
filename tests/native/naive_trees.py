"""Plain NumPy references for pai_algos_native.cpu.trees."""

from __future__ import annotations

import numpy as np


def bin_features(X, thresholds_per_feature, missing_bin):
    """codes[f, i] = number of thresholds of f strictly below X[i, f]; NaN -> missing_bin."""
    n, d = X.shape
    codes = np.empty((d, n), dtype=np.uint8)
    for f in range(d):
        col = X[:, f].astype(np.float64)
        c = np.searchsorted(thresholds_per_feature[f], col, side="left")
        c[np.isnan(col)] = missing_bin
        codes[f] = c
    return codes


def build_histogram(codes, gradients, hessians, rows, n_bins):
    d = codes.shape[0]
    hist = np.zeros((d, n_bins, 3))
    for f in range(d):
        b = codes[f, rows]
        hist[f, :, 0] = np.bincount(b, weights=gradients[rows], minlength=n_bins)
        hist[f, :, 1] = np.bincount(b, weights=hessians[rows], minlength=n_bins)
        hist[f, :, 2] = np.bincount(b, minlength=n_bins)
    return hist


def _loss(g, h, l2):
    return -g * g / (h + l2 + 1e-15)


def best_split_feature(hf, n_bins_non_missing, has_missing, l2, msl, min_h):
    """Exhaustive search over (bin, missing side); returns (gain, bin, missing_left)."""
    G, H, N = hf.sum(axis=0)
    parent = _loss(G, H, l2)
    best = (-1.0, 0, 0)
    miss = hf[-1] if has_missing else np.zeros(3)
    body = hf[:n_bins_non_missing]
    sides = (0, 1) if has_missing else (0,)
    for side in sides:  # side 1: missing left
        last = n_bins_non_missing - 1 + (has_missing and side == 0)
        for b in range(last):
            left = body[: b + 1].sum(axis=0) + (miss if side else 0)
            right = np.array([G, H, N]) - left
            if left[2] < msl or right[2] < msl or left[1] < min_h or right[1] < min_h:
                continue
            gain = parent - _loss(left[0], left[1], l2) - _loss(right[0], right[1], l2)
            if gain > best[0] + 1e-12 and gain > 0:
                best = (gain, b, side)
    return best


def predict(X, feature, threshold, left, right, missing_left, value, roots, n_outputs):
    out = np.zeros((X.shape[0], n_outputs))
    for i in range(X.shape[0]):
        for t, root in enumerate(roots):
            node = root
            while left[node] >= 0:
                x = X[i, feature[node]]
                go_left = bool(missing_left[node]) if np.isnan(x) else x <= threshold[node]
                node = left[node] if go_left else right[node]
            out[i, t % n_outputs] += value[node]
    return out
