"""CART decision trees with an exact (sorted) splitter, matching scikit-learn's trees."""

from __future__ import annotations

from sklearn.base import ClassifierMixin, RegressorMixin

from pai_algos.utils._sklearn_compat import _fit_context

from ._base import BaseExactTree, TreeClassifierMixin, _tree_constraints

_SHARED_PARAMS = """
    splitter : {"best", "random"}, default="best"
        "best" scans every split position of the sorted values of each candidate feature;
        "random" draws one threshold per candidate feature (extremely randomized trees).
    max_depth : int, default=None
        Maximum depth; ``None`` grows until leaves are pure or too small.
    min_samples_split : int or float, default=2
        Minimum number of samples (or fraction of them) to split a node.
    min_samples_leaf : int or float, default=1
        Minimum number of samples (or fraction of them) in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Number of features drawn (without replacement) at each node.
    random_state : int, RandomState instance or None, default=None
        Seeds the feature draws (and the thresholds of the random splitter). The same seed
        as scikit-learn's tree gives the same tree.
    max_leaf_nodes : int, default=None
        Grow best first with at most this many leaves; ``None`` grows depth first.
    min_impurity_decrease : float, default=0.0
        A node is split only if the weighted impurity decrease is at least this.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning: the grown tree is pruned
        back while its weakest link's effective alpha is at most ``ccp_alpha`` (0: no
        pruning). See :meth:`cost_complexity_pruning_path`."""

_SHARED_ATTRS = """
    max_features_ : int
        The resolved ``max_features``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_outputs_ : int
        Always 1 (multi-output targets are not supported).
    tree_ : Tree
        The flat node arrays (``children_left``, ``children_right``, ``feature``,
        ``threshold``, ``value``, ``impurity``, ``n_node_samples``,
        ``weighted_n_node_samples``).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalized impurity-based importances."""

_NOTES = """
    The tree is grown by the exact CART procedure (Breiman et al., 1984): at each node the
    candidate features' values are sorted and every position between two distinct values is
    scored by the weighted impurity decrease

    .. math:: \\Delta = \\frac{N_t}{N}\\left(i(t) - \\frac{N_L}{N_t} i(L)
              - \\frac{N_R}{N_t} i(R)\\right),

    the threshold being the midpoint of the two values. X is cast to float32, as in
    scikit-learn. Missing values (NaN) in X are rejected with a ``ValueError``; sparse X is
    not accepted. The feature draws use scikit-learn's random generator, so with the same
    ``random_state`` the trees are the same as scikit-learn's up to floating-point ties."""


class DecisionTreeClassifier(TreeClassifierMixin, ClassifierMixin, BaseExactTree):
    __doc__ = f"""A decision tree classifier with an exact (sorted) splitter.

    Parameters
    ----------
    criterion : {{"gini", "entropy", "log_loss"}}, default="gini"
        Impurity measure; "log_loss" is the same as "entropy" (Shannon entropy).{_SHARED_PARAMS}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.{_SHARED_ATTRS}

    See Also
    --------
    DecisionTreeRegressor : The regression tree.
    ExtraTreeClassifier : A tree with random thresholds.
    pai_algos.ensemble.RandomForestClassifier : An ensemble of bootstrapped trees.

    Notes
    -----{_NOTES}

    References
    ----------
    .. [1] Breiman, L., Friedman, J., Olshen, R. and Stone, C. "Classification and Regression
       Trees", Wadsworth, 1984.

    Examples
    --------
    >>> from pai_algos.datasets import load_iris
    >>> from pai_algos.tree import DecisionTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    >>> clf.get_depth(), clf.get_n_leaves()
    (3, 5)
    >>> print(round(clf.score(X, y), 3))
    0.973
    """

    _parameter_constraints: dict = _tree_constraints(classifier=True)

    def __init__(
        self,
        *,
        criterion="gini",
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
        class_weight=None,
    ):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (cast to float32).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; samples of weight 0 are ignored.

        Returns
        -------
        self : object
        """
        return self._fit_tree(X, y, sample_weight)


class DecisionTreeRegressor(RegressorMixin, BaseExactTree):
    __doc__ = f"""A decision tree regressor with an exact (sorted) splitter.

    Parameters
    ----------
    criterion : {{"squared_error", "friedman_mse"}}, default="squared_error"
        Variance reduction ("friedman_mse" is its alias, as in scikit-learn 1.9).{_SHARED_PARAMS}

    Attributes
    ----------{_SHARED_ATTRS}

    See Also
    --------
    DecisionTreeClassifier : The classification tree.
    pai_algos.ensemble.RandomForestRegressor : An ensemble of bootstrapped trees.

    Notes
    -----{_NOTES}

    References
    ----------
    .. [1] Breiman, L., Friedman, J., Olshen, R. and Stone, C. "Classification and Regression
       Trees", Wadsworth, 1984.

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.tree import DecisionTreeRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)
    >>> reg.get_n_leaves()
    4
    >>> print(round(reg.score(X, y), 2))
    0.43
    """

    _parameter_constraints: dict = _tree_constraints(classifier=False)

    def __init__(
        self,
        *,
        criterion="squared_error",
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
    ):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (cast to float32).
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; samples of weight 0 are ignored.

        Returns
        -------
        self : object
        """
        return self._fit_tree(X, y, sample_weight)

    def predict(self, X):
        """Mean target of each sample's leaf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return self._node_values(X)[:, 0]
