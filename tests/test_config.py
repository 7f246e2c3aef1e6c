from __future__ import annotations

import threading

import pytest

from pai_algos import config_context, get_config, set_config


def test_defaults():
    config = get_config()
    assert config == {"device": "auto", "n_jobs": None, "show_progress": True}


def test_context_restores_previous_values():
    before = get_config()
    with config_context(device="cpu", n_jobs=1, show_progress=False):
        assert get_config() == {"device": "cpu", "n_jobs": 1, "show_progress": False}
        with config_context(device="cuda"):
            assert get_config()["device"] == "cuda"
            assert get_config()["n_jobs"] == 1
        assert get_config()["device"] == "cpu"
    assert get_config() == before


def test_context_restores_after_exception():
    before = get_config()
    with pytest.raises(RuntimeError, match="boom"):
        with config_context(device="cpu"):
            raise RuntimeError("boom")
    assert get_config() == before


def test_set_config_none_leaves_values():
    with config_context():
        set_config(device="cpu")
        set_config(n_jobs=None)
        assert get_config()["device"] == "cpu"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"device": "gpu"}, "device must be one of"),
        ({"n_jobs": 0}, "n_jobs must be a positive int or -1"),
        ({"n_jobs": 1.5}, "n_jobs must be a positive int or -1"),
    ],
)
def test_invalid_values_rejected(kwargs, message):
    before = get_config()
    with pytest.raises(ValueError, match=message):
        set_config(**kwargs)
    assert get_config() == before


def test_config_is_thread_local():
    seen = {}

    def worker():
        seen["device"] = get_config()["device"]

    with config_context(device="cpu"):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["device"] == "auto"
