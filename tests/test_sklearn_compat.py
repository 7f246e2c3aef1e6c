"""Every private scikit-learn import goes through pai_algos/utils/_sklearn_compat.py."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = re.compile(
    r"^\s*(from\s+sklearn[\w.]*\s+import\s+.*\b_\w+|from\s+sklearn[\w.]*\._\w+|import\s+sklearn[\w.]*\._)",
    re.M,
)


def test_private_sklearn_imports_only_in_compat_module():
    offenders = []
    for path in sorted((ROOT / "pai_algos").rglob("*.py")) + sorted(
        (ROOT / "pai_algos_native").rglob("*.py")
    ):
        if path.name == "_sklearn_compat.py":
            continue
        for match in PRIVATE.finditer(path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert not offenders, "private scikit-learn imports outside _sklearn_compat.py:\n" + "\n".join(
        offenders
    )


def test_pattern_catches_a_private_import():
    assert PRIVATE.search("from sklearn.utils.multiclass import _check_partial_fit_first_call")
    assert PRIVATE.search("from sklearn.utils._param_validation import Interval")
    assert not PRIVATE.search("from sklearn.utils.validation import check_is_fitted")
