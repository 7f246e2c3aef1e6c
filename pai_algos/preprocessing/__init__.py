"""Feature scaling and other preprocessing transformers."""

from __future__ import annotations

from ._standard_scaler import StandardScaler

__all__ = ["StandardScaler"]
