"""Plain-Python references for pai_algos_native.cpu.strings."""

from __future__ import annotations

import math

import numpy as np


def levenshtein(a, b):
    """Edit distance with unit costs (full dynamic programme)."""
    d = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    d[:, 0] = np.arange(len(a) + 1)
    d[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(
                d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (a[i - 1] != b[j - 1])
            )
    return int(d[-1, -1])


def lcs(a, b):
    """Length of the longest common subsequence."""
    d = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                d[i, j] = d[i - 1, j - 1] + 1
            else:
                d[i, j] = max(d[i - 1, j], d[i, j - 1])
    return int(d[-1, -1])


def jaccard(x, y):
    """Jaccard similarity of two sets (1 for two empty sets)."""
    x, y = set(x), set(y)
    if not x and not y:
        return 1.0
    return len(x & y) / len(x | y)


def cosine(x, y):
    """Cosine of two count vectors given as lists of features (1 for two empty lists)."""
    from collections import Counter

    cx, cy = Counter(x), Counter(y)
    if not cx and not cy:
        return 1.0
    if not cx or not cy:
        return 0.0
    dot = sum(cx[k] * cy[k] for k in cx)
    return dot / math.sqrt(sum(v * v for v in cx.values()) * sum(v * v for v in cy.values()))


def simhash(hashes, weights):
    """SimHash of 64-bit hashes with weights."""
    acc = np.zeros(64)
    for h, w in zip(hashes, weights):
        for k in range(64):
            acc[k] += w if (int(h) >> k) & 1 else -w
    return sum(1 << k for k in range(64) if acc[k] > 0)


def pagerank(adj, damping=0.85, tol=1e-12, max_iter=1000):
    """Dense weighted PageRank by power iteration; ``adj[u, v]`` the weight of ``u -> v``."""
    n = adj.shape[0]
    strength = adj.sum(axis=1)
    x = np.full(n, 1.0 / n)
    trans = np.divide(adj, strength[:, None], out=np.zeros_like(adj), where=strength[:, None] > 0)
    for _ in range(max_iter):
        dangling = x[strength <= 0].sum()
        new = (1 - damping) / n + damping * (trans.T @ x + dangling / n)
        if np.abs(new - x).sum() < n * tol:
            return new
        x = new
    return x


def textrank_overlap(s1, s2):
    """Mihalcea and Tarau's sentence similarity on two sets of tokens."""
    common = len(set(s1) & set(s2))
    if common == 0:
        return 0.0
    den = math.log(len(set(s1))) + math.log(len(set(s2)))
    return common / (den if den > 0 else 1.0)
