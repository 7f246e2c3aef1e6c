"""Exact (sorted) decision-tree kernels (CPU): tree growth, apply, forest prediction.

One call of :func:`build_tree` grows one CART tree on float32 data stored feature-major
(``Xt[f, i]``), the way scikit-learn's ``BestSplitter`` / ``RandomSplitter`` do:

* each node draws its candidate features with scikit-learn's xorshift generator
  (``our_rand_r``) and the same Fisher-Yates bookkeeping of constant features, so a tree
  grown from the same 32-bit seed visits the same features in the same order;
* the best splitter sorts the node's values of a feature (an LSD radix sort of their
  order-preserving uint32 keys, carrying the rows) and scans the split positions between values that
  differ by more than ``1e-7``, keeping the first position with the largest proxy
  improvement; the threshold is the midpoint ``v[p - 1] / 2 + v[p] / 2`` (float64);
* the random splitter draws one threshold uniformly between the node's min and max;
* without ``max_leaf_nodes`` the tree grows depth first (left subtree first), with it best
  first (a max-heap on the impurity improvement).

Node arrays follow scikit-learn's ``Tree``: ``left``/``right`` (``-1`` at a leaf),
``feature`` (``-2`` at a leaf), ``threshold`` (``x <= threshold`` goes left, ``-2`` at a
leaf), ``value`` (class fractions, or the mean for regression), ``impurity``,
``n_node_samples`` and ``weighted_n_node_samples``. All sums are float64.

Criteria: 0 gini, 1 entropy (= log_loss), 2 squared_error, 3 friedman_mse.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "GINI",
    "ENTROPY",
    "SQUARED_ERROR",
    "FRIEDMAN_MSE",
    "RAND_R_MAX",
    "apply",
    "build_tree",
    "forest_apply",
    "pack_forest",
    "predict_forest",
    "predict_forest_packed",
    "rand_int",
    "rand_uniform",
]

GINI, ENTROPY, SQUARED_ERROR, FRIEDMAN_MSE = 0, 1, 2, 3
#: scikit-learn's ``RAND_R_MAX`` (the seed of a tree is drawn in ``[0, RAND_R_MAX)``).
RAND_R_MAX = 2147483647
_FEATURE_THRESHOLD = 1e-7
_EPSILON = np.finfo(np.float64).eps
_LOG2 = math.log(2.0)


# --------------------------------------------------------------------------- random numbers
@njit(**JIT)
def _rand_r(state):
    s = state[0]
    if s == 0:
        s = 1
    s ^= (s << 13) & 0xFFFFFFFF
    s ^= s >> 17
    s ^= (s << 5) & 0xFFFFFFFF
    state[0] = s
    return s % (RAND_R_MAX + 1)


@njit(**JIT)
def rand_int(low, high, state):
    """Integer in ``[low, high)`` from the xorshift ``state`` (a 1-element int64 array)."""
    return low + _rand_r(state) % (high - low)


@njit(**JIT)
def rand_uniform(low, high, state):
    """Float in ``[low, high]`` from the xorshift ``state``, as scikit-learn's ``rand_uniform``."""
    return ((high - low) * float(_rand_r(state)) / float(RAND_R_MAX)) + low


# --------------------------------------------------------------------------- criteria
@njit(inline="always", **JIT)
def _w(w, i):
    # an empty weight array stands for unit weights (no gather, as scikit-learn without them)
    return 1.0 if w.shape[0] == 0 else w[i]


@njit(**JIT)
def _class_impurity(counts, w, criterion):
    if criterion == GINI:
        sq = 0.0
        for c in range(counts.shape[0]):
            sq += counts[c] * counts[c]
        return 1.0 - sq / (w * w)
    ent = 0.0
    for c in range(counts.shape[0]):
        if counts[c] > 0.0:
            p = counts[c] / w
            ent -= p * (math.log(p) / _LOG2)
    return ent


@njit(**JIT)
def _class_proxy(sum_left, sum_total, sum_right, wl, wr, criterion):
    for c in range(sum_left.shape[0]):
        sum_right[c] = sum_total[c] - sum_left[c]
    il = _class_impurity(sum_left, wl, criterion)
    ir = _class_impurity(sum_right, wr, criterion)
    return -wr * ir - wl * il


@njit(**JIT)
def _reg_proxy(s_left, s_total, wl, wr, criterion):
    s_right = s_total - s_left
    if criterion == FRIEDMAN_MSE:
        diff = wr * s_left - wl * s_right
        return diff * diff / (wl * wr)
    return s_left * s_left / wl + s_right * s_right / wr


@njit(**JIT)
def _node_stats(samples, start, end, y, w, n_classes, sum_total):
    """Fill ``sum_total`` (class sums) or return (sum, sq_sum); returns the weight too."""
    wn = 0.0
    s = 0.0
    sq = 0.0
    if n_classes > 0:
        sum_total[:] = 0.0
        for p in range(start, end):
            i = samples[p]
            sum_total[int(y[i])] += _w(w, i)
            wn += _w(w, i)
    else:
        for p in range(start, end):
            i = samples[p]
            wi = _w(w, i)
            s += wi * y[i]
            sq += wi * y[i] * y[i]
            wn += wi
    return wn, s, sq


@njit(**JIT)
def _impurity(n_classes, sum_total, wn, s, sq, criterion):
    if n_classes > 0:
        return _class_impurity(sum_total, wn, criterion)
    m = s / wn
    return sq / wn - m * m


# --------------------------------------------------------------------------- splitting
@njit(**JIT)
def _gather_values(Xt, f, samples, start, end, fvals):
    """``fvals[p] = Xt[f, samples[p]]``; returns the min and max."""
    row = Xt[f]
    lo = row[samples[start]]
    hi = lo
    for p in range(start, end):
        v = row[samples[p]]
        fvals[p] = v
        lo = min(lo, v)
        hi = max(hi, v)
    return lo, hi


@njit(**JIT)
def _gather_keys(Xt, Xu, f, samples, start, end, kbuf, ibuf):
    """Order-preserving uint32 keys of the node's values (``Xu`` is ``Xt`` seen as uint32)."""
    row = Xt[f]
    urow = Xu[f]
    lo = row[samples[start]]
    hi = lo
    for p in range(start, end):
        i = samples[p]
        v = row[i]
        u = urow[i]
        kbuf[p] = (~u & 0xFFFFFFFF) if u & 0x80000000 else (u | 0x80000000)
        ibuf[p] = i
        lo = min(lo, v)
        hi = max(hi, v)
    return lo, hi


@njit(**JIT)
def _partition_values(fvals, thr, samples, start, end, scratch):
    """Move rows with ``fvals <= thr`` first; return the split position.

    Branch-free: every row is written both at the next left slot and at the next right slot
    (filled from the end), and only the matching pointer moves, so a random left/right pattern
    costs no branch mispredictions. ``fvals`` is left as it was.
    """
    left = start
    right = end - 1
    for p in range(start, end):
        s = samples[p]
        go = fvals[p] <= thr
        scratch[left] = s
        scratch[right] = s
        left += go
        right -= 1 - go
    for p in range(start, end):
        samples[p] = scratch[p]
    return left


@njit(**JIT)
def _sort_pairs(keys, idx, tmp_k, tmp_i, start, end, counts):
    """Sort ``keys[start:end]`` ascending, carrying ``idx``; LSD radix sort (8-bit digits,
    digits shared by every key skipped) above 64 items, insertion sort below."""
    n = end - start
    if n <= 64:
        for p in range(start + 1, end):
            k = keys[p]
            j = idx[p]
            q = p - 1
            while q >= start and keys[q] > k:
                keys[q + 1] = keys[q]
                idx[q + 1] = idx[q]
                q -= 1
            keys[q + 1] = k
            idx[q + 1] = j
        return
    counts[:, :] = 0
    for p in range(start, end):
        k = keys[p]
        counts[0, k & 255] += 1
        counts[1, (k >> 8) & 255] += 1
        counts[2, (k >> 16) & 255] += 1
        counts[3, (k >> 24) & 255] += 1
    src_k = keys
    src_i = idx
    dst_k = tmp_k
    dst_i = tmp_i
    swapped = False
    for d in range(4):
        shift = 8 * d
        if counts[d, (keys[start] >> shift) & 255] == n:
            continue
        total = start
        for b in range(256):
            c = counts[d, b]
            counts[d, b] = total
            total += c
        for p in range(start, end):
            k = src_k[p]
            b = (k >> shift) & 255
            q = counts[d, b]
            counts[d, b] = q + 1
            dst_k[q] = k
            dst_i[q] = src_i[p]
        src_k, dst_k = dst_k, src_k
        src_i, dst_i = dst_i, src_i
        swapped = not swapped
    if swapped:
        for p in range(start, end):
            keys[p] = tmp_k[p]
            idx[p] = tmp_i[p]


@njit(**JIT)
def _partition(Xt, f, thr, samples, start, end, scratch):
    """Move rows with ``x <= thr`` before the others (branch-free, as above)."""
    row = Xt[f]
    left = start
    right = end - 1
    for p in range(start, end):
        s = samples[p]
        go = row[s] <= thr
        scratch[left] = s
        scratch[right] = s
        left += go
        right -= 1 - go
    for p in range(start, end):
        samples[p] = scratch[p]
    return left


@njit(**JIT)
def _left_stats(samples, start, pos, end, y, w, n_classes, sum_total, s_total, wn, sum_left):
    """Weight and sums of ``samples[start:pos]``, walking the shorter side as scikit-learn's
    ``Criterion.update`` does; returns (weight, sum) and fills ``sum_left`` for classes."""
    wl = 0.0
    sl = 0.0
    if pos - start <= end - pos:
        if n_classes > 0:
            sum_left[:] = 0.0
            for p in range(start, pos):
                i = samples[p]
                sum_left[int(y[i])] += _w(w, i)
                wl += _w(w, i)
        else:
            for p in range(start, pos):
                i = samples[p]
                sl += _w(w, i) * y[i]
                wl += _w(w, i)
    else:
        wl = wn
        if n_classes > 0:
            sum_left[:] = sum_total
            for p in range(end - 1, pos - 1, -1):
                i = samples[p]
                sum_left[int(y[i])] -= _w(w, i)
                wl -= _w(w, i)
        else:
            sl = s_total
            for p in range(end - 1, pos - 1, -1):
                i = samples[p]
                sl -= _w(w, i) * y[i]
                wl -= _w(w, i)
    return wl, sl


@njit(**JIT)
def _children(
    samples,
    start,
    pos,
    end,
    y,
    w,
    n_classes,
    sum_total,
    s_total,
    sq_total,
    wn,
    wsum_all,
    impurity,
    criterion,
    sum_left,
    sum_right,
):
    """Impurities of the two children of a split and the impurity improvement."""
    wl, sl = _left_stats(
        samples, start, pos, end, y, w, n_classes, sum_total, s_total, wn, sum_left
    )
    wr = wn - wl
    if n_classes > 0:
        for c in range(n_classes):
            sum_right[c] = sum_total[c] - sum_left[c]
        il = _class_impurity(sum_left, wl, criterion)
        ir = _class_impurity(sum_right, wr, criterion)
    else:
        sql = 0.0
        for p in range(start, pos):
            i = samples[p]
            sql += _w(w, i) * y[i] * y[i]
        sr = s_total - sl
        il = sql / wl - (sl / wl) ** 2
        ir = (sq_total - sql) / wr - (sr / wr) ** 2
    if criterion == FRIEDMAN_MSE:
        diff = wr * sl - wl * (s_total - sl)
        imp = diff * diff / (wl * wr * wn)
    else:
        imp = (wn / wsum_all) * (impurity - wr / wn * ir - wl / wn * il)
    return il, ir, imp


@njit(**JIT)
def _node_split(
    Xt,
    Xu,
    y,
    w,
    n_classes,
    criterion,
    random_splitter,
    samples,
    start,
    end,
    features,
    constant_features,
    n_known_constants,
    max_features,
    min_samples_leaf,
    min_weight_leaf,
    rng,
    sum_total,
    s_total,
    sq_total,
    wn,
    wsum_all,
    impurity,
    kbuf,
    ibuf,
    kbuf2,
    ibuf2,
    counts,
    fvals,
    fbits,
    sum_left,
    sum_right,
):
    """Best (or random) split of ``samples[start:end]``; returns
    (pos, feature, threshold, improvement, impurity_left, impurity_right, n_constants).

    ``pos == end`` means no valid split.
    """
    n_features = features.shape[0]
    best_pos = end
    best_feature = -2
    best_thr = -2.0
    best_proxy = -np.inf
    f_i = n_features
    n_visited = 0
    n_found_constants = 0
    n_drawn_constants = 0
    n_total_constants = n_known_constants
    last_sorted = -1
    while f_i > n_total_constants and (
        n_visited < max_features or n_visited <= n_found_constants + n_drawn_constants
    ):
        n_visited += 1
        f_j = rand_int(n_drawn_constants, f_i - n_found_constants, rng)
        if f_j < n_known_constants:
            t = features[n_drawn_constants]
            features[n_drawn_constants] = features[f_j]
            features[f_j] = t
            n_drawn_constants += 1
            continue
        f_j += n_found_constants
        f = features[f_j]
        if random_splitter:
            lo, hi = _gather_values(Xt, f, samples, start, end, fvals)
        else:
            lo, hi = _gather_keys(Xt, Xu, f, samples, start, end, kbuf, ibuf)
        if hi <= lo + _FEATURE_THRESHOLD:
            t = features[n_total_constants]
            features[n_total_constants] = features[f_j]
            features[f_j] = t
            n_found_constants += 1
            n_total_constants += 1
            continue
        f_i -= 1
        t = features[f_i]
        features[f_i] = features[f_j]
        features[f_j] = t

        if random_splitter:
            thr = rand_uniform(np.float64(lo), np.float64(hi), rng)
            if thr == np.float64(hi):
                thr = np.float64(lo)
            pos = _partition_values(fvals, thr, samples, start, end, ibuf2)
            last_sorted = f
            if pos - start < min_samples_leaf or end - pos < min_samples_leaf:
                continue
            wl, sl = _left_stats(
                samples, start, pos, end, y, w, n_classes, sum_total, s_total, wn, sum_left
            )
            wr = wn - wl
            if wl < min_weight_leaf or wr < min_weight_leaf:
                continue
            if n_classes > 0:
                proxy = _class_proxy(sum_left, sum_total, sum_right, wl, wr, criterion)
            else:
                proxy = _reg_proxy(sl, s_total, wl, wr, criterion)
            if proxy > best_proxy:
                best_proxy = proxy
                best_pos = pos
                best_feature = f
                best_thr = thr
            continue

        # best splitter: sort the node's rows by this feature, then scan the positions
        _sort_pairs(kbuf, ibuf, kbuf2, ibuf2, start, end, counts)
        for p in range(start, end):
            samples[p] = ibuf[p]
            k = kbuf[p]
            fbits[p] = (k & 0x7FFFFFFF) if k & 0x80000000 else (~k & 0xFFFFFFFF)
        last_sorted = f
        wl = 0.0
        sl = 0.0
        if n_classes > 0:
            sum_left[:] = 0.0
        for p in range(start, end - 1):
            i = samples[p]
            wi = _w(w, i)
            wl += wi
            if n_classes > 0:
                sum_left[int(y[i])] += wi
            else:
                sl += wi * y[i]
            if fvals[p + 1] <= fvals[p] + _FEATURE_THRESHOLD:
                continue
            pos = p + 1
            if pos - start < min_samples_leaf or end - pos < min_samples_leaf:
                continue
            wr = wn - wl
            if wl < min_weight_leaf or wr < min_weight_leaf:
                continue
            if n_classes > 0:
                proxy = _class_proxy(sum_left, sum_total, sum_right, wl, wr, criterion)
            else:
                proxy = _reg_proxy(sl, s_total, wl, wr, criterion)
            if proxy > best_proxy:
                best_proxy = proxy
                best_pos = pos
                best_feature = f
                best_thr = np.float64(fvals[p]) / 2.0 + np.float64(fvals[p + 1]) / 2.0

    il = impurity
    ir = impurity
    improvement = 0.0
    if best_pos < end:
        if last_sorted != best_feature:
            _partition(Xt, best_feature, best_thr, samples, start, end, ibuf2)
        il, ir, improvement = _children(
            samples,
            start,
            best_pos,
            end,
            y,
            w,
            n_classes,
            sum_total,
            s_total,
            sq_total,
            wn,
            wsum_all,
            impurity,
            criterion,
            sum_left,
            sum_right,
        )
    # constant features keep their order for the children (scikit-learn's invariant)
    for k in range(n_known_constants):
        features[k] = constant_features[k]
    for k in range(n_known_constants, n_known_constants + n_found_constants):
        constant_features[k] = features[k]
    return best_pos, best_feature, best_thr, improvement, il, ir, n_total_constants


# --------------------------------------------------------------------------- tree growth
@njit(**JIT)
def _sift_up(heap, hole, top, node, key):
    # libstdc++'s __push_heap with ``comp(a, b) = key[a] < key[b]``
    parent = (hole - 1) // 2
    while hole > top and key[heap[parent]] < key[node]:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = node


@njit(**JIT)
def _heap_push(heap, size, key, node):
    """std::push_heap (max-heap on ``key``), so that ties pop in scikit-learn's order."""
    _sift_up(heap, size, 0, node, key)
    return size + 1


@njit(**JIT)
def _heap_pop(heap, size, key):
    """std::pop_heap followed by pop_back: returns (top node, new size)."""
    top = heap[0]
    last = size - 1
    value = heap[last]
    n = last  # libstdc++'s __adjust_heap on heap[0:last] with the hole at 0
    hole = 0
    child = 0
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if key[heap[child]] < key[heap[child - 1]]:
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if (n & 1) == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    if n > 0:
        _sift_up(heap, hole, 0, value, key)
    return top, last


@njit(**JIT)
def build_tree(
    Xt,
    y,
    sample_weight,
    n_classes,
    criterion,
    random_splitter,
    max_features,
    min_samples_split,
    min_samples_leaf,
    min_weight_leaf,
    max_depth,
    max_leaf_nodes,
    min_impurity_decrease,
    seed,
):
    """Grow one tree; see the module docstring.

    Parameters
    ----------
    Xt : float32 array (n_features, n_samples)
    y : float64 array (n_samples,), class codes ``0..n_classes-1`` or regression targets.
    sample_weight : float64 array (n_samples,); rows of weight 0 are left out.
    n_classes : int, 0 for regression.
    criterion : int, see the module constants.
    random_splitter : bool
    max_features, min_samples_split, min_samples_leaf : int
    min_weight_leaf : float
    max_depth : int
    max_leaf_nodes : int, -1 for depth-first growth.
    min_impurity_decrease : float
    seed : int in [0, RAND_R_MAX)

    Returns
    -------
    left, right, feature, threshold, value, impurity, n_node_samples,
    weighted_n_node_samples, depth
    """
    n_features = Xt.shape[0]
    n = Xt.shape[1]
    w = sample_weight
    samples = np.empty(n, np.int64)
    m = 0
    wsum_all = 0.0
    for i in range(n):
        if w[i] != 0.0:
            samples[m] = i
            m += 1
            wsum_all += w[i]
    unit = True
    for i in range(n):
        if w[i] != 1.0:
            unit = False
            break
    if unit:
        w = np.empty(0, np.float64)
    n_out = n_classes if n_classes > 0 else 1
    cap = 2 * m + 1
    left = np.full(cap, -1, np.int64)
    right = np.full(cap, -1, np.int64)
    feature = np.full(cap, -2, np.int64)
    threshold = np.full(cap, -2.0, np.float64)
    value = np.zeros((cap, n_out), np.float64)
    impurity_arr = np.zeros(cap, np.float64)
    n_node = np.zeros(cap, np.int64)
    w_node = np.zeros(cap, np.float64)
    depth_arr = np.zeros(cap, np.int64)

    features = np.arange(n_features).astype(np.int64)
    constant_features = np.arange(n_features).astype(np.int64)
    rng = np.array([seed], np.int64)
    kbuf = np.empty(n, np.uint32)
    kbuf2 = np.empty(n, np.uint32)
    ibuf = np.empty(n, np.int64)
    ibuf2 = np.empty(n, np.int64)
    counts = np.zeros((4, 256), np.int64)
    fvals = np.empty(n, np.float32)
    fbits = fvals.view(np.uint32)
    Xu = Xt.view(np.uint32)
    sum_total = np.zeros(n_out, np.float64)
    sum_left = np.zeros(n_out, np.float64)
    sum_right = np.zeros(n_out, np.float64)

    best_first = max_leaf_nodes > 0
    # best-first growth keeps, per node, where its split was found (the frontier's records)
    rcap = cap if best_first else 1
    rec_start = np.zeros(rcap, np.int64)
    rec_end = np.zeros(rcap, np.int64)
    rec_pos = np.zeros(rcap, np.int64)
    rec_imp_l = np.zeros(rcap, np.float64)
    rec_imp_r = np.zeros(rcap, np.float64)
    rec_improv = np.zeros(rcap, np.float64)
    rec_leaf = np.zeros(rcap, np.bool_)
    heap = np.zeros(rcap, np.int64)

    # depth-first stack of (start, end, depth, parent, is_left, n_constants) and impurity;
    # it never holds more than one pending sibling per level plus the current pair
    scap = min(cap, 2 * min(max_depth, m) + 4)
    st_i = np.zeros((scap, 6), np.int64)
    st_imp = np.zeros(scap, np.float64)
    sp = 0
    st_i[0, 0] = 0
    st_i[0, 1] = m
    st_i[0, 2] = 0
    st_i[0, 3] = -1
    st_i[0, 4] = 0
    st_i[0, 5] = 0
    st_imp[0] = np.inf
    sp = 1
    node_count = 0
    max_depth_seen = 0
    first = True
    hsize = 0
    max_split_nodes = max_leaf_nodes - 1

    # In best-first mode the "stack" holds the children still to be evaluated, in order.
    while sp > 0:
        if best_first:
            sp -= 1
            start = st_i[0, 0]
            end = st_i[0, 1]
            depth = st_i[0, 2]
            parent = st_i[0, 3]
            is_left = st_i[0, 4]
            n_const = 0
            impurity = st_imp[0]
            if sp > 0:  # second child queued after the first
                st_i[0, :] = st_i[1, :]
                st_imp[0] = st_imp[1]
        else:
            sp -= 1
            start = st_i[sp, 0]
            end = st_i[sp, 1]
            depth = st_i[sp, 2]
            parent = st_i[sp, 3]
            is_left = st_i[sp, 4]
            n_const = st_i[sp, 5]
            impurity = st_imp[sp]
        n_samples_node = end - start
        wn, s_total, sq_total = _node_stats(samples, start, end, y, w, n_classes, sum_total)
        is_leaf = (
            depth >= max_depth
            or n_samples_node < min_samples_split
            or n_samples_node < 2 * min_samples_leaf
            or wn < 2 * min_weight_leaf
        )
        if first:
            impurity = _impurity(n_classes, sum_total, wn, s_total, sq_total, criterion)
            first = False
        is_leaf = is_leaf or impurity <= _EPSILON
        pos = end
        feat = -2
        thr = -2.0
        improvement = 0.0
        il = impurity
        ir = impurity
        if not is_leaf:
            pos, feat, thr, improvement, il, ir, n_const = _node_split(
                Xt,
                Xu,
                y,
                w,
                n_classes,
                criterion,
                random_splitter,
                samples,
                start,
                end,
                features,
                constant_features,
                n_const,
                max_features,
                min_samples_leaf,
                min_weight_leaf,
                rng,
                sum_total,
                s_total,
                sq_total,
                wn,
                wsum_all,
                impurity,
                kbuf,
                ibuf,
                kbuf2,
                ibuf2,
                counts,
                fvals,
                fbits,
                sum_left,
                sum_right,
            )
            is_leaf = pos >= end or improvement + _EPSILON < min_impurity_decrease
        node = node_count
        node_count += 1
        if parent >= 0:
            if is_left:
                left[parent] = node
            else:
                right[parent] = node
        if not is_leaf:
            feature[node] = feat
            threshold[node] = thr
        impurity_arr[node] = impurity
        n_node[node] = n_samples_node
        w_node[node] = wn
        depth_arr[node] = depth
        if n_classes > 0:
            for c in range(n_classes):
                value[node, c] = sum_total[c] / wn
        else:
            value[node, 0] = s_total / wn
        if depth > max_depth_seen:
            max_depth_seen = depth
        if best_first:
            rec_start[node] = start
            rec_end[node] = end
            rec_pos[node] = pos
            rec_imp_l[node] = il
            rec_imp_r[node] = ir
            rec_leaf[node] = is_leaf
            rec_improv[node] = improvement if not is_leaf else 0.0
            hsize = _heap_push(heap, hsize, rec_improv, node)
            if sp == 0:
                # both children evaluated (or the root): expand the best frontier node
                while hsize > 0:
                    top, hsize = _heap_pop(heap, hsize, rec_improv)
                    if rec_leaf[top] or max_split_nodes <= 0:
                        feature[top] = -2
                        threshold[top] = -2.0
                        continue
                    max_split_nodes -= 1
                    d = depth_arr[top] + 1
                    st_i[0, 0] = rec_start[top]
                    st_i[0, 1] = rec_pos[top]
                    st_i[0, 2] = d
                    st_i[0, 3] = top
                    st_i[0, 4] = 1
                    st_imp[0] = rec_imp_l[top]
                    st_i[1, 0] = rec_pos[top]
                    st_i[1, 1] = rec_end[top]
                    st_i[1, 2] = d
                    st_i[1, 3] = top
                    st_i[1, 4] = 0
                    st_imp[1] = rec_imp_r[top]
                    sp = 2
                    break
        elif not is_leaf:
            st_i[sp, 0] = pos
            st_i[sp, 1] = end
            st_i[sp, 2] = depth + 1
            st_i[sp, 3] = node
            st_i[sp, 4] = 0
            st_i[sp, 5] = n_const
            st_imp[sp] = ir
            sp += 1
            st_i[sp, 0] = start
            st_i[sp, 1] = pos
            st_i[sp, 2] = depth + 1
            st_i[sp, 3] = node
            st_i[sp, 4] = 1
            st_i[sp, 5] = n_const
            st_imp[sp] = il
            sp += 1
    k = node_count
    return (
        left[:k].copy(),
        right[:k].copy(),
        feature[:k].copy(),
        threshold[:k].copy(),
        value[:k].copy(),
        impurity_arr[:k].copy(),
        n_node[:k].copy(),
        w_node[:k].copy(),
        max_depth_seen,
    )


# --------------------------------------------------------------------------- prediction
@njit(**JIT)
def _leaf(X, i, root, left, right, feature, threshold):
    node = root
    while left[node] >= 0:
        if X[i, feature[node]] <= threshold[node]:
            node = left[node]
        else:
            node = right[node]
    return node


@njit(**JIT_PARALLEL)
def apply(X, left, right, feature, threshold):
    """Leaf index of every row of ``X`` (float32, C order) in one tree."""
    n = X.shape[0]
    out = np.empty(n, np.int64)
    for i in prange(n):
        out[i] = _leaf(X, i, 0, left, right, feature, threshold)
    return out


@njit(**JIT_PARALLEL)
def forest_apply(X, left, right, feature, threshold, roots):
    """Leaf (global node index) of every row in every tree: int64 array (n_rows, n_trees)."""
    n = X.shape[0]
    n_trees = roots.shape[0]
    out = np.empty((n, n_trees), np.int64)
    for i in prange(n):
        for t in range(n_trees):
            out[i, t] = _leaf(X, i, roots[t], left, right, feature, threshold)
    return out


@njit(**JIT)
def pack_forest(left, right, feature, roots):
    """Compact the forest for :func:`predict_forest_packed`.

    Returns ``(children, feat, depths)``: ``children[2 * node + go_right]`` (int32) with leaves
    made absorbing (both children point to the leaf itself, ``feat`` 0), and each tree's
    depth. Child indices must be larger than their parent's, as every builder here appends.
    """
    n_nodes = left.shape[0]
    n_trees = roots.shape[0]
    children = np.empty(2 * n_nodes, np.int32)
    feat = np.empty(n_nodes, np.int32)
    depth = np.zeros(n_nodes, np.int64)
    for node in range(n_nodes):
        if left[node] < 0:
            children[2 * node] = node
            children[2 * node + 1] = node
            feat[node] = 0
        else:
            children[2 * node] = left[node]
            children[2 * node + 1] = right[node]
            feat[node] = feature[node]
            depth[left[node]] = depth[node] + 1
            depth[right[node]] = depth[node] + 1
    depths = np.zeros(n_trees, np.int64)
    for t in range(n_trees):
        stop = roots[t + 1] if t + 1 < n_trees else n_nodes
        for node in range(roots[t], stop):
            depths[t] = max(depths[t], depth[node])
    return children, feat, depths


_LANES = 8  # rows that walk a tree together (independent load chains overlap in the CPU)
_CHECK = 4  # steps between tests of whether all lanes have reached their leaves


@njit(**JIT_PARALLEL)
def predict_forest_packed(X, children, feat, threshold, value, roots, depths, out):
    """``out[i] = mean over trees of value[leaf(i)]`` on a forest from :func:`pack_forest`.

    Rows go in blocks of 16,384, one thread per block; a block meets the trees one after the
    other. Within a tree, eight rows descend in lock step without branches
    (``node = children[2 * node + not (x <= threshold)]``, so NaN goes right as in
    :func:`apply`); leaves absorb, and every four steps the lanes stop once all are at
    leaves. Results do not depend on the thread count.
    """
    n = X.shape[0]
    n_trees = roots.shape[0]
    n_out = value.shape[1]
    block = 16384
    n_blocks = (n + block - 1) // block
    for b in prange(n_blocks):
        lo = b * block
        hi = min(n, lo + block)
        nodes = np.empty(_LANES, np.int64)
        for i in range(lo, hi):
            for k in range(n_out):
                out[i, k] = 0.0
        for t in range(n_trees):
            r = roots[t]
            d = depths[t]
            i = lo
            while i + _LANES <= hi:
                for j in range(_LANES):
                    nodes[j] = r
                s = 0
                while s < d:
                    for j in range(_LANES):
                        nd = nodes[j]
                        go_left = X[i + j, feat[nd]] <= threshold[nd]
                        nodes[j] = children[2 * nd + 1 - go_left]
                    s += 1
                    if s % _CHECK == 0:
                        done = True
                        for j in range(_LANES):
                            if children[2 * nodes[j]] != nodes[j]:
                                done = False
                                break
                        if done:
                            break
                for j in range(_LANES):
                    for k in range(n_out):
                        out[i + j, k] += value[nodes[j], k]
                i += _LANES
            while i < hi:
                nd = r
                while children[2 * nd] != nd:
                    go_left = X[i, feat[nd]] <= threshold[nd]
                    nd = children[2 * nd + 1 - go_left]
                for k in range(n_out):
                    out[i, k] += value[nd, k]
                i += 1
        for i in range(lo, hi):
            for k in range(n_out):
                out[i, k] /= n_trees


def predict_forest(X, left, right, feature, threshold, value, roots, out):
    """``out[i] = mean over trees of value[leaf(i)]``; trees share flat node arrays.

    ``roots[t]`` is the first node of tree ``t`` (child indices are global). Packs the forest
    (:func:`pack_forest`) and runs :func:`predict_forest_packed`; estimators keep the packed
    arrays between calls.
    """
    children, feat, depths = pack_forest(left, right, feature, roots)
    predict_forest_packed(X, children, feat, threshold, value, roots, depths, out)
