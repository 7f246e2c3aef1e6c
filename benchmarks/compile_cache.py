"""First-fit cost in a fresh process, with a cold and then a warm Numba cache.

``python -m benchmarks.compile_cache [--write]`` runs each estimator's first fit in two fresh
processes sharing an empty ``NUMBA_CACHE_DIR``: the first compiles and writes the cache, the
second must load every kernel from it (zero cache misses). With ``--write`` the table goes
into ``benchmarks/README.md`` between the ``compile`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).with_name("README.md")
START, END = "<!-- compile:start -->", "<!-- compile:end -->"

CASES = {
    "LogisticRegression": (
        "from pai_algos.linear_model import LogisticRegression as E",
        "E(max_iter=50).fit(X, y)",
    ),
    "KMeans": ("from pai_algos.cluster import KMeans as E", "E(n_clusters=3, n_init=1).fit(X)"),
    "StandardScaler": (
        "from pai_algos.preprocessing import StandardScaler as E",
        "E().fit(X).transform(X)",
    ),
    "GaussianNB": ("from pai_algos.naive_bayes import GaussianNB as E", "E().fit(X, y).predict(X)"),
}

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
{import_line}
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 8)).astype(np.float32)
y = (X[:, 0] > 0).astype(np.int64)
t1 = time.perf_counter()
{fit_line}
t2 = time.perf_counter()
hits = misses = 0
for name, mod in list(sys.modules.items()):
    if name.startswith("pai_algos_native.cpu."):
        for obj in vars(mod).values():
            stats = getattr(obj, "stats", None)
            if stats is not None and hasattr(stats, "cache_hits"):
                hits += sum(stats.cache_hits.values())
                misses += sum(stats.cache_misses.values())
print(json.dumps({{"import_s": t1 - t0, "first_fit_s": t2 - t1, "hits": hits, "misses": misses}}))
"""


def measure(name: str, cache_dir: str) -> dict:
    import_line, fit_line = CASES[name]
    code = CHILD.format(import_line=import_line, fit_line=fit_line)
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    rows = []
    for name in CASES:
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = measure(name, cache_dir)
            warm = measure(name, cache_dir)
        rows.append({"estimator": name, "cold": cold, "warm": warm})
        print(
            f"{name:20s} cold first fit {cold['first_fit_s']:7.2f}s (misses {cold['misses']}) | "
            f"warm first fit {warm['first_fit_s']:7.2f}s (hits {warm['hits']}, "
            f"misses {warm['misses']})",
            flush=True,
        )
    return rows


def table(rows) -> str:
    lines = [
        "| estimator | first fit, cold cache (s) | first fit, warm cache (s) | "
        "kernels compiled (cold) | loaded from cache (warm) | compiled again (warm) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['estimator']} | {r['cold']['first_fit_s']:.2f} | {r['warm']['first_fit_s']:.2f} "
            f"| {r['cold']['misses']} | {r['warm']['hits']} | {r['warm']['misses']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args(argv)
    rows = run()
    text = table(rows)
    print(text)
    if args.write:
        from ._report import machine_description

        block = f"{START}\nMachine: {machine_description()}\n\n{text}\n{END}"
        readme = README.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        readme = (
            pattern.sub(lambda _: block, readme)
            if pattern.search(readme)
            else readme + "\n" + block + "\n"
        )
        README.write_text(readme)
    return 0 if all(r["warm"]["misses"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
