"""Scheduling a studio of N tasks: .tjp generation, tj3, write-back.

The production is the one bench_tasks.py builds (shots with five chained
tasks, assets with three, one resource each).  Each size prints the split
of ``TaskJugglerScheduler.schedule()``: generating the file (flush, gather,
render), tj3 itself, and reading the CSV back (bulk write-back, computed
resources included).  tj3 needs minutes at 15k tasks, so some sizes skip it
and time the write-back of a synthetic CSV with one row per task instead.

Environment: ``STALKER_BENCH_SCHEDULING_TASKS`` (sizes, default
``1000,5000,15000``), ``STALKER_BENCH_SKIP_TJ3`` (sizes that skip tj3,
default ``15000``; ``all`` or ``none``), ``STALKER_BENCH_PG_URL`` (an empty
PostgreSQL database to run there too).

Targets on SQLite at 15k (issue 8): generation <= 0.3 s, write-back <= 0.5 s.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_tasks import START, _fresh_database, build_production
from common import backends, measure

from stalker import Studio, TaskJugglerScheduler
from stalker.db.session import DBSession

TARGETS_S = {"generation": 0.3, "write_back": 0.5}
HORIZON = datetime.timedelta(days=3 * 365)


def _sizes() -> list[int]:
    text = os.environ.get("STALKER_BENCH_SCHEDULING_TASKS", "1000,5000,15000")
    return [int(size) for size in text.split(",") if size.strip()]


def _skips_tj3(size: int) -> bool:
    text = os.environ.get("STALKER_BENCH_SKIP_TJ3", "15000").strip().lower()
    if text in ("all", "none", ""):
        return text == "all" or shutil.which("tj3") is None
    skipped = {int(part) for part in text.split(",") if part.strip()}
    return size in skipped or shutil.which("tj3") is None


def _synthetic_csv(scheduler: TaskJugglerScheduler) -> str:
    """One ``id;start;end;resources`` row per project and task, tj3's format."""
    data = scheduler.data
    assert data is not None
    lines = ['"Id";"Start";"End";"Resources"']
    day = datetime.timedelta(days=1)
    for offset, task_id in enumerate(sorted(data.tasks)):
        start = START + (offset % 300) * day
        users = ", ".join(
            f"User_{user} (User_{user})" for user in data.resources.get(task_id, ())
        )
        lines.append(
            f'"{data.abs_path(task_id)}";"{start:%Y-%m-%d-%H:%M}";'
            f'"{start + day:%Y-%m-%d-%H:%M}";"{users}"'
        )
    for project_id in data.project_ids:
        lines.append(
            f'"Project_{project_id}";"{START:%Y-%m-%d-%H:%M}";'
            f'"{START + 300 * day:%Y-%m-%d-%H:%M}";""'
        )
    return "\n".join(lines) + "\n"


def _scenario(backend: str, url: str | None, size: int, folder: Path) -> dict[str, Any]:
    project, users = _fresh_database(url, folder)
    count = build_production(project, users, size)
    studio = Studio(
        name="Bench Studio",
        start=START,
        end=START + HORIZON,
        now=START,
        timing_resolution=datetime.timedelta(hours=1),
    )
    DBSession.add(studio)
    DBSession.commit()
    scheduler = TaskJugglerScheduler(studio, compute_resources=True)
    scheduler._create_tjp_file()
    try:
        generation = measure(scheduler._create_tjp_file_content, repeat=5)
        scheduler._fill_tjp_file()
        tj3: dict[str, Any] | str = "skipped"
        if not _skips_tj3(size):
            started = time.perf_counter()
            scheduler._run_tj3()
            tj3 = {"wall_s": round(time.perf_counter() - started, 3)}
        else:
            Path(str(scheduler.csv_file_full_path)).write_text(
                _synthetic_csv(scheduler), encoding="utf-8"
            )

        def write_back() -> None:
            scheduler._parse_csv_file()
            DBSession.commit()

        write = measure(write_back, repeat=3)
    finally:
        scheduler._clean_up()
    result = {
        "scenario": f"scheduling_{backend}_{size}",
        "tasks": count,
        "tjp_bytes": len(scheduler.tjp_content),
        "generation": generation,
        "tj3": tj3,
        "write_back": write,
        "csv": "synthetic" if tj3 == "skipped" else "tj3",
        "targets_s": TARGETS_S,
    }
    DBSession.remove()
    return result


def run() -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend, url in backends():
            for size in _sizes():
                results.append(_scenario(backend, url, size, Path(folder)))
    return {"scenario": "scheduling", "results": results}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
