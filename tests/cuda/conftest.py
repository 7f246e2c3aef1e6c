"""CUDA tests: run under the simulator (``NUMBA_ENABLE_CUDASIM=1``, set before numba is
imported, by ``make test-cuda``) or on a real GPU. Without either they cannot run at all."""

from __future__ import annotations

import os

import pytest

from pai_algos_native import has_cuda


def pytest_collection_modifyitems(config, items):
    if has_cuda():
        return
    marker = pytest.mark.skip(
        reason="no CUDA: run with NUMBA_ENABLE_CUDASIM=1 (make test-cuda) or on a GPU"
    )
    for item in items:
        if "tests/cuda" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _small_block(monkeypatch):
    # A small, non-power-of-two block size exercises partial blocks in the simulator.
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") != "0":
        monkeypatch.setenv("PAI_ALGOS_CUDA_TPB", os.environ.get("PAI_ALGOS_CUDA_TPB", "7"))
