"""pai_algos_native.cpu.ps against the NumPy references in naive_ps."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import keyed_table as kt
from pai_algos_native.cpu import ps as K

from . import naive_ps as naive


def _keys(rng, n, span=2**62):
    return rng.integers(-span, span, size=n, dtype=np.int64)


@pytest.mark.parametrize("log2p", [0, 1, 4, 7])
def test_partition_of(rng, log2p):
    keys = _keys(rng, 500)
    out = np.empty_like(keys)
    K.partition_of(keys, log2p, out)
    np.testing.assert_array_equal(out, naive.partition_of(keys, log2p))
    assert out.min() >= 0 and out.max() < 2**log2p


@pytest.mark.parametrize("n_shards", [1, 2, 5])
def test_group_by_shard_is_a_stable_partition(rng, n_shards):
    keys = np.sort(_keys(rng, 400))
    log2p = 4
    part_to_shard = rng.integers(0, n_shards, size=16).astype(np.int64)
    order = np.empty(keys.shape[0], dtype=np.int64)
    offsets = np.empty(n_shards + 1, dtype=np.int64)
    K.group_by_shard(keys, log2p, part_to_shard, n_shards, order, offsets)
    shard = part_to_shard[naive.partition_of(keys, log2p)]
    assert offsets[0] == 0 and offsets[-1] == keys.shape[0]
    np.testing.assert_array_equal(np.sort(order), np.arange(keys.shape[0]))
    for s in range(n_shards):
        idx = order[offsets[s] : offsets[s + 1]]
        np.testing.assert_array_equal(idx, np.flatnonzero(shard == s))  # stable, so sorted


def test_dense_column_ids_spread_over_partitions():
    out = np.empty(1 << 14, dtype=np.int64)
    K.partition_of(np.arange(1 << 14, dtype=np.int64), 4, out)
    counts = np.bincount(out, minlength=16)
    assert counts.min() > 0.8 * counts.mean()


def test_sum_by_key(rng):
    keys = rng.integers(0, 50, size=300).astype(np.int64)
    grads = rng.normal(size=300)
    got_k, got_g = K.sum_by_key(keys, grads)
    ref_k, ref_g = naive.sum_by_key(keys, grads)
    np.testing.assert_array_equal(got_k, ref_k)
    np.testing.assert_allclose(got_g, ref_g, rtol=1e-12)
    empty_k, empty_g = K.sum_by_key(keys[:0], grads[:0])
    assert empty_k.shape == empty_g.shape == (0,)


def _table(rng, n_values):
    keys = np.unique(_keys(rng, 64))
    table_keys, table_values = kt.new_table(kt.capacity_for(keys.shape[0]), n_values)
    slots = np.empty(keys.shape[0], dtype=np.int64)
    kt.insert_slots(table_keys, keys, slots)
    table_values[slots] = rng.uniform(0.1, 1.0, size=(keys.shape[0], n_values))
    return keys, slots, table_keys, table_values


def test_values_pull_and_optimizers(rng):
    keys, slots, table_keys, values = _table(rng, 2)
    absent = np.array([kt.BIAS_KEY - 5, 12345], dtype=np.int64)
    absent = absent[~np.isin(absent, keys)]
    query = np.concatenate([keys, absent])
    out = np.empty(query.shape[0])
    K.values_pull(table_keys, values, query, 1, out)
    np.testing.assert_array_equal(out[: keys.shape[0]], values[slots, 1])
    assert not out[keys.shape[0] :].any()

    grads = rng.normal(size=keys.shape[0])
    before = values[slots].copy()
    K.adagrad_push(values, slots, grads, 0.3, 1e-8)
    w_ref, acc_ref = naive.adagrad(before[:, 0], before[:, 1], grads, 0.3, 1e-8)
    np.testing.assert_allclose(values[slots, 0], w_ref, rtol=1e-12)
    np.testing.assert_allclose(values[slots, 1], acc_ref, rtol=1e-12)

    before = values[slots, 0].copy()
    K.sgd_push(values, slots, grads, 0.5)
    np.testing.assert_allclose(values[slots, 0], before - 0.5 * grads, rtol=1e-12)


@pytest.mark.parametrize(("size", "n_shards"), [(10, 3), (7, 7), (1000, 4), (5, 1)])
def test_group_by_range(rng, size, n_shards):
    keys = np.sort(rng.integers(0, size, size=200)).astype(np.int64)
    order = np.empty(keys.shape[0], dtype=np.int64)
    offsets = np.empty(n_shards + 1, dtype=np.int64)
    K.group_by_range(keys, size, n_shards, order, offsets)
    bounds = [s * size // n_shards for s in range(n_shards + 1)]
    for s in range(n_shards):
        idx = order[offsets[s] : offsets[s + 1]]
        inside = (keys >= bounds[s]) & (keys < bounds[s + 1])
        np.testing.assert_array_equal(idx, np.flatnonzero(inside))
