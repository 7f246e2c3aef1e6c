"""CUDA SGD loss-and-gradient kernels against the CPU kernels (simulator or GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear_sgd as cpu


@pytest.fixture
def gpu(monkeypatch):
    from pai_algos_native.cuda import linear_sgd

    monkeypatch.setattr(linear_sgd, "CHUNK_ROWS", 16)  # several row chunks on tiny data
    return linear_sgd


def _problem(rng, loss, dtype, n=60, d=5):
    X = rng.normal(size=(n, d)).astype(dtype)
    if loss in ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"):
        y = X.astype(float) @ rng.normal(size=d)
    elif loss == "log_loss":
        y = rng.integers(0, 2, n).astype(float)
    else:
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    return X, y, rng.uniform(0.0, 2.0, n), rng.normal(scale=0.5, size=d)


@pytest.mark.parametrize("loss", sorted(cpu.LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_matches_cpu(gpu, rng, loss, dtype):
    X, y, sw, coef = _problem(rng, loss, dtype)
    code, param = cpu.LOSSES[loss], 0.7
    g_cpu, g_gpu = np.empty(6), np.full(6, np.nan)
    t_cpu = cpu.sgd_loss_grad(X, y, sw, coef, 0.2, code, param, g_cpu)
    t_gpu = gpu.sgd_loss_grad(X, y, sw, coef, 0.2, code, param, g_gpu)
    np.testing.assert_allclose(t_gpu, t_cpu, rtol=1e-10)
    np.testing.assert_allclose(g_gpu, g_cpu, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("loss", ["hinge", "log_loss", "huber"])
def test_csr_matches_cpu(gpu, rng, loss):
    X, y, sw, coef = _problem(rng, loss, np.float64)
    X[rng.random(X.shape) < 0.6] = 0.0
    A = sp.csr_matrix(X)
    code = cpu.LOSSES[loss]
    g_cpu, g_gpu = np.empty(6), np.full(6, np.nan)
    t_cpu = cpu.sgd_loss_grad_csr(A.data, A.indices, A.indptr, y, sw, coef, -0.1, code, 0.5, g_cpu)
    t_gpu = gpu.sgd_loss_grad_csr(A.data, A.indices, A.indptr, y, sw, coef, -0.1, code, 0.5, g_gpu)
    np.testing.assert_allclose(t_gpu, t_cpu, rtol=1e-10)
    np.testing.assert_allclose(g_gpu, g_cpu, rtol=1e-9, atol=1e-10)


def test_shape_mismatch_is_an_error(gpu, rng):
    X, y, sw, coef = _problem(rng, "hinge", np.float64)
    with pytest.raises(ValueError, match="shape mismatch"):
        gpu.sgd_loss_grad(X, y, sw, coef[:3], 0.0, 0, 1.0, np.empty(4))
