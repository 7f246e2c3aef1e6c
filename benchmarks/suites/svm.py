"""Linear SVMs against scikit-learn (liblinear) at the same tol and max_iter."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression

from benchmarks._harness import Case


def _classification(n_samples=200_000, n_features=50):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        random_state=0,
    )
    return X.astype(np.float32), y


def _regression(n_samples=200_000, n_features=50):
    X, y = make_regression(n_samples=n_samples, n_features=n_features, noise=10.0, random_state=0)
    return X.astype(np.float32), (y / np.std(y)).astype(np.float64)


def _fit(cls, data, **params):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear's ConvergenceWarning at max_iter
        return cls(random_state=0, **params).fit(X, y)


def _svc(module, **params):
    def run(data):
        if module == "ours":
            from pai_algos.svm import LinearSVC
        else:
            from sklearn.svm import LinearSVC
        return _fit(LinearSVC, data, **{"tol": 1e-4, "max_iter": 1000, **params})

    return run


def _svr(module, **params):
    def run(data):
        if module == "ours":
            from pai_algos.svm import LinearSVR
        else:
            from sklearn.svm import LinearSVR
        return _fit(LinearSVR, data, **{"tol": 1e-4, "max_iter": 1000, **params})

    return run


def _svc_quality(data, ours, peer):
    X, y = data
    acc_o, acc_p = ours.score(X, y), peer.score(X, y)
    rel = np.abs(ours.coef_ - peer.coef_).max() / np.abs(peer.coef_).max()
    return f"acc ours {acc_o:.4f} sk {acc_p:.4f}; coef max rel diff {rel:.1e}"


def _svr_quality(data, ours, peer):
    X, y = data
    return f"R2 ours {ours.score(X, y):.4f} sk {peer.score(X, y):.4f}"


CASES = [
    Case(
        name="LinearSVC (primal, dual='auto') 200000x50 float32",
        make_data=_classification,
        ours=_svc("ours"),
        peer=_svc("sklearn"),
        target=1.0,
        repeats=3,
        quality=_svc_quality,
    ),
    Case(
        # the dual rarely meets tol=1e-4 on non-separable data: both run max_iter passes
        name="LinearSVC hinge (dual CD) 50000x50 float32 max_iter=200",
        make_data=lambda: _classification(50_000),
        ours=_svc("ours", loss="hinge", dual=True, max_iter=200),
        peer=_svc("sklearn", loss="hinge", dual=True, max_iter=200),
        target=1.0,
        repeats=1,
        quality=_svc_quality,
    ),
    Case(
        name="LinearSVR squared eps (primal) 200000x50 float32",
        make_data=_regression,
        ours=_svr("ours", loss="squared_epsilon_insensitive", dual=False),
        peer=_svr("sklearn", loss="squared_epsilon_insensitive", dual=False),
        target=1.0,
        repeats=3,
        quality=_svr_quality,
    ),
    Case(
        name="LinearSVR eps-insensitive (dual CD) 50000x50 float32 max_iter=200",
        make_data=lambda: _regression(50_000),
        ours=_svr("ours", max_iter=200),
        peer=_svr("sklearn", max_iter=200),
        target=1.0,
        repeats=1,
        quality=_svr_quality,
    ),
]
