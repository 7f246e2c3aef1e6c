"""Logistic regression (binary and multinomial) fitted by L-BFGS over fused Numba kernels."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from pai_algos_native import kernels

from ..base import DeviceMixin, History, blas_single_thread, numba_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._linear_classifier import _LinearClassifierMixin

__all__ = ["LogisticRegression"]

# scipy's L-BFGS-B stopping rule on the relative decrease, as scikit-learn sets it.
_FTOL = 64 * np.finfo(float).eps


class _Objective:
    """``f(w) = sum_i s_i loss_i / sum_i s_i + ||W||^2 / (2 C sum_i s_i)`` and its gradient.

    ``w`` is the ravelled ``(n_outputs, n_features [+ 1])`` parameter matrix. The data stay
    on the device chosen for the fit; the kernel fills a gradient buffer allocated once.
    """

    def __init__(self, module, X, y, sample_weight, n_outputs, fit_intercept, l2):
        self.module = module
        self.sparse = sp.issparse(X)
        self.n_features = X.shape[1]
        self.n_outputs = n_outputs
        self.fit_intercept = fit_intercept
        self.sw_sum = float(np.sum(sample_weight))
        self.l2 = l2
        if self.sparse:
            self.args = tuple(module.to_device(a) for a in (X.data, X.indices, X.indptr))
        else:
            self.args = (module.to_device(X),)
        self.y = module.to_device(y)
        self.sample_weight = module.to_device(sample_weight)
        self.grad = np.empty((n_outputs, self.n_features + 1))
        self.zero_intercept = np.zeros(n_outputs)
        self.last_loss = np.nan

    def split(self, w):
        w = w.reshape(self.n_outputs, -1)
        d = self.n_features
        coef = np.ascontiguousarray(w[:, :d])
        intercept = w[:, d].copy() if self.fit_intercept else self.zero_intercept
        return coef, intercept

    def __call__(self, w):
        coef, intercept = self.split(w)
        call = self.module.logistic_loss_grad_csr if self.sparse else self.module.logistic_loss_grad
        total = call(*self.args, self.y, self.sample_weight, coef, intercept, self.grad)
        grad = self.grad / self.sw_sum
        grad[:, : self.n_features] += self.l2 * coef
        loss = total / self.sw_sum + 0.5 * self.l2 * float(np.sum(coef * coef))
        if not self.fit_intercept:
            grad = grad[:, : self.n_features]
        self.last_loss = loss
        return loss, grad.ravel()


class LogisticRegression(DeviceMixin, _LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression with an L2 penalty, fitted by L-BFGS on Numba or CUDA kernels.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression` with ``solver="lbfgs"``:
    two classes use the binary logistic loss, more classes the multinomial (softmax) loss,
    and the objective is scikit-learn's, so the coefficients agree with it.

    Parameters
    ----------
    penalty : {"l2"} or None, default="l2"
        ``None`` fits without penalty (``C`` is then ignored).
    tol : float, default=1e-4
        L-BFGS stops when the largest projected gradient component is below ``tol``.
    C : float, default=1.0
        Inverse of the regularisation strength; smaller values penalise more.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept per output.
    class_weight : dict or "balanced", default=None
        Weights per class, multiplied into ``sample_weight``. "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))`` (weighted by ``sample_weight``).
    random_state : int, RandomState instance or None, default=None
        Unused (L-BFGS from zero is deterministic); kept for scikit-learn compatibility.
    solver : {"lbfgs"}, default="lbfgs"
        The optimiser: :func:`scipy.optimize.minimize` with ``method="L-BFGS-B"``.
    max_iter : int, default=100
        Maximum number of L-BFGS iterations.
    verbose : int, default=0
        Show a progress bar over the iterations when positive.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_`` when their shapes fit.
    n_jobs : int, default=None
        Number of Numba threads for the CPU kernels (None: global config; -1: all).
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the loss and gradient are computed. "auto" picks a GPU for large dense
        inputs when one is present.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for a binary problem (the score of ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,)
        Number of L-BFGS iterations run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the fit ran.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (the objective) per L-BFGS iteration.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The scikit-learn estimator this one mirrors.

    Notes
    -----
    With sample weights :math:`s_i` (times the class weights) and :math:`S = \\sum_i s_i`, the
    objective is that of scikit-learn's lbfgs solver,

    .. math::

        \\min_{W, b} \\frac{1}{S} \\sum_i s_i \\, \\ell(y_i, W x_i + b)
        + \\frac{1}{2 C S} \\lVert W \\rVert_F^2,

    with :math:`\\ell(y, z) = \\log(1 + e^z) - y z` for two classes and
    :math:`\\ell(y, z) = \\log \\sum_k e^{z_k} - z_y` (multinomial) otherwise; the intercept is
    not penalised. One pass over the rows computes the loss and its gradient (parallel over
    row chunks, partial gradients accumulated in float64 and summed in a fixed order, so the
    result does not depend on the thread count). float32 input is read as float32.

    On ``device="cuda"`` the data are copied to the GPU once per fit; dense input uses a
    deterministic chunked reduction, CSR input a row kernel with atomic adds (see
    :mod:`pai_algos_native.cuda.linear`).

    References
    ----------
    .. [1] D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale
       optimization", Mathematical Programming 45, 503-528 (1989).
    .. [2] C. M. Bishop, "Pattern Recognition and Machine Learning", Springer (2006),
       section 4.3.4 (multiclass logistic regression).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from pai_algos.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=200, device="cpu").fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> clf.predict(X[:2])
    array([0, 0])
    >>> clf.predict_proba(X[:1]).round(2)
    array([[0.98, 0.02, 0.  ]])
    >>> round(clf.score(X, y), 2)
    0.97
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2"}), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "C": [Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [StrOptions({"lbfgs"})],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    _fast_params = {"max_iter": 100}
    _preserves_float32 = True

    def __init__(
        self,
        penalty="l2",
        *,
        tol=1e-4,
        C=1.0,
        fit_intercept=True,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        device="auto",
    ):
        self.penalty = penalty
        self.tol = tol
        self.C = C
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.device = device

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        # before validate_data, which sets n_features_in_: a missing GPU leaves nothing fitted
        device = self._resolve_device(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            reset=True,
        )
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}"
            )
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, copy=True)
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight, classes=classes, y=y, sample_weight=sample_weight
            )
            sample_weight *= weights[y_index]
        if sp.issparse(X):
            X.sort_indices()

        n_classes = classes.shape[0]
        n_outputs = 1 if n_classes == 2 else n_classes
        n_features = X.shape[1]
        C = np.inf if self.penalty is None else float(self.C)
        l2 = 0.0 if np.isinf(C) else 1.0 / (C * float(np.sum(sample_weight)))

        w0 = np.zeros((n_outputs, n_features + int(self.fit_intercept)))
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape == (n_outputs, n_features):
                w0[:, :n_features] = self.coef_
                if self.fit_intercept:
                    w0[:, n_features] = self.intercept_

        objective = _Objective(
            kernels("linear", device),
            X,
            y_index.astype(np.int64),
            sample_weight,
            n_outputs,
            self.fit_intercept,
            l2,
        )
        hist = History()
        with (
            numba_threads(self.n_jobs),
            # one BLAS thread: L-BFGS's vector updates are tiny, and idle BLAS threads
            # spinning beside Numba's would steal cores from the kernel
            blas_single_thread(),
            progress_bar(
                total=self.max_iter, desc="LogisticRegression", verbose=self.verbose
            ) as bar,
        ):

            def callback(intermediate_result):
                hist.record(loss=intermediate_result.fun)
                bar.update(1)
                bar.set_postfix(loss=f"{intermediate_result.fun:.6g}")

            result = optimize.minimize(
                objective,
                w0.ravel(),
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={"maxiter": self.max_iter, "maxls": 50, "gtol": self.tol, "ftol": _FTOL},
            )
        if result.status == 1 and self.max_iter > 0:
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iteration(s) (status=1): "
                f"{result.message}. Increase max_iter or scale the data.",
                ConvergenceWarning,
                stacklevel=2,
            )

        coef, intercept = objective.split(result.x)
        self.classes_ = classes
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = intercept.astype(X.dtype)
        self.n_iter_ = np.array([result.nit], dtype=np.int32)
        self.device_ = device
        self.history_ = hist.as_dict()
        return self

    def predict_proba(self, X):
        """Class probabilities (sigmoid for two classes, softmax otherwise).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1 - p1, p1])
        scores = scores - scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
