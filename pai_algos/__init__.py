"""pai_algos: machine-learning algorithms on Numba kernels with scikit-learn's interface.

Importing this package compiles no kernel and touches no GPU driver; kernels are compiled
(or loaded from Numba's on-disk cache) the first time an estimator calls them.
"""

from __future__ import annotations

from ._config import config_context, get_config, set_config
from .registry import all_estimators

__version__ = "0.1.0"

__all__ = ["__version__", "all_estimators", "config_context", "get_config", "set_config"]
