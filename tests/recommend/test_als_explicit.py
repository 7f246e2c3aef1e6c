"""ALS: rating quality near the noise floor, exact solves, duplicates, fold-in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pai_algos.recommend import ALS, train_test_split_interactions

from ..native import naive_recommend as naive

NOISE = 0.3


def _ratings(seed, n_users=400, n_items=200, rank=3, density=0.15, noise=NOISE):
    """Low-rank ratings with user and item biases plus Gaussian noise, floored at 1 (ratings
    must be positive; the floor touches far below one rating in a thousand)."""
    rng = np.random.default_rng(seed)
    U, V = rng.normal(size=(n_users, rank)), rng.normal(size=(n_items, rank))
    bu, bi = rng.normal(scale=0.5, size=n_users), rng.normal(scale=0.5, size=n_items)
    r, c = np.nonzero(rng.random((n_users, n_items)) < density)
    vals = 8.0 + bu[r] + bi[c] + 0.6 * (U[r] * V[c]).sum(1) + rng.normal(scale=noise, size=len(r))
    return sp.csr_matrix((np.maximum(vals, 1.0), (r, c)), shape=(n_users, n_items))


def _rmse(model, test):
    coo = test.tocoo()
    pred = model.predict(np.column_stack([coo.row, coo.col]))
    return float(np.sqrt(np.mean((pred - coo.data) ** 2)))


def _bias_baseline_rmse(train, test, reg=5.0, sweeps=10):
    """Global mean + damped user and item biases (alternating), the classic baseline."""
    mu = train.data.mean()
    coo = train.tocoo()
    bu, bi = np.zeros(train.shape[0]), np.zeros(train.shape[1])
    for _ in range(sweeps):
        res = coo.data - mu - bi[coo.col]
        bu = np.bincount(coo.row, res, train.shape[0]) / (
            np.bincount(coo.row, None, train.shape[0]) + reg
        )
        res = coo.data - mu - bu[coo.row]
        bi = np.bincount(coo.col, res, train.shape[1]) / (
            np.bincount(coo.col, None, train.shape[1]) + reg
        )
    t = test.tocoo()
    return float(np.sqrt(np.mean((mu + bu[t.row] + bi[t.col] - t.data) ** 2)))


def test_rmse_near_noise_floor_and_beats_bias_baseline(seed):
    X = _ratings(seed)
    train, test = train_test_split_interactions(X, 0.2, random_state=seed)
    model = ALS(3, regularization=0.01, iterations=15, random_state=seed).fit(train)
    rmse = _rmse(model, test)
    # ~24 training ratings per user for 4 unknowns: estimation error adds about 10-15 % to
    # the noise; 2,400 test ratings make the RMSE itself accurate to about 2 %
    assert rmse < 1.3 * NOISE, rmse
    assert rmse < 0.5 * _bias_baseline_rmse(train, test), rmse
    loss = np.array(model.history_["loss"])
    assert np.all(np.diff(loss) <= 1e-6 * loss[0])  # exact alternating solves never go up


@pytest.mark.parametrize("mode", ["weighted", "constant"])
@pytest.mark.parametrize("fit_biases", [True, False])
def test_last_sweep_is_the_least_squares_solve(seed, mode, fit_biases):
    X = _ratings(seed, 60, 30, density=0.3)
    m = ALS(
        4, regularization=0.1, regularization_mode=mode, fit_biases=fit_biases,
        iterations=3, random_state=seed,
    ).fit(X)  # fmt: skip
    # the items were solved last, against the final user side
    offset = m.global_mean_ + m.user_bias_.astype(np.float64)
    ref_V, ref_b = naive.als_explicit(
        X.T.toarray(), m.user_factors_, offset, 0.1, mode == "weighted", fit_biases
    )
    np.testing.assert_allclose(m.item_factors_, ref_V, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.item_bias_, ref_b, rtol=1e-5, atol=1e-6)
    if not fit_biases:
        assert m.global_mean_ == 0.0 and not m.user_bias_.any()


def test_predict_and_recommend_scores_agree(seed):
    X = _ratings(seed, 80, 40, density=0.3).astype(np.float32)
    m = ALS(4, iterations=5, random_state=seed).fit(X)
    items, scores = m.recommend(np.arange(10), n=5)
    assert scores.dtype == np.float32 and m.user_factors_.dtype == np.float32
    pairs = np.column_stack([np.repeat(np.arange(10), 5), items.ravel()])
    np.testing.assert_allclose(m.predict(pairs), scores.ravel(), rtol=1e-5)
    for u in range(10):
        assert not set(items[u]) & set(X[u].indices)


def test_duplicate_ratings_are_averaged():
    frame = pd.DataFrame(
        {"user": [1, 1, 2, 2, 3], "item": ["a", "a", "a", "b", "b"], "rating": [4.0, 2.0, 5, 1, 3]}
    )
    m = ALS(2, iterations=2, random_state=0).fit(frame)
    np.testing.assert_array_equal(m._user_items.toarray(), [[3, 0], [5, 1], [0, 3]])
    # the same policy for duplicate entries of a (non-canonical) sparse matrix
    X = sp.csr_matrix((np.array([4.0, 2.0, 1.0]), np.array([0, 0, 1]), np.array([0, 2, 3])),
                      shape=(2, 2))  # fmt: skip
    assert not X.has_canonical_format
    m = ALS(2, iterations=2, random_state=0).fit(X)
    np.testing.assert_array_equal(m._user_items.toarray(), [[3, 0], [0, 1]])


def test_bad_input():
    with pytest.raises(ValueError, match="Column 'rating' contains NaN"):
        ALS().fit(pd.DataFrame({"user": [1, 2], "item": [1, 2], "rating": [1.0, np.nan]}))
    with pytest.raises(ValueError, match="NaN"):
        ALS().fit(sp.csr_matrix([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="Negative values in data"):
        ALS().fit(sp.csr_matrix([[1.0, -2.0]]))
    with pytest.raises(ValueError, match="Column 'rating' not found"):
        ALS().fit(pd.DataFrame({"user": [1], "item": [2]}))
    m = ALS(2, iterations=2).fit(sp.csr_matrix([[1.0, 2.0], [3.0, 0.0]]))
    with pytest.raises(ValueError, match=r"Unknown users \(not seen in fit\): 5"):
        m.predict([[5, 0]])
    with pytest.raises(ValueError, match=r"regularization_mode"):
        ALS(regularization_mode="l2").fit(sp.csr_matrix([[1.0]]))


def test_fold_in_and_partial_fit(seed):
    X = _ratings(seed, 70, 30, density=0.3)
    m = ALS(3, iterations=5, random_state=seed).fit(X[:60])
    new = X[60:70]
    ref_U, ref_b = naive.als_explicit(
        new.toarray(), m.item_factors_, m.global_mean_ + m.item_bias_.astype(np.float64),
        m.regularization, True, True,
    )  # fmt: skip
    items, scores = m.recommend(np.arange(60, 70), n=4, user_items=new)
    pred = (ref_U @ m.item_factors_.T.astype(np.float64) + ref_b[:, None]
            + m.item_bias_ + m.global_mean_)  # fmt: skip
    np.testing.assert_allclose(scores, np.take_along_axis(pred, items, axis=1), rtol=1e-5)

    V, old = m.item_factors_.copy(), m.user_factors_.copy()
    extra = sp.lil_matrix((70, 30))
    extra[3, X[3].indices[0]] = 1.0  # a new rating of an already rated cell replaces it
    extra = sp.vstack([extra.tocsr()[:60], new]).tocsr()
    m.partial_fit(extra)
    assert m.n_users_ == 70
    assert m._user_items[3, X[3].indices[0]] == 1.0
    np.testing.assert_array_equal(m.item_factors_, V)
    keep = [u for u in range(60) if u != 3]
    np.testing.assert_array_equal(m.user_factors_[keep], old[keep])
    np.testing.assert_allclose(m.user_factors_[60:], ref_U, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(m.user_bias_[60:], ref_b, rtol=1e-5, atol=1e-8)
