"""Plain NumPy references for pai_algos_native.cpu.ranking."""

from __future__ import annotations

import numpy as np


def lambdarank(scores, gains, boundaries, sigma, truncation, normalize):
    """LightGBM's lambdarank gradients and hessians, pair by pair."""
    g = np.zeros_like(scores)
    h = np.zeros_like(scores)
    for q in range(len(boundaries) - 1):
        s, e = boundaries[q], boundaries[q + 1]
        sc, ga = scores[s:e], gains[s:e]
        ideal = np.sort(ga)[::-1][:truncation]
        max_dcg = np.sum(ideal / np.log2(2 + np.arange(ideal.size)))
        inv = 1 / max_dcg if max_dcg > 0 else 0.0
        order = np.argsort(-sc, kind="stable")
        gq, hq, total = np.zeros(e - s), np.zeros(e - s), 0.0
        for i in range(min(e - s - 1, truncation)):
            for j in range(i + 1, e - s):
                a, b = order[i], order[j]
                if ga[a] == ga[b]:
                    continue
                (hi, rh), (lo, rl) = ((a, i), (b, j)) if ga[a] > ga[b] else ((b, j), (a, i))
                delta = sc[hi] - sc[lo]
                d = (ga[hi] - ga[lo]) * abs(1 / np.log2(2 + rh) - 1 / np.log2(2 + rl)) * inv
                if normalize and sc.max() != sc.min():
                    d /= 0.01 + abs(delta)
                p = 1 / (1 + np.exp(sigma * delta))
                lam = -sigma * d * p
                gq[lo] -= lam
                gq[hi] += lam
                hq[lo] += sigma**2 * d * p * (1 - p)
                hq[hi] += sigma**2 * d * p * (1 - p)
                total -= 2 * lam
        if normalize and total > 0:
            gq *= np.log2(1 + total) / total
            hq *= np.log2(1 + total) / total
        g[s:e], h[s:e] = gq, hq
    return g, h
