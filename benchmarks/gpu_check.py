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


def run_tests(out: Path, tpbs=("128", "7"), timeout=300) -> dict:
    results = {}
    for tpb in tpbs:
        env = dict(os.environ, PAI_ALGOS_CUDA_TPB=tpb, NUMBA_ENABLE_CUDASIM="0")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/cuda"]
        if (os.cpu_count() or 1) >= 8:
            cmd += ["-n", "8"]  # compiling the kernels is the CPU's work
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
            log, code = proc.stdout + proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            log, code = f"timed out after {timeout} s\n{exc.stdout or ''}", -1
        (out / f"pytest_cuda_tpb{tpb}.log").write_text(log)
        last = (log.strip().splitlines() or ["no output"])[-1]
        results[f"tpb={tpb}"] = {"returncode": code, "summary": last}
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


def _peer(name):
    """Import a peer library carried to the GPU machine, or None when it is missing."""
    try:
        return __import__(name)
    except Exception:
        return None


def bench_hgb(n, d, repeats, iters=50):
    from sklearn.ensemble import HistGradientBoostingClassifier as SkHGB
    from sklearn.metrics import log_loss

    from pai_algos.ensemble import HistGradientBoostingClassifier, _grower
    from pai_algos_native import kernels

    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, d)).astype(np.float32)
    logit = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3:8].sum(axis=1)
    y = (logit + rng.logistic(size=n) > 0).astype(np.int64)
    params = dict(max_iter=iters, early_stopping=False, random_state=0)
    warm = dict(max_iter=2, early_stopping=False)
    HistGradientBoostingClassifier(device="cuda", **warm).fit(X[:50_000], y[:50_000])
    HistGradientBoostingClassifier(device="cpu", **warm).fit(X[:50_000], y[:50_000])
    t_gpu, gpu = _median_time(
        lambda: HistGradientBoostingClassifier(device="cuda", **params).fit(X, y), repeats
    )
    t_cpu, cpu = _median_time(
        lambda: HistGradientBoostingClassifier(device="cpu", **params).fit(X, y), repeats
    )
    t_sk, sk = _median_time(lambda: SkHGB(**params).fit(X, y), repeats)
    row = {
        "case": f"HistGradientBoostingClassifier(max_iter={iters}) fit {n}x{d} float32",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "sklearn_s": t_sk,
        "proba_max_abs_diff_cuda_vs_cpu": float(
            np.max(np.abs(gpu.predict_proba(X[:100_000]) - cpu.predict_proba(X[:100_000])))
        ),
        "logloss_cuda": float(log_loss(y, gpu.predict_proba(X))),
        "logloss_cpu": float(log_loss(y, cpu.predict_proba(X))),
        "logloss_sklearn": float(log_loss(y, sk.predict_proba(X))),
        "gpu_min_rows": _grower.CUDA_MIN_ROWS,
    }
    lgb = _peer("lightgbm")
    if lgb is not None:
        lp = dict(n_estimators=iters, learning_rate=0.1, num_leaves=31, min_child_samples=20,
                  max_bin=255, reg_lambda=0.0, verbose=-1)  # fmt: skip
        t_lgb, m = _median_time(lambda: lgb.LGBMClassifier(**lp).fit(X, y), repeats)
        row["lightgbm_s"] = t_lgb
        row["logloss_lightgbm"] = float(log_loss(y, m.predict_proba(X)))
    # predict on the same rows
    t_pg, _ = _median_time(lambda: gpu.predict_proba(X), repeats)
    gpu.device_ = "cpu"
    t_pc, _ = _median_time(lambda: gpu.predict_proba(X), repeats)
    row["predict_cuda_s"], row["predict_cpu_s"] = t_pg, t_pc
    # the root histogram alone: the GPU kernel on resident data against the CPU kernel
    codes = np.ascontiguousarray(rng.integers(0, 255, size=(d, n)).astype(np.uint8))
    g, h = rng.normal(size=n), rng.uniform(0.1, 1, size=n)
    rows = np.arange(n, dtype=np.int64)
    ck, gk = kernels("trees", "cpu"), kernels("trees", "cuda")
    dev = [gk.to_device(a) for a in (codes, g, h, rows)]
    ref = ck.build_histogram(codes, g, h, rows, 256)
    got = gk.build_histogram(*dev, 256)
    t_hc, _ = _median_time(lambda: ck.build_histogram(codes, g, h, rows, 256), 5)
    t_hg, _ = _median_time(lambda: gk.build_histogram(*dev, 256), 5)
    row["root_histogram_cuda_s"], row["root_histogram_cpu_s"] = t_hg, t_hc
    row["root_histogram_max_rel_diff"] = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
    return row


def bench_forest(n, d, repeats, trees=100):
    from sklearn.ensemble import RandomForestClassifier as SkRF

    from pai_algos.ensemble import RandomForestClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    n_fit = min(n, 100_000)
    params = dict(n_estimators=trees, max_depth=14, random_state=0, n_jobs=-1)
    model = RandomForestClassifier(device="cuda", **params).fit(X[:n_fit], y[:n_fit])
    sk = SkRF(**params).fit(X[:n_fit], y[:n_fit])
    model.predict_proba(X[:1000])
    t_gpu, p_gpu = _median_time(lambda: model.predict_proba(X), repeats)
    model.device_ = "cpu"
    t_cpu, p_cpu = _median_time(lambda: model.predict_proba(X), repeats)
    t_sk, _ = _median_time(lambda: sk.predict_proba(X), repeats)
    return {
        "case": f"RandomForestClassifier({trees} trees, depth 14) predict_proba {n}x{d}",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "sklearn_s": t_sk,
        "proba_max_abs_diff_cuda_vs_cpu": float(np.max(np.abs(p_gpu - p_cpu))),
    }


def _interactions(n_users, n_items):
    from pai_algos.datasets import make_interactions
    from pai_algos.recommend import train_test_split_interactions

    X = make_interactions(n_users, n_items, n_factors=16, density=0.002, random_state=0)
    train, test = train_test_split_interactions(X, 0.2, random_state=0)
    users = np.flatnonzero(test.getnnz(axis=1))[:5000]
    return train, test, users


def _recommender_row(case, cls, params, peer_fit, n_users, n_items, repeats):
    from pai_algos.metrics import precision_at_k

    train, test, users = _interactions(n_users, n_items)
    cls(device="cuda", **{**params, "iterations": 1}).fit(train[:2000])
    cls(device="cpu", **{**params, "iterations": 1}).fit(train[:2000])
    t_gpu, gpu = _median_time(lambda: cls(device="cuda", **params).fit(train), repeats)
    t_cpu, cpu = _median_time(lambda: cls(device="cpu", **params).fit(train), repeats)
    p10 = lambda m: float(precision_at_k(test[users], m.recommend(users, n=10)[0], k=10))  # noqa: E731
    row = {
        "case": f"{case} {n_users}x{n_items}, {train.nnz} interactions",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "p@10_cuda": p10(gpu),
        "p@10_cpu": p10(cpu),
    }
    if peer_fit is not None:
        t_peer, peer = _median_time(lambda: peer_fit(train), repeats)
        ids, _ = peer.recommend(users, train[users], N=10)
        row["peer_s"] = t_peer
        row["p@10_peer"] = float(precision_at_k(test[users], ids, k=10))
    return row


def bench_implicit_als(n, d, repeats):
    from pai_algos.recommend import ImplicitALS

    params = dict(factors=64, regularization=0.01, iterations=15, random_state=0,
                  calculate_training_loss=False)  # fmt: skip
    peer_fit = None
    if _peer("implicit") is not None:

        def peer_fit(train):
            from implicit.cpu.als import AlternatingLeastSquares

            m = AlternatingLeastSquares(factors=64, regularization=0.01, alpha=1.0,
                                        iterations=15, calculate_training_loss=False,
                                        random_state=0)  # fmt: skip
            from threadpoolctl import threadpool_limits

            t = train.copy()
            t.data = 1.0 + t.data
            with threadpool_limits(1, "blas"):  # implicit's advice for its CPU solver
                m.fit(t.tocsr(), show_progress=False)
            return m

    return _recommender_row("ImplicitALS(64 factors, 15 it)", ImplicitALS, params, peer_fit,
                            n, d, repeats)  # fmt: skip


def bench_bpr(n, d, repeats):
    from pai_algos.recommend import BPR

    params = dict(factors=64, learning_rate=0.05, regularization=0.01, iterations=30,
                  random_state=0)  # fmt: skip
    peer_fit = None
    if _peer("implicit") is not None:

        def peer_fit(train):
            from implicit.cpu.bpr import BayesianPersonalizedRanking

            m = BayesianPersonalizedRanking(factors=64, learning_rate=0.05,
                                            regularization=0.01, iterations=30,
                                            random_state=0)  # fmt: skip
            m.fit(train, show_progress=False)
            return m

    return _recommender_row("BPR(64 factors, 30 it)", BPR, params, peer_fit, n, d, repeats)


def bench_word2vec(n, d, repeats):
    from pai_algos.datasets import make_corpus
    from pai_algos.text import Word2Vec

    docs = make_corpus(n_documents=n, n_topics=20, vocabulary_size=20_000,
                       document_length=(50, 150), random_state=0, return_topics=False)  # fmt: skip
    docs = [x.split() for x in docs]
    params = dict(vector_size=d, window=5, min_count=5, sample=1e-3, negative=5, epochs=3,
                  sg=1, random_state=0)  # fmt: skip
    Word2Vec(device="cuda", **{**params, "epochs": 1}).fit(docs[:200])
    Word2Vec(device="cpu", **{**params, "epochs": 1}).fit(docs[:200])
    t_gpu, gpu = _median_time(lambda: Word2Vec(device="cuda", **params).fit(docs), repeats)
    t_cpu, cpu = _median_time(lambda: Word2Vec(device="cpu", **params).fit(docs), repeats)

    def purity(model):
        queries = model.wv.index_to_key[:50]
        topic = lambda w: int(w[1:]) * 20 // 20_000  # noqa: E731
        hits = [topic(w) == topic(q) for q in queries for w, _ in model.wv.most_similar(q, topn=10)]
        return float(np.mean(hits))

    return {
        "case": f"Word2Vec skip-gram fit, {sum(map(len, docs))} tokens, {d} dims, 3 epochs",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "words_per_s_cuda": float(np.median(gpu.history_["words_per_second"])),
        "words_per_s_cpu": float(np.median(cpu.history_["words_per_second"])),
        "topic_purity_cuda": purity(gpu),
        "topic_purity_cpu": purity(cpu),
    }


def bench_linear_regression(n, d, repeats):
    from sklearn.linear_model import LinearRegression as SkLR

    from pai_algos.linear_model import LinearRegression

    rng = np.random.default_rng(4)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=d) + rng.normal(size=n)).astype(np.float32)
    LinearRegression(device="cuda").fit(X[:3000], y[:3000])
    LinearRegression(device="cpu").fit(X[:3000], y[:3000])
    t_gpu, gpu = _median_time(lambda: LinearRegression(device="cuda").fit(X, y), repeats)
    t_cpu, cpu = _median_time(lambda: LinearRegression(device="cpu").fit(X, y), repeats)
    t_sk, _ = _median_time(lambda: SkLR().fit(X, y), repeats)
    return {
        "case": f"LinearRegression fit {n}x{d} float32",
        "cuda_s": t_gpu,
        "cpu_s": t_cpu,
        "sklearn_s": t_sk,
        "coef_max_rel_diff_cuda_vs_cpu": float(
            np.max(np.abs(gpu.coef_ - cpu.coef_)) / np.max(np.abs(cpu.coef_))
        ),
    }


CASES = (
    (bench_hgb, dict(n=1_000_000, d=28)),
    (bench_forest, dict(n=1_000_000, d=20)),
    (bench_implicit_als, dict(n=50_000, d=10_000)),
    (bench_bpr, dict(n=50_000, d=10_000)),
    (bench_word2vec, dict(n=10_000, d=100)),
    (bench_linear_regression, dict(n=2_000_000, d=100)),
    (bench_logistic, dict(n=2_000_000, d=50)),
    (bench_kmeans, dict(n=2_000_000, d=32, k=32)),
)


def _fmt(row, key):
    return f"{row[key]:.3f}" if key in row else ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_check_out")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--only", default="", help="run only bench_* functions containing this")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the row counts")
    parser.add_argument(
        "--budget", type=float, default=1e9, help="seconds: start no bench after this"
    )
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import numba

    report = {"gpu": _gpu_name(), "cpu_cores": os.cpu_count(), "numba": numba.__version__}
    print(report, flush=True)
    if not args.skip_tests:
        report["tests"] = run_tests(out, tpbs=("128",))
    report["bench"] = []
    for fn, kw in CASES:
        if args.only not in fn.__name__:
            continue
        if time.perf_counter() - t_start > args.budget:
            report["bench"].append({"case": fn.__name__, "error": "skipped: time budget spent"})
            continue
        kw = dict(kw)
        kw["n"] = max(100, int(kw["n"] * args.scale))
        t0 = time.perf_counter()
        try:
            row = fn(repeats=args.repeats, **kw)
        except Exception as exc:  # keep going: one failing case must not hide the others
            row = {"case": f"{fn.__name__} {kw}", "error": repr(exc)}
        row["bench_wall_s"] = time.perf_counter() - t0
        print(json.dumps(row), flush=True)
        report["bench"].append(row)
        (out / "gpu_check.json").write_text(json.dumps(report, indent=2))
    if not args.skip_tests and time.perf_counter() - t_start < args.budget:
        report["tests"].update(run_tests(out, tpbs=("7",)))
        (out / "gpu_check.json").write_text(json.dumps(report, indent=2))

    lines = [
        f"GPU: {report['gpu']}; {report['cpu_cores']} CPU cores; numba {report['numba']}",
        "",
        "| case | cuda (s) | cpu (s) | peer (s) | cpu/cuda | peer/cuda | agreement |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["bench"]:
        if "error" in row:
            lines.append(f"| {row['case']} | error: {row['error']} | | | | | |")
            continue
        peer_key = next((k for k in ("sklearn_s", "peer_s") if k in row), None)
        peer = f"{row[peer_key] / row['cuda_s']:.1f}x" if peer_key else ""
        extra = {k: v for k, v in row.items() if k not in ("case", "cuda_s", "cpu_s")}
        agree = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in extra.items()
        )
        lines.append(
            f"| {row['case']} | {row['cuda_s']:.3f} | {row['cpu_s']:.3f} "
            f"| {_fmt(row, peer_key) if peer_key else ''} "
            f"| {row['cpu_s'] / row['cuda_s']:.1f}x | {peer} | {agree} |"
        )
    (out / "gpu_check.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
