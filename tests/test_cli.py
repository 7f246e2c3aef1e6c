from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from pai_algos.cli import main


def test_list(capsys):
    assert main(["list", "--task", "cluster"]) == 0
    out = capsys.readouterr().out
    assert "KMeans" in out and "GaussianNB" not in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "pai-algos" in capsys.readouterr().out


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_demo_writes_table(tmp_path):
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "pai_algos.cli", "demo", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out / "demo.csv")
    assert list(frame["estimator"]) == [
        "StandardScaler",
        "LogisticRegression",
        "GaussianNB",
        "KMeans(k=2)",
    ]
    scores = dict(zip(frame["estimator"], frame["score"]))
    # breast cancer is easy: a real fit gets > 0.9, a broken one does not
    assert scores["LogisticRegression"] > 0.93
    assert scores["GaussianNB"] > 0.88
    assert scores["StandardScaler"] < 1e-6
    assert (out / "demo.md").read_text().startswith("pai_algos demo")
    assert "LogisticRegression" in proc.stdout
