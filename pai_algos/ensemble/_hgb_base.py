"""The boosting loop shared by the histogram gradient-boosting classifier and regressor."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels
from pai_algos_native.cpu.trees import BITSET_WORDS

from ..base import History, numba_threads, predict_device, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    validate_data,
)
from ._binning import BinMapper
from ._grower import TreeGrower
from ._hgb_features import (
    check_interaction_cst,
    check_monotonic_cst,
    encode_categories,
    fit_categories,
    pandas_category_codes,
    resolve_categorical,
)
from ._hgb_losses import weighted_quantile

#: "auto" early stopping turns on above this many samples (scikit-learn's rule).
_AUTO_EARLY_STOPPING_MIN_SAMPLES = 10_000
_NODE_FIELDS = (
    "feature",
    "threshold",
    "bin_threshold",
    "left",
    "right",
    "missing_left",
    "value",
    "cat_node",
    "bitset",
)
#: the node arrays ``predict_raw`` takes, in order (``cat_node`` and ``bitset`` go last).
_PREDICT_FIELDS = ("feature", "threshold", "left", "right", "missing_left", "value")


def _concat_trees(trees):
    """Flat node arrays of a forest and the root of each tree."""
    offsets = np.cumsum([0] + [t.n_nodes for t in trees])
    nodes = {}
    for name in _NODE_FIELDS:
        parts = [getattr(t, name) for t in trees]
        nodes[name] = np.concatenate(parts) if parts else np.empty(0)
    if not trees:
        nodes["cat_node"] = np.empty(0, np.uint8)
        nodes["bitset"] = np.empty((0, BITSET_WORDS), np.uint32)
    for name in ("left", "right"):
        shifted = [
            np.where(t_arr >= 0, t_arr + off, -1).astype(np.int32)
            for t_arr, off in zip((getattr(t, name) for t in trees), offsets[:-1], strict=True)
        ]
        nodes[name] = np.concatenate(shifted) if shifted else np.empty(0, np.int32)
    return nodes, offsets[:-1].astype(np.int64)


def _predict_args(nodes, roots, out):
    """Arguments of ``predict_raw`` after ``X``."""
    return (
        *(nodes[name] for name in _PREDICT_FIELDS),
        roots,
        out,
        nodes["cat_node"],
        nodes["bitset"],
    )


class _BaseHistGradientBoosting(BaseEstimator):
    """Fit loop shared by the classifier and the regressor."""

    _parameter_constraints: dict = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "l2_regularization": [Interval(Real, 0, None, closed="left")],
        "max_features": [Interval(Real, 0, 1, closed="right")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "monotonic_cst": ["array-like", dict, None],
        "interaction_cst": [
            "array-like",
            StrOptions({"pairwise", "no_interactions"}),
            None,
        ],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "scoring": [StrOptions({"loss"})],
        "validation_fraction": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    # the scikit-learn common checks fit many small models
    _fast_params = {"max_iter": 5, "min_samples_leaf": 5}
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is not equivalent to repeating samples: min_samples_leaf counts "
            "rows and the bins depend on the rows (as in scikit-learn)"
        ),
    }

    def _encode_y(self, y, sample_weight):
        raise NotImplementedError

    def _make_loss(self):
        raise NotImplementedError

    def _should_stop(self, scores):
        """scikit-learn's rule: stop when none of the last ``n_iter_no_change`` scores beats
        the one before them by more than ``tol``."""
        ref = self.n_iter_no_change + 1
        if len(scores) < ref:
            return False
        reference = scores[-ref] + self.tol
        return not any(s > reference for s in scores[-ref + 1 :])

    def _early_stopping_param(self):
        return self.early_stopping

    def _validate_X_y(self, X, y):
        """validate_data after replacing pandas category columns by their codes."""
        from_dtype = isinstance(self.categorical_features, str)  # "from_dtype"
        X, cats = pandas_category_codes(X) if from_dtype else (X, {})
        self._pandas_categories = cats
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            order="C",
            y_numeric=not is_classifier(self),
            reset=True,
        )
        is_cat = resolve_categorical(self, X.shape[1], cats)
        self._categories = fit_categories(self, X, is_cat) if is_cat is not None else {}
        return encode_categories(X, self._categories), y, is_cat

    def _fit(self, X, y, sample_weight):
        # resolved first: device="cuda" without a GPU fails before anything is fitted
        device = self._resolve_device(X) if hasattr(self, "device") else "cpu"
        X, y, is_cat = self._validate_X_y(X, y)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        y, sample_weight = self._encode_y(y, sample_weight)
        loss = self._make_loss()
        message = loss.check_y(y)
        if message is not None:
            raise ValueError(message)

        with numba_threads(None):
            return self._boost(X, y, sample_weight, loss, is_cat, device=device)

    def _predict_kernels(self):
        return kernels("trees", predict_device(self))

    def _boost(self, X, y, sample_weight, loss, is_cat, device="cpu"):
        unit_weights = bool(np.all(sample_weight == 1.0))
        rng = check_random_state(self.random_state)
        split_seed = rng.randint(np.iinfo(np.uint32).max, dtype="u8")
        n_samples = X.shape[0]
        early_stopping = self._early_stopping_param()
        if early_stopping == "auto":
            do_es = n_samples > _AUTO_EARLY_STOPPING_MIN_SAMPLES
        else:
            do_es = bool(early_stopping)
        use_val = do_es and self.validation_fraction is not None
        if use_val:
            X, X_val, y, y_val, sample_weight, sw_val = train_test_split(
                X,
                y,
                sample_weight,
                test_size=self.validation_fraction,
                stratify=y if is_classifier(self) else None,
                random_state=split_seed,
            )
            X = np.ascontiguousarray(X)
            X_val = np.ascontiguousarray(X_val)
        sw = None if unit_weights else sample_weight
        sw_v = None if (unit_weights or not use_val) else sw_val

        n_features = X.shape[1]
        monotonic_cst = check_monotonic_cst(self, n_features, is_cat, loss.n_outputs)
        interaction_groups = check_interaction_cst(self, n_features)
        n_categories = None
        if is_cat is not None:
            n_categories = np.zeros(n_features, dtype=np.int64)
            for f, cats in self._categories.items():
                n_categories[f] = cats.shape[0]
        mapper = BinMapper(self.max_bins, rng, n_categories).fit(X)
        codes = mapper.transform(X)
        grower = TreeGrower(
            codes,
            mapper,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            n_features_per_split=max(1, int(np.ceil(self.max_features * n_features))),
            rng=rng,
            monotonic_cst=monotonic_cst,
            is_categorical=None if is_cat is None else is_cat.astype(np.uint8),
            interaction_groups=interaction_groups,
            device=device,
        )
        tk = kernels("trees")
        pk = kernels("trees", device)
        K = loss.n_outputs
        baseline = loss.baseline(y, sw)
        raw = np.tile(baseline, (X.shape[0], 1))
        raw_val = np.tile(baseline, (X_val.shape[0], 1)) if use_val else None
        g = np.empty((K, X.shape[0]))
        h = np.empty((K, X.shape[0]))
        train_scores = [-loss.loss(y, raw, sw)]
        val_scores = [-loss.loss(y_val, raw_val, sw_v)] if use_val else []
        hist = History()
        trees = []
        n_iter = 0
        with progress_bar(
            total=self.max_iter, desc=type(self).__name__, verbose=self.verbose
        ) as bar:
            for _ in range(self.max_iter):
                loss.grad_hess(y, raw, sw, g, h)
                if sw is not None:
                    g *= sw
                    h *= sw
                first = len(trees)
                for k in range(K):
                    tree = grower.grow(g[k], h[k], self.learning_rate)
                    if loss.update_leaves:
                        self._update_leaves(tree, loss, y, raw[:, k], sw)
                    tk.add_leaf_values(
                        tree.rows,
                        tree.leaf_starts,
                        tree.leaf_stops,
                        tree.value[tree.leaf_nodes],
                        raw,
                        k,
                    )
                    trees.append(tree)
                n_iter += 1
                train_scores.append(-loss.loss(y, raw, sw))
                metrics = {"loss": -train_scores[-1]}
                if use_val:
                    nodes, roots = _concat_trees(trees[first:])
                    pk.predict_raw(X_val, *_predict_args(nodes, roots, raw_val))
                    val_scores.append(-loss.loss(y_val, raw_val, sw_v))
                    metrics["validation_loss"] = -val_scores[-1]
                hist.record(**metrics)
                bar.update(1)
                bar.set_postfix(loss=f"{metrics['loss']:.6g}")
                if do_es and self._should_stop(val_scores if use_val else train_scores):
                    break

        self._loss = loss
        self._bin_mapper = mapper
        self._baseline_prediction = baseline
        self._nodes, self._roots = _concat_trees(trees)
        self.n_trees_per_iteration_ = K
        self.n_iter_ = n_iter
        self.do_early_stopping_ = do_es
        self.train_score_ = np.asarray(train_scores if do_es else [])
        self.validation_score_ = np.asarray(val_scores)
        self.is_categorical_ = is_cat
        self.history_ = hist.as_dict()
        if hasattr(self, "device"):
            self.device_ = device
        return self

    def _update_leaves(self, tree, loss, y, raw_k, sw):
        """Absolute/quantile losses: a leaf's value becomes the (weighted) quantile of its
        residuals ``y - raw``, times the learning rate (as scikit-learn does)."""
        for j, node in enumerate(tree.leaf_nodes):
            idx = tree.rows[tree.leaf_starts[j] : tree.leaf_stops[j]]
            q = weighted_quantile(
                y[idx] - raw_k[idx], None if sw is None else sw[idx], loss.quantile
            )
            tree.value[node] = self.learning_rate * q

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        if self._pandas_categories:
            X, _ = pandas_category_codes(X, self._pandas_categories)
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            order="C",
            reset=False,
        )
        return encode_categories(X, self._categories)

    def _raw_predict(self, X, n_iter=None):
        X = self._validate_X_predict(X)
        raw = np.tile(self._baseline_prediction, (X.shape[0], 1))
        roots = self._roots
        if n_iter is not None:
            roots = roots[: n_iter * self.n_trees_per_iteration_]
        with numba_threads(None):
            self._predict_kernels().predict_raw(X, *_predict_args(self._nodes, roots, raw))
        return raw

    def _staged_raw_predict(self, X):
        X = self._validate_X_predict(X)
        raw = np.tile(self._baseline_prediction, (X.shape[0], 1))
        K = self.n_trees_per_iteration_
        tk = self._predict_kernels()
        for it in range(self.n_iter_):
            roots = self._roots[it * K : (it + 1) * K]
            with numba_threads(None):
                tk.predict_raw(X, *_predict_args(self._nodes, roots, raw))
            yield raw.copy()

    def _apply(self, X):
        """Index of the leaf reached in each tree, (n_samples, n_trees) int64 node ids."""
        X = self._validate_X_predict(X)
        out = np.empty((X.shape[0], self._roots.shape[0]), dtype=np.int64)
        nodes = self._nodes
        with numba_threads(None):
            kernels("trees", "cpu").apply_raw(
                X,
                *(nodes[name] for name in _PREDICT_FIELDS if name != "value"),
                self._roots,
                out,
                nodes["cat_node"],
                nodes["bitset"],
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


_COMMON_PARAMS_DOC = """learning_rate : float, default=0.1
        Shrinkage applied to every leaf value.
    max_iter : int, default=100
        Number of boosting iterations (trees per output).
    max_leaf_nodes : int or None, default=31
        Maximum leaves per tree (trees grow best-first: the leaf with the largest gain is
        split next). None: no limit.
    max_depth : int or None, default=None
        Maximum depth (edges from the root to a leaf). None: no limit.
    min_samples_leaf : int, default=20
        Minimum number of training rows per leaf.
    l2_regularization : float, default=0.0
        L2 penalty :math:`\\lambda` on the leaf values.
    max_features : float, default=1.0
        Fraction of the features drawn at random (without replacement) at each split.
    max_bins : int, default=255
        Bins for the non-missing values of each feature (at most 255); missing values (NaN)
        get a bin of their own.
    categorical_features : array-like of {bool, int, str}, "from_dtype" or None, \
default="from_dtype"
        The categorical features: a boolean mask, integer indices or feature names;
        "from_dtype": the pandas ``category`` columns of a DataFrame (none otherwise); None:
        all numerical. A categorical feature may hold any values (numbers, or the
        categories of a pandas column), at most ``max_bins`` distinct ones (a ValueError
        otherwise); each gets its own bin. Categories never seen in fit are treated as
        missing values at predict time, as in scikit-learn.
    monotonic_cst : array-like of int of shape (n_features,), dict or None, default=None
        -1 (decreasing), 0 (none) or 1 (increasing) per feature, or a dict from feature
        index or name to constraint. Not for categorical features nor multiclass problems.
    interaction_cst : {"pairwise", "no_interactions"}, sequence of sequences of int or \
None, default=None
        Groups of features allowed to interact: the features along one path from the
        root must all belong to one group; features in no group form a group of their own.
    early_stopping : "auto" or bool, default="auto"
        "auto" enables early stopping when there are more than 10,000 samples.
    scoring : {"loss"}, default="loss"
        Early stopping monitors the loss (the only option for now).
    validation_fraction : int, float or None, default=0.1
        Share (or number) of the training rows held out for early stopping (stratified for
        classifiers); None: early stopping looks at the training loss.
    n_iter_no_change : int, default=10
        Stop when none of the last ``n_iter_no_change`` scores improves on the one before
        them by more than ``tol``.
    tol : float, default=1e-7
        Minimum improvement for early stopping.
    verbose : int, default=0
        Show a progress bar over the iterations when positive.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the binning subsample (over 200,000 rows) and the
        feature subsampling.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the histograms are built and the trees evaluated. "cuda" builds the
        histograms of large nodes (16,384 rows or more) on the GPU, with the binned data
        copied there once per fit, and predicts there; split search and the small nodes
        stay on the CPU. "auto" picks the GPU for inputs of 2,000,000 values or more when
        one is usable. "cuda" without a GPU is an error."""

_COMMON_ATTRS_DOC = """n_iter_ : int
        Number of boosting iterations run (fewer than ``max_iter`` after early stopping).
    n_trees_per_iteration_ : int
        Trees per iteration: 1, or the number of classes for multiclass problems.
    train_score_ : ndarray of shape (`n_iter_` + 1,)
        Negative loss on the training data before the first and after every iteration;
        empty without early stopping.
    validation_score_ : ndarray of shape (`n_iter_` + 1,)
        The same on the validation rows; empty without a validation split.
    do_early_stopping_ : bool
        Whether early stopping was on.
    is_categorical_ : ndarray of shape (`n_features_in_`,), bool, or None
        Which features are categorical; None when none is.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds``, ``loss`` (training) and, with a validation split,
        ``validation_loss`` per iteration.
    device_ : str
        The device the model was fitted on ("cpu" or "cuda")."""

_NOTES_DOC = """Each iteration fits a tree to the gradients :math:`g_i` and hessians
    :math:`h_i` of the loss at the current raw predictions (Newton boosting). Features are
    binned once into at most 255 quantile bins (``uint8`` codes); a node's histogram
    holds :math:`\\sum g`, :math:`\\sum h` and the row count per (feature, bin), and of two
    children only the smaller is built from its rows, the larger being the parent's minus it.
    A split's gain is (Chen & Guestrin, eq. 7)

    .. math::

        \\frac{G_L^2}{H_L + \\lambda} + \\frac{G_R^2}{H_R + \\lambda}
        - \\frac{(G_L + G_R)^2}{H_L + H_R + \\lambda},

    and a leaf's value is :math:`-\\eta\\, G / (H + \\lambda)`. Missing values go to the side
    that gives the larger gain (both are tried); when a feature had none in training they go
    to the child with more rows. The histogram is a pure, additive function of the rows, the
    basis of the distributed (parameter-server) version.

    A categorical split sends a set of categories left, stored as a bitset per node: the
    categories are sorted by :math:`G / (H + 10)` and the best prefix or suffix of that
    order (at most half of them) is chosen (Fisher, 1958; LightGBM's and scikit-learn's
    rule). Monotonic constraints propagate bounds on the leaf values down the tree: after a
    split on a constrained feature the children's values are bounded by the mid-point of
    their two values, and candidate splits whose values are in the wrong order are
    rejected."""

_REFERENCES_DOC = """.. [1] Friedman, J. H., "Greedy function approximation: a gradient boosting
       machine", Annals of Statistics 29(5), 1189-1232 (2001).
    .. [2] Chen, T. and Guestrin, C., "XGBoost: a scalable tree boosting system", KDD (2016).
    .. [3] Ke, G. et al., "LightGBM: a highly efficient gradient boosting decision tree",
       NeurIPS (2017).
    .. [4] Fisher, W. D., "On grouping for maximum homogeneity", Journal of the American
       Statistical Association 53(284), 789-798 (1958)."""
