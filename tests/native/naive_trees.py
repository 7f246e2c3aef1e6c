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


def best_split_bounded(hf, n_bins_non_missing, has_missing, l2, msl, min_h, cst, lo, hi):
    """Exhaustive search with monotonic bounds: values clipped to [lo, hi], a node's loss is
    G * value, and splits whose values are in the wrong order are skipped."""

    def value(g, h):
        return min(max(-g / (h + l2 + 1e-15), lo), hi)

    G, H, N = hf.sum(axis=0)
    parent = G * value(G, H)
    best = (-1.0, 0, 0)
    miss = hf[-1] if has_missing else np.zeros(3)
    body = hf[:n_bins_non_missing]
    for side in (0, 1) if has_missing else (0,):
        last = n_bins_non_missing - 1 + (has_missing and side == 0)
        for b in range(last):
            left = body[: b + 1].sum(axis=0) + (miss if side else 0)
            right = np.array([G, H, N]) - left
            if left[2] < msl or right[2] < msl or left[1] < min_h or right[1] < min_h:
                continue
            vl, vr = value(left[0], left[1]), value(right[0], right[1])
            if (cst > 0 and vl > vr) or (cst < 0 and vl < vr):
                continue
            gain = parent - left[0] * vl - right[0] * vr
            if gain > best[0] + 1e-12 and gain > 0:
                best = (gain, b, side)
    return best


def best_split_categorical(hf, n_bins_non_missing, has_missing, l2, msl, min_h):
    """scikit-learn's categorical rule, written plainly: categories with support >= 10
    sorted by G / (H + 10); the best prefix or suffix (at most half) goes left.
    Returns (gain, set of left codes)."""
    G, H, N = hf.sum(axis=0)
    bins = list(range(n_bins_non_missing)) + ([hf.shape[0] - 1] if has_missing else [])
    used = [b for b in bins if hf[b, 1] * N / H >= 10.0]
    if len(used) <= 1:
        return -1.0, set()
    used.sort(key=lambda b: hf[b, 0] / (hf[b, 1] + 10.0))
    parent = _loss(G, H, l2)
    best = (-1.0, set())
    for order, middle in ((used, (len(used) + 1) // 2), (used[::-1], (len(used) + 1) // 2 - 1)):
        for i in range(middle):
            left_set = order[: i + 1]
            left = hf[left_set].sum(axis=0)
            right = np.array([G, H, N]) - left
            if left[2] < msl or right[2] < msl or left[1] < min_h or right[1] < min_h:
                continue
            gain = parent - _loss(left[0], left[1], l2) - _loss(right[0], right[1], l2)
            if gain > best[0] + 1e-12 and gain > 0:
                best = (gain, set(left_set))
    return best
