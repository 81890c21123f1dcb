"""Property: wrong values never crash, never half-write, same on both backends.

Hypothesis feeds wrong types and values to the constructors and setters of
the public classes (issue 16, acceptance). For every call:

* only TypeError, ValueError or a ``stalker.exceptions`` class escapes;
* a refused call leaves every table as it was and the session committable;
* an accepted value is one the database stores (the flush succeeds);
* SQLite and PostgreSQL refuse the same calls (outcomes are compared by key
  once both backends ran; the examples are derandomised, so both see them).
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stalker.exceptions
from stalker import (
    Asset,
    Client,
    Department,
    EntityGroup,
    FilenameTemplate,
    Good,
    Group,
    ImageFormat,
    Link,
    Note,
    Page,
    Project,
    Repository,
    Role,
    Sequence,
    Shot,
    Status,
    Structure,
    Tag,
    Task,
    TaskDependency,
    Ticket,
    Type,
    User,
    Vacation,
    WorkingHours,
)
from tests.factories import make_user
from tests.models.test_refusals import dump
from tests.task_factories import TaskWorld, dt

STALKER_ERRORS = tuple(
    value
    for value in vars(stalker.exceptions).values()
    if isinstance(value, type) and issubclass(value, Exception)
)
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    TypeError,
    ValueError,
    *STALKER_ERRORS,
)

BAD_VALUES: dict[str, Any] = {
    "none": None,
    "empty": "",
    "blank": "   ",
    "nul": "a\x00b",
    "surrogate": "a\ud800",
    "long": "x" * 300,
    "nan": math.nan,
    "inf": math.inf,
    "negative": -1,
    "huge-int": 2**40,
    "bool": True,
    "float": 2.5,
    "object": object(),
    "int-list": [1, 2],
    "dict": {"a": 1},
    "bytes": b"raw",
    "date": datetime.date(2013, 4, 17),
    "naive": datetime.datetime(2013, 4, 17, 10),
    "negative-delta": datetime.timedelta(hours=-1),
    "huge-delta": datetime.timedelta(days=10**6),
}


@dataclass
class Spec:
    """How to build a valid instance and which attributes to fuzz."""

    build: Callable[[Any], Any]
    attrs: tuple[str, ...]
    saved: str | None = None  # name of a saved instance in the world


def _specs() -> dict[str, Spec]:
    return {
        "Task": Spec(
            lambda w: {"name": "t", "parent": w.parent},
            (
                "name",
                "priority",
                "schedule_timing",
                "schedule_unit",
                "bid_timing",
                "start",
                "end",
                "duration",
                "resources",
                "depends_on",
                "description",
                "is_milestone",
                "allocation_strategy",
            ),
            "task",
        ),
        "Project": Spec(
            lambda w: {"name": "P2", "code": "P2"},
            (
                "name",
                "code",
                "fps",
                "repositories",
                "users",
                "is_stereoscopic",
                "description",
                "start",
                "end",
            ),
            "project",
        ),
        "Repository": Spec(
            lambda w: {"name": "R2", "code": "R2", "linux_path": "/mnt/r2"},
            ("code", "linux_path", "windows_path", "macos_path"),
            "repository",
        ),
        "User": Spec(
            lambda w: {
                "name": "u2",
                "login": "u2",
                "email": "u2@x.com",
                "password": "p",
            },
            (
                "name",
                "login",
                "email",
                "password",
                "departments",
                "groups",
                "efficiency",
                "rate",
            ),
            "user",
        ),
        "Department": Spec(lambda w: {"name": "D2"}, ("name", "users"), "department"),
        "Client": Spec(lambda w: {"name": "C2"}, ("name", "users", "goods")),
        "Tag": Spec(lambda w: {"name": "tag2"}, ("name", "description")),
        "Type": Spec(
            lambda w: {"name": "T", "code": "T", "target_entity_type": "Asset"},
            ("name", "code", "target_entity_type"),
        ),
        "Status": Spec(lambda w: {"name": "S", "code": "S"}, ("name", "code")),
        "Structure": Spec(
            lambda w: {"name": "St"}, ("name", "custom_template", "templates")
        ),
        "FilenameTemplate": Spec(
            lambda w: {
                "name": "FT",
                "target_entity_type": "Asset",
                "path": "a",
                "filename": "b",
            },
            ("path", "filename", "target_entity_type"),
        ),
        "ImageFormat": Spec(
            lambda w: {"name": "HD", "width": 1920, "height": 1080},
            ("width", "height", "pixel_aspect", "print_resolution"),
        ),
        "Link": Spec(
            lambda w: {"full_path": "/a/b.png"}, ("full_path", "original_filename")
        ),
        "Note": Spec(lambda w: {"content": "x"}, ("content",)),
        "Good": Spec(lambda w: {"name": "G"}, ("cost", "msrp", "unit", "client")),
        "Group": Spec(lambda w: {"name": "Gr"}, ("name", "users", "permissions")),
        "Role": Spec(lambda w: {"name": "Ro"}, ("name",)),
        "EntityGroup": Spec(lambda w: {"name": "EG"}, ("entities",)),
        "Vacation": Spec(
            lambda w: {"user": w.user, "start": dt(2030, 1, 1), "end": dt(2030, 1, 2)},
            ("user", "start", "end", "duration"),
        ),
        "TaskDependency": Spec(
            lambda w: {"task": w.task, "depends_on": w.other},
            ("dependency_target", "gap_timing", "gap_unit", "gap_model", "depends_on"),
        ),
        "Shot": Spec(
            lambda w: {"code": "SH2", "project": w.project},
            ("code", "cut_in", "cut_out", "fps", "sequences", "image_format"),
        ),
        "Sequence": Spec(
            lambda w: {"name": "Sq", "code": "Sq", "project": w.project}, ("code",)
        ),
        "Asset": Spec(
            lambda w: {"name": "A", "code": "A", "project": w.project},
            ("code", "type"),
        ),
        "Ticket": Spec(
            lambda w: {"project": w.project}, ("summary", "priority", "project")
        ),
        "Page": Spec(
            lambda w: {"title": "Pg", "project": w.project}, ("title", "content")
        ),
        "WorkingHours": Spec(lambda w: {}, ("working_hours", "daily_working_hours")),
    }


SPECS = _specs()
CLASSES = {cls.__name__: cls for cls in (
    Asset, Client, Department, EntityGroup, FilenameTemplate, Good, Group,
    ImageFormat, Link, Note, Page, Project, Repository, Role, Sequence, Shot,
    Status, Structure, Tag, Task, TaskDependency, Ticket, Type, User, Vacation,
    WorkingHours,
)}  # fmt: skip
CASES = [
    (name, attr, mode)
    for name, spec in SPECS.items()
    for attr in spec.attrs
    for mode in (("construct", "set") if spec.saved else ("construct",))
]

_outcomes: dict[str, dict[tuple[str, ...], str]] = {}


class World:
    """The saved objects every example builds on."""

    def __init__(self, session: Any) -> None:
        world = TaskWorld(session)
        self.project = world.project
        self.repository = Repository(name="R", code="R", linux_path="/mnt/r")
        self.project.repositories = [self.repository]
        self.parent = world.task("SH010")
        self.task = world.task("A")
        self.other = world.task("B")
        self.user = make_user("artist")
        self.department = Department(name="D")
        session.add_all([self.project, self.user, self.department])
        session.commit()


@pytest.fixture
def world(session: Any) -> World:
    return World(session)


def _attempt(session: Any, world: World, case: tuple[str, str, str], bad: Any) -> str:
    name, attr, mode = case
    spec = SPECS[name]
    if mode == "construct":
        kwargs = {**spec.build(world), attr: bad}
        obj = CLASSES[name](**kwargs)
        session.add(obj)
    else:
        setattr(getattr(world, spec.saved), attr, bad)
    return "accepted"


@settings(
    max_examples=int(os.environ.get("STALKER_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case=st.sampled_from(CASES),
    bad_name=st.sampled_from(sorted(BAD_VALUES)),
)
def test_wrong_values_are_refused_whole_or_stored(
    session, world, backend, case, bad_name
):
    before = dump(session)
    try:
        outcome = _attempt(session, world, case, BAD_VALUES[bad_name])
    except EXPECTED_ERRORS as error:
        outcome = type(error).__name__
        session.commit()  # nothing half-done is left to write
        assert dump(session) == before, f"{case} with {bad_name} changed the tables"
    else:
        session.flush()  # what was accepted, the database stores
        session.rollback()
    key = (*case, bad_name)
    _outcomes.setdefault(backend, {})[key] = outcome
    for other, outcomes in _outcomes.items():
        if other != backend and key in outcomes:
            assert outcomes[key] == outcome, (
                f"{key}: {other} {outcomes[key]}, {backend} {outcome}"
            )
