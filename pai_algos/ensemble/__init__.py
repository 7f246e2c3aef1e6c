"""Ensembles of trees: histogram gradient boosting, ranking, leaf encoding, isolation forest."""

from __future__ import annotations

from ._gbdt_encoder import GBDTEncoder
from ._gbdt_ranker import GBDTRanker
from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from ._iforest import IsolationForest

__all__ = [
    "GBDTEncoder",
    "GBDTRanker",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "IsolationForest",
]
