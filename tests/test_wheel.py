"""The built wheel carries both packages, the datasets and the console script."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (path,) = out.glob("pai_algos-*.whl")
    return path


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "pai_algos/__init__.py" in names
    assert "pai_algos_native/__init__.py" in names
    data = [n for n in names if n.startswith("pai_algos/datasets/_data/")]
    assert any(n.endswith(".parquet") for n in data), data
    assert any(n.endswith("README.md") for n in data)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "pai-algos = pai_algos.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_loads_a_dataset(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    code = (
        "import pai_algos, pai_algos.datasets as d;"
        "X, y = d.load_iris(return_X_y=True);"
        "print(pai_algos.__file__); print(d.data_dir()); print(X.shape)"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    module_file, data_dir, shape = proc.stdout.split("\n")[:3]
    # the wheel's copy, not the checkout's, was imported and its bundled data was used
    assert module_file.startswith(str(target))
    assert data_dir.startswith(str(target))
    assert shape == "(150, 4)"
