"""Bundled real datasets and synthetic data generators.

Loaders (``load_*``) read the small real datasets shipped with the package (see
``datasets/README.md`` for each one's source and licence); generators (``make_*``) draw
synthetic click logs, user-item interactions and topic-model corpora with a known ground truth.
"""

from __future__ import annotations

from ._generators import make_corpus, make_ctr, make_interactions
from ._loaders import (
    DATASETS,
    data_dir,
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
)

__all__ = [
    "DATASETS",
    "data_dir",
    "load_breast_cancer",
    "load_diabetes",
    "load_iris",
    "load_wine",
    "make_corpus",
    "make_ctr",
    "make_interactions",
]
