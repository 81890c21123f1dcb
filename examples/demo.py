"""The main job on an embedded SQLite file: set up a studio's first data.

Run with ``make demo``. It creates (or reuses) ``demo_studio/studio.db``,
initialises it, adds a department and its users, a commercial with one shot
and its dependent tasks, then reads everything back from the database and
prints it.
"""

from __future__ import annotations

import pathlib

from stalker import (
    Department,
    Group,
    Project,
    Sequence,
    Shot,
    StatusList,
    Studio,
    Task,
    User,
    db,
)
from stalker.db.session import DBSession

DATABASE = pathlib.Path(__file__).resolve().parent.parent / "demo_studio" / "studio.db"


def get_or_create_user(name: str, login: str, email: str) -> User:
    """Reuse the user of an earlier run so the demo can run again."""
    user = User.query.filter_by(login=login).first()
    if user is None:
        user = User(name=name, login=login, email=email, password="change me")
    return user


def build_studio() -> None:
    admin = User.query.filter_by(login="admin").one()
    if Studio.query.first() is None:
        DBSession.add(Studio(name="My Great Studio", created_by=admin))
    tds = Department.query.filter_by(name="TDs").first() or Department(
        name="TDs", created_by=admin
    )
    me = get_or_create_user("Erkan Ozgur Yilmaz", "eoyilmaz", "eoyilmaz@gmail.com")
    lead = get_or_create_user("Lena Park", "lpark", "lena@studio.example")
    tds.users.append(me)
    me.departments.append(tds)  # the seed's double append stays one membership
    tds.users.append(lead)
    DBSession.save([tds, me, lead])


def build_production() -> None:
    """The tutorial shot: previs and matchmove feed anim -> lighting -> comp."""
    if Project.query.filter_by(code="FC").first() is not None:
        return
    me = User.query.filter_by(login="eoyilmaz").one()
    project = Project(name="Fancy Commercial", code="FC", users=[me])
    seq1 = Sequence(name="Sequence 1", code="SEQ1", project=project)
    sh001 = Shot(name="SH001", code="SH001", project=project, sequences=[seq1])
    timings = {
        "Previs": (10, "d"),
        "Matchmove": (2, "d"),
        "Animation": (5, "d"),
        "Lighting": (3, "d"),
        "Comp": (6, "h"),
    }
    tasks = {
        name: Task(
            name=name,
            parent=sh001,
            resources=[me],
            schedule_timing=timing,
            schedule_unit=unit,
        )
        for name, (timing, unit) in timings.items()
    }
    tasks["Comp"].depends_on = [tasks["Lighting"]]
    tasks["Lighting"].depends_on = [tasks["Animation"]]
    tasks["Animation"].depends_on = [tasks["Previs"], tasks["Matchmove"]]
    DBSession.save([project])


def report_production() -> None:
    project = Project.query.filter_by(code="FC").one()
    print(f"project {project.name} ({project.code}):")
    for root in project.root_tasks:
        for task in root.walk_hierarchy():
            indent = "  " * task.level
            depends = ", ".join(t.name for t in task.depends_on)
            after = f" after {depends}" if depends else ""
            print(
                f"{indent}{task.name} [{task.entity_type}] {task.status.code} "
                f"{task.schedule_timing:g}{task.schedule_unit}{after}"
            )


def report() -> None:
    print(f"database: {DATABASE}")
    studio = Studio.query.one()
    hours = studio.working_hours
    print(
        f"studio {studio.name}: {hours.weekly_working_hours:g} working hours a week, "
        f"timing resolution {studio.timing_resolution}"
    )
    for department in Department.query.order_by(Department.id):
        members = ", ".join(repr(user) for user in department.users)
        print(f"department {department.name}: {members}")
    for group in Group.query.order_by(Group.id):
        print(f"group {group.name}: {', '.join(u.login for u in group.users)}")
    for status_list in StatusList.query.order_by(StatusList.id):
        codes = " ".join(status.code for status in status_list.statuses)
        print(f"{status_list.name:<18} ({status_list.target_entity_type}): {codes}")


def main() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    db.setup({"sqlalchemy.url": f"sqlite:///{DATABASE}"})
    db.init()
    build_studio()
    build_production()
    report()
    report_production()


if __name__ == "__main__":
    main()
