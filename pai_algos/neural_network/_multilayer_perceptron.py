"""Multi-layer perceptrons: MLPClassifier and MLPRegressor (Numba kernels, BLAS products)."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import (
    StrOptions,
    _check_partial_fit_first_call,
    _fit_context,
    validate_data,
)
from ._mlp_base import BaseMultilayerPerceptron

__all__ = ["MLPClassifier", "MLPRegressor"]

_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        Number of units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"lbfgs", "sgd", "adam"}, default="adam"
        "lbfgs" is scipy's L-BFGS-B on the full batch; "sgd" is mini-batch SGD with
        momentum; "adam" is Kingma and Ba's Adam.
    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights.
    batch_size : int or "auto", default="auto"
        Mini-batch size of the stochastic solvers; "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Step size schedule of ``solver="sgd"``: constant, ``learning_rate_init / (t + 1) **
        power_t`` (``t`` the samples seen), or divided by 5 each time ``n_iter_no_change``
        epochs fail to improve by ``tol``.
    learning_rate_init : float, default=0.001
        Initial step size ("sgd", "adam").
    power_t : float, default=0.5
        Exponent of "invscaling".
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
        Shuffle the rows before every epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the early-stopping split.
    tol : float, default=1e-4
        Training stops when the loss (or the validation score) has not improved by ``tol``
        for ``n_iter_no_change`` consecutive epochs; lbfgs uses it as ``gtol``.
    verbose : bool or int, default=False
        Show a progress bar over the iterations, with the loss.
    warm_start : bool, default=False
        Start from the previous solution.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (``solver="sgd"``, ``momentum > 0``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop on the validation score
        (stochastic solvers); the best parameters seen are kept.
    validation_fraction : float, default=0.1
        Size of the held-out set.
    beta_1 : float, default=0.9
        Decay of Adam's first moment.
    beta_2 : float, default=0.999
        Decay of Adam's second moment.
    epsilon : float, default=1e-8
        Adam's numerical-stability term.
    n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` before stopping (stochastic solvers).
    max_fun : int, default=15000
        Maximum number of loss evaluations of lbfgs."""

_ATTRIBUTES = """\
    loss_ : float
        The current loss (with the L2 penalty).
    best_loss_ : float or None
        The smallest epoch loss of a stochastic solver (None with early stopping).
    loss_curve_ : list of float
        The loss of every epoch (stochastic solvers).
    validation_scores_ : list of float or None
        The validation score of every epoch (with ``early_stopping``).
    best_validation_score_ : float or None
        The best validation score (with ``early_stopping``).
    t_ : int
        Number of training samples seen by the stochastic solver.
    coefs_ : list of ndarray
        Weight matrix of each layer, of shape (fan_in, fan_out); float32 for float32 input.
    intercepts_ : list of ndarray
        Bias vector of each layer, of shape (fan_out,).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    n_iter_ : int
        Number of epochs (or lbfgs iterations) run.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        Activation of the output layer.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` of every epoch (or lbfgs iteration)."""

_NOTES = """\
    The forward pass of layer :math:`l` is :math:`A_{l+1} = f(A_l W_l + b_l)`; training
    minimises the mean loss plus :math:`\\frac{\\alpha}{2 n} \\sum_l \\|W_l\\|_F^2` by
    back-propagation (Rumelhart, Hinton and Williams [1]_): with the canonical output
    activation of each loss the output error is :math:`\\delta = (\\hat{y} - y)`, and
    :math:`\\delta_l = (\\delta_{l+1} W_{l+1}^T) \\odot f'(A_{l+1})`. The weights start
    uniform in :math:`\\pm\\sqrt{6 / (\\text{fan}_{in} + \\text{fan}_{out})}` (Glorot and
    Bengio [2]_; 2 instead of 6 for the logistic activation), drawn from ``random_state``
    in scikit-learn's order, as are the shuffles, so runs follow scikit-learn's closely.
    Adam follows Kingma and Ba [3]_.

    The matrix products go through NumPy's BLAS into reused buffers; the activations, the
    output layer with its loss, the derivatives, the bias gradients and the optimizer steps
    are fused Numba kernels (:mod:`pai_algos_native.cpu.mlp`). float32 input trains and
    predicts in float32.

    References
    ----------
    .. [1] Rumelhart, D. E., Hinton, G. E. and Williams, R. J., "Learning representations by
       back-propagating errors", Nature 323 (1986).
    .. [2] Glorot, X. and Bengio, Y., "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS (2010).
    .. [3] Kingma, D. P. and Ba, J., "Adam: A method for stochastic optimization", ICLR
       (2015)."""


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron classifier (log-loss; softmax or logistic outputs).

    A drop-in for :class:`sklearn.neural_network.MLPClassifier`: same parameters,
    attributes and stopping rules. Binary, multiclass and multi-label (2-D indicator ``y``)
    targets; dense or sparse input.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    %(attributes)s

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The scikit-learn estimator this one mirrors.
    pai_algos.neural_network.MLPRegressor : Multi-layer perceptron regressor.

    Notes
    -----
    %(notes)s

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from pai_algos.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=1000, random_state=0).fit(X, y)
    >>> [w.shape for w in clf.coefs_]
    [(6, 16), (16, 1)]
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    _fast_params = {"max_iter": 100}
    _preserves_float32 = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and the labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels, or a 2-D indicator matrix for multi-label classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch of the stochastic solver over ``X`` (``solver`` "sgd" or "adam").

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Its labels; all must be in ``classes``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream; required on the first call.

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        f"the previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y)

    def _validation_targets(self, Y_val):
        return self._label_binarizer.inverse_transform(Y_val)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    def _predict(self, X, check_input=True):
        if check_input:
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                reset=False,
            )  # fmt: skip
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict(self, X):
        """Predict the class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Labels, or the indicator matrix for multi-label problems.
        """
        check_is_fitted(self)
        return self._predict(X)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_`` (independent probabilities for multi-label).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    """Multi-layer perceptron regressor (half squared error or half Poisson deviance).

    A drop-in for :class:`sklearn.neural_network.MLPRegressor`: same parameters, attributes
    and stopping rules; single or multi-output ``y``; dense or sparse input.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        Half squared error with an identity output, or half Poisson deviance with an
        exponential output (``y >= 0``).
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The scikit-learn estimator this one mirrors.
    pai_algos.neural_network.MLPClassifier : Multi-layer perceptron classifier.

    Notes
    -----
    %(notes)s

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from pai_algos.neural_network import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    >>> y = y / y.std()
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", alpha=0.1, max_iter=1000,
    ...                    random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.95)
    True
    """

    _fast_params = {"max_iter": 100}
    _preserves_float32 = True
    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and the targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver over ``X`` (``solver`` "sgd" or "adam").

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' requires non-negative y.")
        return X, y

    def _validation_targets(self, Y_val):
        return Y_val.ravel() if Y_val.shape[1] == 1 else Y_val

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)

    def _predict(self, X, check_input=True):
        if check_input:
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                reset=False,
            )  # fmt: skip
        y_pred = self._forward(X)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def predict(self, X):
        """Predict the targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        return self._predict(X)


# the templates sit at the docstring's indentation: the first line of each section is
# stripped so that it lands where the placeholder stands
_SECTIONS = {
    key: text.lstrip()
    for key, text in {"parameters": _PARAMETERS, "attributes": _ATTRIBUTES, "notes": _NOTES}.items()
}
MLPClassifier.__doc__ = MLPClassifier.__doc__ % _SECTIONS
MLPRegressor.__doc__ = MLPRegressor.__doc__ % _SECTIONS
