"""CUDA tree kernels against their CPU twins (tiny data: the simulator is slow)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native import kernels

MISSING_BIN = 255
N_BINS = 256


@pytest.fixture
def mods():
    return kernels("trees", "cpu"), kernels("trees", "cuda")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_build_histogram_matches_cpu(mods, rng, dtype):
    cpu, gpu = mods
    d, n = 5, 60
    codes = rng.integers(0, 12, size=(d, n)).astype(np.uint8)
    codes[rng.random((d, n)) < 0.1] = MISSING_BIN
    g = rng.normal(size=n).astype(dtype)
    h = rng.uniform(0.1, 1.0, size=n).astype(dtype)
    for rows in (np.arange(n), np.sort(rng.choice(n, 23, replace=False))):
        rows = rows.astype(np.int64)
        ref = cpu.build_histogram(codes, g, h, rows, N_BINS)
        got = gpu.build_histogram(codes, g, h, rows, N_BINS)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_histogram_single_row_and_additivity(mods, rng):
    cpu, gpu = mods
    codes = rng.integers(0, 5, size=(3, 10)).astype(np.uint8)
    g, h = rng.normal(size=10), rng.uniform(size=10)
    one = np.array([4], dtype=np.int64)
    np.testing.assert_allclose(
        gpu.build_histogram(codes, g, h, one, N_BINS),
        cpu.build_histogram(codes, g, h, one, N_BINS),
    )
    halves = np.arange(5, dtype=np.int64), np.arange(5, 10, dtype=np.int64)
    total = sum(gpu.build_histogram(codes, g, h, r, N_BINS) for r in halves)
    whole = cpu.build_histogram(codes, g, h, np.arange(10, dtype=np.int64), N_BINS)
    np.testing.assert_allclose(total, whole, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_predict_raw_matches_cpu(mods, rng, dtype, n_outputs):
    cpu, gpu = mods
    n, d = 30, 4
    X = rng.normal(size=(n, d)).astype(dtype)
    X[rng.random((n, d)) < 0.15] = np.nan
    # two depth-2 trees per output, concatenated
    feature, threshold, left, right, ml, value, roots = [], [], [], [], [], [], []
    for _ in range(2 * n_outputs):
        base = len(feature)
        roots.append(base)
        for j in range(7):
            internal = j < 3
            feature.append(int(rng.integers(0, d)))
            threshold.append(rng.normal())
            left.append(base + 2 * j + 1 if internal else -1)
            right.append(base + 2 * j + 2 if internal else -1)
            ml.append(int(rng.integers(0, 2)))
            value.append(rng.normal())
    forest = (
        np.array(feature, np.int32),
        np.array(threshold),
        np.array(left, np.int32),
        np.array(right, np.int32),
        np.array(ml, np.uint8),
        np.array(value),
        np.array(roots, np.int64),
    )
    base_scores = rng.normal(size=(n, n_outputs))
    out_cpu, out_gpu = base_scores.copy(), base_scores.copy()
    cpu.predict_raw(X, *forest, out_cpu)
    gpu.predict_raw(X, *forest, out_gpu)
    np.testing.assert_allclose(out_gpu, out_cpu, rtol=1e-12)


def test_predict_raw_categorical_matches_cpu(mods, rng):
    cpu, gpu = mods
    n, d = 25, 3
    X = rng.normal(size=(n, d))
    X[:, 0] = rng.integers(0, 60, size=n)  # category indices
    X[rng.random((n, d)) < 0.15] = np.nan
    # one depth-2 tree: the root and its left child split on the categorical feature 0
    feature = np.array([0, 0, 1, 0, 0, 0, 0], np.int32)
    threshold = rng.normal(size=7)
    left = np.array([1, 3, 5, -1, -1, -1, -1], np.int32)
    right = np.array([2, 4, 6, -1, -1, -1, -1], np.int32)
    ml = rng.integers(0, 2, size=7).astype(np.uint8)
    value = rng.normal(size=7)
    cat_node = np.array([1, 1, 0, 0, 0, 0, 0], np.uint8)
    bitsets = rng.integers(0, 2**32, size=(7, 8), dtype=np.uint32)
    roots = np.array([0], np.int64)
    forest = (feature, threshold, left, right, ml, value, roots)
    out_cpu, out_gpu = np.zeros((n, 1)), np.zeros((n, 1))
    cpu.predict_raw(X, *forest, out_cpu, cat_node, bitsets)
    gpu.predict_raw(X, *forest, out_gpu, cat_node, bitsets)
    np.testing.assert_allclose(out_gpu, out_cpu, rtol=1e-12)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_hgb_gpu_histograms_match_cpu_fit(monkeypatch, rng, task):
    """Every node's histogram from the CUDA kernel: the same trees as the CPU fit."""
    from pai_algos.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        _grower,
    )

    monkeypatch.setattr(_grower, "CUDA_MIN_ROWS", 1)
    n, d = 80, 3
    X = rng.normal(size=(n, d))
    X[rng.random((n, d)) < 0.05] = np.nan
    signal = np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1])
    if task == "regression":
        cls, y = HistGradientBoostingRegressor, signal + 0.1 * rng.normal(size=n)
    elif task == "binary":
        cls, y = HistGradientBoostingClassifier, (signal > 0).astype(int)
    else:
        cls, y = HistGradientBoostingClassifier, np.digitize(signal, [-0.5, 0.5])
    params = dict(max_iter=2, max_leaf_nodes=4, min_samples_leaf=5, random_state=0)
    cpu = cls(device="cpu", **params).fit(X, y)
    gpu = cls(device="cuda", **params).fit(X, y)
    assert gpu.device_ == "cuda"
    np.testing.assert_array_equal(gpu._nodes["feature"], cpu._nodes["feature"])
    np.testing.assert_array_equal(gpu._nodes["bin_threshold"], cpu._nodes["bin_threshold"])
    out = "predict" if task == "regression" else "predict_proba"
    np.testing.assert_allclose(getattr(gpu, out)(X), getattr(cpu, out)(X), rtol=1e-9, atol=1e-12)
