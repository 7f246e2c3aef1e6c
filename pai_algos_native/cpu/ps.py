"""Parameter-server kernels (CPU): key routing, push aggregation and server-side optimizers.

Keys are 64-bit (int64 views of uint64 feature keys). A key's virtual partition is the top
``log2(n_partitions)`` bits of ``splitmix64(key)`` (a mixed hash, so that dense column ids
0, 1, 2, ... spread as evenly as hashed keys do); a partition table maps partitions to shards.

A shard stores its keys in a keyed table (:mod:`pai_algos_native.cpu.keyed_table`) whose
value rows hold the optimizer state:

- ``"sgd"``: ``(w,)``; a push of gradient ``g`` does ``w -= lr * g``;
- ``"adagrad"``: ``(w, acc)``; ``acc += g**2`` then ``w -= lr * g / (sqrt(acc) + eps)``
  (Duchi et al., 2011);
- ``"ftrl"``: ``(z, n)``, FTRL-Proximal (:func:`keyed_table.ftrl_push`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._config import JIT
from .keyed_table import _home, _probe
from .linear_sgd import MAX_DLOSS, _dloss, _loss

#: mask that keeps every bit of the mixed hash (the table's slot mix, top bits used here)
_ALL_BITS = -1

__all__ = [
    "adagrad_push",
    "group_by_range",
    "group_by_shard",
    "partition_of",
    "sgd_batch_grad",
    "sgd_push",
    "sum_by_key",
    "values_pull",
]


@njit(**JIT)
def partition_of(keys, log2_partitions, out):
    """``out[i]``: the virtual partition of ``keys[i]`` (top bits of its mixed hash)."""
    if log2_partitions == 0:
        for i in range(keys.shape[0]):
            out[i] = 0
        return
    shift = np.uint64(64 - log2_partitions)
    for i in range(keys.shape[0]):
        out[i] = np.int64(np.uint64(_home(keys[i], _ALL_BITS)) >> shift)


@njit(**JIT)
def group_by_shard(keys, log2_partitions, part_to_shard, n_shards, order, offsets):
    """Counting sort of ``keys`` by shard, stable: shard ``s`` gets
    ``keys[order[offsets[s]:offsets[s + 1]]]`` (still sorted if ``keys`` was)."""
    n = keys.shape[0]
    shard = np.empty(n, dtype=np.int64)
    part = np.empty(n, dtype=np.int64)
    partition_of(keys, log2_partitions, part)
    for s in range(n_shards + 1):
        offsets[s] = 0
    for i in range(n):
        s = part_to_shard[part[i]]
        shard[i] = s
        offsets[s + 1] += 1
    for s in range(n_shards):
        offsets[s + 1] += offsets[s]
    fill = offsets[:n_shards].copy()
    for i in range(n):
        s = shard[i]
        order[fill[s]] = i
        fill[s] += 1


@njit(**JIT)
def group_by_range(keys, size, n_shards, order, offsets):
    """Dense tables: :func:`group_by_shard` with shard ``s`` owning the indices
    ``[s * size // n_shards, (s + 1) * size // n_shards)``."""
    n = keys.shape[0]
    shard = np.empty(n, dtype=np.int64)
    for s in range(n_shards + 1):
        offsets[s] = 0
    for i in range(n):
        s = (keys[i] * n_shards) // size
        # the boundaries are floor(s * size / n_shards): fix the rounding at the edges
        while s > 0 and keys[i] < (s * size) // n_shards:
            s -= 1
        while s < n_shards - 1 and keys[i] >= ((s + 1) * size) // n_shards:
            s += 1
        shard[i] = s
        offsets[s + 1] += 1
    for s in range(n_shards):
        offsets[s + 1] += offsets[s]
    fill = offsets[:n_shards].copy()
    for i in range(n):
        s = shard[i]
        order[fill[s]] = i
        fill[s] += 1


@njit(**JIT)
def sum_by_key(keys, grads):
    """Sorted distinct keys and the summed gradients of each (ties summed in input order).

    Returns ``(unique_keys, sums)``; used to merge the pushes of several workers (BSP) and to
    pre-aggregate a worker's own pushes.
    """
    n = keys.shape[0]
    order = np.argsort(keys, kind="mergesort")
    out_keys = np.empty(n, dtype=keys.dtype)
    out = np.zeros(n, dtype=np.float64)
    m = -1
    for t in range(n):
        i = order[t]
        if m < 0 or keys[i] != out_keys[m]:
            m += 1
            out_keys[m] = keys[i]
        out[m] += grads[i]
    return out_keys[: m + 1].copy(), out[: m + 1].copy()


@njit(**JIT)
def values_pull(table_keys, table_values, keys, col, out):
    """``out[i]``: column ``col`` of the state of ``keys[i]`` (0 for keys not stored)."""
    mask = table_keys.shape[0] - 1
    for i in range(keys.shape[0]):
        s = _probe(table_keys, keys[i], mask)
        out[i] = table_values[s, col] if s >= 0 else 0.0


@njit(**JIT)
def sgd_push(table_values, slots, grads, lr):
    """Plain SGD on the shard: ``w -= lr * g`` per slot."""
    for i in range(slots.shape[0]):
        table_values[slots[i], 0] -= lr * grads[i]


@njit(**JIT)
def adagrad_push(table_values, slots, grads, lr, eps):
    """AdaGrad on the shard: ``acc += g**2``; ``w -= lr * g / (sqrt(acc) + eps)``."""
    for i in range(slots.shape[0]):
        s = slots[i]
        g = grads[i]
        table_values[s, 1] += g * g
        table_values[s, 0] -= lr * g / (np.sqrt(table_values[s, 1]) + eps)


@njit(**JIT)
def sgd_batch_grad(loss_code, loss_param, data, indptr, rows, inverse, y, s, w, with_bias, grad):
    """Summed loss and per-key gradient of a minibatch under the pulled weights ``w``, for the
    losses of SGDClassifier/SGDRegressor (codes of :data:`linear_sgd.LOSSES`).

    ``w`` and ``grad`` are indexed by local key id (``inverse``, from
    :func:`keyed_table.unique_keys`; 0 is the bias when ``with_bias``); ``s`` weighs each row
    of the full matrix. ``grad`` is overwritten with ``sum_rows s_r dloss(y_r, p_r) x_rk``.
    """
    grad[:] = 0.0
    total = 0.0
    e = 0
    for r in range(rows.shape[0]):
        i = rows[r]
        p = w[0] if with_bias else 0.0
        start = e
        for q in range(indptr[i], indptr[i + 1]):
            p += float(data[q]) * w[inverse[e]]
            e += 1
        yi = float(y[i])
        total += s[i] * _loss(loss_code, loss_param, yi, p)
        g = s[i] * min(max(_dloss(loss_code, loss_param, yi, p), -MAX_DLOSS), MAX_DLOSS)
        if with_bias:
            grad[0] += g
        e = start
        for q in range(indptr[i], indptr[i + 1]):
            grad[inverse[e]] += g * float(data[q])
            e += 1
    return total
