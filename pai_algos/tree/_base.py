"""Shared machinery of the exact trees: the flat ``Tree`` object, validation, growth."""

from __future__ import annotations

import numbers
from math import ceil

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.utils import Bunch, check_random_state, compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from pai_algos.utils._sklearn_compat import (
    Interval,
    RealNotInt,
    StrOptions,
    _check_sample_weight,
    validate_data,
)
from pai_algos_native import kernels

from ._prune import prune_tree, pruning_path

# scikit-learn 1.9 maps "friedman_mse" to "squared_error" (the same split choice); so do we
_CRITERIA = {"gini": 0, "entropy": 1, "log_loss": 1, "squared_error": 2, "friedman_mse": 2}
_MAX_DEPTH = np.iinfo(np.int32).max


def _native():
    return kernels("tree_exact", "cpu")


def _float32_thresholds(threshold):
    """float32 thresholds giving the same ``x <= t`` answers as the float64 ones on float32 x."""
    t32 = threshold.astype(np.float32)
    over = t32.astype(np.float64) > threshold
    t32[over] = np.nextafter(t32[over], np.float32(-np.inf))
    return t32


class Tree:
    """A fitted tree as flat node arrays, laid out like scikit-learn's ``Tree``.

    Node ``0`` is the root; ``children_left[i] == -1`` marks a leaf (``feature`` and
    ``threshold`` are ``-2`` there). A row goes left when ``x[feature] <= threshold``.

    Attributes
    ----------
    node_count : int
    children_left, children_right : ndarray of shape (node_count,)
    feature : ndarray of shape (node_count,)
    threshold : ndarray of shape (node_count,)
    value : ndarray of shape (node_count, 1, n_classes or 1)
        Class fractions (classifier) or the mean target (regressor) of each node.
    impurity, weighted_n_node_samples : ndarray of shape (node_count,)
    n_node_samples : ndarray of shape (node_count,)
    max_depth, n_leaves, n_features, n_outputs : int
    n_classes : ndarray of shape (1,)
    """

    def __init__(self, arrays, n_features, n_classes):
        left, right, feature, threshold, value, impurity, n_node, w_node, depth = arrays
        self.children_left = left
        self.children_right = right
        self.feature = feature
        self.threshold = threshold
        self.value = value[:, None, :]
        self.impurity = impurity
        self.n_node_samples = n_node
        self.weighted_n_node_samples = w_node
        self.max_depth = int(depth)
        self.node_count = int(left.shape[0])
        self.n_leaves = int(np.sum(left == -1))
        self.n_features = int(n_features)
        self.n_outputs = 1
        self.n_classes = np.array([max(n_classes, 1)], dtype=np.intp)
        self.threshold32 = _float32_thresholds(threshold)

    def apply(self, X):
        """Leaf index of each row of a float32 C-ordered ``X``."""
        return _native().apply(
            X, self.children_left, self.children_right, self.feature, self.threshold32
        )

    def predict(self, X):
        """Node value of each row's leaf, shape (n_samples, n_classes or 1)."""
        return self.value[self.apply(X), 0, :]

    def decision_path(self, X):
        """CSR indicator (n_samples, node_count) of the nodes each row goes through."""
        X = np.asarray(X)
        n = X.shape[0]
        rows, cols = [], []
        node = np.zeros(n, dtype=np.int64)
        active = np.arange(n)
        while active.size:
            rows.append(active)
            cols.append(node[active])
            nd = node[active]
            internal = self.children_left[nd] >= 0
            active = active[internal]
            nd = nd[internal]
            go_left = X[active, self.feature[nd]] <= self.threshold32[nd]
            node[active] = np.where(go_left, self.children_left[nd], self.children_right[nd])
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        order = np.lexsort((c, r))
        return sparse.csr_matrix(
            (np.ones(r.size, dtype=np.intp), (r[order], c[order])), shape=(n, self.node_count)
        )

    def compute_feature_importances(self, normalize=True):
        """Impurity-based importances (total weighted impurity decrease per feature)."""
        imp = np.zeros(self.n_features, dtype=np.float64)
        internal = np.flatnonzero(self.children_left >= 0)
        if internal.size:
            w = self.weighted_n_node_samples
            li = self.children_left[internal]
            ri = self.children_right[internal]
            dec = (
                w[internal] * self.impurity[internal]
                - w[li] * self.impurity[li]
                - w[ri] * self.impurity[ri]
            )
            np.add.at(imp, self.feature[internal], dec)
            imp /= w[0]
        if normalize:
            total = imp.sum()
            if total > 0.0:
                imp /= total
        return imp


def _tree_constraints(classifier):
    criteria = {"gini", "entropy", "log_loss"} if classifier else {"squared_error", "friedman_mse"}
    c = {
        "criterion": [StrOptions(criteria)],
        "splitter": [StrOptions({"best", "random"})],
        "max_depth": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_samples_split": [
            Interval(numbers.Integral, 2, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
        ],
        "min_samples_leaf": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="neither"),
        ],
        "min_weight_fraction_leaf": [Interval(numbers.Real, 0.0, 0.5, closed="both")],
        "max_features": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
            StrOptions({"sqrt", "log2"}),
            None,
        ],
        "random_state": ["random_state"],
        "max_leaf_nodes": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(numbers.Real, 0.0, None, closed="left")],
        "ccp_alpha": [Interval(numbers.Real, 0.0, None, closed="left")],
    }
    if classifier:
        c["class_weight"] = [dict, list, StrOptions({"balanced"}), None]
    return c


def resolve_growth(params, n_samples, n_features):
    """Integer growth limits from the estimator parameters, as scikit-learn computes them."""
    msl = params["min_samples_leaf"]
    if not isinstance(msl, numbers.Integral):
        msl = ceil(msl * n_samples)
    mss = params["min_samples_split"]
    if not isinstance(mss, numbers.Integral):
        mss = max(2, ceil(mss * n_samples))
    mss = max(mss, 2 * msl)
    mf = params["max_features"]
    if mf == "sqrt":
        mf = max(1, int(np.sqrt(n_features)))
    elif mf == "log2":
        mf = max(1, int(np.log2(n_features)))
    elif mf is None:
        mf = n_features
    elif not isinstance(mf, numbers.Integral):
        mf = max(1, int(mf * n_features))
    max_depth = _MAX_DEPTH if params["max_depth"] is None else params["max_depth"]
    mln = -1 if params["max_leaf_nodes"] is None else params["max_leaf_nodes"]
    return int(msl), int(mss), int(mf), int(max_depth), int(mln)


class TrainingData:
    """X in the kernels' layout (feature-major float32), built once per fit."""

    def __init__(self, X):
        self.Xt = np.ascontiguousarray(X.T, dtype=np.float32)


def grow_tree(
    data,
    y,
    sample_weight,
    n_classes,
    criterion,
    random_splitter,
    limits,
    min_weight_leaf,
    min_impurity_decrease,
    seed,
):
    """Grow one tree with the exact kernel and return a :class:`Tree`."""
    msl, mss, mf, max_depth, mln = limits
    arrays = _native().build_tree(
        data.Xt,
        y,
        sample_weight,
        int(n_classes),
        _CRITERIA[criterion],
        bool(random_splitter),
        mf,
        mss,
        msl,
        float(min_weight_leaf),
        max_depth,
        mln,
        float(min_impurity_decrease),
        int(seed),
    )
    return Tree(arrays, data.Xt.shape[0], n_classes)


def check_X_predict(est, X):
    """Validate prediction input: finite float32, C order, the fitted width."""
    return np.ascontiguousarray(validate_data(est, X, dtype=np.float32, reset=False))


def validate_fit_input(est, X, y, sample_weight):
    """Validate X, y and weights; return (X, y_codes_or_values, weights, n_classes)."""
    classifier = is_classifier(est)
    X, y = validate_data(est, X, y, dtype=np.float32, y_numeric=not classifier)
    if classifier:
        check_classification_targets(y)
        est.classes_, y_enc = np.unique(y, return_inverse=True)
        est.n_classes_ = len(est.classes_)
        n_classes = est.n_classes_
        y_fit = y_enc.astype(np.float64)
    else:
        y_fit = np.ascontiguousarray(y, dtype=np.float64)
        n_classes = 0
    sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
    class_weight = getattr(est, "class_weight", None)
    if classifier and class_weight is not None and class_weight != "balanced_subsample":
        sample_weight = sample_weight * compute_sample_weight(class_weight, y)
    est.n_outputs_ = 1
    return X, y_fit, np.ascontiguousarray(sample_weight), n_classes


class BaseExactTree(BaseEstimator):
    """Fit/predict of one exact tree (the splitter comes from the ``splitter`` parameter)."""

    def _fit_tree(self, X, y, sample_weight):
        X, y_fit, w, n_classes = validate_fit_input(self, X, y, sample_weight)
        params = self.get_params()
        limits = resolve_growth(params, X.shape[0], X.shape[1])
        self.max_features_ = limits[2]
        min_weight_leaf = self.min_weight_fraction_leaf * w.sum()
        seed = check_random_state(self.random_state).randint(0, _native().RAND_R_MAX)
        self.tree_ = grow_tree(
            TrainingData(X),
            y_fit,
            w,
            n_classes,
            self.criterion,
            self.splitter == "random",
            limits,
            min_weight_leaf,
            self.min_impurity_decrease,
            seed,
        )
        self.tree_ = prune_tree(self.tree_, getattr(self, "ccp_alpha", 0.0))
        return self

    def cost_complexity_pruning_path(self, X, y, sample_weight=None):
        """The minimal cost-complexity pruning path of the tree grown on ``X, y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        path : sklearn.utils.Bunch
            ``ccp_alphas``: the effective alphas of the successive pruning steps (0 first,
            increasing); ``impurities``: the total leaf impurity of the tree pruned at each.
        """
        est = clone(self).set_params(ccp_alpha=0.0)
        est._fit_tree(X, y, sample_weight)
        alphas, impurities = pruning_path(est.tree_)
        return Bunch(ccp_alphas=alphas, impurities=impurities)

    def apply(self, X):
        """Index of the leaf each sample ends up in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_leaves : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.tree_.apply(check_X_predict(self, X))

    def decision_path(self, X):
        """Indicator matrix of the nodes each sample goes through.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, n_nodes)
        """
        check_is_fitted(self)
        return self.tree_.decision_path(check_X_predict(self, X))

    def get_depth(self):
        """Depth of the tree (a lone root has depth 0).

        Returns
        -------
        self.tree_.max_depth : int
        """
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self):
        """Number of leaves.

        Returns
        -------
        self.tree_.n_leaves : int
        """
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self):
        """Normalized total impurity decrease brought by each feature (Gini importance).

        Returns
        -------
        feature_importances_ : ndarray of shape (`n_features_in_`,)
        """
        check_is_fitted(self)
        return self.tree_.compute_feature_importances()

    def _node_values(self, X):
        check_is_fitted(self)
        return self.tree_.predict(check_X_predict(self, X))


class TreeClassifierMixin:
    """predict / predict_proba / predict_log_proba from the leaf class fractions."""

    def predict_proba(self, X):
        """Class probabilities: the weighted class fractions of each sample's leaf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self._node_values(X)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_.take(np.argmax(self.predict_proba(X), axis=1))
