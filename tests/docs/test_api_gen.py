"""The API reference page (docs/_api_gen.py) lists everything the registry finds."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import pai_algos
from pai_algos import all_estimators

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def api_gen():
    spec = importlib.util.spec_from_file_location("_api_gen", DOCS / "_api_gen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sections(text):
    """Map each ``:mod:`pai_algos.x``` section of the page to the names in its autosummaries."""
    sections = {}
    for block in re.split(r"\n(?=:mod:`)", text)[1:]:
        module = re.match(r":mod:`([\w.]+)`", block).group(1)
        sections[module] = re.findall(r"^   (\w+)$", block, flags=re.M)
    return sections


def test_every_estimator_is_listed(api_gen):
    sections = _sections(api_gen.render_api())
    for name, cls in all_estimators():
        family = cls.__module__.split(".")[1]
        assert name in sections.get(f"pai_algos.{family}", []), name


def test_config_and_registry_functions_are_listed(api_gen):
    names = _sections(api_gen.render_api())["pai_algos"]
    assert set(names) == {"all_estimators", "config_context", "get_config", "set_config"}
    for name in names:
        assert callable(getattr(pai_algos, name))


def test_function_modules_list_their_all(api_gen):
    import importlib

    sections = _sections(api_gen.render_api())
    assert "DeviceUnavailableError" in sections["pai_algos.exceptions"]
    for name in api_gen.FUNCTION_MODULES:
        try:
            module = importlib.import_module(f"pai_algos.{name}")
        except ModuleNotFoundError:
            continue
        public = [n for n in getattr(module, "__all__", ()) if callable(getattr(module, n))]
        assert sorted(sections.get(f"pai_algos.{name}", [])) == sorted(public), name


def test_new_family_gets_a_section(api_gen, monkeypatch):
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Dummy(ClassifierMixin, BaseEstimator):
        """A stand-in."""

    Dummy.__module__ = "pai_algos.some_family._dummy"
    monkeypatch.setattr(pai_algos, "all_estimators", lambda: [("Dummy", Dummy)])
    text = api_gen.render_api()
    assert ":mod:`pai_algos.some_family`: Some family" in text
    assert _sections(text)["pai_algos.some_family"] == ["Dummy"]
    assert "   :template: autosummary/class.rst\n\n   Dummy\n" in text


def test_stubs_use_our_templates(api_gen):
    # ``:template: autosummary/class.rst`` must name a file in docs/_templates, or autosummary
    # silently falls back to its own template (no :members:).
    text = api_gen.render_api()
    for template in set(re.findall(r":template: (\S+)", text)):
        assert (DOCS / "_templates" / template).is_file(), template


def test_write_api_only_rewrites_on_change(api_gen, tmp_path):
    path = api_gen.write_api(tmp_path)
    assert path.read_text() == api_gen.render_api()
    stamp = path.stat().st_mtime_ns
    path.touch()
    before = path.stat().st_mtime_ns
    api_gen.write_api(tmp_path)
    assert path.stat().st_mtime_ns == before >= stamp


def test_write_api_removes_stale_stubs(api_gen, tmp_path):
    stale = tmp_path / "pai_algos.cluster.GoneEstimator.rst"
    stale.write_text("x")
    path = api_gen.write_api(tmp_path)
    assert not stale.exists()
    assert path.exists()
    assert "pai_algos.get_config.rst" in api_gen.stub_names(path.read_text())
    for name, cls in all_estimators():
        family = cls.__module__.split(".")[1]
        assert f"pai_algos.{family}.{name}.rst" in api_gen.stub_names(path.read_text())
