"""A studio with N tasks: create+commit, hierarchy walk and the common queries.

The production is built like a real one: sequences of shots with five
dependent tasks each (layout -> animation -> lighting -> fx -> comp), assets
with three (model -> rig -> look), one resource per leaf task, timings in
hours and days.  Sizes: 1k and 10k tasks (``STALKER_BENCH_TASKS`` overrides,
e.g. ``1000,10000``).  SQLite runs always; PostgreSQL too when
``STALKER_BENCH_PG_URL`` names an empty database or ``STALKER_BENCH_PG=1``
starts a private server (see ``common.postgresql_url``).

Targets on SQLite at 10k (issue 5): create+commit <= 2 s, tasks of a user in
a project <= 1 ms, task by id <= 80 us; PostgreSQL <= 2x those.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

from common import backends, fresh_studio, measure
from sqlalchemy import event, select

from stalker import Asset, Project, Sequence, Shot, Task, Type, User
from stalker.db.session import DBSession

SHOTS_PER_SEQUENCE = 10
SHOT_TASKS = ("Layout", "Animation", "Lighting", "FX", "Comp")
ASSET_TASKS = ("Model", "Rig", "Look")
USER_COUNT = 50
TARGETS_S = {"create_commit": 2.0, "tasks_of_user": 0.001, "task_by_id": 0.00008}
START = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.timezone.utc)


def _sizes() -> list[int]:
    text = os.environ.get("STALKER_BENCH_TASKS", "1000,10000")
    return [int(size) for size in text.split(",") if size.strip()]


def _chain(parent: Task, names: tuple[str, ...], users: list[User], k: int) -> int:
    previous = None
    for name in names:
        previous = Task(
            name=name,
            parent=parent,
            resources=[users[k % len(users)]],
            schedule_timing=(k % 4) + 1,
            schedule_unit="d" if k % 2 else "h",
            depends_on=[previous] if previous else None,
            start=START,
        )
        k += 1
    return k


def build_production(project: Project, users: list[User], size: int) -> int:
    """Create about ``size`` tasks in ``project``; returns the exact count."""
    char_type = Type(name="Character", code="CHAR", target_entity_type="Asset")
    shot_block = 1 + len(SHOT_TASKS)
    sequence_block = 1 + SHOTS_PER_SEQUENCE * shot_block
    sequences = max(1, round(size * 0.7 / sequence_block))
    assets = max(1, round((size - sequences * sequence_block) / (1 + len(ASSET_TASKS))))
    k = 0
    for s in range(sequences):
        sequence = Sequence(name=f"SEQ{s:03d}", code=f"SEQ{s:03d}", project=project)
        for n in range(SHOTS_PER_SEQUENCE):
            code = f"SEQ{s:03d}_SH{n:03d}"
            shot = Shot(name=code, code=code, parent=sequence, sequences=[sequence])
            k = _chain(shot, SHOT_TASKS, users, k)
    for a in range(assets):
        asset = Asset(
            name=f"Asset {a}", code=f"A{a:04d}", type=char_type, project=project
        )
        k = _chain(asset, ASSET_TASKS, users, k)
    return sequences * sequence_block + assets * (1 + len(ASSET_TASKS))


class QueryCounter:
    """Counts the statements an engine executes while active."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0

    def _count(self, *args: Any) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def _fresh_database(url: str | None, folder: Path) -> tuple[Project, list[User]]:
    fresh_studio(url, folder)
    users = [
        User(name=f"Artist {i}", login=f"artist{i}", email=f"a{i}@x.com", password="x")
        for i in range(USER_COUNT)
    ]
    project = Project(name="Benchmark", code="BM")
    DBSession.add_all([project, *users])
    DBSession.commit()
    return project, users


def _scenario(backend: str, url: str | None, size: int, folder: Path) -> dict[str, Any]:
    state: dict[str, Any] = {}

    def prepare() -> None:
        state["project"], state["users"] = _fresh_database(url, folder)

    def create_commit() -> None:
        state["count"] = build_production(state["project"], state["users"], size)
        DBSession.commit()

    create = measure(create_commit, repeat=3, prepare=prepare)
    engine = DBSession.get_bind()
    project_id = state["project"].id
    user_id = state["users"][7].id

    def walk() -> None:
        DBSession.remove()
        project = DBSession.get(Project, project_id)
        with QueryCounter(engine) as counter:
            walked = sum(
                1 for root in project.root_tasks for _ in root.walk_hierarchy()
            )
        state["walk_queries"], state["walked"] = counter.count, walked

    walk_timing = measure(walk, repeat=3)

    tasks_of_user = (
        select(Task)
        .where(Task.project_id == project_id)
        .where(Task.resources.any(User.user_id == user_id))
    )
    DBSession.remove()
    DBSession.execute(tasks_of_user).scalars().all()  # warm the statement cache
    user_tasks = measure(
        lambda: DBSession.execute(tasks_of_user).scalars().all(), repeat=50
    )
    user = DBSession.get(User, user_id)
    tasks_of_user_contains = select(Task).where(
        Task.project_id == project_id, Task.resources.contains(user)
    )
    user_tasks_contains = measure(
        lambda: DBSession.execute(tasks_of_user_contains).scalars().all(), repeat=50
    )
    task_ids = DBSession.execute(select(Task.task_id).limit(200)).scalars().all()

    def by_id_cold() -> None:
        DBSession.expunge_all()
        for task_id in task_ids:
            DBSession.get(Task, task_id)

    by_id = measure(by_id_cold, repeat=5)
    DBSession.remove()
    return {
        "scenario": f"tasks_{backend}_{size}",
        "tasks": state["count"],
        "create_commit": create,
        "hierarchy_walk": {
            **walk_timing,
            "queries": state["walk_queries"],
            "tasks": state["walked"],
        },
        "tasks_of_user_in_project": user_tasks,
        "tasks_of_user_in_project_contains": user_tasks_contains,
        "task_by_id_uncached_s": round(by_id["median_s"] / len(task_ids), 7),
        "targets_s": TARGETS_S,
    }


def run() -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend, url in backends():
            for size in _sizes():
                results.append(_scenario(backend, url, size, Path(folder)))
    return {"scenario": "tasks", "results": results}
