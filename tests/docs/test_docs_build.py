"""The documentation's API pages build without a single Sphinx warning.

``make docs`` builds the whole site with ``-W``; this test builds a copy of docs/ without
running the gallery (``plot_gallery=0``; tests/docs/test_gallery.py runs the examples), so a
docstring that numpydoc or docutils cannot render fails ``make test`` too. Skipped when the
docs extra (sphinx, numpydoc, sphinx-gallery, pydata-sphinx-theme) is not installed.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

for _name in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
    pytest.importorskip(_name)

DOCS = Path(__file__).resolve().parents[2] / "docs"
BUILD_OUTPUTS = ("_build", "auto_examples", "generated", "sg_execution_times.rst", "__pycache__")


def test_docs_build_without_warnings(tmp_path):
    from sphinx.application import Sphinx

    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns(*BUILD_OUTPUTS))
    warnings = io.StringIO()
    app = Sphinx(
        srcdir=src,
        confdir=src,
        outdir=tmp_path / "html",
        doctreedir=tmp_path / "doctrees",
        buildername="html",
        confoverrides={"plot_gallery": "0"},
        status=None,
        warning=warnings,
        freshenv=True,
        keep_going=True,
    )
    app.build()
    text = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())  # drop terminal colours
    assert text == "", "Sphinx warnings:\n" + text
    assert (tmp_path / "html" / "generated" / "api.html").is_file()
