"""EASE and SLIM: the closed form and the per-item elastic nets against NumPy / scikit-learn
references, quality against the popularity baseline, and the shared interface."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet

from pai_algos.datasets import make_interactions
from pai_algos.recommend import EASE, SLIM

from .test_neighbourhood import (
    beats_popularity,
    check_bad_fit_input,
    check_interface,
    check_table_ids,
)


def _small(seed, n_users=80, n_items=25, density=0.2):
    X = make_interactions(n_users, n_items, n_factors=3, density=density, random_state=seed)
    return sp.csr_matrix(X, dtype=np.float64)


# -------------------------------------------------------------------------------- EASE


@pytest.mark.parametrize("l2", [0.5, 10.0, 300.0])
def test_ease_equals_dense_closed_form(seed, l2):
    X = _small(seed)
    est = EASE(l2=l2).fit(X)
    W = X.toarray()
    P = np.linalg.inv(W.T @ W + l2 * np.eye(W.shape[1]))
    B = np.eye(W.shape[1]) - P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0.0)
    np.testing.assert_allclose(est.coef_, B, rtol=1e-7, atol=1e-10)
    assert est.coef_.dtype == np.float64
    # the stationarity condition of min ||X - XB||^2 + l2 ||B||^2 off the diagonal
    grad = W.T @ (W @ B - W) + l2 * B
    off = ~np.eye(W.shape[1], dtype=bool)
    np.testing.assert_allclose(grad[off], 0.0, atol=1e-8 * np.abs(W.T @ W).max())


def test_ease_float32_and_scores(seed):
    X = sp.csr_matrix(_small(seed), dtype=np.float32)
    est = EASE(l2=5.0).fit(X)
    assert est.coef_.dtype == np.float32
    ref = EASE(l2=5.0).fit(X.astype(np.float64)).coef_
    np.testing.assert_allclose(est.coef_, ref, rtol=1e-5, atol=1e-6)
    dense = X.toarray().astype(np.float64) @ ref
    items, scores = est.recommend(np.arange(X.shape[0]), n=4, exclude_seen=False)
    np.testing.assert_allclose(scores, np.take_along_axis(dense, items, axis=1), rtol=1e-4,
                               atol=1e-6)  # fmt: skip


def test_ease_cold_start_is_the_row_times_b(seed):
    X = _small(seed)
    est = EASE(l2=5.0).fit(X[:60])
    items, scores = est.recommend(np.arange(60, 80), n=5, user_items=X[60:])
    dense = X[60:].toarray() @ est.coef_
    dense[X[60:].toarray() > 0] = -np.inf
    np.testing.assert_allclose(scores, np.sort(dense, axis=1)[:, ::-1][:, :5], rtol=1e-6)
    # a fitted user's row given as user_items gives its own scores
    a = est.recommend([3], n=5)
    b = est.recommend([3], n=5, user_items=X[3])
    np.testing.assert_array_equal(a[0], b[0])


def test_ease_beats_popularity(seed):
    beats_popularity(EASE(l2=300.0), seed)


def test_ease_interface_and_errors(seed):
    X = sp.csr_matrix(_small(seed), dtype=np.float32)
    check_interface(EASE(l2=10.0).fit(X), X)
    check_bad_fit_input(EASE)
    check_table_ids(EASE, _small(seed), l2=10.0)
    with pytest.raises(ValueError, match="'l2' parameter of EASE must be a float in the range"):
        EASE(l2=0.0).fit(X)


# -------------------------------------------------------------------------------- SLIM


@pytest.mark.parametrize("alpha, l1_ratio", [(0.01, 0.1), (0.05, 0.5), (0.002, 1.0)])
def test_slim_columns_equal_sklearn_elastic_net(seed, alpha, l1_ratio):
    """Column j is ElasticNet(positive, no intercept) of x_j on X with column j zeroed."""
    X = _small(seed, n_users=70, n_items=12, density=0.3)
    est = SLIM(alpha, l1_ratio=l1_ratio, k=11, tol=1e-10, max_iter=10_000).fit(X)
    W = est.coef_.toarray()
    assert np.all(np.diag(W) == 0) and np.all(W >= 0)
    Xd = X.toarray()
    n = Xd.shape[0]
    for j in range(Xd.shape[1]):
        Z = Xd.copy()
        Z[:, j] = 0.0
        ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=True, fit_intercept=False,
                         tol=1e-12, max_iter=100_000).fit(Z, Xd[:, j])  # fmt: skip
        scale = max(1.0, np.abs(ref.coef_).max())
        np.testing.assert_allclose(W[:, j], ref.coef_, atol=1e-5 * scale)

        # and the objective is no worse than the reference's
        def objective(w, j=j, Z=Z):
            r = Xd[:, j] - Z @ w
            return r @ r / (2 * n) + alpha * (l1_ratio * w.sum() + (1 - l1_ratio) / 2 * w @ w)

        assert objective(W[:, j]) <= objective(ref.coef_) + 1e-9


def test_slim_top_k_and_scores(seed):
    X = _small(seed)
    full = SLIM(0.002, k=24).fit(X)
    top = SLIM(0.002, k=3).fit(X)
    assert np.all(top.coef_.getnnz(axis=0) <= 3)
    Wf, Wt = full.coef_.toarray(), top.coef_.toarray()
    for j in range(X.shape[1]):
        kept = np.flatnonzero(Wt[:, j])
        np.testing.assert_allclose(Wt[kept, j], Wf[kept, j])
        assert np.all(Wf[kept, j].min(initial=np.inf) >= np.delete(Wf[:, j], kept))
    assert np.all(full.n_iter_ < full.max_iter)
    dense = X.toarray() @ Wt
    items, scores = top.recommend(np.arange(X.shape[0]), n=4, exclude_seen=False)
    np.testing.assert_allclose(scores, np.take_along_axis(dense, items, axis=1), rtol=1e-6)
    # similar_items: the item's column of W, largest weight first
    sim_items, sim_scores = top.similar_items([0], n=3)
    ok = sim_items[0] >= 0
    np.testing.assert_allclose(sim_scores[0, ok], np.sort(Wt[:, 0])[::-1][: ok.sum()])


def test_slim_results_do_not_depend_on_threads(seed):
    X = _small(seed)
    a = SLIM(0.002, k=10, n_jobs=1).fit(X).coef_
    b = SLIM(0.002, k=10, n_jobs=2).fit(X).coef_
    np.testing.assert_array_equal(a.toarray(), b.toarray())


def test_slim_beats_popularity(seed):
    beats_popularity(SLIM(alpha=0.01, k=100), seed)


def test_slim_interface_and_errors(seed):
    X = sp.csr_matrix(_small(seed), dtype=np.float32)
    check_interface(SLIM(0.002, k=10).fit(X), X)
    check_bad_fit_input(SLIM)
    check_table_ids(SLIM, _small(seed), alpha=0.002, k=10)
    with pytest.raises(ValueError, match="'l1_ratio' parameter of SLIM must be a float"):
        SLIM(l1_ratio=0.0).fit(X)
