"""``make demo``: the four first estimators on a bundled real dataset (breast cancer)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_demo(output="demo_output") -> str:
    """Fit StandardScaler, LogisticRegression, GaussianNB and KMeans; return the table.

    The table (Markdown) is also written to ``<output>/demo.md`` and ``<output>/demo.csv``.
    """
    import pandas as pd
    from sklearn.metrics import accuracy_score, adjusted_rand_score
    from sklearn.model_selection import train_test_split

    from .cluster import KMeans
    from .datasets import load_breast_cancer
    from .linear_model import LogisticRegression
    from .naive_bayes import GaussianNB
    from .preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    rows = []

    scaler, secs = _timed(lambda: StandardScaler().fit(X_train))
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    rows.append(
        (
            "StandardScaler",
            "max abs column mean, scaled train",
            float(np.abs(Z_train.mean(0)).max()),
            secs,
            "cpu",
        )
    )

    logreg, secs = _timed(lambda: LogisticRegression(max_iter=200).fit(Z_train, y_train))
    rows.append(
        (
            "LogisticRegression",
            "test accuracy",
            accuracy_score(y_test, logreg.predict(Z_test)),
            secs,
            logreg.device_,
        )
    )

    nb, secs = _timed(lambda: GaussianNB().fit(X_train, y_train))
    rows.append(
        ("GaussianNB", "test accuracy", accuracy_score(y_test, nb.predict(X_test)), secs, "cpu")
    )

    km, secs = _timed(lambda: KMeans(n_clusters=2, n_init=3, random_state=0).fit(Z_train))
    rows.append(
        (
            "KMeans(k=2)",
            "ARI vs diagnosis",
            adjusted_rand_score(y_train, km.labels_),
            secs,
            km.device_,
        )
    )

    frame = pd.DataFrame(rows, columns=["estimator", "metric", "score", "fit_seconds", "device"])
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "demo.csv", index=False)
    lines = [
        f"pai_algos demo: breast cancer (UCI), {X_train.shape[0]} train / {X_test.shape[0]} test",
        "",
        "| estimator | metric | score | fit seconds | device |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.3f} | {r[4]} |")
    table = "\n".join(lines)
    (out / "demo.md").write_text(table + "\n")
    return table
