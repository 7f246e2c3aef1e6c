"""Ensembles: pai_algos HistGradientBoostingClassifier against scikit-learn's and LightGBM's.

200,000 x 50 float32 rows from ``make_classification``, 100 boosting iterations of trees with
31 leaves, learning rate 0.1, no early stopping, 255 bins, ``min_samples_leaf=20``: the same
work on each side. Quality: log-loss and accuracy on 20,000 held-out rows. The LightGBM case
runs only when ``lightgbm`` is installed.

GBDTRanker against LightGBM's LGBMRanker (lambdarank): 2,000 queries of 15 to 45 documents
(about 60,000 rows) x 20 features with graded relevance, 100 iterations of 31 leaves.
Quality: NDCG@10 on 500 held-out queries.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier as SkHGBC
from sklearn.metrics import accuracy_score, log_loss

from benchmarks._harness import Case
from pai_algos.ensemble import GBDTRanker, HistGradientBoostingClassifier

N, D, N_TEST = 200_000, 50, 20_000
PARAMS = dict(max_iter=100, max_leaf_nodes=31, learning_rate=0.1, early_stopping=False)


def _data():
    X, y = make_classification(n_samples=N + N_TEST, n_features=D, n_informative=20, random_state=0)
    X = X.astype(np.float32)
    return X[:N], y[:N], X[N:], y[N:]


def _ours(data):
    X, y, _, _ = data
    return HistGradientBoostingClassifier(**PARAMS).fit(X, y)


def _sklearn(data):
    X, y, _, _ = data
    return SkHGBC(**PARAMS).fit(X, y)


def _lightgbm(data):
    import lightgbm as lgb

    X, y, _, _ = data
    return lgb.LGBMClassifier(
        n_estimators=100,
        num_leaves=31,
        learning_rate=0.1,
        min_child_samples=20,
        max_bin=255,
        reg_lambda=0.0,
        verbose=-1,
    ).fit(X, y)


def _quality(data, ours, peer):
    _, _, X_te, y_te = data
    parts = []
    for name, model in (("ours", ours), ("peer", peer)):
        p = model.predict_proba(X_te)
        acc = accuracy_score(y_te, p.argmax(axis=1))
        parts.append(f"{name} log-loss {log_loss(y_te, p):.4f} acc {acc:.4f}")
    return ", ".join(parts)


def _rank_queries(rng, n_queries, n_features=20):
    sizes = rng.integers(15, 45, size=n_queries)
    X = rng.normal(size=(int(sizes.sum()), n_features)).astype(np.float32)
    utility = X[:, 0] + 0.7 * X[:, 1] * X[:, 2] + 0.5 * np.sin(2 * X[:, 3])
    utility += np.repeat(rng.normal(size=n_queries), sizes) + 0.5 * rng.normal(size=len(X))
    y = np.zeros(len(X))
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        y[s:e] = np.digitize(utility[s:e], np.quantile(utility[s:e], [0.5, 0.8, 0.95]))
    return X, y, sizes


def _rank_data():
    rng = np.random.default_rng(0)
    return (*_rank_queries(rng, 2000), *_rank_queries(rng, 500))


def _ours_ranker(data):
    X, y, group = data[:3]
    return GBDTRanker(max_iter=100, max_leaf_nodes=31, learning_rate=0.1).fit(X, y, group=group)


def _lightgbm_ranker(data):
    import lightgbm as lgb

    X, y, group = data[:3]
    return lgb.LGBMRanker(
        n_estimators=100,
        num_leaves=31,
        learning_rate=0.1,
        min_child_samples=20,
        max_bin=255,
        reg_lambda=0.0,
        verbose=-1,
    ).fit(X, y, group=group)


def _rank_quality(data, ours, peer):
    from pai_algos.ensemble._gbdt_ranker import _label_gains, _mean_ndcg

    X_te, y_te, group_te = data[3:]
    bounds = np.concatenate(([0], np.cumsum(group_te))).astype(np.int64)
    gains = _label_gains(y_te, None)
    return ", ".join(
        f"{name} NDCG@10 {_mean_ndcg(model.predict(X_te), gains, bounds, 10):.4f}"
        for name, model in (("ours", ours), ("peer", peer))
    )


CASES = [
    Case(
        name=f"HistGradientBoostingClassifier {N}x{D} float32, 100 it",
        make_data=_data,
        ours=_ours,
        peer=_sklearn,
        peer_name="scikit-learn",
        target=1.0,
        repeats=2,
        quality=_quality,
    )
]

try:
    import lightgbm  # noqa: F401
except ImportError:  # the LightGBM row needs the optional peer
    pass
else:
    CASES.append(
        Case(
            name=f"HistGradientBoostingClassifier {N}x{D} float32, 31 leaves",
            make_data=_data,
            ours=_ours,
            peer=_lightgbm,
            peer_name="lightgbm",
            target=0.8,
            repeats=2,
            quality=_quality,
        )
    )
    CASES.append(
        Case(
            name="GBDTRanker ~60000x20 float32, 2000 queries, 100 it, 31 leaves",
            make_data=_rank_data,
            ours=_ours_ranker,
            peer=_lightgbm_ranker,
            peer_name="lightgbm",
            target=0.5,
            repeats=2,
            quality=_rank_quality,
        )
    )
