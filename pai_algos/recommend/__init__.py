"""Recommenders: one interface (fit on interactions, recommend, predict, similar_items).

Every recommender is fitted on a users x items matrix of non-negative interactions (or a
table of user, item and rating columns) and answers ``recommend(users, n)``,
``predict(pairs)`` and ``similar_items(items, n)`` in the caller's ids.
:func:`train_test_split_interactions` makes the per-user hold-out split; the ranking metrics
live in :mod:`pai_algos.metrics`. The factorization machines (``FactorizationMachine*``,
``FieldAwareFMClassifier``) are supervised instead: scikit-learn's classifier and regressor
API on feature rows, sparse CTR data with hashed keys included.
"""

from __future__ import annotations

from ._als import ImplicitALS
from ._als_explicit import ALS
from ._bpr import BPR
from ._ease import EASE
from ._ffm import FieldAwareFMClassifier
from ._fm import FactorizationMachineClassifier, FactorizationMachineRegressor
from ._item_cf import ItemCF
from ._lmf import LogisticMF
from ._popularity import PopularityRecommender
from ._slim import SLIM
from ._split import train_test_split_interactions
from ._swing import Swing
from ._user_cf import UserCF

__all__ = [
    "ALS",
    "BPR",
    "EASE",
    "FactorizationMachineClassifier",
    "FactorizationMachineRegressor",
    "FieldAwareFMClassifier",
    "ImplicitALS",
    "ItemCF",
    "LogisticMF",
    "PopularityRecommender",
    "SLIM",
    "Swing",
    "UserCF",
    "train_test_split_interactions",
]
