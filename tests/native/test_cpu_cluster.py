"""pai_algos_native.cpu.cluster against the NumPy references in naive_cluster."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import cluster as K

from . import naive_cluster as naive

DTYPES = [np.float32, np.float64]


def _tol(dtype):
    return 1e-4 if dtype == np.float32 else 1e-10


def _data(rng, dtype, n, d, k):
    X = rng.normal(size=(n, d)).astype(dtype)
    w = rng.uniform(0.5, 2.0, size=n).astype(dtype)
    centers = rng.normal(size=(k, d)).astype(dtype)
    return X, w, centers


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(300, 7, 5), (1, 3, 1), (5000, 4, 9)])
def test_lloyd_step_and_assign(rng, dtype, shape):
    X, w, centers = _data(rng, dtype, *shape)
    k, d = centers.shape
    labels = np.empty(len(X), np.int32)
    sums, weights = np.zeros((k, d)), np.zeros(k)
    inertia = K.lloyd_step(X, K.row_sq_norms(X), w, centers, labels, sums, weights)
    ref_labels, ref_inertia = naive.assign(X, w, centers)
    np.testing.assert_array_equal(labels, ref_labels)
    ref_sums, ref_weights = naive.center_sums(X, w, ref_labels, k)
    np.testing.assert_allclose(sums, ref_sums, rtol=_tol(dtype), atol=_tol(dtype))
    np.testing.assert_allclose(weights, ref_weights, rtol=_tol(dtype))
    np.testing.assert_allclose(inertia, ref_inertia, rtol=1e-3 if dtype == np.float32 else 1e-8)

    labels2 = np.empty(len(X), np.int32)
    exact = K.assign_labels(X, K.row_sq_norms(X), w, centers, labels2)
    np.testing.assert_array_equal(labels2, ref_labels)
    np.testing.assert_allclose(exact, ref_inertia, rtol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_duplicates_and_constant_column(rng, dtype):
    X = np.repeat(rng.normal(size=(4, 3)), 5, axis=0).astype(dtype)
    X[:, 1] = 2.5
    w = np.ones(len(X), dtype)
    centers = X[[0, 5, 10]].copy()
    labels = np.empty(len(X), np.int32)
    sums, weights = np.zeros((3, 3)), np.zeros(3)
    K.lloyd_step(X, K.row_sq_norms(X), w, centers, labels, sums, weights)
    ref_labels, _ = naive.assign(X, w, centers)
    np.testing.assert_array_equal(labels, ref_labels)
    assert weights.sum() == len(X)
    # two centers on the same point: the lower index wins the tie
    same = np.stack([X[0], X[0]])
    lab = np.empty(len(X), np.int32)
    assert K.assign_labels(X, K.row_sq_norms(X), w, same, lab) >= 0
    assert set(lab.tolist()) == {0}


@pytest.mark.parametrize("dtype", DTYPES)
def test_kmeanspp_trials(rng, dtype):
    X, w, _ = _data(rng, dtype, 400, 6, 1)
    closest = rng.uniform(0, 20, size=len(X)).astype(dtype)
    cand = X[rng.choice(len(X), 5, replace=False)].copy()
    out = np.empty((5, len(X)), dtype)
    pots = K.kmeanspp_trials(X, K.row_sq_norms(X), cand, closest, w, out)
    ref_out, ref_pots = naive.kmeanspp_trials(X, cand, closest, w)
    np.testing.assert_allclose(out, ref_out, rtol=1e-3 if dtype == np.float32 else 1e-8, atol=1e-4)
    np.testing.assert_allclose(pots, ref_pots, rtol=1e-4 if dtype == np.float32 else 1e-10)
    # first center: closest = inf gives the plain distances
    first = np.empty((1, len(X)), dtype)
    K.kmeanspp_trials(X, K.row_sq_norms(X), X[:1].copy(), np.full(len(X), np.inf, dtype), w, first)
    np.testing.assert_allclose(first[0], naive.sq_dists(X, X[:1])[:, 0], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pairwise_distances_and_norms(rng, dtype):
    X, _, centers = _data(rng, dtype, 50, 4, 3)
    out = np.empty((50, 3), dtype)
    K.pairwise_distances(X, centers, out)
    np.testing.assert_allclose(out, np.sqrt(naive.sq_dists(X, centers)), rtol=_tol(dtype))
    np.testing.assert_allclose(K.row_sq_norms(X), (X.astype(float) ** 2).sum(1), rtol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_pack_rows_and_packed_argument(rng, dtype):
    n = K.BLOCK * 2 + 17  # two full blocks and a partial one
    X, w, centers = _data(rng, dtype, n, 6, 7)
    packed = K.pack_rows(X)
    assert packed.shape == (3, 6, K.BLOCK)
    for b in range(3):
        rows = X[b * K.BLOCK : (b + 1) * K.BLOCK]
        np.testing.assert_array_equal(packed[b, :, : len(rows)], rows.T)
    assert not packed[2, :, 17:].any()  # zero padding
    labels, labels_packed = np.empty(n, np.int32), np.empty(n, np.int32)
    sums, weights = np.zeros((7, 6)), np.zeros(7)
    K.lloyd_step(X, K.row_sq_norms(X), w, centers, labels, sums, weights)
    sums2, weights2 = np.zeros((7, 6)), np.zeros(7)
    K.lloyd_step(X, K.row_sq_norms(X), w, centers, labels_packed, sums2, weights2, packed)
    np.testing.assert_array_equal(labels_packed, labels)
    np.testing.assert_array_equal(sums2, sums)
    np.testing.assert_array_equal(labels, naive.assign(X, w, centers)[0])
    lab3 = np.empty(n, np.int32)
    K.assign_labels(X, K.row_sq_norms(X), w, centers, lab3, packed)
    np.testing.assert_array_equal(lab3, labels)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("d", [1, 5, 32])
def test_tile_micro_kernel_against_matmul(rng, dtype, d):
    """The register-blocked micro-kernel gives every tile of ``C^T X`` (each tile written
    once, nothing outside it), for feature counts that are not a multiple of anything."""
    from numba import njit

    @njit
    def all_tiles(xt, ct, out, rows_per_tile):
        for j in range(0, ct.shape[1], K.TILE_CENTERS):
            for r0 in range(0, xt.shape[1], rows_per_tile):
                K._tile_dots(xt, r0, ct, j, out[j // K.TILE_CENTERS])

    xt = rng.normal(size=(d, K.BLOCK)).astype(dtype)
    ct = rng.normal(size=(d, 2 * K.TILE_CENTERS)).astype(dtype)
    out = np.full((2, K.TILE_CENTERS, K.BLOCK), np.nan, dtype=dtype)
    rows_per_tile = K.TILE_VECTORS * 32 // np.dtype(dtype).itemsize
    assert K.BLOCK % rows_per_tile == 0
    all_tiles(xt, ct, out, rows_per_tile)
    ref = ct.astype(np.float64).T @ xt.astype(np.float64)
    np.testing.assert_allclose(out.reshape(-1, K.BLOCK), ref, rtol=_tol(dtype), atol=_tol(dtype))
