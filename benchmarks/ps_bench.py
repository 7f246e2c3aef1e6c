"""Parameter-server numbers: push throughput, FTRL through the server, recovery time.

``python -m benchmarks.ps_bench [--rows N] [--write]`` prints three tables and, with
``--write``, puts them in ``benchmarks/README.md`` between the ``ps-bench`` markers:

1. keys pushed per second for the local and Ray backends at 1, 2 and 4 shards (2 workers,
   bsp, pushes of 20,000 distinct keys per worker and step), with the messages per step
   (workers x shards when every push touches every shard);
2. FTRLClassifier on ``make_ctr`` data (1,000,000 rows x 16 fields by default): wall time and
   held-out AUC for ``ps=None``, the local backend and the Ray backend (2 shards, 2 workers,
   the same ``batch_size``);
3. recovery time: seconds from a shard's kill until it is back with every update
   (checkpoint reload + replay), local and Ray.
"""

from __future__ import annotations

import argparse
import platform
import re
import time
from pathlib import Path

import numpy as np

README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- ps-bench:begin -->", "<!-- ps-bench:end -->"


class PushJob:
    """Each worker pushes ``n_keys`` random distinct keys per step (gradients of 1)."""

    def __init__(self, n_workers, n_steps, n_keys, seed=0):
        rng = np.random.default_rng(seed)
        self.keys = [
            [np.unique(rng.integers(0, 2**62, size=n_keys)) for _ in range(n_steps)]
            for _ in range(n_workers)
        ]
        self.n = n_steps

    def n_steps(self):
        return self.n

    def step(self, worker, t, client):
        keys = self.keys[worker][t]
        client.push(keys, np.ones(keys.shape[0]))
        return 0.0

    def signature(self):
        return f"push-{self.n}"


def _engine(backend, n_servers, n_workers, **kw):
    from pai_algos.ps import PSConfig, TableSpec, make_engine

    cfg = PSConfig(backend=backend, num_servers=n_servers, num_workers=n_workers, **kw)
    return make_engine(cfg, TableSpec("sgd", lr=1.0))


def throughput_rows(backends):
    rows = []
    job = PushJob(n_workers=2, n_steps=20, n_keys=20_000)
    for backend in backends:
        for n_servers in (1, 2, 4):
            engine = _engine(backend, n_servers, 2)
            try:
                engine.run(PushJob(2, 2, 1000, seed=1))  # warm-up (compile, actor start)
                engine.stats.update(keys_pushed=0, messages=0)
                t0 = time.perf_counter()
                engine.run(job)
                seconds = time.perf_counter() - t0
            finally:
                engine.close()
            keys = engine.stats["keys_pushed"]
            rows.append(
                f"| {backend} | {n_servers} | {keys / seconds:,.0f} | "
                f"{engine.stats['messages'] / job.n_steps():.0f} (workers x shards = "
                f"{2 * n_servers}) |"
            )
    return [
        "| backend | shards | keys pushed / s | messages per step |",
        "|---|---|---|---|",
        *rows,
    ]


def ftrl_rows(backends, n_rows, batch_size):
    from sklearn.metrics import roc_auc_score

    from pai_algos.datasets import make_ctr
    from pai_algos.linear_model import FTRLClassifier
    from pai_algos.ps import PSConfig

    X, y = make_ctr(n_samples=n_rows + n_rows // 5, n_fields=16, random_state=0)[:2]
    Xtr, ytr, Xte, yte = X[:n_rows], y[:n_rows], X[n_rows:], y[n_rows:]
    FTRLClassifier(batch_size=batch_size).fit(Xtr[:5000], ytr[:5000])  # compile
    rows = []
    base = None
    for name, ps in [("ps=None", None)] + [
        (b, PSConfig(backend=b, num_servers=2, num_workers=2)) for b in backends
    ]:
        t0 = time.perf_counter()
        model = FTRLClassifier(random_state=0, batch_size=batch_size, ps=ps).fit(Xtr, ytr)
        seconds = time.perf_counter() - t0
        base = base or seconds
        auc = roc_auc_score(yte, model.decision_function(Xte))
        stats = getattr(model, "ps_stats_", {})
        msgs = stats.get("messages", 0)
        rows.append(
            f"| {name} | {seconds:.2f} | {seconds / base:.1f}x | {auc:.4f} | "
            f"{msgs:,} | {stats.get('steps', 0):,} |"
        )
    return [
        f"FTRLClassifier, 1 pass over {n_rows:,} rows x 16 fields, batch_size={batch_size}, "
        "2 shards x 2 workers (bsp):",
        "",
        "| fit | seconds | vs ps=None | held-out AUC | messages | worker steps |",
        "|---|---|---|---|---|---|",
        *rows,
    ]


def recovery_rows(backends, tmp):
    from pai_algos.ps.testing import FaultPlan

    rows = []
    for backend in backends:
        plan = FaultPlan(kill_servers={0: 12})
        engine = _engine(
            backend,
            2,
            2,
            fault_plan=plan,
            checkpoint_dir=str(Path(tmp) / backend),
            checkpoint_every=5,
        )
        try:
            engine.run(PushJob(n_workers=2, n_steps=20, n_keys=20_000))
        finally:
            engine.close()
        rows.append(
            f"| {backend} | {engine.stats['recovery_seconds']:.3f} | "
            f"{engine.stats['pushes_replayed']} |"
        )
    return [
        "| backend | seconds from kill to recovered shard | pushes replayed |",
        "|---|---|---|",
        *rows,
    ]


def main(argv=None):
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    backends = ["local"] if args.no_ray else ["local", "ray"]
    if "ray" in backends:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lines = [
                f"Measured {time.strftime('%Y-%m-%d')} on {platform.processor() or 'cpu'} "
                f"({__import__('os').cpu_count()} cores), Ray "
                + (__import__("ray").__version__ if "ray" in backends else "not run")
                + ".",
                "",
                *throughput_rows(backends),
                "",
                *ftrl_rows(backends, args.rows, args.batch_size),
                "",
                *recovery_rows(backends, tmp),
            ]
    finally:
        if "ray" in backends:
            ray.shutdown()
    text = "\n".join(lines)
    print(text)
    if args.write:
        readme = README.read_text()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in readme:
            readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), block, readme, flags=re.S)
        else:
            readme += f"\n## Parameter server\n\n{block}\n"
        README.write_text(readme)


if __name__ == "__main__":
    main()
