"""Plain-Python references for :mod:`pai_algos_native.cpu.keyed_table`: a dict is the table."""

from __future__ import annotations

import math

import numpy as np

MASK64 = (1 << 64) - 1


def splitmix64(key: int) -> int:
    """splitmix64 finalizer of a 64-bit key (Python ints, wrapped to 64 bits)."""
    z = (key + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def home_slot(key: int, capacity: int) -> int:
    return splitmix64(key & MASK64) & (capacity - 1)


def ftrl_weight(z, n, alpha, beta, l1, l2):
    if abs(z) <= l1:
        return 0.0
    return -(z - math.copysign(l1, z)) / ((beta + math.sqrt(n)) / alpha + l2)


class NaiveFTRLTable:
    """key -> [z, n] in a dict; the FTRL-Proximal update of McMahan et al. (2013), Alg. 1."""

    def __init__(self, alpha, beta, l1, l2):
        self.params = (alpha, beta, l1, l2)
        self.state = {}

    def weight(self, key):
        z, n = self.state.get(int(key), (0.0, 0.0))
        return ftrl_weight(z, n, *self.params)

    def pull(self, keys):
        return np.array([self.weight(k) for k in keys], dtype=np.float64)

    def push(self, keys, grads):
        alpha = self.params[0]
        for k, g in zip(keys, grads, strict=True):
            z, n = self.state.get(int(k), (0.0, 0.0))
            w = ftrl_weight(z, n, *self.params)
            sigma = (math.sqrt(n + g * g) - math.sqrt(n)) / alpha
            self.state[int(k)] = (z + g - sigma * w, n + g * g)


def sigmoid(m):
    return 1.0 / (1.0 + math.exp(-m)) if m >= 0 else math.exp(m) / (1.0 + math.exp(m))


def ftrl_per_sample(X, y, alpha, beta, l1, l2, fit_intercept=True, passes=1, bias_key=-2):
    """Algorithm 1 row by row on a CSR matrix (y in {0, 1}); returns the NaiveFTRLTable."""
    table = NaiveFTRLTable(alpha, beta, l1, l2)
    for _ in range(passes):
        for i in range(X.shape[0]):
            lo, hi = X.indptr[i], X.indptr[i + 1]
            keys = [int(k) for k in X.indices[lo:hi]]
            values = [float(v) for v in X.data[lo:hi]]
            if fit_intercept:
                keys.insert(0, bias_key)
                values.insert(0, 1.0)
            m = sum(v * table.weight(k) for k, v in zip(keys, values, strict=True))
            g = sigmoid(m) - float(y[i])
            table.push(keys, [g * v for v in values])
    return table


def unique_keys(indices, indptr, rows, with_bias, bias_key=-2):
    """np.unique reference of the minibatch key set and inverse."""
    entries = np.concatenate([indices[indptr[r] : indptr[r + 1]] for r in rows])
    keys, inverse = np.unique(entries, return_inverse=True)
    if with_bias:
        keys = np.concatenate([[bias_key], keys])
        inverse = inverse + 1
    return keys.astype(np.int64), inverse.astype(np.int64)
