"""Linear models: logistic, least squares, ridge, lasso / elastic net, SGD family and FTRL."""

from __future__ import annotations

from ._base import LinearRegression
from ._bayes import BayesianRidge
from ._coordinate_descent import ElasticNet, Lasso
from ._coordinate_descent_cv import ElasticNetCV, LassoCV
from ._ftrl import FTRLClassifier
from ._glm import GammaRegressor, PoissonRegressor, TweedieRegressor
from ._huber import HuberRegressor
from ._least_angle import Lars, LassoLars
from ._logistic import LogisticRegression
from ._logistic_cv import LogisticRegressionCV
from ._omp import OrthogonalMatchingPursuit
from ._passive_aggressive import PassiveAggressiveClassifier
from ._perceptron import Perceptron
from ._quantile import QuantileRegressor
from ._ransac import RANSACRegressor
from ._ridge import Ridge, RidgeClassifier
from ._ridge_cv import RidgeCV
from ._stochastic_gradient import SGDClassifier, SGDRegressor
from ._theil_sen import TheilSenRegressor

__all__ = [
    "BayesianRidge",
    "GammaRegressor",
    "HuberRegressor",
    "PoissonRegressor",
    "QuantileRegressor",
    "TweedieRegressor",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "FTRLClassifier",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PassiveAggressiveClassifier",
    "Perceptron",
    "Ridge",
    "RidgeCV",
    "RidgeClassifier",
    "SGDClassifier",
    "SGDRegressor",
    "Lars",
    "LassoLars",
    "OrthogonalMatchingPursuit",
    "RANSACRegressor",
    "TheilSenRegressor",
]
