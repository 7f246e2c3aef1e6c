"""Ensembles of trees: forests, boosting (histogram gradient boosting, AdaBoost), ranking, leaf
encoding and the isolation forest."""

from __future__ import annotations

from ._forest import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from ._gbdt_encoder import GBDTEncoder
from ._gbdt_ranker import GBDTRanker
from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from ._iforest import IsolationForest
from ._weight_boosting import AdaBoostClassifier, AdaBoostRegressor

__all__ = [
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GBDTEncoder",
    "GBDTRanker",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "IsolationForest",
    "RandomForestClassifier",
    "RandomForestRegressor",
]
