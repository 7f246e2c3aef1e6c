"""Shared fixtures.

``seed`` draws a fresh seed per test (printed, so a failure can be replayed with
``PAI_ALGOS_TEST_SEED=<seed>``); ``rng`` is a Generator from it.
"""

from __future__ import annotations

import os

import numpy as np
import pytest


@pytest.fixture
def seed():
    fixed = os.environ.get("PAI_ALGOS_TEST_SEED")
    value = int(fixed) if fixed else int(np.random.SeedSequence().entropy % (2**31))
    print(f"PAI_ALGOS_TEST_SEED={value}")
    return value


@pytest.fixture
def rng(seed):
    return np.random.default_rng(seed)
