"""Plain NumPy references for pai_algos_native.cpu.ps."""

from __future__ import annotations

import numpy as np

M64 = (1 << 64) - 1


def splitmix64(key: int) -> int:
    z = (int(key) + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def partition_of(keys, log2_partitions):
    if log2_partitions == 0:
        return np.zeros(len(keys), dtype=np.int64)
    return np.array(
        [splitmix64(int(k) & M64) >> (64 - log2_partitions) for k in keys], dtype=np.int64
    )


def sum_by_key(keys, grads):
    out = {}
    for k, g in zip(keys.tolist(), grads.tolist()):
        out[k] = out.get(k, 0.0) + g
    ks = np.array(sorted(out), dtype=np.int64)
    return ks, np.array([out[k] for k in ks.tolist()])


def adagrad(w, acc, g, lr, eps):
    acc = acc + g * g
    return w - lr * g / (np.sqrt(acc) + eps), acc
