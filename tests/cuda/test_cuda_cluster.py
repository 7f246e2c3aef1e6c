"""CUDA clustering kernels against their CPU twins (tiny data: the simulator is slow)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native import kernels


@pytest.fixture
def mods():
    return kernels("cluster", "cpu"), kernels("cluster", "cuda")


def _data(rng, dtype, n=60, d=5, k=4):
    X = rng.normal(size=(n, d)).astype(dtype)
    w = rng.uniform(0.5, 2.0, size=n).astype(dtype)
    centers = X[rng.choice(n, k, replace=False)].copy()
    return X, w, centers


@pytest.mark.parametrize("shared_bytes", [None, 0], ids=["shared-sums", "global-atomics"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lloyd_step_matches_cpu(mods, rng, dtype, shared_bytes, monkeypatch):
    cpu, gpu = mods
    if shared_bytes is not None:  # force the path used when k * d does not fit shared memory
        monkeypatch.setattr(gpu, "SHARED_BYTES", shared_bytes)
    X, w, centers = _data(rng, dtype)
    xsq = cpu.row_sq_norms(X)
    k, d = centers.shape
    out = {}
    for name, mod in (("cpu", cpu), ("gpu", gpu)):
        labels = np.empty(len(X), np.int32)
        sums, weights = np.zeros((k, d)), np.zeros(k)
        inertia = mod.lloyd_step(X, xsq, w, centers, labels, sums, weights)
        out[name] = labels, sums, weights, inertia
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_array_equal(out["gpu"][0], out["cpu"][0])
    np.testing.assert_allclose(out["gpu"][1], out["cpu"][1], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(out["gpu"][2], out["cpu"][2], rtol=rtol)
    np.testing.assert_allclose(out["gpu"][3], out["cpu"][3], rtol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_assign_labels_matches_cpu(mods, rng, dtype):
    cpu, gpu = mods
    X, w, centers = _data(rng, dtype, n=23, d=3, k=5)
    xsq = cpu.row_sq_norms(X)
    lab_cpu, lab_gpu = np.empty(len(X), np.int32), np.empty(len(X), np.int32)
    in_cpu = cpu.assign_labels(X, xsq, w, centers, lab_cpu)
    in_gpu = gpu.assign_labels(X, xsq, w, centers, lab_gpu)
    np.testing.assert_array_equal(lab_gpu, lab_cpu)
    np.testing.assert_allclose(in_gpu, in_cpu, rtol=1e-4 if dtype == np.float32 else 1e-10)


def test_single_row_and_device_input(mods, rng):
    cpu, gpu = mods
    X, w, centers = _data(rng, np.float64, n=1, d=4, k=1)
    labels = np.empty(1, np.int32)
    sums, weights = np.zeros((1, 4)), np.zeros(1)
    inertia = gpu.lloyd_step(
        gpu.to_device(X), None, gpu.to_device(w), centers, labels, sums, weights
    )
    assert labels[0] == 0 and inertia == pytest.approx(0.0)
    np.testing.assert_allclose(sums[0], w[0] * X[0])


def test_device_labels_and_buffer_reuse(mods, rng):
    cpu, gpu = mods
    X, w, centers = _data(rng, np.float32, n=20, d=3, k=3)
    xsq = cpu.row_sq_norms(X)
    ref = np.empty(len(X), np.int32)
    cpu.assign_labels(X, xsq, w, centers, ref)
    d_labels = gpu.to_device(np.zeros(len(X), np.int32))
    for _ in range(2):  # second call reuses the cached device buffers
        sums, weights = np.zeros((3, 3)), np.zeros(3)
        gpu.lloyd_step(gpu.to_device(X), xsq, w, centers, d_labels, sums, weights)
        np.testing.assert_array_equal(d_labels.copy_to_host(), ref)
        assert weights.sum() == pytest.approx(w.sum(), rel=1e-6)
