"""IsolationForest: parity with scikit-learn on planted outliers, API details and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest as SkIsolationForest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from pai_algos.ensemble import IsolationForest


def _planted(rng, n_in=1500, n_out=75, d=8):
    """A Gaussian blob and uniform outliers over a box that overlaps it (AUC well below 1)."""
    X = np.vstack([rng.normal(size=(n_in, d)), rng.uniform(-2.5, 2.5, size=(n_out, d))])
    y = np.r_[np.zeros(n_in), np.ones(n_out)]
    return X, y


def test_roc_auc_matches_sklearn(rng):
    X, y = _planted(rng)
    ours, theirs = [], []
    for s in range(3):
        ours.append(roc_auc_score(y, -IsolationForest(random_state=s).fit(X).score_samples(X)))
        theirs.append(roc_auc_score(y, -SkIsolationForest(random_state=s).fit(X).score_samples(X)))
    # AUC ~0.89 here; one forest's AUC varies by ~0.005 (sd) around its mean, so the gap of
    # two 3-forest means has sd ~0.004 and 0.02 is a 5-sigma bound.
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.02, (ours, theirs)
    assert np.mean(ours) > 0.8


def test_scores_close_to_sklearn(rng):
    X, _ = _planted(rng, n_in=800, n_out=40, d=4)
    ours = np.mean([IsolationForest(random_state=s).fit(X).score_samples(X) for s in range(3)], 0)
    theirs = np.mean(
        [SkIsolationForest(random_state=s).fit(X).score_samples(X) for s in range(3)], 0
    )
    # same distribution of random trees: the averaged scores agree up to forest noise
    assert np.corrcoef(ours, theirs)[0, 1] > 0.95
    assert abs(ours.mean() - theirs.mean()) < 0.01


@pytest.mark.parametrize("contamination", [0.01, 0.05, 0.2])
def test_contamination_share(rng, contamination):
    X, _ = _planted(rng, n_in=1000, n_out=50, d=3)
    clf = IsolationForest(contamination=contamination, random_state=0).fit(X)
    share = np.mean(clf.predict(X) == -1)
    # offset_ is the contamination quantile of the training scores: off by ties at most
    assert abs(share - contamination) <= 2 / len(X)
    np.testing.assert_array_equal(clf.fit_predict(X), clf.predict(X))
    sk = SkIsolationForest(contamination=contamination, random_state=0).fit(X)
    assert abs(share - np.mean(sk.predict(X) == -1)) <= 2 / len(X)


def test_auto_contamination_and_decision_function(rng):
    X, _ = _planted(rng, n_in=300, n_out=15, d=3)
    clf = IsolationForest(random_state=0).fit(X)
    assert clf.offset_ == -0.5
    scores = clf.score_samples(X)
    assert np.all((scores >= -1) & (scores < 0))
    np.testing.assert_allclose(clf.decision_function(X), scores + 0.5)
    np.testing.assert_array_equal(clf.predict(X), np.where(scores + 0.5 < 0, -1, 1))
    assert clf.max_samples_ == 256 and clf.max_depth_ == 8
    assert len(clf.tree_offsets_) == 101 and len(clf.estimators_samples_) == 100


def test_outlier_scores_lower(rng):
    X = rng.normal(size=(500, 2))
    clf = IsolationForest(random_state=0).fit(X)
    s = clf.score_samples(np.array([[0.0, 0.0], [8.0, 8.0]]))
    assert s[1] < s[0]


def test_repeatable_and_independent_of_threads(rng):
    X, _ = _planted(rng, n_in=400, n_out=20, d=5)
    a = IsolationForest(random_state=3, n_jobs=1, max_features=0.6, bootstrap=True).fit(X)
    b = IsolationForest(random_state=3, n_jobs=2, max_features=0.6, bootstrap=True).fit(X)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))
    np.testing.assert_array_equal(a.tree_feature_, b.tree_feature_)
    # max_features=0.6 of 5 features: 3 candidate features per tree
    assert all(len(f) == 3 for f in a.estimators_features_)


def test_warm_start_equals_fresh_fit(rng):
    X = rng.normal(size=(300, 4))
    warm = IsolationForest(n_estimators=20, random_state=1, warm_start=True).fit(X)
    warm.set_params(n_estimators=50).fit(X)
    fresh = IsolationForest(n_estimators=50, random_state=1).fit(X)
    np.testing.assert_array_equal(warm.tree_offsets_, fresh.tree_offsets_)
    np.testing.assert_array_equal(warm.score_samples(X), fresh.score_samples(X))
    with pytest.raises(ValueError, match="must be larger or equal"):
        warm.set_params(n_estimators=10).fit(X)


def test_float32_and_max_samples(rng):
    X = rng.normal(size=(200, 3)).astype(np.float32)
    clf = IsolationForest(max_samples=0.5, random_state=0).fit(X)
    assert clf.max_samples_ == 100
    assert clf.score_samples(X).shape == (200,)
    with pytest.warns(UserWarning, match="max_samples .* greater than the total number"):
        clf = IsolationForest(max_samples=500, random_state=0).fit(X)
    assert clf.max_samples_ == 200
    one = IsolationForest(max_samples=1, random_state=0).fit(X)
    np.testing.assert_array_equal(one.score_samples(X), -0.5)


def test_bad_input(rng):
    X = rng.normal(size=(50, 3))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        IsolationForest().predict(X)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        IsolationForest().fit(X_nan)
    with pytest.raises(ValueError, match="contamination"):
        IsolationForest(contamination=0.7).fit(X)
    with pytest.raises(ValueError, match="max_samples"):
        IsolationForest(max_samples=0).fit(X)
    with pytest.raises(ValueError, match="max_features must be <= n_features"):
        IsolationForest(max_features=5).fit(X)
    with pytest.raises(ValueError, match="Expected 2D array"):
        IsolationForest().fit(X[:, 0])
    with pytest.raises(ValueError, match="0 sample"):
        IsolationForest().fit(X[:0])
    clf = IsolationForest(n_estimators=5).fit(X)
    with pytest.raises(ValueError, match="X has 2 features"):
        clf.score_samples(X[:, :2])


def test_sample_weight_equal_weights_same_forest(rng):
    X = rng.normal(size=(300, 3))
    a = IsolationForest(n_estimators=20, random_state=0).fit(X)
    b = IsolationForest(n_estimators=20, random_state=0).fit(X, sample_weight=np.full(300, 2.5))
    for ra, rb in zip(a.estimators_samples_, b.estimators_samples_):
        np.testing.assert_array_equal(ra, rb)
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


@pytest.mark.parametrize("bootstrap", [False, True])
def test_sample_weight_zero_rows_never_drawn(rng, bootstrap):
    X = rng.normal(size=(400, 2))
    X[:40] += 8.0  # a far cluster, given zero weight
    sw = np.ones(400)
    sw[:40] = 0.0
    clf = IsolationForest(n_estimators=30, bootstrap=bootstrap, random_state=0)
    clf.fit(X, sample_weight=sw)
    drawn = np.concatenate(clf.estimators_samples_)
    assert drawn.min() >= 40
    # unseen in training, the far cluster scores as anomalous as a fresh outlier would
    unweighted = IsolationForest(n_estimators=30, bootstrap=bootstrap, random_state=0).fit(X)
    assert clf.score_samples(X[:40]).mean() < unweighted.score_samples(X[:40]).mean()


def test_sample_weight_draw_frequencies(rng):
    X = rng.normal(size=(100, 2))
    sw = np.ones(100)
    sw[:10] = 10.0  # ten rows carry half of the weight
    clf = IsolationForest(n_estimators=200, max_samples=50, bootstrap=True, random_state=0)
    clf.fit(X, sample_weight=sw)
    counts = np.bincount(np.concatenate(clf.estimators_samples_), minlength=100)
    share = counts[:10].sum() / counts.sum()
    assert abs(share - 10 * 10 / (10 * 10 + 90)) < 0.02  # expected 100/190 = 0.526


def test_sample_weight_bad_input(rng):
    X = rng.normal(size=(50, 2))
    clf = IsolationForest(n_estimators=5, max_samples=30, random_state=0)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        clf.fit(X, sample_weight=np.r_[-1.0, np.ones(49)])
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero"):
        clf.fit(X, sample_weight=np.zeros(50))
    sw = np.r_[np.ones(20), np.zeros(30)]
    with pytest.raises(ValueError, match="20 positive weights, fewer than the max_samples=30"):
        clf.fit(X, sample_weight=sw)
    assert not hasattr(clf, "tree_offsets_")
    clf.set_params(bootstrap=True).fit(X, sample_weight=sw)  # with replacement it is fine
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(49,\), expected \(50,\)"):
        clf.fit(X, sample_weight=np.ones(49))
