"""CUDA Gram-moment kernel against the CPU kernel (simulator or GPU)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import linear_gram as cpu


@pytest.fixture
def gpu(monkeypatch):
    from pai_algos_native.cuda import linear_gram

    # several row chunks even on tiny data
    monkeypatch.setattr(linear_gram, "CHUNK_ROWS", 16)
    return linear_gram


def _both(gpu, X, Y, sw, c, e):
    out = []
    d, t = X.shape[1], Y.shape[1]
    for mod in (cpu, gpu):
        G, B = np.full((d, d), np.nan), np.full((d, t), np.nan)
        xs, ys = np.full(d, np.nan), np.full(t, np.nan)
        s = mod.gram_dense(X, Y, sw, c, e, G, B, xs, ys)
        out.append((G, B, xs, ys, s))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 45])
def test_gram_dense_matches_cpu(gpu, rng, dtype, n):
    X = (rng.normal(size=(n, 4)) + 3).astype(dtype)
    Y = rng.normal(size=(n, 2))
    sw = rng.uniform(0.0, 2.0, size=n)
    c, e = rng.normal(size=4), rng.normal(size=2)
    ref, got = _both(gpu, X, Y, sw, c, e)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-10)


def test_device_arrays_are_accepted(gpu, rng):
    X = rng.normal(size=(20, 3))
    Y = rng.normal(size=(20, 1))
    sw = np.ones(20)
    c, e = np.zeros(3), np.zeros(1)
    ref, _ = _both(gpu, X, Y, sw, c, e)
    G, B, xs, ys = np.empty((3, 3)), np.empty((3, 1)), np.empty(3), np.empty(1)
    s = gpu.gram_dense(gpu.to_device(X), gpu.to_device(Y), gpu.to_device(sw), c, e, G, B, xs, ys)
    np.testing.assert_allclose(G, ref[0], rtol=1e-12)
    assert s == pytest.approx(20.0)
