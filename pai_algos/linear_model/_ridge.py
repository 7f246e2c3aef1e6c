"""Ridge regression and the Ridge classifier, solved from the Gram moments.

One parallel pass over the rows (:mod:`pai_algos_native.cpu.linear_gram`) gives the centred,
weighted ``X^T W X`` and ``X^T W y``; :mod:`scipy.linalg` solves the small regularised system.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..base import DeviceMixin
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import (
    _as_targets,
    _gram_moments,
    _intercept,
    _linear_predict,
    _nnls_gram,
    _shape_outputs,
)

__all__ = ["Ridge", "RidgeClassifier"]

_SOLVERS = {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}


def _alpha_per_target(alpha, n_targets):
    """``alpha`` as a float64 array of one penalty per target (scikit-learn's rules)."""
    alpha = np.asarray(alpha, dtype=np.float64).ravel()
    if alpha.size not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alpha.size} != {n_targets}"
        )
    if np.any(~np.isfinite(alpha)) or np.any(alpha < 0):
        raise ValueError(f"alpha must be finite and non-negative, got {alpha.tolist()}.")
    return np.repeat(alpha, n_targets) if alpha.size == 1 else alpha


def _ridge_coef(G, B, alphas, positive=False):
    """Solve ``(G + alpha_k I) w_k = B[:, k]`` for every target ``k``; ``(n_targets, d)``.

    One penalty for all targets: a Cholesky factorisation (least squares if ``G + alpha I``
    is singular, as with ``alpha=0`` on collinear data). Several penalties: one
    eigendecomposition of ``G`` serves them all.
    """
    d = G.shape[0]
    if positive:
        coef = np.empty((B.shape[1], d))
        for a in np.unique(alphas):
            cols = alphas == a
            coef[cols] = _nnls_gram(G + a * np.eye(d), B[:, cols])
        return coef
    if np.all(alphas == alphas[0]):
        A = G + alphas[0] * np.eye(d)
        try:
            return linalg.cho_solve(linalg.cho_factor(A, check_finite=False), B).T
        except linalg.LinAlgError:
            return linalg.lstsq(A, B, check_finite=False)[0].T
    lam, V = linalg.eigh(G)
    VtB = V.T @ B
    denom = lam[:, None] + alphas[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(denom > 1e-12 * max(lam[-1], 1e-300), 1.0 / denom, 0.0)
    return (V @ (inv * VtB)).T


def _check_solver(solver, positive):
    if solver == "lbfgs" and not positive:
        raise ValueError(
            "'lbfgs' solver can be used only when positive=True. Please use another solver."
        )
    if positive and solver not in ("auto", "lbfgs"):
        raise ValueError(
            f"solver='{solver}' does not support positive fitting. Please set the solver "
            "to 'auto' or 'lbfgs', or set `positive=False`"
        )


class _BaseRidge(DeviceMixin, BaseEstimator):
    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(_SOLVERS)],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [None, Integral],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    _preserves_float32 = True

    def _fit_gram(self, X, Y, sample_weight, device):
        """Fit ``coef_`` (float64, ``(n_targets, d)``) and the intercepts from the moments."""
        if sp.issparse(X):
            X.sort_indices()
        G, B, x_mean, y_mean, _ = _gram_moments(
            X, Y, sample_weight, self.fit_intercept, device, self.n_jobs
        )
        alphas = _alpha_per_target(self.alpha, Y.shape[1])
        coef = _ridge_coef(G, B, alphas, self.positive)
        return coef, _intercept(x_mean, y_mean, coef)

    def _finish(self, device, n_targets):
        # the direct solve counts as one iteration per target
        self.n_iter_ = np.ones(n_targets, dtype=np.int32)
        self.solver_ = "lbfgs" if self.positive else "cholesky"
        self.device_ = device

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_RIDGE_PARAMS_DOC = """alpha : {float, ndarray of shape (n_targets,)}, default=1.0
        L2 penalty; an array gives one penalty per target.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept; the data are centred implicitly.
    copy_X : bool, default=True
        Kept for scikit-learn compatibility: ``X`` is never modified.
    max_iter : int, default=None
        Kept for scikit-learn compatibility (the solve is direct).
    tol : float, default=1e-4
        Kept for scikit-learn compatibility (the solve is direct).
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}, \
default="auto"
        Accepted for compatibility; every solver runs the same direct Gram solve (the
        exact ridge solution all of scikit-learn's solvers approach). "lbfgs" needs
        ``positive=True``, as in scikit-learn.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (NNLS on the regularised Gram
        system instead of scikit-learn's L-BFGS-B).
    random_state : int, RandomState instance or None, default=None
        Unused (the solve is deterministic); kept for scikit-learn compatibility.
    n_jobs : int, default=None
        Number of Numba threads for the Gram kernel (None: global config; -1: all).
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the Gram matrix of dense input is computed ("auto": a GPU for large dense
        inputs when one is present); CSR input always uses the CPU kernel."""


class Ridge(MultiOutputMixin, RegressorMixin, _BaseRidge):
    """Linear least squares with an L2 penalty, from a one-pass Gram matrix.

    A drop-in for :class:`sklearn.linear_model.Ridge`; dense and CSR input, sample
    weights, several targets, float32 kept.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (n_targets,)
        Ones: the solve is direct (one step per target).
    solver_ : str
        The solver that ran: "cholesky" (or "lbfgs" naming the positive fit).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the Gram matrix was computed.

    See Also
    --------
    sklearn.linear_model.Ridge : The scikit-learn estimator this one mirrors.
    RidgeCV : Ridge with the penalty chosen by (leave-one-out) cross-validation.
    RidgeClassifier : Ridge on {{-1, 1}} targets for classification.

    Notes
    -----
    The objective is :math:`\\sum_i w_i (y_i - x_i^T \\beta - b)^2 + \\alpha \\lVert \\beta
    \\rVert^2`. With the centred, weighted moments :math:`G = X_c^T W X_c` and
    :math:`g = X_c^T W y_c`, the coefficients solve :math:`(G + \\alpha I) \\beta = g`
    (Cholesky), and :math:`b = \\bar y - \\bar x^T \\beta` [1]_. ``G`` comes from a single
    pass over the rows with float64 accumulation, for dense and CSR input alike.

    References
    ----------
    .. [1] Hoerl, A. E. and Kennard, R. W., "Ridge Regression: Biased Estimation for
       Nonorthogonal Problems", Technometrics 12(1), 55-67 (1970).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import Ridge
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = Ridge(alpha=0.1, device="cpu").fit(X, y)
    >>> reg.coef_.shape
    (10,)
    >>> round(reg.score(X, y), 3)
    0.513
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        solver="auto",
        positive=False,
        random_state=None,
        n_jobs=None,
        device="auto",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the Ridge model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : Ridge
            The fitted estimator.
        """
        _check_solver(self.solver, self.positive)
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
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        coef, intercept = self._fit_gram(X, _as_targets(y), sample_weight, device)
        _shape_outputs(self, coef, intercept, y.ndim, X.dtype, self.fit_intercept, True)
        self._finish(device, coef.shape[0])
        return self

    def predict(self, X):
        """Predict with the linear model.

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


class RidgeClassifier(ClassifierMixin, _BaseRidge):
    """Classifier fitting Ridge regression to {{-1, 1}} targets, one column per class.

    A drop-in for :class:`sklearn.linear_model.RidgeClassifier`: the labels are binarised
    to {{-1, 1}} (one column for two classes, one per class otherwise, or one per label for
    multilabel ``y``), a multi-target Ridge is fitted from one Gram pass, and the class with
    the largest score wins.

    Parameters
    ----------
    {params}
    class_weight : dict or "balanced", default=None
        Weights per class, multiplied into ``sample_weight``; "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
        Coefficients; one vector for two classes (the score of ``classes_[1]``).
    intercept_ : float or ndarray of shape (1,) or (n_classes,)
        Intercepts (0.0 when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (n_targets,)
        Ones: the solve is direct (one step per target).
    solver_ : str
        The solver that ran: "cholesky" (or "lbfgs" naming the positive fit).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the Gram matrix was computed.

    See Also
    --------
    sklearn.linear_model.RidgeClassifier : The scikit-learn estimator this one mirrors.
    Ridge : The regressor underneath.

    Notes
    -----
    Each column of the binarised target :math:`Y \\in \\{{-1, 1\\}}^{{n \\times K}}` is a Ridge
    problem with the same Gram matrix, so :math:`(G + \\alpha I) B = X_c^T W Y_c` is solved once
    for all columns [1]_.

    References
    ----------
    .. [1] Rifkin, R. and Klautau, A., "In Defense of One-Vs-All Classification", Journal
       of Machine Learning Research 5, 101-141 (2004).

    Examples
    --------
    >>> from pai_algos.datasets import load_wine
    >>> from pai_algos.linear_model import RidgeClassifier
    >>> X, y = load_wine(return_X_y=True)
    >>> clf = RidgeClassifier(device="cpu").fit(X, y)
    >>> clf.coef_.shape
    (3, 13)
    >>> round(clf.score(X, y), 2)
    1.0
    """

    _parameter_constraints: dict = {
        **_BaseRidge._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        class_weight=None,
        solver="auto",
        positive=False,
        random_state=None,
        n_jobs=None,
        device="auto",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the Ridge classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (or a multilabel indicator matrix).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : RidgeClassifier
            The fitted estimator.
        """
        _check_solver(self.solver, self.positive)
        device = self._resolve_device(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=False,
        )
        binarizer = LabelBinarizer(pos_label=1, neg_label=-1)
        Y = binarizer.fit_transform(y)
        if binarizer.classes_.shape[0] < 2:
            raise ValueError(
                "RidgeClassifier needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {binarizer.classes_[0]!r}"
            )
        if not binarizer.y_type_.startswith("multilabel"):
            y = column_or_1d(y, warn=True)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight:
            sample_weight = sample_weight * compute_sample_weight(self.class_weight, y)
        coef, intercept = self._fit_gram(X, _as_targets(Y), sample_weight, device)
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_
        _shape_outputs(self, coef, intercept, 2, X.dtype, self.fit_intercept, True)
        self._finish(device, coef.shape[0])
        return self

    def decision_function(self, X):
        """Confidence scores: one per sample for two classes, one per class otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            In the dtype of ``X``; for two classes, positive means ``classes_[1]``.
        """
        scores = _linear_predict(self, X)
        return scores.ravel() if scores.ndim == 1 or scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predicted class labels (or label indicator rows for multilabel ``y``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        check_is_fitted(self, attributes=["_label_binarizer"])
        scores = self.decision_function(X)
        if self._label_binarizer.y_type_.startswith("multilabel"):
            signs = 2.0 * (scores > 0).astype(scores.dtype) - 1.0
            return self._label_binarizer.inverse_transform(signs)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


Ridge.__doc__ = Ridge.__doc__.format(params=_RIDGE_PARAMS_DOC)
RidgeClassifier.__doc__ = RidgeClassifier.__doc__.format(params=_RIDGE_PARAMS_DOC)
