"""Linear models against scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

from benchmarks._harness import Case


def _logistic_data(n_samples=200_000, n_features=50, n_classes=2):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(np.float32), y


def _fit_ours(data):
    from pai_algos.linear_model import LogisticRegression

    X, y = data
    return LogisticRegression(max_iter=100, device="cpu").fit(X, y)


def _fit_sklearn(data):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(max_iter=100).fit(X, y)


def _l1_data():
    # no redundant (linearly dependent) features: with them the L1 optimum is not unique,
    # saga drifts along the flat directions in float64 and stops only when float32
    # rounding freezes it (scikit-learn's float32 saga), so epochs would not be comparable
    X, y = make_classification(
        n_samples=200_000, n_features=50, n_informative=25, n_redundant=0, random_state=0
    )
    return X.astype(np.float32), y


def _fit_ours_saga_l1(data):
    from pai_algos.linear_model import LogisticRegression

    X, y = data
    return LogisticRegression(penalty="l1", solver="saga", random_state=0, device="cpu").fit(X, y)


def _fit_sklearn_saga_l1(data):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # l1_ratio=1 is scikit-learn 1.8+'s spelling of penalty="l1"
        return LogisticRegression(l1_ratio=1.0, solver="saga", random_state=0).fit(X, y)


def _cv_data():
    X, y = make_classification(
        n_samples=20_000, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    return X, y


_CV_PARAMS = dict(Cs=5, cv=3, scoring="neg_log_loss", l1_ratios=(0.0,))


def _fit_ours_cv(data):
    from pai_algos.linear_model import LogisticRegressionCV

    X, y = data
    return LogisticRegressionCV(**_CV_PARAMS).fit(X, y)


def _fit_sklearn_cv(data):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegressionCV

    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegressionCV(use_legacy_attributes=False, **_CV_PARAMS).fit(X, y)


def _quality_cv(data, ours, peer):
    X, y = data
    parts = []
    for who, model in (("ours", ours), ("sk", peer)):
        ll = log_loss(y, model.predict_proba(X))
        parts.append(f"{who} C_ {model.C_:.3g} logloss {ll:.4f} iters {int(model.n_iter_.sum())}")
    return "; ".join(parts)


def _quality(data, ours, peer):
    X, y = data
    parts = []
    for who, model in (("ours", ours), ("sk", peer)):
        acc = model.score(X, y)
        ll = log_loss(y, model.predict_proba(X))
        zeros = int(np.sum(model.coef_ == 0))
        parts.append(
            f"{who} acc {acc:.4f} logloss {ll:.4f} iters {int(model.n_iter_[0])} zeros {zeros}"
        )
    return "; ".join(parts)


CASES = [
    Case(
        name="LogisticRegression(max_iter=100) 200000x50 float32",
        make_data=_logistic_data,
        ours=_fit_ours,
        peer=_fit_sklearn,
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="LogisticRegression multinomial(5) 200000x50 float32",
        make_data=lambda: _logistic_data(n_classes=5),
        ours=_fit_ours,
        peer=_fit_sklearn,
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name='LogisticRegression(penalty="l1", solver="saga") 200000x50 float32',
        make_data=_l1_data,
        ours=_fit_ours_saga_l1,
        peer=_fit_sklearn_saga_l1,
        target=1.5,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="LogisticRegressionCV(Cs=5, cv=3) multinomial(3) 20000x20 float64",
        make_data=_cv_data,
        ours=_fit_ours_cv,
        peer=_fit_sklearn_cv,
        target=1.0,
        repeats=3,
        quality=_quality_cv,
    ),
]
