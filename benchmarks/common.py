"""Timing helpers shared by the benchmark scenarios."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
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


_private_server: Any = None


def postgresql_url() -> str | None:
    """The PostgreSQL database a scenario also runs on, or None (SQLite only).

    ``STALKER_BENCH_PG_URL`` names an empty database; ``STALKER_BENCH_PG=1``
    starts the tests' private server instead (once per process, stopped at
    exit), so ``STALKER_BENCH_PG=1 make bench`` needs nothing set up.
    """
    global _private_server
    url = os.environ.get("STALKER_BENCH_PG_URL")
    if url or os.environ.get("STALKER_BENCH_PG", "") not in ("1", "yes", "true"):
        return url or None
    if _private_server is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.support.pg_server import PostgresServer

        _private_server = PostgresServer().start()
    return str(_private_server.url)


def backends() -> list[tuple[str, str | None]]:
    """``(name, url)`` of every backend a scenario runs on; SQLite's url is None."""
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    pg_url = postgresql_url()
    if pg_url:
        found.append(("postgresql", pg_url))
    return found


def fresh_studio(url: str | None, folder: Path) -> None:
    """Bind ``DBSession`` to an empty, initialised studio database.

    ``url`` None: a new SQLite file in ``folder``; otherwise the PostgreSQL
    database is emptied first.
    """
    from stalker import db
    from stalker.db.session import DBSession

    DBSession.remove()
    if url is None:
        url = f"sqlite:///{folder / f'{time.monotonic_ns()}.db'}"
    else:
        db.setup({"sqlalchemy.url": url})
        engine = DBSession.get_bind()
        DBSession.remove()  # setup() leaves a read transaction that blocks DROP
        db.Base.metadata.drop_all(engine)
    db.setup({"sqlalchemy.url": url})
    db.init()
