"""Linear support vector regression (liblinear's formulations on Numba kernels)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, blas_single_thread, numba_threads
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import (
    _kernel_data,
    _primal_newton,
    _PrimalObjective,
    _resolve_dual,
    _seeds,
    _solver_for,
    _warn_if_not_converged,
)

__all__ = ["LinearSVR"]


class LinearSVR(RegressorMixin, BaseEstimator):
    """Linear support vector regression: liblinear's problems, solved by Numba kernels.

    A drop-in for :class:`sklearn.svm.LinearSVR`: same parameters and objective (the
    intercept is a penalised constant feature), so the coefficients agree with
    scikit-learn's up to the solvers' tolerance.

    Parameters
    ----------
    epsilon : float, default=0.0
        Width of the insensitive tube: residuals smaller than ``epsilon`` cost nothing.
    tol : float, default=1e-4
        Stopping tolerance (relative, see Notes).
    C : float, default=1.0
        Cost of the losses; the penalty weight is ``1 / C``.
    loss : {"epsilon_insensitive", "squared_epsilon_insensitive"}, default="epsilon_insensitive"
        The L1 loss needs ``dual=True``; the squared loss allows both.
    fit_intercept : bool, default=True
        Whether to fit an intercept (as the weight of a constant feature).
    intercept_scaling : float, default=1.0
        Value of that constant feature; larger values penalise the intercept less.
    dual : "auto" or bool, default="auto"
        Solve the dual (coordinate descent) or the primal (trust-region Newton). "auto" picks
        the dual when there are more features than samples or the loss needs it.
    verbose : int, default=0
        Unused beyond scikit-learn compatibility (the fit is a single kernel call or a few
        Newton steps).
    random_state : int, RandomState instance or None, default=None
        Seeds the random order of the coordinates in the dual solver.
    max_iter : int, default=1000
        Maximum outer iterations (passes, or Newton steps for the primal).
    n_jobs : int, default=None
        Numba threads for the primal passes (None: global config; -1: all).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Weights (float64).
    intercept_ : ndarray of shape (1,) or float
        Intercept; ``0.0`` when ``fit_intercept=False``.
    n_iter_ : int
        Iterations run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (primal) or ``violation`` (dual) per
        iteration.

    See Also
    --------
    sklearn.svm.LinearSVR : The scikit-learn estimator this one mirrors.
    LinearSVC : Linear support vector classification.

    Notes
    -----
    With ``C_i = C s_i`` and ``x_i`` extended by the constant ``intercept_scaling``, the
    problem is

    .. math::

        \\min_w \\tfrac{1}{2} \\lVert w \\rVert_2^2
        + \\sum_i C_i \\max(0, |w^T x_i - y_i| - \\epsilon)^p

    with ``p = 1`` or ``2``. The dual solver is Algorithm 4 of [1]_ (coordinate descent with
    shrinking and a random permutation; stop when the projected gradient's L1 norm falls
    below ``tol`` times its first-pass value); the primal solver (squared loss) is a
    trust-region Newton method ([2]_, liblinear's TRON in Python over a fused Numba loss,
    gradient and Hessian-vector product; stop when ``||g|| <= tol ||g_0||``).

    References
    ----------
    .. [1] Ho, C.-H. and Lin, C.-J., "Large-scale linear support vector regression", JMLR
       13, 3323-3348 (2012).
    .. [2] Lin, C.-J., Weng, R. C. and Keerthi, S. S., "Trust region Newton method for
       large-scale logistic regression", JMLR 9, 627-650 (2008).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from pai_algos.svm import LinearSVR
    >>> X, y = make_regression(n_features=4, noise=1.0, random_state=0)
    >>> reg = LinearSVR(C=10.0, random_state=0, tol=1e-5, max_iter=5000).fit(X, y)
    >>> reg.coef_.shape
    (4,)
    >>> round(reg.score(X, y), 3)
    1.0
    """

    _parameter_constraints: dict = {
        "epsilon": [Real],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "loss": [StrOptions({"epsilon_insensitive", "squared_epsilon_insensitive"})],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "dual": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [None, Integral],
    }

    _fast_params = {"max_iter": 200}
    # as scikit-learn declares for its own estimator: the dual solver visits the samples in a
    # random order, so repeated samples and weights give different (equally optimal) paths;
    # tests/svm checks the equivalence on the deterministic primal solver
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is not equivalent to removing/repeating samples."
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "sample_weight is not equivalent to removing/repeating samples."
        ),
    }

    def __init__(
        self,
        *,
        epsilon=0.0,
        tol=1e-4,
        C=1.0,
        loss="epsilon_insensitive",
        fit_intercept=True,
        intercept_scaling=1.0,
        dual="auto",
        verbose=0,
        random_state=None,
        max_iter=1000,
        n_jobs=None,
    ):
        self.epsilon = epsilon
        self.tol = tol
        self.C = C
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.dual = dual
        self.verbose = verbose
        self.random_state = random_state
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is read as float32.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (multiply ``C`` per sample).

        Returns
        -------
        self : LinearSVR
            The fitted estimator.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            accept_large_sparse=False,
            y_numeric=True,
        )
        y = np.ascontiguousarray(y, dtype=np.float64)
        dual = _resolve_dual(self.dual, self.loss, "l2", "ovr", X)
        solver = _solver_for("ovr", "l2", self.loss, dual)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        Ci = float(self.C) * sample_weight
        n_features = X.shape[1]
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        module = kernels("svm", "cpu")
        hist = History()
        with numba_threads(self.n_jobs), blas_single_thread():
            if solver == "primal":
                objective = _PrimalObjective(module, X, y, Ci, bias, float(self.epsilon), True)
                w, n_iter = _primal_newton(
                    objective, n_features + 1, self.tol, self.max_iter, hist, 0
                )
            else:
                seed = _seeds(check_random_state(self.random_state), 1)[0]
                w = np.zeros(n_features + 1)
                trace = np.zeros(self.max_iter)
                call = module.dual_cd_svr_csr if sp.issparse(X) else module.dual_cd_svr
                extra = (n_features,) if sp.issparse(X) else ()
                n_iter = call(*_kernel_data(X), *extra, bias, y, Ci, float(self.epsilon),
                              self.loss == "epsilon_insensitive", float(self.tol),
                              self.max_iter, seed, w, trace)  # fmt: skip
                for t in range(int(n_iter)):
                    hist.record(output=0, violation=trace[t])
        self.n_iter_ = int(n_iter)
        _warn_if_not_converged(self.n_iter_, self.max_iter, "LinearSVR")
        self.coef_ = np.ascontiguousarray(w[:n_features])
        self.intercept_ = np.array([bias * w[n_features]]) if self.fit_intercept else 0.0
        self.history_ = hist.as_dict()
        return self

    def predict(self, X):
        """Predicted targets ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return np.asarray(X @ self.coef_) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
