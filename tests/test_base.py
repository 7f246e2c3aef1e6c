from __future__ import annotations

import numba
import pytest

import pai_algos.base as base
from pai_algos import config_context
from pai_algos.base import History, numba_threads, progress_bar, resolve_device
from pai_algos.exceptions import DeviceUnavailableError


def test_cpu_is_cpu():
    assert resolve_device("cpu") == "cpu"


def test_cuda_without_gpu_raises(monkeypatch):
    monkeypatch.setattr(base, "has_cuda", lambda: False)
    with pytest.raises(DeviceUnavailableError, match="no CUDA GPU is available"):
        resolve_device("cuda")


def test_auto_without_gpu_is_cpu(monkeypatch):
    monkeypatch.setattr(base, "has_cuda", lambda: False)
    assert resolve_device("auto") == "cpu"
    assert resolve_device("auto", n_elements=10**9) == "cpu"


def test_auto_with_gpu_depends_on_size(monkeypatch):
    monkeypatch.setattr(base, "has_cuda", lambda: True)
    monkeypatch.setattr(base, "cuda_simulated", lambda: False)
    assert resolve_device("auto", n_elements=base.AUTO_CUDA_MIN_ELEMENTS) == "cuda"
    assert resolve_device("auto", n_elements=10) == "cpu"
    assert resolve_device("cuda", n_elements=10) == "cuda"


def test_auto_never_picks_the_simulator(monkeypatch):
    monkeypatch.setattr(base, "has_cuda", lambda: True)
    monkeypatch.setattr(base, "cuda_simulated", lambda: True)
    assert resolve_device("auto", n_elements=10**9) == "cpu"


def test_none_uses_global_config(monkeypatch):
    monkeypatch.setattr(base, "has_cuda", lambda: False)
    with config_context(device="cpu"):
        assert resolve_device(None) == "cpu"
    with config_context(device="cuda"):
        with pytest.raises(DeviceUnavailableError):
            resolve_device(None)


def test_unknown_device():
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda' or 'auto'"):
        resolve_device("tpu")


def test_numba_threads_sets_and_restores():
    before = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with config_context(n_jobs=1):
        with numba_threads(None):
            assert numba.get_num_threads() == 1
    with numba_threads(-1):
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS
    with numba_threads(10_000):
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_progress_bar_respects_verbose_and_switch():
    assert progress_bar(total=3, verbose=0).disable
    assert not progress_bar(total=3, verbose=1).disable
    with config_context(show_progress=False):
        assert progress_bar(total=3, verbose=1).disable


def test_history_records():
    h = History()
    h.record(loss=2.0)
    h.record(loss=1.5)
    d = h.as_dict()
    assert d["iteration"] == [0, 1]
    assert d["loss"] == [2.0, 1.5]
    assert d["seconds"][0] <= d["seconds"][1]


def test_blas_single_thread_limits_and_restores():
    import numpy  # noqa: F401  (loads the BLAS the controller must see)
    from threadpoolctl import threadpool_info

    from pai_algos.base import blas_single_thread

    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before = blas_threads()
    with blas_single_thread():
        inside = blas_threads()
    assert inside and all(n == 1 for n in inside)
    assert blas_threads() == before


def test_input_size_counts_stored_values():
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from pai_algos.base import input_size

    assert input_size(np.zeros((3, 4))) == 12
    assert input_size(pd.DataFrame(np.zeros((2, 5)))) == 10
    assert input_size(sp.csr_matrix(np.eye(4))) == 4
    assert input_size(np.zeros(7)) is None
    assert input_size([[1, 2]]) is None
    assert input_size(None) is None
