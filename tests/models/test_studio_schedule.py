"""Studio.schedule() (spec 09 §8) and what a failed run leaves behind (§3.3, §5).

Failure tests use stand-in tj3 executables (small shell scripts) so they run
without TaskJuggler; the tests marked ``tj3`` run the real one.
"""

from __future__ import annotations

import datetime
import stat
from typing import Any

import pytest

import stalker
from stalker import (
    NativeScheduler,
    SchedulerBase,
    Studio,
    Task,
    TaskJugglerScheduler,
    User,
)
from stalker.models import schedulers
from stalker.scheduling import writeback
from stalker.scheduling.tj3 import TaskJugglerError

from ..factories import make_user
from ..task_factories import TaskWorld, dt
from .test_schedulers import (
    assert_spec_dates,
    build_example,
    make_studio,
    spec_csv,
)

UTC = datetime.timezone.utc


class CallbackScheduler(SchedulerBase):
    """The spec's test double: ``schedule()`` calls ``callback``."""

    def __init__(self, studio=None, callback=None):
        super().__init__(studio)
        self.callback = callback

    def schedule(self):
        return self.callback()


def fake_tj3(tmp_path: Any, body: str) -> str:
    """A stand-in tj3 (``$1`` = .tjp file, ``$3`` = output folder)."""
    script = tmp_path / "fake_tj3"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    stalker.defaults.tj_command = str(script)
    return str(script)


def csv_writer_body(csv_text: str) -> str:
    """Shell lines writing ``csv_text`` where tj3 would write its report."""
    return (
        'name=$(basename "$1" .tjp)\n'
        f"cat > \"$3/$name.csv\" <<'CSV'\n{csv_text}CSV\n"
        "echo 'check.tjp:1: Warning: just a warning' >&2"
    )


@pytest.fixture
def example(session):
    return build_example(session)


def previous_schedule(example: Any, session: Any) -> tuple:
    """Give the tasks a schedule (as an earlier run would) and commit it."""
    for task in (example.t21, example.t22):
        task.computed_start = dt(2014, 7, 1, 9)
        task.computed_end = dt(2014, 7, 2, 18)
    session.commit()
    return dates_of(example)


def dates_of(example: Any) -> tuple:
    return tuple(
        (task.computed_start, task.computed_end, task.start, task.end)
        for task in (example.t21, example.t22, example.project)
    )


# -- bookkeeping --------------------------------------------------------------------


def test_tj3_installed_follows_tj_command_then_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no tj3 there
    stalker.defaults.tj_command = str(tmp_path / "no" / "tj3")
    assert schedulers.tj3_installed() is False
    assert isinstance(schedulers.default_scheduler(), NativeScheduler)
    fake_tj3(tmp_path, "exit 0")  # tj_command now names an executable file
    assert schedulers.tj3_installed() is True
    assert isinstance(schedulers.default_scheduler(), TaskJugglerScheduler)


def test_without_a_scheduler_tj3_runs_when_installed(example, session, tmp_path):
    fake_tj3(tmp_path, csv_writer_body(spec_csv(example)))
    studio = example.studio
    assert studio.scheduler is None
    message = studio.schedule(scheduled_by=example.admin)
    assert type(studio.scheduler) is TaskJugglerScheduler  # kept: what ran
    assert studio.scheduler.studio is studio
    assert studio.scheduler.compute_resources is False  # the tutorial's default
    assert (
        message
        == studio.last_schedule_message
        == ("check.tjp:1: Warning: just a warning")
    )
    session.commit()
    assert_spec_dates(example)


def test_without_a_scheduler_and_without_tj3_the_native_one_runs(
    example, session, monkeypatch
):
    before = previous_schedule(example, session)
    monkeypatch.setattr(schedulers, "tj3_installed", lambda: False)
    studio = example.studio
    assert studio.schedule(scheduled_by=example.admin) == ""
    assert type(studio.scheduler) is NativeScheduler
    assert set(studio.scheduler.timings) == {"gather_s", "engine_s", "write_back_s"}
    assert studio.last_schedule_message == ""
    assert studio.last_scheduled_by is example.admin
    session.commit()
    session.expire_all()
    assert dates_of(example) != before
    t21, t22 = example.t21, example.t22
    assert t21.computed_start == dt(2014, 6, 2, 6)  # its time log starts it
    assert t21.computed_end <= t22.computed_start  # T22 depends on T21
    assert example.project.computed_end == t22.computed_end


def test_a_chosen_default_is_kept_for_the_next_run(example, session, monkeypatch):
    monkeypatch.setattr(schedulers, "tj3_installed", lambda: False)
    example.studio.schedule()
    first = example.studio.scheduler
    example.studio.schedule()
    assert example.studio.scheduler is first


def test_a_failing_default_scheduler_is_recorded(example, session, monkeypatch):
    monkeypatch.setattr(schedulers, "tj3_installed", lambda: False)
    for day in stalker.defaults.day_order:  # nobody ever works: no horizon fits
        example.studio.working_hours[day] = []
    before = dates_of(example)
    with pytest.raises(RuntimeError):
        example.studio.schedule()
    assert type(example.studio.scheduler) is NativeScheduler
    assert example.studio.last_schedule_message.startswith("Scheduling failed: ")
    session.commit()
    session.expire_all()
    assert dates_of(example) == before


def test_scheduler_accepts_scheduler_instances():
    studio = make_studio()
    scheduler = TaskJugglerScheduler()
    studio.scheduler = scheduler
    assert studio.scheduler is scheduler
    studio.scheduler = CallbackScheduler()
    assert isinstance(studio.scheduler, CallbackScheduler)
    with pytest.raises(TypeError, match=r"Studio\.scheduler should be a SchedulerBase"):
        studio.scheduler = TaskJugglerScheduler
    assert isinstance(studio.scheduler, CallbackScheduler)


def test_schedule_sets_the_studio_and_records_the_run(session):
    user = make_user("planner")
    studio = make_studio()
    session.add_all([studio, user])
    seen = {}

    def callback():
        seen["studio"] = scheduler.studio
        seen["is_scheduling"] = studio.is_scheduling
        seen["started"] = studio.scheduling_started_at
        return ""

    scheduler = CallbackScheduler(callback=callback)
    studio.scheduler = scheduler
    studio.is_scheduling = True  # the caller's guard against concurrent runs
    studio.is_scheduling_by = user
    before = datetime.datetime.now(UTC)
    assert studio.schedule(scheduled_by=user) == ""
    assert seen["studio"] is studio
    assert seen["is_scheduling"] is True
    assert seen["started"] >= before - datetime.timedelta(seconds=1)
    assert studio.is_scheduling is False
    assert studio.is_scheduling_by is None
    assert studio.last_schedule_message == ""
    assert studio.last_scheduled_by is user
    assert studio.last_scheduled_at >= seen["started"]


def test_bookkeeping_survives_a_commit_and_reload(session):
    user = make_user("planner")
    studio = make_studio()
    session.add_all([studio, user])
    studio.scheduler = CallbackScheduler(callback=lambda: "")
    studio.schedule(scheduled_by=user)
    session.commit()
    studio_id = studio.id
    session.expunge_all()
    stored = session.get(Studio, studio_id)
    assert stored.last_scheduled_by.login == "planner"
    assert stored.last_schedule_message == ""
    assert stored.is_scheduling is False
    assert stored.last_scheduled_at.tzinfo is not None
    assert stored.scheduling_started_at <= stored.last_scheduled_at
    assert stored.scheduler is None  # not persisted


def test_without_scheduled_by_last_scheduled_by_is_kept(session):
    user = make_user("earlier")
    studio = make_studio()
    studio.last_scheduled_by = user
    studio.scheduler = CallbackScheduler(callback=lambda: "fine")
    assert studio.schedule() == "fine"
    assert studio.last_scheduled_by is user
    assert studio.last_schedule_message == "fine"


def test_scheduled_by_must_be_a_user():
    studio = make_studio()
    studio.scheduler = CallbackScheduler(callback=lambda: "")
    with pytest.raises(TypeError, match=r"Studio\.scheduled_by should be a User"):
        studio.schedule(scheduled_by="me")
    assert studio.last_scheduled_at is None


def test_a_failing_scheduler_is_recorded_and_its_error_propagates(session):
    user = make_user("planner")
    studio = make_studio()
    studio.is_scheduling = True

    def callback():
        raise RuntimeError("engine exploded")

    studio.scheduler = CallbackScheduler(callback=callback)
    with pytest.raises(RuntimeError, match="engine exploded"):
        studio.schedule(scheduled_by=user)
    assert studio.is_scheduling is False
    assert studio.last_scheduled_by is user
    assert studio.last_scheduled_at is not None
    assert studio.last_schedule_message == (
        "Scheduling failed: RuntimeError: engine exploded"
    )


# -- failures of tj3: the previous schedule stays --------------------------------------


def test_missing_tj3_is_a_clear_error_and_keeps_the_schedule(
    example, session, tmp_path, monkeypatch
):
    before = previous_schedule(example, session)
    stalker.defaults.tj_command = str(tmp_path / "no" / "tj3")
    monkeypatch.setenv("PATH", str(tmp_path))
    example.studio.scheduler = TaskJugglerScheduler()
    with pytest.raises(FileNotFoundError, match="tj3 executable was not found"):
        example.studio.schedule(scheduled_by=example.admin)
    session.commit()
    session.expire_all()
    assert dates_of(example) == before
    assert example.studio.last_schedule_message.startswith(
        "Scheduling failed: FileNotFoundError"
    )
    assert example.studio.last_scheduled_by is example.admin
    assert not list(tmp_path.glob("Stalker_*"))


def test_tj3_rejecting_the_file_keeps_the_schedule(example, session, tmp_path):
    before = previous_schedule(example, session)
    fake_tj3(
        tmp_path,
        'echo "$1:12: Error: Task Project_1.Task_2 has unknown depends" >&2\nexit 1',
    )
    scheduler = TaskJugglerScheduler()
    example.studio.scheduler = scheduler
    with pytest.raises(TaskJugglerError, match=r"\.tjp:12: Error: Task") as caught:
        example.studio.schedule()
    error = caught.value
    assert isinstance(error, RuntimeError)
    assert error.returncode == 1
    assert [(d.line, d.kind) for d in error.diagnostics] == [(12, "Error")]
    assert error.source_lines == [
        "12: " + scheduler.tjp_content.split("\n")[11]
    ]  # the offending line of the generated file
    session.commit()
    session.expire_all()
    assert dates_of(example) == before
    assert "Error: Task Project_1.Task_2" in example.studio.last_schedule_message
    assert not (tmp_path / scheduler.temp_file_name).exists()


def test_tj3_timing_out_is_stopped_and_keeps_the_schedule(example, session, tmp_path):
    before = previous_schedule(example, session)
    fake_tj3(tmp_path, "exec sleep 30")
    example.studio.scheduler = TaskJugglerScheduler(timeout=0.5)
    started = datetime.datetime.now(UTC)
    with pytest.raises(TaskJugglerError, match=r"did not finish within 0\.5 s"):
        example.studio.schedule()
    assert datetime.datetime.now(UTC) - started < datetime.timedelta(seconds=10)
    session.commit()
    session.expire_all()
    assert dates_of(example) == before
    assert "did not finish" in example.studio.last_schedule_message


def test_a_failed_write_back_leaves_every_row_as_it_was(
    example, session, tmp_path, monkeypatch
):
    before = previous_schedule(example, session)
    fake_tj3(tmp_path, csv_writer_body(spec_csv(example)))

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writeback, "_replace_computed_resources", broken)
    example.studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    with pytest.raises(RuntimeError, match="disk full"):
        example.studio.schedule()
    session.commit()
    session.expire_all()
    assert dates_of(example) == before


def test_another_engine_output_is_written_back(example, session, tmp_path):
    """The pipeline around tj3: file in, CSV out, warnings returned."""
    fake_tj3(tmp_path, csv_writer_body(spec_csv(example)))
    example.studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    message = example.studio.schedule(scheduled_by=example.admin)
    assert message == "check.tjp:1: Warning: just a warning"
    session.commit()
    assert_spec_dates(example)
    assert example.studio.last_schedule_message == message


# -- real tj3 ----------------------------------------------------------------------


@pytest.mark.tj3
def test_spec_example_is_scheduled_by_tj3(example, session):
    example.studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    assert example.studio.schedule(scheduled_by=example.admin) == ""
    session.commit()
    assert_spec_dates(example)
    u = example.users
    assert set(example.t21.computed_resources) == {u[10], u[12], u[11]}
    assert set(example.t22.computed_resources) == {u[13], u[11]}
    assert example.studio.last_schedule_message == ""


@pytest.mark.tj3
def test_tj3_error_carries_its_file_and_line(example, session):
    before = previous_schedule(example, session)
    for day in stalker.defaults.day_order:  # nobody ever works: no horizon fits
        example.studio.working_hours[day] = []
    example.studio.scheduler = TaskJugglerScheduler()
    with pytest.raises(TaskJugglerError) as caught:
        example.studio.schedule()
    assert caught.value.returncode == 1
    assert ".tjp:" in str(caught.value)
    assert caught.value.diagnostics
    session.commit()
    session.expire_all()
    assert dates_of(example) == before


@pytest.mark.tj3
def test_tj3_warnings_are_returned(example, session):
    example.t21.schedule_timing = 1  # 1 h of effort, 3 h already booked
    session.commit()
    example.studio.scheduler = TaskJugglerScheduler()
    message = example.studio.schedule()
    assert "Warning" in message
    assert example.studio.last_schedule_message == message


@pytest.mark.tj3
def test_only_the_chosen_projects_are_scheduled(example, session):
    other = TaskWorld(session)
    other.project.code = "OTHER"
    task = other.task("Elsewhere", resources=[example.users[11]])
    other.flush()
    session.commit()
    example.studio.scheduler = TaskJugglerScheduler(projects=[other.project])
    example.studio.schedule()
    session.commit()
    assert task.computed_start is not None
    assert other.project.computed_start is not None
    assert example.t21.computed_start is None
    assert example.project.computed_start is None


@pytest.mark.tj3
def test_empty_projects_schedules_every_project_in_the_database(example, session):
    other = TaskWorld(session)
    other.project.active = False
    task = other.task("Inactive work", resources=[example.users[11]])
    other.flush()
    session.commit()
    example.studio.scheduler = TaskJugglerScheduler()
    example.studio.schedule()
    session.commit()
    assert task.computed_start is not None
    assert example.t21.computed_start is not None


@pytest.mark.tj3
def test_a_loaded_studio_schedules(example, session):
    studio_id, task_id = example.studio.id, example.t21.id
    session.expunge_all()
    studio = session.get(Studio, studio_id)
    studio.now = dt(2014, 6, 2)
    studio.scheduler = TaskJugglerScheduler()
    studio.schedule(scheduled_by=User.query.filter_by(login="u10").one())
    session.commit()
    t21 = session.get(Task, task_id)
    assert t21.computed_start == dt(2014, 6, 2, 6)
