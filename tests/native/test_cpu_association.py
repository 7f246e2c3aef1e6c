"""pai_algos_native.cpu.association against the brute-force references in naive_association."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import association as K

from . import naive_association as naive


def _csr(rows):
    indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
    flat = np.asarray([x for r in rows for x in r], dtype=np.int64)
    return indptr, flat


def _baskets(rng, n, n_items):
    p = rng.uniform(0.1, 0.7, n_items)
    M = rng.random((n, n_items)) < p
    return [np.flatnonzero(row).tolist() for row in M]


def _mine(baskets, n_items, min_count, max_len):
    """Relabel the frequent items by descending count as fpgrowth expects; return {set: count}."""
    counts = np.bincount([i for b in baskets for i in b], minlength=n_items)
    freq = np.flatnonzero(counts >= min_count)
    order = freq[np.argsort(-counts[freq], kind="stable")]
    rank = {int(i): r for r, i in enumerate(order)}
    rows = [sorted(rank[i] for i in b if i in rank) for b in baskets]
    indptr, items = _csr(rows)
    s_indptr, s_items, s_counts = K.fpgrowth(indptr, items, len(order), min_count, max_len)
    out = {}
    for k in range(len(s_counts)):
        ranks = s_items[s_indptr[k] : s_indptr[k + 1]]
        assert np.all(np.diff(ranks) > 0)
        out[tuple(sorted(order[ranks].tolist()))] = int(s_counts[k])
    return out


@pytest.mark.parametrize("n, n_items, min_count, max_len", [
    (200, 8, 20, 8), (60, 10, 3, 4), (1, 5, 1, 5), (30, 6, 31, 6), (100, 7, 10, 1),
])  # fmt: skip
def test_fpgrowth_matches_brute_force(rng, n, n_items, min_count, max_len):
    baskets = _baskets(rng, n, n_items)
    got = _mine(baskets, n_items, min_count, max_len)
    ref = naive.frequent_itemsets(naive.one_hot(baskets, n_items), min_count, max_len)
    assert got == ref


def test_fpgrowth_identical_and_empty_baskets(rng):
    baskets = [[0, 1, 2]] * 5 + [[]] * 3 + [[1]]
    got = _mine(baskets, 3, 5, 3)
    assert got == {(0,): 5, (1,): 6, (2,): 5, (0, 1): 5, (0, 2): 5, (1, 2): 5, (0, 1, 2): 5}


@pytest.mark.parametrize("n, n_items, min_count, max_len", [
    (40, 4, 8, 4), (25, 3, 2, 3), (1, 3, 1, 3), (30, 5, 31, 3),
])  # fmt: skip
def test_prefixspan_matches_brute_force(rng, n, n_items, min_count, max_len):
    seqs = [rng.integers(0, n_items, size=rng.integers(0, 7)).tolist() for _ in range(n)]
    indptr, items = _csr(seqs)
    p_indptr, p_items, p_counts = K.prefixspan(indptr, items, n_items, min_count, max_len)
    got = {
        tuple(p_items[p_indptr[k] : p_indptr[k + 1]].tolist()): int(p_counts[k])
        for k in range(len(p_counts))
    }
    assert len(got) == len(p_counts)  # no pattern twice
    assert got == naive.frequent_patterns(seqs, n_items, min_count, max_len)


def test_contains_itemsets_and_patterns(rng):
    baskets = _baskets(rng, 50, 6)
    sets = [[0], [1, 3], [0, 2, 5], []]
    indptr, items = _csr(baskets)
    s_indptr, s_items = _csr(sets)
    out = np.zeros((50, 4), np.uint8)
    K.contains_itemsets(indptr, items, s_indptr, s_items, 6, out)
    ref = [[set(s) <= set(b) for s in sets] for b in baskets]
    np.testing.assert_array_equal(out, ref)

    seqs = [rng.integers(0, 4, size=rng.integers(0, 8)).tolist() for _ in range(50)]
    pats = [[0], [1, 1], [2, 0, 3], [3, 2]]
    indptr, items = _csr(seqs)
    q_indptr, q_items = _csr(pats)
    out = np.zeros((50, 4), np.uint8)
    K.contains_patterns(indptr, items, q_indptr, q_items, out)
    ref = [[naive.is_subsequence(p, s) for p in pats] for s in seqs]
    np.testing.assert_array_equal(out, ref)


def test_recommend_from_rules(rng):
    n_items = 7
    rules = []
    for _ in range(25):
        a = sorted(rng.choice(n_items, size=rng.integers(1, 3), replace=False).tolist())
        rest = [i for i in range(n_items) if i not in a]
        c = sorted(rng.choice(rest, size=rng.integers(1, 3), replace=False).tolist())
        # coarse values so that ties in confidence (broken by lift) and in both occur
        rules.append((a, c, float(rng.integers(1, 4)) / 4, float(rng.integers(1, 3))))
    baskets = _baskets(rng, 40, n_items) + [[]]
    indptr, items = _csr(baskets)
    a_indptr, a_items = _csr([r[0] for r in rules])
    c_indptr, c_items = _csr([r[1] for r in rules])
    conf = np.array([r[2] for r in rules])
    lift = np.array([r[3] for r in rules])
    n = 4
    out_items = np.empty((len(baskets), n), np.int64)
    out_conf, out_lift = np.empty((len(baskets), n)), np.empty((len(baskets), n))
    K.recommend_from_rules(
        indptr, items, a_indptr, a_items, c_indptr, c_items, conf, lift, n_items, n,
        out_items, out_conf, out_lift,
    )  # fmt: skip
    ref_items, ref_conf = naive.recommend(baskets, rules, n_items, n)
    np.testing.assert_array_equal(out_items, ref_items)
    np.testing.assert_array_equal(out_conf, ref_conf)
