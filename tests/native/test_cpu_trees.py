"""pai_algos_native.cpu.trees against the NumPy references in naive_trees."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import trees as T

from . import naive_trees as naive

DTYPES = [np.float32, np.float64]
MISSING_BIN = 255
N_BINS = 256


def _thresholds(rng, d, max_t=20):
    per = [np.sort(rng.normal(size=rng.integers(0, max_t))) for _ in range(d)]
    flat = np.concatenate(per) if per else np.empty(0)
    offsets = np.zeros(d + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(t) for t in per])
    return per, flat, offsets


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(500, 6), (1, 3), (5000, 2)])
def test_bin_features(rng, dtype, shape):
    X = rng.normal(size=shape).astype(dtype)
    X[rng.random(shape) < 0.1] = np.nan
    per, flat, offsets = _thresholds(rng, shape[1])
    if shape[1] > 1 and len(per[0]) > 0:
        X[0, 0] = per[0][0]  # a value equal to a threshold falls in the lower bin
    codes = np.empty((shape[1], shape[0]), dtype=np.uint8)
    T.bin_features(X, flat, offsets, MISSING_BIN, codes)
    np.testing.assert_array_equal(codes, naive.bin_features(X, per, MISSING_BIN))


def test_bin_features_constant_column(rng):
    X = np.full((40, 2), 3.0)
    X[:, 1] = rng.normal(size=40)
    per = [np.empty(0), np.array([0.0])]
    offsets = np.array([0, 0, 1], dtype=np.int64)
    codes = np.empty((2, 40), dtype=np.uint8)
    T.bin_features(X, np.array([0.0]), offsets, MISSING_BIN, codes)
    assert np.all(codes[0] == 0)
    np.testing.assert_array_equal(codes, naive.bin_features(X, per, MISSING_BIN))


def _codes(rng, d, n, n_bins_used=20):
    codes = rng.integers(0, n_bins_used, size=(d, n)).astype(np.uint8)
    codes[rng.random((d, n)) < 0.05] = MISSING_BIN
    return codes


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 300, 40_000])
def test_build_histogram(rng, dtype, n):
    d = 4
    codes = _codes(rng, d, n)
    g = rng.normal(size=n).astype(dtype)
    h = rng.uniform(0.1, 1, size=n).astype(dtype)
    rows = np.sort(rng.choice(n, size=max(1, n // 2), replace=False)).astype(np.int64)
    hist = T.build_histogram(codes, g, h, rows, N_BINS)
    ref = naive.build_histogram(codes, g.astype(np.float64), h.astype(np.float64), rows, N_BINS)
    np.testing.assert_allclose(hist, ref, rtol=1e-10, atol=1e-9)


def test_histogram_subtraction_and_additivity(rng):
    d, n = 3, 2000
    codes = _codes(rng, d, n)
    g, h = rng.normal(size=n), rng.uniform(0.1, 1, size=n)
    rows = np.arange(n, dtype=np.int64)
    mask = rng.random(n) < 0.3
    small, large = rows[mask], rows[~mask]
    parent = T.build_histogram(codes, g, h, rows, N_BINS)
    h_small = T.build_histogram(codes, g, h, small, N_BINS)
    h_large = T.build_histogram(codes, g, h, large, N_BINS)
    np.testing.assert_allclose(T.subtract_histogram(parent, h_small), h_large, atol=1e-9)
    # shards of rows (workers) add up to the whole (the parameter-server aggregation)
    shards = np.array_split(rows, 3)
    total = sum(T.build_histogram(codes, g, h, s, N_BINS) for s in shards)
    np.testing.assert_allclose(total, parent, atol=1e-9)


def test_split_gain_formula(rng):
    gl, hl, gr, hr = rng.normal(), rng.uniform(0.5, 2), rng.normal(), rng.uniform(0.5, 2)
    lam = 0.7
    ref = gl**2 / (hl + lam) + gr**2 / (hr + lam) - (gl + gr) ** 2 / (hl + hr + lam)
    np.testing.assert_allclose(T.split_gain(gl, hl, gr, hr, lam), ref, rtol=1e-9)


@pytest.mark.parametrize("has_missing", [0, 1])
@pytest.mark.parametrize("l2", [0.0, 1.0])
def test_find_best_splits(rng, has_missing, l2):
    d, n = 5, 400
    nbnm = rng.integers(1, 12, size=d).astype(np.int64)
    codes = np.stack([rng.integers(0, k, size=n) for k in nbnm]).astype(np.uint8)
    hm = np.full(d, has_missing, dtype=np.uint8)
    if has_missing:
        codes[rng.random((d, n)) < 0.15] = MISSING_BIN
    g, h = rng.normal(size=n) + 0.3 * codes[0], rng.uniform(0.1, 1, size=n)
    hist = T.build_histogram(codes, g, h, np.arange(n, dtype=np.int64), N_BINS)
    mask = np.ones(d, dtype=np.uint8)
    mask[d - 1] = 0
    gains, bins = np.empty(d), np.empty(d, dtype=np.int64)
    ml, stats = np.empty(d, dtype=np.uint8), np.zeros((d, 3))
    T.find_best_splits(
        hist, nbnm, hm, mask, g.sum(), h.sum(), n, l2, 10, 1e-3, gains, bins, ml, stats
    )
    assert gains[d - 1] == -1.0
    for f in range(d - 1):
        ref_gain, ref_bin, ref_ml = naive.best_split_feature(hist[f], nbnm[f], hm[f], l2, 10, 1e-3)
        np.testing.assert_allclose(gains[f], ref_gain, rtol=1e-9, atol=1e-12)
        if ref_gain > 0:
            assert (bins[f], ml[f]) == (ref_bin, ref_ml)
            left = codes[f] <= bins[f]
            if ml[f]:
                left |= codes[f] == MISSING_BIN
            np.testing.assert_allclose(stats[f], [g[left].sum(), h[left].sum(), left.sum()])


def test_partition_rows_is_stable(rng):
    n = 200
    codes_f = rng.integers(0, 10, size=n).astype(np.uint8)
    codes_f[::7] = MISSING_BIN
    rows = np.sort(rng.choice(1000, n, replace=False)).astype(np.int64)
    full = np.zeros(1000, dtype=np.uint8)
    full[rows] = codes_f
    for missing_left in (0, 1):
        r = rows.copy()
        n_left = T.partition_rows(full, r, 4, missing_left, MISSING_BIN, np.empty(n, np.int64))
        go_left = (full[rows] <= 4) & (full[rows] != MISSING_BIN)
        if missing_left:
            go_left |= full[rows] == MISSING_BIN
        np.testing.assert_array_equal(r[:n_left], rows[go_left])
        np.testing.assert_array_equal(r[n_left:], rows[~go_left])


def _random_forest(rng, d, n_trees, depth=3):
    """Full binary trees of the given depth, concatenated."""
    feature, threshold, left, right, ml, value, roots = [], [], [], [], [], [], []
    for _ in range(n_trees):
        base = len(feature)
        roots.append(base)
        m = 2 ** (depth + 1) - 1
        for j in range(m):
            internal = 2 * j + 1 < m
            feature.append(rng.integers(0, d) if internal else 0)
            threshold.append(rng.normal())
            left.append(base + 2 * j + 1 if internal else -1)
            right.append(base + 2 * j + 2 if internal else -1)
            ml.append(rng.integers(0, 2))
            value.append(rng.normal())
    return (
        np.array(feature, np.int32),
        np.array(threshold),
        np.array(left, np.int32),
        np.array(right, np.int32),
        np.array(ml, np.uint8),
        np.array(value),
        np.array(roots, np.int64),
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 50, 3000])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_predict_raw(rng, dtype, n, n_outputs):
    d = 4
    X = rng.normal(size=(n, d)).astype(dtype)
    X[rng.random((n, d)) < 0.1] = np.nan
    forest = _random_forest(rng, d, 3 * n_outputs)
    out = np.zeros((n, n_outputs))
    T.predict_raw(X, *forest, out)
    ref = naive.predict(X, *forest, n_outputs)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


def test_predict_binned_matches_raw(rng):
    d, n = 3, 500
    per, flat, offsets = _thresholds(rng, d, max_t=30)
    X = rng.normal(size=(n, d))
    X[rng.random((n, d)) < 0.1] = np.nan
    codes = np.empty((d, n), np.uint8)
    T.bin_features(X, flat, offsets, MISSING_BIN, codes)
    feature, _, left, right, ml, value, roots = _random_forest(rng, d, 4)
    bin_thr = np.array([rng.integers(0, max(1, len(per[f]))) for f in feature], dtype=np.uint8)
    thr = np.array([per[f][b] if b < len(per[f]) else np.inf for f, b in zip(feature, bin_thr)])
    out_raw, out_bin = np.zeros((n, 1)), np.zeros((n, 1))
    T.predict_raw(X, feature, thr, left, right, ml, value, roots, out_raw)
    T.predict_binned(codes, feature, bin_thr, left, right, ml, value, roots, MISSING_BIN, out_bin)
    np.testing.assert_allclose(out_bin, out_raw)


def test_add_leaf_values(rng):
    n = 100
    rows = rng.permutation(n).astype(np.int64)
    starts, stops = np.array([0, 30, 70]), np.array([30, 70, 100])
    vals = rng.normal(size=3)
    raw = np.zeros((n, 2))
    T.add_leaf_values(rows, starts, stops, vals, raw, 1)
    ref = np.zeros(n)
    for s, e, v in zip(starts, stops, vals):
        ref[rows[s:e]] += v
    np.testing.assert_allclose(raw[:, 1], ref)
    assert not raw[:, 0].any()


def _split_inputs(rng, d, n, has_missing, max_bins=12):
    nbnm = rng.integers(2, max_bins, size=d).astype(np.int64)
    codes = np.stack([rng.integers(0, k, size=n) for k in nbnm]).astype(np.uint8)
    hm = np.full(d, has_missing, dtype=np.uint8)
    if has_missing:
        codes[rng.random((d, n)) < 0.15] = MISSING_BIN
    g = rng.normal(size=n) + 0.5 * rng.normal(size=max_bins + 1)[np.minimum(codes[0], max_bins)]
    h = rng.uniform(0.1, 1, size=n)
    hist = T.build_histogram(codes, g, h, np.arange(n, dtype=np.int64), N_BINS)
    out = (np.empty(d), np.empty(d, dtype=np.int64), np.empty(d, np.uint8), np.zeros((d, 3)))
    return nbnm, codes, hm, g, h, hist, out


@pytest.mark.parametrize("has_missing", [0, 1])
def test_find_best_splits_monotonic(rng, has_missing):
    d, n, l2 = 4, 500, 0.5
    nbnm, codes, hm, g, h, hist, (gains, bins, ml, stats) = _split_inputs(rng, d, n, has_missing)
    cst = np.array([1, -1, 0, 1], dtype=np.int8)
    lo, hi = (-np.inf, np.inf) if rng.random() < 0.5 else (-0.2, 0.3)
    T.find_best_splits(
        hist, nbnm, hm, np.ones(d, np.uint8), g.sum(), h.sum(), n, l2, 10, 1e-3,
        gains, bins, ml, stats, cst, lo, hi,
    )  # fmt: skip
    for f in range(d):
        ref = naive.best_split_bounded(hist[f], nbnm[f], hm[f], l2, 10, 1e-3, cst[f], lo, hi)
        # a gain of zero up to rounding may be kept by one and rejected by the other
        np.testing.assert_allclose(max(gains[f], 0), max(ref[0], 0), rtol=1e-9, atol=1e-9)
        if ref[0] > 1e-9:
            assert (bins[f], ml[f]) == ref[1:]


@pytest.mark.parametrize("has_missing", [0, 1])
def test_find_best_splits_categorical(rng, has_missing):
    d, n, l2 = 3, 600, 1.0
    nbnm, codes, hm, g, h, hist, (gains, bins, ml, stats) = _split_inputs(
        rng, d, n, has_missing, max_bins=40
    )
    is_cat = np.array([1, 1, 0], dtype=np.uint8)
    bitsets = np.zeros((d, T.BITSET_WORDS), dtype=np.uint32)
    T.find_best_splits(
        hist, nbnm, hm, np.ones(d, np.uint8), g.sum(), h.sum(), n, l2, 10, 1e-3,
        gains, bins, ml, stats, None, -np.inf, np.inf, is_cat, bitsets,
    )  # fmt: skip
    for f in range(2):
        ref_gain, ref_set = naive.best_split_categorical(hist[f], nbnm[f], hm[f], l2, 10, 1e-3)
        np.testing.assert_allclose(gains[f], ref_gain, rtol=1e-9, atol=1e-12)
        if ref_gain <= 0:
            continue
        bits = np.unpackbits(bitsets[f].view(np.uint8), bitorder="little")
        got_set = set(np.flatnonzero(bits).tolist())
        assert ml[f] == int(MISSING_BIN in got_set)
        left = np.isin(codes[f], list(got_set))
        # a prefix of the sorted categories and the complementary suffix are the same
        # partition (same gain up to rounding): either may win
        ref_left = np.isin(codes[f], list(ref_set))
        assert np.array_equal(left, ref_left) or np.array_equal(left, ~ref_left)
        np.testing.assert_allclose(stats[f], [g[left].sum(), h[left].sum(), left.sum()])
        rows = np.arange(n, dtype=np.int64)
        n_left = T.partition_rows_categorical(codes[f], rows, bitsets[f], np.empty(n, np.int64))
        np.testing.assert_array_equal(rows[:n_left], np.flatnonzero(left))
        np.testing.assert_array_equal(rows[n_left:], np.flatnonzero(~left))
    # the numerical feature is unaffected by the categorical options
    ref = naive.best_split_feature(hist[2], nbnm[2], hm[2], l2, 10, 1e-3)
    np.testing.assert_allclose(gains[2], ref[0], rtol=1e-9, atol=1e-12)


def test_predict_and_apply_categorical(rng):
    d, n = 3, 400
    feature, threshold, left, right, ml, value, roots = _random_forest(rng, d, 3)
    cat_node = (rng.random(feature.shape[0]) < 0.5).astype(np.uint8)
    bitsets = rng.integers(0, 2**32, size=(feature.shape[0], T.BITSET_WORDS), dtype=np.uint32)
    X = rng.normal(size=(n, d))
    X[:, 0] = rng.integers(0, 255, size=n)
    X[rng.random((n, d)) < 0.1] = np.nan
    feature[cat_node == 1] = 0
    out = np.zeros((n, 1))
    T.predict_raw(X, feature, threshold, left, right, ml, value, roots, out, cat_node, bitsets)
    leaves = np.empty((n, 3), dtype=np.int64)
    T.apply_raw(X, feature, threshold, left, right, ml, roots, leaves, cat_node, bitsets)
    ref_out = np.zeros(n)
    for i in range(n):
        for t, node in enumerate(roots):
            while left[node] >= 0:
                x = X[i, feature[node]]
                if np.isnan(x):
                    go = ml[node]
                elif cat_node[node]:
                    go = (int(bitsets[node, int(x) // 32]) >> (int(x) % 32)) & 1
                else:
                    go = x <= threshold[node]
                node = left[node] if go else right[node]
            assert leaves[i, t] == node
            ref_out[i] += value[node]
    np.testing.assert_allclose(out[:, 0], ref_out, rtol=1e-12)


@pytest.mark.parametrize("n", [5000, 70_000])
def test_parallel_partition_matches_serial(rng, monkeypatch, n):
    """The chunked parallel partition gives the serial (stable) one's rows and count."""
    codes_f = rng.integers(0, 10, size=n).astype(np.uint8)
    codes_f[rng.random(n) < 0.1] = MISSING_BIN
    rows = np.sort(rng.choice(n, n // 2, replace=False)).astype(np.int64)
    monkeypatch.setattr(T, "PARALLEL_PARTITION_MIN_ROWS", 1)
    for split_bin, missing_left in ((4, 0), (4, 1), (0, 0), (9, 1)):
        par, ser = rows.copy(), rows.copy()
        buf = np.empty(n, np.int64)
        n_par = T.partition_rows(codes_f, par, split_bin, missing_left, MISSING_BIN, buf)
        n_ser = T._partition_serial(codes_f, ser, split_bin, missing_left, MISSING_BIN, buf)
        go_left = np.where(
            codes_f[rows] == MISSING_BIN, missing_left == 1, codes_f[rows] <= split_bin
        )
        assert n_par == n_ser == int(go_left.sum())
        np.testing.assert_array_equal(par, ser)
        np.testing.assert_array_equal(par, np.concatenate([rows[go_left], rows[~go_left]]))


@pytest.mark.parametrize("weighted", [False, True])
def test_binomial_loss_kernels_match_numpy(rng, weighted):
    n = 3000
    y = rng.integers(0, 2, size=n).astype(np.float64)
    z = rng.normal(scale=8, size=n)  # large |z| exercises the stable branches
    sw = rng.uniform(0.1, 2.0, size=n) if weighted else None
    g, h = np.empty(n), np.empty(n)
    T.binomial_grad_hess(y, z, g, h)
    p = 1.0 / (1.0 + np.exp(-z))
    np.testing.assert_allclose(g, p - y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, p * (1 - p), rtol=1e-10, atol=1e-300)
    ref = np.average(np.logaddexp(0.0, z) - y * z, weights=sw)
    got = T.binomial_loss(y, z, np.empty(0) if sw is None else sw)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_loss_kernels_match_numpy(rng, weighted):
    n, k = 2000, 4
    y = rng.integers(0, k, size=n).astype(np.float64)
    raw = rng.normal(scale=5, size=(n, k))
    sw = rng.uniform(0.1, 2.0, size=n) if weighted else None
    g, h = np.empty((k, n)), np.empty((k, n))
    T.multinomial_grad_hess(y, raw, g, h)
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = y[:, None] == np.arange(k)[None, :]
    np.testing.assert_allclose(g, (p - onehot).T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, (p * (1 - p)).T, rtol=1e-12, atol=1e-15)
    lse = np.log(np.exp(raw).sum(axis=1))
    ref = np.average(lse - raw[np.arange(n), y.astype(int)], weights=sw)
    got = T.multinomial_loss(y, raw, np.empty(0) if sw is None else sw)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
