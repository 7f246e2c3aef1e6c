"""CPU kernels for strings: edit distances, n-gram profiles, SimHash, MinHash and PageRank.

Strings travel as code points: one int64 stream ``cp`` and ``ptr`` (int64, one more than the
number of strings), string ``i`` being ``cp[ptr[i]:ptr[i + 1]]``. Sets of features (hashed
n-grams, shingles) travel the same way as uint64 hashes.

* :func:`levenshtein_matrix` and :func:`lcs_matrix` compare every string of one set with every
  string of another, rows in parallel. A row string of at most 64 code points uses the
  bit-parallel algorithms (Myers, 1999, in Hyyrö's 2001 formulation for the edit distance;
  Allison and Dix, 1986, for the longest common subsequence): one 64-bit word per column
  instead of a column of the dynamic programme. Longer strings use the two-row dynamic
  programme.
* :func:`span_hashes` hashes spans of a stream (character n-grams over code points, word
  shingles over token hashes) with the 64-bit finalizer of MurmurHash3 (shared with
  :mod:`pai_algos_native.cpu.text`).
* :func:`sorted_profiles` turns per-string hash lists into sorted (hash, count) profiles;
  :func:`profile_matrix` gives their Jaccard (sets) or cosine (counts) similarities.
* :func:`simhash` (Charikar, 2002) and :func:`hamming_matrix`; :func:`minhash` (Broder, 1997)
  with one bijective 64-bit mixer per permutation, :func:`band_keys` and
  :func:`pairs_in_groups` for locality-sensitive hashing.
* :func:`levenshtein_top_n`: the best ``n`` matches by edit distance without the matrix,
  pruned by the length bound ``d >= |len(a) - len(b)|``.
* :func:`top_n_rows`: the best ``n`` entries of each row of a score matrix, rows in parallel.
* :func:`pagerank`: weighted PageRank by power iteration on a block-diagonal CSR graph, one
  block per document, blocks in parallel (TextRank's ranking step; a plain graph is one block).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL
from .text import _fmix64

__all__ = [
    "band_keys",
    "hamming_matrix",
    "lcs_matrix",
    "levenshtein_matrix",
    "levenshtein_top_n",
    "minhash",
    "overlap_edges",
    "pagerank",
    "pair_jaccard",
    "pairs_in_groups",
    "profile_matrix",
    "simhash",
    "sorted_profiles",
    "span_hashes",
    "top_n_rows",
]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WORD = 64  # bits of the bit-parallel column


# --------------------------------------------------------------------------- bit-parallel tables
@njit(**JIT)
def _build_peq(cp, a0, a1, table, keys, masks):
    """Match masks of the pattern ``cp[a0:a1]`` (at most 64 code points).

    Code points below 256 index ``table``; others live in the short list ``keys``/``masks``.
    Returns the length of that list.
    """
    n_keys = 0
    bit = _ONE
    for i in range(a0, a1):
        c = cp[i]
        if c < 256:
            table[c] |= bit
        else:
            found = False
            for k in range(n_keys):
                if keys[k] == c:
                    masks[k] |= bit
                    found = True
                    break
            if not found:
                keys[n_keys] = c
                masks[n_keys] = bit
                n_keys += 1
        bit = bit << _ONE
    return n_keys


@njit(**JIT)
def _peq_wide(c, keys, masks, n_keys):
    """Match mask of a code point >= 256 (the short list; the table holds the others)."""
    for k in range(n_keys):
        if keys[k] == c:
            return masks[k]
    return _ZERO


@njit(**JIT)
def _popcount(x):
    x = x - ((x >> _ONE) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


# --------------------------------------------------------------------------- Levenshtein
@njit(**JIT)
def _levenshtein_bits(m, cp, b0, b1, table, keys, masks, n_keys):
    """Edit distance of a pattern of length ``1 <= m <= 64`` (its masks given) and ``cp[b0:b1]``."""
    pv = _ALL
    mv = _ZERO
    last = _ONE << np.uint64(m - 1)
    score = m
    for j in range(b0, b1):
        c = cp[j]
        # the table lookup inline: a call per character costs several times the step itself
        eq = table[c] if c < 256 else _peq_wide(c, keys, masks, n_keys)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        score += np.int64((ph & last) != _ZERO) - np.int64((mh & last) != _ZERO)
        ph = (ph << _ONE) | _ONE
        mh = mh << _ONE
        pv = mh | ~(xv | ph)
        mv = ph & xv
    return score


@njit(**JIT)
def _levenshtein_dp(cp, a0, a1, b0, b1, row):
    n = b1 - b0
    for j in range(n + 1):
        row[j] = j
    for i in range(a0, a1):
        diag = row[0]
        row[0] = i - a0 + 1
        ca = cp[i]
        for j in range(1, n + 1):
            up = row[j]
            v = diag + (0 if cp[b0 + j - 1] == ca else 1)
            if up + 1 < v:
                v = up + 1
            if row[j - 1] + 1 < v:
                v = row[j - 1] + 1
            row[j] = v
            diag = up
    return row[n]


@njit(**JIT)
def _max_length(ptr):
    m = 0
    for i in range(ptr.shape[0] - 1):
        m = max(m, ptr[i + 1] - ptr[i])
    return m


@njit(**JIT_PARALLEL)
def levenshtein_matrix(a_cp, a_ptr, b_cp, b_ptr):
    """Levenshtein distances (unit costs) between every string of A and every string of B.

    Parameters
    ----------
    a_cp, b_cp : ndarray of int64
        Code points of the strings one after another.
    a_ptr, b_ptr : ndarray of int64 of shape (n + 1,)
        String boundaries.

    Returns
    -------
    dist : ndarray of int64 of shape (n_a, n_b)
    """
    n_a = a_ptr.shape[0] - 1
    n_b = b_ptr.shape[0] - 1
    out = np.empty((n_a, n_b), np.int64)
    # one buffer array holding both sets, so that the pattern and the text share an index space
    cp = np.concatenate((a_cp, b_cp))
    off = a_cp.shape[0]
    width = _max_length(b_ptr) + 1
    for i in prange(n_a):
        a0 = a_ptr[i]
        a1 = a_ptr[i + 1]
        m = a1 - a0
        if m == 0:
            for j in range(n_b):
                out[i, j] = b_ptr[j + 1] - b_ptr[j]
        elif m <= _WORD:
            table = np.zeros(256, np.uint64)
            keys = np.empty(_WORD, np.int64)
            masks = np.empty(_WORD, np.uint64)
            n_keys = _build_peq(cp, a0, a1, table, keys, masks)
            for j in range(n_b):
                out[i, j] = _levenshtein_bits(
                    m, cp, off + b_ptr[j], off + b_ptr[j + 1], table, keys, masks, n_keys
                )
        else:
            row = np.empty(width, np.int64)
            for j in range(n_b):
                out[i, j] = _levenshtein_dp(cp, a0, a1, off + b_ptr[j], off + b_ptr[j + 1], row)
    return out


# --------------------------------------------------------------------------- LCS
@njit(**JIT)
def _lcs_bits(m, cp, b0, b1, table, keys, masks, n_keys):
    s = _ALL
    for j in range(b0, b1):
        c = cp[j]
        u = s & (table[c] if c < 256 else _peq_wide(c, keys, masks, n_keys))
        s = (s + u) | (s - u)
    mask = _ALL if m == _WORD else (_ONE << np.uint64(m)) - _ONE
    return _popcount(~s & mask)


@njit(**JIT)
def _lcs_dp(cp, a0, a1, b0, b1, row):
    n = b1 - b0
    for j in range(n + 1):
        row[j] = 0
    for i in range(a0, a1):
        diag = 0
        ca = cp[i]
        for j in range(1, n + 1):
            up = row[j]
            if cp[b0 + j - 1] == ca:
                row[j] = diag + 1
            elif row[j - 1] > up:
                row[j] = row[j - 1]
            diag = up
    return row[n]


@njit(**JIT_PARALLEL)
def lcs_matrix(a_cp, a_ptr, b_cp, b_ptr):
    """Lengths of the longest common subsequences of every pair of strings of A and B.

    Same layout as :func:`levenshtein_matrix`; returns int64 of shape (n_a, n_b).
    """
    n_a = a_ptr.shape[0] - 1
    n_b = b_ptr.shape[0] - 1
    out = np.empty((n_a, n_b), np.int64)
    cp = np.concatenate((a_cp, b_cp))
    off = a_cp.shape[0]
    width = _max_length(b_ptr) + 1
    for i in prange(n_a):
        a0 = a_ptr[i]
        a1 = a_ptr[i + 1]
        m = a1 - a0
        if m == 0:
            for j in range(n_b):
                out[i, j] = 0
        elif m <= _WORD:
            table = np.zeros(256, np.uint64)
            keys = np.empty(_WORD, np.int64)
            masks = np.empty(_WORD, np.uint64)
            n_keys = _build_peq(cp, a0, a1, table, keys, masks)
            for j in range(n_b):
                out[i, j] = _lcs_bits(
                    m, cp, off + b_ptr[j], off + b_ptr[j + 1], table, keys, masks, n_keys
                )
        else:
            row = np.empty(width, np.int64)
            for j in range(n_b):
                out[i, j] = _lcs_dp(cp, a0, a1, off + b_ptr[j], off + b_ptr[j + 1], row)
    return out


# --------------------------------------------------------------------------- hashed features
@njit(**JIT)
def _combine(h, x):
    return _fmix64(h ^ (np.uint64(x) + _GOLDEN + (h << np.uint64(6)) + (h >> np.uint64(2))))


@njit(**JIT_PARALLEL)
def span_hashes(stream, starts, ends, seed):
    """64-bit hash of each span ``stream[starts[t]:ends[t]]`` of an int64 stream.

    The hash folds the elements with MurmurHash3's 64-bit finalizer, so equal spans get equal
    hashes whatever the buffer they sit in (unlike interned ids, it is stable across calls).
    """
    n = starts.shape[0]
    out = np.empty(n, np.uint64)
    s = np.uint64(seed)
    for t in prange(n):
        h = _fmix64(s ^ np.uint64(ends[t] - starts[t]))
        for k in range(starts[t], ends[t]):
            h = _combine(h, stream[k])
        out[t] = h
    return out


@njit(**JIT_PARALLEL)
def sorted_profiles(hashes, ptr):
    """Sorted distinct hashes of each segment with their counts: ``(keys, counts, out_ptr)``."""
    n = ptr.shape[0] - 1
    work = hashes.copy()
    n_unique = np.zeros(n, np.int64)
    for i in prange(n):
        a = ptr[i]
        b = ptr[i + 1]
        if b > a:
            work[a:b] = np.sort(work[a:b])
            c = 1
            for k in range(a + 1, b):
                if work[k] != work[k - 1]:
                    c += 1
            n_unique[i] = c
    out_ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        out_ptr[i + 1] = out_ptr[i] + n_unique[i]
    keys = np.empty(out_ptr[n], np.uint64)
    counts = np.zeros(out_ptr[n], np.int64)
    for i in prange(n):
        t = out_ptr[i] - 1
        for k in range(ptr[i], ptr[i + 1]):
            if k == ptr[i] or work[k] != work[k - 1]:
                t += 1
                keys[t] = work[k]
            counts[t] += 1
    return keys, counts, out_ptr


@njit(**JIT)
def _profile_score(ka, ca, a0, a1, kb, cb, b0, b1, metric, na, nb):
    if a1 == a0 and b1 == b0:
        return 1.0
    if a1 == a0 or b1 == b0:
        return 0.0
    i = a0
    j = b0
    common = 0
    dot = 0.0
    while i < a1 and j < b1:
        if ka[i] == kb[j]:
            common += 1
            dot += float(ca[i]) * float(cb[j])
            i += 1
            j += 1
        elif ka[i] < kb[j]:
            i += 1
        else:
            j += 1
    if metric == 0:
        return common / ((a1 - a0) + (b1 - b0) - common)
    return dot / (na * nb)


@njit(**JIT)
def _norms(counts, ptr):
    n = ptr.shape[0] - 1
    out = np.zeros(n, np.float64)
    for i in range(n):
        s = 0.0
        for k in range(ptr[i], ptr[i + 1]):
            s += float(counts[k]) * float(counts[k])
        out[i] = np.sqrt(s)
    return out


@njit(**JIT_PARALLEL)
def profile_matrix(ka, ca, pa, kb, cb, pb, metric):
    """Similarities of every pair of profiles (from :func:`sorted_profiles`) of A and B.

    ``metric`` 0: Jaccard of the sets of keys; 1: cosine of the count vectors. Two empty
    profiles have similarity 1, one empty profile 0. Returns float64 of shape (n_a, n_b).
    """
    n_a = pa.shape[0] - 1
    n_b = pb.shape[0] - 1
    na = _norms(ca, pa)
    nb = _norms(cb, pb)
    out = np.empty((n_a, n_b), np.float64)
    for i in prange(n_a):
        for j in range(n_b):
            out[i, j] = _profile_score(
                ka, ca, pa[i], pa[i + 1], kb, cb, pb[j], pb[j + 1], metric, na[i], nb[j]
            )
    return out


# --------------------------------------------------------------------------- SimHash
@njit(**JIT_PARALLEL)
def simhash(keys, weights, ptr):
    """64-bit SimHash fingerprint of each weighted feature set (Charikar, 2002).

    Bit ``k`` of the fingerprint is set when the weights of the features whose hash has bit
    ``k`` set outweigh the others. An empty set gives 0.
    """
    n = ptr.shape[0] - 1
    out = np.zeros(n, np.uint64)
    for i in prange(n):
        acc = np.zeros(_WORD, np.float64)
        for t in range(ptr[i], ptr[i + 1]):
            h = keys[t]
            w = float(weights[t])
            for k in range(_WORD):
                if (h >> np.uint64(k)) & _ONE:
                    acc[k] += w
                else:
                    acc[k] -= w
        f = _ZERO
        for k in range(_WORD):
            if acc[k] > 0.0:
                f |= _ONE << np.uint64(k)
        out[i] = f
    return out


@njit(**JIT_PARALLEL)
def hamming_matrix(fa, fb):
    """Hamming distances between every pair of 64-bit fingerprints (int64, (n_a, n_b))."""
    out = np.empty((fa.shape[0], fb.shape[0]), np.int64)
    for i in prange(fa.shape[0]):
        for j in range(fb.shape[0]):
            out[i, j] = _popcount(fa[i] ^ fb[j])
    return out


# --------------------------------------------------------------------------- MinHash and LSH
@njit(**JIT_PARALLEL)
def minhash(keys, ptr, seeds):
    """MinHash signatures: ``sig[i, p] = min over the features x of set i of h_p(x)``.

    ``h_p(x) = fmix64(x ^ seeds[p])`` is a bijection of the 64-bit words for each ``p``, so each
    one orders the features like a random permutation. An empty set gives all ones (the
    largest uint64).
    """
    n = ptr.shape[0] - 1
    n_perm = seeds.shape[0]
    out = np.empty((n, n_perm), np.uint64)
    for i in prange(n):
        for p in range(n_perm):
            out[i, p] = _ALL
        for t in range(ptr[i], ptr[i + 1]):
            x = keys[t]
            for p in range(n_perm):
                h = _fmix64(x ^ seeds[p])
                if h < out[i, p]:
                    out[i, p] = h
    return out


@njit(**JIT_PARALLEL)
def band_keys(signatures, bands, rows):
    """Hash of each band (``rows`` consecutive signature values) of each signature."""
    n = signatures.shape[0]
    out = np.empty((n, bands), np.uint64)
    for i in prange(n):
        for b in range(bands):
            h = np.uint64(b)
            for r in range(b * rows, (b + 1) * rows):
                h = _combine(h, signatures[i, r])
            out[i, b] = h
    return out


@njit(**JIT_PARALLEL)
def pairs_in_groups(order, group_ptr):
    """All pairs ``(min, max)`` of the ids ``order[group_ptr[g]:group_ptr[g + 1]]`` of each group.

    Returns two int64 arrays; groups of one id give nothing.
    """
    n_groups = group_ptr.shape[0] - 1
    out_ptr = np.zeros(n_groups + 1, np.int64)
    for g in range(n_groups):
        m = group_ptr[g + 1] - group_ptr[g]
        out_ptr[g + 1] = out_ptr[g] + m * (m - 1) // 2
    first = np.empty(out_ptr[n_groups], np.int64)
    second = np.empty(out_ptr[n_groups], np.int64)
    for g in prange(n_groups):
        t = out_ptr[g]
        for u in range(group_ptr[g], group_ptr[g + 1]):
            for v in range(u + 1, group_ptr[g + 1]):
                x = order[u]
                y = order[v]
                first[t] = min(x, y)
                second[t] = max(x, y)
                t += 1
    return first, second


# --------------------------------------------------------------------------- graphs
@njit(**JIT_PARALLEL)
def overlap_edges(tokens, sent_ptr, doc_ptr, pair_ptr):
    """Sentence-similarity edges of TextRank for summaries (Mihalcea and Tarau, 2004, eq. 2).

    ``w(i, j) = |S_i & S_j| / (log |S_i| + log |S_j|)`` for every pair of sentences of a
    document, ``S_i`` the sorted distinct token ids ``tokens[sent_ptr[i]:sent_ptr[i + 1]]``.
    When the denominator is 0 (two one-word sentences) it is taken as 1.

    Parameters
    ----------
    tokens : ndarray of int64
    sent_ptr : ndarray of int64 of shape (n_sentences + 1,)
    doc_ptr : ndarray of int64 of shape (n_documents + 1,)
        Document ``d`` holds the sentences ``doc_ptr[d]:doc_ptr[d + 1]``.
    pair_ptr : ndarray of int64 of shape (n_documents + 1,)
        Cumulative ``m_d (m_d - 1) / 2`` for the ``m_d`` sentences of each document.

    Returns
    -------
    src, dst : ndarray of int64 of shape (pair_ptr[-1],)
        Global sentence indices, ``src < dst``.
    weight : ndarray of float64 of shape (pair_ptr[-1],)
    """
    n_docs = doc_ptr.shape[0] - 1
    n_pairs = pair_ptr[n_docs]
    src = np.empty(n_pairs, np.int64)
    dst = np.empty(n_pairs, np.int64)
    weight = np.empty(n_pairs, np.float64)
    for d in prange(n_docs):
        t = pair_ptr[d]
        for i in range(doc_ptr[d], doc_ptr[d + 1]):
            li = sent_ptr[i + 1] - sent_ptr[i]
            for j in range(i + 1, doc_ptr[d + 1]):
                lj = sent_ptr[j + 1] - sent_ptr[j]
                a = sent_ptr[i]
                b = sent_ptr[j]
                common = 0
                while a < sent_ptr[i + 1] and b < sent_ptr[j + 1]:
                    if tokens[a] == tokens[b]:
                        common += 1
                        a += 1
                        b += 1
                    elif tokens[a] < tokens[b]:
                        a += 1
                    else:
                        b += 1
                w = 0.0
                if common > 0:
                    den = np.log(li) + np.log(lj)
                    w = common / (den if den > 0.0 else 1.0)
                src[t] = i
                dst[t] = j
                weight[t] = w
                t += 1
    return src, dst, weight


@njit(**JIT)
def _pagerank_block(indptr, indices, weights, a, b, damping, tol, max_iter, x, y, strength):
    n = b - a
    for u in range(a, b):
        s = 0.0
        for k in range(indptr[u], indptr[u + 1]):
            s += weights[k]
        strength[u] = s
        x[u] = 1.0 / n
    it = 0
    while it < max_iter:
        it += 1
        dangling = 0.0
        for u in range(a, b):
            y[u] = 0.0
            if strength[u] <= 0.0:
                dangling += x[u]
        for u in range(a, b):
            if strength[u] > 0.0:
                share = x[u] / strength[u]
                for k in range(indptr[u], indptr[u + 1]):
                    y[indices[k]] += share * weights[k]
        base = (1.0 - damping) / n + damping * dangling / n
        err = 0.0
        for u in range(a, b):
            v = base + damping * y[u]
            err += abs(v - x[u])
            x[u] = v
        if err < n * tol:
            break
    return it


@njit(**JIT_PARALLEL)
def pagerank(indptr, indices, weights, graph_ptr, damping, tol, max_iter):
    """Weighted PageRank of each block of a block-diagonal graph, by power iteration.

    ``x <- (1 - d) / n + d (W^T D^-1 x + (dangling mass) / n)``, ``W`` the CSR adjacency
    (row ``u`` lists the edges ``u -> v``), ``D`` the out-strengths, started from the uniform
    vector and stopped when the L1 change is below ``n * tol`` (NetworkX's rule) or after
    ``max_iter`` sweeps. Nodes without out-edges spread their score uniformly.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        CSR structure over all nodes; edges never leave their block.
    weights : ndarray of float64
        Non-negative edge weights.
    graph_ptr : ndarray of int64 of shape (n_graphs + 1,)
        Block ``g`` holds the nodes ``graph_ptr[g]:graph_ptr[g + 1]``.
    damping : float
    tol : float
    max_iter : int

    Returns
    -------
    scores : ndarray of float64 of shape (n_nodes,)
        Each block sums to 1.
    n_iter : ndarray of int64 of shape (n_graphs,)
    """
    n_nodes = indptr.shape[0] - 1
    n_graphs = graph_ptr.shape[0] - 1
    x = np.zeros(n_nodes, np.float64)
    y = np.zeros(n_nodes, np.float64)
    strength = np.zeros(n_nodes, np.float64)
    n_iter = np.zeros(n_graphs, np.int64)
    for g in prange(n_graphs):
        a = graph_ptr[g]
        b = graph_ptr[g + 1]
        if b > a:
            n_iter[g] = _pagerank_block(
                indptr, indices, weights, a, b, damping, tol, max_iter, x, y, strength
            )
    return x, n_iter


# --------------------------------------------------------------------------- top n
@njit(**JIT_PARALLEL)
def top_n_rows(scores, n, largest):
    """The ``n`` best entries of each row, best first; ties go to the smaller column.

    Parameters
    ----------
    scores : ndarray of shape (n_rows, n_cols)
    n : int
        At most ``n_cols``.
    largest : bool
        Whether the best are the largest (similarities) or the smallest (distances).

    Returns
    -------
    indices : ndarray of int64 of shape (n_rows, n)
    values : ndarray of float64 of shape (n_rows, n)
    """
    n_rows, n_cols = scores.shape
    idx = np.empty((n_rows, n), np.int64)
    val = np.empty((n_rows, n), np.float64)
    sign = 1.0 if largest else -1.0
    for i in prange(n_rows):
        filled = 0
        for j in range(n_cols):
            v = sign * float(scores[i, j])
            if filled == n and v <= val[i, n - 1]:
                continue
            # insertion into the sorted buffer; equal values keep the earlier column first
            p = filled if filled < n else n - 1
            while p > 0 and val[i, p - 1] < v:
                val[i, p] = val[i, p - 1]
                idx[i, p] = idx[i, p - 1]
                p -= 1
            val[i, p] = v
            idx[i, p] = j
            if filled < n:
                filled += 1
        for p in range(n):
            val[i, p] *= sign
    return idx, val


@njit(**JIT_PARALLEL)
def pair_jaccard(keys, ptr, first, second):
    """Exact Jaccard index of the sorted key sets ``first[t]`` and ``second[t]`` (float64)."""
    n = first.shape[0]
    out = np.empty(n, np.float64)
    for t in prange(n):
        i = first[t]
        j = second[t]
        out[t] = _profile_score(
            keys, keys, ptr[i], ptr[i + 1], keys, keys, ptr[j], ptr[j + 1], 0, 1.0, 1.0
        )
    return out


@njit(**JIT)
def _better(g1, i1, g2, i2):
    return g1 > g2 or (g1 == g2 and i1 < i2)


@njit(**JIT)
def _edit_goodness(d, la, lb, normalized):
    if not normalized:
        return -float(d)
    longest = max(la, lb)
    if longest == 0:
        return 1.0
    return 1.0 - d / float(longest)


@njit(**JIT_PARALLEL)
def levenshtein_top_n(a_cp, a_ptr, b_cp, b_ptr, b_order, n, normalized):
    """The ``n`` strings of B closest to each string of A by edit distance, without the matrix.

    B is visited in order of length distance from the query, up and down from its length,
    and a direction stops as soon as the length bound ``d >= |len(a) - len(b)|`` says no
    remaining string can enter the top ``n``; the result is the same as sorting a row of
    :func:`levenshtein_matrix` (ties: smaller index of B first).

    Parameters
    ----------
    a_cp, a_ptr, b_cp, b_ptr : ndarray of int64
        As for :func:`levenshtein_matrix`.
    b_order : ndarray of int64 of shape (n_b,)
        The indices of B sorted by length (stable).
    n : int
        At most ``n_b``.
    normalized : bool
        Rank and return ``1 - d / max(len)`` (True) or the distance ``d`` (False).

    Returns
    -------
    indices : ndarray of int64 of shape (n_a, n)
    values : ndarray of float64 of shape (n_a, n)
    """
    n_a = a_ptr.shape[0] - 1
    n_b = b_ptr.shape[0] - 1
    cp = np.concatenate((a_cp, b_cp))
    off = a_cp.shape[0]
    lengths = np.empty(n_b, np.int64)
    for t in range(n_b):
        lengths[t] = b_ptr[b_order[t] + 1] - b_ptr[b_order[t]]
    width = _max_length(b_ptr) + 1
    idx = np.empty((n_a, n), np.int64)
    val = np.empty((n_a, n), np.float64)
    for i in prange(n_a):
        a0 = a_ptr[i]
        a1 = a_ptr[i + 1]
        m = a1 - a0
        table = np.zeros(256, np.uint64)
        keys = np.empty(_WORD, np.int64)
        masks = np.empty(_WORD, np.uint64)
        row = np.empty(width, np.int64)
        n_keys = 0
        if 0 < m <= _WORD:
            n_keys = _build_peq(cp, a0, a1, table, keys, masks)
        start = np.searchsorted(lengths, m)
        filled = 0
        for direction in range(2):
            t = start if direction == 0 else start - 1
            while 0 <= t < n_b:
                lb = lengths[t]
                j = b_order[t]
                t = t + 1 if direction == 0 else t - 1
                bound = _edit_goodness(abs(m - lb), m, lb, normalized)
                if filled == n and bound < val[i, n - 1]:
                    break  # every string further in this direction is worse
                if filled == n and not _better(bound, j, val[i, n - 1], idx[i, n - 1]):
                    continue
                b0 = off + b_ptr[j]
                b1 = off + b_ptr[j + 1]
                if m == 0:
                    d = lb
                elif m <= _WORD:
                    d = _levenshtein_bits(m, cp, b0, b1, table, keys, masks, n_keys)
                else:
                    d = _levenshtein_dp(cp, a0, a1, b0, b1, row)
                g = _edit_goodness(d, m, lb, normalized)
                if filled == n and not _better(g, j, val[i, n - 1], idx[i, n - 1]):
                    continue
                p = filled if filled < n else n - 1
                while p > 0 and _better(g, j, val[i, p - 1], idx[i, p - 1]):
                    val[i, p] = val[i, p - 1]
                    idx[i, p] = idx[i, p - 1]
                    p -= 1
                val[i, p] = g
                idx[i, p] = j
                if filled < n:
                    filled += 1
        if not normalized:
            for p in range(n):
                val[i, p] = -val[i, p]
    return idx, val
