"""Schedulers: turn the studio's tasks into computed dates.

``TaskJugglerScheduler`` runs the three steps of :mod:`stalker.scheduling`:
gather the data with set-based queries, write a ``.tjp`` file and run
``tj3`` in a temporary folder, then write the CSV results back in bulk.
Nothing is committed: the caller commits (``studio.schedule(); commit()``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
from typing import Any

import stalker
from stalker.db.session import DBSession, session_of
from stalker.models.validation import (
    check_collection,
    check_instance,
    check_items,
    check_number,
    type_error,
    value_error,
)
from stalker.scheduling.changes import TaskChange, gather_previous, plan_changes
from stalker.scheduling.data import ScheduleData, gather_schedule_data
from stalker.scheduling.engine import ConstraintError, constraint_error
from stalker.scheduling.tj3 import (
    TaskJugglerError,
    TaskJugglerTimeoutError,
    find_tj3,
    parse_csv,
    run_tj3,
)
from stalker.scheduling.tjp import tjp_file
from stalker.scheduling.writeback import ComputedSchedule, write_back
from stalker.utils import cycle_collector_paused

logger = logging.getLogger(__name__)

__all__ = [
    "NativeScheduler",
    "SchedulerBase",
    "TaskJugglerConstraintError",
    "TaskJugglerError",
    "TaskJugglerScheduler",
    "TaskJugglerTimeoutError",
    "default_scheduler",
    "tj3_installed",
]


class SchedulerBase:
    """Base of every scheduler: holds the studio it schedules.

    Subclasses implement :meth:`schedule`; ``Studio.scheduler`` accepts only
    instances of this class.
    """

    def __init__(self, studio: Any = None) -> None:
        self.studio = studio

    @property
    def studio(self) -> Any:
        """The Studio to schedule, or None until ``Studio.schedule()`` sets it."""
        return self._studio

    @studio.setter
    def studio(self, studio: Any) -> None:
        self._studio = check_instance(self, "studio", studio, "Studio", allow_none=True)

    def schedule(self) -> Any:
        """Compute the schedule; every concrete scheduler overrides this."""
        raise NotImplementedError(
            f"{type(self).__name__}.schedule() is not implemented; use a concrete "
            "scheduler such as TaskJugglerScheduler"
        )


class _ProjectsScheduler(SchedulerBase):
    """What both schedulers share: the projects to run on, and their session.

    After a run ``changes`` lists the tasks it moved against the plan they
    held before (see :func:`stalker.scheduling.changes.plan_changes`); None
    before a run and after a failed one.
    """

    changes: list[TaskChange] | None = None

    @property
    def projects(self) -> list[Any]:
        """The projects to schedule; empty means every project in the database."""
        return self._projects

    @projects.setter
    def projects(self, projects: Any) -> None:
        self._projects = self._validate_projects(projects)

    def _validate_projects(self, projects: Any) -> list[Any]:
        if projects is None:
            return []
        if not isinstance(projects, list):
            raise type_error(self, "projects", "a list of Project instances", projects)
        projects = check_collection(self, "projects", projects)
        return check_items(self, "projects", projects, "Project")

    def _session(self) -> Any:
        return session_of(self.studio) or DBSession

    def _project_ids(self) -> list[int]:
        ids = []
        for project in self.projects:
            if project.id is None:
                raise value_error(
                    self, "projects", "saved Project instances (flush them)", project
                )
            ids.append(project.id)
        return ids


class TaskJugglerScheduler(_ProjectsScheduler):
    """Schedules with TaskJuggler's ``tj3`` (``tj_command`` or ``tj3`` on PATH).

    ``projects`` limits the run (empty: every project); ``compute_resources``
    also stores which users tj3 chose; ``timeout`` (seconds) stops a tj3 run
    that takes too long.  ``timings`` holds the seconds of the last run's
    generation, tj3 and write-back steps.
    """

    def __init__(
        self,
        studio: Any = None,
        compute_resources: bool = False,
        parsing_method: int = 0,
        projects: list[Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(studio)
        self.compute_resources = bool(compute_resources)
        self.parsing_method = parsing_method
        self.projects = projects  # type: ignore[assignment]
        self.timeout = timeout
        self.tjp_content = ""
        self.temp_file_full_path: str | None = None
        self.temp_file_path: str | None = None
        self.temp_file_name: str | None = None
        self.tjp_file_full_path: str | None = None
        self.csv_file_full_path: str | None = None
        self.tjp_file: Any = None
        self.csv_file: Any = None
        self.data: ScheduleData | None = None
        self.timings: dict[str, float] = {}

    # -- attributes -----------------------------------------------------------

    @property
    def timeout(self) -> float | None:
        """Seconds tj3 may run before it is stopped (None: no limit)."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: Any) -> None:
        if timeout is not None:
            timeout = check_number(self, "timeout", timeout, above=0)
        self._timeout = timeout

    # -- pipeline -------------------------------------------------------------

    def _create_tjp_file(self) -> None:
        """Make a private temporary folder and name the .tjp and .csv files in it."""
        folder = tempfile.mkdtemp(prefix="Stalker_")
        self.temp_file_path = folder
        self.temp_file_name = os.path.basename(folder)
        self.temp_file_full_path = os.path.join(folder, self.temp_file_name)
        self.tjp_file_full_path = self.temp_file_full_path + ".tjp"
        self.csv_file_full_path = self.temp_file_full_path + ".csv"

    def _gather(self) -> ScheduleData:
        session = self._session()
        session.flush()  # every row needs its id before it can be written
        with session.no_autoflush:
            self.data = gather_schedule_data(session, self._project_ids())
        return self.data

    def _create_tjp_file_content(self) -> None:
        """Build ``tjp_content`` from the database (spec 09 §4)."""
        if self.temp_file_name is None:
            self._create_tjp_file()
        data = self._gather()
        with self._session().no_autoflush:
            studio_tjp = self.studio.to_tjp
        self.tjp_content = tjp_file(
            stalker.__version__,
            studio_tjp,
            data,
            str(self.temp_file_name),
            self.compute_resources,
        )

    def _fill_tjp_file(self) -> None:
        with open(str(self.tjp_file_full_path), "w", encoding="utf-8") as tjp:
            self.tjp_file = tjp
            tjp.write(self.tjp_content)

    def _delete_tjp_file(self) -> None:
        _remove(self.tjp_file_full_path)

    def _delete_csv_file(self) -> None:
        _remove(self.csv_file_full_path)

    def _clean_up(self) -> None:
        self._delete_tjp_file()
        self._delete_csv_file()
        folder = self.temp_file_path
        if folder and os.path.basename(folder) == self.temp_file_name:
            shutil.rmtree(folder, ignore_errors=True)

    def _run_tj3(self) -> str:
        try:
            return run_tj3(
                stalker.defaults.tj_command,
                str(self.tjp_file_full_path),
                str(self.temp_file_path),
                timeout=self.timeout,
            )
        except TaskJugglerError as error:
            refusal = _constraint_refusal(self.data, error)
            if refusal is None:
                raise
            raise refusal from error

    def _parse_csv_file(self) -> None:
        """Write tj3's CSV results to the tasks and projects (nothing if no CSV)."""
        rows = parse_csv(str(self.csv_file_full_path), self.compute_resources)
        if not rows:
            self.changes = []  # nothing written, nothing moved
            return
        data = self.data if self.data is not None else self._gather()
        computed = [
            ComputedSchedule(row.entity_id, row.start, row.end, row.resource_ids)
            for row in rows
        ]
        previous = gather_previous(self._session(), data)
        write_back(self._session(), data, computed, self.compute_resources)
        self.changes = plan_changes(data, previous, computed, self.compute_resources)

    def schedule(self) -> str:
        """Run tj3 on the studio's projects and store the results; returns warnings.

        Raises ``TaskJugglerError`` (a ``RuntimeError``) with tj3's message if it
        rejects the file or times out, ``FileNotFoundError`` if there is no tj3;
        the tasks then keep their previous schedule.  ``changes`` lists the
        tasks moved (tj3 gives no reason for a start).
        """
        if not _is_studio(self.studio):
            raise type_error(
                self, "studio", "a Studio instance to schedule", self.studio
            )
        self.timings = {}
        self.changes = None
        self._create_tjp_file()
        try:
            started = time.perf_counter()
            self._create_tjp_file_content()
            self._fill_tjp_file()
            self.timings["generation_s"] = time.perf_counter() - started
            started = time.perf_counter()
            message = self._run_tj3()
            self.timings["tj3_s"] = time.perf_counter() - started
            started = time.perf_counter()
            self._parse_csv_file()
            self.timings["write_back_s"] = time.perf_counter() - started
        finally:
            self._clean_up()
        return message


class TaskJugglerConstraintError(TaskJugglerError, ConstraintError):
    """tj3 could not meet a task's pinned start or end (see ConstraintError)."""

    def __init__(self, message: str, task_id: int | None = None, path: str = ""):
        TaskJugglerError.__init__(self, message)
        self.task_id = task_id
        self.path = path


_TJ_TASK = re.compile(r"\bTask_(\d+)\b(?!\.)")


def _constraint_refusal(
    data: ScheduleData | None, error: TaskJugglerError
) -> TaskJugglerConstraintError | None:
    """tj3's refusal of a constrained task, told with the task's path."""
    if data is None:
        return None
    for match in _TJ_TASK.finditer(str(error)):
        task = data.tasks.get(int(match[1]))
        if task is not None and task.constraint:
            refusal = constraint_error(
                data,
                task.id,
                f"cannot be planned within its pinned dates; tj3 says:\n{error}",
                TaskJugglerConstraintError,
            )
            refusal.returncode = error.returncode
            refusal.diagnostics = error.diagnostics
            refusal.source_lines = error.source_lines
            return refusal  # type: ignore[no-any-return]
    return None


def _is_studio(value: Any) -> bool:
    from stalker.models.studio import Studio

    return isinstance(value, Studio)


def _remove(path: str | None) -> None:
    if not path:
        return
    with contextlib.suppress(OSError):
        os.remove(path)


class NativeScheduler(_ProjectsScheduler):
    """Schedules in Python with TaskJuggler's rules; no external program.

    A drop-in for :class:`TaskJugglerScheduler` (same ``projects`` and
    ``compute_resources`` arguments, same write-back), that also honours the
    tasks' start/end constraints.  After a run ``plan`` holds, per task, the
    dates, the allocations and why each task starts when it does;
    ``callback(done, total)`` reports progress.
    """

    def __init__(
        self,
        studio: Any = None,
        compute_resources: bool = False,
        projects: list[Any] | None = None,
        callback: Any = None,
    ) -> None:
        super().__init__(studio)
        self.compute_resources = bool(compute_resources)
        self.projects = projects  # type: ignore[assignment]
        if callback is not None and not callable(callback):
            raise type_error(self, "callback", "a callable or None", callback)
        self.callback = callback
        self.data: ScheduleData | None = None
        self.plan: Any = None
        self.calendar: Any = None
        self.constraints: dict[int, Any] = {}
        self.timings: dict[str, float] = {}

    def _gather(self) -> ScheduleData:
        from stalker.scheduling.native import gather_constraints, studio_calendar

        session = self._session()
        session.flush()
        with session.no_autoflush:
            self.data = gather_schedule_data(session, self._project_ids())
            self.constraints = gather_constraints(session, self.data)
            self.calendar = studio_calendar(self.studio)
        return self.data

    def schedule(self) -> str:
        """Compute and store the schedule; returns '' (no warnings).

        Raises ``SchedulingError`` (a ``RuntimeError``) for a dependency
        cycle or work that does not fit the studio's horizon; the tasks then
        keep their previous schedule.  ``changes`` lists the tasks moved,
        with the engine's reason for each new start.
        """
        from stalker.scheduling.engine import schedule

        if not _is_studio(self.studio):
            raise type_error(
                self, "studio", "a Studio instance to schedule", self.studio
            )
        self.timings = {}
        self.changes = None
        with cycle_collector_paused():
            started = time.perf_counter()
            data = self._gather()
            previous = gather_previous(self._session(), data)  # before the write-back
            self.timings["gather_s"] = time.perf_counter() - started
            started = time.perf_counter()
            self.plan = schedule(data, self.calendar, self.constraints, self.callback)
            self.timings["engine_s"] = time.perf_counter() - started
            started = time.perf_counter()
            write_back(
                self._session(), data, self.plan.computed(), self.compute_resources
            )
            self.changes = plan_changes(
                data, previous, self.plan, self.compute_resources
            )
            self.timings["write_back_s"] = time.perf_counter() - started
        return ""


def tj3_installed() -> bool:
    """Whether TaskJugglerScheduler would find a tj3 to run.

    The same lookup as the run itself (``tj_command`` if it is a file, else
    ``tj3`` on PATH), so the answer cannot disagree with what would happen.
    """
    try:
        find_tj3(stalker.defaults.tj_command)
    except FileNotFoundError:
        return False
    return True


def default_scheduler() -> SchedulerBase:
    """The scheduler a studio without one uses: tj3 when installed, else native.

    Both get their default arguments (every project, no computed resources),
    the same as ``TaskJugglerScheduler()`` in the tutorial.
    """
    if tj3_installed():
        return TaskJugglerScheduler()
    return NativeScheduler()
