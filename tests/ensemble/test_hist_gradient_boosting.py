"""HistGradientBoostingClassifier / Regressor against scikit-learn (and LightGBM).

Tolerances: accuracy within 0.01 and R^2 within 0.01 of scikit-learn's at the same
hyper-parameters (scikit-learn computes gradients in float32, we in float64, so the trees may
differ in late splits); log-loss within 1% of LightGBM's at the same leaves, rate and rounds.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier as SkHGBC
from sklearn.ensemble import HistGradientBoostingRegressor as SkHGBR
from sklearn.exceptions import NotFittedError
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import train_test_split

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from pai_algos.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

PARAMS = dict(max_iter=25, early_stopping=False)


def _pair(cls_ours, cls_sk, **params):
    kw = {**PARAMS, **params}
    return cls_ours(**kw), cls_sk(**kw)


def _tree_shapes(est):
    """(leaves, depth) of every tree of a fitted model."""
    nodes, out = est._nodes, []
    for root in est._roots:
        leaves, depth, stack = 0, 0, [(root, 0)]
        while stack:
            node, d = stack.pop()
            if nodes["left"][node] < 0:
                leaves += 1
                depth = max(depth, d)
            else:
                stack += [(nodes["left"][node], d + 1), (nodes["right"][node], d + 1)]
        out.append((leaves, depth))
    return out


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris, load_wine])
def test_classifier_parity_real_data(loader):
    X, y = loader(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
    ours, ref = _pair(HistGradientBoostingClassifier, SkHGBC, min_samples_leaf=10)
    ours.fit(X_tr, y_tr)
    ref.fit(X_tr, y_tr)
    assert ours.n_trees_per_iteration_ == ref.n_trees_per_iteration_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) <= 0.01 + 1e-12
    assert abs(ours.score(X_tr, y_tr) - ref.score(X_tr, y_tr)) <= 0.01 + 1e-12
    np.testing.assert_allclose(ours.predict_proba(X_te).sum(axis=1), 1.0)


def test_regressor_parity_diabetes():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    ours, ref = _pair(HistGradientBoostingRegressor, SkHGBR, learning_rate=0.05)
    ours.fit(X_tr, y_tr)
    ref.fit(X_tr, y_tr)
    assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) <= 0.01
    assert abs(ours.score(X_tr, y_tr) - ref.score(X_tr, y_tr)) <= 0.01


def _synthetic_classification(seed, n=3000, n_classes=2, nan_fraction=0.0):
    X, y = make_classification(
        n_samples=n,
        n_features=10,
        n_informative=6,
        n_classes=n_classes,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    X[rng.random(X.shape) < nan_fraction] = np.nan
    return train_test_split(X, y, test_size=0.3, random_state=seed)


def _assert_same_accuracy(ours, ref, X_te, y_te, bound):
    """Held-out accuracies within ``bound`` plus sampling noise: two equally good models that
    disagree on a fraction d of the test rows differ in accuracy by about sqrt(d / n), so allow
    two such deviations (fresh random data each run; the real-data tests hold the plain 0.01)."""
    disagree = np.mean(ours.predict(X_te) != ref.predict(X_te))
    tol = bound + 2 * np.sqrt(disagree / len(y_te))
    assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) <= tol


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("nan_fraction", [0.0, 0.1])
def test_classifier_parity_synthetic(seed, n_classes, nan_fraction):
    X_tr, X_te, y_tr, y_te = _synthetic_classification(seed % 1000, 3000, n_classes, nan_fraction)
    ours, ref = _pair(HistGradientBoostingClassifier, SkHGBC, max_iter=20)
    ours.fit(X_tr, y_tr)
    ref.fit(X_tr, y_tr)
    _assert_same_accuracy(ours, ref, X_te, y_te, 0.01)
    loss_ours = log_loss(y_te, ours.predict_proba(X_te))
    loss_ref = log_loss(y_te, ref.predict_proba(X_te))
    assert abs(loss_ours - loss_ref) <= 0.05 * loss_ref


def test_missing_values_only_at_predict(seed):
    X_tr, X_te, y_tr, y_te = _synthetic_classification(seed % 1000, 2000)
    ours, ref = _pair(HistGradientBoostingClassifier, SkHGBC, max_iter=20)
    ours.fit(X_tr, y_tr)
    ref.fit(X_tr, y_tr)
    X_te = X_te.copy()
    X_te[np.random.default_rng(seed).random(X_te.shape) < 0.2] = np.nan
    # unseen NaN follows the child with more training rows, in both libraries
    assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) <= 0.03
    assert np.mean(ours.predict(X_te) == ref.predict(X_te)) >= 0.93


@pytest.mark.parametrize(
    ("loss", "extra"),
    [
        ("squared_error", {}),
        ("absolute_error", {}),
        ("quantile", {"quantile": 0.8}),
        ("poisson", {}),
        ("gamma", {}),
    ],
)
def test_regressor_losses_parity(seed, loss, extra):
    X, y = make_regression(n_samples=3000, n_features=8, noise=10.0, random_state=seed % 1000)
    if loss in ("poisson", "gamma"):
        y = np.exp((y - y.mean()) / y.std())
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    ours, ref = _pair(HistGradientBoostingRegressor, SkHGBR, loss=loss, max_iter=20, **extra)
    ours.fit(X_tr, y_tr)
    ref.fit(X_tr, y_tr)
    if loss == "quantile":
        cover_ours = np.mean(y_tr <= ours.predict(X_tr))
        cover_ref = np.mean(y_tr <= ref.predict(X_tr))
        assert abs(cover_ours - cover_ref) <= 0.03
    else:
        r2_ours = r2_score(y_te, ours.predict(X_te))
        r2_ref = r2_score(y_te, ref.predict(X_te))
        # 0.01 for squared error; the other losses' trees diverge sooner from float32 rounding
        # (fresh random data each run: 0.03 keeps two such models' noise inside the bound)
        assert abs(r2_ours - r2_ref) <= (0.01 if loss == "squared_error" else 0.03)
    np.testing.assert_allclose(ours._baseline_prediction, ref._baseline_prediction.ravel())


def test_early_stopping_matches_sklearn_mechanics(seed):
    X_tr, _, y_tr, _ = _synthetic_classification(seed % 1000, 2000, nan_fraction=0.05)
    kw = dict(max_iter=200, early_stopping=True, n_iter_no_change=3, random_state=0)
    ours = HistGradientBoostingClassifier(learning_rate=0.5, **kw).fit(X_tr, y_tr)
    ref = SkHGBC(learning_rate=0.5, **kw).fit(X_tr, y_tr)
    assert ours.do_early_stopping_
    assert ours.n_iter_ < 200
    assert ours.train_score_.shape == (ours.n_iter_ + 1,)
    assert ours.validation_score_.shape == (ours.n_iter_ + 1,)
    # same validation split and same baseline: the scores before the first tree agree
    np.testing.assert_allclose(ours.validation_score_[0], ref.validation_score_[0], rtol=1e-7)
    np.testing.assert_allclose(ours.train_score_[0], ref.train_score_[0], rtol=1e-7)
    assert abs(ours.n_iter_ - ref.n_iter_) <= max(5, ref.n_iter_ // 3)
    assert len(ours.history_["validation_loss"]) == ours.n_iter_


def test_early_stopping_auto_and_off(rng):
    X = rng.normal(size=(300, 4))
    y = X[:, 0] + 0.1 * rng.normal(size=300)
    est = HistGradientBoostingRegressor(max_iter=15).fit(X, y)
    assert not est.do_early_stopping_
    assert est.n_iter_ == 15
    assert est.train_score_.size == 0 and est.validation_score_.size == 0
    assert len(est.history_["loss"]) == 15
    assert np.all(np.diff(est.history_["loss"]) <= 1e-12)
    # validation_fraction=None: early stopping on the training loss
    est = HistGradientBoostingRegressor(
        max_iter=500, early_stopping=True, validation_fraction=None, n_iter_no_change=2, tol=1e-3
    ).fit(X, y)
    assert est.n_iter_ < 500
    assert est.validation_score_.size == 0
    assert est.train_score_.shape == (est.n_iter_ + 1,)


def test_staged_predictions(rng):
    X_tr, X_te, y_tr, _ = _synthetic_classification(int(rng.integers(1000)), 600, n_classes=3)
    clf = HistGradientBoostingClassifier(max_iter=8, early_stopping=False).fit(X_tr, y_tr)
    staged = list(clf.staged_predict_proba(X_te))
    assert len(staged) == clf.n_iter_
    np.testing.assert_allclose(staged[-1], clf.predict_proba(X_te))
    np.testing.assert_array_equal(list(clf.staged_predict(X_te))[-1], clf.predict(X_te))
    np.testing.assert_allclose(
        list(clf.staged_decision_function(X_te))[-1], clf.decision_function(X_te)
    )
    y = X_tr[:, 0] * 2.0
    reg = HistGradientBoostingRegressor(max_iter=6).fit(X_tr, y)
    stages = list(reg.staged_predict(X_te))
    assert len(stages) == 6
    np.testing.assert_allclose(stages[-1], reg.predict(X_te))
    err = [np.mean((s - X_te[:, 0] * 2.0) ** 2) for s in stages]
    assert err[-1] < err[0]


def test_tree_limits(rng):
    X = rng.normal(size=(800, 5))
    y = np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2]
    est = HistGradientBoostingRegressor(max_iter=5, max_leaf_nodes=7, min_samples_leaf=5)
    for leaves, _ in _tree_shapes(est.fit(X, y)):
        assert leaves <= 7
    est = HistGradientBoostingRegressor(max_iter=5, max_leaf_nodes=None, max_depth=2)
    for leaves, depth in _tree_shapes(est.fit(X, y)):
        assert depth <= 2 and leaves <= 4
    est = HistGradientBoostingRegressor(max_iter=3, min_samples_leaf=300).fit(X, y)
    for leaves, _ in _tree_shapes(est):
        assert leaves <= 2


def test_float32_and_float64_agree(rng):
    X = rng.normal(size=(400, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    a = HistGradientBoostingClassifier(max_iter=10).fit(X, y)
    b = HistGradientBoostingClassifier(max_iter=10).fit(X.astype(np.float64), y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X.astype(np.float64)))


def test_class_weight_and_sample_weight(seed):
    X_tr, X_te, y_tr, y_te = _synthetic_classification(seed % 1000, 1000)
    ours, ref = _pair(HistGradientBoostingClassifier, SkHGBC, class_weight="balanced")
    _assert_same_accuracy(ours.fit(X_tr, y_tr), ref.fit(X_tr, y_tr), X_te, y_te, 0.02)
    sw = np.random.default_rng(seed).uniform(0.5, 2, size=len(y_tr))
    ours, ref = _pair(HistGradientBoostingClassifier, SkHGBC)
    ours.fit(X_tr, y_tr, sample_weight=sw)
    ref.fit(X_tr, y_tr, sample_weight=sw)
    _assert_same_accuracy(ours, ref, X_te, y_te, 0.02)


def test_max_features_is_repeatable(rng):
    X = rng.normal(size=(500, 6))
    y = X @ rng.normal(size=6)
    a = HistGradientBoostingRegressor(max_iter=5, max_features=0.5, random_state=3).fit(X, y)
    b = HistGradientBoostingRegressor(max_iter=5, max_features=0.5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.score(X, y) > 0.3


def test_bad_input(rng):
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="'max_bins' parameter .* range \\[2, 255\\]"):
        HistGradientBoostingClassifier(max_bins=256).fit(X, y)
    y_nan = y.astype(float)
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        HistGradientBoostingRegressor().fit(X, y_nan)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        HistGradientBoostingClassifier().fit(X, y_nan)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        HistGradientBoostingClassifier().fit(X_inf, y)
    with pytest.raises(ValueError, match="only one class"):
        HistGradientBoostingClassifier().fit(X, np.zeros(60))
    with pytest.raises(NotFittedError):
        HistGradientBoostingClassifier().predict(X)
    clf = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 5 features"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="needs the quantile parameter"):
        HistGradientBoostingRegressor(loss="quantile").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="negative"):
        HistGradientBoostingRegressor(loss="poisson").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="categorical_features"):
        HistGradientBoostingClassifier(categorical_features=[0]).fit(X, y)


def test_lightgbm_log_loss():
    lgb = pytest.importorskip("lightgbm", reason="LightGBM is the peer of this comparison")
    X, y = make_classification(n_samples=4000, n_features=12, n_informative=8, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = HistGradientBoostingClassifier(
        max_iter=50, max_leaf_nodes=15, learning_rate=0.1, early_stopping=False
    ).fit(X_tr, y_tr)
    peer = lgb.LGBMClassifier(
        n_estimators=50,
        num_leaves=15,
        learning_rate=0.1,
        min_child_samples=20,
        reg_lambda=0.0,
        max_bin=255,
        verbose=-1,
        n_jobs=1,
    ).fit(X_tr, y_tr)
    ours_loss = log_loss(y_tr, ours.predict_proba(X_tr))
    peer_loss = log_loss(y_tr, peer.predict_proba(X_tr))
    assert ours_loss <= peer_loss * 1.01
    test_ours = log_loss(y_te, ours.predict_proba(X_te))
    test_peer = log_loss(y_te, peer.predict_proba(X_te))
    assert test_ours <= test_peer * 1.01 + 0.005


def test_bin_mapper_quantile_thresholds(rng):
    from pai_algos.ensemble._binning import BinMapper

    X = np.column_stack([rng.normal(size=3000), rng.integers(0, 5, size=3000), np.full(3000, 2.0)])
    X[rng.random(3000) < 0.1, 0] = np.nan
    mapper = BinMapper(max_bins=64, random_state=np.random.RandomState(0)).fit(X)
    col = X[~np.isnan(X[:, 0]), 0]
    ref = np.unique(np.percentile(col, np.linspace(0, 100, 65)[1:-1], method="midpoint"))
    start, stop = mapper.offsets_[:2]
    np.testing.assert_array_equal(mapper.thresholds_[start:stop], ref)
    # few distinct values: midpoints between them; a constant column: no threshold
    np.testing.assert_array_equal(
        mapper.thresholds_[mapper.offsets_[1] : mapper.offsets_[2]], [0.5, 1.5, 2.5, 3.5]
    )
    assert mapper.offsets_[3] == mapper.offsets_[2]
    np.testing.assert_array_equal(mapper.has_missing_, [1, 0, 0])
    codes = mapper.transform(X)
    assert codes.dtype == np.uint8 and codes.shape == (3, 3000)
    assert np.all(codes[0][np.isnan(X[:, 0])] == 64)
    assert codes[0][~np.isnan(X[:, 0])].max() == mapper.n_bins_non_missing_[0] - 1
