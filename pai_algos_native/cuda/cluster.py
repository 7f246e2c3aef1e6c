"""Clustering kernels (CUDA): the twins of ``lloyd_step`` and ``assign_labels`` in cpu/cluster.

Each thread takes rows in a grid-stride loop, computes the exact squared distance to every
center (float64 accumulation), keeps the closest (lowest index on ties), and adds its row to
its block's weighted sums in shared memory (atomics); each block then adds its sums to the
global ones once (global atomics directly when k * n_features is too large for shared memory).
The inertia is summed per thread (no atomics on a
single address) and reduced on the host in a fixed order. Arguments may be host arrays or
device arrays (see :func:`to_device`, which the estimator uses to upload X once per fit).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float64

from .._config import blocks_for, threads_per_block

#: at most this many blocks: each block flushes its k*d shared accumulators once, so fewer,
#: longer-lived blocks mean fewer global atomics (4-8 blocks per SM on an H100 / H200)
MAX_BLOCKS = 1024
#: shared-memory budget of the per-block accumulators (bytes); larger k*d use global atomics
SHARED_BYTES = 40 * 1024

__all__ = ["assign_labels", "lloyd_step", "to_device"]


@cuda.jit
def _lloyd_kernel(X, sample_weight, centers, labels, sums, weights, partial, update, shared):
    n, d = X.shape
    k = centers.shape[0]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    tid = cuda.threadIdx.x
    # per-block accumulators in shared memory: k*d sums then k weights (flushed once per
    # block), so that rows of one cluster do not all contend for the same global addresses
    acc_sh = cuda.shared.array(0, dtype=float64)
    if update and shared:
        for t in range(tid, k * d + k, cuda.blockDim.x):
            acc_sh[t] = 0.0
    cuda.syncthreads()
    acc = 0.0
    for i in range(start, n, stride):
        best = 0
        best_dist = math.inf
        for j in range(k):
            dist = 0.0
            for f in range(d):
                diff = np.float64(X[i, f]) - np.float64(centers[j, f])
                dist += diff * diff
            if dist < best_dist:
                best_dist = dist
                best = j
        labels[i] = best
        w = np.float64(sample_weight[i])
        acc += w * best_dist
        if update:
            if shared:
                cuda.atomic.add(acc_sh, k * d + best, w)
                for f in range(d):
                    cuda.atomic.add(acc_sh, best * d + f, w * np.float64(X[i, f]))
            else:
                cuda.atomic.add(weights, best, w)
                for f in range(d):
                    cuda.atomic.add(sums, best * d + f, w * np.float64(X[i, f]))
    cuda.syncthreads()
    if update and shared:
        for t in range(tid, k * d, cuda.blockDim.x):
            cuda.atomic.add(sums, t, acc_sh[t])
        for t in range(tid, k, cuda.blockDim.x):
            cuda.atomic.add(weights, t, acc_sh[k * d + t])
    if start < partial.shape[0]:
        partial[start] = acc


def to_device(a):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if hasattr(a, "copy_to_host"):  # already a (real or simulated) device array
        return a
    return cuda.to_device(np.ascontiguousarray(a))


def _run(X, sample_weight, centers, labels, sums, weights, update):
    n = X.shape[0]
    k = centers.shape[0]
    if centers.shape[1] != X.shape[1] or labels.shape[0] != n:
        raise ValueError("centers, labels and X disagree in shape.")
    tpb = threads_per_block()
    blocks = blocks_for(n, tpb, max_blocks=MAX_BLOCKS)
    d = X.shape[1]
    shared_bytes = (k * d + k) * 8
    shared = update and shared_bytes <= SHARED_BYTES
    d_X = to_device(X)
    d_w = to_device(sample_weight)
    d_centers = cuda.to_device(np.ascontiguousarray(centers))
    d_labels = cuda.device_array(n, dtype=np.int32)
    d_sums = cuda.to_device(np.zeros(k * d, dtype=np.float64))
    d_weights = cuda.to_device(np.zeros(k, dtype=np.float64))
    d_partial = cuda.to_device(np.zeros(blocks * tpb, dtype=np.float64))
    _lloyd_kernel[blocks, tpb, 0, shared_bytes if shared else 0](
        d_X, d_w, d_centers, d_labels, d_sums, d_weights, d_partial, update, shared
    )
    d_labels.copy_to_host(labels)
    if update:
        sums[:] = d_sums.copy_to_host().reshape(k, d)
        weights[:] = d_weights.copy_to_host()
    return float(d_partial.copy_to_host().sum())


def lloyd_step(X, x_sq_norms, sample_weight, centers, labels, sums, weights):
    """One Lloyd iteration on the GPU; same arguments and result as the CPU ``lloyd_step``.

    ``x_sq_norms`` is unused (the distances are exact); the inertia is exact too.
    """
    return _run(X, sample_weight, centers, labels, sums, weights, True)


def assign_labels(X, x_sq_norms, sample_weight, centers, labels):
    """Labels and weighted inertia on the GPU; same as the CPU ``assign_labels``."""
    return _run(X, sample_weight, centers, labels, None, None, False)
