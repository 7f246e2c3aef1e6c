"""Sphinx configuration for the pai_algos documentation.

Build with ``make docs`` (``python -m sphinx -W --keep-going -b html docs docs/_build/html``).
The build needs no network: no intersphinx, no remote images or icons.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))
# Share Numba's on-disk kernel cache with `make test` (the Makefile exports the same path).
os.environ.setdefault("NUMBA_CACHE_DIR", str(DOCS.parent / ".numba_cache"))

from _api_gen import write_api

import pai_algos

# The API reference is generated from the registry each time Sphinx reads this file.
write_api(DOCS / "generated")

# -- Project -----------------------------------------------------------------------------------
project = "pai_algos"
author = "pai_algos developers"
copyright = "pai_algos developers"
version = release = pai_algos.__version__

# -- General -----------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "gallery",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
]
root_doc = "index"
nitpicky = False
default_role = "literal"

autosummary_generate = True
autosummary_generate_overwrite = True
autodoc_typehints = "none"
autodoc_member_order = "bysource"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_{fit,score,...}_request on every estimator with metadata-aware
    # methods; their docstrings point at scikit-learn's user guide, not ours.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# -- sphinx-gallery ----------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "abort_on_example_error": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "reference_url": {},
    "backreferences_dir": None,
}

# -- HTML --------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"pai_algos {release}"
html_static_path = []
html_theme_options = {
    "icon_links": [],
    "navbar_end": ["theme-switcher"],
    "show_prev_next": False,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": []}
html_show_sourcelink = False
html_copy_source = False
