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
