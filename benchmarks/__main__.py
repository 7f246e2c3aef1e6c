"""``python -m benchmarks [--suite NAME] [--repeats N] [--no-write]``.

Runs the suites in ``benchmarks/suites``, prints one row per case and rewrites the table in
``benchmarks/README.md`` (between the ``<!-- table -->`` markers) with the machine it ran on.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from . import suites
from ._harness import run_case
from ._report import machine_description, rewrite_readme

README = Path(__file__).with_name("README.md")


def suite_names():
    modules = pkgutil.iter_modules(suites.__path__)
    return sorted(m.name for m in modules if not m.name.startswith("_"))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--suite", action="append", choices=suite_names(), help="suite to run")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs of each side")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite README.md")
    args = parser.parse_args(argv)

    names = args.suite or suite_names()
    rows = []
    for name in names:
        module = importlib.import_module(f"benchmarks.suites.{name}")
        for case in module.CASES:
            row = run_case(case, args.repeats)
            row["suite"] = name
            rows.append(row)
            print(
                f"{name:14s} {row['case']:48s} ours {row['ours_s']:8.3f}s  "
                f"{row['peer']} {row['peer_s']:8.3f}s  ratio {row['ratio']:6.2f}x "
                f"(target {row['target']:.1f}x)  {row['quality']}",
                flush=True,
            )
    if not args.no_write:
        rewrite_readme(README, rows, machine_description())
    return 0


if __name__ == "__main__":
    sys.exit(main())
