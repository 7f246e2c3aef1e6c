"""Neural networks: multi-layer perceptrons."""

from __future__ import annotations

from ._multilayer_perceptron import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
