"""Linear models: logistic, least squares, ridge, lasso / elastic net, SGD family and FTRL."""

from __future__ import annotations

from ._base import LinearRegression
from ._coordinate_descent import ElasticNet, Lasso
from ._coordinate_descent_cv import ElasticNetCV, LassoCV
from ._ftrl import FTRLClassifier
from ._logistic import LogisticRegression
from ._passive_aggressive import PassiveAggressiveClassifier
from ._perceptron import Perceptron
from ._ridge import Ridge, RidgeClassifier
from ._ridge_cv import RidgeCV
from ._stochastic_gradient import SGDClassifier, SGDRegressor

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "FTRLClassifier",
    "LinearRegression",
    "LogisticRegression",
    "PassiveAggressiveClassifier",
    "Perceptron",
    "Ridge",
    "RidgeCV",
    "RidgeClassifier",
    "SGDClassifier",
    "SGDRegressor",
]
