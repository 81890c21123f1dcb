"""Builders shared by the interchange tests (projects, users, a shot template)."""

from __future__ import annotations

from typing import Any

import pytest

from stalker import Department, Project, Repository, Sequence, Shot
from stalker.interchange import TaskSpec, TaskTemplate
from tests.factories import make_user

SHOT_CHAIN = [
    TaskSpec("Layout", type="Layout", schedule_timing=2, schedule_unit="d"),
    TaskSpec(
        "Animation",
        type="Animation",
        schedule_timing=5,
        schedule_unit="d",
        depends_on=("Layout",),
        resources=("anim1",),
    ),
    TaskSpec("FX", depends_on=("Animation",), department="FX Dept"),
    TaskSpec("Lighting", depends_on=("Animation",), schedule_timing=3),
    TaskSpec("Comp", type="Comp", depends_on=("FX", "Lighting"), priority=700),
]


@pytest.fixture
def studio(session: Any) -> dict[str, Any]:
    """A project, three users, an FX department and the shot template, committed."""
    users = {login: make_user(login) for login in ("anim1", "anim2", "fx1")}
    department = Department(name="FX Dept", users=[users["fx1"]])
    project = Project(
        name="Flying Circus",
        code="FC",
        repositories=[Repository(name="Projects", code="PRJ")],
        fps=24,
    )
    template = TaskTemplate(name="Shot Chain", tasks=SHOT_CHAIN)
    session.add_all([project, department, template, *users.values()])
    session.commit()
    return {"project": project, "users": users, "template": template}


def shot(project: Project, code: str = "SH010", **kwargs: Any) -> Shot:
    if "sequences" not in kwargs:
        kwargs["sequences"] = [Sequence(name="SEQ", code="SEQ", project=project)]
    return Shot(code=code, project=project, **kwargs)
