"""Schedulers: turn the studio's tasks into computed dates.

``TaskJugglerScheduler`` runs the three steps of :mod:`stalker.scheduling`:
gather the data with set-based queries, write a ``.tjp`` file and run
``tj3`` in a temporary folder, then write the CSV results back in bulk.
Nothing is committed: the caller commits (``studio.schedule(); commit()``).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
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
from stalker.scheduling.engine import (
    ConstraintError,
    HorizonError,
    SchedulingError,
    constraint_error,
    grown_calendar,
)
from stalker.scheduling.tj3 import (
    TaskJugglerError,
    TaskJugglerTimeoutError,
    find_tj3,
    parse_csv,
    run_tj3,
)
from stalker.scheduling.tjp import tjp_file
from stalker.scheduling.writeback import (
    ComputedSchedule,
    StreamingWrite,
    can_stream,
    write_back,
)
from stalker.utils import cycle_collector_paused

logger = logging.getLogger(__name__)

__all__ = [
    "NativeScheduler",
    "SchedulerBase",
    "TaskJugglerConstraintError",
    "TaskJugglerError",
    "TaskJugglerHorizonError",
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
        #: The end of the horizon written for tj3 (Studio.end, or later when
        #: the work needs more).
        self.horizon_end: datetime.datetime | None = None

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
        _refuse_user_zones(self._session(), self.studio, data)
        self._write_content(data, self._first_horizon(data))

    def _write_content(self, data: ScheduleData, end: datetime.datetime) -> None:
        with self._session().no_autoflush:
            studio_tjp = self.studio.tjp_project(end)
        self.horizon_end = end
        self.tjp_content = tjp_file(
            stalker.__version__,
            studio_tjp,
            data,
            str(self.temp_file_name),
            self.compute_resources,
            self.studio.timezone,
        )

    def _first_horizon(self, data: ScheduleData) -> datetime.datetime:
        """Studio.end, unless tj3 would refuse it (it ends on the start's day)."""
        start, end = self.studio.start, self.studio.end
        if _utc_day(end) > _utc_day(start):
            return end  # type: ignore[no-any-return]
        return self._fitted_horizon(data) or _day_after(start)

    def _fitted_horizon(self, data: ScheduleData) -> datetime.datetime | None:
        """The horizon end the native engine grows to for this work.

        Both engines plan alike over the same horizon, so the end the native
        plan fits in is the one tj3 gets; None when the native engine fails
        too (tj3 then tells its own reason).
        """
        from stalker.scheduling.engine import schedule
        from stalker.scheduling.native import gather_constraints, studio_calendar

        session = self._session()
        with session.no_autoflush:  # tj3 plans everyone in the studio's zone
            calendar = studio_calendar(self.studio, ScheduleData())
            constraints = gather_constraints(session, data)
        try:
            return schedule(data, calendar, constraints).horizon_end
        except SchedulingError:
            grown = grown_calendar(calendar)
            return grown.end if grown is not None else None

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
                _name_tasks(self.data, error)
                raise
            raise refusal from error

    def _run_tj3_in_horizon(self) -> str:
        """Run tj3; if the work does not fit, once more over the fitted horizon."""
        try:
            return self._run_tj3()
        except TaskJugglerError as error:
            if not _out_of_horizon(error) or self.data is None:
                raise
            fitted = self._fitted_horizon(self.data)
            if fitted is None or self.horizon_end is None or fitted <= self.horizon_end:
                raise self._short_horizon(error, fitted) from error
        self._write_content(self.data, fitted)
        self._fill_tjp_file()
        try:
            return self._run_tj3()
        except TaskJugglerError as error:
            if not _out_of_horizon(error):
                raise
            raise self._short_horizon(error, fitted) from error

    def _short_horizon(
        self, error: TaskJugglerError, fitted: datetime.datetime | None
    ) -> TaskJugglerHorizonError:
        """tj3's refusal told with the setting to change and by how much."""
        studio_end = self.studio.end
        tried = self.horizon_end or studio_end
        if fitted is not None:
            days = math.ceil((max(fitted, tried) - studio_end) / _DAY)
            advice = (
                f"it is at least {max(days, 1)} days short: set Studio.end "
                f"(now {studio_end:%Y-%m-%d %H:%M}) later than {tried:%Y-%m-%d}"
            )
        else:
            advice = f"set Studio.end (now {studio_end:%Y-%m-%d %H:%M}) later"
        late = _late_tasks(self.data, error)
        who = f" ({', '.join(late)})" if late else ""
        return TaskJugglerHorizonError(
            f"the work{who} does not fit into tj3's horizon ending "
            f"{tried:%Y-%m-%d}; {advice}. tj3 says:\n{error}",
            returncode=error.returncode,
            diagnostics=error.diagnostics,
            source_lines=error.source_lines,
        )

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
        write_back(
            self._session(), data, computed, self.compute_resources, previous.links
        )
        self.changes = plan_changes(data, previous, computed, self.compute_resources)

    def schedule(self) -> str:
        """Run tj3 on the studio's projects and store the results; returns warnings.

        A horizon too short for the work is replaced by the one the native
        plan fits in (tj3 runs again once if it finds it short itself).
        Raises ``TaskJugglerError`` (a ``RuntimeError``) with tj3's message if it
        rejects the file or times out (``TaskJugglerHorizonError`` when no
        horizon fits), ``SchedulingError`` for a user with a time zone of
        their own, ``FileNotFoundError`` if there is no tj3; the tasks then
        keep their previous schedule.  ``changes`` lists the tasks moved
        (tj3 gives no reason for a start).
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
            message = self._run_tj3_in_horizon()
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


class TaskJugglerHorizonError(TaskJugglerError, HorizonError):
    """The work does not fit into tj3's horizon, even grown; names the setting."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        TaskJugglerError.__init__(self, message, **kwargs)
        self.task_id = None


_DAY = datetime.timedelta(days=1)
_TJ_TASK = re.compile(r"\bTask_(\d+)\b(?!\.)")
_OUT_OF_HORIZON = ("did not fit into the project time frame", "must be after the start")


def _out_of_horizon(error: TaskJugglerError) -> bool:
    """tj3 ran out of horizon (a pinned date it missed is not that)."""
    if isinstance(error, ConstraintError):
        return False
    return any(text in str(error) for text in _OUT_OF_HORIZON)


def _name_tasks(data: ScheduleData | None, error: TaskJugglerError) -> None:
    """Add the paths of the tasks tj3 names by id (``Task_21``) to its message."""
    if data is None:
        return
    ids = dict.fromkeys(int(match[1]) for match in _TJ_TASK.finditer(str(error)))
    named = [f"Task_{i} is {data.path_name(i)}" for i in ids if i in data.tasks]
    if named:
        error.value = f"{error.value}\n({'; '.join(named)})"
        error.args = (error.value, *error.args[1:])


def _late_tasks(data: ScheduleData | None, error: TaskJugglerError) -> list[str]:
    """Paths of the tasks tj3 left unscheduled (its ``-> <?>`` warnings)."""
    if data is None:
        return []
    found = []
    for line in str(error).splitlines():
        if "<?>" in line:
            found += [int(match[1]) for match in _TJ_TASK.finditer(line)]
    return [data.path_name(i) for i in dict.fromkeys(found) if i in data.tasks]


def _refuse_user_zones(session: Any, studio: Any, data: ScheduleData) -> None:
    """tj3 reads every resource's hours in the studio's zone: refuse the others.

    A per-user zone (``User.timezone``) is honoured by NativeScheduler only;
    planning such a user's hours in the studio's zone would be silently wrong.
    """
    allocated = {
        user_id
        for links in (data.resources, data.alternatives)
        for users in links.values()
        for user_id in users
    }
    remote = {
        user_id: zone
        for user_id, zone in data.timezones.items()
        if zone != studio.timezone and user_id in allocated
    }
    if not remote:
        return
    names = _user_names(session, sorted(remote))
    listed = ", ".join(f"{names.get(i, f'User_{i}')} ({remote[i]})" for i in remote)
    raise SchedulingError(
        "TaskJugglerScheduler cannot honour User.timezone: tj3 reads every "
        f"resource's working hours in Studio.timezone {studio.timezone!r}, but "
        f"{listed} work in a zone of their own; schedule with NativeScheduler, "
        "or set their User.timezone to None"
    )


def _user_names(session: Any, user_ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from stalker.scheduling.data import table

    entities = table("SimpleEntities")
    query = select(entities.c.id, entities.c.name).where(entities.c.id.in_(user_ids))
    return dict(session.execute(query).all())  # type: ignore[arg-type]


def _utc_day(moment: datetime.datetime) -> datetime.date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.date()


def _day_after(moment: datetime.datetime) -> datetime.datetime:
    return datetime.datetime.combine(
        _utc_day(moment) + datetime.timedelta(days=1),
        datetime.time(),
        datetime.timezone.utc,
    )


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
    ``callback(done, total)`` reports progress.  On PostgreSQL the finished
    tasks are sent to the server while the engine plans the others (all or
    nothing, see :class:`~stalker.scheduling.writeback.StreamingWrite`), so
    the callback must not query through the scheduling session.
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
            self.calendar = studio_calendar(self.studio, self.data)
        return self.data

    def schedule(self) -> str:
        """Compute and store the schedule; returns '' (no warnings).

        The horizon grows past ``Studio.end`` when the work needs it.
        Raises ``SchedulingError`` (a ``RuntimeError``) for a dependency
        cycle or work that fits no horizon (``HorizonError``); the tasks then
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
            stream = self._stream(data, previous.links)
            try:
                self.plan = schedule(
                    data, self.calendar, self.constraints, self.callback, stream
                )
                self.timings["engine_s"] = time.perf_counter() - started
                started = time.perf_counter()
                if stream is None:
                    computed = self.plan.computed()
                    write_back(
                        self._session(),
                        data,
                        computed,
                        self.compute_resources,
                        previous.links,
                    )
                else:
                    stream.finish(self._project_rows(), self._unsent_rows(stream))
            except BaseException:
                if stream is not None:
                    stream.abort()
                raise
            self.changes = plan_changes(
                data, previous, self.plan, self.compute_resources
            )
            self.timings["write_back_s"] = time.perf_counter() - started
        return ""

    def _stream(
        self, data: ScheduleData, stored_links: dict[int, tuple[int, ...]]
    ) -> StreamingWrite | None:
        """On PostgreSQL the tasks are written while the engine plans.

        The server then works in its own process beside the engine (see
        :func:`~stalker.scheduling.writeback.can_stream`); SQLite runs in
        this process, so it gets the whole write-back at the end.
        """
        session = self._session()
        if not can_stream(session.connection()):
            return None
        return StreamingWrite(session, data, self.compute_resources, stored_links)

    def _unsent_rows(self, stream: StreamingWrite) -> list[ComputedSchedule]:
        """The planned tasks the engine did not hand to ``stream`` (none)."""
        return [
            ComputedSchedule(task_id, plan.start, plan.end, plan.resource_ids)
            for task_id, plan in self.plan.tasks.items()
            if task_id not in stream.received
        ]

    def _project_rows(self) -> list[ComputedSchedule]:
        return [
            ComputedSchedule(project_id, start, end)
            for project_id, (start, end) in self.plan.projects.items()
        ]


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
