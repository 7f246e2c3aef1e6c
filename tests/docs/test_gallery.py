"""Every gallery example (docs/gallery/plot_*.py) runs as a plain script.

The documentation build runs them too (sphinx-gallery, ``abort_on_example_error``); here they
run in ``make test`` without Sphinx, each in an empty working directory with the Agg backend.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[2] / "docs" / "gallery"
EXAMPLES = sorted(GALLERY.glob("plot_*.py"))


@pytest.fixture
def agg(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    # Agg cannot show a window; the examples end with plt.show() as scripts do.
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    yield plt
    plt.close("all")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_gallery_example_runs(path, agg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")


def test_every_example_has_a_title():
    # sphinx-gallery needs a module docstring whose first line is the title, underlined with =.
    for path in EXAMPLES:
        source = path.read_text()
        assert source.lstrip().startswith(('"""', "'''")), f"{path.name}: no module docstring"
        lines = source.lstrip()[3:].lstrip("\n").splitlines()
        assert len(lines) > 1 and set(lines[1].strip()) == {"="}, (
            f"{path.name}: the docstring must open with a title underlined with '='"
        )
