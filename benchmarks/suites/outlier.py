"""Outlier detection: pai_algos IsolationForest against scikit-learn's.

200,000 x 20 float32 rows: a Gaussian blob with 2% uniform outliers planted in a box around
it. 100 trees of 256 rows each side. Two rows: ``fit`` alone, and ``score_samples`` on the
200,000 rows with forests fitted beforehand. Quality: ROC AUC of the outlier scores.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest as SkIsolationForest
from sklearn.metrics import roc_auc_score

from benchmarks._harness import Case
from pai_algos.ensemble import IsolationForest

N, D, SHARE = 200_000, 20, 0.02


def _data():
    rng = np.random.default_rng(0)
    n_out = int(N * SHARE)
    X = np.vstack([rng.normal(size=(N - n_out, D)), rng.uniform(-5, 5, size=(n_out, D))])
    y = np.r_[np.zeros(N - n_out), np.ones(n_out)]
    return X.astype(np.float32), y


def _fitted():
    X, y = _data()
    return X, y, IsolationForest(random_state=0).fit(X), SkIsolationForest(random_state=0).fit(X)


def _auc(data, ours, peer):
    X, y = data[0], data[1]
    a = roc_auc_score(y, -ours.score_samples(X))
    b = roc_auc_score(y, -peer.score_samples(X))
    return f"ours AUC {a:.4f}, peer AUC {b:.4f}"


def _auc_scores(data, ours, peer):
    y = data[1]
    return f"ours AUC {roc_auc_score(y, -ours):.4f}, peer AUC {roc_auc_score(y, -peer):.4f}"


CASES = [
    Case(
        name=f"IsolationForest.fit {N}x{D} float32, 100 trees",
        make_data=_data,
        ours=lambda d: IsolationForest(random_state=0).fit(d[0]),
        peer=lambda d: SkIsolationForest(random_state=0).fit(d[0]),
        target=1.0,
        repeats=5,
        quality=_auc,
    ),
    Case(
        name=f"IsolationForest.score_samples {N}x{D} float32, 100 trees",
        make_data=_fitted,
        ours=lambda d: d[2].score_samples(d[0]),
        peer=lambda d: d[3].score_samples(d[0]),
        target=1.0,
        repeats=3,
        quality=_auc_scores,
    ),
]
