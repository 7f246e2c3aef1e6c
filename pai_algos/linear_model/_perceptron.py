"""The perceptron: SGD on the perceptron loss with a constant step."""

from __future__ import annotations

from numbers import Real

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._sgd_base import BaseSGDClassifier

__all__ = ["Perceptron"]


class Perceptron(BaseSGDClassifier):
    """Perceptron, trained one row at a time on Numba kernels.

    A drop-in for :class:`sklearn.linear_model.Perceptron`: SGD with
    ``loss="perceptron"``, ``learning_rate="constant"``; one-vs-all for more classes.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        The regularisation term.
    alpha : float, default=0.0001
        Strength of the penalty.
    l1_ratio : float, default=0.15
        Elastic-net mixing, with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stopping tolerance on the epoch loss (None: never stop early).
    shuffle : bool, default=True
        Shuffle the rows before every epoch.
    verbose : int, default=0
        Show a progress bar when positive.
    eta0 : float, default=1.0
        The constant step size.
    n_jobs : int, default=None
        Threads for the one-vs-all problems.
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling.
    early_stopping : bool, default=False
        Stop on the accuracy of a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Size of the held-out set.
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.
    class_weight : dict, "balanced" or None, default=None
        Weights per class.
    warm_start : bool, default=False
        Start from the previous solution.

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
    sklearn.linear_model.Perceptron : The scikit-learn estimator this one mirrors.
    SGDClassifier : The general SGD classifier.

    Notes
    -----
    Rosenblatt's rule: for each misclassified row (:math:`y (w \\cdot x + b) \\le 0`,
    :math:`y \\in \\{-1, 1\\}`), :math:`w \\leftarrow w + \\eta_0 y x`. See
    :class:`SGDClassifier` for the epochs and the stopping rule.

    References
    ----------
    .. [1] Rosenblatt, F., "The perceptron: a probabilistic model for information storage
       and organization in the brain", Psychological Review 65(6), 386-408 (1958).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from pai_algos.linear_model import Perceptron
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = Perceptron(tol=1e-3, random_state=0).fit(X, y)
    >>> clf.coef_.shape
    (10, 64)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    _parameter_constraints: dict = {**BaseSGDClassifier._parameter_constraints}
    for _name in ("loss", "average", "learning_rate", "power_t", "epsilon"):
        _parameter_constraints.pop(_name)
    del _name
    _parameter_constraints["l1_ratio"] = [Interval(Real, 0, 1, closed="both")]
    _parameter_constraints["penalty"] = [StrOptions({"l2", "l1", "elasticnet"}), None]

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
    loss = "perceptron"
    learning_rate = "constant"
    power_t = 0.5
    epsilon = 0.1
    average = False

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the perceptron.

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
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : Perceptron
            The fitted estimator.
        """
        self._more_validate_params()
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch on the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Its labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the stream; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : Perceptron
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            self._more_validate_params(for_partial_fit=True)
            if self.class_weight == "balanced":
                raise ValueError("class_weight 'balanced' is not supported for partial_fit.")
        return self._partial_fit(X, y, classes, sample_weight, 1, None, None, reset=False)
