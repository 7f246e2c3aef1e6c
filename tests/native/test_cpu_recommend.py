"""pai_algos_native.cpu.recommend against the NumPy references in naive_recommend."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import recommend as K

from . import naive_recommend as naive

DTYPES = [np.float32, np.float64]


def _csr(rng, n_users, n_items, density, dtype, binary=False):
    X = sp.random(n_users, n_items, density=density, format="csr", random_state=rng, dtype=dtype)
    if binary:
        X.data[:] = 1
    else:
        X.data = (X.data * 4 + 0.5).astype(dtype)
    X.sort_indices()
    return X


def _arrays(X):
    return X.indptr.astype(np.int64), X.indices.astype(np.int32), X.data


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "mode, alpha, shrink, binary",
    [(0, 0.5, 0.0, False), (0, 0.3, 1.5, True), (1, 0.5, 0.0, True), (1, 0.5, 2.0, True)],
)
@pytest.mark.parametrize("k", [1, 4, 50])
def test_item_similarity_topk(rng, dtype, mode, alpha, shrink, binary, k):
    X = _csr(rng, 40, 25, 0.15, dtype, binary=binary)
    Xt = X.T.tocsr()
    sq = np.bincount(X.indices, weights=X.data.astype(np.float64) ** 2, minlength=25)
    kk = min(k, 24)
    idx = np.empty((25, kk), np.int64)
    sim = np.empty((25, kk), np.float64)
    length = np.zeros(25, np.int64)
    K.item_similarity_topk(*_arrays(X), *_arrays(Xt), sq, mode, alpha, shrink, kk, idx, sim, length)
    ref = naive.item_similarity_topk(X.toarray(), mode, alpha, shrink, kk)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for i, (ref_idx, ref_sim) in enumerate(ref):
        assert length[i] == len(ref_idx)
        np.testing.assert_allclose(sim[i, : length[i]], ref_sim, rtol=tol)
        if dtype == np.float64 or not binary:
            np.testing.assert_array_equal(idx[i, : length[i]], ref_idx)


def test_item_similarity_single_item_and_user(rng):
    X = sp.csr_matrix(np.ones((1, 1)))
    idx, sim, length = np.empty((1, 1), np.int64), np.empty((1, 1)), np.zeros(1, np.int64)
    K.item_similarity_topk(*_arrays(X), *_arrays(X.T.tocsr()), np.ones(1), 0, 0.5, 0.0, 1,
                           idx, sim, length)  # fmt: skip
    assert length[0] == 0  # no neighbour but itself


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 5, 30])
def test_topn_dense(rng, dtype, n):
    scores = rng.normal(size=(17, 30)).astype(dtype)
    scores[3, :] = 0.5  # a constant row: ties broken by index
    ex = _csr(rng, 17, 30, 0.3, dtype, binary=True)
    idx = np.empty((17, n), np.int64)
    val = np.empty((17, n), dtype)
    K.topn_dense(scores, ex.indptr.astype(np.int64), ex.indices, n, idx, val)
    ref_idx, ref_val = naive.topn(scores.astype(np.float64), ex.toarray() > 0, n)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(val, ref_val.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("n_users", "n_items", "n"),
    # several user tiles (and a partial one), one user, and n
    # larger than what is left after the exclusions (padded with -1 / -inf)
    [(70, 4500, 10), (5, 90, 1), (9, 12, 15)],
)
def test_factor_topn(rng, dtype, n_users, n_items, n):
    # small integer factors: every score is exact in float32 whatever BLAS does, and there
    # are many ties, which rank the smaller item index first
    U = rng.integers(-3, 4, size=(n_users, 8)).astype(dtype)
    V = rng.integers(-3, 4, size=(n_items, 8)).astype(dtype)
    bias = rng.integers(-2, 3, size=n_items).astype(dtype)
    ex = _csr(rng, n_users, n_items, 0.3, dtype, binary=True)
    ex[0] = 0  # a row with nothing excluded
    ex.eliminate_zeros()
    idx = np.empty((n_users, n), np.int64)
    val = np.empty((n_users, n), dtype)
    VT = np.ascontiguousarray(V.T)
    K.factor_topn(U, VT, bias, ex.indptr.astype(np.int64), ex.indices, n, idx, val)
    scores = U.astype(np.float64) @ V.T.astype(np.float64) + bias
    ref_idx, ref_val = naive.topn(scores, ex.toarray() > 0, n)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(val, ref_val.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_topn_presorted(rng, dtype):
    pop = rng.integers(0, 5, size=30).astype(dtype)
    order = np.lexsort((np.arange(30), -pop))
    ex = _csr(rng, 11, 30, 0.4, dtype, binary=True)
    idx = np.empty((11, 28), np.int64)
    val = np.empty((11, 28), dtype)
    K.topn_presorted(order, pop, ex.indptr.astype(np.int64), ex.indices, 28, idx, val)
    ref_idx, ref_val = naive.topn(np.tile(pop.astype(float), (11, 1)), ex.toarray() > 0, 28)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(val, ref_val.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cf_topn(rng, dtype):
    U = _csr(rng, 13, 20, 0.2, dtype)
    S = _csr(rng, 20, 20, 0.2, dtype)
    ex = _csr(rng, 13, 20, 0.2, dtype, binary=True)
    idx = np.empty((13, 6), np.int64)
    val = np.empty((13, 6), dtype)
    K.cf_topn(*_arrays(U), *_arrays(S), ex.indptr.astype(np.int64), ex.indices, 6, idx, val)
    dense = U.toarray().astype(np.float64) @ S.toarray().astype(np.float64)
    ref_idx, ref_val = naive.topn(dense, ex.toarray() > 0, 6)
    np.testing.assert_allclose(val, ref_val, rtol=1e-5 if dtype == np.float32 else 1e-12)
    if dtype == np.float64:
        np.testing.assert_array_equal(idx, ref_idx)


def _gram(Y, reg):
    G = Y.astype(np.float64).T @ Y.astype(np.float64) + reg * np.eye(Y.shape[1])
    return np.ascontiguousarray(G, dtype=Y.dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(30, 12, 5), (1, 6, 3)])
def test_als_cholesky_is_exact(rng, dtype, shape):
    n_users, n_items, f = shape
    R = _csr(rng, n_users, n_items, 0.3, dtype)
    Y = rng.normal(size=(n_items, f)).astype(dtype)
    X = np.zeros((n_users, f), dtype)
    K.als_cholesky_update(*_arrays(R), 2.0, X, Y, _gram(Y, 0.1))
    ref = naive.als_exact(R.toarray(), 2.0, Y, 0.1)
    np.testing.assert_allclose(X, ref, rtol=1e-3 if dtype == np.float32 else 1e-9, atol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", [1, 3])
def test_als_cg_steps(rng, dtype, steps):
    R = _csr(rng, 25, 15, 0.3, dtype)
    Y = rng.normal(size=(15, 4)).astype(dtype)
    X0 = (rng.random((25, 4)) * 0.1).astype(dtype)
    X = X0.copy()
    K.als_cg_update(*_arrays(R), 1.5, X, Y, _gram(Y, 0.05), steps)
    ref = naive.als_cg(R.toarray(), 1.5, X0, Y, 0.05, steps)
    np.testing.assert_allclose(X, ref, rtol=1e-3 if dtype == np.float32 else 1e-8, atol=1e-4)


def test_als_cg_converges_to_exact(rng):
    R = _csr(rng, 20, 10, 0.3, np.float64)
    Y = rng.normal(size=(10, 4))
    X = np.zeros((20, 4))
    K.als_cg_update(*_arrays(R), 1.0, X, Y, _gram(Y, 0.1), 8)
    np.testing.assert_allclose(X, naive.als_exact(R.toarray(), 1.0, Y, 0.1), atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_als_observed_loss(rng, dtype):
    R = _csr(rng, 600, 9, 0.3, dtype)  # several chunks
    X = rng.normal(size=(600, 3)).astype(dtype)
    Y = rng.normal(size=(9, 3)).astype(dtype)
    got = K.als_observed_loss(*_arrays(R), 0.7, X, Y)
    np.testing.assert_allclose(got, naive.als_loss(R.toarray(), 0.7, X, Y), rtol=1e-4)


@pytest.mark.parametrize("verify", [True, False])
def test_bpr_epoch_matches_reference(rng, verify):
    R = _csr(rng, 12, 9, 0.35, np.float64, binary=True)
    indptr, indices, _ = _arrays(R)
    userids = np.repeat(np.arange(12, dtype=np.int32), np.diff(indptr))
    U = rng.normal(size=(12, 4)) * 0.1
    U[:, -1] = 1.0
    V = rng.normal(size=(9, 4)) * 0.1
    U_ref, V_ref = U.copy(), V.copy()
    seed = int(rng.integers(1, 2**62))
    counts = np.zeros((1, 2), np.int64)
    K.bpr_epoch(userids, indptr, indices, U, V, 0.05, 0.01, verify,
                np.array([seed], np.uint64), counts)  # fmt: skip
    correct, skipped = naive.bpr_epoch(userids, indptr, indices, U_ref, V_ref, 0.05, 0.01,
                                       verify, seed)  # fmt: skip
    assert tuple(counts[0]) == (correct, skipped)
    np.testing.assert_allclose(U, U_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(V, V_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(U[:, -1], 1.0)  # the users' bias column stays 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("fit_bias", [True, False])
def test_als_explicit_update_is_least_squares(rng, dtype, weighted, fit_bias):
    R = _csr(rng, 40, 15, 0.3, dtype)
    R = sp.vstack([R, sp.csr_matrix((1, 15), dtype=dtype)]).tocsr()  # a row without ratings
    Y = rng.normal(size=(15, 4)).astype(dtype)
    offset = rng.normal(size=15)
    X = rng.normal(size=(41, 4)).astype(dtype)  # overwritten
    bias = np.zeros(41)
    K.als_explicit_update(*_arrays(R), Y, offset, 0.3, weighted, fit_bias, X, bias)
    ref_X, ref_b = naive.als_explicit(R.toarray(), Y, offset, 0.3, weighted, fit_bias)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(X, ref_X, rtol=tol, atol=tol)
    np.testing.assert_allclose(bias, ref_b, rtol=tol, atol=tol)
    np.testing.assert_array_equal(X[40], 0.0)


def test_als_explicit_update_single_row_exact_fit(rng):
    # one user, as many ratings as unknowns and no penalty: the ratings are reproduced
    Y = rng.normal(size=(3, 3))
    R = sp.csr_matrix(rng.random((1, 3)) + 1.0)
    X, bias = np.zeros((1, 3)), np.zeros(1)
    K.als_explicit_update(*_arrays(R), Y, np.zeros(3), 0.0, False, False, X, bias)
    np.testing.assert_allclose(X[0] @ Y.T, R.toarray()[0], rtol=1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
def test_als_explicit_loss(rng, dtype):
    R = _csr(rng, 600, 9, 0.3, dtype)  # several chunks
    X = rng.normal(size=(600, 3)).astype(dtype)
    Y = rng.normal(size=(9, 3)).astype(dtype)
    rb, cb = rng.normal(size=600), rng.normal(size=9)
    got = K.als_explicit_loss(*_arrays(R), X, Y, rb, cb)
    D = R.toarray().astype(np.float64)
    pred = X.astype(np.float64) @ Y.astype(np.float64).T + rb[:, None] + cb[None, :]
    ref = float((((D - pred) * (D != 0)) ** 2).sum())
    np.testing.assert_allclose(got, ref, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("neg_prop", "max_neg"), [(0, 100), (3, 100), (3, 2)])
def test_lmf_update_matches_reference(rng, dtype, neg_prop, max_neg):
    R = _csr(rng, 300, 12, 0.25, dtype)  # two chunks of rows, some rows empty
    X = (rng.normal(size=(300, 5)) * 0.5).astype(dtype)
    Y = (rng.normal(size=(12, 5)) * 0.5).astype(dtype)
    X[:, 3] = 1.0
    G = (rng.random((300, 5)) * 0.1).astype(dtype)
    seeds = rng.integers(1, 2**62, size=2).astype(np.uint64)
    X_ref, G_ref = X.copy(), G.copy()
    K.lmf_update(*_arrays(R), X, Y, G, 0.5, 0.1, neg_prop, max_neg, 3, seeds)
    naive.lmf_update(*_arrays(R), X_ref, Y, G_ref, 0.5, 0.1, neg_prop, max_neg, 3, seeds)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(X, X_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(G, G_ref, rtol=tol, atol=tol)
    np.testing.assert_array_equal(X[:, 3], 1.0)  # the constant column is left alone


def test_lmf_update_ascends_the_likelihood(rng):
    R = _csr(rng, 50, 20, 0.2, np.float64, binary=True)
    X = rng.normal(size=(50, 4)) * 0.1
    Y = rng.normal(size=(20, 4)) * 0.1
    G = np.zeros_like(X)
    D = R.toarray()

    def loglik(X):
        s = X @ Y.T
        return float((D * -np.logaddexp(0, -s)).sum() + ((1 - D) * -np.logaddexp(0, s)).sum())

    before = loglik(X)
    seeds = rng.integers(1, 2**62, size=1).astype(np.uint64)
    K.lmf_update(*_arrays(R), X, Y, G, 0.05, 0.0, 5, 1000, -1, seeds)
    assert loglik(X) > before
