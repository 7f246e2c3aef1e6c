"""Logistic regression with ``C`` (and ``l1_ratio``) chosen by cross-validation."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_is_fitted

from ..base import numba_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)
from ._linear_classifier import _LinearClassifierMixin
from ._logistic import (
    _SOLVERS,
    LogisticRegression,
    _check_solver,
    _fit_coef,
    _LogisticProbaMixin,
    _prepare_targets,
)

__all__ = ["LogisticRegressionCV"]


def _penalty_of(l1_ratios):
    """scikit-learn's reading of a grid of ``l1_ratios``: all 0, all 1, or elastic-net."""
    if np.all(l1_ratios == 0.0):
        return "l2"
    if np.all(l1_ratios == 1.0):
        return "l1"
    return "elasticnet"


class LogisticRegressionCV(
    _LogisticProbaMixin, _LinearClassifierMixin, ClassifierMixin, BaseEstimator
):
    """Logistic regression whose ``C`` (and ``l1_ratio``) are picked by cross-validation.

    A drop-in for :class:`sklearn.linear_model.LogisticRegressionCV` (with the attribute
    layout scikit-learn 1.9 gives under ``use_legacy_attributes=False``, its future
    default). For every fold and every ``l1_ratio``, the model is fitted along the grid of
    ``Cs`` from the smallest (strongest penalty) up, each fit starting from the previous
    solution; the pair with the best total score over the folds is refitted on all the data.
    The fits use :class:`LogisticRegression`'s solvers and kernels, on the CPU.

    Parameters
    ----------
    Cs : int or array-like of shape (n_cs,), default=10
        Values of ``C`` to try, or how many, spaced logarithmically in ``[1e-4, 1e4]``.
    l1_ratios : array-like of shape (n_l1_ratios,), default=(0.0,)
        Elastic-net mixing values to try (0: L2, 1: L1). Anything but 0 needs
        ``solver="saga"``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept per output.
    cv : int, cross-validation generator or iterable, default=None
        The folds; None is 5-fold :class:`~sklearn.model_selection.StratifiedKFold`, an int
        that many stratified folds.
    scoring : str or callable, default=None
        A scorer name (see :func:`sklearn.metrics.get_scorer_names`) or a callable
        ``scorer(estimator, X, y)``; None is accuracy (scikit-learn's current default).
    solver : {"lbfgs", "newton-cholesky", "saga"}, default="lbfgs"
        As in :class:`LogisticRegression`.
    tol : float, default=1e-4
        Stopping tolerance of every fit.
    max_iter : int, default=100
        Maximum number of iterations of every fit.
    class_weight : dict or "balanced", default=None
        Weights per class ("balanced" is computed once on the whole ``y``).
    n_jobs : int, default=None
        Number of Numba threads for the CPU kernels (None: global config; -1: all).
    verbose : int, default=0
        Show a progress bar over the fits when positive.
    refit : bool, default=True
        Refit on all the data with the best ``C`` and ``l1_ratio`` (starting from the mean
        of the folds' coefficients there). Otherwise average, over the folds, the
        coefficients (and the ``C`` and ``l1_ratio``) that scored best in each fold.
    random_state : int, RandomState instance or None, default=None
        Draws the rows SAGA visits; not used by the splitter.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients of the final model.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts of the final model.
    Cs_ : ndarray of shape (n_cs,)
        The grid of ``C`` values.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The grid of ``l1_ratio`` values.
    C_ : float
        The chosen ``C`` (the folds' mean when ``refit=False``).
    l1_ratio_ : float
        The chosen ``l1_ratio`` (the folds' mean when ``refit=False``).
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_cs, n_outputs, n_dof)
        Coefficients (then the intercept when fitted: ``n_dof = n_features + 1``) of every
        fit; ``n_outputs`` is 1 for two classes.
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        The held-out score of every fit.
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        Iterations of every fit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    LogisticRegression : The model fitted for each ``C`` and ``l1_ratio``.
    sklearn.linear_model.LogisticRegressionCV : The scikit-learn estimator this one mirrors.

    Notes
    -----
    The objective for each ``(C, l1_ratio)`` is that of :class:`LogisticRegression`. Going
    from strong to weak penalties with warm starts is the path strategy of Friedman, Hastie
    and Tibshirani [1]_: each solution is a good start for the next, so the whole path costs
    little more than its last fit. Sample weights (times the class weights) enter every fit
    and every held-out score.

    References
    ----------
    .. [1] Friedman, J., Hastie, T. and Tibshirani, R., "Regularization paths for
       generalized linear models via coordinate descent", Journal of Statistical Software
       33(1), 1-22 (2010).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from pai_algos.linear_model import LogisticRegressionCV
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegressionCV(Cs=5, cv=3, max_iter=300).fit(X, y)
    >>> clf.scores_.shape
    (3, 1, 5)
    >>> float(clf.C_)
    1.0
    >>> clf.predict(X[:2])
    array([0, 0])
    """

    _parameter_constraints: dict = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratios": ["array-like"],
        "fit_intercept": ["boolean"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "solver": [StrOptions(set(_SOLVERS))],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
        "refit": ["boolean"],
        "random_state": ["random_state"],
    }

    _fast_params = {"Cs": 3, "cv": 3, "max_iter": 50}
    _preserves_float32 = True

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios=(0.0,),
        fit_intercept=True,
        cv=None,
        scoring=None,
        solver="lbfgs",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        random_state=None,
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.random_state = random_state

    def _grids(self):
        l1_ratios = np.asarray(self.l1_ratios, dtype=float).ravel()
        if l1_ratios.size == 0 or np.any(~(l1_ratios >= 0.0) | ~(l1_ratios <= 1.0)):
            raise ValueError(
                "l1_ratios must be an array-like of numbers between 0 and 1; got "
                f"(l1_ratios={self.l1_ratios!r})"
            )
        _check_solver(self.solver, _penalty_of(l1_ratios))
        if isinstance(self.Cs, Integral):
            Cs = np.logspace(-4, 4, self.Cs)
        else:
            Cs = np.asarray(self.Cs, dtype=float).ravel()
            if Cs.size == 0 or np.any(~(Cs > 0)):
                raise ValueError(f"Cs must be positive numbers; got (Cs={self.Cs!r})")
        return Cs, l1_ratios

    def _path(self, X, y, sw, w0, Cs, l1_ratio, bar):
        """Fits along ``Cs`` for one ``l1_ratio``, each from the previous solution."""
        ws, n_iters = [], []
        w = w0
        for C in Cs:
            w, n_iter, _ = _fit_coef(
                X,
                y,
                sw,
                w,
                solver=self.solver,
                C=float(C),
                l1_ratio=float(l1_ratio),
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
            ws.append(w)
            n_iters.append(n_iter)
            bar.update(1)
        return ws, n_iters

    def _scorer(self):
        return get_scorer("accuracy" if self.scoring is None else self.scoring)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the path on every fold, pick ``C`` and ``l1_ratio``, fit the final model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, in the fits and in the held-out scores.

        Returns
        -------
        self : LogisticRegressionCV
            The fitted estimator.
        """
        Cs, l1_ratios = self._grids()
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], order="C"
        )
        given_weights = sample_weight is not None
        classes, y_index, score_sw = _prepare_targets(X, y, sample_weight, None)
        sw = score_sw
        if self.class_weight is not None:
            # "balanced" from the whole y, as scikit-learn does, then the same in every fold;
            # the held-out scores use the sample weights alone
            weights = compute_class_weight(
                self.class_weight, classes=classes, y=y, sample_weight=score_sw
            )
            sw = score_sw * weights[y_index]
        if sp.issparse(X):
            X.sort_indices()
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y))
        n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
        n_features = X.shape[1]
        width = n_features + 1
        scorer = self._scorer()
        scoring_model = LogisticRegression()
        scoring_model.classes_ = classes
        scoring_model.n_features_in_ = n_features

        n_folds, n_l1, n_cs = len(folds), l1_ratios.size, Cs.size
        paths = np.empty((n_folds, n_l1, n_cs, n_outputs, width))
        scores = np.empty((n_folds, n_l1, n_cs))
        n_iter = np.empty((n_folds, n_l1, n_cs), dtype=np.int32)
        n_fits = n_folds * n_l1 * n_cs + int(self.refit)
        with (
            numba_threads(self.n_jobs),
            progress_bar(total=n_fits, desc="LogisticRegressionCV", verbose=self.verbose) as bar,
        ):
            for f, (train, test) in enumerate(folds):
                score_kw = {"sample_weight": score_sw[test]} if given_weights else {}
                for r, l1_ratio in enumerate(l1_ratios):
                    ws, iters = self._path(
                        X[train], y_index[train], sw[train], np.zeros((n_outputs, width)),
                        Cs, l1_ratio, bar,
                    )  # fmt: skip
                    n_iter[f, r] = iters
                    for c, w in enumerate(ws):
                        paths[f, r, c] = w
                        scoring_model.coef_ = w[:, :n_features].astype(X.dtype)
                        scoring_model.intercept_ = w[:, n_features].astype(X.dtype)
                        scores[f, r, c] = scorer(scoring_model, X[test], y[test], **score_kw)

            if self.refit:
                r, c = np.unravel_index(np.argmax(scores.sum(axis=0)), (n_l1, n_cs))
                C, l1_ratio = float(Cs[c]), float(l1_ratios[r])
                (w,), _ = self._path(
                    X, y_index, sw, paths[:, r, c].mean(axis=0), [C], l1_ratio, bar
                )
            else:
                best = np.argmax(scores.reshape(n_folds, -1), axis=1)
                r, c = np.unravel_index(best, (n_l1, n_cs))
                w = paths[np.arange(n_folds), r, c].mean(axis=0)
                C, l1_ratio = float(np.mean(Cs[c])), float(np.mean(l1_ratios[r]))

        if not self.fit_intercept:
            paths = paths[..., :n_features]
        self.classes_ = classes
        self.Cs_ = Cs
        self.l1_ratios_ = l1_ratios
        self.C_ = C
        self.l1_ratio_ = l1_ratio
        self.coefs_paths_ = paths
        self.scores_ = scores
        self.n_iter_ = n_iter
        self.coef_ = w[:, :n_features].astype(X.dtype)
        self.intercept_ = w[:, n_features].astype(X.dtype)
        return self

    def score(self, X, y, sample_weight=None):
        """Score of the final model with the ``scoring`` used for the selection.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        kw = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self._scorer()(self, X, y, **kw)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
