"""Bayesian ridge regression: evidence maximisation over the eigenbasis of the Gram matrix."""

from __future__ import annotations

from math import log
from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, numba_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import _gram_moments, _linear_predict

__all__ = ["BayesianRidge"]

# Below this fraction of the centred sum of squares, the residual sum of squares from the
# moments has lost too many digits to cancellation and is recomputed from the data.
_SSE_FROM_DATA = 1e-6


class _Spectrum:
    """The least-squares problem in the eigenbasis of ``X^T W X`` (centred, weighted).

    ``eig`` holds the eigenvalues (``S**2`` of the centred, weighted ``X``; ``n_features``
    of them, or ``n_samples`` when there are fewer samples), ``V`` the eigenvectors as
    columns (``n_features x n_features``), ``z = V^T X^T W y``, ``yty`` the centred weighted
    sum of squares of ``y``.
    """

    def __init__(self, eig, V, z, yty, data_sse):
        self.eig = eig
        self.V = V
        self.z = z
        self.yty = yty
        self.data_sse = data_sse

    def coef_sse(self, alpha, lambda_):
        k = self.eig.shape[0]
        c = self.z[:k] / (self.eig + lambda_ / alpha)
        coef = self.V[:, :k] @ c
        sse = self.yty - float(np.sum(c * (2.0 * self.z[:k] - self.eig * c)))
        if sse < _SSE_FROM_DATA * self.yty:
            sse = self.data_sse(coef)
        return coef, sse


def _spectrum_gram(X, y, sample_weight, fit_intercept, n_jobs):
    """Spectrum from the Gram moments: one parallel pass over ``X`` and a ``d x d`` eigh."""
    G, B, x_mean, y_mean, _ = _gram_moments(
        X, y[:, None], sample_weight, fit_intercept, "cpu", n_jobs
    )
    eig, V = linalg.eigh(G)
    eig = np.clip(eig, 0.0, None)
    z = V.T @ B[:, 0]
    yc = y - y_mean[0]
    yty = float(np.sum(sample_weight * yc * yc))
    module = kernels("linear_glm", "cpu")
    grad = np.empty(X.shape[1] + 1)

    def data_sse(coef):
        # squared error of the identity-link normal GLM: one kernel pass, no copy of X
        b = float(y_mean[0] - x_mean @ coef)
        return 2.0 * module.glm_loss_grad(
            X, y, sample_weight, coef, b, module.TWEEDIE_IDENTITY, 0.0, grad
        )

    return _Spectrum(eig, V, z, yty, data_sse), x_mean, float(y_mean[0])


def _spectrum_svd(X, y, sample_weight, fit_intercept):
    """Spectrum from the SVD of the centred, weighted data (fewer samples than features)."""
    s = sample_weight
    x_mean = np.average(X, axis=0, weights=s) if fit_intercept else np.zeros(X.shape[1])
    y_mean = float(np.average(y, weights=s)) if fit_intercept else 0.0
    root = np.sqrt(s)
    Xs = (np.asarray(X, dtype=np.float64) - x_mean) * root[:, None]
    ys = (y - y_mean) * root
    _, S, Vh = linalg.svd(Xs, full_matrices=True)
    z = Vh @ (Xs.T @ ys)

    def data_sse(coef):
        r = ys - Xs @ coef
        return float(r @ r)

    return _Spectrum(S**2, Vh.T, z, float(ys @ ys), data_sse), x_mean, y_mean


class BayesianRidge(RegressorMixin, BaseEstimator):
    """Bayesian ridge regression: the ridge penalty and noise level chosen by the evidence.

    A drop-in for :class:`sklearn.linear_model.BayesianRidge`: the same parameters,
    attributes and updates (MacKay's fixed-point iteration). Instead of an SVD of the data,
    the Gram matrix ``X^T W X`` is formed in one parallel pass over the rows and
    diagonalised; every iteration then costs ``O(n_features^2)``. With fewer samples than
    features the SVD of the data is used, as scikit-learn does.

    Parameters
    ----------
    max_iter : int, default=300
        Maximum number of iterations.
    tol : float, default=1e-3
        Stop when the coefficients change by less than ``tol`` (sum of absolute changes).
    alpha_1 : float, default=1e-6
        Shape parameter of the Gamma prior over ``alpha`` (the noise precision).
    alpha_2 : float, default=1e-6
        Rate parameter of the Gamma prior over ``alpha``.
    lambda_1 : float, default=1e-6
        Shape parameter of the Gamma prior over ``lambda`` (the weights' precision).
    lambda_2 : float, default=1e-6
        Rate parameter of the Gamma prior over ``lambda``.
    alpha_init : float, default=None
        Starting ``alpha`` (None: ``1 / Var(y)``).
    lambda_init : float, default=None
        Starting ``lambda`` (None: 1).
    compute_score : bool, default=False
        Record the log marginal likelihood at each iteration in ``scores_``.
    fit_intercept : bool, default=True
        Whether to fit an intercept (the data are centred implicitly).
    copy_X : bool, default=True
        Kept for scikit-learn compatibility: ``X`` is never modified.
    verbose : bool, default=False
        Show a progress bar over the iterations.
    n_jobs : int, default=None
        Number of Numba threads for the Gram kernel (None: global config; -1: all).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of the coefficients.
    intercept_ : float
        Intercept (0.0 when ``fit_intercept=False``).
    alpha_ : float
        Estimated precision of the noise.
    lambda_ : float
        Estimated precision of the weights.
    sigma_ : ndarray of shape (n_features, n_features)
        Posterior covariance of the coefficients.
    scores_ : ndarray of shape (`n_iter_` + 1,)
        Log marginal likelihood per iteration and after the last (when ``compute_score``).
    n_iter_ : int
        Number of iterations run.
    X_offset_ : ndarray of shape (n_features,)
        Weighted mean of ``X`` subtracted before the fit (zeros without intercept).
    X_scale_ : ndarray of shape (n_features,)
        Ones (kept for scikit-learn compatibility).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds``, ``alpha`` and ``lambda`` per iteration.

    See Also
    --------
    sklearn.linear_model.BayesianRidge : The scikit-learn estimator this one mirrors.
    Ridge : Ridge regression with a fixed penalty.

    Notes
    -----
    With :math:`X^T W X = V \\operatorname{diag}(e) V^T` (centred, weighted), the posterior
    mean is :math:`w = V \\operatorname{diag}(1 / (e + \\lambda / \\alpha)) V^T X^T W y` and
    MacKay's updates (Bishop, eqs. 3.91-3.95, with Gamma priors) are

    .. math::

        \\gamma = \\sum_k \\frac{\\alpha e_k}{\\lambda + \\alpha e_k}, \\quad
        \\lambda \\leftarrow \\frac{\\gamma + 2 \\lambda_1}{\\lVert w \\rVert^2 + 2 \\lambda_2},
        \\quad
        \\alpha \\leftarrow \\frac{S - \\gamma + 2 \\alpha_1}{\\mathrm{SSE} + 2 \\alpha_2},

    with :math:`S = \\sum_i s_i`. The residual sum of squares comes from the moments,
    :math:`\\mathrm{SSE} = y^T W y - 2 w^T X^T W y + w^T X^T W X w`, unless cancellation
    makes that inaccurate (below :math:`10^{-6} y^T W y`), when one kernel pass over the
    data recomputes it. The posterior covariance is
    :math:`\\Sigma = V \\operatorname{diag}(1 / (\\alpha e + \\lambda)) V^T`.

    References
    ----------
    .. [1] MacKay, D. J. C., "Bayesian Interpolation", Neural Computation 4(3), 415-447
       (1992).
    .. [2] Tipping, M. E., "Sparse Bayesian Learning and the Relevance Vector Machine",
       Journal of Machine Learning Research 1, 211-244 (2001).
    .. [3] Bishop, C. M., "Pattern Recognition and Machine Learning", Springer (2006),
       section 3.5.

    Examples
    --------
    >>> from pai_algos.linear_model import BayesianRidge
    >>> reg = BayesianRidge().fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    >>> reg.predict([[1, 1]]).round(6)
    array([1.])
    >>> mean, std = reg.predict([[3, 3]], return_std=True)
    >>> mean.round(3), std.shape
    (array([3.]), (1,))
    """

    _parameter_constraints: dict = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "alpha_1": [Interval(Real, 0, None, closed="left")],
        "alpha_2": [Interval(Real, 0, None, closed="left")],
        "lambda_1": [Interval(Real, 0, None, closed="left")],
        "lambda_2": [Interval(Real, 0, None, closed="left")],
        "alpha_init": [None, Interval(Real, 0, None, closed="left")],
        "lambda_init": [None, Interval(Real, 0, None, closed="left")],
        "compute_score": ["boolean"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "verbose": ["verbose"],
        "n_jobs": [None, Integral],
    }

    _preserves_float32 = True

    def __init__(
        self,
        *,
        max_iter=300,
        tol=1.0e-3,
        alpha_1=1.0e-6,
        alpha_2=1.0e-6,
        lambda_1=1.0e-6,
        lambda_2=1.0e-6,
        alpha_init=None,
        lambda_init=None,
        compute_score=False,
        fit_intercept=True,
        copy_X=True,
        verbose=False,
        n_jobs=None,
    ):
        self.max_iter = max_iter
        self.tol = tol
        self.alpha_1 = alpha_1
        self.alpha_2 = alpha_2
        self.lambda_1 = lambda_1
        self.lambda_2 = lambda_2
        self.alpha_init = alpha_init
        self.lambda_init = lambda_init
        self.compute_score = compute_score
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : BayesianRidge
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C", y_numeric=True)
        dtype = X.dtype
        n_samples, n_features = X.shape
        y = np.ascontiguousarray(y, dtype=np.float64)
        weighted = sample_weight is not None
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        sw_sum = float(np.sum(sample_weight)) if weighted else n_samples
        y_var = float(np.average((y - np.average(y, weights=sample_weight)) ** 2,
                                 weights=sample_weight))  # fmt: skip

        if n_samples > n_features:
            spec, x_mean, y_mean = _spectrum_gram(
                X, y, sample_weight, self.fit_intercept, self.n_jobs
            )
        else:
            spec, x_mean, y_mean = _spectrum_svd(X, y, sample_weight, self.fit_intercept)

        eps = np.finfo(np.float64).eps
        alpha_ = 1.0 / (y_var + eps) if self.alpha_init is None else float(self.alpha_init)
        lambda_ = 1.0 if self.lambda_init is None else float(self.lambda_init)
        scores = []
        coef_old = None
        hist = History()
        with (
            numba_threads(self.n_jobs),
            progress_bar(total=self.max_iter, desc="BayesianRidge", verbose=self.verbose) as bar,
        ):
            for iteration in range(self.max_iter):
                coef, sse = spec.coef_sse(alpha_, lambda_)
                if self.compute_score:
                    scores.append(self._log_marginal_likelihood(
                        n_samples, n_features, sw_sum, spec.eig, alpha_, lambda_, coef, sse
                    ))  # fmt: skip
                gamma = float(np.sum(alpha_ * spec.eig / (lambda_ + alpha_ * spec.eig)))
                lambda_ = (gamma + 2 * self.lambda_1) / (float(coef @ coef) + 2 * self.lambda_2)
                alpha_ = (sw_sum - gamma + 2 * self.alpha_1) / (sse + 2 * self.alpha_2)
                hist.record(alpha=alpha_, **{"lambda": lambda_})
                bar.update(1)
                if iteration != 0 and np.sum(np.abs(coef_old - coef)) < self.tol:
                    break
                coef_old = coef
            last_coef = coef
            coef, sse = spec.coef_sse(alpha_, lambda_)
        if self.compute_score:
            # scikit-learn's last score pairs the final SSE with the previous iteration's
            # coefficients; kept so that scores_ match
            scores.append(self._log_marginal_likelihood(
                n_samples, n_features, sw_sum, spec.eig, alpha_, lambda_, last_coef, sse
            ))  # fmt: skip
        self.n_iter_ = iteration + 1
        self.alpha_ = dtype.type(alpha_)
        self.lambda_ = dtype.type(lambda_)
        self.scores_ = np.array(scores) if self.compute_score else []
        eig_full = np.zeros(n_features)
        eig_full[: spec.eig.shape[0]] = spec.eig
        V = spec.V
        self.sigma_ = ((V / (alpha_ * eig_full + lambda_)) @ V.T).astype(dtype)
        self.coef_ = coef.astype(dtype)
        self.X_offset_ = np.asarray(x_mean, dtype=dtype)
        self.X_scale_ = np.ones(n_features, dtype=dtype)
        self.intercept_ = dtype.type(y_mean - x_mean @ coef) if self.fit_intercept else 0.0
        self.history_ = hist.as_dict()
        return self

    def _log_marginal_likelihood(
        self, n_samples, n_features, sw_sum, eig, alpha_, lambda_, coef, sse
    ):
        """Log marginal likelihood (MacKay's evidence) with the Gamma priors' terms."""
        if n_samples > n_features:
            logdet_sigma = -np.sum(np.log(lambda_ + alpha_ * eig))
        else:
            full = np.full(n_features, lambda_)
            full[:n_samples] += alpha_ * eig[:n_samples]
            logdet_sigma = -np.sum(np.log(full))
        score = self.lambda_1 * log(lambda_) - self.lambda_2 * lambda_
        score += self.alpha_1 * log(alpha_) - self.alpha_2 * alpha_
        score += 0.5 * (
            n_features * log(lambda_)
            + sw_sum * log(alpha_)
            - alpha_ * sse
            - lambda_ * float(coef @ coef)
            + logdet_sigma
            - sw_sum * log(2 * np.pi)
        )
        return float(score)

    def predict(self, X, return_std=False):
        """Predict with the posterior mean, and optionally the predictive standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        return_std : bool, default=False
            Whether to return the standard deviation of the predictive distribution.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
            Mean of the predictive distribution.
        y_std : ndarray of shape (n_samples,)
            Its standard deviation, ``sqrt(x^T sigma_ x + 1 / alpha_)`` (only when
            ``return_std``).
        """
        check_is_fitted(self)
        y_mean = _linear_predict(self, X)
        if not return_std:
            return y_mean
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Xc = X - self.X_offset_.astype(X.dtype)
        var = np.einsum("ij,ij->i", Xc @ self.sigma_.astype(X.dtype), Xc)
        return y_mean, np.sqrt(var + 1.0 / self.alpha_)
