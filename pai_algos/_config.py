"""Global configuration: default device, Numba threads, progress bars.

Modelled on :func:`sklearn.set_config`: a thread-local dictionary, a setter, a getter and a
context manager that restores the previous values on exit.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

_DEFAULTS = {
    # Device used by estimators whose ``device`` parameter is None.
    "device": "auto",
    # Numba thread count for kernels when an estimator's ``n_jobs`` is None (None = all cores).
    "n_jobs": None,
    # Master switch for progress bars; an estimator shows one only when ``verbose`` is set too.
    "show_progress": True,
}
_VALID_DEVICES = ("cpu", "cuda", "auto")
_local = threading.local()


def _get_threadlocal_config() -> dict:
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config() -> dict:
    """Return a copy of the current configuration.

    Returns
    -------
    config : dict
        Keys ``device``, ``n_jobs`` and ``show_progress``.

    Examples
    --------
    >>> from pai_algos import get_config
    >>> get_config()["device"]
    'auto'
    """
    return dict(_get_threadlocal_config())


def set_config(device=None, n_jobs=None, show_progress=None) -> None:
    """Set global configuration; ``None`` leaves a value unchanged.

    Parameters
    ----------
    device : {"cpu", "cuda", "auto"}, default=None
        Device used by estimators whose own ``device`` is None.
    n_jobs : int, default=None
        Numba threads for kernels of estimators whose own ``n_jobs`` is None.
        Use ``-1`` for all cores.
    show_progress : bool, default=None
        Whether estimators with ``verbose`` set may draw progress bars.
    """
    config = _get_threadlocal_config()
    if device is not None:
        if device not in _VALID_DEVICES:
            raise ValueError(f"device must be one of {_VALID_DEVICES}, got {device!r}.")
        config["device"] = device
    if n_jobs is not None:
        if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
            raise ValueError(f"n_jobs must be a positive int or -1, got {n_jobs!r}.")
        config["n_jobs"] = n_jobs
    if show_progress is not None:
        config["show_progress"] = bool(show_progress)


@contextmanager
def config_context(*, device=None, n_jobs=None, show_progress=None):
    """Temporarily change the global configuration inside a ``with`` block.

    Parameters
    ----------
    device : {"cpu", "cuda", "auto"}, default=None
    n_jobs : int, default=None
    show_progress : bool, default=None

    Examples
    --------
    >>> from pai_algos import config_context, get_config
    >>> with config_context(device="cpu"):
    ...     get_config()["device"]
    'cpu'
    """
    old = get_config()
    set_config(device=device, n_jobs=n_jobs, show_progress=show_progress)
    try:
        yield
    finally:
        _get_threadlocal_config().clear()
        _get_threadlocal_config().update(old)
