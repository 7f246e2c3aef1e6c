"""Linear classification and regression by stochastic gradient descent (Numba epochs)."""

from __future__ import annotations

from sklearn.utils.metaestimators import available_if

from ..utils._sklearn_compat import _fit_context
from ._sgd_base import DEFAULT_EPSILON, BaseSGDClassifier, BaseSGDRegressor

__all__ = ["SGDClassifier", "SGDRegressor"]


class SGDClassifier(BaseSGDClassifier):
    """Linear classifiers (SVM, logistic regression, ...) trained by SGD.

    A drop-in for :class:`sklearn.linear_model.SGDClassifier`: same parameters, attributes
    and stopping rule; the epochs run in Numba kernels (dense or CSR input, float32 kept).
    Multiclass problems are solved one-vs-all, the binary problems in parallel threads.

    Parameters
    ----------
    loss : {"hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron", \
"squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"}, \
default="hinge"
        The loss. "log_loss" gives logistic regression and "modified_huber" a smooth hinge;
        both offer :meth:`predict_proba`.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The regularisation term.
    alpha : float, default=0.0001
        Strength of the penalty; also sets the "optimal" learning rate.
    l1_ratio : float, default=0.15
        Elastic-net mixing (0: L2, 1: L1); used with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stop when the epoch objective has not improved by ``tol`` for
        ``n_iter_no_change`` epochs. None never stops early.
    shuffle : bool, default=True
        Shuffle the rows before every epoch.
    verbose : int, default=0
        Show a progress bar over the epochs when positive.
    epsilon : float, default=0.1
        Threshold of the "huber", "epsilon_insensitive" and "squared_epsilon_insensitive"
        losses.
    n_jobs : int, default=None
        Threads for the one-vs-all problems (None: global config; -1: all).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split.
    learning_rate : {"optimal", "constant", "invscaling", "adaptive", "pa1", "pa2"}, \
default="optimal"
        The step size schedule; "pa1"/"pa2" are the passive-aggressive steps (with
        ``loss="hinge"``), ``eta0`` playing ``C``.
    eta0 : float, default=0.01
        Initial step size for "constant", "invscaling" and "adaptive".
    power_t : float, default=0.5
        Exponent of "invscaling": ``eta = eta0 / t ** power_t``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop on the validation accuracy.
    validation_fraction : float, default=0.1
        Size of the held-out set for early stopping.
    n_iter_no_change : int, default=5
        Number of epochs without improvement before stopping.
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into the steps.
    warm_start : bool, default=False
        Start from the previous solution.
    average : bool or int, default=False
        Average the weights over the steps (ASGD); an int starts averaging after that
        many rows.
    ps : pai_algos.ps.PSConfig, default=None
        Train through the parameter server: minibatch SGD (``ps.batch_size`` rows per step;
        the mean gradient plus ``alpha * w`` on the columns a minibatch touches, scaled by
        the step's learning rate) with the weights on ``ps.num_servers`` shards and the rows
        on ``ps.num_workers`` workers. Supports ``penalty`` "l2" or None, without
        ``average`` or ``early_stopping``; ``tol`` is not used. None trains in this process
        (per-sample SGD, as scikit-learn).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights (the averaged ones with ``average``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    n_iter_ : int
        Epochs run (the largest over the one-vs-all problems).
    t_ : float
        Number of weight updates made, plus one.
    ps_stats_ : dict
        With ``ps``: what the parameter server did (see ``FTRLClassifier.ps_stats_``).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (the mean objective of each epoch; the mean
        over the one-vs-all problems for more than two classes).

    See Also
    --------
    sklearn.linear_model.SGDClassifier : The scikit-learn estimator this one mirrors.
    pai_algos.linear_model.LogisticRegression : Full-batch logistic regression.

    Notes
    -----
    Plain SGD with the step of scikit-learn's ``_plain_sgd``: for each row (shuffled every
    epoch), with :math:`p = w \\cdot x + b`,

    .. math::

        w \\leftarrow (1 - \\eta \\alpha (1 - \\rho)) w - \\eta \\, s \\,
        \\partial_p L(y, p) \\, x,

    followed by the L1 truncation for ``penalty`` "l1"/"elasticnet" (:math:`\\rho` is
    ``l1_ratio``). The shrinkage is a scalar factor on the weight vector and the L1 part is
    the cumulative-penalty truncation of Tsuruoka et al. [2]_; "optimal" uses
    :math:`\\eta_t = 1 / (\\alpha (t_0 + t))` with Bottou's heuristic :math:`t_0`.
    Training stops when the mean objective of an epoch has not improved by ``tol`` for
    ``n_iter_no_change`` epochs (or the validation score, with ``early_stopping``).
    The seeds are drawn as scikit-learn draws them and the rows are shuffled with its
    generator, so the same ``random_state`` visits the rows in the same order.

    The update of one row depends on the previous one, so the fit runs on the CPU (there
    is no ``device`` parameter); a multiclass fit runs its one-vs-all problems on parallel
    threads. :func:`pai_algos_native.cuda.linear_sgd.sgd_loss_grad` evaluates the SGD losses
    of a whole batch on a GPU.

    References
    ----------
    .. [1] Bottou, L., "Stochastic Gradient Descent Tricks", Neural Networks: Tricks of the
       Trade, Springer (2012).
    .. [2] Tsuruoka, Y., Tsujii, J. and Ananiadou, S., "Stochastic gradient descent
       training for L1-regularized log-linear models with cumulative penalty", ACL (2009).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from pai_algos.linear_model import SGDClassifier
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> clf = SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    >>> clf.coef_.shape
    (1, 5)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

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

    def __init__(
        self,
        loss="hinge",
        *,
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        epsilon=DEFAULT_EPSILON,
        n_jobs=None,
        random_state=None,
        learning_rate="optimal",
        eta0=0.01,
        power_t=0.5,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        average=False,
        ps=None,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.average = average
        self.ps = ps

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the linear model by SGD.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Class labels.
        coef_init : ndarray of shape (n_classes, n_features), default=None
            Initial coefficients.
        intercept_init : ndarray of shape (n_classes,), default=None
            Initial intercepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, multiplied by the class weights.

        Returns
        -------
        self : SGDClassifier
            The fitted estimator.
        """
        self._more_validate_params()
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of SGD on the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Its labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : SGDClassifier
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            self._more_validate_params(for_partial_fit=True)
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit. Compute the "
                    "weights with sklearn.utils.compute_class_weight('balanced', ...) on a "
                    "large enough sample of the targets and pass them as a dict."
                )
        return self._partial_fit(X, y, classes, sample_weight, 1, None, None, reset=False)

    def _check_proba(self):
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(f"probability estimates are not available for loss={self.loss!r}")
        return True

    @available_if(_check_proba)
    def predict_proba(self, X):
        """Class probabilities (``loss`` "log_loss" or "modified_huber").

        "log_loss" maps the scores through the sigmoid, "modified_huber" through
        ``(clip(score, -1, 1) + 1) / 2``; more than two classes are normalised one-vs-all.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        return self._proba(X, self.loss)

    @available_if(_check_proba)
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        import numpy as np

        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class SGDRegressor(BaseSGDRegressor):
    """Linear regression trained by SGD (squared, Huber or epsilon-insensitive loss).

    A drop-in for :class:`sklearn.linear_model.SGDRegressor`; the epochs run in Numba
    kernels (dense or CSR input, float32 kept).

    Parameters
    ----------
    loss : {"squared_error", "huber", "epsilon_insensitive", \
"squared_epsilon_insensitive"}, default="squared_error"
        The loss.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The regularisation term.
    alpha : float, default=0.0001
        Strength of the penalty.
    l1_ratio : float, default=0.15
        Elastic-net mixing (0: L2, 1: L1).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stopping tolerance on the epoch objective (None: never stop early).
    shuffle : bool, default=True
        Shuffle the rows before every epoch.
    verbose : int, default=0
        Show a progress bar over the epochs when positive.
    epsilon : float, default=0.1
        Threshold of the "huber" and epsilon-insensitive losses.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split.
    learning_rate : {"invscaling", "constant", "optimal", "adaptive", "pa1", "pa2"}, \
default="invscaling"
        The step size schedule.
    eta0 : float, default=0.01
        Initial step size.
    power_t : float, default=0.25
        Exponent of "invscaling".
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop on the validation R².
    validation_fraction : float, default=0.1
        Size of the held-out set.
    n_iter_no_change : int, default=5
        Number of epochs without improvement before stopping.
    warm_start : bool, default=False
        Start from the previous solution.
    average : bool or int, default=False
        Average the weights (ASGD).

    ps : pai_algos.ps.PSConfig, default=None
        Train through the parameter server: minibatch SGD (``ps.batch_size`` rows per step)
        with the weights on ``ps.num_servers`` shards and the rows on ``ps.num_workers``
        workers. Supports ``penalty`` "l2" or None, without ``average`` or
        ``early_stopping``; ``tol`` is not used. None trains in this process.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Weights.
    intercept_ : ndarray of shape (1,)
        Intercept.
    n_iter_ : int
        Epochs run.
    t_ : float
        Number of weight updates made, plus one.
    ps_stats_ : dict
        With ``ps``: what the parameter server did (see ``FTRLClassifier.ps_stats_``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (mean objective) per epoch.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : The scikit-learn estimator this one mirrors.

    Notes
    -----
    Plain SGD with the step of scikit-learn's ``_plain_sgd``: for each row (shuffled every
    epoch), with :math:`p = w \\cdot x + b`,

    .. math::

        w \\leftarrow (1 - \\eta \\alpha (1 - \\rho)) w - \\eta \\, s \\,
        \\partial_p L(y, p) \\, x,

    followed by the L1 truncation for ``penalty`` "l1"/"elasticnet" (:math:`\\rho` is
    ``l1_ratio``). The shrinkage is a scalar factor on the weight vector and the L1 part is
    the cumulative-penalty truncation of Tsuruoka et al. [2]_; "optimal" uses
    :math:`\\eta_t = 1 / (\\alpha (t_0 + t))` with Bottou's heuristic :math:`t_0`.
    Training stops when the mean objective of an epoch has not improved by ``tol`` for
    ``n_iter_no_change`` epochs (or the validation score, with ``early_stopping``).
    The seeds are drawn as scikit-learn draws them and the rows are shuffled with its
    generator, so the same ``random_state`` visits the rows in the same order.

    The update of one row depends on the previous one, so the fit runs on the CPU (there
    is no ``device`` parameter); a multiclass fit runs its one-vs-all problems on parallel
    threads. :func:`pai_algos_native.cuda.linear_sgd.sgd_loss_grad` evaluates the SGD losses
    of a whole batch on a GPU.

    References
    ----------
    .. [1] Bottou, L., "Stochastic Gradient Descent Tricks", Neural Networks: Tricks of the
       Trade, Springer (2012).
    .. [2] Tsuruoka, Y., Tsujii, J. and Ananiadou, S., "Stochastic gradient descent
       training for L1-regularized log-linear models with cumulative penalty", ACL (2009).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from pai_algos.linear_model import SGDRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    >>> reg = SGDRegressor(random_state=0).fit(X, y)
    >>> reg.coef_.shape
    (5,)
    >>> bool(reg.score(X, y) > 0.99)
    True
    """

    _fast_params = {"max_iter": 20}
    _preserves_float32 = True
    _expected_failed_checks = SGDClassifier._expected_failed_checks

    def __init__(
        self,
        loss="squared_error",
        *,
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        epsilon=DEFAULT_EPSILON,
        random_state=None,
        learning_rate="invscaling",
        eta0=0.01,
        power_t=0.25,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        warm_start=False,
        average=False,
        ps=None,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.average = average
        self.ps = ps

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the linear model by SGD.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Targets.
        coef_init : ndarray of shape (n_features,), default=None
            Initial coefficients.
        intercept_init : ndarray of shape (1,), default=None
            Initial intercept.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : SGDRegressor
            The fitted estimator.
        """
        self._more_validate_params()
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of SGD on the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : SGDRegressor
            The updated estimator.
        """
        if not hasattr(self, "_standard_coef"):
            self._more_validate_params(for_partial_fit=True)
        return self._partial_fit(X, y, sample_weight, 1, None, None, False)
