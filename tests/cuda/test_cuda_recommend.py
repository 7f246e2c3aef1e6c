"""CUDA recommender kernels against the CPU kernels (simulator or GPU), on tiny data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import recommend as cpu


@pytest.fixture
def gpu():
    from pai_algos_native.cuda import recommend

    return recommend


def _csr(rng, n_rows, n_cols, density, dtype):
    X = sp.random(n_rows, n_cols, density=density, format="csr", random_state=rng, dtype=dtype)
    X.data = (X.data * 3 + 0.5).astype(dtype)
    X.sort_indices()
    return X.indptr.astype(np.int64), X.indices.astype(np.int32), X.data


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_als_cg_update_matches_cpu(gpu, rng, dtype):
    indptr, indices, data = _csr(rng, 20, 9, 0.3, dtype)
    Y = rng.normal(size=(9, 3)).astype(dtype)
    YtY = (Y.astype(float).T @ Y + 0.1 * np.eye(3)).astype(dtype)
    X0 = (rng.random((20, 3)) * 0.1).astype(dtype)
    X_cpu, X_gpu = X0.copy(), X0.copy()
    cpu.als_cg_update(indptr, indices, data, 1.5, X_cpu, Y, YtY, 3)
    gpu.als_cg_update(indptr, indices, data, 1.5, X_gpu, Y, YtY, 3)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(X_gpu, X_cpu, rtol=tol, atol=tol)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # simulator: uint64
def test_bpr_epoch_one_stream_matches_cpu(gpu, rng):
    indptr, indices, _ = _csr(rng, 8, 6, 0.4, np.float64)
    userids = np.repeat(np.arange(8, dtype=np.int32), np.diff(indptr))
    U = rng.normal(size=(8, 3)) * 0.1
    U[:, -1] = 1.0
    V = rng.normal(size=(6, 3)) * 0.1
    seeds = np.array([int(rng.integers(1, 2**62))], dtype=np.uint64)
    U_gpu, V_gpu = U.copy(), V.copy()
    c_cpu, c_gpu = np.zeros((1, 2), np.int64), np.zeros((1, 2), np.int64)
    cpu.bpr_epoch(userids, indptr, indices, U, V, 0.05, 0.01, True, seeds, c_cpu)
    gpu.bpr_epoch(userids, indptr, indices, U_gpu, V_gpu, 0.05, 0.01, True, seeds, c_gpu)
    np.testing.assert_array_equal(c_gpu, c_cpu)
    np.testing.assert_allclose(U_gpu, U, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(V_gpu, V, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_bpr_epoch_many_streams_counts(gpu, rng):
    indptr, indices, _ = _csr(rng, 10, 7, 0.4, np.float32)
    userids = np.repeat(np.arange(10, dtype=np.int32), np.diff(indptr))
    U = (rng.normal(size=(10, 3)) * 0.1).astype(np.float32)
    U[:, -1] = 1.0
    V = (rng.normal(size=(7, 3)) * 0.1).astype(np.float32)
    seeds = rng.integers(1, 2**62, size=9).astype(np.uint64)  # more streams than a block of 7
    counts = np.zeros((9, 2), np.int64)
    gpu.bpr_epoch(userids, indptr, indices, U, V, 0.05, 0.01, False, seeds, counts)
    per = -(-len(indices) // 9)
    expected = [max(0, min(len(indices), (c + 1) * per) - c * per) for c in range(9)]
    assert counts.sum() <= len(indices)
    assert np.all(counts[:, 0] + counts[:, 1] <= expected)
    np.testing.assert_array_equal(U[:, -1], 1.0)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_bpr_estimator_cuda_path_matches_cpu(seed):
    from pai_algos.datasets import make_interactions
    from pai_algos.recommend import BPR

    X = make_interactions(12, 6, n_factors=2, density=0.4, random_state=seed)
    kw = {"factors": 3, "iterations": 2, "random_state": seed, "n_jobs": 1}
    cpu_model = BPR(**kw, device="cpu").fit(X)
    gpu_model = BPR(**kw, device="cuda").fit(X)
    assert gpu_model.device_ == "cuda" and cpu_model.device_ == "cpu"
    np.testing.assert_allclose(gpu_model.user_factors_, cpu_model.user_factors_, rtol=1e-5)
    np.testing.assert_allclose(gpu_model.item_bias_, cpu_model.item_bias_, rtol=1e-5, atol=1e-7)
    assert gpu_model.history_["correct"] == cpu_model.history_["correct"]
