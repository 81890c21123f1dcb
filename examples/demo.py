"""The main job on an embedded SQLite file: set up a studio's first data.

Run with ``make demo``. It creates (or reuses) ``demo_studio/studio.db``,
initialises it, adds a department and its users, a commercial with one shot
and its dependent tasks, a repository, structure and filename template with
three versions of the comp task, reads everything back from the database and
prints it, then schedules the commercial (TaskJuggler when tj3 is installed,
the native scheduler otherwise) and prints the computed dates, and ends by
writing the studio's HTML schedule report next to the database.  Running it
again reuses what the first run stored (upgrading the file's schema when an
earlier version of Stalker made it).
"""

from __future__ import annotations

import datetime
import pathlib

from sqlalchemy import select

from stalker import (
    Department,
    FilenameTemplate,
    Group,
    Project,
    Repository,
    Sequence,
    Shot,
    StatusList,
    Structure,
    Studio,
    Task,
    User,
    Version,
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


def build_asset_management() -> None:
    """Tutorial Part VI: where the comp task's files live, and three versions."""
    project = Project.query.filter_by(code="FC").one()
    if project.structure is None:
        repo = Repository(name="Commercial Repository", code="CR")
        repo.linux_path = "/mnt/M/commercials"
        repo.macos_path = "/Volumes/M/commercials"
        repo.windows_path = "M:/commercials"
        project.repositories.append(repo)
        task_template = FilenameTemplate(
            name="Task Template for Commercials",
            target_entity_type="Task",
            path="$REPO{{project.repository.id}}/{{project.code}}/"
            "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
            filename='{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}',
        )
        project.structure = Structure(
            name="Commercial Projects Structure",
            templates=[task_template],
            custom_template="Temp\nReferences\nReferences/Movies\nReferences/Images",
        )
        DBSession.commit()
    comp = Task.query.filter_by(project=project, name="Comp").one()
    while len(comp.versions) < 3:
        version = Version(task=comp)
        version.update_paths()
        DBSession.commit()  # the next version is numbered after this one


def report_versions() -> None:
    project = Project.query.filter_by(code="FC").one()
    print(f"versions (repository root here: {project.repository.path}):")
    tasks = Task.__table__
    task_ids = select(tasks.c.id).where(tasks.c.project_id == project.id)
    versions = Version.query.filter(Version.task_id.in_(task_ids))
    for version in versions.order_by(Version.id):
        print(f"  {version!r} v{version.version_number}: {version.full_path}")
        print(f"    -> {version.absolute_full_path}")


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


def schedule_production() -> None:
    """Plan the work with the default scheduler: tj3 if installed, else native."""
    studio = Studio.query.one()
    admin = User.query.filter_by(login="admin").one()
    studio.duration = datetime.timedelta(days=365)  # as the tutorial does
    try:
        studio.schedule(scheduled_by=admin)
    finally:
        DBSession.commit()  # the studio records a failure too; dates stay as they were
    engine = type(studio.scheduler).__name__  # the default schedule() chose
    print(f"schedule ({engine}): {studio.last_schedule_message or 'done'}")
    project = Project.query.filter_by(code="FC").one()
    for task in sorted(project.tasks, key=lambda task: task.id):
        if task.is_leaf and task.computed_start is not None:
            users = ", ".join(user.login for user in task.computed_resources)
            print(
                f"  {task.name:<10} {task.computed_start:%Y-%m-%d %H:%M} -> "
                f"{task.computed_end:%Y-%m-%d %H:%M}  {users}"
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
    # the demo owns its file: one made by an earlier version is upgraded
    db.setup({"sqlalchemy.url": f"sqlite:///{DATABASE}", "stalker.auto_upgrade": True})
    db.init()
    build_studio()
    build_production()
    build_asset_management()
    report()
    report_production()
    report_versions()
    schedule_production()
    write_schedule_report()


def write_schedule_report() -> None:
    """The studio's HTML schedule report (same as ``stalker report -o ...``)."""
    from stalker.reports import write_report

    target = DATABASE.parent / "schedule_report.html"
    count = write_report(DBSession(), target)
    DBSession.rollback()
    print(f"schedule report ({count} tasks): {target}")
    print(f"  open it in a browser: {target.as_uri()}")


if __name__ == "__main__":
    main()
