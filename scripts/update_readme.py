"""Regenerate the estimator table in README.md from the registry.

``python scripts/update_readme.py`` rewrites the block between the ``estimators`` markers;
``--check`` exits 1 when the README is stale (tests/test_readme.py runs the same check).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

START = "<!-- estimators:start -->"
END = "<!-- estimators:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def render_table() -> str:
    from pai_algos import all_estimators
    from pai_algos.registry import estimator_task

    lines = [
        "| estimator | module | task | devices | summary |",
        "|---|---|---|---|---|",
    ]
    for name, cls in all_estimators():
        family = cls.__module__.split(".")[1]
        devices = "cpu, cuda" if getattr(cls, "_has_cuda_path", False) else "cpu"
        summary = (cls.__doc__ or "").strip().splitlines()[0].rstrip(".")
        lines.append(
            f"| `{name}` | `pai_algos.{family}` | {estimator_task(cls)} | {devices} | {summary} |"
        )
    return "\n".join(lines)


def updated_readme(text: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    block = f"{START}\n{render_table()}\n{END}"
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return pattern.sub(lambda _: block, text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is stale")
    args = parser.parse_args(argv)
    text = README.read_text()
    new = updated_readme(text)
    if args.check:
        if new != text:
            sys.stderr.write("README.md estimator table is stale: run `make readme`.\n")
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
