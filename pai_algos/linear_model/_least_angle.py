"""Least-angle regression (LARS) and the Lasso computed by LARS, on the Gram matrix.

The data are read once (:func:`pai_algos.linear_model._base._gram_moments`, a parallel Numba
pass) to form the centred ``X^T X`` and ``X^T y``; the path itself runs in
:func:`pai_algos_native.cpu.linear_lars.lars_path_gram` with Cholesky updates of the
active-set Gram.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from pai_algos_native import kernels

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ._base import _as_targets, _gram_moments, _linear_predict

__all__ = ["Lars", "LassoLars"]

_EPS = float(np.finfo(float).eps)


def _lars_moments(est, X, Y, Xy):
    """Centred Gram matrix, ``X^T y`` and the means, honouring ``precompute`` and ``Xy``."""
    n, d = X.shape
    sw = np.ones(n)
    G, B, x_mean, y_mean, _ = _gram_moments(X, Y, sw, est.fit_intercept, "cpu", None)
    if hasattr(est.precompute, "__array__"):
        G = np.array(est.precompute, dtype=np.float64, order="C")
        if G.shape != (d, d):
            raise ValueError(
                f"The precomputed Gram matrix has shape {G.shape}, expected {(d, d)} "
                "(n_features, n_features)."
            )
    if Xy is not None:
        B = np.asarray(Xy, dtype=np.float64).reshape(d, -1)
        if B.shape[1] != Y.shape[1]:
            raise ValueError(
                f"Xy has {B.shape[1]} columns but y has {Y.shape[1]} targets; Xy must be of "
                "shape (n_features,) or (n_features, n_targets)."
            )
    return G, np.ascontiguousarray(B), x_mean, y_mean


class Lars(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Least-angle regression (LAR), on the Gram matrix with Cholesky updates.

    A drop-in for :class:`sklearn.linear_model.Lars`: the same parameters, attributes and
    path. The data are read once to form the centred Gram matrix and ``X^T y`` (a parallel
    Numba pass, float64); the path is then computed by a Numba kernel that updates the
    Cholesky factor of the active-set Gram one row at a time.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept (the data are centred implicitly).
    verbose : bool or int, default=False
        Kept for scikit-learn compatibility (the kernel prints nothing).
    precompute : bool, "auto" or array-like, default="auto"
        The Gram matrix is always formed; an array of shape (n_features, n_features) is used
        as the Gram matrix of the (centred) design instead.
    n_nonzero_coefs : int, default=500
        Target number of non-zero coefficients (the maximum number of steps).
    eps : float, default=np.finfo(float).eps
        Floor of the Cholesky diagonal; increase it for very ill-conditioned systems.
    copy_X : bool, default=True
        Kept for scikit-learn compatibility: ``X`` is never modified.
    fit_path : bool, default=True
        Whether to store the whole path in ``coef_path_``.
    jitter : float, default=None
        Upper bound of a uniform noise added to ``y`` (breaks ties between variables).
    random_state : int, RandomState instance or None, default=None
        Seed of the jitter; ignored when ``jitter`` is None.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas + 1,) or list of such arrays
        Maximum absolute correlation (divided by ``n_samples``) at each node of the path.
    active_ : list of int or list of such lists
        Indices of the active variables at the end of the path, in order of entry.
    coef_path_ : ndarray of shape (n_features, n_alphas + 1) or list of such arrays
        Coefficients along the path (only when ``fit_path=True``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients at the end of the path.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    n_iter_ : int or list of int
        Number of steps of the path, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.Lars : The scikit-learn estimator this one mirrors.
    LassoLars : The Lasso path computed by LARS.
    OrthogonalMatchingPursuit : Greedy forward selection with full refits.

    Notes
    -----
    With the active set :math:`A`, signs :math:`s_A` and the Gram matrix :math:`G`, LARS
    moves the coefficients along the equiangular direction
    :math:`w_A = A_A G_{AA}^{-1} s_A`, :math:`A_A = (s_A^T G_{AA}^{-1} s_A)^{-1/2}`
    (Efron et al. 2004, eq. 2.5) by the step :math:`\\gamma = \\min^+_{j \\notin A}
    \\{(C - c_j) / (A_A - a_j), (C + c_j) / (A_A + a_j)\\}` (eq. 2.13), where :math:`c` are the
    current correlations and :math:`a = G_{\\cdot A} w_A`. The factor
    :math:`G_{AA} = L L^T` gains one row per entering variable (a forward substitution), so a
    step costs :math:`O(|A|^2 + |A| p)` after the one pass over the data that forms
    :math:`G`. The degenerate-regressor and rounding rules follow scikit-learn's
    ``lars_path``, so the paths agree to rounding. The Gram matrix is formed even when
    ``n_features > n_samples`` (scikit-learn then works on ``X``): the paths agree, but the
    memory is ``O(n_features^2)``. With ``fit_path=False`` and a one-dimensional ``y``,
    ``coef_`` is one-dimensional (scikit-learn keeps a ``(1, n_features)`` array there).

    References
    ----------
    .. [1] Efron, B., Hastie, T., Johnstone, I. and Tibshirani, R., "Least angle
       regression", Annals of Statistics 32(2), 407-499 (2004).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import Lars
    >>> X = np.array([[-1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    >>> reg = Lars(n_nonzero_coefs=1).fit(X, [-1.1111, 0.0, -1.1111])
    >>> reg.coef_.round(4)
    array([ 0.    , -1.1111])
    >>> reg.active_
    [1]
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "verbose": ["verbose"],
        "precompute": ["boolean", StrOptions({"auto"}), np.ndarray, None],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, 0, None, closed="left")],
        "copy_X": ["boolean"],
        "fit_path": ["boolean"],
        "jitter": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    _preserves_float32 = True
    method = "lar"
    positive = False

    def __init__(
        self,
        *,
        fit_intercept=True,
        verbose=False,
        precompute="auto",
        n_nonzero_coefs=500,
        eps=_EPS,
        copy_X=True,
        fit_path=True,
        jitter=None,
        random_state=None,
    ):
        self.fit_intercept = fit_intercept
        self.verbose = verbose
        self.precompute = precompute
        self.n_nonzero_coefs = n_nonzero_coefs
        self.eps = eps
        self.copy_X = copy_X
        self.fit_path = fit_path
        self.jitter = jitter
        self.random_state = random_state

    def _path_params(self):
        return self.n_nonzero_coefs, 0.0

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, Xy=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        Xy : array-like of shape (n_features,) or (n_features, n_targets), default=None
            Precomputed ``X^T y`` of the centred data.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        Y = _as_targets(y)
        if self.jitter is not None:
            rng = check_random_state(self.random_state)
            Y = Y + rng.uniform(high=self.jitter, size=len(Y))[:, None]
        max_iter, alpha = self._path_params()
        G, B, x_mean, y_mean = _lars_moments(self, X, Y, Xy)
        module = kernels("linear_lars", "cpu")
        n_samples, n_features = X.shape
        n_targets = Y.shape[1]
        dtype = X.dtype
        coef = np.empty((n_targets, n_features))
        alphas, actives, paths, n_iters = [], [], [], []
        status = 0
        max_iter = int(min(max_iter, np.iinfo(np.int64).max))
        for k in range(n_targets):
            a, path, active, n_iter, st = module.lars_path_gram(
                G,
                np.ascontiguousarray(B[:, k]),
                float(n_samples),
                max_iter,
                float(alpha),
                self.method == "lasso",
                bool(self.positive),
                float(self.eps),
            )
            status |= st
            coef[k] = path[-1]
            alphas.append(a.astype(dtype) if self.fit_path else a[-1:].astype(dtype))
            actives.append([int(i) for i in active])
            paths.append(path.T.astype(dtype))
            n_iters.append(int(n_iter))
        _warn(status, module)
        single = y.ndim == 1
        self.alphas_ = alphas[0] if single else alphas
        self.n_iter_ = n_iters[0] if single else n_iters
        if self.fit_path:
            self.active_ = actives[0] if single else actives
            self.coef_path_ = paths[0] if single else paths
        intercept = y_mean - coef @ x_mean
        if single:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = coef.astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of ``X``.
        """
        out = _linear_predict(self, X)
        return out.ravel() if np.ndim(self.coef_) == 1 else out


def _warn(status, module):
    if status & module.DEGENERATE:
        warnings.warn(
            "Regressors in active set degenerate. Dropping a regressor: the Cholesky pivot of "
            "the active-set Gram fell below 1e-7. Reduce max_iter or increase eps.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if status & module.EARLY_STOP:
        warnings.warn(
            "Early stopping the lars path, as the residues are small and the current value "
            "of alpha is no longer well controlled.",
            ConvergenceWarning,
            stacklevel=3,
        )


class LassoLars(Lars):
    """The Lasso computed by least-angle regression (LARS with the Lasso modification).

    A drop-in for :class:`sklearn.linear_model.LassoLars`. It minimises

    .. math:: \\frac{1}{2 n} \\|y - Xw\\|_2^2 + \\alpha \\|w\\|_1

    by following the Lasso path from :math:`\\alpha_{max}` down to ``alpha`` (exact,
    piecewise linear), with the same Gram kernel as :class:`Lars`.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 penalty; the path stops there.
    fit_intercept : bool, default=True
        Whether to fit an intercept (the data are centred implicitly).
    verbose : bool or int, default=False
        Kept for scikit-learn compatibility (the kernel prints nothing).
    precompute : bool, "auto" or array-like, default="auto"
        The Gram matrix is always formed; an array of shape (n_features, n_features) is used
        as the Gram matrix of the (centred) design instead.
    max_iter : int, default=500
        Maximum number of steps.
    eps : float, default=np.finfo(float).eps
        Floor of the Cholesky diagonal; increase it for very ill-conditioned systems.
    copy_X : bool, default=True
        Kept for scikit-learn compatibility: ``X`` is never modified.
    fit_path : bool, default=True
        Whether to store the whole path in ``coef_path_``.
    positive : bool, default=False
        Restrict the coefficients to be non-negative.
    jitter : float, default=None
        Upper bound of a uniform noise added to ``y`` (breaks ties between variables).
    random_state : int, RandomState instance or None, default=None
        Seed of the jitter; ignored when ``jitter`` is None.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas + 1,) or list of such arrays
        The values of alpha at the nodes of the path (``alphas_[-1] == alpha`` unless the
        path ended earlier).
    active_ : list of int or list of such lists
        Indices of the active variables at the end of the path.
    coef_path_ : ndarray of shape (n_features, n_alphas + 1) or list of such arrays
        Coefficients along the path (only when ``fit_path=True``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients at ``alpha``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    n_iter_ : int or list of int
        Number of steps of the path, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LassoLars : The scikit-learn estimator this one mirrors.
    Lasso : The same objective by coordinate descent.
    Lars : Least-angle regression without the Lasso modification.

    Notes
    -----
    The Lasso modification of LARS (Efron et al. 2004, section 3.1, eq. 3.5): when an active
    coefficient would cross zero before the next variable enters, the step stops there and
    that variable leaves the active set; its Cholesky row is removed by Givens rotations
    and its correlation is recomputed from the original moments,
    :math:`c_j = (X^T y)_j - G_{j \\cdot} w`. With ``positive=True`` only positive
    correlations enter.

    References
    ----------
    .. [1] Efron, B., Hastie, T., Johnstone, I. and Tibshirani, R., "Least angle
       regression", Annals of Statistics 32(2), 407-499 (2004).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import LassoLars
    >>> X = np.array([[-1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    >>> reg = LassoLars(alpha=0.01).fit(X, [-1.0, 0.0, -1.0])
    >>> reg.coef_.round(3)
    array([ 0.   , -0.955])
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in Lars._parameter_constraints.items() if k != "n_nonzero_coefs"},
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "positive": ["boolean"],
    }

    method = "lasso"

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        verbose=False,
        precompute="auto",
        max_iter=500,
        eps=_EPS,
        copy_X=True,
        fit_path=True,
        positive=False,
        jitter=None,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.verbose = verbose
        self.positive = positive
        self.precompute = precompute
        self.copy_X = copy_X
        self.eps = eps
        self.fit_path = fit_path
        self.jitter = jitter
        self.random_state = random_state

    def _path_params(self):
        return self.max_iter, self.alpha
