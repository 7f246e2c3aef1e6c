"""FTRL-Proximal logistic regression over 64-bit feature keys (McMahan et al., KDD 2013)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ..base import History, progress_bar
from ..utils._sklearn_compat import Interval, _fit_context, validate_data
from ._ftrl_store import FTRLJob, LocalStore, train_epoch

__all__ = ["FTRLClassifier"]


def _check_keys(X):
    """Reject sparse input whose column indices cannot be 64-bit feature keys."""
    if not sp.issparse(X):
        return
    for name in ("indices", "row", "col"):
        index = getattr(X, name, None)
        if index is not None and np.asarray(index).dtype.kind not in "iu":
            raise ValueError(
                "FTRLClassifier reads the column indices of a sparse X as integer feature keys; "
                f"got {name} of dtype {np.asarray(index).dtype}."
            )


def _as_keyed_csr(X):
    """CSR with int64 keys (column indices) checked to be in ``[0, X.shape[1])``."""
    if not sp.issparse(X):
        X = sp.csr_matrix(X)  # dense input: column j is key j; zeros are not stored
    indices = X.indices.astype(np.int64, copy=False)
    indptr = X.indptr.astype(np.int64, copy=False)
    if indices.shape[0]:
        low, high = int(indices.min()), int(indices.max())
        if low < 0 or high >= X.shape[1]:
            bad = low if low < 0 else high
            raise ValueError(
                f"FTRLClassifier keys (the column indices of X) must lie in [0, {X.shape[1]}); "
                f"got key {bad}."
            )
    return X.data, indices, indptr


class FTRLClassifier(ClassifierMixin, BaseEstimator):
    """Binary logistic regression trained online by FTRL-Proximal on 64-bit feature keys.

    Built for click logs: ``X`` is a CSR matrix whose column indices are hashed feature keys
    from a key space as wide as ``2**63 - 1`` (as :func:`pai_algos.datasets.make_ctr` makes).
    The weights live in a keyed hash table that holds only the keys seen, so memory grows with
    the number of distinct keys, not with the width of ``X``; an L1 penalty keeps most weights
    exactly zero. Dense input is read as key ``j`` = column ``j``.

    Training visits minibatches of ``batch_size`` rows and, for each, *pulls* the weights of
    the minibatch's distinct keys, computes the log-loss gradient per key, and *pushes* the
    gradients to the table, which applies the FTRL-Proximal update (the shape of a
    parameter-server worker's step). With ``batch_size=1`` this is the per-sample algorithm of
    the paper.

    Parameters
    ----------
    alpha : float, default=0.2
        Learning-rate scale: coordinate ``i``'s rate is ``alpha / (beta + sqrt(n_i))``.
        0.2 to 0.3 worked best for one pass over ``make_ctr`` data (30,000 to 300,000 rows).
    beta : float, default=1.0
        Learning-rate smoothing (keeps the first steps of a new key bounded).
    l1 : float, default=1.0
        L1 strength (on the summed loss); weights with ``|z_i| <= l1`` are exactly zero.
    l2 : float, default=1.0
        L2 strength (on the summed loss).
    max_iter : int, default=1
        Passes over the data in :meth:`fit` (one pass is the usual online setting).
    batch_size : int, default=256
        Rows per minibatch (pull -> compute -> push). Smaller is closer to per-sample FTRL
        and slower; 1 is exactly Algorithm 1 of the paper.
    shuffle : bool, default=True
        Visit the rows in a fresh random order at each pass of :meth:`fit`
        (:meth:`partial_fit` always keeps the given order).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling.
    verbose : int, default=0
        Show a progress bar over the passes when positive.
    fit_intercept : bool, default=True
        Learn an intercept, stored in the table under a reserved key and updated by FTRL
        like the other weights (with the same ``l1`` and ``l2``).
    tol : float or None, default=None
        Stop :meth:`fit` early when a pass lowers the mean progressive log loss by less than
        ``tol``; None always runs ``max_iter`` passes.
    ps : pai_algos.ps.PSConfig, default=None
        Train through the parameter server: the table is split across
        ``ps.num_servers`` shards (FTRL-Proximal applied on the shards) and the rows of each
        pass across ``ps.num_workers`` workers, each pulling its minibatch's keys and pushing
        their gradients. None trains in this process. Under ``sync="bsp"`` the workers split
        each minibatch of ``batch_size`` rows (the shards sum their pushes into one update);
        under ``"ssp"``/``"async"`` each worker's minibatch of ``batch_size`` rows is one
        update. ``tol`` is not used with ``ps``; with one worker and ``sync="bsp"`` the model
        equals the one of ``ps=None``.

    Attributes
    ----------
    ps_stats_ : dict
        With ``ps``: what the parameter server did (``steps``, ``pushes_applied``,
        ``pushes_deduplicated``, ``pushes_lost``, ``pushes_replayed``, ``server_restarts``,
        ``worker_retries``, ``workers_lost``, ``checkpoints``, ``messages``, ``keys_pushed``,
        ``seconds``, ``table_sizes`` (keys per shard) ...).
    classes_ : ndarray of shape (2,)
        The two class labels; ``classes_[1]`` is the positive class.
    store_ : LocalStore
        The keyed FTRL table (per key ``z`` and ``n``, in NumPy arrays: it pickles).
    intercept_ : ndarray of shape (1,)
        The intercept (0 when ``fit_intercept=False``).
    n_keys_ : int
        Number of keys stored in the table (every key seen, the intercept excluded).
    n_weights_ : int
        Number of non-zero weights (the intercept excluded).
    n_iter_ : int
        Passes run by the last :meth:`fit` (or 1 after :meth:`partial_fit`).
    t_ : int
        Rows learned from so far, over all passes and :meth:`partial_fit` calls.
    n_features_in_ : int
        Width of ``X`` (the key space of sparse input).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (mean progressive log loss of each pass: each
        row scored before its minibatch's update).

    See Also
    --------
    LogisticRegression : Batch L-BFGS logistic regression on a dense-indexed feature space.
    sklearn.linear_model.SGDClassifier : Online linear models with a global learning rate.

    Notes
    -----
    McMahan et al. [1]_, Algorithm 1: each key ``i`` keeps ``z_i`` and ``n_i`` (sum of squared
    gradients). Its weight is

    .. math::

        w_i = \\begin{cases} 0 & |z_i| \\le \\lambda_1 \\\\
        -\\dfrac{z_i - \\operatorname{sign}(z_i)\\lambda_1}
        {(\\beta + \\sqrt{n_i})/\\alpha + \\lambda_2} & \\text{otherwise,} \\end{cases}

    and a gradient :math:`g_i` (summed over a minibatch's rows) updates
    :math:`\\sigma_i = (\\sqrt{n_i + g_i^2} - \\sqrt{n_i})/\\alpha`,
    :math:`z_i \\leftarrow z_i + g_i - \\sigma_i w_i`, :math:`n_i \\leftarrow n_i + g_i^2`,
    with :math:`g_i = \\sum_r (\\sigma(w \\cdot x_r) - y_r) x_{ri}` for the log loss.
    Keys absent from the table weigh 0 (``z = n = 0``).

    The table is an open-addressing hash map (linear probing, splitmix64 hash, doubled at load
    factor 1/2, see :mod:`pai_algos_native.cpu.keyed_table`); each minibatch's distinct keys
    are found with a scratch hash set. With the in-process table a whole pass runs in one
    compiled call that probes the table once per distinct key of a minibatch (same arithmetic
    as the pull/push loop a parameter-server client runs with sorted keys).
    Sample weights are not supported.

    References
    ----------
    .. [1] McMahan, H. B., Holt, G., Sculley, D. et al., "Ad click prediction: a view from the
       trenches", KDD 2013, 1222-1230.

    Examples
    --------
    >>> from pai_algos.datasets import make_ctr
    >>> from pai_algos.linear_model import FTRLClassifier
    >>> X, y = make_ctr(n_samples=20_000, n_fields=8, random_state=0)
    >>> X.shape[1] == 2**63 - 1
    True
    >>> clf = FTRLClassifier(random_state=0).fit(X[:15_000], y[:15_000])
    >>> clf.predict_proba(X[15_000:]).shape
    (5000, 2)
    >>> bool(clf.n_weights_ < clf.n_keys_ < 40_000)
    True
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "ps": "no_validation",
    }

    # the common checks learn from ~100 dense rows: more passes and a larger step
    _fast_params = {"max_iter": 20, "alpha": 0.5, "batch_size": 16}
    _preserves_float32 = True

    def __init__(
        self,
        alpha=0.2,
        beta=1.0,
        l1=1.0,
        l2=1.0,
        *,
        max_iter=1,
        batch_size=256,
        shuffle=True,
        random_state=None,
        verbose=0,
        fit_intercept=True,
        tol=None,
        ps=None,
    ):
        self.alpha = alpha
        self.beta = beta
        self.l1 = l1
        self.l2 = l2
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.ps = ps

    def _check_ps(self):
        if self.ps is None:
            return
        from ..ps import PSConfig

        if not isinstance(self.ps, PSConfig):
            raise TypeError(
                f"ps must be None or a pai_algos.ps.PSConfig, got {type(self.ps).__name__}."
            )

    def _learn_ps(self, X, y01, n_passes, rng):
        """All passes through the parameter server; returns the loss of each pass."""
        from ..ps import TableSpec, make_engine

        n = X.shape[0]
        orders = [
            (rng.permutation(n) if rng is not None else np.arange(n)).astype(np.int64)
            for _ in range(n_passes)
        ]
        job = FTRLJob(X, y01, orders, self.ps, self.batch_size, self.fit_intercept)
        spec = TableSpec("ftrl", alpha=self.alpha, beta=self.beta, l1=self.l1, l2=self.l2)
        engine = make_engine(self.ps, spec)
        try:
            keys, values = self.store_.all_state()
            if keys.shape[0]:
                engine.seed(keys, values)
            step_losses = engine.run(job)
            keys, values = engine.gather()
            sizes = engine.table_sizes()
        finally:
            engine.close()
        self.store_ = LocalStore.from_state(self.alpha, self.beta, self.l1, self.l2, keys, values)
        self.ps_stats_ = dict(engine.stats)
        self.ps_stats_["table_sizes"] = sizes
        per_pass = step_losses.reshape(n_passes, job.steps_per_pass).sum(axis=1)
        return per_pass / n

    def _validate(self, X, y, reset):
        _check_keys(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            accept_large_sparse=True,
            reset=reset,
        )
        check_classification_targets(y)
        target = type_of_target(y, input_name="y")
        if target != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{target}: FTRLClassifier learns one logistic model for two classes."
            )
        return X, y

    def _learn(self, X, y, classes, n_passes, rng):
        """Run ``n_passes`` passes of minibatch FTRL on the (validated) data."""
        data, indices, indptr = _as_keyed_csr(X)
        X = sp.csr_matrix((data, indices, indptr), shape=X.shape)
        y01 = (y == classes[1]).astype(np.float64)
        n = X.shape[0]
        hist = History()
        if self.ps is not None:
            for loss in self._learn_ps(X, y01, n_passes, rng):
                hist.record(loss=float(loss))
            self.n_iter_ = n_passes
            self.t_ += n * n_passes
            self._set_summary()
            return hist.as_dict()
        previous = np.inf
        n_iter = 0
        with progress_bar(total=n_passes, desc="FTRLClassifier", verbose=self.verbose) as bar:
            for _ in range(n_passes):
                order = rng.permutation(n) if rng is not None else np.arange(n)
                loss = train_epoch(
                    self.store_,
                    X,
                    y01,
                    order.astype(np.int64),
                    int(self.batch_size),
                    bool(self.fit_intercept),
                )
                loss /= n
                n_iter += 1
                self.t_ += n
                hist.record(loss=loss)
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.6g}")
                if self.tol is not None and previous - loss < self.tol:
                    break
                previous = loss
        self.n_iter_ = n_iter
        self._set_summary()
        return hist.as_dict()

    def _set_summary(self):
        keys, w = self.store_.weights()
        self.n_keys_ = int(keys.shape[0])
        self.n_weights_ = int(np.count_nonzero(w))
        bias = self.store_.bias() if self.fit_intercept else 0.0
        self.intercept_ = np.array([bias])

    def _new_store(self):
        return LocalStore(self.alpha, self.beta, self.l1, self.l2)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn from ``X`` and ``y`` with ``max_iter`` passes, starting from an empty table.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Feature values; for sparse input the column indices are the feature keys.
        y : array-like of shape (n_samples,)
            Two class labels.

        Returns
        -------
        self : FTRLClassifier
            The fitted estimator.
        """
        self._check_ps()
        X, y = self._validate(X, y, reset=True)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(
                "FTRLClassifier needs samples of 2 classes in the data, but the data contains "
                f"only one class: {classes[0]!r}"
            )
        rng = check_random_state(self.random_state) if self.shuffle else None
        self.classes_ = classes
        self.store_ = self._new_store()
        self.t_ = 0
        self.history_ = self._learn(X, y, classes, int(self.max_iter), rng)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Learn from one more chunk of rows, in the given order (one pass).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Feature values; for sparse input the column indices are the feature keys.
        y : array-like of shape (n_samples,)
            Labels, all among ``classes``.
        classes : array-like of shape (2,), default=None
            Both class labels. Needed on the first call unless ``y`` holds both; later
            calls may omit it (if given it must equal ``classes_``).

        Returns
        -------
        self : FTRLClassifier
            The updated estimator.
        """
        self._check_ps()
        first = not hasattr(self, "classes_")
        X, y = self._validate(X, y, reset=first)
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            if classes.shape[0] != 2:
                raise ValueError(
                    "Only binary classification is supported: classes must hold 2 labels, "
                    f"got {classes.tolist()}."
                )
            if not first and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} is not the same as on the first call to "
                    f"partial_fit: {self.classes_.tolist()}."
                )
        elif first:
            classes = np.unique(y)
            if classes.shape[0] != 2:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit when y does not "
                    f"hold both classes; y holds {classes.tolist()}."
                )
        else:
            classes = self.classes_
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels not in classes {classes.tolist()}: {unseen.tolist()}."
            )
        if first:
            self.classes_ = classes
            self.store_ = self._new_store()
            self.t_ = 0
            self.history_ = {"iteration": [], "seconds": [], "loss": []}
        hist = self._learn(X, y, classes, 1, None)
        start = len(self.history_["iteration"])
        seconds = self.history_["seconds"][-1] if start else 0.0
        self.history_["iteration"].extend(start + i for i in hist["iteration"])
        self.history_["seconds"].extend(seconds + s for s in hist["seconds"])
        self.history_["loss"].extend(hist["loss"])
        return self

    def decision_function(self, X):
        """Log-odds of ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            In the dtype of ``X`` (float32 or float64); keys never seen weigh 0.
        """
        check_is_fitted(self)
        _check_keys(X)
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            accept_large_sparse=True,
            reset=False,
        )
        dtype = X.dtype
        data, indices, indptr = _as_keyed_csr(X)
        scores = self.store_.decision(data, indices, indptr, self.fit_intercept)
        return scores.astype(dtype, copy=False)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        return self.classes_[(scores > 0).astype(np.intp)]

    def predict_proba(self, X):
        """Probabilities of both classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            In the order of ``classes_``.
        """
        check_is_fitted(self)
        p1 = expit(self.decision_function(X))
        return np.column_stack([1 - p1, p1])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def get_weights(self):
        """Stored keys and their weights.

        Returns
        -------
        keys : ndarray of shape (`n_keys_`,)
            int64 keys, sorted.
        weights : ndarray of shape (`n_keys_`,)
            float64 FTRL weights (zeros where L1 keeps them at zero).
        """
        check_is_fitted(self)
        return self.store_.weights()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags
