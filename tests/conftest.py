"""Shared fixtures.

``seed`` gives each test its seed (printed, so a failure can be replayed with
``PAI_ALGOS_TEST_SEED=<seed>``); ``rng`` is a Generator from it.

By default the seed is a hash of the test's id: ``make test`` (and CI) draws the same data on
every run, so a red run is never a coin toss. ``PAI_ALGOS_TEST_SEED=random`` (``make
test-random``) draws fresh seeds instead, to search for data that breaks a tolerance.
"""

from __future__ import annotations

import os
import zlib

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

# pytest-xdist runs one worker per core. scikit-learn's OpenMP loops (the reference models)
# and BLAS would each start a thread per core inside every worker and spin-wait against each
# other; one thread each keeps the workers from oversubscribing the machine. Numba's own
# thread pool is not affected: our kernels still run (and are tested) with several threads.
threadpool_limits(limits=1)


@pytest.fixture
def seed(request):
    fixed = os.environ.get("PAI_ALGOS_TEST_SEED", "")
    if fixed == "random":
        value = int(np.random.SeedSequence().entropy % (2**31))
    elif fixed:
        value = int(fixed)
    else:
        # the id without the "@group" suffix that --dist loadgroup appends to grouped tests
        value = zlib.crc32(request.node.nodeid.split("@")[0].encode()) % (2**31)
    print(f"PAI_ALGOS_TEST_SEED={value}")
    return value


@pytest.fixture
def rng(seed):
    return np.random.default_rng(seed)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Send each estimator's common checks to one xdist worker (``--dist loadgroup``).

    On a cold Numba cache (CI starts with none) compiling the kernels costs more than
    running the tests. The ~70 common checks of one estimator, spread over both workers,
    made both compile the same kernels; grouped, each is compiled once. The groups are
    small, so the load stays balanced.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        for key in ("estimator", "cls"):
            if key in params:
                obj = params[key]
                cls = obj if isinstance(obj, type) else type(obj)
                item.add_marker(pytest.mark.xdist_group(f"{cls.__module__}.{cls.__name__}"))
                break
