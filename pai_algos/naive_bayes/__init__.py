"""Naive Bayes classifiers."""

from __future__ import annotations

from ._gaussian import GaussianNB

__all__ = ["GaussianNB"]
