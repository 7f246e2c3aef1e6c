"""Machine description and the README table."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re

START = "<!-- table:start -->"
END = "<!-- table:end -->"


def machine_description() -> str:
    import numba
    import numpy
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{_dt.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"numba {numba.__version__}, scikit-learn {sklearn.__version__}"
    )


def format_table(rows, machine) -> str:
    lines = [
        f"Machine: {machine}",
        "",
        "| suite | case | peer | ours (s) | peer (s) | peer/ours | target "
        "| first fit (s) | quality |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ok = "" if r["ratio"] >= r["target"] else " (below target)"
        lines.append(
            f"| {r['suite']} | {r['case']} | {r['peer']} | {r['ours_s']:.3f} | {r['peer_s']:.3f} "
            f"| {r['ratio']:.2f}x{ok} | {r['target']:.1f}x | {r['first_fit_s']:.2f} "
            f"| {r['quality']} |"
        )
    return "\n".join(lines)


def rewrite_readme(path, rows, machine) -> None:
    """Replace the rows of the suites just run; keep the rows of other suites."""
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    old_rows = []
    m = re.search(re.escape(START) + r"(.*?)" + re.escape(END), text, re.S)
    ran = {r["suite"] for r in rows}
    if m:
        for line in m.group(1).splitlines():
            # the quality cell (the last) may itself hold "|" (as in "max |B - B_numpy|")
            cells = [c.strip() for c in line.strip().strip("|").split("|", 8)]
            if len(cells) == 9 and cells[0] not in ("suite", "---") and cells[0] not in ran:
                old_rows.append("| " + " | ".join(cells) + " |")
    table = format_table(rows, machine)
    if old_rows:
        table += "\n" + "\n".join(old_rows)
    block = f"{START}\n{table}\n{END}"
    if m:
        text = text[: m.start()] + block + text[m.end() :]
    else:
        text += "\n" + block + "\n"
    path.write_text(text)
