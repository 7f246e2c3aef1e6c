"""Second-order factorization machines (Rendle, ICDM 2010) for classification and regression."""

from __future__ import annotations

from numbers import Integral, Real

import numba
import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, numba_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["FactorizationMachineClassifier", "FactorizationMachineRegressor"]

_ADAGRAD_EPS = 1e-8


def _check_keys(X, name):
    """Sparse column indices are feature keys: they must be integers."""
    index = getattr(X, "indices", None) if sp.issparse(X) else None
    if index is not None and np.asarray(index).dtype.kind not in "iu":
        raise ValueError(
            f"{name} reads the column indices of a sparse X as integer feature keys; "
            f"got indices of dtype {np.asarray(index).dtype}."
        )


def _as_csr(X):
    """CSR with int64 indices/indptr (dense input: the non-zeros of each row)."""
    X = sp.csr_matrix(X)
    return X.data, X.indices.astype(np.int64, copy=False), X.indptr.astype(np.int64, copy=False)


def _table_csr(X, keys):
    """``X`` with column keys replaced by table rows (``position in keys + 1``; row 0 is the
    intercept). Entries whose key is not in ``keys`` (never seen in fit) are dropped: an
    unseen feature has no weight."""
    data, indices, indptr = _as_csr(X)
    pos = np.searchsorted(keys, indices)
    pos_c = np.minimum(pos, max(keys.shape[0] - 1, 0))
    found = (keys[pos_c] == indices) if keys.shape[0] else np.zeros(indices.shape[0], bool)
    if found.all():
        return data, pos + 1, indptr
    n = indptr.shape[0] - 1
    row = np.repeat(np.arange(n), np.diff(indptr))
    counts = np.bincount(row[found], minlength=n)
    new_ptr = np.zeros(indptr.shape[0], dtype=np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    return np.ascontiguousarray(data[found]), pos[found] + 1, new_ptr


class _BaseFM(BaseEstimator):
    """What FM and FFM share: validation, the key table, the training loop, prediction."""

    _parameter_constraints: dict = {
        "n_factors": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"sgd", "adagrad"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "reg_w0": [Interval(Real, 0, None, closed="left")],
        "reg_w": [Interval(Real, 0, None, closed="left")],
        "reg_v": [Interval(Real, 0, None, closed="left")],
        "init_std": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [Integral, None],
    }

    _loss = "squared"
    _preserves_float32 = True
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is not equivalent to removing/repeating samples (stochastic "
            "minibatches: a repeated row is a separate step)."
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "sample_weight is not equivalent to removing/repeating samples (stochastic "
            "minibatches: a repeated row is a separate step)."
        ),
    }

    def __init__(
        self,
        n_factors=8,
        *,
        solver="adagrad",
        learning_rate=0.05,
        reg_w0=0.0,
        reg_w=1e-5,
        reg_v=1e-4,
        init_std=0.1,
        max_iter=20,
        batch_size=32,
        tol=1e-4,
        n_iter_no_change=3,
        fit_intercept=True,
        shuffle=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        n_jobs=None,
    ):
        self.n_factors = n_factors
        self.solver = solver
        self.learning_rate = learning_rate
        self.reg_w0 = reg_w0
        self.reg_w = reg_w
        self.reg_v = reg_v
        self.init_std = init_std
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.fit_intercept = fit_intercept
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs

    # ---- hooks the field-aware model overrides -------------------------------------------
    def _setup(self, X):
        """Checks of the validated ``X`` before training (the field map of FFM)."""

    def _width(self):
        return int(self.n_factors)

    def _prepare_fields(self, keys):
        return None, 1

    def _run_epoch(self, km, *args):
        return km.fm_epoch(*args)

    def _scores(self, data, indices, indptr, out):
        km = kernels("fm", "cpu")
        km.fm_predict(data, indices, indptr, self.table_, bool(self.fit_intercept), out)

    # ---- fitting ---------------------------------------------------------------------------
    def _validate_xy(self, X, y):
        name = type(self).__name__
        _check_keys(X, name)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            accept_large_sparse=True,
            y_numeric=self._loss == "squared",
            reset=not (self.warm_start and hasattr(self, "table_")),
        )
        return X, y

    def _new_rows(self, rng, n, dtype):
        rows = np.zeros((n, 1 + self._width()), dtype=dtype)
        rows[:, 1:] = rng.normal(0.0, self.init_std, (n, self._width()))
        return rows

    def _init_table(self, keys, dtype, rng, w0):
        """Fresh table, or (``warm_start``) the previous one grown by the new keys."""
        if self.warm_start and hasattr(self, "table_"):
            old_keys = self.keys_
            merged = np.union1d(old_keys, keys)
            table = self._new_rows(rng, merged.shape[0] + 1, dtype)
            table[0] = self.table_[0]
            table[1 + np.searchsorted(merged, old_keys)] = self.table_[1:]
            G = np.ones_like(table)
            if getattr(self, "_adagrad_", None) is not None:
                G[0] = self._adagrad_[0]
                G[1 + np.searchsorted(merged, old_keys)] = self._adagrad_[1:]
            return merged, table, G
        table = self._new_rows(rng, keys.shape[0] + 1, dtype)
        table[0, 0] = w0 if self.fit_intercept else 0.0
        return keys, table, np.ones_like(table)

    def _fit(self, X, y01, sample_weight):
        """Train on validated ``X`` and targets ``y01`` (floats); sets the fitted table."""
        s = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        self._setup(X)
        dtype = X.dtype
        data, indices, indptr = _as_csr(X)
        rng = check_random_state(self.random_state)
        w0 = float(np.average(y01, weights=s))
        if self._loss == "log":
            w0 = float(np.log(np.clip(w0, 1e-6, 1 - 1e-6) / np.clip(1 - w0, 1e-6, 1)))
        seen, inverse = np.unique(indices, return_inverse=True)
        keys, table, G = self._init_table(seen, dtype, rng, w0)
        field, n_fields = self._prepare_fields(keys)
        if keys is seen:  # one sort gives the keys and each entry's table row
            t_data, t_indices, t_indptr = data, inverse.astype(np.int64) + 1, indptr
        else:
            t_data, t_indices, t_indptr = _table_csr(X, keys)
        t_data = np.ascontiguousarray(t_data)
        km = kernels("fm", "cpu")
        loss_code = km.LOG if self._loss == "log" else km.SQUARED
        solver = km.ADAGRAD if self.solver == "adagrad" else km.SGD
        y01 = np.ascontiguousarray(y01, dtype=np.float64)
        n = X.shape[0]
        total_weight = float(s.sum())
        extra = () if field is None else (field, n_fields)
        hist = History()
        best, stall, n_iter = np.inf, 0, 0
        with (
            numba_threads(self.n_jobs),
            progress_bar(
                total=self.max_iter, desc=type(self).__name__, verbose=self.verbose
            ) as bar,
        ):
            for _ in range(self.max_iter):
                order = rng.permutation(n) if self.shuffle else np.arange(n)
                loss = self._run_epoch(
                    km, loss_code, solver, t_data, t_indices, t_indptr, order.astype(np.int64),
                    y01, s, table, G, *extra, bool(self.fit_intercept), int(self.batch_size),
                    float(self.learning_rate), _ADAGRAD_EPS, float(self.reg_w0),
                    float(self.reg_w), float(self.reg_v), numba.get_num_threads(),
                )  # fmt: skip
                loss /= total_weight
                n_iter += 1
                hist.record(loss=loss)
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.6g}")
                if not np.isfinite(loss):
                    raise ValueError(
                        f"{type(self).__name__} diverged (loss {loss}) at epoch {n_iter}: "
                        "lower learning_rate or scale the features."
                    )
                if self.tol is not None:
                    stall = stall + 1 if loss > best - self.tol else 0
                    best = min(best, loss)
                    if stall >= self.n_iter_no_change:
                        break
        self.keys_ = keys
        self.table_ = table
        self._adagrad_ = G
        self.n_iter_ = n_iter
        self.history_ = hist.as_dict()
        self.intercept_ = float(table[0, 0])
        self.coef_ = table[1:, 0]
        return self

    # ---- prediction ------------------------------------------------------------------------
    def _decision(self, X):
        check_is_fitted(self)
        _check_keys(X, type(self).__name__)
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            accept_large_sparse=True,
            reset=False,
        )
        data, indices, indptr = _table_csr(X, self.keys_)
        out = np.empty(X.shape[0], dtype=X.dtype)
        with numba_threads(self.n_jobs):
            self._scores(np.ascontiguousarray(data), indices, indptr, out)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _FMClassifierMixin(ClassifierMixin):
    """Binary classification on top of a factorization-machine score (log loss)."""

    _loss = "log"

    def _fit_classifier(self, X, y, sample_weight):
        X, y = self._validate_xy(X, y)
        check_classification_targets(y)
        name = type(self).__name__
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(
                f"{name} needs samples of 2 classes in the data, but the data contains only "
                f"one class: {classes[0]!r}"
            )
        target = type_of_target(y, input_name="y")
        if target != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {target}: "
                f"{name} learns one logistic model for two classes (wrap it in "
                "sklearn.multiclass.OneVsRestClassifier for more)."
            )
        if self.warm_start and hasattr(self, "classes_"):
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"warm_start fit got classes {classes.tolist()}, the previous fit had "
                    f"{self.classes_.tolist()}."
                )
        self._fit(X, (y == classes[1]).astype(np.float64), sample_weight)
        self.classes_ = classes
        return self

    def decision_function(self, X):
        """Score (log-odds) of ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            In the dtype of ``X``; features never seen in fit contribute nothing.
        """
        return self._decision(X)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self._decision(X)
        return self.classes_[(scores > 0).astype(np.intp)]

    def predict_proba(self, X):
        """Probabilities of both classes, in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
        """
        p1 = expit(self._decision(X))
        return np.column_stack([1 - p1, p1])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


_PARAMS_DOC = """
    Parameters
    ----------
    n_factors : int, default=8
        Dimension ``k`` of the latent vectors.
    solver : {"adagrad", "sgd"}, default="adagrad"
        Minibatch optimizer: per-coordinate AdaGrad (accumulators start at 1, as in libffm)
        or plain SGD with a constant step.
    learning_rate : float, default=0.05
        Step size (AdaGrad's base rate, or SGD's constant step).
    reg_w0, reg_w, reg_v : float, default=0.0, 1e-5, 1e-4
        L2 strengths of the intercept, the linear weights and the latent vectors, applied
        per row that holds the feature (the per-sample penalty of libFM's SGD).
    init_std : float, default=0.1
        Standard deviation of the normal draw of the latent vectors (linear weights start at
        0, the intercept at the target's base rate: mean or log-odds).
    max_iter : int, default=20
        Epochs (passes over the data).
    batch_size : int, default=32
        Rows per minibatch step (pull -> gradient -> push). Gradients are summed over the
        minibatch, so ``batch_size=1`` is the per-sample algorithm of libFM / libffm.
    tol : float or None, default=1e-4
        Stop when the epoch's mean training loss has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs; None runs ``max_iter`` epochs.
    n_iter_no_change : int, default=3
        Epochs without improvement before stopping.
    fit_intercept : bool, default=True
        Learn the global bias ``w0``.
    shuffle : bool, default=True
        Visit the rows in a fresh random order each epoch.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation and of the shuffling.
    verbose : int, default=0
        Progress bar over the epochs when positive.
    warm_start : bool, default=False
        Continue from the previous fit's parameters (new feature keys are added).
    n_jobs : int, default=None
        Numba threads. Prediction runs in parallel over the rows. A training step runs in
        parallel (over its rows, then over its distinct features) only when its work is
        large (``PARALLEL_MIN_WORK`` in :mod:`pai_algos_native.cpu.fm`, about
        ``batch_size * nnz_per_row * n_factors >= 2**24``): measured, a parallel region costs
        more than a minibatch of the usual size. Either way the sums run in a fixed order, so
        the model does not depend on ``n_jobs`` (no Hogwild races).
"""

_ATTRIBUTES_DOC = """
    keys_ : ndarray of shape (n_keys,)
        The column ids (feature keys) seen in fit, sorted; features never seen weigh 0.
    table_ : ndarray of shape (n_keys + 1, 1 + width)
        Row 0: the intercept; row ``1 + i``: linear weight (column 0) and latent vector(s) of
        key ``keys_[i]``.
    intercept_ : float
        The global bias ``w0``.
    coef_ : ndarray of shape (n_keys,)
        Linear weights, aligned with ``keys_``.
    n_iter_ : int
        Epochs run.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (mean progressive training loss per epoch:
        each row scored before its minibatch's update).
    n_features_in_ : int
        Width of ``X`` (the key space of sparse input).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
"""

_NOTES_DOC = """
    The model of Rendle [1]_, eq. (1):

    .. math::

        \\hat y(x) = w_0 + \\sum_j w_j x_j + \\sum_{j < l} \\langle v_j, v_l \\rangle x_j x_l,

    computed in :math:`O(k \\, \\mathrm{nnz})` through eq. (5),
    :math:`\\sum_{j<l} \\langle v_j, v_l\\rangle x_j x_l = \\tfrac12 \\sum_f
    [(\\sum_j v_{jf} x_j)^2 - \\sum_j v_{jf}^2 x_j^2]`, with the gradient
    :math:`\\partial \\hat y / \\partial v_{jf} = x_j \\sum_l v_{lf} x_l - v_{jf} x_j^2`.

    Input is dense or CSR. The column indices of a CSR matrix are feature keys of any width
    (e.g. 64-bit hashed keys from :func:`pai_algos.datasets.make_ctr`): the parameters are
    kept for the distinct keys seen in fit only (``keys_``), so memory grows with them, not
    with ``X.shape[1]``. Each minibatch pulls the rows of its distinct keys, computes the
    gradient against them (:func:`pai_algos_native.cpu.fm.fm_batch_grad`) and pushes it
    through the optimizer: the step a parameter-server worker makes (training with ``ps=``
    is not offered yet). No library with a scikit-learn factorization machine is installed
    here; the tests compare with a dense NumPy reference and with
    :class:`~pai_algos.linear_model.LogisticRegression`.
"""


class FactorizationMachineClassifier(_FMClassifierMixin, _BaseFM):
    __doc__ = (
        """Binary classifier: a second-order factorization machine trained on the log loss.

    A linear model plus every pairwise feature interaction, each interaction weight being the
    dot product of two learned ``n_factors``-dimensional vectors, so interactions between
    features that rarely co-occur are still estimated. Binary only: wrap it in
    :class:`sklearn.multiclass.OneVsRestClassifier` for more classes.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels; ``classes_[1]`` is the positive class.
    factors_ : ndarray of shape (n_keys, n_factors)
        Latent vectors, aligned with ``keys_``."""
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    FactorizationMachineRegressor : The same model on the squared loss.
    FieldAwareFMClassifier : One latent vector per (feature, field).
    pai_algos.linear_model.LogisticRegression : The model without interactions.

    Notes
    -----"""
        + _NOTES_DOC
        + """
    References
    ----------
    .. [1] Rendle, S., "Factorization machines", IEEE ICDM 2010, 995-1000.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.recommend import FactorizationMachineClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(0, 2, (600, 6)).astype(float)
    >>> y = (X[:, 0] != X[:, 1]).astype(int)  # an XOR: no linear model separates it
    >>> clf = FactorizationMachineClassifier(n_factors=4, max_iter=60, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:3]).shape
    (3, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """
    )

    _fast_params = {"max_iter": 30, "learning_rate": 0.1, "n_factors": 2}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the factorization machine.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features; for sparse input the column indices are the feature keys.
        y : array-like of shape (n_samples,)
            Two class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (scale each row's loss).

        Returns
        -------
        self : FactorizationMachineClassifier
            The fitted estimator.
        """
        self._fit_classifier(X, y, sample_weight)
        self.factors_ = self.table_[1:, 1:]
        return self


class FactorizationMachineRegressor(RegressorMixin, _BaseFM):
    __doc__ = (
        """Regressor: a second-order factorization machine trained on the squared loss.

    A linear model plus every pairwise feature interaction, each interaction weight being the
    dot product of two learned ``n_factors``-dimensional vectors.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    factors_ : ndarray of shape (n_keys, n_factors)
        Latent vectors, aligned with ``keys_``."""
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    FactorizationMachineClassifier : The same model on the log loss.
    pai_algos.linear_model.Ridge : The model without interactions.

    Notes
    -----"""
        + _NOTES_DOC
        + """
    The loss is half the squared error; scale ``y`` to unit variance for the default
    ``learning_rate``.

    References
    ----------
    .. [1] Rendle, S., "Factorization machines", IEEE ICDM 2010, 995-1000.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.recommend import FactorizationMachineRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(1000, 5))
    >>> y = X[:, 0] + 2 * X[:, 1] * X[:, 2]
    >>> reg = FactorizationMachineRegressor(n_factors=4, max_iter=60, random_state=0)
    >>> bool(reg.fit(X, y).score(X, y) > 0.9)
    True
    """
    )

    _fast_params = {"max_iter": 30, "learning_rate": 0.1, "n_factors": 2}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the factorization machine.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features; for sparse input the column indices are the feature keys.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (scale each row's loss).

        Returns
        -------
        self : FactorizationMachineRegressor
            The fitted estimator.
        """
        X, y = self._validate_xy(X, y)
        self._fit(X, np.asarray(y, dtype=np.float64), sample_weight)
        self.factors_ = self.table_[1:, 1:]
        return self

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            In the dtype of ``X``; features never seen in fit contribute nothing.
        """
        return self._decision(X)
