"""The ``pai-algos`` command.

``pai-algos demo [--output DIR]`` fits the first estimators on a bundled real dataset and writes
a small table; ``pai-algos list`` prints the estimators the registry finds.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _cmd_list(args) -> int:
    from .registry import all_estimators, estimator_task

    for name, cls in all_estimators(family=args.family, task=args.task):
        family = cls.__module__.split(".")[1]
        sys.stdout.write(f"{name:32s} {family:20s} {estimator_task(cls)}\n")
    return 0


def _cmd_demo(args) -> int:
    from ._demo import run_demo

    table = run_demo(args.output)
    sys.stdout.write(table + "\n")
    return 0


def main(argv=None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="pai-algos", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"pai-algos {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="fit the estimators on a bundled dataset, write a table")
    demo.add_argument("--output", default="demo_output", help="folder for the table files")
    demo.set_defaults(func=_cmd_demo)

    lst = sub.add_parser("list", help="list the estimators")
    lst.add_argument("--family", default=None)
    lst.add_argument("--task", default=None)
    lst.set_defaults(func=_cmd_list)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
