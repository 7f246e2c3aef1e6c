"""The keyed-table kernels against the dict-based references in naive_keyed_table.py."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import keyed_table as kt

from . import naive_keyed_table as naive

PARAMS = (0.1, 1.0, 0.5, 1.0)  # alpha, beta, l1, l2


def _grow_insert(table_keys, table_values, n_stored, keys):
    """Insert distinct keys the way LocalStore does: grow first, then insert."""
    capacity = kt.capacity_for(n_stored + keys.shape[0])
    if capacity > table_keys.shape[0]:
        new_keys, new_values = kt.new_table(capacity, table_values.shape[1])
        kt.rehash(table_keys, table_values, new_keys, new_values)
        table_keys, table_values = new_keys, new_values
    slots = np.empty(keys.shape[0], dtype=np.int64)
    n_stored += kt.insert_slots(table_keys, keys, slots)
    return table_keys, table_values, n_stored, slots


def _random_keys(rng, n):
    """Distinct uint64 keys (as int64) over the whole 64-bit range, reserved values excluded."""
    keys = rng.integers(0, 2**64, size=3 * n, dtype=np.uint64).view(np.int64)
    keys = keys[(keys != kt.EMPTY) & (keys != kt.BIAS_KEY)]
    return rng.permutation(np.unique(keys))[:n]


def _colliding_keys(n, capacity=kt.MIN_CAPACITY):
    """Keys whose home slot in a table of ``capacity`` slots is the same (slot 3)."""
    out = []
    key = 0
    while len(out) < n:
        if naive.home_slot(key, capacity) == 3:
            out.append(key)
        key += 1
    return np.array(out, dtype=np.int64)


def test_capacity_keeps_load_at_most_half():
    for n in (0, 1, 8, 9, 1000, 12345):
        cap = kt.capacity_for(n)
        assert cap & (cap - 1) == 0
        assert n <= cap // 2
        assert cap == kt.MIN_CAPACITY or n > cap // 4


def test_new_table_rejects_bad_capacity():
    with pytest.raises(ValueError, match="power of two"):
        kt.new_table(12, 2)


def test_home_slot_matches_python_splitmix(rng):
    keys = _random_keys(rng, 50)
    table_keys, table_values = kt.new_table(1 << 20, 1)
    slots = np.empty(1, dtype=np.int64)
    for key in keys:
        table_keys[:] = kt.EMPTY
        kt.insert_slots(table_keys, np.array([key]), slots)
        assert slots[0] == naive.home_slot(int(key), 1 << 20)


@pytest.mark.parametrize("kind", ["random", "colliding"])
def test_insert_lookup_grow_against_dict(rng, kind):
    keys = _random_keys(rng, 3000) if kind == "random" else _colliding_keys(40)
    table_keys, table_values = kt.new_table(kt.MIN_CAPACITY, 2)
    reference = {}
    n_stored = 0
    # batches overlap: some keys are found, some inserted, and the table grows several times
    for start in range(0, keys.shape[0], max(1, keys.shape[0] // 7)):
        batch = np.unique(keys[max(0, start - 5) : start + keys.shape[0] // 7])
        table_keys, table_values, n_stored, slots = _grow_insert(
            table_keys, table_values, n_stored, batch
        )
        for key, slot in zip(batch, slots, strict=True):
            if int(key) not in reference:
                table_values[slot] = [float(key % 1000), 1.0]
                reference[int(key)] = float(key % 1000)
        assert n_stored == len(reference)
        assert np.count_nonzero(table_keys != kt.EMPTY) == n_stored
        assert n_stored <= table_keys.shape[0] // 2
    stored, stored_slots = kt.stored_keys(table_keys)
    assert sorted(stored.tolist()) == sorted(reference)
    # lookups of stored keys and of absent ones
    absent = np.setdiff1d(_random_keys(rng, 200), keys)
    query = rng.permutation(np.concatenate([keys, absent]))
    slots = np.empty(query.shape[0], dtype=np.int64)
    kt.find_slots(table_keys, query, slots)
    for key, slot in zip(query, slots, strict=True):
        if int(key) in reference:
            assert table_keys[slot] == key
            assert table_values[slot, 0] == reference[int(key)]
        else:
            assert slot == -1
    out = np.empty((query.shape[0], 2))
    kt.gather(table_values, slots, out)
    expected = [reference.get(int(k), 0.0) for k in query]
    np.testing.assert_array_equal(out[:, 0], expected)


def test_colliding_keys_really_collide():
    keys = _colliding_keys(10)
    table_keys, _ = kt.new_table(kt.MIN_CAPACITY, 2)
    slots = np.empty(keys.shape[0], dtype=np.int64)
    kt.insert_slots(table_keys, keys, slots)
    # one home slot: linear probing lays them out one after the other
    np.testing.assert_array_equal(slots, (3 + np.arange(10)) % kt.MIN_CAPACITY)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ftrl_pull_push_against_python(rng, dtype):
    alpha, beta, l1, l2 = PARAMS
    ref = naive.NaiveFTRLTable(*PARAMS)
    universe = _random_keys(rng, 60)
    table_keys, table_values = kt.new_table(kt.MIN_CAPACITY, 2)
    n_stored = 0
    for _ in range(25):
        keys = np.sort(rng.choice(universe, size=int(rng.integers(1, 30)), replace=False))
        w = np.empty(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        kt.ftrl_pull(table_keys, table_values, keys, alpha, beta, l1, l2, slots, w)
        np.testing.assert_allclose(w, ref.pull(keys), rtol=1e-12, atol=1e-15)
        grads = rng.normal(scale=2.0, size=keys.shape[0]).astype(dtype).astype(np.float64)
        ref.push(keys, grads)
        table_keys, table_values, n_stored, slots = _grow_insert(
            table_keys, table_values, n_stored, keys
        )
        kt.ftrl_push(table_values, slots, grads, alpha, beta, l1, l2)
    assert n_stored == len(ref.state)
    slots = np.empty(universe.shape[0], dtype=np.int64)
    kt.find_slots(table_keys, universe, slots)
    w = np.empty(universe.shape[0])
    kt.ftrl_weights(table_values, slots, alpha, beta, l1, l2, w)
    np.testing.assert_allclose(w, ref.pull(universe), rtol=1e-12, atol=1e-15)
    assert np.count_nonzero(w) < np.count_nonzero(slots >= 0)  # l1 zeroes some weights


def _random_csr(rng, n_rows, n_keys, per_row, dtype=np.float64):
    universe = rng.integers(0, 2**40, size=n_keys)
    rows = [np.sort(rng.choice(universe, size=per_row, replace=False)) for _ in range(n_rows)]
    indices = np.concatenate(rows).astype(np.int64)
    indptr = np.arange(0, n_rows * per_row + 1, per_row, dtype=np.int64)
    data = rng.uniform(0.5, 1.5, size=indices.shape[0]).astype(dtype)
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, 2**40))


@pytest.mark.parametrize("with_bias", [True, False])
def test_unique_keys_against_np_unique(rng, with_bias):
    X = _random_csr(rng, 50, 40, 5)
    X.indices = X.indices.astype(np.int64)
    X.indptr = X.indptr.astype(np.int64)
    for rows in (np.arange(50), rng.permutation(50)[:17], np.array([7])):
        rows = rows.astype(np.int64)
        keys, inverse = kt.unique_keys(X.indices, X.indptr, rows, with_bias)
        ref_keys, ref_inverse = naive.unique_keys(X.indices, X.indptr, rows, with_bias)
        np.testing.assert_array_equal(keys, ref_keys)
        np.testing.assert_array_equal(inverse, ref_inverse)


def test_unique_keys_of_an_empty_row():
    indptr = np.array([0, 0], dtype=np.int64)
    keys, inverse = kt.unique_keys(np.empty(0, np.int64), indptr, np.array([0]), True)
    np.testing.assert_array_equal(keys, [kt.BIAS_KEY])
    assert inverse.shape == (0,)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_grad_against_numpy(rng, dtype):
    X = _random_csr(rng, 30, 25, 4, dtype=dtype)
    indices, indptr = X.indices.astype(np.int64), X.indptr.astype(np.int64)
    y = rng.integers(0, 2, size=30).astype(np.float64)
    rows = rng.permutation(30)[:12].astype(np.int64)
    keys, inverse = kt.unique_keys(indices, indptr, rows, True)
    w = rng.normal(size=keys.shape[0])
    grad = np.empty(keys.shape[0])
    margins = np.empty(rows.shape[0])
    loss = kt.logistic_batch_grad(X.data, indptr, rows, inverse, y, w, True, grad, margins)
    # dense reference on the local key ids
    local = np.zeros((rows.shape[0], keys.shape[0]))
    local[:, 0] = 1.0
    e = 0
    for r, i in enumerate(rows):
        for p in range(indptr[i], indptr[i + 1]):
            local[r, inverse[e]] += float(X.data[p])
            e += 1
    m = local @ w
    p1 = 1 / (1 + np.exp(-m))
    np.testing.assert_allclose(margins, m, rtol=1e-12)
    np.testing.assert_allclose(grad, local.T @ (p1 - y[rows]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss, np.sum(np.logaddexp(0, m) - y[rows] * m), rtol=1e-12)


def test_decision_csr_uses_stored_weights_and_zero_for_unseen(rng):
    alpha, beta, l1, l2 = PARAMS
    X = _random_csr(rng, 20, 30, 3)
    indices, indptr = X.indices.astype(np.int64), X.indptr.astype(np.int64)
    ref = naive.NaiveFTRLTable(*PARAMS)
    seen = np.unique(indices)[::2]  # half the keys are never stored
    grads = rng.normal(scale=3.0, size=seen.shape[0])
    ref.push(seen, grads)
    table_keys, table_values, _, slots = _grow_insert(*kt.new_table(16, 2), 0, seen)
    kt.ftrl_push(table_values, slots, grads, alpha, beta, l1, l2)
    out = np.empty(20)
    kt.ftrl_decision_csr(X.data, indices, indptr, table_keys, table_values, *PARAMS, 0.25, out)
    expected = [
        0.25 + sum(X.data[p] * ref.weight(indices[p]) for p in range(indptr[i], indptr[i + 1]))
        for i in range(20)
    ]
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def _minibatch_epoch(X, y, order, batch_size, with_bias, table_keys, table_values, n_stored):
    """One pass the unfused way: unique_keys -> ftrl_pull -> batch grad -> grow, insert, push."""
    margins = np.empty(batch_size)
    total = 0.0
    for start in range(0, order.shape[0], batch_size):
        rows = order[start : start + batch_size]
        keys, inverse = kt.unique_keys(X.indices, X.indptr, rows, with_bias)
        w = np.empty(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        kt.ftrl_pull(table_keys, table_values, keys, *PARAMS, slots, w)
        grad = np.empty(keys.shape[0])
        total += kt.logistic_batch_grad(
            X.data, X.indptr, rows, inverse, y, w, with_bias, grad, margins
        )
        table_keys, table_values, n_stored, slots = _grow_insert(
            table_keys, table_values, n_stored, keys
        )
        kt.ftrl_push(table_values, slots, grad, *PARAMS)
    return table_keys, table_values, n_stored, total


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_train_epoch_equals_pull_grad_push(rng, with_bias, dtype, batch_size):
    """The fused pass gives bit-identical state, key count, table size and loss."""
    X = _random_csr(rng, 90, 40, 4, dtype)
    X = sp.vstack([X[:5], sp.csr_matrix((2, X.shape[1]), dtype=dtype), X[5:]], format="csr")
    X.indices = X.indices.astype(np.int64)
    X.indptr = X.indptr.astype(np.int64)
    y = rng.integers(0, 2, X.shape[0]).astype(np.float64)
    order = rng.permutation(X.shape[0]).astype(np.int64)
    ref = kt.new_table(kt.MIN_CAPACITY, 2) + (0,)
    got = kt.new_table(kt.MIN_CAPACITY, 2) + (0,)
    for _ in range(2):  # the second pass starts from a filled table
        ref = _minibatch_epoch(X, y, order, batch_size, with_bias, *ref[:3])
        got = kt.ftrl_train_epoch(
            X.data, X.indices, X.indptr, y, order, batch_size, with_bias, *got[:3], *PARAMS
        )
        assert got[0].shape == ref[0].shape and got[2] == ref[2]
        assert got[3] == ref[3]
        keys = np.sort(ref[0][ref[0] != kt.EMPTY])
        assert np.array_equal(np.sort(got[0][got[0] != kt.EMPTY]), keys)
        states = []
        for table_keys, table_values, *_ in (ref, got):
            slots = np.empty(keys.shape[0], dtype=np.int64)
            kt.find_slots(table_keys, keys, slots)
            states.append(table_values[slots])
        np.testing.assert_array_equal(states[1], states[0])
