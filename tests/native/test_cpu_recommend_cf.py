"""pai_algos_native.cpu.recommend_cf against the NumPy references in naive_recommend_cf."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import recommend_cf as K

from . import naive_recommend_cf as naive

DTYPES = [np.float32, np.float64]


def _csr(rng, n_rows, n_cols, density, dtype=np.float64, binary=False):
    X = sp.random(n_rows, n_cols, density=density, format="csr", random_state=rng, dtype=dtype)
    X.data = np.ones_like(X.data) if binary else (X.data * 4 + 0.5).astype(dtype)
    X.sort_indices()
    return X


def _pattern(X):
    return X.indptr.astype(np.int64), X.indices.astype(np.int32)


def _arrays(X):
    return (*_pattern(X), X.data)


def _outputs(n_rows, k):
    return np.empty((n_rows, k), np.int64), np.empty((n_rows, k)), np.zeros(n_rows, np.int64)


def _check_lists(ref, idx, sim, length, rtol, check_order=True):
    for r, (ref_idx, ref_sim) in enumerate(ref):
        assert length[r] == len(ref_idx), r
        np.testing.assert_allclose(sim[r, : length[r]], ref_sim, rtol=rtol)
        if check_order and len(np.unique(np.round(ref_sim, 9))) == len(ref_sim):
            np.testing.assert_array_equal(idx[r, : length[r]], ref_idx)


def _swing(X, Xt, w, alpha, k):
    idx, sim, length = _outputs(X.shape[1], k)
    max_row = int(np.diff(X.indptr).max())
    K.swing_similarity_topk(*_pattern(X), *_pattern(Xt), w, alpha, k, max_row, idx, sim, length)
    return idx, sim, length


@pytest.mark.parametrize("alpha", [0.0, 1.0, 3.5])
@pytest.mark.parametrize("k", [1, 3, 30])
def test_swing_equals_brute_force(rng, alpha, k):
    X = _csr(rng, 30, 18, 0.25, binary=True)
    Xt = X.T.tocsr()
    w = rng.uniform(0.2, 2.0, size=30)
    kk = min(k, 17)
    idx, sim, length = _swing(X, Xt, w, alpha, kk)
    users = [Xt.indices[Xt.indptr[i] : Xt.indptr[i + 1]] for i in range(18)]
    ref = naive.swing_similarity_topk(X.toarray(), users, w, alpha, kk)
    _check_lists(ref, idx, sim, length, rtol=1e-12)


def test_swing_sampled_users_and_symmetry(rng):
    X = _csr(rng, 40, 12, 0.3, binary=True)
    Xt = X.T.tocsr()
    w = np.ones(40)
    # full lists: Swing is symmetric
    idx, sim, length = _swing(X, Xt, w, 1.0, 11)
    S = np.zeros((12, 12))
    for i in range(12):
        S[i, idx[i, : length[i]]] = sim[i, : length[i]]
    np.testing.assert_allclose(S, S.T, rtol=1e-12)
    # a sampled user list per item (every second user): pairs come from the list only
    keep = [Xt.indices[Xt.indptr[i] : Xt.indptr[i + 1]][::2] for i in range(12)]
    T = sp.csr_matrix(
        (np.ones(sum(map(len, keep))), np.concatenate(keep), np.cumsum([0] + list(map(len, keep)))),
        shape=(12, 40),
    )
    idx, sim, length = _swing(X, T, w, 1.0, 11)
    _check_lists(naive.swing_similarity_topk(X.toarray(), keep, w, 1.0, 11), idx, sim, length,
                 rtol=1e-12)  # fmt: skip


def test_swing_single_user_and_empty_items():
    X = sp.csr_matrix(np.array([[1.0, 1.0, 0.0]]))
    idx, sim, length = _swing(X, X.T.tocsr(), np.ones(1), 1.0, 2)
    np.testing.assert_array_equal(length, [0, 0, 0])  # one user makes no pair


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, shrink, binary", [(0, 0.0, False), (0, 2.0, False), (1, 0.0, True),
                                                  (1, 1.5, True)])  # fmt: skip
@pytest.mark.parametrize("k", [1, 5, 40])
def test_query_similarity_topk(rng, dtype, mode, shrink, binary, k):
    R = _csr(rng, 35, 20, 0.2, dtype, binary=binary)
    Q = _csr(rng, 9, 20, 0.25, dtype, binary=binary)
    Rt = R.T.tocsr()
    q_sq = np.asarray(Q.multiply(Q).sum(1), dtype=np.float64).ravel()
    r_sq = np.asarray(R.multiply(R).sum(1), dtype=np.float64).ravel()
    kk = min(k, 35)
    idx, sim, length = _outputs(9, kk)
    K.query_similarity_topk(*_arrays(Q), q_sq, *_arrays(Rt), r_sq, mode, shrink, kk,
                            idx, sim, length)  # fmt: skip
    ref = naive.query_similarity_topk(Q.toarray(), R.toarray(), mode, shrink, kk)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _check_lists(ref, idx, sim, length, rtol=tol, check_order=dtype == np.float64)


def test_query_similarity_single_row_and_empty_query():
    R = sp.csr_matrix(np.array([[1.0, 0.0, 2.0]]))
    Q = sp.csr_matrix(np.array([[0.0, 3.0, 0.0], [1.0, 0.0, 0.0]]))
    idx, sim, length = _outputs(2, 1)
    K.query_similarity_topk(*_arrays(Q), np.array([9.0, 1.0]), *_arrays(R.T.tocsr()),
                            np.array([5.0]), 0, 0.0, 1, idx, sim, length)  # fmt: skip
    assert length.tolist() == [0, 1]  # no shared item, then one
    np.testing.assert_allclose(sim[1, 0], 1.0 / np.sqrt(5.0))


def _slim(X, l1, l2, k, tol=1e-10, max_iter=5000):
    G = np.ascontiguousarray((X.T @ X).toarray(), dtype=np.float64)
    p = X.shape[1]
    idx, w, length = _outputs(p, k)
    n_iter = np.zeros(p, np.int64)
    K.slim_topk(G, l1, l2, max_iter, tol, k, idx, w, length, n_iter)
    W = np.zeros((p, p))
    for j in range(p):
        W[idx[j, : length[j]], j] = w[j, : length[j]]
    return W, n_iter


@pytest.mark.parametrize("l1, l2", [(0.5, 0.1), (2.0, 1.0), (0.05, 5.0)])
def test_slim_columns_minimise_the_objective(rng, l1, l2):
    X = _csr(rng, 60, 10, 0.3)
    W, n_iter = _slim(X, l1, l2, k=9)
    Xd = X.toarray()
    assert np.all(np.diag(W) == 0) and np.all(W >= 0)
    assert np.all(n_iter < 5000)
    for j in range(10):
        ref = naive.slim_column(Xd, j, l1, l2)
        ours = naive.slim_objective(Xd, j, W[:, j], l1, l2)
        best = naive.slim_objective(Xd, j, ref, l1, l2)
        assert ours <= best + 1e-8 * max(1.0, abs(best)), (j, ours, best)
        np.testing.assert_allclose(W[:, j], ref, atol=1e-5)


def test_slim_top_k_keeps_the_largest_weights(rng):
    X = _csr(rng, 80, 12, 0.4)
    full, _ = _slim(X, 0.1, 0.1, k=11)
    top2, _ = _slim(X, 0.1, 0.1, k=2)
    for j in range(12):
        col = full[:, j]
        kept = np.flatnonzero(top2[:, j])
        assert len(kept) == min(2, np.count_nonzero(col))
        np.testing.assert_allclose(top2[kept, j], col[kept])
        assert np.all(col[kept].min() >= np.delete(col, kept))


def test_slim_empty_item_and_single_user():
    X = sp.csr_matrix(np.array([[1.0, 2.0, 0.0]]))
    W, _ = _slim(X, 0.1, 0.1, k=2)
    assert np.all(W[:, 2] == 0) and np.all(W[2] == 0)
    # one user: x_0 = 1, x_1 = 2 -> w_10 = (2*1 - l1) / (4 + l2)
    np.testing.assert_allclose(W[1, 0], (2.0 - 0.1) / 4.1, rtol=1e-8)
