"""Regenerate the bundled datasets (``datasets/<name>.parquet`` + ``datasets/<name>.json``).

The tables come from the copies that scikit-learn ships in ``sklearn/datasets/data`` (read
through scikit-learn's own loaders, so the values are exactly scikit-learn's). Each dataset
becomes a zstd-compressed Parquet file with one column per feature and a ``target`` column,
plus a JSON sidecar with the description, feature and target names, source, licence and
citation. The target names are also kept in the Parquet schema metadata (key ``pai_algos``),
so a Parquet file stands on its own.

Run from the repository root::

    .venv/bin/python scripts/make_datasets.py [--out datasets] [--check]

``--check`` rebuilds into a temporary folder and compares the tables (values, column names,
schema metadata) and the sidecars (all but the description text) with the committed files
instead of writing; it exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import sklearn
from sklearn import datasets as skd

ROOT = Path(__file__).resolve().parents[1]

CC_BY_4 = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"

# Source, licence and citation per dataset. UCI states CC BY 4.0 for every dataset on its
# current site; the record pages below say so. The diabetes data has no licence of its own.
SPECS = {
    "iris": {
        "loader": "load_iris",
        "task": "classification (3 classes)",
        "title": "Iris plants",
        "source": (
            "UCI Machine Learning Repository, dataset 53, "
            "https://archive.ics.uci.edu/dataset/53/iris; copied from scikit-learn "
            "(sklearn/datasets/data/iris.csv), which follows Fisher's paper (two values differ "
            "from the UCI file, as in R)"
        ),
        "license": CC_BY_4,
        "citation": (
            "Fisher, R. A. (1988). Iris [Dataset]. UCI Machine Learning Repository. "
            "https://doi.org/10.24432/C56C76. Original paper: Fisher, R. A. (1936). The use of "
            "multiple measurements in taxonomic problems. Annals of Eugenics, 7(2), 179-188."
        ),
    },
    "wine": {
        "loader": "load_wine",
        "task": "classification (3 classes)",
        "title": "Wine recognition",
        "source": (
            "UCI Machine Learning Repository, dataset 109, "
            "https://archive.ics.uci.edu/dataset/109/wine; copied from scikit-learn "
            "(sklearn/datasets/data/wine_data.csv)"
        ),
        "license": CC_BY_4,
        "citation": (
            "Aeberhard, S. & Forina, M. (1991). Wine [Dataset]. UCI Machine Learning "
            "Repository. https://doi.org/10.24432/C5PC7J."
        ),
    },
    "breast_cancer": {
        "loader": "load_breast_cancer",
        "task": "classification (2 classes)",
        "title": "Breast Cancer Wisconsin (Diagnostic)",
        "source": (
            "UCI Machine Learning Repository, dataset 17, "
            "https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic; "
            "copied from scikit-learn (sklearn/datasets/data/breast_cancer.csv)"
        ),
        "license": CC_BY_4,
        "citation": (
            "Wolberg, W., Mangasarian, O., Street, N., & Street, W. (1995). Breast Cancer "
            "Wisconsin (Diagnostic) [Dataset]. UCI Machine Learning Repository. "
            "https://doi.org/10.24432/C5DW2B."
        ),
    },
    "diabetes": {
        "loader": "load_diabetes",
        "kwargs": {"scaled": False},
        "task": "regression",
        "title": "Diabetes (Efron et al., 2004)",
        "source": (
            "https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html (B. Efron, T. Hastie, "
            "I. Johnstone, R. Tibshirani); copied from scikit-learn "
            "(sklearn/datasets/data/diabetes_data_raw.csv.gz, diabetes_target.csv.gz). The "
            "file keeps the raw measurements; load_diabetes(scaled=True) scales them as "
            "scikit-learn does."
        ),
        "license": (
            "No licence stated by the original authors. Redistributed since 2010 inside "
            "scikit-learn (BSD-3-Clause); we redistribute it on the same terms and with the "
            "same attribution."
        ),
        "citation": (
            "Efron, B., Hastie, T., Johnstone, I., & Tibshirani, R. (2004). Least angle "
            "regression. The Annals of Statistics, 32(2), 407-499. "
            "https://doi.org/10.1214/009053604000000067."
        ),
    },
}


def build_table(name: str) -> tuple[pa.Table, dict]:
    """Return the Arrow table and the JSON metadata of one dataset."""
    spec = SPECS[name]
    bunch = getattr(skd, spec["loader"])(**spec.get("kwargs", {}))
    feature_names = [str(f) for f in bunch.feature_names]
    target_names = bunch.get("target_names")
    target_names = None if target_names is None else [str(t) for t in target_names]
    data = np.asarray(bunch.data, dtype=np.float64)
    target = np.asarray(bunch.target)
    target = target.astype(np.int64 if target_names is not None else np.float64)

    columns = {f: pa.array(data[:, j]) for j, f in enumerate(feature_names)}
    columns["target"] = pa.array(target)
    meta = {
        "name": name,
        "title": spec["title"],
        "task": spec["task"],
        "n_samples": int(data.shape[0]),
        "n_features": int(data.shape[1]),
        "feature_names": feature_names,
        "target_names": target_names,
        "source": spec["source"],
        "license": spec["license"],
        "citation": spec["citation"],
        "generated_from": f"scikit-learn {sklearn.__version__}, sklearn.datasets.{spec['loader']}",
        "description": bunch.DESCR,
    }
    schema_meta = {
        "pai_algos": json.dumps(
            {k: meta[k] for k in ("name", "task", "target_names", "license", "citation")}
        )
    }
    table = pa.table(columns).replace_schema_metadata(schema_meta)
    return table, meta


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SPECS:
        table, meta = build_table(name)
        parquet = out / f"{name}.parquet"
        pq.write_table(
            table, parquet, compression="zstd", compression_level=19, use_dictionary=False
        )
        sidecar = out / f"{name}.json"
        sidecar.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        written += [parquet, sidecar]
    return written


def check(committed: Path) -> int:
    """Compare freshly built tables with the committed ones; return the number of mismatches."""
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        for name in SPECS:
            fresh = pq.read_table(Path(tmp) / f"{name}.parquet")
            try:
                old = pq.read_table(committed / f"{name}.parquet")
                old_meta = json.loads((committed / f"{name}.json").read_text())
            except FileNotFoundError as exc:
                print(f"{name}: missing ({exc})")
                bad += 1
                continue
            new_meta = json.loads((Path(tmp) / f"{name}.json").read_text())
            # The description text follows scikit-learn's wording; the data must not change.
            for key in ("generated_from", "description"):
                old_meta.pop(key, None)
                new_meta.pop(key, None)
            if not fresh.equals(old, check_metadata=True) or old_meta != new_meta:
                print(f"{name}: differs from the committed file")
                bad += 1
            else:
                print(f"{name}: identical ({fresh.num_rows} x {fresh.num_columns})")
    return bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "datasets")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        return 1 if check(args.out) else 0
    for path in write(args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
