"""Small datasets per task, shared by the common checks (CPU and CUDA-simulator runs)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.utils import get_tags

from pai_algos.registry import estimator_task


def data_for(cls, seed=0, n_samples=90, dtype=np.float64):
    """Return ``(X, y)`` suited to the estimator's task (``y`` None when unsupervised).

    A class whose input is not a numeric 2-D array (raw text, a user-item matrix, baskets)
    provides its own small data with a static method ``_common_test_data(seed, n_samples, dtype)``
    returning ``(X, y)``.
    """
    hook = getattr(cls, "_common_test_data", None)
    if hook is not None:
        return hook(seed=seed, n_samples=n_samples, dtype=dtype)
    task = estimator_task(cls)
    if task == "classifier":
        # binary-only classifiers (tag classifier_tags.multi_class=False) get two classes
        n_classes = 3 if get_tags(cls()).classifier_tags.multi_class else 2
        X, y = make_classification(
            n_samples=n_samples,
            n_features=6,
            n_informative=4,
            n_classes=n_classes,
            random_state=seed,
        )
    elif task == "regressor":
        X, y = make_regression(n_samples=n_samples, n_features=6, noise=0.1, random_state=seed)
    elif task == "cluster":
        X, y = make_blobs(n_samples=n_samples, n_features=4, centers=3, random_state=seed)
        y = None
    else:
        X = np.random.default_rng(seed).normal(size=(n_samples, 5))
        y = None
    return X.astype(dtype), y


def takes_2d_array(cls) -> bool:
    """Whether the estimator takes a numeric 2-D array (False for raw text, baskets...)."""
    return bool(get_tags(cls()).input_tags.two_d_array)


def make_estimator(cls, **extra):
    params = dict(getattr(cls, "_fast_params", {}))
    params.update(extra)
    valid = cls().get_params()
    return cls(**{k: v for k, v in params.items() if k in valid})


def outputs(est, X):
    """Every prediction-like output the estimator offers, by method name.

    A class whose outputs are not ``method(X)`` (a recommender's ``recommend(users, n)``) lists
    them itself with a static method ``_common_test_outputs(est, X)`` returning a dict.
    """
    hook = getattr(type(est), "_common_test_outputs", None)
    if hook is not None:
        return hook(est, X)
    out = {}
    for method in ("predict", "predict_proba", "decision_function", "transform", "score_samples"):
        if hasattr(est, method):
            out[method] = getattr(est, method)(X)
    if not out and hasattr(est, "labels_"):
        out["labels_"] = est.labels_
    return out
