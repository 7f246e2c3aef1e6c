"""The device check: CUDA kernels against the CPU ones on real hardware, and their timings.

Run on a machine with an NVIDIA GPU::

    python -m benchmarks.gpu_check --out DIR

1. runs ``tests/cuda`` on the real GPU (no simulator), default and 7-thread blocks;
2. fits our estimators with ``device="cpu"`` and ``device="cuda"`` and the scikit-learn peer
   on the same data, checks that the results agree and prints the median times;
3. writes ``gpu_check.json`` and ``gpu_check.md`` to ``DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def _median_time(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _gpu_name():
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout.strip()
    except Exception as exc:  # pragma: no cover - depends on the machine
        return f"unknown ({exc})"


def run_tests(out: Path) -> dict:
    results = {}
    for tpb in ("128", "7"):
        env = dict(os.environ, PAI_ALGOS_CUDA_TPB=tpb, NUMBA_ENABLE_CUDASIM="0")
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/cuda"],
            capture_output=True,
            text=True,
            env=env,
        )
        (out / f"pytest_cuda_tpb{tpb}.log").write_text(proc.stdout + proc.stderr)
        last = (proc.stdout.strip().splitlines() or ["no output"])[-1]
        results[f"tpb={tpb}"] = {"returncode": proc.returncode, "summary": last}
        print(f"tests/cuda with {tpb} threads per block: {last}", flush=True)
    return results


def bench_kmeans(n, d, k, repeats):
    from sklearn.cluster import KMeans as SkKMeans

    from pai_algos.cluster import KMeans

    rng = np.random.default_rng(0)
    centers = rng.normal(scale=5, size=(k, d))
    X = (centers[rng.integers(k, size=n)] + rng.normal(size=(n, d))).astype(np.float32)
    init = X[rng.choice(n, k, replace=False)]
    params = dict(n_clusters=k, init=init, n_init=1, max_iter=50, tol=0)
    KMeans(device="cuda", **params).fit(X[:3000])  # compile / load the kernels
    KMeans(device="cpu", **params).fit(X[:3000])
    t_gpu, gpu = _median_time(lambda: KMeans(device="cuda", **params).fit(X), repeats)
    t_cpu, cpu = _median_time(lambda: KMeans(device="cpu", **params).fit(X), repeats)
    t_sk, sk = _median_time(lambda: SkKMeans(**params).fit(X), repeats)
    return {
        "case": f"KMeans(k={k}, max_iter=50, tol=0) {n}x{d} float32",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "sklearn_s": t_sk,
        "inertia_rel_diff_cuda_vs_cpu": abs(gpu.inertia_ - cpu.inertia_) / cpu.inertia_,
        "inertia_rel_diff_cuda_vs_sklearn": abs(gpu.inertia_ - sk.inertia_) / sk.inertia_,
    }


def bench_logistic(n, d, repeats):
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    from pai_algos.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, d)).astype(np.float32)
    w = rng.normal(size=d)
    y = (X @ w + rng.logistic(size=n) > 0).astype(np.int64)
    params = dict(max_iter=100)
    LogisticRegression(device="cuda", **params).fit(X[:3000], y[:3000])
    LogisticRegression(device="cpu", **params).fit(X[:3000], y[:3000])
    t_gpu, gpu = _median_time(
        lambda: LogisticRegression(device="cuda", **params).fit(X, y), repeats
    )
    t_cpu, cpu = _median_time(lambda: LogisticRegression(device="cpu", **params).fit(X, y), repeats)
    t_sk, sk = _median_time(lambda: SkLogisticRegression(**params).fit(X, y), repeats)
    return {
        "case": f"LogisticRegression(max_iter=100) {n}x{d} float32",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "sklearn_s": t_sk,
        "coef_max_rel_diff_cuda_vs_cpu": float(
            np.max(np.abs(gpu.coef_ - cpu.coef_)) / np.max(np.abs(cpu.coef_))
        ),
        "accuracy_cuda": float(gpu.score(X, y)),
        "accuracy_sklearn": float(sk.score(X, y)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_check_out")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--only", default="", help="run only bench_* functions containing this")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the row counts")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import numba

    report = {"gpu": _gpu_name(), "cpu_cores": os.cpu_count(), "numba": numba.__version__}
    print(report, flush=True)
    if not args.skip_tests:
        report["tests"] = run_tests(out)
    report["bench"] = []
    for fn, kw in (
        (bench_logistic, dict(n=200_000, d=50)),
        (bench_logistic, dict(n=2_000_000, d=50)),
        (bench_kmeans, dict(n=200_000, d=32, k=32)),
        (bench_kmeans, dict(n=2_000_000, d=32, k=32)),
    ):
        if args.only not in fn.__name__:
            continue
        kw["n"] = max(6000, int(kw["n"] * args.scale))
        try:
            row = fn(repeats=args.repeats, **kw)
        except Exception as exc:  # keep going: one failing case must not hide the others
            row = {"case": f"{fn.__name__} {kw}", "error": repr(exc)}
        print(json.dumps(row), flush=True)
        report["bench"].append(row)
        (out / "gpu_check.json").write_text(json.dumps(report, indent=2))

    lines = [
        f"GPU: {report['gpu']}; {report['cpu_cores']} CPU cores; numba {report['numba']}",
        "",
        "| case | cuda (s) | cpu (s) | scikit-learn (s) | cpu/cuda | sklearn/cuda | agreement |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["bench"]:
        if "error" in row:
            lines.append(f"| {row['case']} | error: {row['error']} | | | | | |")
            continue
        agree = ", ".join(f"{k}={v:.2g}" for k, v in row.items() if k.endswith("diff_cuda_vs_cpu"))
        lines.append(
            f"| {row['case']} | {row['cuda_s']:.3f} | {row['cpu_s']:.3f} | {row['sklearn_s']:.3f} "
            f"| {row['cpu_s'] / row['cuda_s']:.1f}x | {row['sklearn_s'] / row['cuda_s']:.1f}x "
            f"| {agree} |"
        )
    (out / "gpu_check.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
