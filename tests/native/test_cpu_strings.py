"""pai_algos_native.cpu.strings against the plain-Python references in naive_strings."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos.text._engine import code_points
from pai_algos_native.cpu import strings as kern

from . import naive_strings as naive

ALPHABET = list("abcab XY") + ["é", "北", "京", "😀", "\u0301", "ß"]


def random_strings(rng, n, max_len=20, alphabet=ALPHABET):
    out = ["", "a"]
    for _ in range(n - 2):
        length = int(rng.integers(0, max_len + 1))
        out.append("".join(rng.choice(alphabet, size=length)))
    return out


def _pairs(rng, n_a, n_b, max_len):
    a = random_strings(rng, n_a, max_len)
    b = random_strings(rng, n_b, max_len)
    return a, b, code_points(a), code_points(b)


@pytest.mark.parametrize("max_len", [8, 64, 70, 150])
def test_levenshtein_matrix(rng, max_len):
    # max_len 64: the bit-parallel path at its full width; 70 and 150: both paths mixed
    a, b, (acp, aptr), (bcp, bptr) = _pairs(rng, 14, 11, max_len)
    a += ["x" * 64, "x" * 65]
    acp, aptr = code_points(a)
    got = kern.levenshtein_matrix(acp, aptr, bcp, bptr)
    want = np.array([[naive.levenshtein(x, y) for y in b] for x in a])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("max_len", [8, 64, 150])
def test_lcs_matrix(rng, max_len):
    a, b, (acp, aptr), (bcp, bptr) = _pairs(rng, 13, 9, max_len)
    got = kern.lcs_matrix(acp, aptr, bcp, bptr)
    want = np.array([[naive.lcs(x, y) for y in b] for x in a])
    np.testing.assert_array_equal(got, want)


def test_edit_kernels_single_and_empty_sets(rng):
    a = random_strings(rng, 3)
    acp, aptr = code_points(a)
    ecp, eptr = code_points([])
    assert kern.levenshtein_matrix(acp, aptr, ecp, eptr).shape == (3, 0)
    assert kern.lcs_matrix(ecp, eptr, acp, aptr).shape == (0, 3)
    one_cp, one_ptr = code_points([""])
    np.testing.assert_array_equal(
        kern.levenshtein_matrix(one_cp, one_ptr, acp, aptr)[0], [len(s) for s in a]
    )


def _profiles(strings, n):
    cp, ptr = code_points(strings)
    starts, ends, seg = [], [], [0]
    for i in range(len(strings)):
        a, b = int(ptr[i]), int(ptr[i + 1])
        for s in range(a, b - n + 1):
            starts.append(s)
            ends.append(s + n)
        seg.append(len(starts))
    hashes = kern.span_hashes(cp, np.array(starts, np.int64), np.array(ends, np.int64), 0)
    return hashes, np.array(seg, np.int64)


def test_span_hashes_equal_spans_equal_hashes(rng):
    s = random_strings(rng, 30, 12, alphabet=list("ab"))
    hashes, ptr = _profiles(s, 3)
    grams = [x[i : i + 3] for x in s for i in range(len(x) - 2)]
    lookup = {}
    for g, h in zip(grams, hashes.tolist()):
        assert lookup.setdefault(g, h) == h
    assert len(set(lookup.values())) == len(lookup)  # no collision on this tiny set


@pytest.mark.parametrize("metric", [0, 1])
def test_profile_matrix(rng, metric):
    n = 2
    a = random_strings(rng, 12, 15)
    b = random_strings(rng, 9, 15)
    ka, ca, pa = kern.sorted_profiles(*_profiles(a, n))
    kb, cb, pb = kern.sorted_profiles(*_profiles(b, n))
    got = kern.profile_matrix(ka, ca, pa, kb, cb, pb, metric)
    ref = naive.jaccard if metric == 0 else naive.cosine
    grams = lambda s: [s[i : i + n] for i in range(len(s) - n + 1)]  # noqa: E731
    want = np.array([[ref(grams(x), grams(y)) for y in b] for x in a])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_sorted_profiles(rng):
    hashes = rng.integers(0, 5, size=40).astype(np.uint64)
    ptr = np.array([0, 0, 7, 7, 25, 40], np.int64)
    keys, counts, out_ptr = kern.sorted_profiles(hashes, ptr)
    for i in range(5):
        seg = hashes[ptr[i] : ptr[i + 1]]
        u, c = np.unique(seg, return_counts=True)
        np.testing.assert_array_equal(keys[out_ptr[i] : out_ptr[i + 1]], u)
        np.testing.assert_array_equal(counts[out_ptr[i] : out_ptr[i + 1]], c)


def test_simhash_and_hamming(rng):
    keys = rng.integers(0, 2**63, size=50, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    keys |= rng.integers(0, 2, size=50).astype(np.uint64)
    weights = rng.integers(1, 4, size=50).astype(np.float64)
    ptr = np.array([0, 0, 1, 20, 50], np.int64)
    got = kern.simhash(keys, weights, ptr)
    want = [naive.simhash(keys[a:b], weights[a:b]) for a, b in zip(ptr[:-1], ptr[1:])]
    assert [int(g) for g in got] == want
    ham = kern.hamming_matrix(got, got)
    np.testing.assert_array_equal(
        ham, [[bin(int(x) ^ int(y)).count("1") for y in want] for x in want]
    )


def test_minhash_estimates_jaccard(rng):
    universe = rng.integers(0, 2**63, size=400, dtype=np.int64).astype(np.uint64)
    a, b = universe[:300], universe[100:400]  # Jaccard 200 / 400
    seeds = rng.integers(0, 2**63, size=512, dtype=np.int64).astype(np.uint64)
    sig = kern.minhash(np.concatenate([a, b]), np.array([0, 300, 600], np.int64), seeds)
    assert sig.dtype == np.uint64 and sig.shape == (2, 512)
    want = np.array([min(kern._fmix64(x ^ s) for x in a) for s in seeds[:5]], np.uint64)
    np.testing.assert_array_equal(sig[0, :5], want)
    est = np.mean(sig[0] == sig[1])
    # std of the estimate is sqrt(J (1 - J) / 512) = 0.022: 5 sigma
    assert abs(est - 0.5) < 0.11
    empty = kern.minhash(universe[:0], np.array([0, 0], np.int64), seeds)
    assert (empty == np.iinfo(np.uint64).max).all()


def test_band_keys_and_pairs_in_groups(rng):
    sig = rng.integers(0, 3, size=(30, 8)).astype(np.uint64)
    keys = kern.band_keys(sig, 4, 2)
    for i in range(30):
        for j in range(30):
            for band in range(4):
                same = (sig[i, 2 * band : 2 * band + 2] == sig[j, 2 * band : 2 * band + 2]).all()
                assert (keys[i, band] == keys[j, band]) == same
    order = rng.permutation(10).astype(np.int64)
    group_ptr = np.array([0, 1, 4, 4, 10], np.int64)
    first, second = kern.pairs_in_groups(order, group_ptr)
    want = set()
    for g in range(4):
        ids = order[group_ptr[g] : group_ptr[g + 1]]
        want |= {(min(x, y), max(x, y)) for k, x in enumerate(ids) for y in ids[k + 1 :]}
    assert set(zip(first.tolist(), second.tolist())) == want
    assert len(first) == len(want)


def test_pagerank_blocks_match_dense_reference(rng):
    import scipy.sparse as sp

    sizes = [1, 5, 9, 3]
    blocks, refs = [], []
    for n in sizes:
        adj = rng.random((n, n)) * (rng.random((n, n)) < 0.4)
        np.fill_diagonal(adj, 0)
        if n > 2:
            adj[0, :] = 0  # a dangling node
        blocks.append(adj)
        refs.append(naive.pagerank(adj, 0.85))
    graph = sp.block_diag(blocks, format="csr")
    graph_ptr = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=graph_ptr[1:])
    scores, n_iter = kern.pagerank(
        graph.indptr.astype(np.int64),
        graph.indices.astype(np.int64),
        graph.data.astype(np.float64),
        graph_ptr,
        0.85,
        1e-12,
        1000,
    )
    np.testing.assert_allclose(scores, np.concatenate(refs), atol=1e-10)
    for g in range(len(sizes)):
        assert abs(scores[graph_ptr[g] : graph_ptr[g + 1]].sum() - 1) < 1e-9
    assert (n_iter >= 1).all() and (n_iter < 1000).all()


def test_overlap_edges(rng):
    sentences = [sorted(set(rng.integers(0, 8, size=int(rng.integers(1, 6))))) for _ in range(9)]
    tokens = np.array([t for s in sentences for t in s], np.int64)
    sent_ptr = np.zeros(10, np.int64)
    np.cumsum([len(s) for s in sentences], out=sent_ptr[1:])
    doc_ptr = np.array([0, 4, 5, 9], np.int64)
    m = np.diff(doc_ptr)
    pair_ptr = np.zeros(4, np.int64)
    np.cumsum(m * (m - 1) // 2, out=pair_ptr[1:])
    src, dst, w = kern.overlap_edges(tokens, sent_ptr, doc_ptr, pair_ptr)
    assert len(src) == 6 + 0 + 6
    for i, j, weight in zip(src, dst, w):
        assert i < j
        assert abs(weight - naive.textrank_overlap(sentences[i], sentences[j])) < 1e-12


def test_kernel_top_n_rows_ties(rng):
    scores = rng.integers(0, 3, size=(7, 12)).astype(np.float64)
    idx, val = kern.top_n_rows(scores, 5, True)
    want = np.lexsort((np.broadcast_to(np.arange(12), scores.shape), -scores), axis=1)[:, :5]
    np.testing.assert_array_equal(idx, want)
    idx, val = kern.top_n_rows(scores, 12, False)
    want = np.lexsort((np.broadcast_to(np.arange(12), scores.shape), scores), axis=1)
    np.testing.assert_array_equal(idx, want)


@pytest.mark.parametrize("normalized", [True, False])
def test_levenshtein_top_n_is_the_sorted_matrix(rng, normalized):
    a = random_strings(rng, 15, 80)
    b = random_strings(rng, 30, 80) + ["", "", "ab"]  # ties
    (acp, aptr), (bcp, bptr) = code_points(a), code_points(b)
    lengths = np.diff(bptr)
    order = np.argsort(lengths, kind="stable").astype(np.int64)
    d = np.array([[naive.levenshtein(x, y) for y in b] for x in a], dtype=np.float64)
    if normalized:
        longest = np.maximum(np.diff(aptr)[:, None], lengths[None, :])
        score = np.where(longest > 0, 1 - d / np.maximum(longest, 1), 1.0)
        key = -score
    else:
        score = key = d
    for n in (1, 7, len(b)):
        idx, val = kern.levenshtein_top_n(acp, aptr, bcp, bptr, order, n, normalized)
        want = np.lexsort((np.broadcast_to(np.arange(len(b)), key.shape), key), axis=1)[:, :n]
        np.testing.assert_array_equal(idx, want)
        np.testing.assert_allclose(val, np.take_along_axis(score, want, axis=1), rtol=1e-15)
