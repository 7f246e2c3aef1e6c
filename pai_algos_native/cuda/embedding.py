"""word2vec on a GPU: :func:`word2vec_epoch` of :mod:`pai_algos_native.cpu.embedding`.

One GPU thread trains one work chunk (a run of sentences), Hogwild, with the chunk's own
SplitMix64 stream seeded exactly as on the CPU: with a single chunk, or with chunks that
touch different words, the GPU repeats the CPU's updates. Each thread keeps its
downsampled sentence and its two gradient vectors in rows of scratch arrays in global memory.
Dot products use the CPU kernel's four interleaved partial sums in the weights' dtype; the
update coefficients are float64.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["word2vec_epoch"]


# --------------------------------------------------------------------------- device functions
@cuda.jit(device=True)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@cuda.jit(device=True)
def _next(state):
    state = state + np.uint64(0x9E3779B97F4A7C15)
    return state, _mix(state)


@cuda.jit(device=True)
def _below(state, n):
    state, r = _next(state)
    return state, np.int64(((r >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@cuda.jit(device=True)
def _dot(x, y):
    n = x.shape[0]
    s0 = x[0] * np.float32(0)
    s1 = s0
    s2 = s0
    s3 = s0
    m = n - n % 4
    for k in range(0, m, 4):
        s0 += x[k] * y[k]
        s1 += x[k + 1] * y[k + 1]
        s2 += x[k + 2] * y[k + 2]
        s3 += x[k + 3] * y[k + 3]
    for k in range(m, n):
        s0 += x[k] * y[k]
    return (s0 + s1) + (s2 + s3)


@cuda.jit(device=True)
def _softplus(x):
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@cuda.jit(device=True)
def _negative_sampling(l1, C, target, table, negative, alpha, neu1e, state, loss_on):
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            w = target
            label = 1.0
        else:
            state, k = _below(state, table.shape[0])
            w = table[k]
            if w == target:
                continue
            label = 0.0
        f = np.float64(_dot(l1, C[w]))
        s = 1.0 / (1.0 + math.exp(-f))
        if loss_on:
            if d == 0:
                loss += _softplus(-f)
            else:
                loss += _softplus(f)
        g = (label - s) * alpha
        for k in range(neu1e.shape[0]):
            neu1e[k] += g * C[w, k]
        for k in range(neu1e.shape[0]):
            C[w, k] += g * l1[k]
    return state, loss


@cuda.jit
def _chunks(
    tokens, offsets, chunk_ptr, W, C, keep, table, sg, window, negative, alpha0, alpha1,
    done, total, seed, sent_rows, neu1_rows, neu1e_rows, loss_out, kept_out, loss_on,
):  # fmt: skip
    n_chunks = chunk_ptr.shape[0] - 1
    t = cuda.grid(1)
    sent = sent_rows[t]
    neu1 = neu1_rows[t]
    neu1e = neu1e_rows[t]
    dim = W.shape[1]
    for c in range(t, n_chunks, cuda.gridsize(1)):
        state = _mix(np.uint64(seed) + np.uint64(c + 1) * np.uint64(0x9E3779B97F4A7C15))
        loss = 0.0
        kept = 0
        for s in range(chunk_ptr[c], chunk_ptr[c + 1]):
            a = offsets[s]
            alpha = max(alpha0 - (alpha0 - alpha1) * (done + a) / max(total, 1.0), alpha1)
            n = 0
            for q in range(a, offsets[s + 1]):
                w = tokens[q]
                p = keep[w]
                if p < 1.0:
                    state, r = _next(state)
                    if np.float64(r >> np.uint64(11)) * (1.0 / 9007199254740992.0) >= p:
                        continue
                sent[n] = w
                n += 1
            kept += n
            for i in range(n):
                state, red = _below(state, window)
                span = window - red
                lo = max(0, i - span)
                hi = min(n, i + span + 1)
                if sg:
                    for j in range(lo, hi):
                        if j == i:
                            continue
                        l1 = W[sent[j]]
                        for k in range(dim):
                            neu1e[k] = 0
                        state, ls = _negative_sampling(
                            l1, C, sent[i], table, negative, alpha, neu1e, state, loss_on
                        )
                        loss += ls
                        for k in range(dim):
                            l1[k] += neu1e[k]
                else:
                    for k in range(dim):
                        neu1[k] = 0
                    count = 0
                    for j in range(lo, hi):
                        if j != i:
                            for k in range(dim):
                                neu1[k] += W[sent[j], k]
                            count += 1
                    if count == 0:
                        continue
                    inv = 1.0 / count
                    for k in range(dim):
                        neu1[k] *= inv
                        neu1e[k] = 0
                    state, ls = _negative_sampling(
                        neu1, C, sent[i], table, negative, alpha, neu1e, state, loss_on
                    )
                    loss += ls
                    for j in range(lo, hi):
                        if j != i:
                            for k in range(dim):
                                W[sent[j], k] += neu1e[k]
        loss_out[c] = loss
        kept_out[c] = kept


# --------------------------------------------------------------------------- host driver
def word2vec_epoch(
    tokens,
    offsets,
    chunk_ptr,
    W,
    C,
    keep_prob,
    neg_table,
    sg,
    window,
    negative,
    alpha0,
    alpha1,
    done,
    total,
    seed,
    compute_loss,
):
    """One pass of skip-gram or CBOW with negative sampling on the GPU, updating the host
    arrays ``W`` and ``C`` in place; as the CPU kernel, whose parameters these are (every
    chunk gets a GPU thread).

    Returns
    -------
    loss : float
    n_trained : int
    """
    n_chunks = chunk_ptr.shape[0] - 1
    if n_chunks <= 0:
        return 0.0, 0
    dim = W.shape[1]
    lengths = np.diff(offsets)
    max_len = max(int(lengths.max(initial=0)), 1)
    tpb = threads_per_block()
    blocks = blocks_for(n_chunks, tpb)
    n_threads = blocks * tpb
    d_W = cuda.to_device(W)
    d_C = cuda.to_device(C)
    loss = cuda.device_array(n_chunks, np.float64)
    kept = cuda.device_array(n_chunks, np.int64)
    _chunks[blocks, tpb](
        cuda.to_device(tokens), cuda.to_device(offsets), cuda.to_device(chunk_ptr), d_W, d_C,
        cuda.to_device(keep_prob), cuda.to_device(neg_table), bool(sg), int(window),
        int(negative), float(alpha0), float(alpha1), float(done), float(total),
        np.uint64(seed), cuda.device_array((n_threads, max_len), np.int32),
        cuda.device_array((n_threads, dim), W.dtype), cuda.device_array((n_threads, dim), W.dtype),
        loss, kept, bool(compute_loss),
    )  # fmt: skip
    W[...] = d_W.copy_to_host()
    C[...] = d_C.copy_to_host()
    return float(loss.copy_to_host().sum()), int(kept.copy_to_host().sum())
