"""RidgeCV: the penalty chosen by efficient leave-one-out (GCV) or by K-fold cross-validation.

Leave-one-out uses one eigendecomposition of the Gram matrix for every alpha; K-fold uses one
Gram pass per fold and subtracts, so neither refits from the data per alpha.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv

from ..base import DeviceMixin
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import _as_targets, _gram_moments, _intercept, _linear_predict
from ._ridge import _ridge_coef

__all__ = ["RidgeCV"]


class _Identity(RegressorMixin, BaseEstimator):
    """Hands precomputed predictions to a scorer: ``predict(P) == P``."""

    def fit(self, X, y=None):  # pragma: no cover - never fitted
        return self

    def predict(self, X):
        return X

    def __sklearn_is_fitted__(self):
        return True


class RidgeCV(DeviceMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ridge regression with the penalty chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.RidgeCV`. With ``cv=None`` (the default)
    the leave-one-out error of every alpha comes in closed form from one
    eigendecomposition of the Gram matrix; with ``cv=int`` (or a splitter) each fold's Gram
    moments are computed once and the training moments are the total minus the fold.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try (positive for leave-one-out, non-negative for ``cv``).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    scoring : str or callable, default=None
        None: the mean squared leave-one-out error (``cv=None``) or R² (``cv`` given).
        Otherwise a scikit-learn scorer name or callable, evaluated on the held-out
        predictions.
    cv : int, cross-validation generator or iterable, default=None
        None: efficient leave-one-out. An int is the number of (unshuffled) K folds.
    gcv_mode : {"auto", "svd", "eigen"}, default=None
        Accepted for compatibility; leave-one-out always runs on the eigendecomposition of
        the ``n_features x n_features`` Gram matrix (exact whatever the shape of ``X``).
    store_cv_results : bool, default=False
        Keep the leave-one-out values per sample and alpha in ``cv_results_``
        (only with ``cv=None``).
    alpha_per_target : bool, default=False
        Choose one alpha per target (only with ``cv=None``).
    n_jobs : int, default=None
        Number of Numba threads for the Gram kernel (None: global config; -1: all).
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the Gram matrix of dense input is computed; CSR input uses the CPU.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty (per target with ``alpha_per_target``).
    best_score_ : float or ndarray of shape (n_targets,)
        Score of the chosen penalty (the negative mean squared error when ``scoring`` is
        None and ``cv=None``).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        Squared leave-one-out errors (``scoring=None``) or leave-one-out predictions;
        only with ``store_cv_results=True``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients of the model refitted with ``alpha_``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 when ``fit_intercept=False``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the Gram matrices were computed.

    See Also
    --------
    sklearn.linear_model.RidgeCV : The scikit-learn estimator this one mirrors.
    Ridge : Ridge with a fixed penalty.

    Notes
    -----
    Leave-one-out [1]_: with the centred, weighted Gram matrix :math:`G = V \\Lambda V^T`,
    :math:`Z = (X - \\bar x) V` and :math:`H_\\alpha = X_c (G + \\alpha I)^{-1} X_c^T W`, the
    leverage of row :math:`i` is :math:`h_i = w_i \\sum_k Z_{ik}^2 / (\\lambda_k + \\alpha)
    + w_i / \\sum_j w_j` (the last term for the intercept) and the leave-one-out residual is
    :math:`r_i / (1 - h_i)`, where :math:`r_i` is the residual of the fit on all rows. The
    score is the mean of :math:`w_i r_i^2 / (1 - h_i)^2`, scikit-learn's ``gcv_mode="eigen"``
    criterion; each alpha costs one product with :math:`Z`, not a refit.

    References
    ----------
    .. [1] Rifkin, R. M. and Lippert, R. A., "Notes on Regularized Least Squares",
       MIT-CSAIL-TR-2007-025 (2007).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import RidgeCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = RidgeCV(alphas=[1e-3, 1e-2, 1e-1, 1], device="cpu").fit(X, y)
    >>> float(reg.alpha_)
    0.01
    >>> round(reg.score(X, y), 3)
    0.517
    """

    _parameter_constraints: dict = {
        "alphas": ["array-like", Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "scoring": [str, callable, None],
        "cv": ["cv_object"],
        "gcv_mode": [StrOptions({"auto", "svd", "eigen"}), None],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
        "n_jobs": [None, Integral],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    _preserves_float32 = True

    def __init__(
        self,
        alphas=(0.1, 1.0, 10.0),
        *,
        fit_intercept=True,
        scoring=None,
        cv=None,
        gcv_mode=None,
        store_cv_results=False,
        alpha_per_target=False,
        n_jobs=None,
        device="auto",
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.n_jobs = n_jobs
        self.device = device

    def _checked_alphas(self):
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64)).ravel()
        if alphas.size == 0:
            raise ValueError("alphas must contain at least one value.")
        for index, alpha in enumerate(alphas):
            name = "alphas" if alphas.size == 1 else f"alphas[{index}]"
            if not np.isfinite(alpha):
                raise ValueError(f"{name} must be finite, got {alpha}.")
            if alpha < 0 or (self.cv is None and alpha == 0):
                bound = "> 0" if self.cv is None else ">= 0"
                raise ValueError(f"{name} == {alpha}, must be {bound}.")
        return alphas

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose alpha by cross-validation and fit Ridge with it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32 in the outputs.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples (in the leave-one-out score too).

        Returns
        -------
        self : RidgeCV
            The fitted estimator.
        """
        alphas = self._checked_alphas()
        if self.cv is not None:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible")
            if self.alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        device = self._resolve_device(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        if sp.issparse(X):
            X.sort_indices()
        # as scikit-learn >= 1.9 does, user weights also weight the validation score
        weighted = sample_weight is not None
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        Y = _as_targets(y)
        if self.cv is None:
            coef, intercept = self._fit_loo(X, y, Y, sample_weight, weighted, alphas, device)
        else:
            coef, intercept = self._fit_kfold(X, y, Y, sample_weight, weighted, alphas, device)
        dtype = X.dtype
        if y.ndim == 1:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = (coef[0] if coef.shape[0] == 1 else coef).astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
        if self.store_cv_results:
            self.cv_results_ = self.cv_results_.astype(dtype)
        self.device_ = device
        return self

    def _fit_loo(self, X, y, Y, sw, weighted, alphas, device):
        n, t = Y.shape
        G, B, x_mean, y_mean, sw_sum = _gram_moments(
            X, Y, sw, self.fit_intercept, device, self.n_jobs
        )
        lam, V = linalg.eigh(G)
        Z = np.asarray(X @ V) - x_mean @ V  # rows of X_c in the eigenbasis
        Zsq = Z * Z
        VtB = V.T @ B
        Yc = Y - y_mean
        scorer = None if self.scoring is None else check_scoring(self, scoring=self.scoring)
        per_target = self.alpha_per_target and t > 1
        if self.store_cv_results:
            results = np.empty((n, t, alphas.size))
        best = None
        for a_index, alpha in enumerate(alphas):
            inv = 1.0 / (lam + alpha)
            h = sw * (Zsq @ inv)
            if self.fit_intercept:
                h += sw / sw_sum
            resid = Yc - Z @ (inv[:, None] * VtB)
            loo = resid / (1.0 - h)[:, None]
            if scorer is None:
                values = sw[:, None] * loo**2
                score = -values.mean(axis=0) if per_target else -values.mean()
            else:
                values = Y - loo
                pred = values if y.ndim == 2 else values[:, 0]
                kw = {"sample_weight": sw} if weighted else {}
                if per_target:
                    score = np.array(
                        [scorer(_Identity(), pred[:, [k]], y[:, k], **kw) for k in range(t)]
                    )
                else:
                    score = scorer(_Identity(), pred, y, **kw)
            if self.store_cv_results:
                results[:, :, a_index] = values
            if best is None:
                best = (np.full(t, alpha) if per_target else alpha, score)
            elif per_target:
                better = score > best[1]
                best[0][better] = alpha
                best[1][better] = score[better]
            elif score > best[1]:
                best = (alpha, score)
        self.alpha_, self.best_score_ = best
        if not per_target:
            self.alpha_ = float(self.alpha_)
        if self.store_cv_results:
            self.cv_results_ = results[:, 0, :] if y.ndim == 1 else results
        coef = _ridge_coef(G, B, np.broadcast_to(self.alpha_, (t,)).astype(np.float64))
        return coef, _intercept(x_mean, y_mean, coef)

    def _fit_kfold(self, X, y, Y, sw, weighted, alphas, device):
        n, t = Y.shape
        d = X.shape[1]
        folds = list(check_cv(self.cv, y, classifier=False).split(X, y))
        scorer = check_scoring(self, scoring=self.scoring)
        # uncentred moments about a common shift, per fold; a training set is the total
        # minus its fold, centred afterwards (exact algebra, no refit per alpha)
        moments = []
        for _, test in folds:
            Xf = X[test]
            moments.append(
                _gram_moments(Xf, Y[test], sw[test], False, device, self.n_jobs)[:2]
                + self._first_moments(Xf, Y[test], sw[test])
            )
        total = [sum(m[k] for m in moments) for k in range(5)]
        scores = np.zeros((len(folds), alphas.size))
        for f, (_, test) in enumerate(folds):
            Gf, Bf, xs, ys, s = (total[k] - moments[f][k] for k in range(5))
            if self.fit_intercept:
                xm, ym = xs / s, ys / s
                Gf = Gf - s * np.outer(xm, xm)
                Bf = Bf - s * np.outer(xm, ym)
            else:
                xm, ym = np.zeros(d), np.zeros(t)
            for a_index, alpha in enumerate(alphas):
                coef = _ridge_coef(Gf, Bf, np.full(t, alpha))
                pred = np.asarray(X[test] @ coef.T) + _intercept(xm, ym, coef)
                pred = pred[:, 0] if y.ndim == 1 else pred
                kw = {"sample_weight": sw[test]} if weighted else {}
                scores[f, a_index] = scorer(_Identity(), pred, y[test], **kw)
        mean = scores.mean(axis=0)
        best = int(np.argmax(mean))  # first of ties, as GridSearchCV
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(mean[best])
        G, B, x_mean, y_mean, _ = _gram_moments(X, Y, sw, self.fit_intercept, device, self.n_jobs)
        coef = _ridge_coef(G, B, np.full(t, self.alpha_))
        return coef, _intercept(x_mean, y_mean, coef)

    @staticmethod
    def _first_moments(X, Y, sw):
        return (np.asarray(sw @ X).ravel(), sw @ Y, float(sw.sum()))

    def predict(self, X):
        """Predict with the refitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of ``X``.
        """
        out = _linear_predict(self, X)
        return out.ravel() if np.ndim(self.coef_) == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
