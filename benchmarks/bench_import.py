"""A shot list of 2 000 shots x 5 template tasks: bulk import vs constructors.

Both sides build the same production in a new project of the same database:
``import_shot_list(..., bulk=True)`` reads a CSV (20 sequences of 100 shots,
template Layout -> Animation -> {FX, Lighting} -> Comp, one assignee) and
commits; the baseline builds each Shot with its constructor, applies the
template with ``TaskTemplate.apply`` and commits.  ``STALKER_BENCH_IMPORT_SHOTS``
changes the shot count, ``STALKER_BENCH_REPEAT`` the runs (default 3).
PostgreSQL runs too when ``STALKER_BENCH_PG=1`` or ``STALKER_BENCH_PG_URL``.

Targets (issue 22) at 10 000 tasks: import+commit <= 2 s on SQLite and
<= 4 s on PostgreSQL, and <= 1/5 of constructors+commit.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from pathlib import Path
from typing import Any

from common import backends, fresh_studio, measure

from stalker import Project, Repository, Sequence, Shot
from stalker.db.session import DBSession
from stalker.interchange import TaskSpec, TaskTemplate, import_shot_list

CHAIN = [
    TaskSpec("Layout", type="Layout", schedule_timing=2, schedule_unit="d"),
    TaskSpec("Animation", type="Animation", depends_on=("Layout",)),
    TaskSpec("FX", type="FX", depends_on=("Animation",)),
    TaskSpec("Lighting", type="Lighting", depends_on=("Animation",)),
    TaskSpec("Comp", type="Comp", depends_on=("FX", "Lighting")),
]
TARGETS_S = {"sqlite": 2.0, "postgresql": 4.0}
TARGET_RATIO = 0.2
_codes = itertools.count()


def _shots() -> int:
    return int(os.environ.get("STALKER_BENCH_IMPORT_SHOTS", "2000"))


def _shot_list(shots: int) -> str:
    lines = ["sequence,shot,cut_in,cut_out,fps,description,task_template,assignees"]
    for n in range(shots):
        sequence = f"SEQ{n // 100:03d}"
        lines.append(
            f"{sequence},{sequence}_SH{n % 100:03d}0,1001,{1001 + n % 90},24,"
            f"shot {n},Shot,Animation:artist"
        )
    return "\n".join(lines) + "\n"


def _setup() -> None:
    from stalker import User

    DBSession.add_all(
        [
            TaskTemplate(name="Shot", tasks=CHAIN),
            User(name="artist", login="artist", email="a@x.com", password="pw"),
        ]
    )
    DBSession.commit()


def _project() -> Project:
    code = f"P{next(_codes)}"
    project = Project(
        name=code, code=code, repositories=[Repository(name=code, code=code)]
    )
    DBSession.add(project)
    DBSession.commit()
    return project


def _by_constructors(shots: int) -> None:
    """The same production, one constructor call per shot and per task."""
    from stalker import Task, Type, User

    project = _project()
    artist = DBSession.query(User).filter_by(login="artist").one()
    types = {
        t.name: t for t in DBSession.query(Type).filter_by(target_entity_type="Task")
    }
    sequences: dict[str, Sequence] = {}
    with DBSession.no_autoflush:
        for n in range(shots):
            name = f"SEQ{n // 100:03d}"
            if name not in sequences:
                sequences[name] = Sequence(name=name, code=name, project=project)
            code = f"{name}_SH{n % 100:03d}0"
            shot = Shot(
                code=code,
                name=code,
                project=project,
                sequences=[sequences[name]],
                cut_in=1001,
                cut_out=1001 + n % 90,
                fps=24,
                description=f"shot {n}",
            )
            made: dict[str, Task] = {}
            for spec in CHAIN:
                made[spec.name] = Task(
                    name=spec.name,
                    parent=shot,
                    type=types.get(spec.type or ""),
                    schedule_timing=spec.schedule_timing,
                    schedule_unit=spec.schedule_unit,
                    schedule_model=spec.schedule_model,
                    priority=spec.priority,
                    resources=[artist] if spec.name == "Animation" else [],
                    depends_on=[made[d] for d in spec.depends_on],
                )
    DBSession.commit()


def _by_import(text: str) -> dict[str, Any]:
    report = import_shot_list(io.StringIO(text), _project(), bulk=True)
    assert not report.refused, report.refused[:3]
    return {"created": len(report.created)}


def run() -> dict[str, Any]:
    shots = _shots()
    repeat = int(os.environ.get("STALKER_BENCH_REPEAT", "3"))
    text = _shot_list(shots)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend, url in backends():
            fresh_studio(url, Path(folder))
            _setup()
            tasks = shots * len(CHAIN)
            bulk = measure(lambda: _by_import(text), repeat=repeat)
            slow = measure(lambda: _by_constructors(shots), repeat=repeat)
            ratio = bulk["median_s"] / slow["median_s"]
            results.append(
                {
                    "backend": backend,
                    "shots": shots,
                    "tasks": tasks,
                    "import_commit": bulk,
                    "constructors_commit": slow,
                    "ratio": round(ratio, 3),
                    "target_s": TARGETS_S[backend],
                    "target_ratio": TARGET_RATIO,
                    "meets_targets": bulk["median_s"] <= TARGETS_S[backend]
                    and ratio <= TARGET_RATIO,
                }
            )
            DBSession.remove()
    return {"scenario": f"import_{shots}_shots", "results": results}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
