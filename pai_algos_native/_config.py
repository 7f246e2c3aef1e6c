"""Numba options in one place.

Every CPU kernel is decorated with ``@njit(**JIT)`` or ``@njit(**JIT_PARALLEL)``; CUDA drivers
launch with ``threads_per_block()`` threads. ``PAI_ALGOS_CUDA_TPB`` overrides the block size:
the simulator tests set a small, non-power-of-two value so that partial blocks are exercised.
"""

from __future__ import annotations

import os

# fastmath is off: it lets LLVM reorder float reductions, which breaks parity tests against
# scikit-learn and makes results depend on the thread count.
FASTMATH = False
CACHE = True

JIT = {"cache": CACHE, "nogil": True, "fastmath": FASTMATH}
JIT_PARALLEL = {"cache": CACHE, "nogil": True, "fastmath": FASTMATH, "parallel": True}

_DEFAULT_TPB = 128


def threads_per_block() -> int:
    """Threads per CUDA block (``PAI_ALGOS_CUDA_TPB`` or 128)."""
    return int(os.environ.get("PAI_ALGOS_CUDA_TPB", _DEFAULT_TPB))


def blocks_for(n: int, tpb: int | None = None, max_blocks: int = 65535) -> int:
    """Number of blocks for a grid-stride launch over ``n`` items."""
    tpb = tpb or threads_per_block()
    return max(1, min(max_blocks, (n + tpb - 1) // tpb))
