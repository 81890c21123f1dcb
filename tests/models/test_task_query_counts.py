"""Walking a big project costs a bounded number of queries (no N+1).

A correctness property, not a timing: the number of statements must not
grow with the number of tasks (beyond SQLAlchemy's 500-ids-per-IN batches).
"""

from __future__ import annotations

from typing import Any

import pytest

from stalker import Project, Task
from tests.factories import make_user
from tests.support.statements import recorded_statements

ROOTS, SHOTS_PER_ROOT, TASKS_PER_SHOT = 50, 20, 9  # 50 * (1 + 20 * 10) = 10 050


def _build(session: Any, roots: int, shots: int, tasks: int) -> int:
    artist = make_user("artist")
    project = Project(name="Big Show", code="BIG")
    session.add_all([artist, project])
    for r in range(roots):
        root = Task(name=f"Root {r}", project=project)
        for s in range(shots):
            shot = Task(name=f"Shot {s}", parent=root)
            previous = None
            for t in range(tasks):
                previous = Task(
                    name=f"Task {t}",
                    parent=shot,
                    resources=[artist],
                    depends_on=[previous] if previous else None,
                )
    session.commit()
    project_id = project.id
    session.expunge_all()
    return project_id  # type: ignore[no-any-return]


def _walk(session: Any, project_id: int) -> list[Task]:
    project = session.get(Project, project_id)
    return [task for root in project.root_tasks for task in root.walk_hierarchy()]


@pytest.mark.parametrize(
    ("roots", "shots", "tasks", "max_queries"),
    [(2, 3, 4, 8), (ROOTS, SHOTS_PER_ROOT, TASKS_PER_SHOT, 40)],
    ids=["small", "10k"],
)
def test_walking_a_project_hierarchy_is_not_n_plus_one(
    session: Any,
    roots: int,
    shots: int,
    tasks: int,
    max_queries: int,
) -> None:
    project_id = _build(session, roots, shots, tasks)

    with recorded_statements(session.get_bind().engine) as statements:
        walked = _walk(session, project_id)

    assert len(walked) == roots * (1 + shots * (1 + tasks))
    assert len(statements) <= max_queries, statements


def test_container_sums_over_a_loaded_tree_need_no_more_queries(
    session: Any,
) -> None:
    project_id = _build(session, 3, 4, 5)
    project = session.get(Project, project_id)
    roots = project.root_tasks

    with recorded_statements(session.get_bind().engine) as statements:
        seconds = sum(root.schedule_seconds for root in roots)

    assert seconds == 3 * 4 * 5 * 3600  # every leaf: the default 1 h effort
    assert statements == []


def _time_logged(session: Any, project_id: int) -> None:
    """One booking on the first leaf, so to_tjp writes a booking line."""
    import datetime

    from stalker import TimeLog

    leaf = session.scalars(
        Task.query.filter(Task.project_id == project_id, Task.name == "Task 0")
        .limit(1)
        .statement
    ).one()
    start = datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.timezone.utc)
    TimeLog(
        task=leaf,
        resource=leaf.resources[0],
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    session.commit()
    session.expunge_all()


@pytest.mark.parametrize(
    ("roots", "shots", "tasks"), [(1, 2, 3), (3, 8, 6)], ids=["30", "450"]
)
def test_project_to_tjp_reads_each_tree_level_once(
    session: Any, roots: int, shots: int, tasks: int
) -> None:
    """A fixed number of queries per tree level (up to 500 tasks a level)."""
    project_id = _build(session, roots, shots, tasks)
    _time_logged(session, project_id)
    project = session.get(Project, project_id)

    with recorded_statements(session.get_bind().engine) as statements:
        text = project.to_tjp

    assert text.count("\n    task ") == roots
    assert text.count(" task Task_") == roots * (1 + shots * (1 + tasks))
    assert text.count("effort ") == roots * shots * tasks
    assert text.count("booking ") == 1
    assert text.count("depends ") == roots * shots * (tasks - 1)
    # root_tasks (3: roots, then children by level), then per level: the
    # tasks and their five eager-loaded lists (bookings with their users)
    assert len(statements) <= 4 + 3 * 7, statements


def test_task_to_tjp_of_a_subtree_loads_only_that_subtree(session: Any) -> None:
    project_id = _build(session, 4, 5, 5)
    shot = session.scalars(
        Task.query.filter(Task.project_id == project_id, Task.name == "Shot 0")
        .limit(1)
        .statement
    ).one()
    session.expunge_all()
    shot = session.get(Task, shot.id)

    with recorded_statements(session.get_bind().engine) as statements:
        text = shot.to_tjp

    assert text.count("task Task_") == 1 + 5
    assert len(statements) <= 2 * 7 + 3, statements  # two levels, plus the parents
