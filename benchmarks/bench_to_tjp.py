"""``Project.to_tjp`` against the scheduler's own file builder (issue 20).

The public text (``project.to_tjp``, spec 07 §6.9) and the scheduler's
builder (``gather_schedule_data`` + ``tjp_file``) print the same project;
the target is the public text in at most twice the builder's time.  The
production is bench_scale's (shots with five chained tasks, assets with
three, a resource and two alternatives per leaf), built once per size into
an SQLite file and copied into PostgreSQL (the tests' private server).  Each
backend is measured in its own process, every run in a new session (nothing
loaded), medians of ``STALKER_BENCH_TO_TJP_RUNS`` runs (default 5).

Environment: ``STALKER_BENCH_TO_TJP_TASKS`` (default ``1000,10000``),
``STALKER_BENCH_TO_TJP_BACKENDS`` (default ``sqlite,postgresql``).
``--write`` also stores the result in ``results/to_tjp.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_native import run_json_child
from bench_scale import _child as _scale_child
from bench_scale import _PostgreSQL, _users

HERE = Path(__file__).resolve().parent
RESULT_FILE = HERE / "results" / "to_tjp.json"
TARGET_RATIO = 2.0


def _list(variable: str, default: str) -> list[str]:
    return [item for item in os.environ.get(variable, default).split(",") if item]


def _runs() -> int:
    return int(os.environ.get("STALKER_BENCH_TO_TJP_RUNS", "5"))


def _measure(url: str) -> dict[str, Any]:
    """Both texts of the project at ``url``, timed in fresh sessions."""
    import stalker
    from stalker import Project, Studio, db
    from stalker.db.session import DBSession
    from stalker.scheduling.data import gather_schedule_data
    from stalker.scheduling.tjp import tjp_file

    db.setup({"sqlalchemy.url": url})
    project_id = DBSession.query(Project.id).scalar()

    def public() -> tuple[float, int]:
        DBSession.remove()
        started = time.perf_counter()
        text = DBSession.get(Project, project_id).to_tjp
        return time.perf_counter() - started, len(text)

    def builder() -> tuple[float, int]:
        DBSession.remove()
        started = time.perf_counter()
        studio = DBSession.query(Studio).one()
        data = gather_schedule_data(DBSession, [project_id])
        text = tjp_file(
            stalker.__version__,
            studio.tjp_project(studio.end),
            data,
            "to_tjp",
            False,
            studio.timezone,
        )
        return time.perf_counter() - started, len(text)

    publics = [public() for _ in range(_runs())]
    builders = [builder() for _ in range(_runs())]
    public_s = statistics.median(seconds for seconds, _ in publics)
    builder_s = statistics.median(seconds for seconds, _ in builders)
    return {
        "to_tjp_s": round(public_s, 4),
        "builder_s": round(builder_s, 4),
        "ratio": round(public_s / builder_s, 2),
        "to_tjp_chars": publics[0][1],
        "builder_chars": builders[0][1],
    }


def _size_results(folder: Path, size: int, backends: list[str]) -> list[dict]:
    users = _users(size)
    built = folder / f"to_tjp_{size}.db"
    build = _scale_child("--build", f"sqlite:///{built}", str(size), str(users))
    results = []
    for name in backends:
        if name == "sqlite":
            figures = _child("--measure", f"sqlite:///{built}")
        else:
            postgresql = _PostgreSQL()
            postgresql.prepare(built, size)
            try:
                figures = _child("--measure", _built_url(postgresql, size))
            finally:
                postgresql.drop(size)
        results.append(
            {
                "scenario": f"to_tjp_{name}_{size}",
                "tasks": build["tasks"],
                "runs": _runs(),
                **figures,
                "met": figures["ratio"] <= TARGET_RATIO,
            }
        )
    return results


def _built_url(postgresql: Any, size: int) -> str:
    from sqlalchemy.engine import make_url

    admin = make_url(postgresql.admin)
    return admin.set(database=f"scale_built_{size}").render_as_string(
        hide_password=False
    )


def _child(*arguments: str) -> dict[str, Any]:
    return run_json_child(__file__, *arguments)


def run() -> dict[str, Any]:
    sizes = [int(size) for size in _list("STALKER_BENCH_TO_TJP_TASKS", "1000,10000")]
    backends = _list("STALKER_BENCH_TO_TJP_BACKENDS", "sqlite,postgresql")
    with tempfile.TemporaryDirectory() as temporary:
        results = [
            result
            for size in sizes
            for result in _size_results(Path(temporary), size, backends)
        ]
    return {
        "scenario": "to_tjp",
        "machine": f"{os.cpu_count()} cores",
        "target_ratio": TARGET_RATIO,
        "results": results,
    }


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--measure":
        print(json.dumps(_measure(argv[1])))
        return 0
    report = json.dumps(run(), indent=2)
    if "--write" in argv:
        RESULT_FILE.write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
