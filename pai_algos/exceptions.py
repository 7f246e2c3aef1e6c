"""Exceptions raised by pai_algos."""

from __future__ import annotations

__all__ = ["DeviceUnavailableError"]


class DeviceUnavailableError(RuntimeError):
    """Raised when ``device="cuda"`` is requested and no usable CUDA GPU is present."""
