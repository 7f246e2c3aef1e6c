"""Shared machinery of the forests of exact trees (used by ``pai_algos.ensemble._forest``).

Each tree is grown by the nogil kernel ``tree_exact.build_tree`` in a thread pool of
``n_jobs`` threads; prediction walks all trees of the forest in one row-parallel kernel over
the trees' concatenated node arrays. Seeds, bootstrap draws and feature draws follow
scikit-learn's, so a forest with the same ``random_state`` grows the same trees.
"""

from __future__ import annotations

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils.validation import check_is_fitted

from pai_algos.base import (
    DeviceMixin,
    _effective_threads,
    numba_threads,
    predict_device,
    progress_bar,
)
from pai_algos.utils._sklearn_compat import Interval, RealNotInt, StrOptions, _fit_context
from pai_algos_native import kernels

from ._base import (
    TrainingData,
    _tree_constraints,
    check_X_predict,
    grow_tree,
    resolve_growth,
    validate_fit_input,
)
from ._decision_tree import DecisionTreeClassifier, DecisionTreeRegressor
from ._prune import prune_tree

_MAX_INT = np.iinfo(np.int32).max


def _n_samples_bootstrap(n_samples, max_samples, sample_weight):
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, numbers.Integral):
        if max_samples > n_samples:
            raise ValueError(
                f"`max_samples` must be <= n_samples={n_samples} but got value {max_samples}"
            )
        return max_samples
    total = n_samples if sample_weight is None else sample_weight.sum()
    return max(int(max_samples * total), 1)


def _bootstrap_indices(seed, n_samples, n_bootstrap, sample_weight):
    """scikit-learn's ``_generate_sample_indices``: the rows drawn for one tree."""
    rs = check_random_state(seed)
    if sample_weight is None:
        return rs.randint(0, n_samples, n_bootstrap)
    p = sample_weight / np.sum(sample_weight)
    return rs.choice(n_samples, n_bootstrap, replace=True, p=p)


def _forest_constraints(classifier):
    c = _tree_constraints(classifier)
    del c["splitter"], c["random_state"]
    c.update(
        n_estimators=[Interval(numbers.Integral, 1, None, closed="left")],
        bootstrap=["boolean"],
        oob_score=["boolean", callable],
        n_jobs=[numbers.Integral, None],
        random_state=["random_state"],
        verbose=["verbose"],
        warm_start=["boolean"],
        max_samples=[
            None,
            Interval(RealNotInt, 0.0, 1.0, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        device=[StrOptions({"cpu", "cuda", "auto"}), None],
    )
    if classifier:
        c["class_weight"] = [dict, list, StrOptions({"balanced_subsample", "balanced"}), None]
    return c


class BaseExactForest(DeviceMixin, BaseEstimator):
    """Fit/predict shared by the four forests; subclasses set ``_random_splitter``."""

    _random_splitter = False
    _fast_params = {"n_estimators": 5}

    def _tree_class(self):
        return DecisionTreeClassifier if is_classifier(self) else DecisionTreeRegressor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the forest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (cast to float32).
        y : array-like of shape (n_samples,)
            Class labels (classifiers) or targets (regressors).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. With ``bootstrap=True`` they are the probabilities of the
            bootstrap draws (as in scikit-learn 1.9); otherwise they weight the samples.

        Returns
        -------
        self : object
        """
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        device = self._resolve_device(X)
        had_weight = sample_weight is not None
        X, y_fit, w, n_classes = validate_fit_input(self, X, y, sample_weight)
        classifier = is_classifier(self)
        class_weight = getattr(self, "class_weight", None)
        if classifier and class_weight == "balanced_subsample" and not self.bootstrap:
            w = w * compute_sample_weight("balanced", y_fit)
        explicit_weight = had_weight or (classifier and class_weight is not None)
        n_samples = X.shape[0]
        n_boot = (
            _n_samples_bootstrap(n_samples, self.max_samples, w if explicit_weight else None)
            if self.bootstrap
            else None
        )
        limits = resolve_growth(self.get_params(), n_samples, X.shape[1])
        min_weight_leaf = self.min_weight_fraction_leaf * w.sum()

        rs = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
            self._seeds = []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new trees.",
                UserWarning,
                stacklevel=3,
            )
        else:
            if self.estimators_:
                rs.randint(_MAX_INT, size=len(self.estimators_))
            seeds = [int(rs.randint(_MAX_INT)) for _ in range(n_more)]
            data = TrainingData(X)
            rand_r_max = kernels("tree_exact", "cpu").RAND_R_MAX
            balanced_sub = classifier and class_weight == "balanced_subsample"

            def grow(seed):
                tree_w = w
                if self.bootstrap:
                    idx = _bootstrap_indices(
                        seed, n_samples, n_boot, w if explicit_weight else None
                    )
                    tree_w = np.bincount(idx, minlength=n_samples).astype(np.float64)
                    if balanced_sub:
                        tree_w = tree_w * compute_sample_weight("balanced", y_fit, indices=idx)
                split_seed = np.random.RandomState(seed).randint(0, rand_r_max)
                return prune_tree(
                    grow_tree(
                        data,
                        y_fit,
                        tree_w,
                        n_classes,
                        self.criterion,
                        self._random_splitter,
                        limits,
                        min_weight_leaf,
                        self.min_impurity_decrease,
                        split_seed,
                    ),
                    self.ccp_alpha,
                )

            n_threads = min(_effective_threads(self.n_jobs), n_more)
            bar = progress_bar(total=n_more, desc=type(self).__name__, verbose=self.verbose)
            with bar, ThreadPoolExecutor(max_workers=n_threads) as pool:
                trees = []
                for tree in pool.map(grow, seeds):
                    trees.append(tree)
                    bar.update(1)
            for seed, tree in zip(seeds, trees):
                est = self._tree_class()(**self._tree_params(seed))
                est.tree_ = tree
                est.n_features_in_ = X.shape[1]
                est.n_outputs_ = 1
                est.max_features_ = limits[2]
                if classifier:
                    est.classes_ = self.classes_
                    est.n_classes_ = self.n_classes_
                self.estimators_.append(est)
            self._seeds.extend(seeds)
        self._flatten()
        self._n_samples = n_samples
        self._n_samples_bootstrap = n_boot
        if self.oob_score:
            self._set_oob(X, y, y_fit, w if explicit_weight else None)
        self.device_ = device
        return self

    def _tree_params(self, seed):
        names = (
            "criterion",
            "max_depth",
            "min_samples_split",
            "min_samples_leaf",
            "min_weight_fraction_leaf",
            "max_features",
            "max_leaf_nodes",
            "min_impurity_decrease",
            "ccp_alpha",
        )
        params = {k: getattr(self, k) for k in names}
        params["random_state"] = seed
        params["splitter"] = "random" if self._random_splitter else "best"
        return params

    def _flatten(self):
        """Concatenate the trees' node arrays (child indices made global) for prediction."""
        trees = [e.tree_ for e in self.estimators_]
        sizes = np.array([t.node_count for t in trees], dtype=np.int64)
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        left = np.concatenate(
            [np.where(t.children_left >= 0, t.children_left + r, -1) for t, r in zip(trees, roots)]
        )
        right = np.concatenate(
            [
                np.where(t.children_right >= 0, t.children_right + r, -1)
                for t, r in zip(trees, roots)
            ]
        )
        self._flat = (
            left,
            right,
            np.concatenate([t.feature for t in trees]),
            np.concatenate([t.threshold32 for t in trees]),
            np.ascontiguousarray(np.concatenate([t.value[:, 0, :] for t in trees])),
            roots,
        )
        left, right, feature, _, _, _ = self._flat
        self._packed = kernels("tree_exact", "cpu").pack_forest(left, right, feature, roots)

    def _mean_values(self, X):
        check_is_fitted(self)
        X = check_X_predict(self, X)
        _, _, _, thr, value, roots = self._flat
        children, feat, depths = self._packed
        out = np.empty((X.shape[0], value.shape[1]), dtype=np.float64)
        if predict_device(self) == "cuda":
            left, right, feature, _, _, _ = self._flat
            kernels("tree_exact", "cuda").predict_forest(
                X, left, right, feature, thr, value, roots, out
            )
            return out
        with numba_threads(self.n_jobs):
            kernels("tree_exact", "cpu").predict_forest_packed(
                X, children, feat, thr, value, roots, depths, out
            )
        return out

    def _set_oob(self, X, y, y_fit, sample_weight):
        n = X.shape[0]
        Xc = np.ascontiguousarray(X, dtype=np.float32)
        n_out = self._flat[4].shape[1]
        acc = np.zeros((n, n_out))
        counts = np.zeros(n)
        for est, seed in zip(self.estimators_, self._seeds):
            idx = _bootstrap_indices(seed, n, self._n_samples_bootstrap, sample_weight)
            unsampled = np.flatnonzero(np.bincount(idx, minlength=n) == 0)
            if unsampled.size == 0:
                continue
            acc[unsampled] += est.tree_.predict(np.ascontiguousarray(Xc[unsampled]))
            counts[unsampled] += 1
        if np.any(counts == 0):
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees were "
                "used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
            counts[counts == 0] = np.finfo(np.float64).eps
        pred = acc / counts[:, None]
        if is_classifier(self):
            self.oob_decision_function_ = pred
            labels = self.classes_.take(np.argmax(pred, axis=1))
            scorer = self.oob_score if callable(self.oob_score) else accuracy_score
            self.oob_score_ = scorer(y, labels)
        else:
            self.oob_prediction_ = pred[:, 0]
            scorer = self.oob_score if callable(self.oob_score) else r2_score
            self.oob_score_ = scorer(y, self.oob_prediction_)

    def apply(self, X):
        """Leaf index of each sample in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_leaves : ndarray of shape (n_samples, n_estimators)
        """
        check_is_fitted(self)
        X = check_X_predict(self, X)
        left, right, feature, thr, _, roots = self._flat
        if predict_device(self) == "cuda":
            leaves = kernels("tree_exact", "cuda").forest_apply(X, left, right, feature, thr, roots)
            return leaves - roots[None, :]
        with numba_threads(self.n_jobs):
            leaves = kernels("tree_exact", "cpu").forest_apply(X, left, right, feature, thr, roots)
        return leaves - roots[None, :]

    @property
    def feature_importances_(self):
        """Mean of the trees' normalized impurity-based importances.

        Returns
        -------
        feature_importances_ : ndarray of shape (`n_features_in_`,)
        """
        check_is_fitted(self)
        imps = [e.feature_importances_ for e in self.estimators_ if e.tree_.node_count > 1]
        if not imps:
            return np.zeros(self.n_features_in_, dtype=np.float64)
        mean = np.mean(imps, axis=0)
        return mean / mean.sum()


class ForestClassifierMixin:
    """predict_proba / predict of a classification forest (mean of the trees' fractions)."""

    def predict_proba(self, X):
        """Mean of the trees' leaf class fractions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._mean_values(X)

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
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1))


class ForestRegressorMixin:
    """predict of a regression forest (mean of the trees' leaf means)."""

    def predict(self, X):
        """Mean of the trees' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return self._mean_values(X)[:, 0]
