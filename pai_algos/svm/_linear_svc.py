"""Linear support vector classification (liblinear's formulations on Numba kernels)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
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
from ._base import (
    _kernel_data,
    _l1_columns,
    _primal_newton,
    _PrimalObjective,
    _resolve_dual,
    _seeds,
    _solver_for,
    _warn_if_not_converged,
)

__all__ = ["LinearSVC"]


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classifier: liblinear's problems, solved by Numba kernels.

    A drop-in for :class:`sklearn.svm.LinearSVC`: same parameters, same objective (the
    intercept is a penalised constant feature), same one-vs-rest scheme, so the coefficients
    agree with scikit-learn's up to the solvers' tolerance.

    Parameters
    ----------
    penalty : {"l1", "l2"}, default="l2"
        The norm of the penalty. "l1" (sparse ``coef_``) needs ``loss="squared_hinge"`` and
        ``dual=False``.
    loss : {"hinge", "squared_hinge"}, default="squared_hinge"
        The hinge loss (the standard SVM) needs ``penalty="l2"`` and ``dual=True``.
    dual : "auto" or bool, default="auto"
        Solve the dual (coordinate descent) or the primal problem (trust-region Newton for
        the l2 penalty, coordinate descent for l1). "auto" picks the dual when there are
        more features than samples and the combination allows it.
    tol : float, default=1e-4
        Stopping tolerance (liblinear's rules, see Notes).
    C : float, default=1.0
        Cost of the losses; the penalty weight is ``1 / C``.
    multi_class : {"ovr", "crammer_singer"}, default="ovr"
        "ovr" trains one binary problem per class (in parallel); "crammer_singer" optimises
        the joint multi-class objective of Crammer and Singer (``penalty``, ``loss`` and
        ``dual`` are then ignored).
    fit_intercept : bool, default=True
        Whether to fit an intercept (as the weight of a constant feature).
    intercept_scaling : float, default=1.0
        Value of that constant feature; larger values penalise the intercept less.
    class_weight : dict or "balanced", default=None
        ``C`` of class ``k`` becomes ``class_weight[k] * C`` ("balanced":
        ``n_samples / (n_classes * np.bincount(y))``, weighted by ``sample_weight``).
    verbose : int, default=0
        Show a progress bar over the outputs when positive.
    random_state : int, RandomState instance or None, default=None
        Seeds the random order of the coordinates in the coordinate-descent solvers.
    max_iter : int, default=1000
        Maximum outer iterations (passes, or Newton steps for the l2 primal).
    n_jobs : int, default=None
        Numba threads (None: global config; -1: all). Outputs run in parallel; the primal
        Newton solver parallelises each pass over the rows.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights (float64); one row for two classes (the score of ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,), or float
        Intercepts; ``0.0`` when ``fit_intercept=False``.
    n_iter_ : int
        The largest number of iterations over the outputs.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds``, ``output`` and ``loss`` (primal objective) or
        ``violation`` (the dual or L1 solver's stopping quantity) per outer iteration.

    See Also
    --------
    sklearn.svm.LinearSVC : The scikit-learn estimator this one mirrors.
    LinearSVR : Linear support vector regression.

    Notes
    -----
    With ``C_i = C s_i c_{y_i}`` (sample and class weights), ``x_i`` extended by the constant
    ``intercept_scaling`` and ``y_i = +-1`` for one output, the problem is

    .. math::

        \\min_w \\tfrac{1}{2} \\lVert w \\rVert_2^2 + \\sum_i C_i \\max(0, 1 - y_i w^T x_i)^p

    (``p = 1`` hinge, ``p = 2`` squared hinge), or ``||w||_1`` in place of the first term
    for ``penalty="l1"``. The dual solver is Algorithm 3 of [1]_ (random permutation and
    shrinking; stop when the projected-gradient spread is below ``tol``); the l2 primal
    solver a trust-region Newton method ([2]_, liblinear's TRON in Python over a fused Numba loss,
    gradient and Hessian-vector product; stop when ``||g|| <= tol' ||g_0||`` with liblinear's
    ``tol' = tol max(min(n_+, n_-), 1) / n``); the l1 solver the coordinate-descent Newton
    method of [3]_ (liblinear's solver 5, stop on the subgradient's L1 norm relative to the
    first pass, ``tol min(n_+, n_-) / n``). ``multi_class="crammer_singer"`` minimises
    :math:`\\tfrac12 \\lVert W \\rVert_F^2 + \\sum_i C_i \\max_m (1 - [m = y_i] + (w_m -
    w_{y_i})^T x_i)` by the sequential dual method of [4]_ (one sample's duals at a time,
    closed-form sub-problem, shrinking). As in liblinear, for more than two classes the
    class weight applies to each output's positive class only. Dense input is read in place
    (float32 stays float32 and products are formed in float64); ``coef_`` is float64.

    References
    ----------
    .. [1] Hsieh, C.-J., Chang, K.-W., Lin, C.-J., Keerthi, S. S. and Sundararajan, S., "A
       dual coordinate descent method for large-scale linear SVM", ICML (2008).
    .. [2] Lin, C.-J., Weng, R. C. and Keerthi, S. S., "Trust region Newton method for
       large-scale logistic regression", JMLR 9, 627-650 (2008).
    .. [3] Yuan, G.-X., Chang, K.-W., Hsieh, C.-J. and Lin, C.-J., "A comparison of
       optimization methods and software for large-scale L1-regularized linear
       classification", JMLR 11, 3183-3234 (2010).
    .. [4] Keerthi, S. S., Sundararajan, S., Chang, K.-W., Hsieh, C.-J. and Lin, C.-J., "A
       sequential dual method for large scale multi-class linear SVMs", KDD (2008).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from pai_algos.svm import LinearSVC
    >>> X, y = make_classification(n_features=4, random_state=0)
    >>> clf = LinearSVC(random_state=0, tol=1e-5).fit(X, y)
    >>> clf.coef_.shape
    (1, 4)
    >>> clf.predict([[0, 0, 0, 0]])
    array([1])
    >>> round(clf.score(X, y), 2)
    0.93
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l1", "l2"})],
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "dual": ["boolean", StrOptions({"auto"})],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "multi_class": [StrOptions({"ovr", "crammer_singer"})],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
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
        penalty="l2",
        loss="squared_hinge",
        *,
        dual="auto",
        tol=1e-4,
        C=1.0,
        multi_class="ovr",
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        verbose=0,
        random_state=None,
        max_iter=1000,
        n_jobs=None,
    ):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
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
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (multiply ``C`` per sample).

        Returns
        -------
        self : LinearSVC
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
        )
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}"
            )
        dual = _resolve_dual(self.dual, self.loss, self.penalty, self.multi_class, X)
        solver = _solver_for(self.multi_class, self.penalty, self.loss, dual)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        class_weight = compute_class_weight(
            self.class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
        n_classes = classes.shape[0]
        n_samples, n_features = X.shape
        pos = np.array([1]) if n_classes == 2 else np.arange(n_classes)
        C = float(self.C)
        c_pos = C * class_weight[pos]
        # liblinear: two classes weigh both sides; one-vs-rest weighs the positives only
        c_neg = np.full(pos.shape[0], C * class_weight[0] if n_classes == 2 else C)
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        seeds = _seeds(check_random_state(self.random_state), pos.shape[0])
        y_index = y_index.astype(np.int64)
        module = kernels("svm", "cpu")
        hist = History()
        n_out = pos.shape[0]
        raw = np.zeros((n_out, n_features + 1))
        with (
            numba_threads(self.n_jobs),
            blas_single_thread(),
            progress_bar(total=n_out, desc="LinearSVC", verbose=self.verbose) as bar,
        ):
            if solver == "crammer_singer":
                n_iter, raw = self._fit_crammer_singer(
                    module, X, bias, y_index, n_classes,
                    sample_weight * C * class_weight[y_index], seeds[0], hist
                )  # fmt: skip
                bar.update(n_out)
            elif solver == "primal":
                n_iter = np.zeros(n_out, dtype=np.int64)
                counts = np.bincount(y_index, minlength=n_classes)
                for k in range(n_out):
                    yk = np.where(y_index == pos[k], 1.0, -1.0)
                    Ci = sample_weight * np.where(yk > 0, c_pos[k], c_neg[k])
                    n_pos = counts[pos[k]]
                    rel_tol = self.tol * max(min(n_pos, n_samples - n_pos), 1) / n_samples
                    objective = _PrimalObjective(module, X, yk, Ci, bias, 0.0, False)
                    raw[k], n_iter[k] = _primal_newton(
                        objective, n_features + 1, rel_tol, self.max_iter, hist, k
                    )
                    bar.update(1)
            else:
                trace = np.zeros((n_out, self.max_iter))
                if solver == "dual":
                    call = module.dual_cd_svc_csr if sp.issparse(X) else module.dual_cd_svc
                    extra = (n_features,) if sp.issparse(X) else ()
                    n_iter = call(*_kernel_data(X), *extra, bias, y_index, pos, sample_weight,
                                  c_pos, c_neg, self.loss == "hinge", float(self.tol),
                                  self.max_iter, seeds, raw, trace)  # fmt: skip
                else:
                    n_iter = self._fit_l1(module, X, bias, y_index, pos, sample_weight, c_pos,
                                          c_neg, seeds, raw, trace)  # fmt: skip
                key = "violation"
                for k in range(n_out):
                    for t in range(int(n_iter[k])):
                        hist.record(output=k, **{key: trace[k, t]})
                bar.update(n_out)

        self.n_iter_ = int(np.max(n_iter)) if n_out else 0
        _warn_if_not_converged(self.n_iter_, self.max_iter, "LinearSVC")
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(raw[:, :n_features])
        self.intercept_ = bias * raw[:, n_features] if self.fit_intercept else 0.0
        self.history_ = hist.as_dict()
        return self

    def _fit_crammer_singer(self, module, X, bias, y_index, n_classes, Ci, seed, hist):
        n_features = X.shape[1]
        W = np.zeros((n_features + 1, n_classes))
        trace = np.zeros(self.max_iter)
        if sp.issparse(X):
            n_iter = module.crammer_singer_csr(X.data, X.indices, X.indptr, n_features, bias,
                                               y_index, n_classes, Ci, float(self.tol),
                                               self.max_iter, seed, W, trace)  # fmt: skip
        else:
            n_iter = module.crammer_singer(X, bias, y_index, n_classes, Ci, float(self.tol),
                                           self.max_iter, seed, W, trace)  # fmt: skip
        for t in range(int(n_iter)):
            hist.record(output=0, violation=trace[t])
        raw = np.ascontiguousarray(W.T)
        if n_classes == 2:  # one row: the score of classes_[1], as scikit-learn keeps it
            raw = raw[1:] - raw[:1]
        return np.array([n_iter]), raw

    def _fit_l1(self, module, X, bias, y_index, pos, sample_weight, c_pos, c_neg, seeds, raw,
                trace):  # fmt: skip
        data, indices, indptr, n_cols = _l1_columns(X, bias)
        n_samples = X.shape[0]
        counts = np.bincount(y_index, minlength=int(y_index.max()) + 1)[pos]
        tol = self.tol * np.minimum(counts, n_samples - counts) / n_samples
        coef = np.zeros((pos.shape[0], n_cols))
        n_iter = module.l1_cd_svc(data, indices, indptr, n_samples, y_index, pos, sample_weight,
                                  c_pos, c_neg, tol.astype(np.float64), self.max_iter, seeds,
                                  coef, trace)  # fmt: skip
        raw[:, : X.shape[1]] = coef[:, : X.shape[1]]
        if bias != 0.0:
            raw[:, X.shape[1]] = coef[:, X.shape[1]]
        return n_iter

    def decision_function(self, X):
        """Signed distances to the hyperplanes, one per sample (two classes) or per class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
