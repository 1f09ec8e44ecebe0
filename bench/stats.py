"""Summaries of repeated measurements: medians with p10/p90 for timings, p50/p95/p99 for latencies."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), p in [0, 100]."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def summary(values: Sequence[float], *, scale: float = 1.0, digits: int = 2) -> dict[str, Any]:
    """Median with p10/p90 (timings); ``scale`` converts units, e.g. 1000 for seconds -> ms."""
    return {
        "median": round(median(values) * scale, digits),
        "p10": round(percentile(values, 10) * scale, digits),
        "p90": round(percentile(values, 90) * scale, digits),
        "n": len(values),
    }


def latency_summary(values: Sequence[float], *, scale: float = 1.0, digits: int = 2) -> dict[str, Any]:
    return {
        "p50": round(percentile(values, 50) * scale, digits),
        "p95": round(percentile(values, 95) * scale, digits),
        "p99": round(percentile(values, 99) * scale, digits),
        "max": round(max(values) * scale, digits) if values else math.nan,
        "n": len(values),
    }


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(cases: dict[str, Callable[[], Any]], *, repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run every case once per round, round after round, so that drift of a noisy machine hits all alike."""
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    return times


def paired_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> dict[str, Any]:
    """Ratios of the runs of one round (same moment, same noise), summarised like a timing."""
    return summary([a / b for a, b in zip(numerator, denominator, strict=True)], digits=3)
