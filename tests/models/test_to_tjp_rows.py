"""``to_tjp`` of a saved tree is printed from its rows, the same text (issue 20).

The rows path reads a project in a few set-based queries instead of one
object per task; it is taken only when it prints exactly what the objects
would, which these tests compare on a studio using every feature.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from stalker import Task
from stalker.db.session import DBSession
from stalker.models.task import gathered_for_tjp, load_subtrees_for_tjp
from stalker.scheduling.tjp import indent, readable_task_text

from ..task_factories import TaskWorld
from .test_to_tjp import build_rich_studio


def _objects_text(project: Any) -> str:
    """The project's text from its objects (the path without rows)."""
    roots = project.root_tasks
    loaded = load_subtrees_for_tjp(project, roots)  # noqa: F841 (kept alive)
    lines = [f'task {project.tjp_id} "{project.tjp_id}" {{']
    lines.extend(indent(task._tjp_text()) for task in roots)
    lines.append("}")
    return "\n".join(lines)


def test_rows_print_every_feature_as_the_objects_do(session):
    rich = build_rich_studio(session)
    for project in rich.projects:
        assert gathered_for_tjp(project, project.id) is not None  # the rows path
        from_rows = project.to_tjp
        assert from_rows == _objects_text(project)
        assert "Shot_" in from_rows or project is rich.projects[1]
    for task in rich.tasks.values():  # a task prints its own subtree alike
        session.expire_all()
        data = gathered_for_tjp(task, task.project_id)
        depth = len(task.parents)
        assert readable_task_text(data, task.id, depth) == task.to_tjp
    text = rich.projects[0].to_tjp
    for fragment in (
        "booking",
        "alternative",
        "persistent",
        "gaplength 2.0d",
        "onstart",
        "start 2014-08-01-09:00",
        "priority 900",
    ):
        assert fragment in text


def test_a_project_is_read_in_a_fixed_number_of_queries(session):
    def count_for(tasks: int) -> int:
        world = TaskWorld(session)
        parent = world.task("Parent")
        for number in range(tasks):
            world.task(f"T{number}", parent=parent, schedule_timing=2.0)
        session.commit()
        statements: list[str] = []
        bind = session.get_bind()

        def count(*_args: Any) -> None:
            statements.append("query")

        event.listen(bind, "before_cursor_execute", count)
        try:
            text = world.project.to_tjp
        finally:
            event.remove(bind, "before_cursor_execute", count)
        assert text.count("task Task_") == tasks + 1
        return len(statements)

    assert count_for(3) == count_for(40)


def test_unsaved_changes_are_printed_from_the_objects(session):
    world = TaskWorld(session)
    task = world.task("Leaf", schedule_timing=2.0)
    session.commit()
    project_id = task.project_id  # loaded again after the commit
    task.priority = 700  # not flushed: the rows would miss it
    assert gathered_for_tjp(task, project_id) is None
    assert "priority 700" in world.project.to_tjp
    session.rollback()


def test_an_int_effort_in_memory_keeps_its_text(session):
    world = TaskWorld(session)
    task = world.task("Leaf", schedule_timing=2, schedule_unit="d")
    session.flush()
    assert gathered_for_tjp(task, task.project_id) is None
    session.expire_all()  # read back: the stored float
    assert gathered_for_tjp(task, task.project_id) is not None
    assert isinstance(DBSession.get(Task, task.id), Task)


def test_a_dependency_list_out_of_id_order_keeps_its_order(session):
    world = TaskWorld(session)
    first, second = world.task("A"), world.task("B")
    world.task("C", depends_on=[second, first])
    world.flush()
    project = world.project
    assert gathered_for_tjp(project, project.id) is None
    line = _depends_line(project.to_tjp)
    assert line.index(f"Task_{second.id}") < line.index(f"Task_{first.id}")
    session.commit()
    session.expire_all()  # read back in the one stored order
    assert gathered_for_tjp(project, project.id) is not None
    line = _depends_line(project.to_tjp)
    assert line.index(f"Task_{first.id}") < line.index(f"Task_{second.id}")
    assert project.to_tjp == _objects_text(project)


def _depends_line(text: str) -> str:
    return next(line for line in text.split("\n") if "depends" in line)
