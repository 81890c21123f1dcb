"""Builders for the task-core tests (Task, TaskDependency, TimeLog, Review).

Everything here works with and without a database session: ``TaskWorld(None)``
builds status lists and a project in memory and passes ``status_list=``
explicitly; ``TaskWorld(session)`` relies on the lists created by ``db.init()``.
"""

from __future__ import annotations

import datetime
from typing import Any

import stalker
from stalker import Project, Status, StatusList, Task, User

from .factories import make_user

UTC = datetime.timezone.utc

# the task workflow's statuses, as init() creates them
TASK_STATUS_CODES = tuple(stalker.defaults.task_status_codes)
TASK_STATUS_NAMES = tuple(stalker.defaults.task_status_names)


def dt(*args: int) -> datetime.datetime:
    """An aware UTC datetime: ``dt(2014, 3, 3, 9)``."""
    return datetime.datetime(*args, tzinfo=UTC)


def hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)


def make_status_list(
    target: str = "Task",
    codes: tuple[str, ...] = TASK_STATUS_CODES,
    names: tuple[str, ...] = TASK_STATUS_NAMES,
) -> StatusList:
    """An in-memory StatusList targeting ``target`` with one Status per code."""
    statuses = [
        Status(name=name, code=code) for name, code in zip(names, codes, strict=True)
    ]
    return StatusList(
        name=f"{target} Statuses", target_entity_type=target, statuses=statuses
    )


def make_review_status_list() -> StatusList:
    return make_status_list(
        "Review", ("NEW", "RREV", "APP"), ("New", "Requested Revision", "Approved")
    )


def make_project(
    name: str = "Test Project", code: str = "TP", in_memory: bool = True, **kwargs: Any
) -> Project:
    """A project; ``in_memory`` ones get their own status list (no DB lookup)."""
    if in_memory and "status_list" not in kwargs:
        kwargs["status_list"] = make_status_list(
            "Project",
            ("RTS", "WIP", "CMPL"),
            ("Ready To Start", "Work In Progress", "Completed"),
        )
    return Project(name=name, code=code, **kwargs)


class TaskWorld:
    """A project, a task status list and helpers to build tasks quickly."""

    def __init__(self, session: Any = None) -> None:
        self.session = session
        if session is None:
            self.status_list = make_status_list()
        else:
            self.status_list = (
                StatusList.query.filter_by(target_entity_type="Task")
                .order_by(StatusList.id)
                .first()
            )
        self.project = make_project(in_memory=session is None)
        self._users: dict[str, User] = {}

    def status(self, code: str) -> Status:
        return self.status_list[code]

    def user(self, login: str = "user1") -> User:
        if login not in self._users:
            self._users[login] = make_user(login)
        return self._users[login]

    def task(self, name: str = "Task", **kwargs: Any) -> Task:
        kwargs.setdefault("status_list", self.status_list)
        if "parent" not in kwargs or kwargs["parent"] is None:
            kwargs.setdefault("project", self.project)
        return Task(name=name, **kwargs)

    def set_status(self, task: Task, code: str) -> Task:
        task.status = self.status_list[code]
        return task

    def flush(self) -> None:
        if self.session is not None:
            self.session.add(self.project)
            self.session.flush()


def codes(*tasks: Task) -> list[str]:
    """The status codes of ``tasks`` in order."""
    return [task.status.code for task in tasks]
