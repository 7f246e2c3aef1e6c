"""Decision trees with an exact (sorted) splitter, and extremely randomized trees."""

from __future__ import annotations

from ._base import Tree  # noqa: F401  (the fitted tree_ object)
from ._decision_tree import DecisionTreeClassifier, DecisionTreeRegressor
from ._extra_tree import ExtraTreeClassifier, ExtraTreeRegressor

__all__ = [
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
]
