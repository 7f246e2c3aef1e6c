"""Random forests and extra-trees: bagged exact trees grown in parallel threads.

Each tree is grown by the nogil kernel ``tree_exact.build_tree`` in a thread pool of
``n_jobs`` threads; prediction walks all trees of the forest in one row-parallel kernel over
the trees' concatenated node arrays. Seeds, bootstrap draws and feature draws follow
scikit-learn's, so a forest with the same ``random_state`` grows the same trees.
"""

from __future__ import annotations

from sklearn.base import ClassifierMixin, RegressorMixin

from pai_algos.tree._forest_base import (
    BaseExactForest,
    ForestClassifierMixin,
    ForestRegressorMixin,
    _forest_constraints,
)

_PARAMS = """
    max_depth : int, default=None
        Maximum depth of each tree; ``None`` grows until leaves are pure or too small.
    min_samples_split : int or float, default=2
        Minimum number of samples (or fraction of them) to split a node.
    min_samples_leaf : int or float, default=1
        Minimum number of samples (or fraction of them) in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {{"sqrt", "log2"}} or None, default={mf}
        Number of features drawn at each node.
    max_leaf_nodes : int, default=None
        Grow each tree best first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Minimum weighted impurity decrease of a split.
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning of each tree (0: no pruning).
    bootstrap : bool, default={bootstrap}
        Grow each tree on a bootstrap sample (row counts used as sample weights).
    oob_score : bool or callable, default=False
        Score the forest on the out-of-bag samples (accuracy or R², or ``callable(y, pred)``).
    n_jobs : int, default=None
        Threads growing trees (and predicting); ``None`` uses the global configuration.
    random_state : int, RandomState instance or None, default=None
        Seeds the trees as scikit-learn does (same seed, same trees).
    verbose : int, default=0
        Show a progress bar while growing.
    warm_start : bool, default=False
        Keep the fitted trees and add ``n_estimators - len(estimators_)`` new ones."""

_DEVICE = """device : {"cpu", "cuda", "auto"}, default="cpu"
        Where ``predict``, ``predict_proba`` and ``apply`` run ("cuda": one GPU thread per
        row walks all trees). The trees always grow on the CPU. "auto" picks the GPU for
        inputs of 2,000,000 values or more when one is usable; "cuda" without a GPU is an
        error."""

_ATTRS = """
    estimators_ : list of {tree}
        The fitted trees.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_outputs_ : int
        Always 1 (multi-output targets are not supported).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Mean impurity-based importances of the trees.
    oob_score_ : float
        Out-of-bag score (only with ``oob_score``).
    device_ : str
        The device predictions run on ("cpu" or "cuda")."""

_NOTES = """
    Each tree is an exact CART tree (see :class:`pai_algos.tree.DecisionTreeClassifier`)
    grown on a bootstrap sample with ``max_features`` candidate features per node (Breiman,
    2001); trees are grown by ``n_jobs`` threads running the GIL-free kernel, and predictions
    average the trees' leaf values, :math:`\\hat p(x) = \\frac{{1}}{{T}}\\sum_t p_t(x)`.
    Missing values in X are rejected; sparse X is not accepted."""


def _init(
    self,
    n_estimators,
    criterion,
    max_depth,
    min_samples_split,
    min_samples_leaf,
    min_weight_fraction_leaf,
    max_features,
    max_leaf_nodes,
    min_impurity_decrease,
    bootstrap,
    oob_score,
    n_jobs,
    random_state,
    verbose,
    warm_start,
    max_samples,
    ccp_alpha,
):
    self.n_estimators = n_estimators
    self.criterion = criterion
    self.max_depth = max_depth
    self.min_samples_split = min_samples_split
    self.min_samples_leaf = min_samples_leaf
    self.min_weight_fraction_leaf = min_weight_fraction_leaf
    self.max_features = max_features
    self.max_leaf_nodes = max_leaf_nodes
    self.min_impurity_decrease = min_impurity_decrease
    self.bootstrap = bootstrap
    self.oob_score = oob_score
    self.n_jobs = n_jobs
    self.random_state = random_state
    self.verbose = verbose
    self.warm_start = warm_start
    self.max_samples = max_samples
    self.ccp_alpha = ccp_alpha


class RandomForestClassifier(ForestClassifierMixin, ClassifierMixin, BaseExactForest):
    __doc__ = f"""A random forest classifier of exact trees.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {{"gini", "entropy", "log_loss"}}, default="gini"
        Impurity measure.{_PARAMS.format(mf='"sqrt"', bootstrap="True")}
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        Class weights; "balanced_subsample" recomputes them on each bootstrap sample.
    max_samples : int or float, default=None
        Size of each bootstrap sample (``None``: n_samples).
    {_DEVICE}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.{_ATTRS.format(tree="DecisionTreeClassifier")}
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (only with ``oob_score``).

    See Also
    --------
    ExtraTreesClassifier : Trees with random thresholds.
    pai_algos.tree.DecisionTreeClassifier : One exact tree.

    Notes
    -----{_NOTES}

    References
    ----------
    .. [1] Breiman, L. "Random Forests", Machine Learning, 45(1), 5-32, 2001.

    Examples
    --------
    >>> from pai_algos.datasets import load_breast_cancer
    >>> from pai_algos.ensemble import RandomForestClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = RandomForestClassifier(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    >>> len(clf.estimators_), clf.predict_proba(X[:3]).shape
    (20, (3, 2))
    >>> bool(clf.oob_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = _forest_constraints(classifier=True)
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "bootstrap draws make weights differ from repeated rows (as in scikit-learn)"
        ),
    }
    _random_splitter = False

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        max_samples=None,
        ccp_alpha=0.0,
        device="cpu",
    ):
        _init(
            self,
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            min_weight_fraction_leaf,
            max_features,
            max_leaf_nodes,
            min_impurity_decrease,
            bootstrap,
            oob_score,
            n_jobs,
            random_state,
            verbose,
            warm_start,
            max_samples,
            ccp_alpha,
        )
        self.device = device
        self.class_weight = class_weight


class ExtraTreesClassifier(RandomForestClassifier):
    __doc__ = f"""An extra-trees classifier: trees with one random threshold per feature.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {{"gini", "entropy", "log_loss"}}, default="gini"
        Impurity measure.{_PARAMS.format(mf='"sqrt"', bootstrap="False")}
    class_weight : dict, "balanced", "balanced_subsample" or None, default=None
        Class weights.
    max_samples : int or float, default=None
        Size of each bootstrap sample when ``bootstrap``.
    {_DEVICE}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.{_ATTRS.format(tree="DecisionTreeClassifier")}
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (only with ``oob_score``).

    See Also
    --------
    RandomForestClassifier : Bootstrapped exact trees.
    pai_algos.tree.ExtraTreeClassifier : One extremely randomized tree.

    Notes
    -----
    Thresholds are drawn uniformly between each candidate feature's node minimum and maximum
    (Geurts et al., 2006); the trees see the whole sample unless ``bootstrap``.

    References
    ----------
    .. [1] Geurts, P., Ernst, D. and Wehenkel, L. "Extremely randomized trees", Machine
       Learning, 63(1), 3-42, 2006.

    Examples
    --------
    >>> from pai_algos.datasets import load_wine
    >>> from pai_algos.ensemble import ExtraTreesClassifier
    >>> X, y = load_wine(return_X_y=True)
    >>> clf = ExtraTreesClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> print(clf.score(X, y))
    1.0
    """

    _expected_failed_checks: dict = {}
    _random_splitter = True

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        max_samples=None,
        ccp_alpha=0.0,
        device="cpu",
    ):
        _init(
            self,
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            min_weight_fraction_leaf,
            max_features,
            max_leaf_nodes,
            min_impurity_decrease,
            bootstrap,
            oob_score,
            n_jobs,
            random_state,
            verbose,
            warm_start,
            max_samples,
            ccp_alpha,
        )
        self.device = device
        self.class_weight = class_weight


class RandomForestRegressor(ForestRegressorMixin, RegressorMixin, BaseExactForest):
    __doc__ = f"""A random forest regressor of exact trees.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {{"squared_error", "friedman_mse"}}, default="squared_error"
        Split quality.{_PARAMS.format(mf="1.0", bootstrap="True")}
    max_samples : int or float, default=None
        Size of each bootstrap sample (``None``: n_samples).
    {_DEVICE}

    Attributes
    ----------{_ATTRS.format(tree="DecisionTreeRegressor")}
    oob_prediction_ : ndarray of shape (n_samples,)
        Out-of-bag predictions (only with ``oob_score``).

    See Also
    --------
    ExtraTreesRegressor : Trees with random thresholds.
    pai_algos.tree.DecisionTreeRegressor : One exact tree.

    Notes
    -----{_NOTES}

    References
    ----------
    .. [1] Breiman, L. "Random Forests", Machine Learning, 45(1), 5-32, 2001.

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.ensemble import RandomForestRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = RandomForestRegressor(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    >>> bool(0.2 < reg.oob_score_ < 0.6)
    True
    """

    _parameter_constraints: dict = _forest_constraints(classifier=False)
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "bootstrap draws make weights differ from repeated rows (as in scikit-learn)"
        ),
    }
    _random_splitter = False

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        max_samples=None,
        ccp_alpha=0.0,
        device="cpu",
    ):
        _init(
            self,
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            min_weight_fraction_leaf,
            max_features,
            max_leaf_nodes,
            min_impurity_decrease,
            bootstrap,
            oob_score,
            n_jobs,
            random_state,
            verbose,
            warm_start,
            max_samples,
            ccp_alpha,
        )
        self.device = device


class ExtraTreesRegressor(RandomForestRegressor):
    __doc__ = f"""An extra-trees regressor: trees with one random threshold per feature.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {{"squared_error", "friedman_mse"}}, default="squared_error"
        Split quality.{_PARAMS.format(mf="1.0", bootstrap="False")}
    max_samples : int or float, default=None
        Size of each bootstrap sample when ``bootstrap``.
    {_DEVICE}

    Attributes
    ----------{_ATTRS.format(tree="DecisionTreeRegressor")}
    oob_prediction_ : ndarray of shape (n_samples,)
        Out-of-bag predictions (only with ``oob_score``).

    See Also
    --------
    RandomForestRegressor : Bootstrapped exact trees.
    pai_algos.tree.ExtraTreeRegressor : One extremely randomized tree.

    Notes
    -----
    Thresholds are drawn uniformly between each candidate feature's node minimum and maximum
    (Geurts et al., 2006).

    References
    ----------
    .. [1] Geurts, P., Ernst, D. and Wehenkel, L. "Extremely randomized trees", Machine
       Learning, 63(1), 3-42, 2006.

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.ensemble import ExtraTreesRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ExtraTreesRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> print(round(reg.score(X, y), 3))
    1.0
    """

    _expected_failed_checks: dict = {}
    _random_splitter = True

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        max_samples=None,
        ccp_alpha=0.0,
        device="cpu",
    ):
        _init(
            self,
            n_estimators,
            criterion,
            max_depth,
            min_samples_split,
            min_samples_leaf,
            min_weight_fraction_leaf,
            max_features,
            max_leaf_nodes,
            min_impurity_decrease,
            bootstrap,
            oob_score,
            n_jobs,
            random_state,
            verbose,
            warm_start,
            max_samples,
            ccp_alpha,
        )
        self.device = device
