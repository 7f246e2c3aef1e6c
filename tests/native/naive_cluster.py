"""Plain NumPy references for pai_algos_native.cpu.cluster."""

from __future__ import annotations

import numpy as np


def sq_dists(X, points):
    X = X.astype(np.float64)
    points = points.astype(np.float64)
    return ((X[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)


def assign(X, sample_weight, centers):
    """Labels (lowest index on ties) and weighted inertia."""
    d = sq_dists(X, centers)
    labels = d.argmin(axis=1)
    inertia = float((sample_weight * d[np.arange(len(X)), labels]).sum())
    return labels, inertia


def center_sums(X, sample_weight, labels, n_clusters):
    """Weighted sums and weights per cluster."""
    sums = np.zeros((n_clusters, X.shape[1]))
    weights = np.zeros(n_clusters)
    np.add.at(sums, labels, sample_weight[:, None] * X.astype(np.float64))
    np.add.at(weights, labels, sample_weight.astype(np.float64))
    return sums, weights


def kmeanspp_trials(X, candidates, closest_dist_sq, sample_weight):
    """``min(closest, d(x, candidate))`` per candidate and the potentials."""
    out = np.minimum(closest_dist_sq.astype(np.float64)[None, :], sq_dists(X, candidates).T)
    return out, out @ sample_weight.astype(np.float64)
