"""The README's estimator table is generated from the registry and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "update_readme", ROOT / "scripts/update_readme.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_current():
    script = _load_script()
    text = (ROOT / "README.md").read_text()
    assert script.updated_readme(text) == text, "README.md table is stale: run `make readme`"


def test_table_lists_every_estimator():
    from pai_algos import all_estimators

    table = _load_script().render_table()
    for name, _ in all_estimators():
        assert f"`{name}`" in table


def test_stale_readme_is_detected():
    script = _load_script()
    text = (ROOT / "README.md").read_text()
    stale = text.replace("`KMeans`", "`KMeansOld`")
    assert stale != text
    assert script.updated_readme(stale) != stale
