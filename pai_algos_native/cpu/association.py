"""Frequent-pattern kernels: FP-growth on an array FP-tree, PrefixSpan on pseudo-projections.

Items are integer codes. For FP-growth the codes are frequency ranks (0 = most frequent), and
each transaction lists its frequent items in ascending code order, so that transactions share
their most frequent prefixes in the tree. Itemsets and patterns come out as CSR-like arrays:
``indptr`` (n + 1,), ``items`` (concatenated) and ``counts`` (n,).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numba.typed import List

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "contains_itemsets",
    "contains_patterns",
    "fpgrowth",
    "prefixspan",
    "recommend_from_rules",
]


@njit(**JIT)
def _grow(a, size):
    """``a`` with room for at least ``size`` entries (doubling), contents kept."""
    if size <= a.shape[0]:
        return a
    b = np.empty(max(size, 2 * a.shape[0]), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(**JIT)
def _build_tree(indptr, items, weights, n_items):
    """FP-tree of weighted transactions (items ascending in each).

    Returns ``(node_item, node_count, node_parent, head, link)``: node 0 is the root; ``head[i]``
    is the first node holding item ``i`` and ``link`` chains the others (-1 ends a chain).
    A child is found through an open-addressing table keyed by (parent, item): a node near the
    root can have hundreds of children, too many to scan a sibling list.
    """
    cap = items.shape[0] + 1
    node_item = np.empty(cap, np.int64)
    node_count = np.zeros(cap, np.int64)
    node_parent = np.empty(cap, np.int64)
    size = 16
    while size < 2 * cap:
        size *= 2
    mask = np.uint64(size - 1)
    table_key = np.full(size, -1, np.int64)
    table_node = np.empty(size, np.int64)
    head = np.full(n_items, -1, np.int64)
    link = np.empty(cap, np.int64)
    node_item[0] = -1
    node_parent[0] = -1
    n_nodes = 1
    for t in range(indptr.shape[0] - 1):
        cur = 0
        w = weights[t]
        for p in range(indptr[t], indptr[t + 1]):
            it = items[p]
            key = cur * n_items + it
            h = (np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)
            slot = np.int64(h & mask)
            while table_key[slot] != -1 and table_key[slot] != key:
                slot = (slot + 1) & (size - 1)
            if table_key[slot] == key:
                c = table_node[slot]
            else:
                c = n_nodes
                n_nodes += 1
                table_key[slot] = key
                table_node[slot] = c
                node_item[c] = it
                node_parent[c] = cur
                link[c] = head[it]
                head[it] = c
            node_count[c] += w
            cur = c
    return node_item[:n_nodes], node_count[:n_nodes], node_parent[:n_nodes], head, link


@njit(**JIT)
def _conditional_base(item, node_item, node_count, node_parent, head, link, min_count, local):
    """Prefix paths of ``item`` with its infrequent items dropped, as weighted transactions.

    ``local`` (length >= item) is scratch for the conditional item counts; codes stay global.
    Returns ``(indptr, items, weights, n_frequent)``.
    """
    for i in range(item):
        local[i] = 0
    n_paths = 0
    n_entries = 0
    v = head[item]
    while v != -1:
        w = node_count[v]
        u = node_parent[v]
        while u > 0:
            local[node_item[u]] += w
            u = node_parent[u]
            n_entries += 1
        n_paths += 1
        v = link[v]
    n_frequent = 0
    for i in range(item):
        if local[i] >= min_count:
            n_frequent += 1
    indptr = np.zeros(n_paths + 1, np.int64)
    out = np.empty(n_entries, np.int64)
    weights = np.empty(n_paths, np.int64)
    if n_frequent == 0:
        return indptr[:1], out[:0], weights[:0], 0
    pos = 0
    t = 0
    v = head[item]
    while v != -1:
        start = pos
        u = node_parent[v]
        while u > 0:
            if local[node_item[u]] >= min_count:
                out[pos] = node_item[u]
                pos += 1
            u = node_parent[u]
        if pos > start:  # the walk went leaf-up: put the path back in ascending order
            out[start:pos] = out[start:pos][::-1]
            weights[t] = node_count[v]
            t += 1
            indptr[t] = pos
        v = link[v]
    return indptr[: t + 1], out[:pos], weights[:t], n_frequent


@njit(**JIT)
def _mine_item(top, tree, min_count, max_len, n_items):
    """Every frequent itemset whose highest code is ``top``, mined from the global tree."""
    node_item, node_count, node_parent, head, link = tree
    out_indptr = np.zeros(16, np.int64)
    out_items = np.empty(64, np.int64)
    out_counts = np.empty(16, np.int64)
    n_out = 0
    local = np.empty(n_items, np.int64)
    # explicit depth-first stack of (conditional database, suffix)
    st_indptr = List()
    st_items = List()
    st_weights = List()
    st_suffix = List()
    st_tree = List()
    support = 0
    v = head[top]
    while v != -1:
        support += node_count[v]
        v = link[v]
    if support < min_count:
        return out_indptr[:1], out_items[:0], out_counts[:0]
    suffix0 = np.array([top], np.int64)
    out_items = _grow(out_items, 1)
    out_items[0] = top
    out_counts[0] = support
    out_indptr[1] = 1
    n_out = 1
    if max_len > 1:
        ip, it, w, nf = _conditional_base(
            top, node_item, node_count, node_parent, head, link, min_count, local
        )
        if nf > 0:
            st_indptr.append(ip)
            st_items.append(it)
            st_weights.append(w)
            st_suffix.append(suffix0)
            st_tree.append(top)
    while len(st_indptr) > 0:
        ip = st_indptr.pop()
        it = st_items.pop()
        w = st_weights.pop()
        suffix = st_suffix.pop()
        bound = st_tree.pop()  # every code in this database is below it
        sub = _build_tree(ip, it, w, bound)
        s_item, s_count, s_parent, s_head, s_link = sub
        for j in range(bound):
            if s_head[j] == -1:
                continue
            sup = 0
            v = s_head[j]
            while v != -1:
                sup += s_count[v]
                v = s_link[v]
            if sup < min_count:
                continue
            k = suffix.shape[0] + 1
            out_counts = _grow(out_counts, n_out + 1)
            out_indptr = _grow(out_indptr, n_out + 2)
            start = out_indptr[n_out]
            out_items = _grow(out_items, start + k)
            out_items[start] = j
            out_items[start + 1 : start + k] = suffix
            out_counts[n_out] = sup
            out_indptr[n_out + 1] = start + k
            n_out += 1
            if k < max_len and j > 0:
                ip2, it2, w2, nf = _conditional_base(
                    j, s_item, s_count, s_parent, s_head, s_link, min_count, local
                )
                if nf > 0:
                    new_suffix = np.empty(k, np.int64)
                    new_suffix[0] = j
                    new_suffix[1:] = suffix
                    st_indptr.append(ip2)
                    st_items.append(it2)
                    st_weights.append(w2)
                    st_suffix.append(new_suffix)
                    st_tree.append(j)
    return out_indptr[: n_out + 1], out_items[: out_indptr[n_out]], out_counts[:n_out]


@njit(**JIT)
def fpgrowth(indptr, items, n_items, min_count, max_len):
    """All itemsets of at least ``min_count`` transactions and at most ``max_len`` items.

    Parameters
    ----------
    indptr : (n_transactions + 1,) int64
    items : int64 frequency-rank codes in [0, n_items), ascending within each transaction,
        every code frequent
    n_items : int
    min_count : int
    max_len : int

    Returns
    -------
    (indptr, items, counts) of the itemsets, each itemset's codes in ascending order, grouped
    by their highest code.

    Notes
    -----
    Serial: mining the top-level items in a ``prange`` (each keeps its own output) was 10x
    slower with two threads than with one on the 2-core test machine, where the many small
    allocations of the conditional trees contend.
    """
    weights = np.ones(indptr.shape[0] - 1, np.int64)
    tree = _build_tree(indptr, items, weights, n_items)
    out_indptr = np.zeros(1, np.int64)
    out_items = np.empty(0, np.int64)
    out_counts = np.empty(0, np.int64)
    n_sets = 0
    for top in range(n_items):
        a, b, c = _mine_item(top, tree, min_count, max_len, n_items)
        m = c.shape[0]
        e = out_indptr[n_sets]
        out_counts = _grow(out_counts, n_sets + m)
        out_indptr = _grow(out_indptr, n_sets + m + 1)
        out_items = _grow(out_items, e + b.shape[0])
        out_counts[n_sets : n_sets + m] = c
        out_indptr[n_sets + 1 : n_sets + m + 1] = a[1:] + e
        out_items[e : e + b.shape[0]] = b
        n_sets += m
    return out_indptr[: n_sets + 1], out_items[: out_indptr[n_sets]], out_counts[:n_sets]


@njit(**JIT_PARALLEL)
def contains_itemsets(indptr, items, set_indptr, set_items, n_items, out):
    """``out[t, s] = 1`` when transaction ``t`` holds every item of itemset ``s``."""
    n = indptr.shape[0] - 1
    for t in prange(n):
        mark = np.zeros(n_items, np.bool_)
        for p in range(indptr[t], indptr[t + 1]):
            mark[items[p]] = True
        for s in range(set_indptr.shape[0] - 1):
            ok = 1
            for p in range(set_indptr[s], set_indptr[s + 1]):
                if not mark[set_items[p]]:
                    ok = 0
                    break
            out[t, s] = ok


@njit(**JIT_PARALLEL)
def recommend_from_rules(
    indptr, items, ante_indptr, ante_items, cons_indptr, cons_items, confidence, lift, n_items,
    n, out_items, out_conf, out_lift,
):  # fmt: skip
    """Apply rules to baskets: top ``n`` items not in the basket, by confidence then lift.

    An item's score is the best (confidence, lift) of the rules whose antecedent lies in the
    basket and whose consequent holds the item; ties go to the lower item code. Empty slots get
    item -1 and confidence -inf.
    """
    n_baskets = indptr.shape[0] - 1
    n_rules = ante_indptr.shape[0] - 1
    for t in prange(n_baskets):
        mark = np.zeros(n_items, np.bool_)
        best_c = np.full(n_items, -np.inf)
        best_l = np.full(n_items, -np.inf)
        for p in range(indptr[t], indptr[t + 1]):
            mark[items[p]] = True
        for r in range(n_rules):
            ok = True
            for p in range(ante_indptr[r], ante_indptr[r + 1]):
                if not mark[ante_items[p]]:
                    ok = False
                    break
            if not ok:
                continue
            for p in range(cons_indptr[r], cons_indptr[r + 1]):
                i = cons_items[p]
                if mark[i]:
                    continue
                if confidence[r] > best_c[i] or (
                    confidence[r] == best_c[i] and lift[r] > best_l[i]
                ):
                    best_c[i] = confidence[r]
                    best_l[i] = lift[r]
        for k in range(n):
            bi = -1
            for i in range(n_items):
                if best_c[i] == -np.inf:
                    continue
                if (
                    bi == -1
                    or best_c[i] > best_c[bi]
                    or (best_c[i] == best_c[bi] and best_l[i] > best_l[bi])
                ):
                    bi = i
            out_items[t, k] = bi
            if bi == -1:
                out_conf[t, k] = -np.inf
                out_lift[t, k] = -np.inf
            else:
                out_conf[t, k] = best_c[bi]
                out_lift[t, k] = best_l[bi]
                best_c[bi] = -np.inf


@njit(**JIT)
def _project(seq_indptr, seq_items, sids, poss, item):
    """Pseudo-projection on ``item``: for each (sequence, start) the position after the first
    occurrence of ``item`` at or after start; sequences without it are dropped."""
    m = 0
    new_sids = np.empty(sids.shape[0], np.int64)
    new_poss = np.empty(sids.shape[0], np.int64)
    for k in range(sids.shape[0]):
        s = sids[k]
        for p in range(poss[k], seq_indptr[s + 1]):
            if seq_items[p] == item:
                new_sids[m] = s
                new_poss[m] = p + 1
                m += 1
                break
    return new_sids[:m], new_poss[:m]


@njit(**JIT)
def prefixspan(seq_indptr, seq_items, n_items, min_count, max_len):
    """Every sequential pattern (subsequence of items) of at least ``min_count`` sequences.

    Depth-first PrefixSpan (Pei et al. 2001) on pseudo-projected databases: a projection is
    the list of (sequence, start position) pairs of the sequences holding the prefix. Each
    sequence counts once per item in its suffix. Returns ``(indptr, items, counts)``.
    """
    n_seq = seq_indptr.shape[0] - 1
    counts = np.zeros(n_items, np.int64)
    stamp = np.full(n_items, -1, np.int64)
    out_indptr = np.zeros(16, np.int64)
    out_items = np.empty(64, np.int64)
    out_counts = np.empty(16, np.int64)
    n_out = 0
    st_sids = List()
    st_poss = List()
    st_prefix = List()
    st_sids.append(np.arange(n_seq).astype(np.int64))
    st_poss.append(seq_indptr[:-1].copy())
    st_prefix.append(np.empty(0, np.int64))
    visit = 0
    while len(st_sids) > 0:
        sids = st_sids.pop()
        poss = st_poss.pop()
        prefix = st_prefix.pop()
        if prefix.shape[0] >= max_len:
            continue
        counts[:] = 0
        for k in range(sids.shape[0]):
            visit += 1
            for p in range(poss[k], seq_indptr[sids[k] + 1]):
                i = seq_items[p]
                if stamp[i] != visit:
                    stamp[i] = visit
                    counts[i] += 1
        # push in reverse code order so that the lowest code is expanded first
        for i in range(n_items - 1, -1, -1):
            if counts[i] < min_count:
                continue
            new_prefix = np.empty(prefix.shape[0] + 1, np.int64)
            new_prefix[:-1] = prefix
            new_prefix[-1] = i
            ns, npos = _project(seq_indptr, seq_items, sids, poss, i)
            st_sids.append(ns)
            st_poss.append(npos)
            st_prefix.append(new_prefix)
            # the pattern is recorded when pushed; its support is the projection's size
            k = new_prefix.shape[0]
            out_counts = _grow(out_counts, n_out + 1)
            out_indptr = _grow(out_indptr, n_out + 2)
            start = out_indptr[n_out]
            out_items = _grow(out_items, start + k)
            out_items[start : start + k] = new_prefix
            out_counts[n_out] = counts[i]
            out_indptr[n_out + 1] = start + k
            n_out += 1
    return out_indptr[: n_out + 1], out_items[: out_indptr[n_out]], out_counts[:n_out]


@njit(**JIT_PARALLEL)
def contains_patterns(seq_indptr, seq_items, pat_indptr, pat_items, out):
    """``out[s, q] = 1`` when sequence ``s`` holds pattern ``q`` as a subsequence."""
    for s in prange(seq_indptr.shape[0] - 1):
        for q in range(pat_indptr.shape[0] - 1):
            p = seq_indptr[s]
            end = seq_indptr[s + 1]
            ok = 1
            for r in range(pat_indptr[q], pat_indptr[q + 1]):
                while p < end and seq_items[p] != pat_items[r]:
                    p += 1
                if p == end:
                    ok = 0
                    break
                p += 1
            out[s, q] = ok
