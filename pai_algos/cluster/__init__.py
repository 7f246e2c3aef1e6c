"""Clustering."""

from __future__ import annotations

from ._kmeans import KMeans

__all__ = ["KMeans"]
