"""Clustering kernels (CUDA): the twins of ``lloyd_step`` and ``assign_labels`` in cpu/cluster.

Each block first copies the centers into shared memory (float64); each thread then takes rows
in a grid-stride loop, keeps its row in a small per-thread array (when n_features is at most
:data:`MAX_LOCAL_D`), computes the exact squared distance to every center (float64
accumulation, so the labels agree with the CPU kernel up to exact ties), keeps the closest
(lowest index on ties), and adds its row to its block's weighted sums in shared memory
(atomics, rows padded to ``n_features + 1`` doubles so that threads adding the same feature
of different clusters hit different banks). Each block then adds its sums to the global ones
once (global atomics directly when the accumulators do not fit in shared memory). The inertia
is summed per thread, then per block in thread order (no atomics on a single address), and the
per-block values are reduced on the host in a fixed order.

Device buffers (centers, sums, weights, per-block inertia, labels) are kept between calls of
the same shape (:func:`_buffers`), so a fit does not allocate per iteration. Arguments may be
host arrays or device arrays (see :func:`to_device`, which the estimator uses to upload X once
per fit); when ``labels`` is a device array the labels stay on the GPU (no copy back).
"""

from __future__ import annotations

import numpy as np
from numba import cuda, float64

from .._config import blocks_for, threads_per_block

#: at most this many blocks: each block flushes its k*d shared accumulators once, so fewer,
#: longer-lived blocks mean fewer global atomics (4-8 blocks per SM on an H100 / H200)
MAX_BLOCKS = 1024
#: shared-memory budget of the per-block centers and accumulators (bytes); larger k*d read
#: the centers from global memory and use global atomics
SHARED_BYTES = 40 * 1024
#: rows of at most this many features are kept in a per-thread array while scanning centers
MAX_LOCAL_D = 64

__all__ = ["assign_labels", "lloyd_step", "pack_rows", "to_device"]


@cuda.jit
def _lloyd_kernel(X, sample_weight, centers, labels, sums, weights, block_inertia, update, shared):
    n, d = X.shape
    k = centers.shape[0]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    tid = cuda.threadIdx.x
    nthreads = cuda.blockDim.x
    ds = d + 1  # padded row stride of the shared sums (bank conflicts)
    # shared layout: [centers k*d | sums k*ds | weights k | per-thread inertia nthreads]
    sh = cuda.shared.array(0, dtype=float64)
    c_off = 0
    s_off = k * d if shared else 0
    w_off = s_off + k * ds
    i_off = (w_off + k) if shared else 0
    if shared:
        for t in range(tid, k * d, nthreads):
            sh[c_off + t] = centers[t // d, t % d]
        if update:
            for t in range(tid, k * ds + k, nthreads):
                sh[s_off + t] = 0.0
    cuda.syncthreads()
    row = cuda.local.array(MAX_LOCAL_D, dtype=float64)
    local = d <= MAX_LOCAL_D
    acc = 0.0
    for i in range(start, n, stride):
        if local:
            for f in range(d):
                row[f] = X[i, f]
        best = 0
        best_dist = np.inf
        for j in range(k):
            dist = 0.0
            for f in range(d):
                xf = row[f] if local else np.float64(X[i, f])
                cf = sh[c_off + j * d + f] if shared else np.float64(centers[j, f])
                diff = xf - cf
                dist += diff * diff
            if dist < best_dist:
                best_dist = dist
                best = j
        labels[i] = best
        w = np.float64(sample_weight[i])
        acc += w * best_dist
        if update:
            if shared:
                cuda.atomic.add(sh, w_off + best, w)
                for f in range(d):
                    xf = row[f] if local else np.float64(X[i, f])
                    cuda.atomic.add(sh, s_off + best * ds + f, w * xf)
            else:
                cuda.atomic.add(weights, best, w)
                for f in range(d):
                    xf = row[f] if local else np.float64(X[i, f])
                    cuda.atomic.add(sums, best * d + f, w * xf)
    if shared:
        sh[i_off + tid] = acc
    cuda.syncthreads()
    if update and shared:
        for t in range(tid, k * d, nthreads):
            cuda.atomic.add(sums, t, sh[s_off + (t // d) * ds + t % d])
        for t in range(tid, k, nthreads):
            cuda.atomic.add(weights, t, sh[w_off + t])
    bid = cuda.blockIdx.x
    if shared:
        if tid == 0:  # fixed order: the result does not depend on scheduling
            total = 0.0
            for t in range(nthreads):
                total += sh[i_off + t]
            block_inertia[bid] = total
    else:
        cuda.atomic.add(block_inertia, bid, acc)


@cuda.jit
def _zero(a):
    for t in range(cuda.grid(1), a.shape[0], cuda.gridsize(1)):
        a[t] = 0.0


def to_device(a):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if hasattr(a, "copy_to_host"):  # already a (real or simulated) device array
        return a
    return cuda.to_device(np.ascontiguousarray(a))


def pack_rows(X):
    """Twin of the CPU ``pack_rows``: the CUDA kernels read X as it is, so there is nothing
    to pack (returns None)."""
    return None


_CACHE: dict = {}


def _buffers(n, k, d, dtype, blocks):
    """Device buffers for one shape, kept between calls (one entry per shape, at most 4)."""
    key = (n, k, d, np.dtype(dtype).str, blocks)
    buf = _CACHE.get(key)
    if buf is None:
        if len(_CACHE) >= 4:
            _CACHE.clear()
        buf = {
            "centers": cuda.device_array((k, d), dtype=dtype),
            "labels": cuda.device_array(n, dtype=np.int32),
            "sums": cuda.device_array(k * d, dtype=np.float64),
            "weights": cuda.device_array(k, dtype=np.float64),
            "inertia": cuda.device_array(blocks, dtype=np.float64),
        }
        _CACHE[key] = buf
    return buf


def _run(X, sample_weight, centers, labels, sums, weights, update):
    n = X.shape[0]
    k = centers.shape[0]
    if centers.shape[1] != X.shape[1] or labels.shape[0] != n:
        raise ValueError("centers, labels and X disagree in shape.")
    tpb = threads_per_block()
    blocks = blocks_for(n, tpb, max_blocks=MAX_BLOCKS)
    d = X.shape[1]
    shared_bytes = (k * d + k * (d + 1) + k + tpb) * 8
    shared = shared_bytes <= SHARED_BYTES
    d_X = to_device(X)
    d_w = to_device(sample_weight)
    buf = _buffers(n, k, d, d_X.dtype, blocks)
    d_centers = buf["centers"]
    d_centers.copy_to_device(np.ascontiguousarray(centers, dtype=d_X.dtype))
    on_device = hasattr(labels, "copy_to_host")
    d_labels = labels if on_device else buf["labels"]
    zb = blocks_for(k * d, tpb)
    _zero[zb, tpb](buf["sums"])
    _zero[blocks_for(k, tpb), tpb](buf["weights"])
    _zero[blocks_for(blocks, tpb), tpb](buf["inertia"])
    _lloyd_kernel[blocks, tpb, 0, shared_bytes if shared else 0](
        d_X, d_w, d_centers, d_labels, buf["sums"], buf["weights"], buf["inertia"], update, shared
    )
    if not on_device:
        d_labels.copy_to_host(labels)
    if update:
        sums[:] = buf["sums"].copy_to_host().reshape(k, d)
        weights[:] = buf["weights"].copy_to_host()
    return float(buf["inertia"].copy_to_host().sum())


def lloyd_step(X, x_sq_norms, sample_weight, centers, labels, sums, weights, packed=None):
    """One Lloyd iteration on the GPU; same arguments and result as the CPU ``lloyd_step``.

    ``x_sq_norms`` and ``packed`` are unused (the distances are exact); the inertia is exact
    too.
    """
    return _run(X, sample_weight, centers, labels, sums, weights, True)


def assign_labels(X, x_sq_norms, sample_weight, centers, labels, packed=None):
    """Labels and weighted inertia on the GPU; same as the CPU ``assign_labels``."""
    return _run(X, sample_weight, centers, labels, None, None, False)
