"""The benchmark harness.

A suite is a module ``benchmarks/suites/<name>.py`` with a list ``CASES`` of :class:`Case`.
For each case the harness builds the data once, fits ours once to warm up (Numba compiles or
loads its cache), then alternates ours and the peer ``repeats`` times and reports the median
of each and the ratio peer/ours (> 1 means ours is faster).
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable


@dataclasses.dataclass
class Case:
    """One benchmark row.

    Attributes
    ----------
    name : str
        Row label, e.g. ``"KMeans(k=32) 200000x32 float32"``.
    make_data : callable
        ``() -> data``; called once.
    ours : callable
        ``(data) -> object``; one timed run of our estimator.
    peer : callable
        ``(data) -> object``; one timed run of the peer.
    peer_name : str
        E.g. ``"scikit-learn"``.
    target : float, default=1.0
        The speed ratio the issue asks for (peer time / our time).
    repeats : int, default=5
    quality : callable, default=None
        ``(data, ours_result, peer_result) -> str`` describing quality side by side.
    """

    name: str
    make_data: Callable
    ours: Callable
    peer: Callable
    peer_name: str = "scikit-learn"
    target: float = 1.0
    repeats: int = 5
    quality: Callable | None = None


def _timed(fn, data):
    t0 = time.perf_counter()
    result = fn(data)
    return time.perf_counter() - t0, result


def run_case(case: Case, repeats: int | None = None) -> dict:
    repeats = repeats or case.repeats
    data = case.make_data()
    warm, ours_result = _timed(case.ours, data)
    ours_times, peer_times = [], []
    peer_result = None
    for i in range(repeats):
        # alternate who goes first so that thermal / cache effects fall on both
        order = [("ours", case.ours), ("peer", case.peer)]
        if i % 2:
            order.reverse()
        for who, fn in order:
            t, res = _timed(fn, data)
            if who == "ours":
                ours_times.append(t)
                ours_result = res
            else:
                peer_times.append(t)
                peer_result = res
    ours_med = statistics.median(ours_times)
    peer_med = statistics.median(peer_times)
    row = {
        "case": case.name,
        "peer": case.peer_name,
        "ours_s": ours_med,
        "peer_s": peer_med,
        "ratio": peer_med / ours_med if ours_med > 0 else float("inf"),
        "target": case.target,
        "first_fit_s": warm,
        "quality": "",
    }
    if case.quality is not None:
        row["quality"] = case.quality(data, ours_result, peer_result)
    return row
