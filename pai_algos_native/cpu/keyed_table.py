"""Keyed tables (CPU): an open-addressing hash map from 64-bit keys to rows of float64 state.

The storage behind :class:`pai_algos.linear_model.FTRLClassifier` and, later, a parameter-server
shard: memory grows with the distinct keys stored, never with the key space (keys may be any
64-bit value, e.g. the column indices of a CSR matrix of width ``2**63 - 1``).

Layout (plain NumPy arrays, so a table pickles and ships as flat buffers):

- ``table_keys`` int64 of shape ``(capacity,)``, ``capacity`` a power of two; :data:`EMPTY`
  marks a free slot. uint64 keys are stored through an int64 view (``keys.view(np.int64)``).
- ``table_values`` float64 of shape ``(capacity, n_values)``: the state of the key in the same
  slot. FTRL-Proximal keeps ``(z, n)`` per key (``n_values == 2``).

Slots are found by linear probing from ``splitmix64(key) & (capacity - 1)``. The caller keeps
the load factor at most 1/2 (:func:`capacity_for` and :func:`rehash`), so probes stay short and
an insertion always finds a free slot. Two keys are reserved: :data:`EMPTY` (-1, i.e.
``2**64 - 1`` as uint64) and :data:`BIAS_KEY` (-2), the intercept of a linear model.

FTRL-Proximal (McMahan et al., KDD 2013, Algorithm 1), per coordinate ``i`` with state
``(z_i, n_i)``::

    w_i = 0                                                   if |z_i| <= l1
    w_i = -(z_i - sign(z_i) l1) / ((beta + sqrt(n_i)) / alpha + l2)   otherwise

and for a gradient ``g_i`` pushed for key ``i`` (``w_i`` from the state before the update)::

    sigma_i = (sqrt(n_i + g_i**2) - sqrt(n_i)) / alpha
    z_i    += g_i - sigma_i w_i
    n_i    += g_i**2

Minibatch kernels (:func:`unique_keys`, :func:`logistic_batch_grad`) work on rows ``rows`` of a
CSR matrix given as ``(data, indices, indptr)``, without copying them.
:func:`ftrl_train_epoch` runs a whole pass of those minibatch steps (the same arithmetic) in
one call on an in-process table, probing the table once per distinct key of a minibatch.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "BIAS_KEY",
    "EMPTY",
    "capacity_for",
    "find_slots",
    "ftrl_decision_csr",
    "ftrl_pull",
    "ftrl_push",
    "ftrl_train_epoch",
    "ftrl_weights",
    "gather",
    "insert_slots",
    "logistic_batch_grad",
    "new_table",
    "rehash",
    "stored_keys",
    "unique_keys",
]

EMPTY = -1
BIAS_KEY = -2
# the table is grown before an insertion could push the load factor above this
MAX_LOAD = 0.5
MIN_CAPACITY = 16


def capacity_for(n_keys: int) -> int:
    """Smallest power-of-two capacity holding ``n_keys`` keys at load factor <= 1/2."""
    capacity = MIN_CAPACITY
    while n_keys > capacity * MAX_LOAD:
        capacity *= 2
    return capacity


def new_table(capacity: int, n_values: int):
    """An empty table: ``(keys, values)`` with every slot :data:`EMPTY` and values zero."""
    if capacity < 1 or capacity & (capacity - 1):
        raise ValueError(f"capacity must be a power of two, got {capacity}.")
    return np.full(capacity, EMPTY, dtype=np.int64), np.zeros((capacity, n_values))


@intrinsic
def _prefetch(typingctx, arr, index):
    """Hint the CPU to fetch element ``index`` (flat, C order) of the C-contiguous ``arr``
    into cache (``llvm.prefetch``): no effect on results, and a prefetch never faults."""
    if not isinstance(arr, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(ary.data, [args[1]])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, index), codegen


@njit(**JIT)
def _home(key, mask):
    """splitmix64 finalizer of the key (wrapping uint64 arithmetic), masked to a slot."""
    z = np.uint64(key) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z & np.uint64(mask))


@njit(**JIT)
def _probe(table_keys, key, mask):
    """Slot holding ``key``, or ``-1 - s`` where ``s`` is the free slot that would take it."""
    return _probe_from(table_keys, key, _home(key, mask), mask)


@njit(**JIT)
def _probe_from(table_keys, key, s, mask):
    """:func:`_probe` starting at slot ``s`` (the key's home or a slot after it)."""
    while True:
        k = table_keys[s]
        if k == key:
            return s
        if k == EMPTY:
            return -1 - s
        s = (s + 1) & mask


@njit(**JIT_PARALLEL)
def find_slots(table_keys, keys, slots):
    """Look ``keys`` up: ``slots[j]`` is the slot of ``keys[j]``, or -1 when absent."""
    mask = table_keys.shape[0] - 1
    for j in prange(keys.shape[0]):
        s = _probe(table_keys, keys[j], mask)
        slots[j] = s if s >= 0 else -1


@njit(**JIT)
def insert_slots(table_keys, keys, slots):
    """Find or insert ``keys`` (distinct): fills ``slots``, returns the number inserted.

    The caller guarantees room (load factor <= 1/2 after the insertion, see
    :func:`capacity_for`); new keys start with zero values.
    """
    mask = table_keys.shape[0] - 1
    inserted = 0
    for j in range(keys.shape[0]):
        s = _probe(table_keys, keys[j], mask)
        if s < 0:
            s = -1 - s
            table_keys[s] = keys[j]
            inserted += 1
        slots[j] = s
    return inserted


@njit(**JIT)
def rehash(table_keys, table_values, new_keys, new_values):
    """Move every stored key and its values into the empty table ``(new_keys, new_values)``."""
    mask = new_keys.shape[0] - 1
    for s in range(table_keys.shape[0]):
        key = table_keys[s]
        if key == EMPTY:
            continue
        t = -1 - _probe(new_keys, key, mask)
        new_keys[t] = key
        new_values[t, :] = table_values[s, :]


@njit(**JIT)
def stored_keys(table_keys):
    """The stored keys in slot order, and their slots."""
    n = 0
    for s in range(table_keys.shape[0]):
        if table_keys[s] != EMPTY:
            n += 1
    keys = np.empty(n, dtype=np.int64)
    slots = np.empty(n, dtype=np.int64)
    j = 0
    for s in range(table_keys.shape[0]):
        if table_keys[s] != EMPTY:
            keys[j] = table_keys[s]
            slots[j] = s
            j += 1
    return keys, slots


@njit(**JIT_PARALLEL)
def gather(table_values, slots, out):
    """``out[j] = table_values[slots[j]]`` (zeros where ``slots[j] == -1``): raw state pull."""
    for j in prange(slots.shape[0]):
        s = slots[j]
        for c in range(out.shape[1]):
            out[j, c] = table_values[s, c] if s >= 0 else 0.0


@njit(**JIT)
def _ftrl_w(z, n, alpha, beta, l1, l2):
    if abs(z) <= l1:
        return 0.0
    shrunk = z - l1 if z > 0.0 else z + l1
    return -shrunk / ((beta + math.sqrt(n)) / alpha + l2)


@njit(**JIT_PARALLEL)
def ftrl_weights(table_values, slots, alpha, beta, l1, l2, out):
    """FTRL weights of the keys in ``slots`` (0 for -1: a key never pushed has z = n = 0)."""
    for j in prange(slots.shape[0]):
        s = slots[j]
        if s < 0:
            out[j] = 0.0
        else:
            out[j] = _ftrl_w(table_values[s, 0], table_values[s, 1], alpha, beta, l1, l2)


@njit(**JIT)
def ftrl_pull(table_keys, table_values, keys, alpha, beta, l1, l2, slots, out):
    """Weights of ``keys`` (0 for absent keys); ``slots`` receives their slots (-1 absent)."""
    mask = table_keys.shape[0] - 1
    for j in range(keys.shape[0]):
        s = _probe(table_keys, keys[j], mask)
        if s < 0:
            slots[j] = -1
            out[j] = 0.0
        else:
            slots[j] = s
            out[j] = _ftrl_w(table_values[s, 0], table_values[s, 1], alpha, beta, l1, l2)


@njit(**JIT)
def ftrl_push(table_values, slots, grads, alpha, beta, l1, l2):
    """Apply one FTRL-Proximal step per slot with its aggregated gradient ``grads[j]``."""
    for j in range(slots.shape[0]):
        s = slots[j]
        g = grads[j]
        z = table_values[s, 0]
        n = table_values[s, 1]
        w = _ftrl_w(z, n, alpha, beta, l1, l2)
        n_new = n + g * g
        sigma = (math.sqrt(n_new) - math.sqrt(n)) / alpha
        table_values[s, 0] = z + g - sigma * w
        table_values[s, 1] = n_new


@njit(**JIT)
def unique_keys(indices, indptr, rows, with_bias):
    """Distinct keys of the minibatch ``rows`` and each stored entry's position among them.

    Returns ``(keys, inverse)``: ``keys`` sorted (int64 order), preceded by :data:`BIAS_KEY`
    when ``with_bias``; ``inverse[e]`` is the index in ``keys`` of the ``e``-th entry of the
    minibatch (rows in the order of ``rows``, entries in CSR order). Duplicates are removed
    through a scratch hash set, so only the distinct keys are sorted.
    """
    nnz = 0
    for r in range(rows.shape[0]):
        i = rows[r]
        nnz += indptr[i + 1] - indptr[i]
    cap = MIN_CAPACITY
    while nnz > cap * MAX_LOAD:
        cap *= 2
    mask = cap - 1
    scratch = np.full(cap, EMPTY, dtype=np.int64)
    entry_slot = np.empty(nnz, dtype=np.int64)
    distinct = np.empty(nnz, dtype=np.int64)
    n_distinct = 0
    e = 0
    for r in range(rows.shape[0]):
        i = rows[r]
        for p in range(indptr[i], indptr[i + 1]):
            s = _probe(scratch, indices[p], mask)
            if s < 0:
                s = -1 - s
                scratch[s] = indices[p]
                distinct[n_distinct] = indices[p]
                n_distinct += 1
            entry_slot[e] = s
            e += 1
    offset = 1 if with_bias else 0
    keys = np.empty(n_distinct + offset, dtype=np.int64)
    if with_bias:
        keys[0] = BIAS_KEY
    keys[offset:] = np.sort(distinct[:n_distinct])
    # the scratch slots now map to positions in the sorted keys
    position = np.empty(cap, dtype=np.int64)
    for j in range(offset, keys.shape[0]):
        position[_probe(scratch, keys[j], mask)] = j
    inverse = np.empty(nnz, dtype=np.int64)
    for e in range(nnz):
        inverse[e] = position[entry_slot[e]]
    return keys, inverse


@njit(**JIT)
def _log_loss_terms(m, y):
    """``log(1 + exp(m)) - y m`` and its derivative ``sigmoid(m) - y``, stably."""
    e = math.exp(-abs(m))
    if m > 0.0:
        return m + math.log1p(e) - y * m, 1.0 / (1.0 + e) - y
    return math.log1p(e) - y * m, e / (1.0 + e) - y


@njit(**JIT)
def logistic_batch_grad(data, indptr, rows, inverse, y, w, with_bias, grad, margins):
    """Margins, log loss and per-key gradient of a minibatch under the pulled weights ``w``.

    ``w`` and ``grad`` are indexed by local key id (``inverse``; 0 is the bias when
    ``with_bias``). ``y`` is 0/1 per row of the full matrix. ``grad`` is overwritten with
    ``sum_rows (sigmoid(m_r) - y_r) x_rk``; ``margins[r]`` receives row ``rows[r]``'s margin.
    Returns the summed log loss (float64), computed before the update (progressive
    validation).
    """
    grad[:] = 0.0
    total = 0.0
    e = 0
    for r in range(rows.shape[0]):
        i = rows[r]
        m = w[0] if with_bias else 0.0
        start = e
        for p in range(indptr[i], indptr[i + 1]):
            m += float(data[p]) * w[inverse[e]]
            e += 1
        loss, g = _log_loss_terms(m, float(y[i]))
        total += loss
        margins[r] = m
        if with_bias:
            grad[0] += g
        e = start
        for p in range(indptr[i], indptr[i + 1]):
            grad[inverse[e]] += g * float(data[p])
            e += 1
    return total


@njit(**JIT_PARALLEL)
def ftrl_decision_csr(
    data, indices, indptr, table_keys, table_values, alpha, beta, l1, l2, bias, out
):
    """``out[i] = bias + sum_p data[p] w(indices[p])`` over the rows, keys absent -> w = 0."""
    mask = table_keys.shape[0] - 1
    for i in prange(indptr.shape[0] - 1):
        m = bias
        for p in range(indptr[i], indptr[i + 1]):
            s = _probe(table_keys, indices[p], mask)
            if s >= 0:
                m += float(data[p]) * _ftrl_w(
                    table_values[s, 0], table_values[s, 1], alpha, beta, l1, l2
                )
        out[i] = m


@njit(**JIT)
def ftrl_train_epoch(
    data,
    indices,
    indptr,
    y,
    order,
    batch_size,
    with_bias,
    table_keys,
    table_values,
    n_keys,
    alpha,
    beta,
    l1,
    l2,
):
    """One pass of minibatch FTRL-Proximal over the rows ``order`` of a CSR matrix.

    Per minibatch of ``batch_size`` rows: pull the weights of its distinct keys (state at the
    minibatch's start, absent keys weigh 0), sum the log-loss gradients per key
    (:func:`logistic_batch_grad`), push them (:func:`ftrl_push`) -- the same arithmetic as
    :func:`unique_keys` + ``ftrl_pull`` + ``ftrl_push`` per minibatch, without leaving
    compiled code. Distinct keys are kept in first-seen order through a reused scratch hash
    set (the per-key results do not depend on that order); each is probed in the table once,
    inserted (zero state) if absent, and its slot reused for the pull and the push. The table
    doubles (:func:`rehash`) before a minibatch whose keys could take the load factor above
    1/2, counting all its keys as new, as :func:`capacity_for` does.

    Returns ``(table_keys, table_values, n_keys, loss)``: the table (new arrays when it grew),
    the number of stored keys and the summed log loss of the rows, each scored before its
    minibatch's update (progressive validation).
    """
    n_rows = order.shape[0]
    offset = 1 if with_bias else 0
    n_batch = max(min(batch_size, n_rows), 1)
    # each minibatch's rows are first copied, in order, into a small CSR buffer (independent
    # loads that overlap), so the rest of the step reads memory sequentially
    local_rows = np.arange(n_batch)
    b_indptr = np.zeros(n_batch + 1, dtype=np.int64)
    b_y = np.empty(n_batch)
    cap = MIN_CAPACITY
    b_data = np.empty(cap, dtype=data.dtype)
    b_indices = np.empty(cap, dtype=np.int64)
    scratch_keys = np.full(cap, EMPTY, dtype=np.int64)
    scratch_ids = np.empty(cap, dtype=np.int64)
    scratch_used = np.empty(cap, dtype=np.int64)
    inverse = np.empty(cap, dtype=np.int64)
    local_keys = np.empty(cap + 1, dtype=np.int64)
    found = np.empty(cap + 1, dtype=np.int64)
    w = np.empty(cap + 1)
    grad = np.empty(cap + 1)
    margins = np.empty(n_batch)
    total = 0.0
    n_values = table_values.shape[1]
    for start in range(0, n_rows, batch_size):
        stop = min(start + batch_size, n_rows)
        n_b = stop - start
        # software pipelining: fetch the row bounds and targets two minibatches ahead and the
        # rows one minibatch ahead while this one is processed
        for r in range(stop + batch_size, min(stop + 2 * batch_size, n_rows)):
            i = order[r]
            _prefetch(indptr, i)
            _prefetch(y, i)
        for r in range(stop, min(stop + batch_size, n_rows)):
            i = order[r]
            lo = indptr[i]
            hi = indptr[i + 1]
            for p in range(lo, hi, 8):
                _prefetch(data, p)
                _prefetch(indices, p)
            if hi > lo:
                _prefetch(data, hi - 1)
                _prefetch(indices, hi - 1)
        nnz = 0
        for r in range(n_b):
            i = order[start + r]
            nnz += indptr[i + 1] - indptr[i]
            b_indptr[r + 1] = nnz
            b_y[r] = y[i]
        if nnz > cap * MAX_LOAD:
            while nnz > cap * MAX_LOAD:
                cap *= 2
            b_data = np.empty(cap, dtype=data.dtype)
            b_indices = np.empty(cap, dtype=np.int64)
            scratch_keys = np.full(cap, EMPTY, dtype=np.int64)
            scratch_ids = np.empty(cap, dtype=np.int64)
            scratch_used = np.empty(cap, dtype=np.int64)
            inverse = np.empty(cap, dtype=np.int64)
            local_keys = np.empty(cap + 1, dtype=np.int64)
            found = np.empty(cap + 1, dtype=np.int64)
            w = np.empty(cap + 1)
            grad = np.empty(cap + 1)
        for r in range(n_b):
            i = order[start + r]
            q = b_indptr[r]
            for p in range(indptr[i], indptr[i + 1]):
                b_data[q] = data[p]
                b_indices[q] = indices[p]
                q += 1
        rows = local_rows[:n_b]
        smask = cap - 1
        mask = table_keys.shape[0] - 1
        # distinct keys of the minibatch (first-seen order) and each entry's local id
        n_local = offset
        if with_bias:
            local_keys[0] = BIAS_KEY
        n_used = 0
        for e in range(nnz):
            key = b_indices[e]
            s = _probe(scratch_keys, key, smask)
            if s < 0:
                s = -1 - s
                scratch_keys[s] = key
                scratch_ids[s] = n_local
                scratch_used[n_used] = s
                n_used += 1
                local_keys[n_local] = key
                n_local += 1
                h = _home(key, mask)
                _prefetch(table_keys, h)
                _prefetch(table_values, h * n_values)
            inverse[e] = scratch_ids[s]
        for j in range(n_used):
            scratch_keys[scratch_used[j]] = EMPTY
        # grow before inserting, then find-or-insert each key once and pull its weight
        table_cap = table_keys.shape[0]
        if n_keys + n_local > table_cap * MAX_LOAD:
            while n_keys + n_local > table_cap * MAX_LOAD:
                table_cap *= 2
            new_keys = np.full(table_cap, EMPTY, dtype=np.int64)
            new_values = np.zeros((table_cap, table_values.shape[1]))
            rehash(table_keys, table_values, new_keys, new_values)
            table_keys = new_keys
            table_values = new_values
        mask = table_cap - 1
        # first look at each key's home slot only: independent loads that overlap (most keys
        # sit at home), then finish the probes (and insertions) in key order
        for j in range(n_local):
            key = local_keys[j]
            s = _home(key, mask)
            found[j] = s if table_keys[s] == key else -1 - s
        for j in range(n_local):
            s = found[j]
            if s < 0:
                s = _probe_from(table_keys, local_keys[j], -1 - s, mask)
                if s < 0:
                    s = -1 - s
                    table_keys[s] = local_keys[j]
                    n_keys += 1
                found[j] = s
            w[j] = _ftrl_w(table_values[s, 0], table_values[s, 1], alpha, beta, l1, l2)
        total += logistic_batch_grad(
            b_data, b_indptr, rows, inverse, b_y, w[:n_local], with_bias, grad[:n_local], margins
        )
        ftrl_push(table_values, found[:n_local], grad[:n_local], alpha, beta, l1, l2)
    return table_keys, table_values, n_keys, total
