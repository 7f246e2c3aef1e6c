"""GBDTRanker (LambdaMART) against LightGBM's LGBMRanker.

Tolerance: NDCG@10 on held-out queries within 0.015 of LightGBM's at the same leaves, rate,
rounds and minimum leaf size (LightGBM approximates the logistic by a table and accumulates
gradients in float32, so late splits differ; observed gaps are below 0.005).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from pai_algos.ensemble import GBDTRanker
from pai_algos.ensemble._gbdt_ranker import _label_gains, _mean_ndcg


def make_ranking(rng, n_queries, n_docs=30, n_features=8):
    """Queries of 15..45 documents whose graded relevance (0..3) depends on the features:
    a linear term, an interaction and a non-linearity, plus a per-query shift and noise;
    labels are the within-query quantile grades of that utility."""
    sizes = rng.integers(n_docs // 2, n_docs * 3 // 2, size=n_queries)
    n = int(sizes.sum())
    X = rng.normal(size=(n, n_features))
    utility = X[:, 0] + 0.7 * X[:, 1] * X[:, 2] + 0.5 * np.sin(2 * X[:, 3])
    utility += np.repeat(rng.normal(size=n_queries), sizes) + 0.5 * rng.normal(size=n)
    y = np.zeros(n)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for s, e in zip(bounds[:-1], bounds[1:]):
        y[s:e] = np.digitize(utility[s:e], np.quantile(utility[s:e], [0.5, 0.8, 0.95]))
    return X, y, sizes


def _ndcg(scores, y, sizes, k=10):
    bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    return _mean_ndcg(scores, _label_gains(y, None), bounds, k)


def test_parity_with_lightgbm(seed):
    lgb = pytest.importorskip("lightgbm", reason="LightGBM's LGBMRanker is the peer")
    rng = np.random.default_rng(seed)
    X, y, sizes = make_ranking(rng, 150)
    X_te, y_te, sizes_te = make_ranking(rng, 100)
    ours = GBDTRanker(max_iter=30, max_leaf_nodes=15, learning_rate=0.1, random_state=0)
    ours.fit(X, y, group=sizes)
    peer = lgb.LGBMRanker(
        n_estimators=30,
        num_leaves=15,
        learning_rate=0.1,
        min_child_samples=20,
        reg_lambda=0.0,
        max_bin=255,
        verbose=-1,
        n_jobs=1,
    ).fit(X, y, group=sizes)
    ours_ndcg = ours.score(X_te, y_te, group=sizes_te)
    assert ours_ndcg == pytest.approx(_ndcg(ours.predict(X_te), y_te, sizes_te))
    peer_ndcg = _ndcg(peer.predict(X_te), y_te, sizes_te)
    assert ours_ndcg >= peer_ndcg - 0.015
    # and it learned something: far above a random ranking
    assert ours_ndcg > _ndcg(rng.normal(size=y_te.shape[0]), y_te, sizes_te) + 0.2
    assert ours.n_iter_ == 30 and len(ours.history_["loss"]) == 30
    assert ours.history_["loss"][-1] < ours.history_["loss"][0]


def test_group_and_qid_agree(rng):
    X, y, sizes = make_ranking(rng, 20)
    qid = np.repeat(rng.permutation(1000)[:20], sizes)
    a = GBDTRanker(max_iter=5, random_state=0).fit(X, y, group=sizes)
    b = GBDTRanker(max_iter=5, random_state=0).fit(X, y, qid=qid)
    np.testing.assert_allclose(a.predict(X), b.predict(X))
    assert a.score(X, y, group=sizes) == b.score(X, y, qid=qid)
    # group=None: all rows are one query
    one = GBDTRanker(max_iter=3).fit(X, y)
    assert one.predict(X).shape == (X.shape[0],)
    assert 0 < one.score(X, y) <= 1


def test_label_gain_and_truncation(rng):
    X, y, sizes = make_ranking(rng, 20)
    default = GBDTRanker(max_iter=5, random_state=0).fit(X, y, group=sizes)
    explicit = GBDTRanker(max_iter=5, random_state=0, label_gain=[0, 1, 3, 7]).fit(
        X, y, group=sizes
    )
    np.testing.assert_allclose(default.predict(X), explicit.predict(X))
    other = GBDTRanker(max_iter=5, random_state=0, truncation_level=3, sigma=2.0)
    assert not np.allclose(other.fit(X, y, group=sizes).predict(X), default.predict(X))
    assert clone(other).get_params()["truncation_level"] == 3


def test_bad_input(rng):
    X, y, sizes = make_ranking(rng, 5)
    with pytest.raises(ValueError, match="Sum of the group sizes \\(.*\\) does not match"):
        GBDTRanker(max_iter=2).fit(X, y, group=sizes[:-1])
    with pytest.raises(ValueError, match="positive integer sizes"):
        GBDTRanker(max_iter=2).fit(X, y, group=[0, X.shape[0]])
    y_neg = y.copy()
    y_neg[0] = -1
    with pytest.raises(ValueError, match="Relevance labels must be non-negative"):
        GBDTRanker(max_iter=2).fit(X, y_neg, group=sizes)
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        GBDTRanker(max_iter=2).fit(X, y_nan, group=sizes)
    with pytest.raises(ValueError, match="label_gain has 2 entries but the largest label is 3"):
        GBDTRanker(max_iter=2, label_gain=[0, 1]).fit(X, y, group=sizes)
    with pytest.raises(ValueError, match="must be integers"):
        GBDTRanker(max_iter=2, label_gain=[0, 1, 3, 7]).fit(X, y + 0.5, group=sizes)
    qid = np.repeat(np.arange(5), sizes)
    qid[0] = 3  # query 3 appears twice
    with pytest.raises(ValueError, match="must be contiguous"):
        GBDTRanker(max_iter=2).fit(X, y, qid=qid)
    with pytest.raises(ValueError, match="either group .* or qid"):
        GBDTRanker(max_iter=2).fit(X, y, group=sizes, qid=qid)
    with pytest.raises(ValueError, match="'truncation_level' parameter"):
        GBDTRanker(truncation_level=0).fit(X, y, group=sizes)
