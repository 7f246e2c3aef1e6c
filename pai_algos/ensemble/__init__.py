"""Ensembles of trees: histogram gradient boosting."""

from __future__ import annotations

from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from ._iforest import IsolationForest

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "IsolationForest"]
