"""The bundled datasets load exactly what scikit-learn's loaders of the same name load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import sklearn.datasets as skd
from numpy.testing import assert_array_equal

import pai_algos.datasets as ds
from pai_algos.datasets import _loaders

LOADERS = ["load_iris", "load_wine", "load_breast_cancer", "load_diabetes"]
CLASSIFICATION = {"load_iris", "load_wine", "load_breast_cancer"}


@pytest.mark.parametrize("name", LOADERS)
def test_bunch_matches_sklearn(name):
    ours = getattr(ds, name)()
    theirs = getattr(skd, name)()
    assert ours.data.shape == theirs.data.shape
    assert ours.data.dtype == theirs.data.dtype == np.float64
    assert ours.target.dtype == theirs.target.dtype
    # the same values, bit for bit
    assert_array_equal(ours.data, theirs.data)
    assert_array_equal(ours.target, theirs.target)
    assert list(ours.feature_names) == list(theirs.feature_names)
    if name in CLASSIFICATION:
        assert_array_equal(ours.target_names, theirs.target_names)
    else:
        assert ours.target_names is None
    assert ours.frame is None
    assert "Licence:" in ours.DESCR and "Citation:" in ours.DESCR
    assert ours.license and ours.citation


def test_diabetes_unscaled_matches_sklearn():
    ours = ds.load_diabetes(scaled=False)
    theirs = skd.load_diabetes(scaled=False)
    assert_array_equal(ours.data, theirs.data)
    X, _ = ds.load_diabetes(return_X_y=True)
    np.testing.assert_allclose((X**2).sum(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", LOADERS)
def test_as_frame_matches_sklearn(name):
    ours = getattr(ds, name)(as_frame=True)
    theirs = getattr(skd, name)(as_frame=True)
    assert isinstance(ours.data, pd.DataFrame) and isinstance(ours.target, pd.Series)
    assert isinstance(ours.frame, pd.DataFrame)
    assert ours.frame.shape == theirs.frame.shape
    assert list(ours.frame.columns) == list(theirs.frame.columns)
    assert ours.frame.columns[-1] == "target" and ours.target.name == "target"
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_series_equal(ours.target, theirs.target, check_exact=True)


@pytest.mark.parametrize("name", LOADERS)
@pytest.mark.parametrize("as_frame", [False, True])
def test_return_X_y(name, as_frame):
    X, y = getattr(ds, name)(return_X_y=True, as_frame=as_frame)
    Xs, ys = getattr(skd, name)(return_X_y=True, as_frame=as_frame)
    assert type(X) is type(Xs) and type(y) is type(ys)
    assert X.shape == Xs.shape and y.shape == ys.shape
    assert_array_equal(np.asarray(X), np.asarray(Xs))
    assert_array_equal(np.asarray(y), np.asarray(ys))


def test_returned_arrays_are_copies():
    X, y = ds.load_iris(return_X_y=True)
    X[:] = -1.0
    y[:] = -1
    X2, y2 = ds.load_iris(return_X_y=True)
    assert X2.min() >= 0 and y2.min() == 0


def test_data_dir_in_checkout():
    path = ds.data_dir()
    for name in ds.DATASETS:
        assert (path / f"{name}.parquet").is_file()
        assert (path / f"{name}.json").is_file()
    assert (path / "README.md").is_file()


def test_data_dir_prefers_the_wheel_copy(tmp_path, monkeypatch):
    wheel = tmp_path / "_data"
    wheel.mkdir()
    (wheel / "iris.parquet").write_bytes((ds.data_dir() / "iris.parquet").read_bytes())
    monkeypatch.setattr(_loaders, "_WHEEL_DIR", wheel)
    assert ds.data_dir() == wheel


def test_data_dir_ignores_a_foreign_datasets_folder(tmp_path, monkeypatch):
    # e.g. site-packages/datasets of another package: a folder without our files
    foreign = tmp_path / "datasets"
    foreign.mkdir()
    (foreign / "__init__.py").write_text("")
    monkeypatch.setattr(_loaders, "_WHEEL_DIR", tmp_path / "missing")
    monkeypatch.setattr(_loaders, "_CHECKOUT_DIR", foreign)
    with pytest.raises(FileNotFoundError, match="bundled datasets were not found"):
        ds.data_dir()


def test_parquet_files_are_self_describing():
    path = ds.data_dir()
    for name in ds.DATASETS:
        pf = pq.ParquetFile(path / f"{name}.parquet")
        meta = json.loads((path / f"{name}.json").read_text())
        assert pf.schema_arrow.names == meta["feature_names"] + ["target"]
        assert pf.metadata.row_group(0).column(0).compression == "ZSTD"
        embedded = json.loads(pf.schema_arrow.metadata[b"pai_algos"])
        assert embedded["target_names"] == meta["target_names"]
        assert embedded["license"] == meta["license"]
        assert pf.metadata.num_rows == meta["n_samples"]


def test_files_are_reproducible_from_sklearn():
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_datasets.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--check", "--out", str(ds.data_dir())],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
