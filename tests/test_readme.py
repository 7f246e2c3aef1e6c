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


def test_readme_tour_runs(capsys):
    """The tour in the README is code a user will paste: it must run as written."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## A tour", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(block, "README.md tour", "exec"), namespace)
    out = capsys.readouterr().out
    assert "LogisticRegression" in out and "GaussianNB" in out
    assert namespace["km"].device_ == "cpu"
    assert namespace["clf"].score(namespace["X"], namespace["y"]) > 0.95
