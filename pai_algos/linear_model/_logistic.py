"""Logistic regression (binary and multinomial) with L2, L1 or elastic-net penalties.

Three solvers share one objective: L-BFGS over a fused loss/gradient kernel, Newton's method
with a Cholesky solve of the exact Hessian, and SAGA epochs (proximal steps for the L1 part).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import linalg, optimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
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
_SOLVERS = ("lbfgs", "newton-cholesky", "saga")


def _check_solver(solver, penalty):
    """scikit-learn's penalty/solver compatibility rules, with its messages."""
    if solver != "saga" and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty."
        )


def _resolve_penalty(penalty, C, l1_ratio, solver):
    """``(penalty, C, l1_ratio)`` as the solvers see them; raises on a bad combination.

    ``penalty="auto"`` follows scikit-learn >= 1.8: ``C=np.inf`` means no penalty, else
    ``l1_ratio`` 0, 1 or in between means "l2", "l1" or "elasticnet".
    """
    C = float(C)
    l1_ratio = float(l1_ratio)
    if penalty == "auto":
        if np.isinf(C):
            penalty = None
        elif l1_ratio == 0.0:
            penalty = "l2"
        elif l1_ratio == 1.0:
            penalty = "l1"
        else:
            penalty = "elasticnet"
    elif penalty != "elasticnet" and 0.0 < l1_ratio < 1.0:
        warnings.warn(
            f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
            stacklevel=3,
        )
    _check_solver(solver, penalty)
    if penalty is None:
        return None, np.inf, 0.0
    ratio = {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)
    return penalty, C, ratio


def _prepare_targets(X, y, sample_weight, class_weight):
    """Classes, class indices and float64 sample weights (times the class weights)."""
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but the data "
            f"contains only one class: {classes[0]!r}"
        )
    sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, copy=True)
    if class_weight is not None:
        weights = compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        sample_weight *= weights[y_index]
    return classes, y_index.astype(np.int64), sample_weight


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

    def hessian(self, w):
        """Hessian of ``f`` in the layout of ``w`` (CPU kernels only)."""
        coef, intercept = self.split(w)
        d = self.n_features
        size = self.n_outputs * (d + 1)
        hess = np.empty((size, size))
        if self.sparse:
            self.module.logistic_hessian_csr(
                *self.args, self.y, self.sample_weight, coef, intercept, hess
            )
        else:
            self.module.logistic_hessian(
                *self.args, self.y, self.sample_weight, coef, intercept, hess
            )
        hess /= self.sw_sum
        is_coef = (np.arange(size) % (d + 1)) < d
        hess[np.flatnonzero(is_coef), np.flatnonzero(is_coef)] += self.l2
        if self.n_outputs > 1:
            # the softmax loss does not change when a constant is added to every class's
            # intercept (or, unpenalised, to every class's coefficient of one feature); the
            # gradient is orthogonal to those directions, so a curvature added along them
            # makes the Hessian invertible without changing the Newton step
            flat = (~is_coef[: d + 1]) | (self.l2 == 0.0)
            scale = float(np.mean(np.diag(hess))) or 1.0
            block = np.full((self.n_outputs, self.n_outputs), scale / self.n_outputs)
            hess += np.kron(block, np.diag(flat.astype(float)))
        if not self.fit_intercept:
            hess = hess[np.ix_(is_coef, is_coef)]
        return hess


def _lbfgs(objective, w0, tol, max_iter, on_iter):
    result = optimize.minimize(
        objective,
        w0,
        method="L-BFGS-B",
        jac=True,
        callback=lambda intermediate_result: on_iter(intermediate_result.fun),
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": _FTOL},
    )
    if result.status == 1 and max_iter > 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) (status=1): "
            f"{result.message}. Increase max_iter or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return result.x, int(result.nit)


def _newton_cholesky(objective, w0, tol, max_iter, on_iter):
    """Damped Newton: Cholesky solve of the exact Hessian, backtracking (Armijo) line search.

    Stops, as scikit-learn's solver does, once ``max |grad| <= tol`` and half the Newton
    decrement ``step^T H step / 2 <= tol``. The multinomial Hessian is made invertible in
    :meth:`_Objective.hessian`; should a Cholesky factorisation still fail, the least-squares
    step is taken.
    """
    w = w0.copy()
    loss, grad = objective(w)
    for it in range(max_iter):
        hess = objective.hessian(w)
        try:
            step = -linalg.cho_solve(linalg.cho_factor(hess, lower=False), grad)
            if not np.all(np.isfinite(step)):
                raise linalg.LinAlgError
        except linalg.LinAlgError:
            step = -linalg.lstsq(hess, grad, cond=1e-12)[0]
        slope = float(grad @ step)
        t = 1.0
        for _ in range(40):
            new_loss, new_grad = objective(w + t * step)
            if new_loss <= loss + 1e-4 * t * slope or new_loss <= loss and t < 1e-6:
                break
            t *= 0.5
        else:
            warnings.warn(
                "newton-cholesky line search failed to decrease the objective "
                f"(iteration {it + 1}); stopping. Scale the data or increase C.",
                ConvergenceWarning,
                stacklevel=4,
            )
            return w, it
        w = w + t * step
        loss, grad = new_loss, new_grad
        on_iter(loss)
        if np.max(np.abs(grad)) <= tol and 0.5 * float(step @ hess @ step) <= tol:
            return w, it + 1
    if max_iter > 0:
        warnings.warn(
            f"newton-cholesky failed to converge after {max_iter} iteration(s). "
            "Increase max_iter or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return w, max_iter


def _saga(X, y, sample_weight, w0, l2, l1, fit_intercept, tol, max_iter, random_state, on_iter):
    """SAGA epochs; stops when the largest change of a parameter over an epoch is below
    ``tol`` times the largest parameter (scikit-learn's rule, intercepts included)."""
    module = kernels("linear_saga", "cpu")
    helpers = kernels("linear_sgd", "cpu")
    n = X.shape[0]
    n_outputs = w0.shape[0]
    d = X.shape[1]
    # s_i n / S: the data term becomes a plain mean over rows, as the kernel expects
    sw = sample_weight * (n / float(np.sum(sample_weight)))
    if sp.issparse(X):
        sq_norms = helpers.row_sq_norms_csr(X.data, X.indptr)
        args = (X.data, X.indices, X.indptr)
        epoch = module.saga_epoch_csr
    else:
        sq_norms = helpers.row_sq_norms(X)
        args = (X,)
        epoch = module.saga_epoch
    step = module.saga_step_size(np.max(sw * (sq_norms + fit_intercept)), l2, n)
    coef = np.array(w0[:, :d], order="C")  # a copy: the kernel updates it in place
    intercept = w0[:, d].copy() if fit_intercept else np.zeros(n_outputs)
    sum_grad = np.zeros_like(coef)
    intercept_sum_grad = np.zeros(n_outputs)
    memory = np.zeros((n, n_outputs))
    seen = np.zeros(n, dtype=np.uint8)
    n_seen = 0
    rng = check_random_state(random_state)
    previous = np.hstack([coef, intercept[:, None]])
    for it in range(max_iter):
        order = rng.randint(0, n, size=n).astype(np.int64)
        n_seen, data_loss = epoch(
            *args, y, sw, order, coef, intercept, sum_grad, intercept_sum_grad, memory, seen,
            n_seen, step, l2, l1, fit_intercept,
        )  # fmt: skip
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise FloatingPointError(
                "saga diverged (non-finite coefficients); scale the data or lower C."
            )
        on_iter(
            data_loss / n + 0.5 * l2 * float(np.sum(coef * coef)) + l1 * float(np.sum(np.abs(coef)))
        )
        current = np.hstack([coef, intercept[:, None]])
        max_weight = np.max(np.abs(current))
        max_change = np.max(np.abs(current - previous))
        previous = current
        if max_change <= tol * max_weight:
            return current, it + 1
    if max_iter > 0:
        warnings.warn(
            "The max_iter was reached which means the coef_ did not converge",
            ConvergenceWarning,
            stacklevel=4,
        )
    return np.hstack([coef, intercept[:, None]]), max_iter


def _fit_coef(
    X,
    y,
    sample_weight,
    w0,
    *,
    solver,
    C,
    l1_ratio,
    fit_intercept,
    tol,
    max_iter,
    device="cpu",
    random_state=None,
    verbose=0,
    desc="LogisticRegression",
):
    """Minimise the objective for one ``(C, l1_ratio)`` from ``w0`` (n_outputs, n_features + 1).

    Returns the parameters in the layout of ``w0`` (last column: intercepts, zero without
    ``fit_intercept``), the number of iterations and the history dict. ``X`` is validated
    (C-contiguous, CSR with sorted indices), ``y`` the class indices.
    """
    n_outputs, width = w0.shape
    d = width - 1
    sw_sum = float(np.sum(sample_weight))
    strength = 0.0 if np.isinf(C) else 1.0 / (C * sw_sum)
    l2 = (1.0 - l1_ratio) * strength
    l1 = l1_ratio * strength
    hist = History()
    with (
        # one BLAS thread: the solvers' vector updates are tiny, and idle BLAS threads
        # spinning beside Numba's would steal cores from the kernels
        blas_single_thread(),
        progress_bar(total=max_iter, desc=desc, verbose=verbose) as bar,
    ):

        def on_iter(loss):
            hist.record(loss=loss)
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.6g}")

        if solver == "saga":
            w, n_iter = _saga(
                X, y, sample_weight, w0, l2, l1, fit_intercept, tol, max_iter, random_state,
                on_iter,
            )  # fmt: skip
        else:
            objective = _Objective(
                kernels("linear", device), X, y, sample_weight, n_outputs, fit_intercept, l2
            )
            start = np.ascontiguousarray(w0 if fit_intercept else w0[:, :d]).ravel()
            run = _lbfgs if solver == "lbfgs" else _newton_cholesky
            x, n_iter = run(objective, start, tol, max_iter, on_iter)
            coef, intercept = objective.split(x)
            w = np.hstack([coef, intercept[:, None]])
    if n_outputs > 1:
        # the symmetric solution among the equivalent ones (what a start from zero gives)
        w[:, d] -= w[:, d].mean()
        if l1 == 0.0 and l2 == 0.0:
            w[:, :d] -= w[:, :d].mean(axis=0)
    return w, n_iter, hist.as_dict()


class _LogisticProbaMixin:
    """``predict_proba`` / ``predict_log_proba`` from the linear scores (sigmoid or softmax)."""

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


class LogisticRegression(
    DeviceMixin, _LogisticProbaMixin, _LinearClassifierMixin, ClassifierMixin, BaseEstimator
):
    """Logistic regression with an L2, L1 or elastic-net penalty, on Numba or CUDA kernels.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression` with the solvers
    "lbfgs", "newton-cholesky" and "saga": two classes use the binary logistic loss, more
    classes the multinomial (softmax) loss, and the objective is scikit-learn's, so the
    coefficients agree with it.

    Parameters
    ----------
    penalty : {"auto", "l2", "l1", "elasticnet"} or None, default="auto"
        "auto" follows scikit-learn 1.8+, where ``penalty`` is deprecated: the penalty is
        set by ``l1_ratio`` (0: "l2", 1: "l1", in between: "elasticnet") and ``C=np.inf``
        means none. An explicit value is honoured as in earlier scikit-learn releases
        (``None`` fits without penalty and ignores ``C``).
    tol : float, default=1e-4
        Stopping tolerance: on the largest projected gradient component (lbfgs), on the
        gradient and the Newton decrement (newton-cholesky), on the relative change of the
        parameters over an epoch (saga).
    C : float, default=1.0
        Inverse of the regularisation strength; smaller values penalise more.
        ``np.inf`` fits without penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing: the penalty is ``l1_ratio * L1 + (1 - l1_ratio) * L2``. Only
        "saga" supports ``l1_ratio > 0``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept per output.
    class_weight : dict or "balanced", default=None
        Weights per class, multiplied into ``sample_weight``. "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))`` (weighted by ``sample_weight``).
    random_state : int, RandomState instance or None, default=None
        Draws the rows SAGA visits; the other solvers are deterministic.
    solver : {"lbfgs", "newton-cholesky", "saga"}, default="lbfgs"
        "lbfgs": :func:`scipy.optimize.minimize` (L-BFGS-B) over a fused loss/gradient
        kernel; L2 or no penalty. "newton-cholesky": Newton steps with the exact Hessian
        (memory grows as ``(n_features * n_classes)^2``; good when ``n_samples`` is much
        larger); L2 or no penalty. "saga": stochastic average gradient with proximal L1
        steps; every penalty, dense or CSR input (sparse rows are updated just in time).
    max_iter : int, default=100
        Maximum number of iterations (epochs for "saga").
    verbose : int, default=0
        Show a progress bar over the iterations when positive.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_`` when their shapes fit.
    n_jobs : int, default=None
        Number of Numba threads for the CPU kernels (None: global config; -1: all).
        SAGA is sequential and uses one.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the loss and gradient are computed ("lbfgs" only: the other solvers run on
        the CPU, and ``device="cuda"`` with them is an error). "auto" picks a GPU for
        large dense inputs when one is present.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for a binary problem (the score of ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,)
        Number of iterations (epochs for "saga") run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the fit ran.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (the objective) per iteration. For "saga"
        the data term is the mean of the row losses met during the epoch, each at the
        weights before its step (a running estimate that costs no extra pass).

    See Also
    --------
    LogisticRegressionCV : Logistic regression with ``C`` (and ``l1_ratio``) chosen by
        cross-validation.
    sklearn.linear_model.LogisticRegression : The scikit-learn estimator this one mirrors.

    Notes
    -----
    With sample weights :math:`s_i` (times the class weights), :math:`S = \\sum_i s_i` and
    :math:`r` = ``l1_ratio``, the objective is scikit-learn's,

    .. math::

        \\min_{W, b} \\frac{1}{S} \\sum_i s_i \\, \\ell(y_i, W x_i + b)
        + \\frac{1}{C S} \\Big( \\frac{1 - r}{2} \\lVert W \\rVert_F^2
        + r \\lVert W \\rVert_1 \\Big),

    with :math:`\\ell(y, z) = \\log(1 + e^z) - y z` for two classes and
    :math:`\\ell(y, z) = \\log \\sum_k e^{z_k} - z_y` (multinomial) otherwise; the intercept
    is not penalised. One pass over the rows computes the loss and its gradient (parallel
    over row chunks, partial sums in float64 reduced in a fixed order, so the result does
    not depend on the thread count); "newton-cholesky" adds a pass for the Hessian
    :math:`\\sum_i s_i \\, (\\mathrm{diag}(p_i) - p_i p_i^T) \\otimes \\tilde x_i \\tilde x_i^T`.
    "saga" is the proximal SAGA of [3]_ with scikit-learn's step
    :math:`1 / (2L + \\min(2 n \\alpha, L))`, :math:`L = \\max_i s_i \\lVert \\tilde x_i
    \\rVert^2 / 4 + \\alpha`, and its just-in-time updates for sparse rows [4]_.
    float32 input is read as float32.

    On ``device="cuda"`` ("lbfgs") the data are copied to the GPU once per fit; dense input
    uses a deterministic chunked reduction, CSR input a row kernel with atomic adds (see
    :mod:`pai_algos_native.cuda.linear`).

    References
    ----------
    .. [1] Liu, D. C. and Nocedal, J., "On the limited memory BFGS method for large scale
       optimization", Mathematical Programming 45, 503-528 (1989).
    .. [2] Bishop, C. M., "Pattern Recognition and Machine Learning", Springer (2006),
       section 4.3.4 (multiclass logistic regression).
    .. [3] Defazio, A., Bach, F. and Lacoste-Julien, S., "SAGA: A fast incremental gradient
       method with support for non-strongly convex composite objectives", NeurIPS (2014).
    .. [4] Schmidt, M., Le Roux, N. and Bach, F., "Minimizing finite sums with the
       stochastic average gradient", Mathematical Programming 162, 83-112 (2017).

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

    An L1 penalty (``l1_ratio=1``) with the "saga" solver zeroes some coefficients:

    >>> sparse = LogisticRegression(
    ...     l1_ratio=1.0, C=0.1, solver="saga", max_iter=1000, random_state=0
    ... ).fit(X, y)
    >>> bool((sparse.coef_ == 0).any())
    True
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"auto", "l1", "l2", "elasticnet"}), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [StrOptions(set(_SOLVERS))],
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
        penalty="auto",
        *,
        tol=1e-4,
        C=1.0,
        l1_ratio=0.0,
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
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.device = device

    def _fit_device(self, X):
        device = self._resolve_device(X)
        if device == "cuda" and self.solver != "lbfgs":
            if self.device == "cuda":
                raise ValueError(
                    f"solver={self.solver!r} runs on the CPU only; use solver='lbfgs' for "
                    "device='cuda', or device='cpu'."
                )
            device = "cpu"
        return device

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
        _, C, l1_ratio = _resolve_penalty(self.penalty, self.C, self.l1_ratio, self.solver)
        # before validate_data, which sets n_features_in_: a missing GPU leaves nothing fitted
        device = self._fit_device(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            reset=True,
        )
        classes, y_index, sample_weight = _prepare_targets(X, y, sample_weight, self.class_weight)
        if sp.issparse(X):
            X.sort_indices()
        n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
        n_features = X.shape[1]
        w0 = np.zeros((n_outputs, n_features + 1))
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape == (n_outputs, n_features):
                w0[:, :n_features] = self.coef_
                if self.fit_intercept:
                    w0[:, n_features] = self.intercept_

        with numba_threads(self.n_jobs):
            w, n_iter, history = _fit_coef(
                X,
                y_index,
                sample_weight,
                w0,
                solver=self.solver,
                C=C,
                l1_ratio=l1_ratio,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                device=device,
                random_state=self.random_state,
                verbose=self.verbose,
            )
        self.classes_ = classes
        self.coef_ = w[:, :n_features].astype(X.dtype)
        self.intercept_ = w[:, n_features].astype(X.dtype)
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        self.device_ = device
        self.history_ = history
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
