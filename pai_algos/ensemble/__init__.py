"""Ensembles of trees: histogram gradient boosting."""

from __future__ import annotations

from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]
