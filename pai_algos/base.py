"""What pai_algos adds to :mod:`sklearn.base`.

- device resolution (``device="cpu" | "cuda" | "auto"``) and the clear error for a missing GPU;
- ``n_jobs`` as Numba's thread count for the duration of a call;
- progress bars (tqdm) and per-iteration training histories;
- :class:`RecommenderMixin`, the marker of the recommender interface.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from pai_algos_native import cuda_simulated, has_cuda

from ._config import get_config
from .exceptions import DeviceUnavailableError

__all__ = [
    "AUTO_CUDA_MIN_ELEMENTS",
    "DeviceMixin",
    "History",
    "RecommenderMixin",
    "blas_single_thread",
    "input_size",
    "numba_threads",
    "progress_bar",
    "resolve_device",
]

# Below this many input values the transfer to a GPU costs more than it saves; the
# forecast planner replaces this rule of thumb once it exists.
AUTO_CUDA_MIN_ELEMENTS = 2_000_000


def predict_device(est) -> str:
    """Where a fitted model predicts: on the GPU it was fitted on (``device_ == "cuda"``)
    while one is usable, else on the CPU, so a model unpickled where there is no GPU still
    predicts."""
    return "cuda" if getattr(est, "device_", "cpu") == "cuda" and has_cuda() else "cpu"


def resolve_device(device, n_elements: int | None = None) -> str:
    """Turn a ``device`` parameter into "cpu" or "cuda".

    Parameters
    ----------
    device : {"cpu", "cuda", "auto"} or None
        None means the global default (:func:`pai_algos.get_config`).
    n_elements : int, default=None
        Size of the input; "auto" picks the GPU only for inputs of at least
        :data:`AUTO_CUDA_MIN_ELEMENTS` values, and never the CUDA simulator.

    Returns
    -------
    str
        "cpu" or "cuda".

    Raises
    ------
    DeviceUnavailableError
        If ``device="cuda"`` and no CUDA GPU is usable.
    """
    if device is None:
        device = get_config()["device"]
    if device == "cpu":
        return "cpu"
    if device == "cuda":
        if not has_cuda():
            raise DeviceUnavailableError(
                "device='cuda' was requested but no CUDA GPU is available (numba.cuda found "
                "no usable GPU or driver). Install the 'cuda' extra on a machine with an "
                "NVIDIA GPU, or use device='cpu' or device='auto'."
            )
        return "cuda"
    if device == "auto":
        if has_cuda() and not cuda_simulated():
            if n_elements is None or n_elements >= AUTO_CUDA_MIN_ELEMENTS:
                return "cuda"
        return "cpu"
    raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}.")


def input_size(X) -> int | None:
    """Stored values of a 2-D input (non-zeros when sparse), or None when unknown."""
    if X is None:
        return None
    if hasattr(X, "nnz"):
        return int(X.nnz)
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2:
        return None
    return int(shape[0]) * int(shape[1])


class DeviceMixin:
    """Mixin for estimators with CUDA kernels: they take ``device`` and set ``device_``."""

    #: the estimator has CUDA kernels; the common tests compare its CUDA and CPU paths.
    _has_cuda_path = True

    def _resolve_device(self, X=None) -> str:
        """The device for a fit on the raw input ``X``, before any validation.

        Resolving first means that ``device="cuda"`` without a GPU fails before
        ``validate_data`` sets ``n_features_in_``: nothing half-fitted is left behind.
        """
        return resolve_device(self.device, input_size(X))


class RecommenderMixin:
    """Marker mixin for recommenders (``fit(X)`` on a users x items matrix, ``recommend``)."""

    _estimator_type = "recommender"


def _effective_threads(n_jobs) -> int:
    import numba

    if n_jobs is None:
        n_jobs = get_config()["n_jobs"]
    max_threads = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None or n_jobs == -1:
        return max_threads
    if n_jobs < -1:
        return max(1, max_threads + 1 + n_jobs)
    return max(1, min(int(n_jobs), max_threads))


@contextmanager
def numba_threads(n_jobs):
    """Run the block with Numba's thread count set from ``n_jobs`` (None: global config)."""
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(_effective_threads(n_jobs))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


_THREADPOOLS: list = []


def blas_single_thread():
    """Context limiting BLAS to one thread while Numba threads run kernels that call it.

    The threadpoolctl controller is built once (on first use, when numpy and scipy have loaded
    their BLAS): ``threadpool_limits`` would scan the loaded libraries on every call, which
    costs milliseconds per fit and per predict.
    """
    from threadpoolctl import ThreadpoolController

    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1, user_api="blas")


def progress_bar(total=None, desc=None, verbose=0, unit="it"):
    """A tqdm progress bar, drawn only when ``verbose`` and the global switch are on."""
    from tqdm.auto import tqdm

    enabled = bool(verbose) and get_config()["show_progress"]
    return tqdm(total=total, desc=desc, disable=not enabled, unit=unit, leave=False)


class History:
    """Collects per-iteration records during a fit; ``as_dict()`` becomes ``history_``.

    Each record holds the iteration number, the seconds since the fit started and any
    metric the estimator reports (``loss``, ``inertia``, ...).
    """

    def __init__(self):
        self._start = time.perf_counter()
        self._records: dict[str, list] = {"iteration": [], "seconds": []}

    def record(self, **metrics) -> None:
        self._records["iteration"].append(len(self._records["iteration"]))
        self._records["seconds"].append(time.perf_counter() - self._start)
        for key, value in metrics.items():
            self._records.setdefault(key, []).append(float(value))

    def as_dict(self) -> dict:
        return {k: list(v) for k, v in self._records.items()}
