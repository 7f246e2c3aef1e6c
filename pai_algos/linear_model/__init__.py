"""Linear models: logistic regression (binary and multinomial) on Numba / CUDA kernels."""

from __future__ import annotations

from ._logistic import LogisticRegression

__all__ = ["LogisticRegression"]
