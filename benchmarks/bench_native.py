"""Native scheduling end to end against tj3, from 1k to 100k tasks (issue 9).

The production is bench_tasks' (shots with five chained tasks, assets with
three, one of 50 users per task), the studio bench_scheduling's (hourly
resolution, three-year horizon; sizes above 15k get a year per 4000 tasks
since 50 people cannot do 100k tasks in three years), and both schedulers
run with ``compute_resources=True``.

Each size is built once into an SQLite file.  Every run then copies that
file and schedules the copy in a new Python process
(``studio.schedule(); commit()``), so every run starts from the same rows
and ``ru_maxrss`` is the peak memory of a process that only loads Python
and Stalker, reads the model, schedules and writes back, nothing else.
``read`` is flush + gather + constraints + calendar, ``schedule`` the
engine, ``write_back`` the bulk write-back, ``commit`` the commit; ``total``
is everything from ``schedule()`` to the end of the commit.  tj3's
``total`` is the same for ``TaskJugglerScheduler`` (file generation, tj3,
CSV write-back, commit), measured in the same run on a copy of the same
file.

Environment: ``STALKER_BENCH_NATIVE_TASKS`` (sizes, default
``1000,5000,15000,50000,100000``), ``STALKER_BENCH_NATIVE_TJ3`` (sizes where
tj3 runs too, default ``1000,5000,15000``; ``none`` to skip it; tj3 needs
minutes at 15k), ``STALKER_BENCH_NATIVE_RUNS`` (native runs per size,
default 5 up to 15k and 3 above; tj3 runs once per size).

Targets on SQLite: 15k tasks <= 5 s, 100k <= 60 s, peak memory <= 2 GB.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = "1000,5000,15000,50000,100000"
DEFAULT_TJ3_SIZES = "1000,5000,15000"
TARGETS = {"total_s": {15000: 5.0, 100000: 60.0}, "peak_rss_mb": 2048}
PHASES = ("read_s", "schedule_s", "write_back_s", "commit_s", "total_s")


def _sizes(variable: str, default: str) -> list[int]:
    text = os.environ.get(variable, default).strip().lower()
    if text in ("", "none"):
        return []
    return [int(size) for size in text.split(",") if size.strip()]


def _runs(size: int) -> int:
    if os.environ.get("STALKER_BENCH_NATIVE_RUNS"):
        return int(os.environ["STALKER_BENCH_NATIVE_RUNS"])
    return 5 if size <= 15000 else 3


def horizon_years(size: int) -> int:
    """Three years up to 15k tasks (as bench_scheduling), then a year per 4000.

    50 people need about 19 years for 100k tasks.
    """
    return 3 if size <= 15000 else -(-size // 4000)


# -- the child processes --------------------------------------------------------


def _build(path: str, size: int) -> dict[str, Any]:
    """Create the production and the studio in a new SQLite file."""
    from bench_tasks import START, _fresh_database, build_production

    from stalker import Studio
    from stalker.db.session import DBSession

    started = time.perf_counter()
    project, users = _fresh_database(f"sqlite:///{path}", Path(path).parent)
    tasks = build_production(project, users, size)
    DBSession.add(
        Studio(
            name="Bench Studio",
            start=START,
            end=START + datetime.timedelta(days=365 * horizon_years(size)),
            now=START,
            timing_resolution=datetime.timedelta(hours=1),
        )
    )
    DBSession.commit()
    return {"tasks": tasks, "build_s": round(time.perf_counter() - started, 3)}


def _schedule(path: str, engine: str) -> dict[str, Any]:
    """Schedule the studio of ``path`` once with ``engine``; phase timings."""
    from bench_tasks import START

    from stalker import NativeScheduler, Studio, TaskJugglerScheduler, db
    from stalker.db.session import DBSession

    db.setup({"sqlalchemy.url": f"sqlite:///{path}"})
    studio = DBSession.query(Studio).one()
    studio.now = START  # not persisted
    if engine == "native":
        studio.scheduler = NativeScheduler(compute_resources=True)
    else:
        studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    started = time.perf_counter()
    studio.schedule()
    scheduled = time.perf_counter()
    DBSession.commit()
    finished = time.perf_counter()
    timings = studio.scheduler.timings
    if engine == "native":
        result = {
            "read_s": timings["gather_s"],
            "schedule_s": timings["engine_s"],
            "write_back_s": timings["write_back_s"],
        }
    else:
        result = {
            "generation_s": timings["generation_s"],
            "tj3_s": timings["tj3_s"],
            "write_back_s": timings["write_back_s"],
        }
    result["commit_s"] = finished - scheduled
    result["total_s"] = finished - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if engine == "tj3":
        result["tj3_peak_rss_mb"] = children
    return result


# -- the parent ---------------------------------------------------------------------


def _child_environment() -> dict[str, str]:
    """This process's environment, importing the same Stalker as this process."""
    import stalker

    paths = [str(Path(stalker.__file__).resolve().parents[1]), str(HERE)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run_json_child(script: str, *arguments: str) -> dict[str, Any]:
    """Run a benchmark ``script`` in a new Python process; its last JSON line."""
    completed = subprocess.run(
        [sys.executable, str(Path(script).resolve()), *arguments],
        check=True,
        capture_output=True,
        text=True,
        env=_child_environment(),
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _child(*arguments: str) -> dict[str, Any]:
    return run_json_child(__file__, *arguments)


def _copy_database(source: Path, target: Path) -> None:
    """Copy an SQLite database with SQLite's backup API.

    A file copy would miss the commits still in the write-ahead log.
    """
    with sqlite3.connect(source) as reader, sqlite3.connect(target) as writer:
        reader.backup(writer)
    reader.close()
    writer.close()


def _scheduled_copy(built: Path, folder: Path, engine: str) -> dict[str, Any]:
    copy = folder / f"run_{engine}.db"
    _copy_database(built, copy)
    try:
        return _child("--schedule", str(copy), engine)
    finally:
        copy.unlink()


def _summary(runs: list[dict[str, Any]], phases: tuple[str, ...]) -> dict[str, Any]:
    summary: dict[str, Any] = {
        phase: round(statistics.median(run[phase] for run in runs), 3)
        for phase in phases
    }
    summary["best_total_s"] = round(min(run["total_s"] for run in runs), 3)
    summary["peak_rss_mb"] = round(max(run["peak_rss_mb"] for run in runs), 1)
    summary["runs"] = len(runs)
    return summary


def _size_result(size: int, folder: Path, with_tj3: bool) -> dict[str, Any]:
    from stalker.models.schedulers import tj3_installed

    built = folder / f"built_{size}.db"
    build = _child("--build", str(built), str(size))
    native = [_scheduled_copy(built, folder, "native") for _ in range(_runs(size))]
    result: dict[str, Any] = {
        "scenario": f"native_scheduling_sqlite_{size}",
        "tasks": build["tasks"],
        "horizon_years": horizon_years(size),
        "build_s": build["build_s"],
        "native": _summary(native, PHASES),
    }
    if with_tj3:
        tj3 = _scheduled_copy(built, folder, "tj3")
        result["tj3"] = {
            **{key: round(value, 3) for key, value in tj3.items()},
            "runs": 1,
        }
        result["tj3_over_native"] = round(
            tj3["total_s"] / result["native"]["total_s"], 1
        )
    else:
        result["tj3"] = (
            "skipped: tj3 is not installed"
            if not tj3_installed()
            else "skipped: size not in STALKER_BENCH_NATIVE_TJ3"
        )
    built.unlink()
    return result


def run() -> dict[str, Any]:
    from stalker.models.schedulers import tj3_installed

    tj3_sizes = set(_sizes("STALKER_BENCH_NATIVE_TJ3", DEFAULT_TJ3_SIZES))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in _sizes("STALKER_BENCH_NATIVE_TASKS", DEFAULT_SIZES):
            with_tj3 = size in tj3_sizes and tj3_installed()
            results.append(_size_result(size, Path(folder), with_tj3))
    return {"scenario": "native_scheduling", "targets": TARGETS, "results": results}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--build":
        print(json.dumps(_build(argv[1], int(argv[2]))))
    elif argv and argv[0] == "--schedule":
        print(json.dumps(_schedule(argv[1], argv[2])))
    else:
        print(json.dumps(run(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
