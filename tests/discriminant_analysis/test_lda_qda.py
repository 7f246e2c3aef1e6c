"""LinearDiscriminantAnalysis and QuadraticDiscriminantAnalysis against scikit-learn.

Tolerances: identical predictions on iris, wine and breast_cancer; predict_proba within
1e-6; transform within 1e-6 up to the sign of each discriminant direction.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg
from sklearn import discriminant_analysis as skd
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_breast_cancer, load_iris, load_wine
from pai_algos.discriminant_analysis import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)

LOADERS = [load_iris, load_wine, load_breast_cancer]
LDA_PARAMS = [
    dict(solver="svd"),
    dict(solver="svd", store_covariance=True, priors=[0.2, 0.8]),
    dict(solver="lsqr"),
    dict(solver="lsqr", shrinkage="auto"),
    dict(solver="lsqr", shrinkage=0.4),
    dict(solver="eigen"),
    dict(solver="eigen", shrinkage="auto"),
    dict(solver="eigen", shrinkage=0.1),
]


def _same_up_to_sign(a, b, atol=1e-6):
    signs = np.sign(np.sum(a * b, axis=0))
    np.testing.assert_allclose(a * signs, b, rtol=1e-6, atol=atol * np.abs(b).max())


def _priors_for(params, y):
    n_classes = len(np.unique(y))
    if "priors" in params and len(params["priors"]) != n_classes:
        params = dict(params, priors=np.full(n_classes, 1.0 / n_classes))
    return params


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("params", LDA_PARAMS, ids=str)
def test_lda_matches_sklearn(load, params):
    X, y = load(return_X_y=True)
    params = _priors_for(params, y)
    ours = LinearDiscriminantAnalysis(**params).fit(X, y)
    ref = skd.LinearDiscriminantAnalysis(**params).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(
        ours.predict_log_proba(X)[:5], ref.predict_log_proba(X)[:5], atol=1e-6
    )
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=1e-12)
    np.testing.assert_allclose(ours.priors_, ref.priors_)
    np.testing.assert_allclose(
        ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8 * np.abs(ref.coef_).max()
    )
    if hasattr(ref, "covariance_"):
        np.testing.assert_allclose(ours.covariance_, ref.covariance_, rtol=1e-10, atol=1e-12)
    if params["solver"] != "lsqr":
        _same_up_to_sign(ours.transform(X), ref.transform(X))
        np.testing.assert_allclose(
            ours.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-8
        )
        assert ours.scalings_.shape == ref.scalings_.shape
    if params["solver"] == "svd":
        np.testing.assert_allclose(ours.xbar_, ref.xbar_, rtol=1e-12)


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "params",
    [
        dict(reg_param=0.1),
        dict(reg_param=0.5, store_covariance=True),
        dict(solver="eigen", shrinkage=0.2, store_covariance=True),
        dict(solver="eigen", shrinkage="auto"),
        dict(),
    ],
    ids=str,
)
def test_qda_matches_sklearn(load, params):
    X, y = load(return_X_y=True)
    try:
        ref = skd.QuadraticDiscriminantAnalysis(**params).fit(X, y)
    except linalg.LinAlgError as exc:
        # breast_cancer's class covariances are rank deficient without regularisation
        with pytest.raises(linalg.LinAlgError, match="not full rank"):
            QuadraticDiscriminantAnalysis(**params).fit(X, y)
        assert "not full rank" in str(exc)
        return
    ours = QuadraticDiscriminantAnalysis(**params).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X), rtol=1e-6, atol=1e-6
    )
    for a, b in zip(ours.scalings_, ref.scalings_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10 * b.max())
    for a, b in zip(ours.rotations_, ref.rotations_, strict=True):
        # eigenvectors of nearly equal small variances are only determined to ~1e-6
        assert a.shape == b.shape
        _same_up_to_sign(a, b, atol=1e-4)
    if params.get("store_covariance"):
        for a, b in zip(ours.covariance_, ref.covariance_, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9 * np.abs(b).max())


def test_lda_n_components_float32_and_binary(rng):
    X, y = load_wine(return_X_y=True)
    lda = LinearDiscriminantAnalysis(n_components=1).fit(X, y)
    assert lda.transform(X).shape == (len(y), 1)
    assert list(lda.get_feature_names_out()) == ["lineardiscriminantanalysis0"]
    lda32 = LinearDiscriminantAnalysis().fit(X.astype(np.float32), y)
    for value in (lda32.coef_, lda32.scalings_, lda32.predict_proba(X.astype(np.float32)),
                  lda32.transform(X.astype(np.float32))):  # fmt: skip
        assert value.dtype == np.float32
    np.testing.assert_array_equal(lda32.predict(X.astype(np.float32)), lda.predict(X))
    Xb, yb = load_breast_cancer(return_X_y=True)
    binary = LinearDiscriminantAnalysis().fit(Xb, yb)
    assert binary.coef_.shape == (1, Xb.shape[1]) and binary.intercept_.shape == (1,)
    assert binary.decision_function(Xb).shape == (len(yb),)


def test_lda_priors_are_renormalised():
    X, y = load_iris(return_X_y=True)
    with pytest.warns(UserWarning, match="The priors do not sum to 1. Renormalizing"):
        lda = LinearDiscriminantAnalysis(priors=[1.0, 1.0, 2.0]).fit(X, y)
    np.testing.assert_allclose(lda.priors_, [0.25, 0.25, 0.5])


def test_lda_bad_input():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="n_components cannot be larger than min"):
        LinearDiscriminantAnalysis(n_components=3).fit(X, y)
    with pytest.raises(NotImplementedError, match="shrinkage not supported with 'svd' solver"):
        LinearDiscriminantAnalysis(shrinkage="auto").fit(X, y)
    with pytest.raises(ValueError, match="priors must be non-negative"):
        LinearDiscriminantAnalysis(priors=[-0.1, 0.6, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="number of samples must be more than the number"):
        LinearDiscriminantAnalysis().fit(X[[0, 60, 120]], y[[0, 60, 120]])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LinearDiscriminantAnalysis().fit(X_nan, y)
    with pytest.raises(NotImplementedError, match="covariance_estimator is not supported"):
        LinearDiscriminantAnalysis(solver="lsqr", covariance_estimator=object()).fit(X, y)
    lsqr = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    with pytest.raises(NotImplementedError, match="transform not implemented for 'lsqr'"):
        lsqr.transform(X)
    with pytest.raises(NotFittedError):
        LinearDiscriminantAnalysis().predict(X)
    with pytest.raises(ValueError, match="X has 2 features, but LinearDiscriminantAnalysis"):
        lsqr.predict(X[:, :2])


def test_qda_bad_input(rng):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="The number of classes has to be greater than one"):
        QuadraticDiscriminantAnalysis().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="y has only 1 sample in class 2, covariance is ill"):
        QuadraticDiscriminantAnalysis().fit(X[:101], y[:101])
    with pytest.raises(NotImplementedError, match="shrinkage not supported with 'svd' solver"):
        QuadraticDiscriminantAnalysis(shrinkage=0.1).fit(X, y)
    collinear = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.raises(linalg.LinAlgError, match="Increase the value of `reg_param`"):
        QuadraticDiscriminantAnalysis().fit(collinear, y)
    with pytest.raises(linalg.LinAlgError, match="the number of samples in each class"):
        QuadraticDiscriminantAnalysis().fit(X[::20], y[::20])
    X_inf = X.copy()
    X_inf[1, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        QuadraticDiscriminantAnalysis().fit(X_inf, y)
    with pytest.raises(NotFittedError):
        QuadraticDiscriminantAnalysis().predict_proba(X)
