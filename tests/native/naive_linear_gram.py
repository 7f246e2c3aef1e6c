"""Plain NumPy references for the kernels of :mod:`pai_algos_native.cpu.linear_gram`."""

from __future__ import annotations

import numpy as np


def gram_moments(X, Y, sample_weight, x_shift, y_shift):
    """``(G, XtY, x_sum, y_sum, sw_sum)`` of the shifted, weighted data, in float64.

    ``X`` may be dense or a scipy.sparse matrix (then ``x_shift`` must be zero).
    """
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    Xs = X.astype(np.float64) - x_shift
    Ys = np.asarray(Y, dtype=np.float64) - y_shift
    w = np.asarray(sample_weight, dtype=np.float64)
    Xw = Xs * w[:, None]
    return Xw.T @ Xs, Xw.T @ Ys, Xw.sum(axis=0), w @ Ys, float(w.sum())
