"""The progress display every long command shares."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress

#: Seconds between redraws: the library reports every row or leaf, and
#: redrawing 15 000 times cost more than a tenth of a schedule run.
REDRAW_EVERY = 0.1


@contextmanager
def progress_bar(
    console: Console, columns: Sequence[Any]
) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a transient bar.

    No bar (nor its refresh thread) when nobody watches: cron jobs, pipes.
    """
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        bar = progress.add_task("work", total=None)
        last_redraw = [0.0]

        def advance(done: int, total: int) -> None:
            now = time.perf_counter()
            if done >= total or now - last_redraw[0] >= REDRAW_EVERY:
                last_redraw[0] = now
                progress.update(bar, completed=done, total=total)

        yield advance
