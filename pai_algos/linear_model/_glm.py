"""Generalised linear models (Poisson, Gamma, Tweedie) fitted by L-BFGS or Newton-Cholesky."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import linalg, optimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, blas_single_thread, numba_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import _linear_predict

__all__ = ["GammaRegressor", "PoissonRegressor", "TweedieRegressor"]

# scipy's L-BFGS-B stopping rule on the relative decrease, as scikit-learn sets it.
_FTOL = 64 * np.finfo(float).eps
# Newton line search: Armijo constant and number of halvings, as scikit-learn's solver.
_ARMIJO = 1e-4
_MAX_HALVINGS = 21


def _unit_deviance(y, mu, power):
    """Tweedie unit deviance ``d(y, mu)`` (twice the half deviance, constants included)."""
    p = power
    if p == 0:
        return (y - mu) ** 2
    if p == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
        return 2 * (ylogy - y + mu)
    if p == 2:
        return 2 * (np.log(mu / y) + y / mu - 1)
    term = np.maximum(y, 0) ** (2 - p) / ((1 - p) * (2 - p))
    return 2 * (term - y * mu ** (1 - p) / (1 - p) + mu ** (2 - p) / (2 - p))


class _Objective:
    """``f(w) = sum_i s_i loss_i / sum_i s_i + alpha ||coef||^2 / 2``, gradient and Hessian.

    ``w`` is ``[coef, intercept]`` (intercept only when fitted); ``loss_i`` is the half
    Tweedie deviance of the family (see :mod:`pai_algos_native.cpu.linear_glm`).
    """

    def __init__(self, X, y, sample_weight, family, power, fit_intercept, alpha):
        self.module = kernels("linear_glm", "cpu")
        self.sparse = sp.issparse(X)
        self.args = (X.data, X.indices, X.indptr) if self.sparse else (X,)
        self.y = y
        self.sample_weight = sample_weight
        self.sw_sum = float(np.sum(sample_weight))
        self.family = family
        self.power = power
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.n_features = X.shape[1]
        self.grad = np.empty(self.n_features + 1)
        self.hess = np.empty((self.n_features + 1, self.n_features + 1))
        self.hess_weights = np.empty(X.shape[0])

    def split(self, w):
        d = self.n_features
        return np.ascontiguousarray(w[:d]), (float(w[d]) if self.fit_intercept else 0.0)

    def _pass(self, w, hess_weights=None):
        coef, intercept = self.split(w)
        call = self.module.glm_loss_grad_csr if self.sparse else self.module.glm_loss_grad
        total = call(
            *self.args,
            self.y,
            self.sample_weight,
            coef,
            intercept,
            self.family,
            self.power,
            self.grad,
            hess_weights,
        )
        loss = total / self.sw_sum + 0.5 * self.alpha * float(coef @ coef)
        grad = self.grad / self.sw_sum
        grad[: self.n_features] += self.alpha * coef
        if not self.fit_intercept:
            grad = grad[: self.n_features]
        return loss, grad

    def __call__(self, w):
        return self._pass(w)

    def loss_grad_hess(self, w):
        loss, grad = self._pass(w, self.hess_weights)
        if self.sparse:
            self.module.glm_hessian_csr(*self.args, self.hess_weights, self.hess)
        else:
            self.module.glm_hessian(self.args[0], self.hess_weights, self.hess)
        hess = self.hess / self.sw_sum
        d = self.n_features
        hess[np.arange(d), np.arange(d)] += self.alpha
        if not self.fit_intercept:
            hess = hess[:d, :d]
        return loss, grad, hess


def _lbfgs(objective, w0, max_iter, tol, callback):
    result = optimize.minimize(
        objective,
        w0,
        method="L-BFGS-B",
        jac=True,
        callback=lambda intermediate_result: callback(intermediate_result.fun),
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": _FTOL},
    )
    if result.status == 1:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) (status=1): "
            f"{result.message}. Increase max_iter or scale the data.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result.x, min(int(result.nit), max_iter)


def _newton_cholesky(objective, w, max_iter, tol, callback):
    """Newton steps with a Cholesky solve and an Armijo backtracking line search.

    Converged when the largest gradient component and half the Newton decrement
    ``d^T H d / 2`` are both at most ``tol`` (scikit-learn's rule). A Hessian that is not
    positive definite, or a line search that fails, hands over to L-BFGS.
    """
    loss, grad, hess = objective.loss_grad_hess(w)
    for iteration in range(1, max_iter + 1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                step = linalg.solve(hess, -grad, assume_a="pos", check_finite=False)
        except (np.linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            step = None
        slope = float(grad @ step) if step is not None else 0.0
        if step is None or not slope < 0:
            warnings.warn(
                f"The Newton-Cholesky solver met a singular or indefinite Hessian at "
                f"iteration {iteration}; it resorts to lbfgs.",
                ConvergenceWarning,
                stacklevel=3,
            )
            w, n_more = _lbfgs(objective, w, max_iter - iteration + 1, tol, callback)
            return w, iteration - 1 + n_more
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            w_new = w + t * step
            loss_new, grad_new = objective(w_new)
            if loss_new <= loss + _ARMIJO * t * slope:
                break
            # at rounding level the loss cannot show progress: accept a smaller gradient
            tiny = abs(loss_new - loss) <= 16 * np.finfo(float).eps * abs(loss)
            if tiny and np.abs(grad_new).sum() < np.abs(grad).sum():
                break
            t *= 0.5
        else:
            w, n_more = _lbfgs(objective, w, max_iter - iteration + 1, tol, callback)
            return w, iteration - 1 + n_more
        decrement = float(step @ hess @ step)
        w = w_new
        callback(loss_new)
        if np.max(np.abs(grad_new)) <= tol and 0.5 * decrement <= tol:
            return w, iteration
        loss, grad, hess = objective.loss_grad_hess(w)
    warnings.warn(
        f"Newton solver did not converge after {max_iter} iterations.",
        ConvergenceWarning,
        stacklevel=3,
    )
    return w, max_iter


class _GeneralizedLinearRegressor(RegressorMixin, BaseEstimator):
    """Shared fit, predict and score of the Tweedie-family GLMs (not public)."""

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"lbfgs", "newton-cholesky"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "n_jobs": [None, Integral],
    }

    _fast_params = {"max_iter": 50}
    _preserves_float32 = True

    def __init__(
        self,
        *,
        alpha=1.0,
        fit_intercept=True,
        solver="lbfgs",
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_jobs = n_jobs

    @staticmethod
    def _common_test_data(seed=0, n_samples=90, dtype=np.float64):
        """Small data with positive targets (valid for every power) for the common tests."""
        from sklearn.datasets import make_regression

        X, y = make_regression(n_samples=n_samples, n_features=6, noise=0.1, random_state=seed)
        return X.astype(dtype), np.exp(y / (3 * np.std(y)))

    # (family code, Tweedie power, scikit-learn's loss name) of this estimator
    def _family(self):
        raise NotImplementedError

    def _check_y_range(self, y):
        family, power, name = self._family()
        if power <= 0:
            ok = True
        elif power < 2:
            ok = bool(np.all(y >= 0))
        else:
            ok = bool(np.all(y > 0))
        if not ok:
            raise ValueError(f"Some value(s) of y are out of the valid range of the loss {name!r}.")

    def _link(self, mu):
        return np.log(mu) if self._family()[0] == 0 else mu

    def _inverse_link(self, raw):
        return np.exp(raw) if self._family()[0] == 0 else raw

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the generalised linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            y_numeric=True,
            multi_output=False,
        )
        y = np.ascontiguousarray(y, dtype=np.float64)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if sp.issparse(X):
            X.sort_indices()
        family, power, _ = self._family()
        self._check_y_range(y)
        n_features = X.shape[1]

        w0 = np.zeros(n_features + int(self.fit_intercept))
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (n_features,):
            w0[:n_features] = self.coef_
            if self.fit_intercept:
                w0[n_features] = self.intercept_
        elif self.fit_intercept:
            w0[n_features] = self._link(np.average(y, weights=sample_weight))

        objective = _Objective(X, y, sample_weight, family, power, self.fit_intercept, self.alpha)
        hist = History()
        name = type(self).__name__
        with (
            numba_threads(self.n_jobs),
            blas_single_thread(),
            progress_bar(total=self.max_iter, desc=name, verbose=self.verbose) as bar,
        ):

            def callback(loss):
                hist.record(loss=loss)
                bar.update(1)

            if self.solver == "lbfgs":
                w, n_iter = _lbfgs(objective, w0, self.max_iter, self.tol, callback)
            else:
                w, n_iter = _newton_cholesky(objective, w0, self.max_iter, self.tol, callback)

        coef, intercept = objective.split(w)
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = X.dtype.type(intercept) if self.fit_intercept else 0.0
        self.n_iter_ = int(n_iter)
        self.history_ = hist.as_dict()
        return self

    def predict(self, X):
        """Predict the mean of the target, ``h(X @ coef_ + intercept_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted means, in the dtype of ``X``.
        """
        check_is_fitted(self)
        return self._inverse_link(_linear_predict(self, X))

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of deviance explained (1 is best; can be negative).

        ``D^2 = 1 - D(y, y_pred) / D(y, y_null)``, with ``y_null`` the weighted mean of ``y``
        and ``D`` the (weighted) Tweedie deviance of the model's family.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True values of the target.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            D^2 of ``self.predict(X)`` with respect to ``y``.
        """
        mu = np.asarray(self.predict(X), dtype=np.float64)
        y = check_array(y, dtype=np.float64, ensure_2d=False)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, mu[:, None], dtype=np.float64)
        self._check_y_range(y)
        power = self._family()[1]
        y_mean = np.average(y, weights=sample_weight)
        deviance = np.average(_unit_deviance(y, mu, power), weights=sample_weight)
        null = np.average(_unit_deviance(y, np.full_like(y, y_mean), power), weights=sample_weight)
        return float(1 - deviance / null)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        try:
            tags.target_tags.positive_only = self._family()[1] > 0
        except (TypeError, ValueError):  # an invalid power or link: keep the defaults
            pass
        return tags


_GLM_PARAMS = """
    alpha : float, default=1.0
        Strength of the L2 penalty on the coefficients (not on the intercept); 0 fits
        without penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    solver : {"lbfgs", "newton-cholesky"}, default="lbfgs"
        "lbfgs": :func:`scipy.optimize.minimize` with L-BFGS-B over the fused loss and
        gradient kernel. "newton-cholesky": Newton steps with the Hessian
        ``X^T diag(h) X`` from one parallel pass and a Cholesky solve; a good choice when
        ``n_samples >> n_features``.
    max_iter : int, default=100
        Maximum number of solver iterations.
    tol : float, default=1e-4
        Stop when the largest gradient component is below ``tol`` (Newton: and half the
        Newton decrement too).
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    verbose : int, default=0
        Show a progress bar over the iterations when positive.
    n_jobs : int, default=None
        Number of Numba threads for the kernels (None: global config; -1: all).
"""

_GLM_ATTRS = """
    coef_ : ndarray of shape (n_features,)
        Coefficients of the linear predictor, in the dtype of ``X``.
    intercept_ : float
        Intercept of the linear predictor (0.0 when ``fit_intercept=False``).
    n_iter_ : int
        Number of solver iterations run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (the objective) per iteration.
"""

_GLM_NOTES = """
    With sample weights :math:`s_i`, :math:`S = \\sum_i s_i`, linear predictor
    :math:`\\eta_i = x_i^T w + b` and mean :math:`\\mu_i = h(\\eta_i)`, the objective is
    scikit-learn's,

    .. math::

        \\min_{w, b} \\frac{1}{2S} \\sum_i s_i \\, d(y_i, \\mu_i)
        + \\frac{\\alpha}{2} \\lVert w \\rVert_2^2,

    with :math:`d` the unit deviance of the Tweedie distribution of power :math:`p`
    (McCullagh and Nelder, eq. 2.20). One pass over the rows computes the loss and its
    gradient (parallel over row chunks, float64 partials summed in a fixed order, so the
    result does not depend on the thread count); the Newton solver also gets the pointwise
    second derivatives and forms :math:`X^T \\mathrm{diag}(h) X` with the package's Gram
    kernel. The intercept starts at :math:`h^{-1}(\\bar y)`.
"""

_GLM_REFS = """
    .. [1] McCullagh, P. and Nelder, J. A., "Generalized Linear Models", 2nd ed.,
       Chapman and Hall (1989).
    .. [2] Jorgensen, B., "The Theory of Dispersion Models", Chapman and Hall (1997).
"""


class PoissonRegressor(_GeneralizedLinearRegressor):
    __doc__ = f"""Generalised linear model with a Poisson distribution and log link.

    A drop-in for :class:`sklearn.linear_model.PoissonRegressor`: the same objective,
    parameters and attributes, with the loss, gradient and Hessian from Numba kernels.
    ``y`` must be non-negative (counts, rates).

    Parameters
    ----------{_GLM_PARAMS}
    Attributes
    ----------{_GLM_ATTRS}
    See Also
    --------
    sklearn.linear_model.PoissonRegressor : The scikit-learn estimator this one mirrors.
    TweedieRegressor : Any Tweedie power.

    Notes
    -----{_GLM_NOTES}
    Here :math:`p = 1`: :math:`d(y, \\mu) = 2 (y \\log(y / \\mu) - y + \\mu)`.

    References
    ----------{_GLM_REFS}
    Examples
    --------
    >>> from pai_algos.linear_model import PoissonRegressor
    >>> X = [[1, 2], [2, 3], [3, 4], [4, 3]]
    >>> y = [12, 17, 22, 21]
    >>> reg = PoissonRegressor().fit(X, y)
    >>> round(reg.score(X, y), 3)
    0.99
    >>> reg.coef_.round(3)
    array([0.121, 0.158])
    >>> reg.predict([[1, 1], [3, 4]]).round(2)
    array([10.68, 21.88])
    """

    def _family(self):
        return 0, 1.0, "HalfPoissonLoss"


class GammaRegressor(_GeneralizedLinearRegressor):
    __doc__ = f"""Generalised linear model with a Gamma distribution and log link.

    A drop-in for :class:`sklearn.linear_model.GammaRegressor`. ``y`` must be strictly
    positive (claim sizes, durations).

    Parameters
    ----------{_GLM_PARAMS}
    Attributes
    ----------{_GLM_ATTRS}
    See Also
    --------
    sklearn.linear_model.GammaRegressor : The scikit-learn estimator this one mirrors.
    PoissonRegressor : Counts.
    TweedieRegressor : Any Tweedie power.

    Notes
    -----{_GLM_NOTES}
    Here :math:`p = 2`: :math:`d(y, \\mu) = 2 (\\log(\\mu / y) + y / \\mu - 1)`.

    References
    ----------{_GLM_REFS}
    Examples
    --------
    >>> from pai_algos.linear_model import GammaRegressor
    >>> X = [[1, 2], [2, 3], [3, 4], [4, 3]]
    >>> y = [19, 26, 33, 30]
    >>> reg = GammaRegressor().fit(X, y)
    >>> round(reg.score(X, y), 3)
    0.773
    >>> reg.coef_.round(3)
    array([0.073, 0.067])
    >>> reg.predict([[1, 0], [2, 8]]).round(2)
    array([19.48, 35.8 ])
    """

    def _family(self):
        return 0, 2.0, "HalfGammaLoss"


class TweedieRegressor(_GeneralizedLinearRegressor):
    __doc__ = f"""Generalised linear model with a Tweedie distribution.

    A drop-in for :class:`sklearn.linear_model.TweedieRegressor`. ``power`` picks the
    distribution: 0 normal, 1 Poisson, (1, 2) compound Poisson-Gamma, 2 Gamma, 3 inverse
    Gaussian; ``link`` the link function.

    Parameters
    ----------
    power : float, default=0.0
        Tweedie power. ``y`` may be any real for ``power <= 0``, must be non-negative for
        ``0 < power < 2`` and positive for ``power >= 2``.{_GLM_PARAMS.rstrip()}
    link : {{"auto", "identity", "log"}}, default="auto"
        "auto" takes the identity link for ``power <= 0`` and the log link otherwise.

    Attributes
    ----------{_GLM_ATTRS}
    See Also
    --------
    sklearn.linear_model.TweedieRegressor : The scikit-learn estimator this one mirrors.
    PoissonRegressor : ``power=1``, log link.
    GammaRegressor : ``power=2``, log link.

    Notes
    -----{_GLM_NOTES}
    For :math:`p \\notin \\{{0, 1, 2\\}}`,
    :math:`d(y, \\mu) = 2 \\left(\\frac{{\\max(y, 0)^{{2-p}}}}{{(1-p)(2-p)}}
    - \\frac{{y \\mu^{{1-p}}}}{{1-p}} + \\frac{{\\mu^{{2-p}}}}{{2-p}}\\right)`.

    References
    ----------{_GLM_REFS}
    Examples
    --------
    >>> from pai_algos.linear_model import TweedieRegressor
    >>> X = [[1, 2], [2, 3], [3, 4], [4, 3]]
    >>> y = [2, 3.5, 5, 5.5]
    >>> reg = TweedieRegressor(power=1, link="log").fit(X, y)
    >>> round(reg.score(X, y), 3)
    0.96
    >>> reg.coef_.round(3)
    array([0.222, 0.132])
    >>> reg.predict([[1, 1], [3, 4]]).round(2)
    array([2.1 , 4.87])
    """

    _parameter_constraints: dict = {
        **_GeneralizedLinearRegressor._parameter_constraints,
        "power": [Interval(Real, None, None, closed="neither")],
        "link": [StrOptions({"auto", "identity", "log"})],
    }

    def __init__(
        self,
        *,
        power=0.0,
        alpha=1.0,
        fit_intercept=True,
        link="auto",
        solver="lbfgs",
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        n_jobs=None,
    ):
        super().__init__(
            alpha=alpha,
            fit_intercept=fit_intercept,
            solver=solver,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            verbose=verbose,
            n_jobs=n_jobs,
        )
        self.link = link
        self.power = power

    def _family(self):
        power = float(self.power)
        log = self.link == "log" or (self.link == "auto" and power > 0)
        if log:
            return 0, power, "HalfTweedieLoss"
        return 1, power, "HalfTweedieLossIdentity"
