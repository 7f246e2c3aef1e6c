"""Recommender kernels on a GPU: :func:`als_cg_update` and :func:`bpr_epoch` of
:mod:`pai_algos_native.cpu.recommend`, same names and signatures.

``als_cg_update``: one thread per row (grid-stride), the same conjugate-gradient steps as the
CPU kernel, with the thread's residual and direction vectors in float64 scratch rows of a
(threads, factors) device array (local arrays need a compile-time size). ``bpr_epoch``: one
thread per sampler stream (a chunk of the CPU kernel, the same SplitMix64 seeds), updating
the shared factors without locks (Hogwild), so with the same seeds and one stream it draws
exactly what the CPU kernel draws. Both take host or device arrays; host factor arrays are
updated in place.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["als_cg_update", "bpr_epoch", "to_device"]


def to_device(array):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if isinstance(array, np.ndarray):
        return cuda.to_device(np.ascontiguousarray(array))
    return array


# --------------------------------------------------------------------------------- kernels


@cuda.jit(device=True)
def _dot(a, b):
    # the CPU kernel's summation order (four partial sums), so both devices round alike
    n = a.shape[0]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    m = n - n % 4
    for f in range(0, m, 4):
        s0 += np.float64(a[f]) * b[f]
        s1 += np.float64(a[f + 1]) * b[f + 1]
        s2 += np.float64(a[f + 2]) * b[f + 2]
        s3 += np.float64(a[f + 3]) * b[f + 3]
    for f in range(m, n):
        s0 += np.float64(a[f]) * b[f]
    return (s0 + s1) + (s2 + s3)


@cuda.jit
def _als_cg_rows(indptr, indices, data, alpha, X, Y, YtY, cg_steps, R, P, AP):
    tid = cuda.grid(1)
    stride = cuda.gridsize(1)
    n_rows = X.shape[0]
    f = X.shape[1]
    if tid >= R.shape[0]:
        return
    r = R[tid]
    p = P[tid]
    ap = AP[tid]
    for u in range(tid, n_rows, stride):
        x = X[u]
        for a in range(f):
            r[a] = 0.0
        for b in range(f):
            xb = -np.float64(x[b])
            for a in range(f):
                r[a] += xb * YtY[b, a]
        for q in range(indptr[u], indptr[u + 1]):
            yi = Y[indices[q]]
            c1 = alpha * data[q]
            temp = (1.0 + c1) - c1 * _dot(yi, x)
            for a in range(f):
                r[a] += temp * yi[a]
        rsold = _dot(r, r)
        if rsold < 1e-20:
            continue
        for a in range(f):
            p[a] = r[a]
        for _ in range(cg_steps):
            for a in range(f):
                ap[a] = 0.0
            for b in range(f):
                pb = p[b]
                for a in range(f):
                    ap[a] += pb * YtY[b, a]
            for q in range(indptr[u], indptr[u + 1]):
                yi = Y[indices[q]]
                temp = alpha * data[q] * _dot(yi, p)
                for a in range(f):
                    ap[a] += temp * yi[a]
            step = rsold / _dot(p, ap)
            for a in range(f):
                x[a] += step * p[a]
                r[a] -= step * ap[a]
            rsnew = _dot(r, r)
            if rsnew < 1e-20:
                break
            beta = rsnew / rsold
            for a in range(f):
                p[a] = r[a] + beta * p[a]
            rsold = rsnew


@cuda.jit(device=True)
def _splitmix(state):
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@cuda.jit(device=True)
def _below(bits, n64):
    # the CPU kernel's draw in [0, n): multiply-shift on the high 32 bits, else the remainder
    if n64 < np.uint64(4294967296):
        return np.int64(((bits >> np.uint64(32)) * n64) >> np.uint64(32))
    return np.int64(bits % n64)


@cuda.jit(device=True)
def _has_item(indptr, indices, u, j):
    a = indptr[u]
    b = indptr[u + 1]
    while a < b:
        m = (a + b) // 2
        if indices[m] < j:
            a = m + 1
        else:
            b = m
    return a < indptr[u + 1] and indices[a] == j


@cuda.jit
def _bpr_streams(userids, indptr, indices, U, V, lr, reg, verify_negative, seeds, counts):
    nnz = indices.shape[0]
    n_chunks = seeds.shape[0]
    f = U.shape[1]
    per = (nnz + n_chunks - 1) // n_chunks
    n64 = np.uint64(nnz)
    for c in range(cuda.grid(1), n_chunks, cuda.gridsize(1)):
        state = seeds[c]
        correct = 0
        skipped = 0
        for _ in range(c * per, min(nnz, (c + 1) * per)):
            state, bits = _splitmix(state)
            liked = _below(bits, n64)
            state, bits = _splitmix(state)
            j = indices[_below(bits, n64)]
            u = userids[liked]
            i = indices[liked]
            if i == j or (verify_negative and _has_item(indptr, indices, u, j)):
                skipped += 1
                continue
            score = 0.0
            for a in range(f):
                score += np.float64(U[u, a]) * (V[i, a] - V[j, a])
            z = 1.0 / (1.0 + math.exp(score))
            if z < 0.5:
                correct += 1
            for a in range(f - 1):
                xa = U[u, a]
                U[u, a] += lr * (z * (V[i, a] - V[j, a]) - reg * xa)
                V[i, a] += lr * (z * xa - reg * V[i, a])
                V[j, a] += lr * (-z * xa - reg * V[j, a])
            a = f - 1
            V[i, a] += lr * (z - reg * V[i, a])
            V[j, a] += lr * (-z - reg * V[j, a])
        counts[c, 0] = correct
        counts[c, 1] = skipped


# ---------------------------------------------------------------------------- host drivers


def _to_host(d_array, host):
    if isinstance(host, np.ndarray):
        host[...] = d_array.copy_to_host()


def als_cg_update(indptr, indices, data, alpha, X, Y, YtY, cg_steps):
    """``cg_steps`` conjugate-gradient steps for every row of ``X`` (in place), as the CPU
    kernel :func:`pai_algos_native.cpu.recommend.als_cg_update`."""
    n_rows, f = X.shape
    if n_rows == 0:
        return
    tpb = threads_per_block()
    blocks = blocks_for(n_rows, tpb)
    n_threads = blocks * tpb
    scratch = [cuda.device_array((n_threads, f), dtype=np.float64) for _ in range(3)]
    d_X = to_device(X)
    _als_cg_rows[blocks, tpb](
        to_device(indptr), to_device(indices), to_device(data), float(alpha), d_X,
        to_device(Y), to_device(YtY), int(cg_steps), *scratch,
    )  # fmt: skip
    _to_host(d_X, X)


def bpr_epoch(userids, indptr, indices, U, V, lr, reg, verify_negative, seeds, counts):
    """One BPR epoch, one GPU thread per sampler stream (``seeds``), as the CPU kernel
    :func:`pai_algos_native.cpu.recommend.bpr_epoch`; U, V and counts are updated in place."""
    n_chunks = seeds.shape[0]
    tpb = threads_per_block()
    blocks = blocks_for(n_chunks, tpb)
    d_U, d_V, d_counts = to_device(U), to_device(V), to_device(counts)
    _bpr_streams[blocks, tpb](
        to_device(userids), to_device(indptr), to_device(indices), d_U, d_V, float(lr),
        float(reg), bool(verify_negative), to_device(seeds), d_counts,
    )  # fmt: skip
    _to_host(d_U, U)
    _to_host(d_V, V)
    _to_host(d_counts, counts)
