"""Timing helpers shared by the benchmark scenarios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(
    action: Callable[[], Any],
    repeat: int = 5,
    prepare: Callable[[], Any] | None = None,
) -> dict[str, float]:
    """Run ``action`` ``repeat`` times; seconds of the median, best and first run.

    ``prepare`` runs before each repetition and is not timed.
    """
    timings = []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(timings), 6),
        "best_s": round(min(timings), 6),
        "first_s": round(timings[0], 6),
        "runs": repeat,
    }
