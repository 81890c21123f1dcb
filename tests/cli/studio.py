"""A small studio to drive the command and the report with (both backends).

Ann models then does the lookdev (so the lookdev waits for a busy resource),
Bob rigs after the modelling (so the rigging waits for a dependency); Ann
has already logged two hours of modelling.
"""

from __future__ import annotations

import datetime
from typing import Any

UTC = datetime.timezone.utc


def last_monday(hour: int = 10) -> datetime.datetime:
    today = datetime.datetime.now(UTC).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return today - datetime.timedelta(days=today.weekday() + 7)


def studio_now() -> datetime.datetime:
    """The studio's "now", a Wednesday 10:00 UTC of last week.

    Tests plan from it rather than from the clock: from the current time a
    plan moves when the clock passes a slot between two runs, and on a
    Thursday afternoon the lookdev runs over a weekend.
    """
    return last_monday() + datetime.timedelta(days=2)


def build_small_studio(settings: dict[str, Any]) -> dict[str, int]:
    """Create the studio in the database of ``settings`` (set up and initialised)."""
    from stalker import Project, Studio, Task, TimeLog, User, db
    from stalker.db.session import DBSession

    db.setup(settings)
    db.init()
    session = DBSession()
    monday = last_monday()
    studio = Studio(name="CLI Studio", now=studio_now())
    studio.start = monday - datetime.timedelta(days=7)
    studio.end = monday + datetime.timedelta(days=120)
    ann = User(name="Ann", login="ann", email="ann@example.com", password="pw-ann-1")
    bob = User(name="Bob", login="bob", email="bob@example.com", password="pw-bob-1")
    project = Project(name="Film", code="FLM")
    modelling = Task(
        name="Modelling",
        project=project,
        resources=[ann],
        schedule_timing=12,
        schedule_unit="h",
    )
    lookdev = Task(
        name="Lookdev",
        project=project,
        resources=[ann],
        schedule_timing=6,
        schedule_unit="h",
    )
    rigging = Task(
        name="Rigging",
        project=project,
        resources=[bob],
        depends_on=[modelling],
        schedule_timing=4,
        schedule_unit="h",
    )
    session.add_all([studio, ann, bob, project, modelling, lookdev, rigging])
    session.flush()
    session.add(
        TimeLog(
            task=modelling,
            resource=ann,
            start=monday,
            end=monday + datetime.timedelta(hours=2),
        )
    )
    session.commit()
    ids = {
        "project": project.id,
        "modelling": modelling.id,
        "lookdev": lookdev.id,
        "rigging": rigging.id,
    }
    DBSession.remove()
    return ids
