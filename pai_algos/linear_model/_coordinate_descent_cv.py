"""LassoCV and ElasticNetCV: the regularisation path with warm starts, cross-validated."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.validation import column_or_1d

from ..base import History, blas_single_thread, numba_threads, progress_bar
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._coordinate_descent import (
    ElasticNet,
    _alpha_grid,
    _Problem,
    _set_fitted,
    _solve_path,
    _validate,
    _weights,
)

__all__ = ["ElasticNetCV", "LassoCV"]


class _CVBase(RegressorMixin, BaseEstimator):
    """Shared fit of LassoCV and ElasticNetCV (scikit-learn's ``LinearModelCV``)."""

    _parameter_constraints: dict = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "array-like", "boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "copy_X": ["boolean"],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    _fast_params = {"max_iter": 5, "cv": 3}
    _preserves_float32 = True

    def _l1_ratios(self):
        return np.atleast_1d(np.asarray(getattr(self, "l1_ratio", 1.0), dtype=np.float64))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the path on each fold, pick the best ``alpha``, refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights for the fits and for the weighted test MSE of each fold.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = _validate(self, X, y, multi_output=True)
        if y.ndim > 1 and y.shape[1] > 1:
            raise ValueError(f"For multi-task outputs, use MultiTask{type(self).__name__}")
        y = column_or_1d(y, warn=True)
        sw = _weights(sample_weight, X)
        l1_ratios = self._l1_ratios()
        if np.any((l1_ratios < 0) | (l1_ratios > 1)):
            raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratios.tolist()}")
        folds = list(check_cv(self.cv).split(X, y))
        hist = History()
        with (
            numba_threads(self.n_jobs),
            blas_single_thread(),
            progress_bar(
                total=len(l1_ratios) * len(folds), desc=type(self).__name__, verbose=self.verbose
            ) as bar,
        ):
            full = _Problem(X, y[:, None], sw, self.fit_intercept, self.precompute)
            if isinstance(self.alphas, Integral):
                grids = [
                    _alpha_grid(full, r, self.eps, self.alphas, self.positive) for r in l1_ratios
                ]
            else:
                alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
                if np.any(alphas < 0) or not np.all(np.isfinite(alphas)):
                    raise ValueError("alphas must be finite and non-negative.")
                grids = [np.sort(alphas)[::-1]] * len(l1_ratios)
            mse = np.empty((len(l1_ratios), len(grids[0]), len(folds)))
            for r, (l1_ratio, grid) in enumerate(zip(l1_ratios, grids)):
                for f, (train, test) in enumerate(folds):
                    mse[r, :, f] = self._fold_mse(X, y, sw, train, test, grid, l1_ratio)
                    hist.record(loss=float(np.min(mse[r, :, f])))
                    bar.update(1)
            mean = mse.mean(axis=2)
            # scikit-learn keeps the first l1_ratio reaching the best mean MSE
            best_r = int(np.argmin(mean.min(axis=1)))
            best_a = int(np.argmin(mean[best_r]))
            self.alpha_ = float(grids[best_r][best_a])
            self.l1_ratio_ = float(l1_ratios[best_r])
            coefs, gaps, iters = _solve_path(full, [self.alpha_], self.l1_ratio_, self)
        self.mse_path_ = np.squeeze(mse)
        self.alphas_ = np.asarray(grids) if len(l1_ratios) > 1 else np.asarray(grids[0])
        if not hasattr(self, "l1_ratio"):
            del self.l1_ratio_
        _set_fitted(self, full, coefs[:, :, 0], gaps[:, 0], iters[:, 0], True)
        self.history_ = hist.as_dict()
        return self

    def _fold_mse(self, X, y, sw, train, test, grid, l1_ratio):
        train = np.asarray(train, dtype=np.int64)
        problem = _Problem(X, y[:, None], sw, self.fit_intercept, self.precompute, rows=train)
        coefs, _, _ = _solve_path(problem, grid, l1_ratio, self, warn=False)
        coefs = coefs[0]  # (n_features, n_alphas)
        intercepts = problem.y_offset[0] - problem.mu @ coefs
        X_test = X[test]
        pred = np.asarray(X_test @ coefs.astype(X.dtype)) + intercepts
        residues = pred - y[test][:, None]
        if sw is None:
            return np.mean(residues**2, axis=0)
        return np.average(residues**2, weights=sw[test], axis=0)

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_``."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    predict = ElasticNet.predict

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_CV_PARAMS = """
    eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max = eps``.
    alphas : int or array-like, default=100
        Number of alphas on the automatic grid, or the alphas to try.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : "auto", bool or array-like, default="auto"
        Solve on the Gram matrix; "auto" does for dense ``X`` with more rows than columns,
        on every fold and for the final refit (scikit-learn refits on the data).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance (relative to the weighted ``||y - mean(y)||^2``).
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5-fold ``KFold``).
    verbose : bool or int, default=False
        Show a progress bar over the folds.
    n_jobs : int, default=None
        Numba threads for the kernels (None: global config; -1: all).
    positive : bool, default=False
        Force the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order, or at random."""

_CV_ATTRS = """
    alpha_ : float
        The chosen penalty.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the model refitted on all the data with ``alpha_``.
    intercept_ : float
        Intercept of that model.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Test mean squared error of every fold along the path.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid of alphas.
    dual_gap_ : float
        Duality gap of the final fit.
    n_iter_ : int
        Epochs of the final fit.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (1, n_features)
        ``coef_`` as a sparse matrix.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (the fold's best test MSE) per fold path.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names."""


class LassoCV(_CVBase):
    __doc__ = f"""Lasso with ``alpha`` chosen by cross-validation along a warm-started path.

    A drop-in for :class:`sklearn.linear_model.LassoCV`. The grid is scikit-learn's:
    ``alphas`` values log-spaced from ``alpha_max = max|X'y| / n`` (the smallest alpha with
    all coefficients zero) down to ``eps * alpha_max``. Each fold solves the path from the
    largest alpha down, each solution warm-starting the next; the alpha with the lowest
    mean test MSE over the folds is refitted on all the data.

    Parameters
    ----------{_CV_PARAMS}

    Attributes
    ----------{_CV_ATTRS}

    See Also
    --------
    sklearn.linear_model.LassoCV : The scikit-learn estimator this one mirrors.
    Lasso : The model at one alpha.

    Notes
    -----
    The solver, stopping rule and screening are those of :class:`ElasticNet`; on the Gram
    path each fold costs one parallel pass over its rows, then the path runs on the
    ``n_features x n_features`` Gram matrix.

    References
    ----------
    .. [1] Friedman, J., Hastie, T. and Tibshirani, R., "Regularization paths for generalized
       linear models via coordinate descent", Journal of Statistical Software 33(1) (2010).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = LassoCV(cv=5).fit(X, y)
    >>> reg.mse_path_.shape
    (100, 5)
    >>> round(reg.score(X, y), 2)
    0.52
    """

    _parameter_constraints: dict = dict(_CVBase._parameter_constraints)

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection


class ElasticNetCV(_CVBase):
    __doc__ = f"""Elastic net with ``alpha`` (and ``l1_ratio``) chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.ElasticNetCV`; see :class:`LassoCV` for the
    path. With several ``l1_ratio`` values each gets its own grid and the pair with the
    lowest mean test MSE is refitted.

    Parameters
    ----------
    l1_ratio : float or array-like of float, default=0.5
        Mixing parameter(s) in [0, 1] to try.{_CV_PARAMS}

    Attributes
    ----------
    l1_ratio_ : float
        The chosen mixing parameter.{_CV_ATTRS}

    See Also
    --------
    sklearn.linear_model.ElasticNetCV : The scikit-learn estimator this one mirrors.
    ElasticNet : The model at one (alpha, l1_ratio).

    Notes
    -----
    The solver, stopping rule and screening are those of :class:`ElasticNet`.

    References
    ----------
    .. [1] Zou, H. and Hastie, T., "Regularization and variable selection via the elastic
       net", Journal of the Royal Statistical Society B 67(2), 301-320 (2005).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> reg.mse_path_.shape
    (2, 100, 5)
    >>> reg.l1_ratio_
    1.0
    """

    _parameter_constraints: dict = {
        **_CVBase._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        cv=None,
        copy_X=True,
        verbose=0,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
