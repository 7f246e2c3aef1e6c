"""Histogram tree kernels (CUDA): the twins of ``build_histogram`` and ``predict_raw`` in
cpu/trees.

:func:`build_histogram` launches a grid of (row chunk, feature) blocks. A block sums its chunk
of the node's rows into a private histogram of the feature in shared memory (float64 shared
atomics, 6 KB for 256 bins), then adds the non-empty cells to the global histogram with one
atomic each. Rows hitting the same few hundred bins therefore contend in shared memory only; the
first version (every (row, feature) pair adding straight into global memory) serialised on those
cells. The sums equal the CPU kernel's up to the rounding of the order in which the atomics land.
The histogram stays additive, so per-GPU (or per-worker) histograms can be summed by the
parameter server exactly like the CPU ones.

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

__all__ = ["MAX_BINS", "build_histogram", "predict_raw", "to_device"]


#: bins a shared-memory histogram holds (``max_bins`` 255 plus the missing-value bin)
MAX_BINS = 256
#: cells of the shared-memory histogram (a literal: CUDA's shared arrays need a constant shape)
_SHARED_CELLS = 768
#: blocks per launch the chunking aims at (a few per multiprocessor of a large GPU)
_TARGET_BLOCKS = 1024


@cuda.jit
def _histogram_kernel(codes, gradients, hessians, rows, hist, chunk):
    sh = cuda.shared.array(shape=_SHARED_CELLS, dtype=np.float64)
    f = cuda.blockIdx.y
    tid = cuda.threadIdx.x
    step = cuda.blockDim.x
    n_cells = hist.shape[1] * 3
    for j in range(tid, n_cells, step):
        sh[j] = 0.0
    cuda.syncthreads()
    start = cuda.blockIdx.x * chunk
    stop = min(start + chunk, rows.shape[0])
    cf = codes[f]
    for t in range(start + tid, stop, step):
        r = rows[t]
        b = 3 * np.int64(cf[r])
        cuda.atomic.add(sh, b, np.float64(gradients[r]))
        cuda.atomic.add(sh, b + 1, np.float64(hessians[r]))
        cuda.atomic.add(sh, b + 2, 1.0)
    cuda.syncthreads()
    for j in range(tid, n_cells, step):
        v = sh[j]
        if v != 0.0:
            cuda.atomic.add(hist, (f, j // 3, j % 3), v)


@cuda.jit
def _zero_kernel(a):
    for i in range(cuda.grid(1), a.shape[0], cuda.gridsize(1)):
        a[i] = 0.0


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
    if n_bins > MAX_BINS:
        raise ValueError(f"n_bins must be at most {MAX_BINS}, got {n_bins}.")
    d_codes = to_device(codes)
    d_rows = to_device(
        np.asarray(rows, dtype=np.int64) if not hasattr(rows, "copy_to_host") else rows
    )
    d = d_codes.shape[0]
    flat = cuda.device_array(d * n_bins * 3, dtype=np.float64)
    tpb = threads_per_block()
    _zero_kernel[blocks_for(flat.shape[0], tpb), tpb](flat)
    d_hist = flat.reshape((d, n_bins, 3))
    m = d_rows.shape[0]
    if m and d:
        # enough chunks to fill the GPU, but each big enough that its shared histogram pays
        n_chunks = max(1, min(-(-m // (4 * tpb)), -(-_TARGET_BLOCKS // d)))
        chunk = -(-m // n_chunks)
        _histogram_kernel[(n_chunks, d), tpb](
            d_codes, to_device(gradients), to_device(hessians), d_rows, d_hist, chunk
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
