"""Histogram tree kernels (CUDA): the twins of ``build_histogram`` and ``predict_raw`` in
cpu/trees.

:func:`build_histogram` gives each thread (row, feature) pairs in a grid-stride loop; a thread
reads the row's code and adds its gradient, hessian and a count to the (feature, bin) cell with
float64 atomics. The sums equal the CPU kernel's up to the rounding of the order in which the
atomics land. The histogram stays additive, so per-GPU (or per-worker) histograms can be summed
by the parameter server exactly like the CPU ones.

:func:`predict_raw` gives each thread rows in a grid-stride loop; a thread walks every tree for
its row (NaN follows ``missing_left``) and adds the leaf values in tree order, as the CPU kernel
does, so the results agree exactly.

Arguments may be host arrays or device arrays (:func:`to_device`); results come back to the
host.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["build_histogram", "predict_raw", "to_device"]


@cuda.jit
def _histogram_kernel(codes, gradients, hessians, rows, hist):
    d = codes.shape[0]
    m = rows.shape[0]
    for t in range(cuda.grid(1), m * d, cuda.gridsize(1)):
        # consecutive threads take consecutive rows of one feature: coalesced code reads
        f = t // m
        r = rows[t - f * m]
        b = codes[f, r]
        cuda.atomic.add(hist, (f, b, 0), np.float64(gradients[r]))
        cuda.atomic.add(hist, (f, b, 1), np.float64(hessians[r]))
        cuda.atomic.add(hist, (f, b, 2), 1.0)


@cuda.jit
def _predict_kernel(
    X, feature, threshold, left, right, missing_left, value, roots, out, cat_node, bitsets
):
    n = X.shape[0]
    k_out = out.shape[1]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        for t in range(roots.shape[0]):
            node = roots[t]
            while left[node] >= 0:
                x = X[i, feature[node]]
                if math.isnan(x):
                    go_left = missing_left[node] != 0
                elif cat_node[node] != 0:
                    # categorical split: category index c goes left when bit c is set
                    c = int(x)
                    go_left = (bitsets[node, c >> 5] >> (c & 31)) & 1 != 0
                else:
                    go_left = x <= threshold[node]
                node = left[node] if go_left else right[node]
            out[i, t % k_out] += value[node]


def to_device(a):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if hasattr(a, "copy_to_host"):  # already a (real or simulated) device array
        return a
    return cuda.to_device(np.ascontiguousarray(a))


def _histogram_device(codes, gradients, hessians, rows, n_bins):
    d_codes = to_device(codes)
    d_rows = to_device(np.asarray(rows, dtype=np.int64))
    d_hist = cuda.to_device(np.zeros((d_codes.shape[0], n_bins, 3)))
    work = d_rows.shape[0] * d_codes.shape[0]
    if work:
        tpb = threads_per_block()
        _histogram_kernel[blocks_for(work, tpb), tpb](
            d_codes, to_device(gradients), to_device(hessians), d_rows, d_hist
        )
    return d_hist


def build_histogram(codes, gradients, hessians, rows, n_bins):
    """Gradient/hessian/count histogram of the rows ``rows`` (see the CPU twin).

    A pure, additive function of its inputs: histograms of shards of the rows, built on
    several GPUs or workers, sum to the histogram of all of them (the parameter-server
    aggregation).

    Parameters
    ----------
    codes : ndarray of shape (n_features, n_samples), uint8
    gradients, hessians : ndarray of shape (n_samples,), float32 or float64
    rows : ndarray of shape (n_rows,), int64
    n_bins : int
        Number of bins including the missing-value bin.

    Returns
    -------
    hist : ndarray of shape (n_features, n_bins, 3), float64
        Sum of gradients, sum of hessians and count per (feature, bin).
    """
    return _histogram_device(codes, gradients, hessians, rows, n_bins).copy_to_host()


def predict_raw(
    X,
    feature,
    threshold,
    left,
    right,
    missing_left,
    value,
    roots,
    out,
    cat_node=None,
    bitsets=None,
):
    """Add the outputs of the trees ``roots`` to ``out`` for raw rows (see the CPU twin).

    ``out`` (host array of shape (n_samples, n_outputs), float64) is updated in place.
    ``cat_node`` / ``bitsets`` mark the categorical splits and their left categories.
    """
    n = X.shape[0]
    if n == 0 or roots.shape[0] == 0:
        return
    if cat_node is None:
        cat_node = np.zeros(feature.shape[0], dtype=np.uint8)
        bitsets = np.zeros((feature.shape[0], 8), dtype=np.uint32)
    d_out = cuda.to_device(np.ascontiguousarray(out))
    tpb = threads_per_block()
    _predict_kernel[blocks_for(n, tpb), tpb](
        to_device(X),
        to_device(feature),
        to_device(threshold),
        to_device(left),
        to_device(right),
        to_device(missing_left),
        to_device(value),
        to_device(roots),
        d_out,
        to_device(cat_node),
        to_device(bitsets),
    )
    out[...] = d_out.copy_to_host()
