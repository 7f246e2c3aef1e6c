"""Write the API reference page from the estimator registry.

``docs/conf.py`` calls :func:`write_api` when Sphinx starts, so the reference lists exactly what
:func:`pai_algos.all_estimators` returns: one section per family (subpackage), then the function
subpackages (datasets, metrics, ...) through their ``__all__``, then the configuration functions.
The page and the autosummary stubs go to ``docs/generated/`` (git-ignored).
:func:`render_api` returns the text without touching the disk, for tests.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

# Section titles; a family missing here gets its name with underscores as spaces.
FAMILY_TITLES = {
    "linear_model": "Linear models",
    "tree": "Decision trees",
    "ensemble": "Ensembles",
    "neighbors": "Nearest neighbors",
    "naive_bayes": "Naive Bayes",
    "svm": "Support vector machines",
    "discriminant_analysis": "Discriminant analysis",
    "neural_network": "Neural networks",
    "cluster": "Clustering",
    "mixture": "Mixture models",
    "decomposition": "Matrix decomposition",
    "preprocessing": "Preprocessing",
    "feature_selection": "Feature selection",
    "covariance": "Covariance estimation",
    "text": "Text",
    "recommend": "Recommendation",
    "association": "Association rules",
    "anomaly": "Anomaly detection",
    "graph": "Graphs",
    "timeseries": "Time series",
    "datasets": "Datasets",
    "metrics": "Metrics",
    "stats": "Statistical tests",
    "ps": "Parameter server",
    "forecast": "Performance forecast",
    "viz": "Plots and monitors",
    "workflow": "Workflows",
    "io": "Saving and loading models",
    "exceptions": "Exceptions",
}

# Public subpackages/modules that hold functions or helper classes rather than estimators, in
# page order. Each one that exists and has an ``__all__`` gets a section.
FUNCTION_MODULES = (
    "datasets",
    "metrics",
    "stats",
    "ps",
    "forecast",
    "viz",
    "workflow",
    "io",
    "exceptions",
)
# Top-level functions, documented under ``pai_algos``.
TOP_LEVEL = ("all_estimators", "config_context", "get_config", "set_config")

HEADER = """\
.. This page is written by docs/_api_gen.py from pai_algos.all_estimators(); do not edit it.

.. _api_ref:

=============
API reference
=============

Every estimator that :func:`pai_algos.all_estimators` finds, by family, then the dataset
loaders and generators and the configuration functions. Estimators follow scikit-learn's
interface: ``fit``, then ``predict`` / ``transform`` / ``predict_proba`` as the task requires.
"""


def _title(name: str) -> str:
    return FAMILY_TITLES.get(name, name.replace("_", " ").capitalize())


def _heading(text: str, char: str = "=") -> list[str]:
    return [text, char * len(text), ""]


def _autosummary(names, template: str | None) -> list[str]:
    lines = [".. autosummary::", "   :toctree: .", "   :nosignatures:"]
    if template:
        lines.append(f"   :template: autosummary/{template}")
    lines.append("")
    lines += [f"   {name}" for name in names]
    lines.append("")
    return lines


def _section(module: str, title: str, classes, functions) -> list[str]:
    lines = _heading(f":mod:`{module}`: {title}")
    lines += [f".. automodule:: {module}", "", f".. currentmodule:: {module}", ""]
    if classes:
        lines += _autosummary(classes, "class.rst")
    if functions:
        lines += _autosummary(functions, "function.rst")
    return lines


def estimators_by_family() -> dict[str, list[str]]:
    """Group the registry's estimator names by family, in registry (name) order."""
    from pai_algos import all_estimators

    families: dict[str, list[str]] = {}
    for name, cls in all_estimators():
        family = cls.__module__.split(".")[1]
        families.setdefault(family, []).append(name)
    return dict(sorted(families.items()))


def _existing_function_modules():
    import pai_algos

    present = {info.name for info in pkgutil.iter_modules(pai_algos.__path__)}
    for name in FUNCTION_MODULES:
        if name not in present:
            continue
        module = importlib.import_module(f"pai_algos.{name}")
        public = [n for n in getattr(module, "__all__", ()) if not n.startswith("_")]
        classes = sorted(n for n in public if inspect.isclass(getattr(module, n)))
        functions = sorted(
            n
            for n in public
            if not inspect.isclass(getattr(module, n)) and callable(getattr(module, n))
        )
        if classes or functions:
            yield name, classes, functions


def render_api() -> str:
    """Return the reStructuredText of the API reference page."""
    lines = HEADER.splitlines() + [""]
    for family, names in estimators_by_family().items():
        lines += _section(f"pai_algos.{family}", _title(family), names, [])
    for name, classes, functions in _existing_function_modules():
        lines += _section(f"pai_algos.{name}", _title(name), classes, functions)
    lines += _heading(":mod:`pai_algos`: Configuration and registry")
    lines += [".. automodule:: pai_algos", "", ".. currentmodule:: pai_algos", ""]
    lines += _autosummary(TOP_LEVEL, "function.rst")
    return "\n".join(lines).rstrip() + "\n"


def stub_names(text: str) -> set[str]:
    """The autosummary stub files (``module.Name.rst``) that the page ``text`` asks for."""
    names = set()
    for block in re.split(r"\n(?=\.\. currentmodule:: )", text)[1:]:
        module = block.split("\n", 1)[0].split("::")[1].strip()
        names.update(f"{module}.{name}.rst" for name in re.findall(r"^   (\w+)$", block, re.M))
    return names


def write_api(out_dir) -> Path:
    """Write ``api.rst`` into ``out_dir`` (only when its text changed) and return its path.

    Stubs left over from estimators that no longer exist are deleted: Sphinx would warn that
    they are in no toctree.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "api.rst"
    text = render_api()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    keep = stub_names(text) | {path.name}
    for stale in out_dir.glob("*.rst"):
        if stale.name not in keep:
            stale.unlink()
    return path
