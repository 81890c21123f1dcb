"""Status roll-ups that stay right when several sessions change one family.

A task's status moves its parent's (a summary of the children) and its
dependents' (a function of their dependencies).  Each session works these
out in memory from rows it read earlier, so two sessions completing two
siblings at once would each see the other sibling unfinished and leave the
parent WIP and the common dependent WFD (write skew).

Therefore, at flush, the family of every task whose status changes - the
task, its ancestors, its dependents and their ancestors - is locked until
the transaction ends (PostgreSQL: ``FOR NO KEY UPDATE`` in id order, so two
flushes cannot deadlock on it; SQLite: the database write lock).  The
statuses this session did not change itself are then read again, and the
roll-ups are worked out once more from them.  A second session touching the
same family waits at its own flush for the first one's commit, and then
reads it.  Nobody has to retry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from stalker.db.session import take_sqlite_write_lock, transaction_notes
from stalker.models.status import Status
from stalker.models.task import Task

#: ``transaction_notes`` key: ids of the tasks this transaction has locked.
_LOCKED_KEY = "rollup_locked_task_ids"


def _saved(task: Any) -> bool:
    return task is not None and inspect(task).key is not None


def _status_changed(task: Task) -> bool:
    return inspect(task).attrs.status.history.has_changes()  # type: ignore[no-any-return]


def _changed_tasks(session: Session) -> list[Task]:
    """Saved tasks whose status changes, and new tasks under a saved parent."""
    changed = [
        obj for obj in session.dirty if isinstance(obj, Task) and _status_changed(obj)
    ]
    changed += [
        obj for obj in session.new if isinstance(obj, Task) and _saved(obj.parent)
    ]
    return changed


def _family(changed: list[Task]) -> tuple[dict[int, Task], list[Task]]:
    """The saved tasks to lock by id, and the dependents to work out again."""
    members: dict[int, Task] = {}
    dependents: dict[int, Task] = {}
    for task in changed:
        for member in [task, *task.parents]:
            if _saved(member):
                members[member.id] = member
        for dependent in task.dependent_of:
            if _saved(dependent):
                dependents[dependent.id] = dependent
                for member in [dependent, *dependent.parents]:
                    if _saved(member):
                        members[member.id] = member
    return members, [dependents[key] for key in sorted(dependents)]


def _lock(session: Session, task_ids: list[int]) -> None:
    """Hold these task rows (or the SQLite database) until the transaction ends."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)
        return
    tasks = Task.__table__
    connection.execute(
        select(tasks.c.id)
        .where(tasks.c.id.in_(task_ids))
        .order_by(tasks.c.id)
        .with_for_update(key_share=True)
    )


def _inputs(members: dict[int, Task], dependents: list[Task]) -> dict[int, Task]:
    """The saved tasks whose statuses the roll-ups of the family read."""
    inputs = dict(members)
    for member in members.values():
        for child in member.children:  # type: ignore[attr-defined]
            if _saved(child):
                inputs[child.id] = child
    for dependent in dependents:
        for dependency in dependent.depends_on:
            if _saved(dependency):
                inputs[dependency.id] = dependency
    return inputs


def _read_statuses_again(session: Session, tasks: dict[int, Task]) -> None:
    """Load the committed status of every task whose status we did not change."""
    unchanged = {key: task for key, task in tasks.items() if not _status_changed(task)}
    if not unchanged:
        return
    table = Task.__table__
    rows = session.connection().execute(
        select(table.c.id, table.c.status_id).where(table.c.id.in_(sorted(unchanged)))
    )
    for task_id, status_id in rows:
        task = unchanged[task_id]
        if task.status_id != status_id:
            set_committed_value(task, "status_id", status_id)
            set_committed_value(task, "status", session.get(Status, status_id))


@event.listens_for(Session, "before_flush")
def _work_out_rollups_under_lock(
    session: Session, flush_context: Any, instances: Any
) -> None:
    """Lock the families whose statuses change, re-read them, roll up again."""
    changed = _changed_tasks(session)
    if not changed:
        return
    with session.no_autoflush:
        members, dependents = _family(changed)
        locked = transaction_notes(session).setdefault(_LOCKED_KEY, set())
        new_ids = sorted(set(members) - locked)
        if not new_ids:
            return  # nobody else can have changed what we hold already
        _lock(session, new_ids)
        locked.update(new_ids)
        _read_statuses_again(session, _inputs(members, dependents))
        for dependent in dependents:
            if not _status_changed(dependent):
                dependent.update_status_with_dependent_statuses()
        parents = {id(task.parent): task.parent for task in changed if task.parent}
        for parent in parents.values():  # once each: a parent may gain many children
            parent.update_status_with_children_statuses()
