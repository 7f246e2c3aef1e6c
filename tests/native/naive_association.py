"""Brute-force NumPy references for pai_algos_native.cpu.association."""

from __future__ import annotations

from itertools import combinations, product

import numpy as np


def one_hot(baskets, n_items):
    M = np.zeros((len(baskets), n_items), bool)
    for t, b in enumerate(baskets):
        M[t, list(b)] = True
    return M


def frequent_itemsets(M, min_count, max_len=None):
    """{itemset (sorted tuple of columns): count} for every subset of columns, brute force."""
    n_items = M.shape[1]
    max_len = n_items if max_len is None else max_len
    out = {}
    for k in range(1, max_len + 1):
        for cols in combinations(range(n_items), k):
            c = int(np.all(M[:, list(cols)], axis=1).sum())
            if c >= min_count:
                out[cols] = c
    return out


def rules(itemsets, n):
    """{(antecedent, consequent): (confidence, lift, leverage)} of every frequent itemset."""
    out = {}
    for s, c in itemsets.items():
        for k in range(1, len(s)):
            for a in combinations(s, k):
                cons = tuple(x for x in s if x not in a)
                conf = c / itemsets[a]
                lift = conf / (itemsets[cons] / n)
                out[(a, cons)] = (conf, lift, c / n - itemsets[a] / n * itemsets[cons] / n)
    return out


def is_subsequence(pattern, seq):
    it = iter(seq)
    return all(any(x == y for y in it) for x in pattern)


def frequent_patterns(sequences, n_items, min_count, max_len):
    """{pattern tuple: count} over every item sequence up to ``max_len``, brute force."""
    out = {}
    for k in range(1, max_len + 1):
        for pat in product(range(n_items), repeat=k):
            c = sum(is_subsequence(pat, s) for s in sequences)
            if c >= min_count:
                out[pat] = c
    return out


def recommend(baskets, rules_list, n_items, n):
    """Top-n items per basket by (confidence, lift), ties to the lower item, -1 padding."""
    items = np.full((len(baskets), n), -1)
    conf = np.full((len(baskets), n), -np.inf)
    for t, b in enumerate(baskets):
        best = {}
        for a, c, cf, lf in rules_list:
            if set(a) <= set(b):
                for i in c:
                    if i not in b and (cf, lf) > best.get(i, (-np.inf, -np.inf)):
                        best[i] = (cf, lf)
        ranked = sorted(best, key=lambda i: (-best[i][0], -best[i][1], i))[:n]
        items[t, : len(ranked)] = ranked
        conf[t, : len(ranked)] = [best[i][0] for i in ranked]
    return items, conf
