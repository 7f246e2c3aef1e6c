"""The recommender interface shared by all four estimators: ids, tables, errors, cold start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import make_interactions
from pai_algos.recommend import BPR, ImplicitALS, ItemCF, PopularityRecommender

FAST = {
    PopularityRecommender: {},
    ItemCF: {"k": 10},
    ImplicitALS: {"factors": 4, "iterations": 3, "random_state": 0},
    BPR: {"factors": 4, "iterations": 5, "random_state": 0, "n_jobs": 1},
}
CLASSES = list(FAST)


def _make(cls, **extra):
    return cls(**{**FAST[cls], **extra})


@pytest.fixture
def X(seed):
    X = make_interactions(60, 20, n_factors=3, density=0.2, random_state=seed).tocsr()
    # every user and every item interacts at least once, so that a table of the interactions
    # holds every id of the matrix (an empty column has no row in the table)
    X = X + sp.csr_matrix(
        (np.ones(60, dtype=X.dtype), (np.arange(60), np.arange(60) % 20)), shape=X.shape
    )
    return sp.csr_matrix(X, dtype=np.float32)


def _table(X, users, items):
    coo = X.tocoo()
    return pd.DataFrame(
        {"u": users[coo.row], "i": items[coo.col], "r": coo.data}  # float32, as X
    )


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_table_ids_match_matrix(cls, X):
    users = np.array([f"user{u:03d}" for u in range(X.shape[0])], dtype=object)
    items = np.arange(X.shape[1]) * 10 + 7
    frame = _table(X, users, items)
    ref = _make(cls).fit(X)
    ref_items, ref_scores = ref.recommend(np.arange(5), n=4)
    for data in (frame, pa.Table.from_pandas(frame)):
        est = _make(cls, user_col="u", item_col="i", rating_col="r").fit(data)
        np.testing.assert_array_equal(est.user_ids_, users)
        np.testing.assert_array_equal(est.item_ids_, items)
        got_items, got_scores = est.recommend(users[:5], n=4)
        # -1 pads the slots a user cannot fill, in the caller's ids too
        np.testing.assert_array_equal(got_items, np.where(ref_items >= 0, items[ref_items], -1))
        np.testing.assert_allclose(got_scores, ref_scores, rtol=1e-5)
        np.testing.assert_allclose(
            est.predict(np.array([[users[0], items[1]]], dtype=object)),
            ref.predict([[0, 1]]),
            rtol=1e-5,
        )


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_duplicate_rows_are_summed(cls):
    frame = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": ["a", "a", "a", "b", "b"]})
    est = _make(cls).fit(frame)
    np.testing.assert_array_equal(est._user_items.toarray(), [[2, 0], [1, 1], [0, 1]])
    np.testing.assert_array_equal(est.item_ids_, ["a", "b"])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_recommend_shapes_order_and_exclusion(cls, X):
    est = _make(cls).fit(X)
    items, scores = est.recommend(np.arange(10), n=5)
    assert items.shape == scores.shape == (10, 5)
    assert scores.dtype == np.float32
    # best first; slots a user cannot fill are padded with -inf at the end
    assert np.all(np.diff(np.maximum(scores, np.finfo(scores.dtype).min), axis=1) <= 0)
    for u in range(10):
        assert not set(items[u][items[u] >= 0]) & set(X[u].indices)
    # scores agree with predict on the same pairs
    pairs = np.column_stack([np.repeat(np.arange(10), 5), items.ravel()])
    ok = pairs[:, 1] >= 0
    np.testing.assert_allclose(est.predict(pairs[ok]), scores.ravel()[ok], rtol=1e-4, atol=1e-6)
    seen_items, _ = est.recommend([0], n=X.shape[1], exclude_seen=False)
    assert set(seen_items[0]) == set(range(X.shape[1]))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_n_larger_than_catalogue_is_clipped_and_padded(cls, X):
    est = _make(cls).fit(X)
    items, scores = est.recommend([0, 1], n=1000)
    assert items.shape == (2, X.shape[1])
    n_seen = X[0].nnz
    assert np.all(items[0, X.shape[1] - n_seen :] == -1)
    assert np.all(np.isneginf(scores[0, X.shape[1] - n_seen :]))
    assert np.all(items[0, : X.shape[1] - n_seen] >= 0)
    sim_items, _ = est.similar_items([3], n=1000)
    assert sim_items.shape == (1, X.shape[1] - 1)
    assert 3 not in sim_items[0]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_unknown_ids_are_named(cls, X):
    est = _make(cls).fit(X)
    with pytest.raises(ValueError, match=r"Unknown users \(not seen in fit\): 60, 99"):
        est.recommend([1, 60, 99])
    with pytest.raises(ValueError, match=r"Unknown items \(not seen in fit\): 20"):
        est.predict([[0, 20]])
    with pytest.raises(ValueError, match=r"Unknown items .*-1"):
        est.similar_items([-1])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        est.recommend([0], n=0)
    with pytest.raises(ValueError, match=r"pairs must be an array of shape \(n_pairs, 2\)"):
        est.predict([0, 1])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_bad_input_errors(cls):
    with pytest.raises(ValueError, match="Negative values in data"):
        _make(cls).fit(sp.csr_matrix([[1.0, -1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="no interactions"):
        _make(cls).fit(sp.csr_matrix((3, 4)))
    with pytest.raises(ValueError, match="empty table"):
        _make(cls).fit(pd.DataFrame({"user": [], "item": []}))
    with pytest.raises(ValueError, match="Column 'user' not found"):
        _make(cls).fit(pd.DataFrame({"u": [1], "item": [2]}))
    with pytest.raises(ValueError, match="NaN"):
        _make(cls).fit(sp.csr_matrix([[1.0, np.nan]]))
    with pytest.raises(NotFittedError):
        _make(cls).recommend([0])


@pytest.mark.parametrize(
    "cls", [ImplicitALS, ItemCF, PopularityRecommender], ids=lambda c: c.__name__
)
def test_cold_start_fold_in(cls, X):
    full = _make(cls).fit(X)
    part = _make(cls).fit(X[:50])
    rows = X[45:60]
    items, scores = part.recommend(np.arange(45, 60), n=5, user_items=rows)
    assert items.shape == (15, 5)
    for r in range(15):
        assert not set(items[r]) & set(rows[r].indices)
    if cls is ItemCF:  # the same similarity rows only when the item columns match
        ref_items, _ = _make(cls).fit(X[:50]).recommend(np.arange(45, 50), n=5)
        np.testing.assert_array_equal(items[:5], ref_items)
    assert full.n_users_ == 60


def test_als_fold_in_is_the_exact_solve(X):
    est = ImplicitALS(factors=4, iterations=5, random_state=0, alpha=2.0).fit(X[:50])
    vec = est._fold_in(X[50:52].astype(np.float32).tocsr())
    V = est.item_factors_.astype(np.float64)
    for r, u in enumerate((50, 51)):
        row = X[u].toarray().ravel()
        c = 1 + 2.0 * row
        A = V.T @ (c[:, None] * V) + est.regularization * np.eye(4)
        np.testing.assert_allclose(
            vec[r], np.linalg.solve(A, V.T @ (c * (row > 0))), rtol=1e-3, atol=1e-5
        )


def test_bpr_has_no_cold_start(X):
    est = _make(BPR).fit(X[:50])
    with pytest.raises(ValueError, match=r"Unknown users \(not seen in fit\): 55"):
        est.recommend([55], user_items=X[55])


def test_user_items_shape_is_checked(X):
    est = _make(ItemCF).fit(X)
    with pytest.raises(ValueError, match=r"user_items must have shape"):
        est.recommend([0, 1], user_items=X[:1])


def test_als_partial_fit_adds_users_and_interactions(X):
    est = ImplicitALS(factors=4, iterations=5, random_state=0).fit(X[:50])
    V = est.item_factors_.copy()
    U_old = est.user_factors_.copy()
    extra = sp.csr_matrix(X.shape, dtype=X.dtype).tolil()
    extra[3, 0] = 2.0  # an old user with a new interaction
    extra = sp.vstack([extra.tocsr()[:50], X[50:]]).tocsr()  # and ten new users
    est.partial_fit(extra)
    assert est.n_users_ == 60 and est.user_factors_.shape == (60, 4)
    np.testing.assert_array_equal(est.item_factors_, V)  # item factors stay fixed
    untouched = [u for u in range(50) if u != 3]
    np.testing.assert_array_equal(est.user_factors_[untouched], U_old[untouched])
    assert est._user_items[3, 0] == X[3, 0] + 2.0
    np.testing.assert_allclose(
        est.user_factors_[50:], est._fold_in(X[50:].astype(np.float32).tocsr()), rtol=1e-5
    )
    items, _ = est.recommend(np.arange(50, 60), n=3)
    assert items.shape == (10, 3)
    with pytest.raises(ValueError, match="expecting 20 features"):
        est.partial_fit(X[:, :5])


def test_als_partial_fit_table_new_user_ids(X):
    frame = _table(X, np.arange(60) * 2, np.arange(20))
    frame = frame.rename(columns={"u": "user", "i": "item", "r": "rating"})
    est = ImplicitALS(factors=4, iterations=3, random_state=0, rating_col="rating")
    est.fit(frame[frame.user < 100])
    est.partial_fit(frame[frame.user >= 100])
    np.testing.assert_array_equal(est.user_ids_, np.arange(60) * 2)
    with pytest.raises(ValueError, match=r"Unknown items \(not seen in fit\): 99"):
        est.partial_fit(pd.DataFrame({"user": [1], "item": [99], "rating": [1.0]}))
