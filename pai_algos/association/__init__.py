"""Association analysis: frequent itemsets and rules (FP-growth), sequential patterns."""

from __future__ import annotations

from ._fpgrowth import FPGrowth
from ._prefixspan import PrefixSpan

__all__ = ["FPGrowth", "PrefixSpan"]
