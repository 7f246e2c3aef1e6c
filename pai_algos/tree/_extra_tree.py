"""Extremely randomized single trees: one random threshold per candidate feature."""

from __future__ import annotations

from ._decision_tree import DecisionTreeClassifier, DecisionTreeRegressor


class ExtraTreeClassifier(DecisionTreeClassifier):
    """An extremely randomized tree classifier.

    Same parameters as :class:`DecisionTreeClassifier`, with ``splitter="random"`` and
    ``max_features="sqrt"`` by default: at each node, ``max_features`` features are drawn and
    each gets one threshold drawn uniformly between the node's minimum and maximum of that
    feature; the best of these splits is kept.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Impurity measure.
    splitter : {"random", "best"}, default="random"
        Split strategy.
    max_depth : int, default=None
        Maximum depth.
    min_samples_split : int or float, default=2
        Minimum number of samples to split a node.
    min_samples_leaf : int or float, default=1
        Minimum number of samples in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default="sqrt"
        Number of features drawn at each node.
    random_state : int, RandomState instance or None, default=None
        Seeds the feature and threshold draws (same trees as scikit-learn's for a seed).
    max_leaf_nodes : int, default=None
        Grow best first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Minimum weighted impurity decrease of a split.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning (0: no pruning).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    max_features_ : int
        The resolved ``max_features``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_outputs_ : int
        Always 1.
    tree_ : Tree
        The flat node arrays.
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalized impurity-based importances.

    See Also
    --------
    DecisionTreeClassifier : The exact (best split) tree.
    pai_algos.ensemble.ExtraTreesClassifier : An ensemble of extremely randomized trees.

    Notes
    -----
    The threshold of feature :math:`j` is :math:`u \\sim U[\\min_t x_j, \\max_t x_j]` over the
    node's samples :math:`t` (Geurts et al., 2006), drawn with scikit-learn's generator.

    References
    ----------
    .. [1] Geurts, P., Ernst, D. and Wehenkel, L. "Extremely randomized trees", Machine
       Learning, 63(1), 3-42, 2006.

    Examples
    --------
    >>> from pai_algos.datasets import load_iris
    >>> from pai_algos.tree import ExtraTreeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = ExtraTreeClassifier(random_state=0).fit(X, y)
    >>> print(clf.score(X, y))
    1.0
    """

    def __init__(
        self,
        *,
        criterion="gini",
        splitter="random",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
        class_weight=None,
    ):
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            ccp_alpha=ccp_alpha,
            class_weight=class_weight,
        )


class ExtraTreeRegressor(DecisionTreeRegressor):
    """An extremely randomized tree regressor.

    Same parameters as :class:`DecisionTreeRegressor`, with ``splitter="random"`` and
    ``max_features=1.0`` by default.

    Parameters
    ----------
    criterion : {"squared_error", "friedman_mse"}, default="squared_error"
        Split quality.
    splitter : {"random", "best"}, default="random"
        Split strategy.
    max_depth : int, default=None
        Maximum depth.
    min_samples_split : int or float, default=2
        Minimum number of samples to split a node.
    min_samples_leaf : int or float, default=1
        Minimum number of samples in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default=1.0
        Number of features drawn at each node.
    random_state : int, RandomState instance or None, default=None
        Seeds the feature and threshold draws.
    max_leaf_nodes : int, default=None
        Grow best first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Minimum weighted impurity decrease of a split.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning (0: no pruning).

    Attributes
    ----------
    max_features_ : int
        The resolved ``max_features``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_outputs_ : int
        Always 1.
    tree_ : Tree
        The flat node arrays.
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalized impurity-based importances.

    See Also
    --------
    DecisionTreeRegressor : The exact (best split) tree.
    pai_algos.ensemble.ExtraTreesRegressor : An ensemble of extremely randomized trees.

    Notes
    -----
    Random thresholds as in :class:`ExtraTreeClassifier` (Geurts et al., 2006).

    References
    ----------
    .. [1] Geurts, P., Ernst, D. and Wehenkel, L. "Extremely randomized trees", Machine
       Learning, 63(1), 3-42, 2006.

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.tree import ExtraTreeRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ExtraTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    >>> reg.get_depth()
    3
    """

    def __init__(
        self,
        *,
        criterion="squared_error",
        splitter="random",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
    ):
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            ccp_alpha=ccp_alpha,
        )
