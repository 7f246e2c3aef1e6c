"""Linear support vector machines."""

from __future__ import annotations

from ._linear_svc import LinearSVC
from ._linear_svr import LinearSVR

__all__ = ["LinearSVC", "LinearSVR"]
