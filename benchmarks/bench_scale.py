"""The native path at scale, on SQLite and PostgreSQL (issue 23).

The production is bench_tasks' (shots with five chained tasks, assets with
three), with ``users`` resources: every leaf has one of them (round robin)
and the next two as alternatives (``minallocated``, persistent), so the
engine chooses among candidates for every task.  The studio is
bench_native's (hourly resolution, three years, or a year per 4000 tasks
per 50 users above that) and the scheduler ``NativeScheduler(
compute_resources=True)``.

Each size is built once into an SQLite file (``STALKER_BENCH_SCALE_BUILT``
names a folder that keeps it for later runs) and copied row by row into a
PostgreSQL database (building again through the ORM took 18 minutes at
100 000 tasks); every SQLite run schedules a backup copy of the file, every
PostgreSQL run a clone (``CREATE DATABASE ... TEMPLATE``, a file copy),
each in a new Python process (``studio.schedule(); commit()``), so
``ru_maxrss`` is the peak memory of a process that only loads Stalker,
schedules and writes back.  The split is
``NativeScheduler.timings``: ``gather_s`` (flush, set-based reads,
constraints, calendar), ``engine_s``, ``write_back_s``; then ``commit_s``.
On PostgreSQL a thread writes the finished tasks while the engine plans,
so ``engine_s`` holds that overlap and ``write_back_s`` only what is left
after the engine.  ``schedule_s`` is the whole ``schedule()`` call and
``total_s`` adds the commit.  The control, ``engine_alone_s``, is the
engine on the same rows in a fresh process of its own, nothing written.
Each phase is the median of the runs.

Targets (on this 2-core machine): 100 000 tasks with 500 resources in
``total_s`` <= 30 s and ``peak_rss_mb`` <= 2048 on both backends; at 15 000
tasks ``schedule_over_engine`` (``schedule_s / engine_alone_s``) <= 1.5.

Environment: ``STALKER_BENCH_SCALE_TASKS`` (sizes, default
``15000,100000``), ``STALKER_BENCH_SCALE_USERS`` (resources, default 50 up
to 15 000 tasks, as bench_native, and 500 above),
``STALKER_BENCH_SCALE_BACKENDS`` (default ``sqlite,postgresql``; PostgreSQL
is the tests' private server, or ``STALKER_TEST_POSTGRES_URL``),
``STALKER_BENCH_SCALE_RUNS`` (runs per size and backend, default 3).
``python bench_scale.py --write`` also stores the result in
``results/scale.json``.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_native import _copy_database, run_json_child

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULT_FILE = HERE / "results" / "scale.json"
TARGETS = {
    "total_s": {100000: 30.0},
    "peak_rss_mb": 2048,
    "schedule_over_engine": {15000: 1.5},
}
PHASES = (
    "gather_s",
    "engine_s",
    "write_back_s",
    "commit_s",
    "schedule_s",
    "total_s",
    "engine_alone_s",
)
ALTERNATIVES = 2


def _list(variable: str, default: str) -> list[str]:
    text = os.environ.get(variable, default).strip().lower()
    return [part.strip() for part in text.split(",") if part.strip()]


def _users(size: int) -> int:
    if os.environ.get("STALKER_BENCH_SCALE_USERS"):
        return int(os.environ["STALKER_BENCH_SCALE_USERS"])
    return 50 if size <= 15000 else 500


def horizon_years(size: int, users: int) -> int:
    """bench_native's horizon for 50 users, scaled to ``users``."""
    per_50 = size * 50 // users
    return 3 if per_50 <= 15000 else -(-per_50 // 4000)


# -- the child processes --------------------------------------------------------


def _build(url: str, size: int, users: int) -> dict[str, Any]:
    """Create the production, its alternatives and the studio at ``url``."""
    from bench_tasks import START, build_production
    from common import fresh_studio
    from sqlalchemy import insert, select

    from stalker import Project, Studio, User
    from stalker.db.session import DBSession
    from stalker.scheduling.data import table

    started = time.perf_counter()
    fresh_studio(url, Path(tempfile.gettempdir()))
    people = [
        User(name=f"Artist {i}", login=f"artist{i}", email=f"a{i}@x.com", password="x")
        for i in range(users)
    ]
    project = Project(name="Benchmark", code="BM")
    DBSession.add_all([project, *people])
    DBSession.commit()
    tasks = build_production(project, people, size)
    DBSession.add(
        Studio(
            name="Bench Studio",
            start=START,
            end=START + datetime.timedelta(days=365 * horizon_years(size, users)),
            now=START,
            timing_resolution=datetime.timedelta(hours=1),
        )
    )
    DBSession.commit()
    ids = [person.id for person in people]
    position = {user_id: n for n, user_id in enumerate(ids)}
    link = table("Task_Resources")
    pairs = DBSession.execute(select(link.c.task_id, link.c.resource_id)).all()
    rows = [
        {"task_id": task_id, "resource_id": ids[(position[user_id] + n) % users]}
        for task_id, user_id in pairs
        for n in range(1, ALTERNATIVES + 1)
    ]
    DBSession.execute(insert(table("Task_Alternative_Resources")), rows)
    DBSession.commit()
    DBSession.remove()
    return {"tasks": tasks, "build_s": round(time.perf_counter() - started, 3)}


def _schedule(url: str) -> dict[str, Any]:
    """Schedule the studio at ``url`` once, commit; the phase timings."""
    from bench_tasks import START

    from stalker import NativeScheduler, Studio, db
    from stalker.db.session import DBSession

    db.setup({"sqlalchemy.url": url})
    studio = DBSession.query(Studio).one()
    studio.now = START  # not persisted
    studio.scheduler = NativeScheduler(compute_resources=True)
    started = time.perf_counter()
    studio.schedule()
    scheduled = time.perf_counter()
    DBSession.commit()
    finished = time.perf_counter()
    timings = studio.scheduler.timings
    return {
        "gather_s": timings["gather_s"],
        "engine_s": timings["engine_s"],
        "write_back_s": timings["write_back_s"],
        "commit_s": finished - scheduled,
        "schedule_s": scheduled - started,
        "total_s": finished - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _engine_alone(url: str) -> dict[str, Any]:
    """The control: gather the studio at ``url``, time the engine, write nothing.

    A process of its own, like the run's: the engine's first plan in a
    fresh process, its heap grown from nothing.  The run's ``engine_s`` is
    not the control on PostgreSQL, where a thread writes the finished tasks
    while the engine plans.
    """
    from bench_tasks import START

    from stalker import NativeScheduler, Studio, db
    from stalker.db.session import DBSession
    from stalker.scheduling.engine import schedule
    from stalker.utils import cycle_collector_paused

    db.setup({"sqlalchemy.url": url})
    studio = DBSession.query(Studio).one()
    studio.now = START
    scheduler = NativeScheduler(studio, compute_resources=True)
    with cycle_collector_paused():  # as schedule() does
        data = scheduler._gather()
        started = time.perf_counter()
        schedule(data, scheduler.calendar, scheduler.constraints)
        alone = time.perf_counter() - started
    DBSession.rollback()
    return {"engine_alone_s": alone}


def _child(*arguments: str) -> dict[str, Any]:
    return run_json_child(__file__, *arguments)


# -- the parent ---------------------------------------------------------------------


def _copy_to_postgresql(source: str, url: str) -> dict[str, Any]:
    """Copy every row of the built SQLite file into an initialised PostgreSQL.

    The same rows as building again, in a fraction of the time: the schema
    comes from ``db.init()``, its rows are replaced table by table with
    foreign key triggers off (the tables refer to each other in cycles),
    then the id sequences continue after the copied ids and ``ANALYZE`` runs.
    """
    from common import fresh_studio
    from sqlalchemy import create_engine, func, select, text

    from stalker import db
    from stalker.db.session import DBSession

    started = time.perf_counter()
    fresh_studio(url, Path(tempfile.gettempdir()))
    target = DBSession.connection()
    reader = create_engine(source).connect()
    tables = db.Base.metadata.sorted_tables
    target.execute(text("SET session_replication_role = replica"))
    names = ", ".join(f'"{table.name}"' for table in tables)
    target.execute(text(f"TRUNCATE {names}"))
    for source_table in tables:
        rows = [dict(row._mapping) for row in reader.execute(select(source_table))]
        if rows:
            target.execute(source_table.insert(), rows)
        for column in source_table.primary_key.columns:
            if len(source_table.primary_key) == 1:  # a serial id continues
                highest = target.scalar(select(func.max(column)))
                sequence = target.scalar(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": f'"{source_table.name}"', "c": column.name},
                )
                if sequence and highest:
                    target.execute(text(f"SELECT setval('{sequence}', {highest})"))
    target.execute(text("SET session_replication_role = DEFAULT"))
    DBSession.commit()
    DBSession.remove()
    reader.close()
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("ANALYZE"))  # what autovacuum would have done
    return {"copy_s": round(time.perf_counter() - started, 3)}


class _SQLite:
    """Every run schedules a backup copy of the built file."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def prepare(self, built: Path, size: int) -> dict[str, Any]:
        return {}

    def run(self, built: Path, size: int) -> dict[str, Any]:
        return {**self._child(built, "--schedule"), **self._child(built, "--engine")}

    def _child(self, built: Path, mode: str) -> dict[str, Any]:
        copy = self.folder / "run.db"
        _copy_database(built, copy)
        try:
            return _child(mode, f"sqlite:///{copy}")
        finally:
            copy.unlink()

    def drop(self, size: int) -> None:
        pass


class _PostgreSQL:
    """The built file is copied into a database; every run schedules a clone."""

    name = "postgresql"

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.support.pg_server import get_test_postgres_url

        self.admin = get_test_postgres_url()

    def prepare(self, built: Path, size: int) -> dict[str, Any]:
        from tests.support.pg_server import create_database, drop_database

        drop_database(self.admin, f"scale_built_{size}")
        url = create_database(self.admin, f"scale_built_{size}")
        return _child("--copy", f"sqlite:///{built}", url)

    def run(self, built: Path, size: int) -> dict[str, Any]:
        return {**self._child(size, "--schedule"), **self._child(size, "--engine")}

    def _child(self, size: int, mode: str) -> dict[str, Any]:
        from tests.support.pg_server import create_database, drop_database

        drop_database(self.admin, "scale_run")
        url = create_database(self.admin, "scale_run", template=f"scale_built_{size}")
        try:
            return _child(mode, url)
        finally:
            drop_database(self.admin, "scale_run")

    def drop(self, size: int) -> None:
        from tests.support.pg_server import drop_database

        drop_database(self.admin, f"scale_built_{size}")


def _runs() -> int:
    return int(os.environ.get("STALKER_BENCH_SCALE_RUNS", "3"))


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {
        phase: round(statistics.median(run[phase] for run in runs), 3)
        for phase in PHASES
    }
    summary["best_total_s"] = round(min(run["total_s"] for run in runs), 3)
    summary["peak_rss_mb"] = round(max(run["peak_rss_mb"] for run in runs), 1)
    summary["schedule_over_engine"] = round(
        statistics.median(run["schedule_s"] / run["engine_alone_s"] for run in runs), 3
    )
    summary["total_over_engine"] = round(
        statistics.median(run["total_s"] / run["engine_alone_s"] for run in runs), 3
    )
    summary["runs"] = len(runs)
    return summary


def _met(size: int, summary: dict[str, Any]) -> dict[str, bool]:
    met = {"peak_rss_mb": summary["peak_rss_mb"] <= TARGETS["peak_rss_mb"]}
    for key in ("total_s", "schedule_over_engine"):
        bound = TARGETS[key].get(size)  # type: ignore[union-attr]
        if bound is not None:
            met[key] = summary[key] <= bound
    return met


def _built(folder: Path, size: int, users: int) -> tuple[Path, dict[str, Any]]:
    """The SQLite file of a size, built now or kept from an earlier run."""
    path = folder / f"built_{size}_{users}.db"
    if path.exists():
        return path, {"tasks": None, "build_s": "kept from an earlier run"}
    return path, _child("--build", f"sqlite:///{path}", str(size), str(users))


def _size_result(
    backend: Any, built: Path, build: dict[str, Any], size: int, users: int
) -> dict[str, Any]:
    prepared = backend.prepare(built, size)
    try:
        runs = [backend.run(built, size) for _ in range(_runs())]
    finally:
        backend.drop(size)
    summary = _summary(runs)
    return {
        "scenario": f"scale_{backend.name}_{size}",
        "tasks": build["tasks"] or size,
        "resources": users,
        "alternatives_per_task": ALTERNATIVES,
        "horizon_years": horizon_years(size, users),
        "build_s": build["build_s"],
        **prepared,
        "native": summary,
        "targets_met": _met(size, summary),
    }


def run() -> dict[str, Any]:
    """Build each size once (SQLite; ``STALKER_BENCH_SCALE_BUILT`` names a folder
    that keeps the files for later runs), then run it on every backend."""
    sizes = [int(size) for size in _list("STALKER_BENCH_SCALE_TASKS", "15000,100000")]
    names = _list("STALKER_BENCH_SCALE_BACKENDS", "sqlite,postgresql")
    results = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(os.environ.get("STALKER_BENCH_SCALE_BUILT") or temporary)
        backends = [
            _SQLite(Path(temporary)) if name == "sqlite" else _PostgreSQL()
            for name in names
        ]
        for size in sizes:
            users = _users(size)
            built, build = _built(folder, size, users)
            results.extend(
                _size_result(backend, built, build, size, users) for backend in backends
            )
    return {
        "scenario": "scale",
        "machine": f"{os.cpu_count()} cores",
        "targets": TARGETS,
        "results": sorted(results, key=lambda result: result["scenario"]),
    }


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--build":
        print(json.dumps(_build(argv[1], int(argv[2]), int(argv[3]))))
    elif argv and argv[0] == "--copy":
        print(json.dumps(_copy_to_postgresql(argv[1], argv[2])))
    elif argv and argv[0] == "--schedule":
        print(json.dumps(_schedule(argv[1])))
    elif argv and argv[0] == "--engine":
        print(json.dumps(_engine_alone(argv[1])))
    else:
        report = json.dumps(run(), indent=2)
        if "--write" in argv:
            RESULT_FILE.write_text(report + "\n")
        print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
