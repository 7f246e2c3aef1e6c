"""pai_algos_native: the kernels. Arrays in, arrays out; imports numpy, numba and math only.

``kernels(domain, device)`` returns the module holding a domain's kernels for a device:
``pai_algos_native.cpu.<domain>`` or ``pai_algos_native.cuda.<domain>``; both expose the same
function names. Importing this package compiles nothing and does not touch a GPU driver; the
CUDA probe runs the first time :func:`has_cuda` (or ``HAS_CUDA``) is asked.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache

__all__ = ["DOMAINS", "cuda_simulated", "has_cuda", "kernels"]

# Domains that have a module under cpu/ (and, for the heavy families, under cuda/).
DOMAINS = (
    "linear",
    "linear_gram",
    "linear_cd",
    "linear_sgd",
    "linear_saga",
    "linear_glm",
    "linear_lars",
    "tree_exact",
    "linear_robust",
    "keyed_table",
    "ps",
    "cluster",
    "naive_bayes",
    "preprocessing",
    "trees",
    "ranking",
    "text",
    "strings",
    "mlp",
    "recommend",
    "svm",
    "discriminant",
    "iforest",
    "association",
    "fm",
    "embedding",
    "recommend_cf",
    "boosting",
)


def cuda_simulated() -> bool:
    """True when Numba's CUDA simulator is on (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


@lru_cache(maxsize=1)
def has_cuda() -> bool:
    """Whether CUDA kernels can run here: a real GPU with a driver, or the simulator.

    The answer is computed once, on the first call, so that importing the package stays cheap.
    """
    try:
        from numba import cuda
    except Exception:  # numba-cuda missing or broken: no CUDA path
        return False
    if cuda_simulated():
        return True
    try:
        return bool(cuda.is_available())
    except Exception:
        return False


def kernels(domain: str, device: str = "cpu"):
    """Return the kernel module of ``domain`` for ``device`` ("cpu" or "cuda").

    Parameters
    ----------
    domain : str
        One of :data:`DOMAINS`.
    device : {"cpu", "cuda"}
        Which implementation.

    Returns
    -------
    module
        ``pai_algos_native.cpu.<domain>`` or ``pai_algos_native.cuda.<domain>``.
    """
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}.")
    try:
        return importlib.import_module(f"pai_algos_native.{device}.{domain}")
    except ModuleNotFoundError as exc:
        if exc.name == f"pai_algos_native.{device}.{domain}":
            raise ValueError(f"No {device} kernels for domain {domain!r}.") from exc
        raise


def __getattr__(name):
    if name == "HAS_CUDA":
        return has_cuda()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
