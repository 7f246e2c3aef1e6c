"""What LDA and QDA share: class moments from the kernel and covariance estimates from them.

Every covariance here is built from a group's count, mean and centred scatter (one parallel
pass over the data, :mod:`pai_algos_native.cpu.discriminant`), plus, for the Ledoit-Wolf
shrinkage, one more pass for the fourth moment of the standardised rows.
"""

from __future__ import annotations

import numpy as np

from pai_algos_native import kernels

__all__: list[str] = []

_EPS = np.finfo(np.float64).eps


def _moments(X, y_index, n_classes):
    """``(counts, means, scatter)`` per class, float64 (see ``class_moments``)."""
    return kernels("discriminant", "cpu").class_moments(X, y_index, n_classes)


def _total_moments(counts, means, scatter):
    """Count, mean and scatter of the union of the classes (Chan et al.'s merge)."""
    n = counts.sum()
    mean = counts @ means / n
    diff = means - mean
    total = scatter.sum(axis=0) + (diff.T * counts) @ diff
    return n, mean, total


def _scale_of(n, scatter):
    """StandardScaler's scale (population std, 1 for constant features)."""
    scale = np.sqrt(np.maximum(np.diag(scatter), 0.0) / n)
    scale[scale < 10 * _EPS] = 1.0
    return scale


def _ledoit_wolf(n, scatter, scale, fourth):
    """scikit-learn's ``shrinkage="auto"``: Ledoit-Wolf on standardised data, rescaled.

    ``fourth`` is ``sum_i ||z_i||^4`` of the standardised, centred rows ``z_i``.
    """
    d = scatter.shape[0]
    sz = scatter / np.outer(scale, scale)
    emp = sz / n
    if d == 1:
        return scale[:, None] * emp * scale[None, :]
    trace = np.diag(emp)
    mu = trace.sum() / d
    delta_ = float(np.sum(sz * sz)) / n**2
    beta = (fourth / n - delta_) / (d * n)
    delta = (delta_ - 2.0 * mu * trace.sum() + d * mu**2) / d
    beta = min(beta, delta)
    shrinkage = 0.0 if beta == 0 else beta / delta
    shrunk = (1.0 - shrinkage) * emp
    shrunk.flat[:: d + 1] += shrinkage * mu
    return scale[:, None] * shrunk * scale[None, :]


def _covariances(X, group, n_groups, counts, means, scatter, shrinkage):
    """Covariance of each group, as scikit-learn's ``_cov`` with this ``shrinkage``.

    ``group`` (int64, per row) names the group of each row; ``counts``, ``means`` and
    ``scatter`` are the groups' moments. Returns ``(n_groups, d, d)`` float64.
    """
    d = scatter.shape[1]
    emp = scatter / counts[:, None, None]
    if shrinkage is None or shrinkage == "empirical":
        return emp
    if isinstance(shrinkage, str):  # "auto"
        scales = np.stack([_scale_of(counts[k], scatter[k]) for k in range(n_groups)])
        fourth = kernels("discriminant", "cpu").class_fourth_moments(
            X, group, np.ascontiguousarray(means), 1.0 / scales
        )
        return np.stack(
            [_ledoit_wolf(counts[k], scatter[k], scales[k], fourth[k]) for k in range(n_groups)]
        )
    out = (1.0 - shrinkage) * emp
    mu = np.trace(emp, axis1=1, axis2=2) / d
    for k in range(n_groups):
        out[k].flat[:: d + 1] += shrinkage * mu[k]
    return out


def _check_priors(priors, counts, dtype):
    """Estimated or given priors; scikit-learn's checks and renormalisation warning."""
    import warnings

    if priors is None:
        return (counts / counts.sum()).astype(dtype)
    priors = np.asarray(priors, dtype=dtype)
    if np.any(priors < 0):
        raise ValueError("priors must be non-negative")
    if abs(priors.sum() - 1.0) > 1e-5:
        warnings.warn("The priors do not sum to 1. Renormalizing", UserWarning, stacklevel=3)
        priors = priors / priors.sum()
    return priors
