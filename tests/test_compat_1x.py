"""A script written the Stalker 1.x way runs as it is (issue 24).

The module layout of 1.x differs at import time: ``stalker.db.setup`` is a
module, the scheduling values are enums in ``stalker.models.enum``,
``stalker.log`` has ``register_logger``/``set_level``, links are ``File``.
Each of these is accepted next to the seeds' spelling, which stays primary.
"""

from __future__ import annotations

import datetime
import logging

import pytest

import stalker
from stalker.exceptions import (
    CircularDependencyError,
    DeleteRefusedError,
    OverBookedError,
    StalkerError,
)
from stalker.models.enum import (
    DependencyTarget,
    ScheduleConstraint,
    ScheduleModel,
    TimeUnit,
    TraversalDirection,
)


@pytest.fixture
def studio_db(empty_database_settings):
    from stalker.db.setup import init, setup

    setup(empty_database_settings)
    init()


@pytest.mark.tj3
def test_a_1x_style_script_builds_publishes_and_schedules(studio_db, tmp_path):
    from stalker import (
        File,
        FilenameTemplate,
        Project,
        Repository,
        Status,
        StatusList,
        Structure,
        Studio,
        Task,
        TaskJugglerScheduler,
        Type,
        User,
        Version,
    )
    from stalker.db.session import DBSession

    studio = Studio(name="Compat Studio")
    artist = User(name="Ann", login="ann", email="ann@example.com", password="pw")
    repository = Repository(name="Main", code="MAIN", linux_path=str(tmp_path))
    template = FilenameTemplate(
        name="Task files",
        target_entity_type="Task",
        path="$REPOMAIN/{{project.code}}/{{task.nice_name}}",
        filename="{{task.nice_name}}_v{{'%03d'|format(version.version_number)}}",
    )
    project = Project(
        name="Compat",
        code="CMP",
        repositories=[repository],
        structure=Structure(name="Std", templates=[template]),
        type=Type(name="Commercial", code="comm", target_entity_type="Project"),
    )
    model = Task(
        name="Model",
        project=project,
        resources=[artist],
        schedule_timing=2,
        schedule_unit=TimeUnit.Day,
        schedule_model=ScheduleModel.Effort,
    )
    rig = Task(
        name="Rig",
        project=project,
        resources=[artist],
        schedule_timing=ScheduleModel.Effort and 6,
        schedule_unit=TimeUnit.to_unit("Hour"),
        schedule_constraint=ScheduleConstraint.NONE,
        depends_on=[model],
    )
    rig.task_depends_on[0].dependency_target = DependencyTarget.OnEnd
    DBSession.add_all([studio, project])
    DBSession.commit()

    # the stored values are the plain strings and ints, on both backends
    DBSession.expire_all()
    assert (rig.schedule_unit, type(rig.schedule_unit)) == ("h", str)
    assert (model.schedule_model, type(model.schedule_model)) == ("effort", str)
    assert type(rig.schedule_constraint) is int
    assert rig.task_depends_on[0].dependency_target == "onend"
    assert list(model.walk_dependencies(TraversalDirection.BreadthFirst)) == [model]

    version = Version(task=rig, created_by=artist)
    version.update_paths()
    published = File(full_path=version.absolute_full_path)
    version.outputs.append(published)
    DBSession.add(version)
    DBSession.commit()
    assert version.filename == "Rig_v001"
    assert version._template_variables() == version.template_variables()
    assert isinstance(published, stalker.Link)

    studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    today = datetime.datetime.now(datetime.timezone.utc)
    studio.start, studio.end = today, today + datetime.timedelta(days=90)
    studio.schedule()
    DBSession.commit()
    assert model.computed_end <= rig.computed_start
    assert StatusList.query.count() > 0 and Status.query.count() > 0


def test_the_setup_module_and_the_package_call_are_the_same_functions():
    import stalker.db.setup
    from stalker import db
    from stalker.db.setup import init, setup

    assert db.setup is setup and db.init is init
    assert stalker.db.setup.init is init  # the 1.x module spelling
    assert callable(db.setup)


@pytest.mark.parametrize(
    ("enum_class", "convert", "given", "expected"),
    [
        (TimeUnit, TimeUnit.to_unit, "Week", "w"),
        (TimeUnit, TimeUnit.to_unit, "min", "min"),
        (ScheduleModel, ScheduleModel.to_model, "DURATION", "duration"),
        (ScheduleConstraint, ScheduleConstraint.to_constraint, 3, 3),
        (ScheduleConstraint, ScheduleConstraint.to_constraint, "End", 2),
        (DependencyTarget, DependencyTarget.to_target, "onstart", "onstart"),
        (TraversalDirection, TraversalDirection.to_direction, "breadthfirst", 1),
    ],
)
def test_enum_conversions_take_values_and_names(enum_class, convert, given, expected):
    member = convert(given)
    assert isinstance(member, enum_class)
    assert member == expected
    assert f"{member}" == str(expected)


@pytest.mark.parametrize(
    ("convert", "given", "error"),
    [
        (TimeUnit.to_unit, "fortnight", ValueError),
        (ScheduleConstraint.to_constraint, 7, ValueError),
        (ScheduleModel.to_model, None, TypeError),
        (DependencyTarget.to_target, True, TypeError),
        (TraversalDirection.to_direction, 1.5, TypeError),
    ],
)
def test_enum_conversions_refuse_naming_the_members(convert, given, error):
    with pytest.raises(error) as raised:
        convert(given)
    owner = convert.__self__
    assert owner.__name__ in str(raised.value)
    assert all(member.name in str(raised.value) for member in owner)


def test_log_register_and_set_level_change_only_when_asked():
    package_logger = logging.getLogger("stalker")
    assert package_logger.level == logging.NOTSET  # the library sets no level
    assert any(isinstance(h, logging.NullHandler) for h in package_logger.handlers)
    mine = logging.getLogger("my_pipeline")
    previous = (package_logger.level, mine.level)
    try:
        stalker.log.register_logger(mine)
        stalker.log.register_logger(mine)
        stalker.log.set_level(logging.DEBUG)
        assert (package_logger.level, mine.level) == (logging.DEBUG, logging.DEBUG)
        stalker.log.set_level("warning")
        assert mine.level == logging.WARNING
    finally:
        package_logger.setLevel(previous[0])
        mine.setLevel(previous[1])
        stalker.log._registered.remove(mine)
    with pytest.raises(ValueError, match="set_level"):
        stalker.log.set_level("LOUD")
    with pytest.raises(TypeError, match="set_level"):
        stalker.log.set_level(None)
    with pytest.raises(TypeError, match="register_logger"):
        stalker.log.register_logger("my_pipeline")


def test_file_aliases_are_the_link_classes():
    assert stalker.File is stalker.Link
    assert stalker.DailyFile is stalker.DailyLink


def test_the_version_file_is_what_the_package_reports(monkeypatch):
    from pathlib import Path

    version_file = Path(stalker.__file__).with_name("VERSION")
    assert version_file.read_text().strip() == stalker.__version__
    monkeypatch.setattr(stalker, "__version__", "9.9.9")
    assert stalker.SimpleEntity(name="a").stalker_version == "9.9.9"


def test_errors_both_generations_catch(studio_db):
    from stalker import Project, Ticket, WorkingHours

    hours = WorkingHours()
    with pytest.raises(ValueError) as as_value_error:
        hours["mon"] = [[540, 600, 660]]
    assert isinstance(as_value_error.value, RuntimeError)
    assert isinstance(as_value_error.value, StalkerError)

    ticket = Ticket(project=Project(name="P", code="P"))
    with pytest.raises(ValueError) as as_circular:
        ticket.related_tickets.append(ticket)
    assert isinstance(as_circular.value, CircularDependencyError)
    assert ticket.related_tickets == []


def _library_error_classes() -> list[type]:
    import importlib
    import inspect
    import pkgutil

    found = []
    for module_info in pkgutil.walk_packages(stalker.__path__, "stalker."):
        if module_info.name.endswith(("__main__", "migrations.env")):
            continue  # scripts run by Python or by Alembic, not imported
        if ".migrations.versions." in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _, member in inspect.getmembers(module, inspect.isclass):
            public = not member.__name__.startswith("_")  # private: never escapes
            if (
                public
                and issubclass(member, BaseException)
                and member.__module__.startswith("stalker.")
            ):
                found.append(member)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_every_library_error_is_a_stalker_error():
    classes = _library_error_classes()
    assert {DeleteRefusedError, OverBookedError} <= set(classes)
    outside = [cls.__qualname__ for cls in classes if not issubclass(cls, StalkerError)]
    assert outside == []
