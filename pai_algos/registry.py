"""Discover estimators by walking the subpackages of :mod:`pai_algos`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

__all__ = ["FAMILY_EXCLUDE", "TASKS", "all_estimators", "estimator_task"]

# Subpackages that hold functions, infrastructure or data, not estimators.
FAMILY_EXCLUDE = frozenset(
    {"utils", "datasets", "metrics", "stats", "ps", "forecast", "viz", "workflow", "io", "tests"}
)
TASKS = ("classifier", "regressor", "cluster", "transformer", "recommender", "outlier")


def estimator_task(cls) -> str:
    """Return the task of an estimator class: one of :data:`TASKS`."""
    from sklearn.base import ClassifierMixin, ClusterMixin, OutlierMixin, RegressorMixin

    from .base import RecommenderMixin

    if issubclass(cls, RecommenderMixin):
        return "recommender"
    if issubclass(cls, ClassifierMixin):
        return "classifier"
    if issubclass(cls, RegressorMixin):
        return "regressor"
    if issubclass(cls, ClusterMixin):
        return "cluster"
    if issubclass(cls, OutlierMixin):
        return "outlier"
    if hasattr(cls, "transform"):
        return "transformer"
    raise TypeError(f"Cannot tell the task of {cls.__name__}.")


def _families():
    import pai_algos

    for info in pkgutil.iter_modules(pai_algos.__path__):
        if info.ispkg and not info.name.startswith("_") and info.name not in FAMILY_EXCLUDE:
            yield info.name


def all_estimators(family=None, task=None):
    """List the estimators of pai_algos.

    Parameters
    ----------
    family : str, default=None
        A subpackage name ("linear_model", "cluster", ...); None lists every family.
    task : {"classifier", "regressor", "cluster", "transformer", "recommender", "outlier"}, \
default=None
        Keep only estimators of this task.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    Examples
    --------
    >>> from pai_algos import all_estimators
    >>> dict(all_estimators(task="cluster"))["KMeans"].__module__
    'pai_algos.cluster._kmeans'
    """
    from sklearn.base import BaseEstimator

    families = list(_families())
    if family is not None:
        if family not in families:
            raise ValueError(f"Unknown family {family!r}; known families: {sorted(families)}.")
        families = [family]
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}.")

    found = {}
    for fam in families:
        module = importlib.import_module(f"pai_algos.{fam}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                if task is None or estimator_task(obj) == task:
                    found[name] = obj
    return sorted(found.items())
