"""Timing helpers shared by the benchmarks: best-of-N wall time and a result line."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median seconds of `repeat` runs after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def report(name: str, ours: float, raw: float, goal: float | None = None) -> dict[str, object]:
    ratio = ours / raw if raw else float("inf")
    verdict = ""
    if goal is not None:
        verdict = f"  (goal ≤ {goal:.2f}× {'met' if ratio <= goal else 'MISSED'})"
    print(f"{name:<48} ours {ours * 1000:9.2f} ms   raw {raw * 1000:9.2f} ms   ratio {ratio:6.2f}×{verdict}")
    return {
        "name": name,
        "ours_ms": round(ours * 1000, 3),
        "raw_ms": round(raw * 1000, 3),
        "ratio": round(ratio, 3),
    }
