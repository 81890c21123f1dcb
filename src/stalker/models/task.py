"""Task, TaskDependency and TimeLog: the units of work and the time spent on them.

A Task is a leaf carrying effort, resources and time logs, or a container
whose dates, seconds and status follow its children.  Its status moves
through the workflow WFD, RTS, WIP, PREV, HREV, DREV, OH, STOP, CMPL; every
user action and every automatic transition lives in this module (the review
half is in :mod:`stalker.models.review`).
"""

from __future__ import annotations

import datetime
import os
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Integer,
    inspect,
    select,
)
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import (
    Mapped,
    backref,
    mapped_column,
    object_session,
    relationship,
    selectinload,
    synonym,
    validates,
)

import stalker
from stalker.db.declarative import Base, link_table
from stalker.db.session import add_to_session_of, no_autoflush
from stalker.exceptions import (
    CircularDependencyError,
    DependencyViolationError,
    OverBookedError,
    StatusError,
)
from stalker.models.auth import User
from stalker.models.collections import UniqueList, init_collection
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.dag import DAGMixin, never_stored_without
from stalker.models.mixins.date_range import DateRangeMixin, round_time
from stalker.models.mixins.reference import ReferenceMixin
from stalker.models.mixins.schedule import ScheduleMixin
from stalker.models.mixins.status import StatusMixin
from stalker.models.project import Project
from stalker.models.repository import repository_roots
from stalker.models.validation import (
    LONGEST_TIMEDELTA,
    check_choice,
    check_collection,
    check_instance,
    check_items,
    check_number,
    read_only,
    type_error,
    value_error,
)
from stalker.templates import check_rendered_path, render_template, template_context
from stalker.utils import check_circular_dependency, walk_hierarchy

if TYPE_CHECKING:
    from stalker.models.budget import Good
    from stalker.models.review import Review
    from stalker.models.status import Status
    from stalker.models.version import Version

CONSTRAIN_NONE = 0
CONSTRAIN_START = 1
CONSTRAIN_END = 2
CONSTRAIN_BOTH = 3

#: Statuses in which a task may not gain dependencies.
_LOCKED_FOR_DEPENDENCIES = frozenset(
    {"WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"}
)
#: Statuses of a dependency that still holds its dependents back.
_ACTIVE_CODES = frozenset({"WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH"})
_DONE_CODES = frozenset({"STOP", "CMPL"})
#: Statuses in which no time may be logged.
_NO_TIME_LOG_CODES = frozenset({"WFD", "OH", "STOP", "CMPL"})

#: §9.3: status changes when every dependency is done, or when one is active.
_WHEN_DEPENDENCIES_DONE = {"WFD": "RTS", "DREV": "HREV"}
_WHEN_DEPENDENCIES_ACTIVE = {
    "RTS": "WFD",
    "WIP": "DREV",
    "HREV": "DREV",
    "CMPL": "DREV",
}

_TJP_DATE = "%Y-%m-%d-%H:%M"
_DATE_ATTRIBUTES = ("_start", "_end", "_duration")
_TJP_BOOKING_DATE = "%Y-%m-%d-%H:%M:%S"


def _users(table_name: str, user_column: str, user_side: str) -> Any:
    """A set-like Task -> User list through its own link table.

    ``user_side`` names the list the relation adds to User (e.g. ``tasks``).
    """
    return relationship(
        secondary=link_table(
            table_name, ("task_id", "Tasks.id"), (user_column, "Users.id")
        ),
        collection_class=UniqueList,
        backref=backref(user_side, collection_class=UniqueList),
    )


def _utc_text(moment: datetime.datetime, fmt: str) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime(fmt)


def _by_id(users: list[User]) -> list[User]:
    return sorted(users, key=lambda user: (user.id is None, user.id or 0))


def _span_seconds(span: datetime.timedelta, day_seconds: int) -> int:
    """Whole seconds of ``span`` counting each whole day as ``day_seconds``."""
    return span.days * day_seconds + span.seconds


_LINKED_LATER: Any = object()  # TaskDependency's task, when a Task list adds it


class TaskDependency(Base, ScheduleMixin):
    """The association object of ``Task.depends_on``: target and gap options."""

    __tablename__ = "Task_Dependencies"
    __mapper_args__ = {"legacy_is_orphan": True}
    __default_schedule_attr_name__ = "gap"
    __default_schedule_timing__ = 0
    __default_schedule_unit__ = "h"
    __default_schedule_models__ = list(stalker.defaults.task_dependency_gap_models)

    task_id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("Tasks.id"), primary_key=True, index=True
    )
    task: Mapped[Task | None] = relationship(
        back_populates="task_depends_on",
        primaryjoin="TaskDependency.task_id == Task.task_id",
    )
    depends_on: Mapped[Task | None] = relationship(
        back_populates="task_dependent_of",
        primaryjoin="TaskDependency.depends_on_id == Task.task_id",
    )
    dependency_target: Mapped[str] = mapped_column(
        Enum(*stalker.defaults.task_dependency_targets, name="TaskDependencyTarget"),
        nullable=False,
        default="onend",
    )

    depends_to = synonym("depends_on")
    gap_timing = synonym("schedule_timing")
    gap_unit = synonym("schedule_unit")
    gap_model = synonym("schedule_model")
    gap_constraint = synonym("schedule_constraint")

    def __init__(
        self,
        task: Any = _LINKED_LATER,
        depends_on: Task | None = None,
        dependency_target: str | None = None,
        gap_timing: float | None = 0,
        gap_unit: str | None = "h",
        gap_model: str | None = "length",
        depends_to: Task | None = None,
        **kwargs: Any,
    ) -> None:
        if depends_on is None:
            depends_on = depends_to
        # validate everything before linking: linking ``task`` changes its status
        if task is not _LINKED_LATER:  # a link with its task needs both ends
            check_instance(self, "task", task, "Task")
        allow_none = task is _LINKED_LATER
        check_instance(self, "depends_on", depends_on, "Task", allow_none=allow_none)
        ScheduleMixin.__init__(
            self,
            schedule_timing=gap_timing,
            schedule_unit=gap_unit,
            schedule_model=gap_model,
        )
        self.dependency_target = dependency_target  # type: ignore[assignment]
        # None is what a new link holds anyway: no attribute event for it
        # (Task.depends_on creates every link without its task).
        if depends_on is not None:
            self.depends_on = depends_on
        if task is not _LINKED_LATER:
            self.task = task
        add_to_session_of(self, None if task is _LINKED_LATER else task, depends_on)

    def __setattr__(self, name: str, value: Any) -> None:
        # unsetting a side would leave a link to nothing (and SQLAlchemy fails
        # deep inside); the link is removed from the task's list instead
        sides = ("task", "depends_on", "depends_to")
        if name in sides and value is None and getattr(self, name) is not None:
            raise type_error(
                self,
                name,
                "a Task instance (remove the dependency from "
                "Task.depends_on to unlink it)",
                value,
            )
        super().__setattr__(name, value)

    def _unlink_depends_on(self) -> None:
        """The task's list dropped this link: it leaves the other task too."""
        Base.__setattr__(self, "depends_on", None)

    @validates("task", "depends_on")
    def _validate_task(self, key: str, task: Any) -> Task | None:
        return check_instance(self, key, task, "Task", allow_none=True)

    @validates("dependency_target")
    def _validate_dependency_target(self, key: str, target: Any) -> str:
        targets = stalker.defaults.task_dependency_targets
        if target is None:
            return targets[0]  # type: ignore[no-any-return]
        return check_choice(self, key, target, targets)

    @property
    def to_tjp(self) -> str:
        """``<depends_on abs id> {<target>[ gap<model> <timing><unit>]}``."""
        gap = ""
        if self.schedule_timing:
            gap = (
                f" gap{self.schedule_model} {self.schedule_timing}{self.schedule_unit}"
            )
        return f"{self.depends_on.tjp_abs_id} {{{self.dependency_target}{gap}}}"  # type: ignore[union-attr]

    def __repr__(self) -> str:
        task = self.task.name if self.task is not None else None
        depends_on = self.depends_on.name if self.depends_on is not None else None
        return f"<TaskDependency {task!r} -> {depends_on!r} ({self.dependency_target})>"


class Task(
    Entity, StatusMixin, DateRangeMixin, ReferenceMixin, ScheduleMixin, DAGMixin
):
    """A unit of work in a project; containers derive everything from children."""

    __tablename__ = "Tasks"
    __auto_name__ = False
    __id_column__ = "task_id"
    __mapper_args__ = {"polymorphic_identity": "Task"}

    task_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("Projects.id"), nullable=False, index=True
    )
    _project: Mapped[Project] = relationship(
        primaryjoin="Task.project_id == Project.project_id",
        backref=backref("tasks", cascade="all, delete-orphan", order_by="Task.task_id"),
    )
    task_depends_on: Mapped[list[TaskDependency]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        primaryjoin="Task.task_id == TaskDependency.task_id",
        # read back in one order on every database (the list keeps its own)
        order_by="TaskDependency.depends_on_id",
    )
    task_dependent_of: Mapped[list[TaskDependency]] = relationship(
        back_populates="depends_on",
        cascade="all, delete-orphan",
        primaryjoin="Task.task_id == TaskDependency.depends_on_id",
    )
    depends_on = association_proxy(
        "task_depends_on",
        "depends_on",
        creator=lambda task: TaskDependency(depends_on=task),
    )
    dependent_of = association_proxy("task_dependent_of", "task")

    resources: Mapped[list[User]] = _users("Task_Resources", "resource_id", "tasks")
    alternative_resources: Mapped[list[User]] = _users(
        "Task_Alternative_Resources", "resource_id", "alternative_resource_in_tasks"
    )
    _computed_resources: Mapped[list[User]] = _users(
        "Task_Computed_Resources", "resource_id", "computed_resource_in_tasks"
    )
    watchers: Mapped[list[User]] = _users("Task_Watchers", "watcher_id", "watching")
    _responsible: Mapped[list[User]] = _users(
        "Task_Responsible", "responsible_id", "responsible_of"
    )
    time_logs: Mapped[list[TimeLog]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        primaryjoin="Task.task_id == TimeLog.task_id",
        order_by="TimeLog.time_log_id",
    )
    versions: Mapped[list[Version]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        primaryjoin="Task.task_id == Version.task_id",
        order_by="Version.version_id",
    )

    priority: Mapped[int] = mapped_column(Integer, default=500)
    allocation_strategy: Mapped[str] = mapped_column(
        Enum(*stalker.defaults.allocation_strategy, name="ResourceAllocationStrategy"),
        nullable=False,
        default=stalker.defaults.allocation_strategy[0],
    )
    persistent_allocation: Mapped[bool] = mapped_column(Boolean, default=True)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    _review_number: Mapped[int] = mapped_column("review_number", Integer, default=0)
    bid_timing: Mapped[float | None] = mapped_column(Float)
    bid_unit: Mapped[str | None] = mapped_column(
        Enum(*stalker.defaults.datetime_units, name="TimeUnit")
    )
    _schedule_seconds: Mapped[int | None] = mapped_column("schedule_seconds", Integer)
    _total_logged_seconds: Mapped[int | None] = mapped_column(
        "total_logged_seconds", Integer
    )
    # The good the task's work is sold as; deleting the good unsets it.
    good_id: Mapped[int | None] = mapped_column(
        ForeignKey("Goods.id", ondelete="SET NULL"), index=True
    )
    good: Mapped[Good | None] = relationship(primaryjoin="Task.good_id == Good.good_id")

    def __init__(
        self,
        project: Project | None = None,
        parent: Task | None = None,
        depends_on: list[Task] | None = None,
        resources: list[User] | None = None,
        alternative_resources: list[User] | None = None,
        responsible: list[User] | None = None,
        watchers: list[User] | None = None,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        schedule_timing: float | None = 1.0,
        schedule_unit: str | None = "h",
        schedule_model: str | None = None,
        schedule_constraint: int = 0,
        bid_timing: float | None = None,
        bid_unit: str | None = None,
        is_milestone: bool = False,
        priority: int | float | None = 500,
        allocation_strategy: str | None = "minallocated",
        persistent_allocation: bool | None = True,
        depends: list[Task] | None = None,
        good: Good | None = None,
        **kwargs: Any,
    ) -> None:
        if depends is not None:
            if depends_on is not None:
                raise TypeError("Task() got both 'depends_on' and its alias 'depends'")
            depends_on = depends
        kwargs.pop("status", None)  # the workflow decides the status
        with no_autoflush(parent, project):
            super().__init__(**kwargs)
            ReferenceMixin.__init__(self, **kwargs)
            self.status_list = kwargs.get("status_list")
            first_status_final = self._set_first_status(bool(depends_on))
            DateRangeMixin.__init__(
                self, start=start, end=end, duration=kwargs.get("duration")
            )
            ScheduleMixin.__init__(
                self,
                schedule_timing=schedule_timing,
                schedule_unit=schedule_unit,
                schedule_model=schedule_model,
                schedule_constraint=schedule_constraint,
            )
            # validate first, link last: a refused argument must not leave the
            # task in its parent's children (issue 16)
            self._review_number = 0
            self.is_milestone = is_milestone
            self.bid_timing = self.schedule_timing if bid_timing is None else bid_timing
            self.bid_unit = self.schedule_unit if bid_unit is None else bid_unit
            self.priority = priority  # type: ignore[assignment]
            self.allocation_strategy = allocation_strategy  # type: ignore[assignment]
            self.persistent_allocation = persistent_allocation  # type: ignore[assignment]
            self._check_lists(
                depends_on=(depends_on, Task),
                resources=(resources, User),
                alternative_resources=(alternative_resources, User),
                watchers=(watchers, User),
                responsible=(responsible, User),
            )
            if parent is not None:
                check_instance(self, "parent", parent, Task)
            if project is not None:
                check_instance(self, "project", project, Project)
            if good is not None:  # before the task joins its parent or project
                self.good = good
            if parent is not None:
                self.parent = parent
            self._project = self._resolve_project(project, parent)
            init_collection(self, "depends_on", depends_on)
            if not self.is_milestone:
                self._init_resources(resources)
            init_collection(self, "alternative_resources", alternative_resources)
            init_collection(self, "watchers", watchers)
            init_collection(self, "responsible", responsible)
            if depends_on or not first_status_final:
                self.update_status_with_dependent_statuses()
        add_to_session_of(self, parent, project)

    def _check_lists(self, **lists: tuple[Any, type]) -> None:
        """Type-check the constructor's lists before anything is linked."""
        for attr, (value, item_class) in lists.items():
            if isinstance(value, (list, tuple)):  # other iterables: when assigned
                check_items(self, attr, value, item_class)

    def _init_resources(self, users: Any) -> None:
        """Fill the new task's (empty) resources and computed resources.

        Appending fires the same per-user validation as assigning a list,
        without building a replacement collection (~10 us per list).  Every
        user is checked before the first append, so a refused list attaches
        nobody, as a refused assignment does.
        """
        if users is None or (isinstance(users, list) and not users):
            return
        users = check_items(
            self, "resources", check_collection(self, "resources", users), User
        )
        self.resources.extend(users)
        self._computed_resources.extend(self.resources)

    def _set_first_status(self, has_dependencies: bool) -> bool:
        """WFD, or RTS at once for a task without dependencies (§9.3).

        Returns False when the list has no WFD: its first status stands in
        and the workflow re-evaluates it once the task is built.  The list's
        statuses may be loaded here, never with an autoflush of the
        half-built task's neighbours.
        """
        with no_autoflush(self.status_list):
            waiting = self._status("WFD")
            if waiting is not None and not has_dependencies:
                self.status = self._status("RTS")
            else:
                self.status = waiting
        return waiting is not None

    # -- project -------------------------------------------------------------

    def _resolve_project(self, project: Any, parent: Task | None) -> Project:
        if project is not None:
            check_instance(self, "project", project, Project)
        if parent is None:
            if project is None:
                raise type_error(
                    self,
                    "project",
                    "a Project instance (or give a parent Task to take it from)",
                    project,
                )
            return project
        parent_project = parent.project
        if project is not None and project is not parent_project:
            warnings.warn(
                f"{self.name!r} (Task) was given the project {project.name!r} "
                f"but its parent's project is {parent_project.name!r}; the "
                "parent's project is used",
                RuntimeWarning,
                stacklevel=3,
            )
        return parent_project

    project = read_only("_project", "project", "it is set when the task is created")

    # -- aliases (D5) --------------------------------------------------------

    @property
    def depends(self) -> Any:
        """Alias of ``depends_on``."""
        return self.depends_on

    @depends.setter
    def depends(self, tasks: Any) -> None:
        self.depends_on = tasks

    @property
    def task_depends_to(self) -> list[TaskDependency]:
        """Alias of ``task_depends_on``."""
        return self.task_depends_on

    @task_depends_to.setter
    def task_depends_to(self, dependencies: Any) -> None:
        self.task_depends_on = dependencies

    @property
    def tasks(self) -> list[Task]:
        """Alias of ``children`` (the word Asset, Shot and Sequence users read)."""
        return self.children  # type: ignore[attr-defined, no-any-return]

    @tasks.setter
    def tasks(self, children: Any) -> None:
        self.children = check_collection(self, "tasks", children)

    # -- parent and children ----------------------------------------------------

    def _check_parent(self, parent: Any) -> None:
        super()._check_parent(parent)
        # A never-stored task with no dependency reaches only itself.
        if parent is self or not never_stored_without(self, "task_depends_on"):
            check_circular_dependency(self, parent, "depends")

    @validates("children", include_removes=True)
    def _validate_child(self, key: str, child: Any, is_remove: bool = False) -> Any:
        if is_remove:
            self._child_removed(child)
            return child
        if not isinstance(child, Task):
            raise type_error(self, key, "a list of Task instances", child)
        child._check_parent(self)
        self._child_added(child)
        return child

    def _child_added(self, child: Task) -> None:
        """A container allocates nobody and spans its children."""
        with no_autoflush(self, child):
            if self.resources:
                self.resources = []
            if self.children:  # type: ignore[attr-defined]
                self._expand_dates(child.start, child.end)
            else:
                self._set_dates(child.start, child.end, None)

    def _child_removed(self, child: Task) -> None:
        with no_autoflush(self):
            remaining = [c for c in self.children if c is not child]  # type: ignore[attr-defined]
        if remaining:
            start = min(c.start for c in remaining)
            end = max(c.end for c in remaining)
            self._set_dates(start, end, None)
        else:
            now = datetime.datetime.now(datetime.timezone.utc)
            self._set_dates(now, None, self._duration)

    # -- dates -------------------------------------------------------------

    def _set_dates(self, start: Any, end: Any, duration: Any) -> None:
        """Normalise and store the three dates, then widen the ancestors.

        Only the dates that change are written: a reschedule keeps the start
        and a container growing at one end keeps the other, and every write
        is an attribute event.
        """
        dates = self._validate_dates(start, end, duration)
        current = self.__dict__
        for name, value in zip(_DATE_ATTRIBUTES, dates, strict=True):
            old = current.get(name)
            if old != value or getattr(old, "tzinfo", None) is not getattr(
                value, "tzinfo", None
            ):
                setattr(self, name, value)
        if self.parent is not None:
            self.parent._expand_dates(self._start, self._end)

    def _expand_dates(self, start: datetime.datetime, end: datetime.datetime) -> None:
        """Grow (never shrink) this container's range to cover a child's."""
        new_start = min(self.start, start)
        new_end = max(self.end, end)
        if new_start != self._start or new_end != self._end:
            self._set_dates(new_start, new_end, None)

    def _set_start(self, start: Any) -> None:
        self._set_dates(start, self._end, self._duration)

    def _set_end(self, end: Any) -> None:
        self._set_dates(self._start, end, self._duration)

    def _set_duration(self, duration: Any) -> None:
        if isinstance(duration, datetime.timedelta):
            self._set_dates(self._start, None, duration)
        else:
            self._set_dates(self._start, self._end, duration)

    @validates("computed_start")
    def _validate_computed_start(self, key: str, value: Any) -> Any:
        if value is not None:
            self.start = value
        return value

    @validates("computed_end")
    def _validate_computed_end(self, key: str, value: Any) -> Any:
        if value is not None:
            self.end = value
        return value

    # -- schedule ------------------------------------------------------------

    def _schedule_timing_changed(self, timing: float) -> None:
        self._reschedule(timing, self.schedule_unit)

    def _schedule_unit_changed(self, unit: str) -> None:
        if self.schedule_timing:
            self._reschedule(self.schedule_timing, unit)

    def _reschedule(self, timing: float | None, unit: str | None) -> None:
        """Move ``end`` (or ``start``) of a leaf to fit the timing, in calendar time."""
        kwargs = stalker.defaults.datetime_units_to_timedelta_kwargs.get(unit)
        if kwargs is None or timing is None or self._start is None:
            return
        if not self.is_leaf:
            return
        try:
            span = datetime.timedelta(**{kwargs["name"]: timing * kwargs["multiplier"]})
        except OverflowError:
            span = None
        if span is None or span > LONGEST_TIMEDELTA:
            raise value_error(
                self, "schedule_timing", "a timing the calendar can hold", timing
            )
        constraint = self.schedule_constraint
        if constraint == CONSTRAIN_END:
            self._set_dates(self.end - span, self.end, None)
        elif constraint == CONSTRAIN_BOTH:
            self._set_dates(self._start, self._end, self._duration)
        else:
            self._set_dates(self._start, self._start + span, None)

    @property
    def schedule_seconds(self) -> float:  # type: ignore[override]
        """Leaf: the timing in seconds; container: the sum over its children."""
        if self.is_container:
            return sum(child.schedule_seconds for child in self.children)  # type: ignore[attr-defined]
        return (
            self.to_seconds(
                self.schedule_timing, self.schedule_unit, self.schedule_model
            )
            or 0
        )

    @schedule_seconds.setter
    def schedule_seconds(self, seconds: int | None) -> None:
        self._schedule_seconds = seconds

    @property
    def total_logged_seconds(self) -> int:
        """Seconds of work done: logs (effort) or elapsed time (length, duration)."""
        if self.is_container:
            return sum(child.total_logged_seconds for child in self.children)  # type: ignore[attr-defined]
        if self.schedule_model == "effort":
            return sum(log.total_seconds for log in self.time_logs)
        day_seconds = 86400
        if self.schedule_model == "length":
            day_seconds = int(stalker.defaults.daily_working_hours * 3600)
        now = datetime.datetime.now(datetime.timezone.utc)
        if self.end <= now:
            return _span_seconds(self.duration, day_seconds)
        if self.start >= now:
            return 0
        return _span_seconds(now - self.start, day_seconds)

    @total_logged_seconds.setter
    def total_logged_seconds(self, seconds: int | None) -> None:
        self._total_logged_seconds = seconds

    @property
    def remaining_seconds(self) -> float:
        """``schedule_seconds - total_logged_seconds``."""
        return self.schedule_seconds - self.total_logged_seconds

    @property
    def percent_complete(self) -> float:
        """Logged over scheduled seconds, in percent (may exceed 100).

        A task scheduled for zero seconds has no meaningful percentage:
        ZeroDivisionError, as the spec (07 §6.6) keeps it.
        """
        return self.total_logged_seconds / float(self.schedule_seconds) * 100.0

    def update_schedule_info(self) -> None:
        """Store the container caches (seconds columns) of this subtree."""
        for task in self.walk_hierarchy():
            if task.is_container:
                task._schedule_seconds = int(task.schedule_seconds)
                task._total_logged_seconds = int(task.total_logged_seconds)

    @property
    def is_scheduled(self) -> bool:
        """True once the scheduler has written computed dates."""
        return self.computed_start is not None and self.computed_end is not None

    @property
    def level(self) -> int:
        """1 for a root task, 2 for its children, and so on."""
        return len(self.parents) + 1

    # -- validators ---------------------------------------------------------

    @validates("resources", "alternative_resources", "_computed_resources", "watchers")
    def _validate_user(self, key: str, user: Any) -> User:
        if not isinstance(user, User):
            raise type_error(self, key.lstrip("_"), "a list of User instances", user)
        return user

    @validates("_responsible")
    def _validate_responsible_user(self, key: str, user: Any) -> User:
        if not isinstance(user, User):
            raise type_error(self, "responsible", "a list of User instances", user)
        return user

    @validates("time_logs")
    def _validate_time_log(self, key: str, time_log: Any) -> TimeLog:
        return check_instance(self, key, time_log, TimeLog)

    @validates("versions")
    def _validate_version(self, key: str, version: Any) -> Version:
        return check_instance(self, key, version, "Version")  # type: ignore[no-any-return]

    @validates("reviews")
    def _validate_review(self, key: str, review: Any) -> Review:
        review = check_instance(self, key, review, "Review")
        with no_autoflush(self):
            if self.is_container:
                raise value_error(
                    self,
                    key,
                    "reviews of a leaf task only; this task has children",
                    review,
                )
        return review  # type: ignore[no-any-return]

    @validates("is_milestone")
    def _validate_is_milestone(self, key: str, value: Any) -> bool:
        if value is None:
            value = False
        if not isinstance(value, bool):
            raise type_error(self, key, "a bool", value)
        if value and self.resources:
            self.resources = []
        return value

    @validates("priority")
    def _validate_priority(self, key: str, priority: Any) -> int:
        if priority is None:
            priority = stalker.defaults.task_priority
        priority = check_number(self, key, priority)
        return int(max(0, min(1000, priority)))

    @validates("allocation_strategy")
    def _validate_allocation_strategy(self, key: str, strategy: Any) -> str:
        strategies = stalker.defaults.allocation_strategy
        if strategy is None:
            return strategies[0]  # type: ignore[no-any-return]
        return check_choice(self, key, strategy, strategies)

    @validates("persistent_allocation")
    def _validate_persistent_allocation(self, key: str, value: Any) -> bool:
        if value is None:
            return bool(stalker.defaults.persistent_allocation)
        return bool(value)

    @validates("bid_timing")
    def _validate_bid_timing(self, key: str, timing: Any) -> float | None:
        if timing is None:
            return None
        return check_number(self, key, timing, at_least=0)

    @validates("good")
    def _validate_good(self, key: str, good: Any) -> Good | None:
        return check_instance(self, key, good, "Good", allow_none=True)  # type: ignore[no-any-return]

    @validates("bid_unit")
    def _validate_bid_unit(self, key: str, unit: Any) -> str:
        if unit is None:
            return "h"
        return check_choice(self, key, unit, stalker.defaults.datetime_units)

    # -- resources and responsible ---------------------------------------------

    def _get_computed_resources(self) -> list[User]:
        if not self.is_scheduled:
            resources = list(self.resources)
            if list(self._computed_resources) != resources:
                self._computed_resources = resources
        return self._computed_resources

    def _set_computed_resources(self, users: Any) -> None:
        users = check_collection(self, "computed_resources", users)
        self._computed_resources = check_items(self, "computed_resources", users, User)

    computed_resources = synonym(
        "_computed_resources",
        descriptor=property(_get_computed_resources, _set_computed_resources),
    )

    def _get_responsible(self) -> list[User]:
        if not self._responsible:
            for ancestor in reversed(self.parents):
                if ancestor._responsible:
                    self._responsible = list(ancestor._responsible)
                    break
        return self._responsible

    def _set_responsible(self, users: Any) -> None:
        self._responsible = check_collection(self, "responsible", users)

    responsible = synonym(
        "_responsible", descriptor=property(_get_responsible, _set_responsible)
    )

    # -- dependencies ----------------------------------------------------------

    @validates("task_depends_on", include_removes=True)
    def _validate_task_depends_on(
        self, key: str, dependency: Any, is_remove: bool = False
    ) -> TaskDependency:
        if is_remove:
            self.update_status_with_dependent_statuses(removing=dependency.depends_on)
            dependency._unlink_depends_on()  # the link leaves both tasks
            return dependency  # type: ignore[no-any-return]
        check_instance(self, key, dependency, TaskDependency)
        target = dependency.depends_on
        if target is None:
            return dependency  # type: ignore[no-any-return]
        # The new link is already in the session without its task: no
        # autoflush until it is attached (loading the status list would).
        with no_autoflush(self, target):
            try:
                self._check_new_dependency(target)
            except Exception:
                dependency._unlink_depends_on()  # unlink it from the other task again
                raise
            self._removing_dependencies.discard(id(target))
            if self.status.code == "RTS" and target.status.code in _ACTIVE_CODES:
                self.status = self.status_list["WFD"]
        return dependency  # type: ignore[no-any-return]

    def _check_new_dependency(self, target: Task) -> None:
        code = self.status.code if self.status is not None else None
        if code in _LOCKED_FOR_DEPENDENCIES:
            raise StatusError(
                f"{self.name!r} (Task, id {self.id}) is {code}: only tasks waiting "
                "for dependencies (WFD) or ready to start (RTS) may change their "
                "dependencies"
            )
        # The walks reach self only from a target that is self, or when self
        # has dependents (resp. the target has children); never-stored tasks
        # without them skip the walk.
        if target is self or not never_stored_without(self, "task_dependent_of"):
            check_circular_dependency(target, self, "depends")
        if target is self or not never_stored_without(target, "children"):
            check_circular_dependency(target, self, "children")
        ancestors = self.parents
        if ancestors:
            depended = {id(task) for task in target.depends_on}
            for ancestor in ancestors:
                if id(ancestor) in depended:
                    raise CircularDependencyError(
                        f"{self.name!r} may not depend on {target.name!r}: "
                        f"{target.name!r} already depends on {ancestor.name!r}, "
                        f"an ancestor of {self.name!r}"
                    )
        if self.is_container and any(task is target for task in self.walk_hierarchy()):
            raise CircularDependencyError(
                f"{self.name!r} may not depend on its own descendant {target.name!r}"
            )

    @property
    def _removing_dependencies(self) -> set[int]:
        """Ids of the tasks whose dependency is being removed (see §9.3)."""
        return self.__dict__.setdefault("_removing_ids", set())

    def walk_dependencies(self, method: int = 1) -> Iterator[Task]:
        """Self, then every dependency, breadth-first by default."""
        return walk_hierarchy(self, "depends_on", method)

    # -- status workflow -------------------------------------------------------

    def _status(self, code: str) -> Status:
        return self.status_list[code]  # type: ignore[no-any-return]

    def _set_status_code(self, code: str) -> None:
        if self.status is None or self.status.code != code:
            self.status = self._status(code)

    def _status_error(self, action: str, allowed: str) -> StatusError:
        return StatusError(
            f"{self.name!r} (Task, id {self.id}) is {self.status.code}; "
            f"{action} needs it to be {allowed}"
        )

    def update_status_with_dependent_statuses(
        self, removing: Task | None = None
    ) -> None:
        """Re-evaluate a leaf's status from its dependencies' statuses (§9.3)."""
        if self.is_container:
            return
        removing_ids = self._removing_dependencies
        if removing is None:
            removing_ids.clear()
        else:
            removing_ids.add(id(removing))
        # a link removed earlier in the same list change is still listed,
        # already unlinked (its depends_on is None)
        dependencies = [
            task
            for task in self.depends_on
            if task is not None and id(task) not in removing_ids
        ]
        code = self.status.code
        if not dependencies:
            if code == "WFD":
                self._set_status_code("RTS")
            elif code in ("WIP", "DREV"):
                self._set_status_code("WIP" if self.time_logs else "RTS")
            return
        dependency_codes = {task.status.code for task in dependencies}
        if dependency_codes <= _DONE_CODES:
            new_code = _WHEN_DEPENDENCIES_DONE.get(code, code)
            if code == "DREV":
                self._extend_when_no_time_left()
        else:
            new_code = _WHEN_DEPENDENCIES_ACTIVE.get(code, code)
        self._set_status_code(new_code)
        self.update_parent_statuses()

    def _extend_when_no_time_left(self) -> None:
        """Give a reopened task one more resolution step if its time is used up."""
        schedule_seconds = self.schedule_seconds
        if self.total_logged_seconds == schedule_seconds:
            step = stalker.defaults.timing_resolution.seconds
            timing, unit = self.least_meaningful_time_unit(schedule_seconds + step)
            self.schedule_timing = timing
            self.schedule_unit = unit

    def update_status_with_children_statuses(self) -> None:
        """A container's status summarises its children's (§9.4)."""
        if self.is_leaf:
            return
        codes = {child.status.code for child in self.children}  # type: ignore[attr-defined]
        working = codes - {"STOP"}
        if not codes:
            new_code = "WFD"
        elif working <= {"CMPL"}:
            new_code = "CMPL"
        elif working == {"WFD"}:
            new_code = "WFD"
        elif working in ({"RTS"}, {"WFD", "RTS"}):
            new_code = "RTS"
        else:
            new_code = "WIP"
        self._set_status_code(new_code)
        self.update_parent_statuses()

    def update_parent_statuses(self) -> None:
        """Let the parent (and so every ancestor) re-summarise its children."""
        if self.parent is not None:
            self.parent.update_status_with_children_statuses()

    def create_time_log(
        self,
        resource: User,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> TimeLog:
        """Book ``resource`` on this task from ``start`` to ``end``."""
        return TimeLog(task=self, resource=resource, start=start, end=end)

    def request_review(self) -> list[Review]:
        """Ask every responsible user for a review; the task becomes PREV."""
        from stalker.models.review import Review

        if self.status.code != "WIP":
            raise self._status_error("request_review()", "WIP")
        reviews = [Review(task=self, reviewer=user) for user in self.responsible]
        self._set_status_code("PREV")
        return reviews

    def request_revision(
        self,
        reviewer: User | None = None,
        description: str = "",
        schedule_timing: float = 1,
        schedule_unit: str = "h",
    ) -> Review:
        """Reopen a PREV or CMPL task with a revision request by ``reviewer``."""
        from stalker.models.review import Review

        if self.status.code not in ("PREV", "CMPL"):
            raise self._status_error("request_revision()", "PREV or CMPL")
        self._drop_new_reviews()
        review = Review(task=self, reviewer=reviewer, description=description)
        review.request_revision(
            schedule_timing=schedule_timing,
            schedule_unit=schedule_unit,
            description=description,
        )
        return review

    def _drop_new_reviews(self) -> None:
        session = object_session(self)
        for review in list(self.reviews):  # type: ignore[attr-defined]
            if review.status.code == "NEW":
                self.reviews.remove(review)  # type: ignore[attr-defined]
                if session is not None and review in session:
                    session.delete(review)

    def hold(self) -> None:
        """Put the task on hold (OH) with the lowest priority."""
        if self.status.code not in ("WIP", "DREV", "OH"):
            raise self._status_error("hold()", "WIP, DREV or OH")
        self._set_status_code("OH")
        self.priority = 0

    def stop(self) -> None:
        """Stop the task: its timing shrinks to the time logged so far."""
        if self.status.code not in ("WIP", "DREV", "STOP"):
            raise self._status_error("stop()", "WIP, DREV or STOP")
        self._set_status_code("STOP")
        timing, unit = self.least_meaningful_time_unit(self.total_logged_seconds)
        self.schedule_timing = timing
        self.schedule_unit = unit
        self.update_parent_statuses()
        for dependent in list(self.dependent_of):
            dependent.update_status_with_dependent_statuses()

    def resume(self) -> None:
        """Resume a held or stopped task, then re-check its dependencies."""
        if self.status.code not in ("OH", "STOP"):
            raise self._status_error("resume()", "OH or STOP")
        self._set_status_code("WIP")
        self.update_status_with_dependent_statuses()
        self.update_parent_statuses()

    @property
    def review_number(self) -> int:
        """How many review rounds were finalised (changed only by reviews)."""
        return self._review_number

    def review_set(self, review_number: int | None = None) -> list[Review]:
        """The reviews of one round (the current round by default)."""
        if review_number is None:
            review_number = self.review_number
            if self.status.code == "PREV":
                review_number += 1
        if isinstance(review_number, bool) or not isinstance(review_number, int):
            raise type_error(self, "review_number", "an int", review_number)
        if review_number < 1:
            raise value_error(self, "review_number", "an int >= 1", review_number)
        return [
            review
            for review in self.reviews  # type: ignore[attr-defined]
            if review.review_number == review_number
        ]

    # -- paths and TaskJuggler --------------------------------------------------

    def _template_variables(self) -> dict[str, Any]:
        return template_context(self)  # plain snapshots (issue 18)

    @property
    def path(self) -> str:
        """The folder of this task, rendered from the project's FilenameTemplate."""
        structure = self.project.structure
        entity_type = type(self).__name__
        template = None
        if structure is not None:
            template = next(
                (t for t in structure.templates if t.target_entity_type == entity_type),
                None,
            )
        if template is None:
            raise RuntimeError(
                f"{self.name!r} ({entity_type}) has no path: the structure of "
                f"{self.project.name!r} has no FilenameTemplate for {entity_type!r}"
            )
        rendered = render_template(
            template.path,
            template_name=f"FilenameTemplate {template.name!r}",
            **self._template_variables(),
        )
        path = os.path.normpath(rendered).replace("\\", "/")
        return check_rendered_path(
            path,
            repository_roots(self.project.repositories),
            template_name=f"FilenameTemplate {template.name!r}",
        )

    @property
    def absolute_path(self) -> str:
        """``path`` with environment variables (``$REPO<id>``) expanded."""
        return os.path.expandvars(self.path)

    @property
    def tjp_abs_id(self) -> str:
        """The dotted TaskJuggler id from the project down to this task."""
        prefix = self.parent.tjp_abs_id if self.parent else self.project.tjp_id
        return f"{prefix}.{self.tjp_id}"

    @property
    def to_tjp(self) -> str:
        """The TaskJuggler text of this task and its subtree (07 §6.9).

        Loaded one tree level at a time: a task is often a small part of a
        big project, which :attr:`Project.to_tjp` reads as rows instead.
        """
        loaded = load_subtrees_for_tjp(self, [self])  # noqa: F841 (kept alive)
        return self._tjp_text()

    def _tjp_text(self) -> str:
        indent = "    " * len(self.parents)
        inner = indent + "    "
        header = f'{indent}task {self.tjp_id} "{self.tjp_id}" {{'
        body = []
        if self.priority != 500:
            body.append(f"{inner}priority {self.priority}")
        if self.task_depends_on:
            dependencies = ", ".join(d.to_tjp for d in self.task_depends_on)
            body.append(f"{inner}depends {dependencies}")
        children = self.children  # type: ignore[attr-defined]
        body.extend(child._tjp_text() for child in children)
        if not children:
            body.extend(self._leaf_tjp_lines(inner))
        if not body:
            return header + "}"
        return "\n".join([header, *body, f"{indent}}}"])

    def _leaf_tjp_lines(self, inner: str) -> list[str]:
        lines = []
        if self.resources:
            if self.schedule_constraint in (CONSTRAIN_START, CONSTRAIN_BOTH):
                lines.append(f"{inner}start {_utc_text(self.start, _TJP_DATE)}")
            if self.schedule_constraint in (CONSTRAIN_END, CONSTRAIN_BOTH):
                lines.append(f"{inner}end {_utc_text(self.end, _TJP_DATE)}")
            timing = f"{self.schedule_timing}{self.schedule_unit}"
            lines.append(f"{inner}{self.schedule_model} {timing}")
            lines.append(f"{inner}allocate {self._allocation_tjp(inner)}")
            # Only with resources: tj3 refuses bookings on a task it cannot
            # allocate (09 §4.2 over 07 §6.9, D6).
            for log in self.time_logs:
                start = _utc_text(log.start, _TJP_BOOKING_DATE)
                end = _utc_text(log.end, _TJP_BOOKING_DATE)
                lines.append(
                    f"{inner}booking {log.resource.tjp_id} {start} - {end} "
                    "{ overtime 2 }"
                )
        return lines

    def _allocation_tjp(self, inner: str) -> str:
        alternatives = _by_id(list(self.alternative_resources))
        options = ""
        if alternatives:
            deeper = inner + "    "
            ids = ", ".join(user.tjp_id for user in alternatives)
            options = (
                f" {{\n{deeper}alternative\n{deeper}{ids} select "
                f"{self.allocation_strategy}"
            )
            if self.persistent_allocation:
                options += f"\n{deeper}persistent"
            options += f"\n{inner}}}"
        return ", ".join(
            f"{user.tjp_id}{options}" for user in _by_id(list(self.resources))
        )

    # -- tickets --------------------------------------------------------------

    def _linked_tickets(self, open_only: bool) -> list[Any]:
        from sqlalchemy import inspect, select

        from stalker.db.declarative import mapped_class

        try:
            ticket_class: Any = mapped_class("Ticket")
        except LookupError:
            return []  # tickets arrive with the collaboration models
        state = inspect(self)
        if state.session_id is None and state.identity is None:
            return []  # not stored anywhere: no stored ticket can link it
        query = ticket_class.query.filter(ticket_class.links.contains(self))
        if open_only:
            status_class: Any = mapped_class("Status")
            closed = select(status_class.status_id).where(status_class.name == "Closed")
            query = query.filter(ticket_class.status_id.not_in(closed))
        return list(query.order_by(ticket_class.number).all())

    @property
    def tickets(self) -> list[Any]:
        """Tickets whose links include this task."""
        return self._linked_tickets(open_only=False)

    @property
    def open_tickets(self) -> list[Any]:
        """Linked tickets that are not closed."""
        return self._linked_tickets(open_only=True)

    # -- equality -------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Task)
            and super().__eq__(other)
            and self.project is other.project
            and self.parent == other.parent
            and list(self.depends_on) == list(other.depends_on)
            and self.start == other.start
            and self.end == other.end
            and list(self.resources) == list(other.resources)
        )

    __hash__ = SimpleEntity.__hash__


class TimeLog(Entity, DateRangeMixin):
    """One uninterrupted block of work by one resource on one leaf task.

    Every check runs before anything is attached (D8): a rejected log is in
    no list and changes no status.
    """

    __tablename__ = "TimeLogs"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "TimeLog"}
    __table_args__ = (
        CheckConstraint('"end" > start', name="time_log_end_after_start"),
    )

    time_log_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    task_id: Mapped[int] = mapped_column(
        ForeignKey("Tasks.id"), nullable=False, index=True
    )
    task: Mapped[Task] = relationship(
        back_populates="time_logs", primaryjoin="TimeLog.task_id == Task.task_id"
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("Users.id"), nullable=False, index=True
    )
    resource: Mapped[User] = relationship(
        primaryjoin="TimeLog.resource_id == User.user_id",
        backref=backref("time_logs", order_by="TimeLog.time_log_id"),
    )

    _checks_done = False

    def __init__(
        self,
        task: Task | None = None,
        resource: User | None = None,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        duration: datetime.timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        DateRangeMixin.__init__(self, start=start, end=end, duration=duration)
        self._check_task(task)
        self._check_resource(resource)
        self._checks_done = True
        try:
            self.task = task  # type: ignore[assignment]
            self.resource = resource  # type: ignore[assignment]
        finally:
            self._checks_done = False
        add_to_session_of(self, task, resource)

    @validates("task")
    def _validate_task(self, key: str, task: Any) -> Task:
        if not self._checks_done:
            self._check_task(task)
        if task.status.code in ("RTS", "HREV"):
            task._set_status_code("WIP")
        task.update_parent_statuses()
        return task  # type: ignore[no-any-return]

    @validates("resource")
    def _validate_resource(self, key: str, resource: Any) -> User:
        if not self._checks_done:
            self._check_resource(resource)
        return resource  # type: ignore[no-any-return]

    def _check_task(self, task: Any) -> None:
        check_instance(self, "task", task, Task)
        with no_autoflush(task):
            if task.is_container:
                raise value_error(
                    self,
                    "task",
                    f"a leaf task; {task.name!r} (id {task.id}) has children",
                    task,
                )
            code = task.status.code
            if code in _NO_TIME_LOG_CODES:
                raise StatusError(
                    f"{task.name!r} (Task, id {task.id}) is {code}: time can only "
                    "be logged on RTS, WIP, PREV, HREV or DREV tasks"
                )
            for dependency in task.task_depends_on:
                self._check_dependency(task, dependency)

    def _check_dependency(
        self,
        task: Task,
        dependency: TaskDependency,
        start: datetime.datetime | None = None,
    ) -> None:
        other = dependency.depends_on
        if other is None:
            return
        start = self.start if start is None else start
        limit = other.start if dependency.dependency_target == "onstart" else other.end
        if start < limit:
            raise DependencyViolationError(
                f"a time log of {task.name!r} may not start before {limit} "
                f"({dependency.dependency_target} of {other.name!r}); it starts "
                f"at {start}"
            )

    def _check_resource(
        self,
        resource: Any,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
    ) -> None:
        check_instance(self, "resource", resource, User)
        start = self.start if start is None else start
        end = self.end if end is None else end
        with no_autoflush(resource):
            for other in resource.time_logs:
                if other is self:
                    continue
                if other.start < end and start < other.end:
                    raise OverBookedError(
                        f"{resource.name!r} is already booked from {other.start} "
                        f"to {other.end} ({other.task.name!r}); the time log "
                        f"would run from {start} to {end}"
                    )

    def _validate_dates(
        self, start: Any, end: Any, duration: Any
    ) -> tuple[datetime.datetime, datetime.datetime, datetime.timedelta]:
        """New dates of a log already on a task are checked like a new log's."""
        triple = super()._validate_dates(start, end, duration)
        task = self.__dict__.get("task")
        if task is None:
            return triple  # still being built: __init__ checks the whole log
        dates_given = isinstance(start, datetime.datetime) and isinstance(
            end, datetime.datetime
        )
        if dates_given and end <= start:
            raise value_error(self, "end", f"a moment after the start ({start})", end)
        new_start, new_end, _ = triple
        with no_autoflush(task):
            for dependency in task.task_depends_on:
                self._check_dependency(task, dependency, new_start)
        resource = self.__dict__.get("resource")
        if resource is not None:
            self._check_resource(resource, new_start, new_end)
        return triple

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TimeLog)
            and self.task is other.task
            and self.resource is other.resource
            and self.start == other.start
            and self.end == other.end
            and self.name == other.name
        )

    __hash__ = SimpleEntity.__hash__


__all__ = [
    "CONSTRAIN_BOTH",
    "CONSTRAIN_END",
    "CONSTRAIN_NONE",
    "CONSTRAIN_START",
    "Task",
    "TaskDependency",
    "TimeLog",
    "round_time",
]


#: Chunk of ids per IN list when loading a task tree level by level.
_TJP_CHUNK = 5000


def _tjp_loads() -> tuple[Any, ...]:
    """What ``to_tjp`` reads from each task, loaded with the task."""
    return (
        selectinload(Task.children),
        selectinload(Task.task_depends_on),
        selectinload(Task.resources),
        selectinload(Task.alternative_resources),
        selectinload(Task.time_logs).selectinload(TimeLog.resource),
    )


def load_subtrees_for_tjp(anchor: Any, roots: list[Task]) -> list[Task]:
    """Load ``roots`` and every task below them with what ``to_tjp`` reads.

    One query per tree level and relationship (SQLAlchemy's IN batches of
    500), instead of a few queries per task.  Returns the loaded tasks, which
    the caller keeps referenced while it builds the text: the session holds
    unchanged objects weakly.  Objects not stored yet are left as they are.
    """
    session = object_session(anchor)
    stored = [inspect(root).identity for root in roots]
    if session is None or any(identity is None for identity in stored):
        return []
    loaded: list[Task] = []
    level_ids = [identity[0] for identity in stored if identity is not None]
    column = Task.task_id
    with session.no_autoflush:
        while level_ids:
            next_level: list[Task] = []
            for start in range(0, len(level_ids), _TJP_CHUNK):
                chunk = level_ids[start : start + _TJP_CHUNK]
                query = select(Task).where(column.in_(chunk)).options(*_tjp_loads())
                next_level.extend(session.scalars(query))
            loaded.extend(next_level)
            level_ids = [
                child.task_id for task in next_level for child in task.children
            ]
    return loaded


#: Lists ``to_tjp`` prints in their order, and the key the rows sort them by.
_ORDERED_LISTS = (
    ("task_depends_on", "depends_on_id"),
    ("time_logs", "time_log_id"),
    ("children", "task_id"),
)


def _prints_as_stored(loaded: Any) -> bool:
    """Whether a loaded object prints what its stored row would.

    An int effort prints ``2d`` where the stored float prints ``2.0d``, and
    a list built in memory keeps its own order where rows come in id order.
    """
    state = loaded.__dict__
    if isinstance(loaded, ScheduleMixin):
        timing = state.get("schedule_timing")
        if timing is not None and type(timing) is not float:
            return False
    if isinstance(loaded, Task):
        for key, id_attr in _ORDERED_LISTS:
            items = state.get(key)
            if items is not None and len(items) > 1:
                ids = [getattr(item, id_attr) for item in items]
                if None in ids or ids != sorted(ids):
                    return False
    return True


def gathered_for_tjp(anchor: Any, project_id: int | None) -> Any:
    """The project's plain rows, when they print what the objects would; else None.

    Reading a saved tree as rows (a few set-based queries) is far cheaper
    than loading one object per task.  It is used only when the session has
    nothing unsaved and no loaded object holds a timing the database would
    print differently (an int effort read back as a float), so the text is
    the same either way.
    """
    from sqlalchemy import inspect as inspect_state

    from stalker.scheduling.data import gather_schedule_data

    session = object_session(anchor)
    if session is None or project_id is None:
        return None
    if inspect_state(anchor).identity is None:
        return None
    if session.new or session.dirty or session.deleted:
        return None
    for loaded in session.identity_map.values():
        if not _prints_as_stored(loaded):
            return None
    with session.no_autoflush:
        return gather_schedule_data(session, [project_id], validate=False)
