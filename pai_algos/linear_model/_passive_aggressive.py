"""Passive-aggressive classification (PA-I / PA-II) on the SGD kernels."""

from __future__ import annotations

from numbers import Real

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._sgd_base import BaseSGDClassifier

__all__ = ["PassiveAggressiveClassifier"]


class PassiveAggressiveClassifier(BaseSGDClassifier):
    """Online passive-aggressive classifier (Crammer et al., 2006) on Numba kernels.

    A drop-in for :class:`sklearn.linear_model.PassiveAggressiveClassifier` (deprecated
    there since 1.8 in favour of ``SGDClassifier(loss="hinge", penalty=None,
    learning_rate="pa1", eta0=C)``; kept here as a class of its own).

    Parameters
    ----------
    C : float, default=1.0
        Aggressiveness: the largest step (PA-I) or the step's regulariser (PA-II).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stopping tolerance on the epoch loss (None: never stop early).
    early_stopping : bool, default=False
        Stop on the accuracy of a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Size of the held-out set.
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.
    shuffle : bool, default=True
        Shuffle the rows before every epoch.
    verbose : int, default=0
        Show a progress bar when positive.
    loss : {"hinge", "squared_hinge"}, default="hinge"
        "hinge" is PA-I, "squared_hinge" PA-II.
    n_jobs : int, default=None
        Threads for the one-vs-all problems.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling.
    warm_start : bool, default=False
        Start from the previous solution.
    class_weight : dict, "balanced" or None, default=None
        Weights per class.
    average : bool or int, default=False
        Average the weights (ASGD).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    n_iter_ : int
        Epochs run.
    t_ : float
        Number of weight updates made, plus one.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` per epoch.

    See Also
    --------
    SGDClassifier : With ``learning_rate="pa1"`` or ``"pa2"``, the same algorithm.

    Notes
    -----
    With the hinge loss :math:`\\ell = \\max(0, 1 - y (w \\cdot x + b))`, each row moves the
    weights by :math:`\\tau y x` with :math:`\\tau = \\min(C, \\ell / \\lVert x \\rVert^2)`
    (PA-I) or :math:`\\tau = \\ell / (\\lVert x \\rVert^2 + 1 / (2C))` (PA-II).

    References
    ----------
    .. [1] Crammer, K., Dekel, O., Keshet, J., Shalev-Shwartz, S. and Singer, Y., "Online
       Passive-Aggressive Algorithms", JMLR 7, 551-585 (2006).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from pai_algos.linear_model import PassiveAggressiveClassifier
    >>> X, y = make_classification(n_features=4, random_state=0)
    >>> clf = PassiveAggressiveClassifier(max_iter=1000, random_state=0, tol=1e-3)
    >>> clf = clf.fit(X, y)
    >>> clf.coef_.shape
    (1, 4)
    >>> round(clf.score(X, y), 2)
    0.67
    """

    _parameter_constraints: dict = {**BaseSGDClassifier._parameter_constraints}
    for _name in ("eta0", "penalty", "alpha", "l1_ratio", "learning_rate", "power_t",
                  "epsilon"):  # fmt: skip
        _parameter_constraints.pop(_name)
    del _name
    _parameter_constraints["loss"] = [StrOptions({"hinge", "squared_hinge"})]
    _parameter_constraints["C"] = [Interval(Real, 0, None, closed="right")]

    _fast_params = {"max_iter": 20}
    _preserves_float32 = True
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is not equivalent to removing/repeating samples (stochastic)."
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "sample_weight is not equivalent to removing/repeating samples (stochastic)."
        ),
    }

    # fixed by the algorithm (read by the SGD machinery, not parameters)
    penalty = None
    alpha = 1.0
    l1_ratio = 0.0
    power_t = 0.5
    epsilon = 0.1

    def __init__(
        self,
        *,
        C=1.0,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        shuffle=True,
        verbose=0,
        loss="hinge",
        n_jobs=None,
        random_state=None,
        warm_start=False,
        class_weight=None,
        average=False,
    ):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.verbose = verbose
        self.loss = loss
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.average = average

    @property
    def eta0(self):
        return self.C

    def _sgd_loss(self):
        return "hinge"

    def _sgd_learning_rate(self):
        return "pa1" if self.loss == "hinge" else "pa2"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None):
        """Fit the passive-aggressive classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        coef_init : ndarray of shape (n_classes, n_features), default=None
            Initial coefficients.
        intercept_init : ndarray of shape (n_classes,), default=None
            Initial intercepts.

        Returns
        -------
        self : PassiveAggressiveClassifier
            The fitted estimator.
        """
        self._more_validate_params()
        return self._fit(X, y, None, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Run one epoch on the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Its labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the stream; required on the first call.

        Returns
        -------
        self : PassiveAggressiveClassifier
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            self._more_validate_params(for_partial_fit=True)
            if self.class_weight == "balanced":
                raise ValueError("class_weight 'balanced' is not supported for partial_fit.")
        return self._partial_fit(X, y, classes, None, 1, None, None, reset=False)
