"""Build a small but complete studio with the ORIGINAL Stalker (0.2.28 or 1.1.x).

Run it with the Python of a virtualenv made by ``build.py`` (it imports the
original ``stalker`` package, never ours)::

    <venv>/bin/python make_source_db.py sqlite:////tmp/studio.db

Every class the legacy move carries is present at least once; the project
has a few hundred tasks with dependencies, resources, time logs and a
computed schedule written the way the original's scheduler writes it.
"""

from __future__ import annotations

import datetime
import sys
import warnings

warnings.simplefilter("ignore")

import pytz  # noqa: E402  (the original depends on it)

import stalker  # noqa: E402
from stalker import (  # noqa: E402
    Asset,
    Budget,
    BudgetEntry,
    Client,
    Daily,
    Department,
    FilenameTemplate,
    Good,
    Group,
    ImageFormat,
    Invoice,
    Note,
    Page,
    Payment,
    PriceList,
    Project,
    Repository,
    Review,
    Role,
    Scene,
    Sequence,
    Shot,
    Status,
    StatusList,
    Structure,
    Studio,
    Tag,
    Task,
    Ticket,
    TimeLog,
    Type,
    User,
    Vacation,
    Version,
)

MAJOR = int(stalker.__version__.split(".")[0])
UTC = pytz.utc
#: The schedule starts tomorrow, so that ours can reschedule it from "now".
START = datetime.datetime.combine(
    datetime.date.today() + datetime.timedelta(days=1), datetime.time(10), tzinfo=UTC
)
HORIZON = datetime.timedelta(days=180)
HISTORY = datetime.timedelta(days=30)
TASKS_PER_SHOT = 4
SHOT_COUNT = 60  # 60 shots x (1 + 4 tasks) + assets... = a few hundred tasks


def setup(url: str) -> object:
    if MAJOR >= 1:
        from stalker.db.setup import init
        from stalker.db.setup import setup as db_setup
    else:
        from stalker.db import init
        from stalker.db import setup as db_setup
    db_setup({"sqlalchemy.url": url})
    init()
    from stalker.db.session import DBSession

    return DBSession


def status_list(session: object, target: str, codes: list[str]) -> StatusList:
    found = (
        StatusList.query.filter_by(target_entity_type=target).first()  # type: ignore[attr-defined]
    )
    if found:
        return found
    statuses = [Status.query.filter_by(code=code).first() for code in codes]  # type: ignore[attr-defined]
    found = StatusList(
        name=f"{target} Statuses", target_entity_type=target, statuses=statuses
    )
    session.add(found)  # type: ignore[attr-defined]
    return found


def repository() -> Repository:
    paths = {"linux_path": "/mnt/projects", "windows_path": "P:/"}
    paths["macos_path" if MAJOR >= 1 else "osx_path"] = "/Volumes/projects"
    return Repository(name="Projects Repo", code="PR", **paths)


def structure() -> Structure:
    target = "Task"
    templates = [
        FilenameTemplate(
            name="Task Template",
            target_entity_type=target,
            path="{{project.code}}/"
            "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
            filename="{{version.nice_name}}_v{{'%03d'|format(version.version_number)}}",
        ),
        FilenameTemplate(
            name="Asset Template",
            target_entity_type="Asset",
            path="{{project.code}}/Assets/{{asset.nice_name}}",
            filename="{{asset.nice_name}}",
        ),
    ]
    return Structure(name="Studio Structure", templates=templates, custom_template="")


def build(url: str) -> None:
    session = setup(url)
    add = session.add  # type: ignore[attr-defined]
    commit = session.commit  # type: ignore[attr-defined]

    admin = User.query.filter_by(login="admin").first()  # type: ignore[attr-defined]
    studio = Studio(
        name="Legacy Studio",
        daily_working_hours=9,
        start=START - HISTORY,
        end=START + HORIZON,
    )
    studio.working_hours["sat"] = [[600, 900]]
    add(studio)

    departments = [Department(name=n) for n in ("Modeling", "Animation", "Lighting")]
    lead = Role(name="Lead")
    users = []
    for i in range(6):
        user = User(
            name=f"Artist {i}",
            login=f"artist{i}",
            email=f"artist{i}@studio.test",
            password=f"secret{i}",
            departments=[departments[i % 3]],
        )
        users.append(user)
    add(lead)
    artists = Group(name="Artists", users=users)
    add(artists)
    client = Client(name="Big Client", users=[users[0]])
    add(client)
    add(
        Vacation(
            user=users[1],
            start=START + datetime.timedelta(days=20),
            end=START + datetime.timedelta(days=25),
        )
    )
    add(
        Vacation(
            start=START + datetime.timedelta(days=40),
            end=START + datetime.timedelta(days=41),
        )
    )

    project_statuses = status_list(session, "Project", ["WIP", "CMPL"])
    for target in ("Asset", "Shot", "Sequence"):
        status_list(
            session,
            target,
            ["WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"],
        )
    if MAJOR >= 1:
        status_list(
            session,
            "Scene",
            ["WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"],
        )
        status_list(
            session,
            "Variant",
            ["WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"],
        )
    commit()

    image_format = ImageFormat(
        name="HD 1080", width=1920, height=1080, pixel_aspect=1.0
    )
    commercial = Type(name="Commercial", code="comm", target_entity_type="Project")
    char_type = Type(name="Character", code="char", target_entity_type="Asset")
    anim_type = Type(name="Animation", code="anim", target_entity_type="Task")
    tag = Tag(name="hero")
    project = Project(
        name="Legacy Project",
        code="LP",
        type=commercial,
        repositories=[repository()],
        structure=structure(),
        image_format=image_format,
        status_list=project_statuses,
        fps=24,
    )
    project.users = [*users, admin]
    project.clients = [client]
    add(project)
    commit()

    sequence = Sequence(name="SEQ001", code="SEQ001", project=project)
    if MAJOR >= 1:
        scene = Scene(name="SCN001", code="SCN001", project=project)
    else:
        scene = Scene(name="SCN001", code="SCN001", project=project)
    add(sequence)
    add(scene)
    commit()

    all_tasks = []
    asset = Asset(name="Hero", code="Hero", type=char_type, project=project, tags=[tag])
    add(asset)
    model = Task(
        name="Model",
        parent=asset,
        resources=[users[0]],
        alternative_resources=[users[3]],
        schedule_timing=3,
        schedule_unit="d",
    )
    rig = Task(
        name="Rig",
        parent=asset,
        resources=[users[3]],
        schedule_timing=2,
        schedule_unit="d",
    )
    _depend(rig, model, gap=1)
    all_tasks += [model, rig]
    # 1.x does not cascade a new child task into the session: add each one.
    add(model)
    add(rig)

    for number in range(SHOT_COUNT):
        kwargs = {
            "name": f"SH{number:03d}",
            "code": f"SH{number:03d}",
            "project": project,
            "image_format": image_format,
            "cut_in": 1001,
            "cut_out": 1001 + 24 + number,
        }
        if MAJOR >= 1:
            kwargs.update(sequence=sequence, scene=scene)
        else:
            kwargs.update(sequences=[sequence], scenes=[scene])
        shot = Shot(**kwargs)
        add(shot)
        previous = None
        for step, name in enumerate(
            ("Layout", "Animation", "Lighting", "Comp")[:TASKS_PER_SHOT]
        ):
            task = Task(
                name=name,
                parent=shot,
                type=anim_type if name == "Animation" else None,
                resources=[users[(number + step) % len(users)]],
                watchers=[admin],
                responsible=[admin],
                schedule_timing=4 + step,
                schedule_unit="h",
            )
            if previous is not None:
                _depend(
                    task,
                    previous,
                    gap=number % 3,
                    target="onend" if step % 2 else "onstart",
                )
            previous = task
            add(task)
            all_tasks.append(task)
    if MAJOR >= 1:
        from stalker import Variant

        variant = Variant(
            name="Red",
            parent=asset,
            resources=[users[2]],
            schedule_timing=1,
            schedule_unit="d",
        )
        add(variant)
        all_tasks.append(variant)
    commit()

    _schedule(project, all_tasks, studio)
    _work(session, project, all_tasks, users, admin)
    _money(session, project, client, users)
    commit()
    print(
        f"built a studio of stalker {stalker.__version__} "
        f"with {len(all_tasks)} leaf tasks"
    )


def _depend(task: Task, other: Task, gap: int = 0, target: str = "onend") -> None:
    if MAJOR >= 1:
        task.depends_on = [other]
        dependency = task.task_depends_on[0]
    else:
        task.depends = [other]
        dependency = task.task_depends_to[0]
    dependency.dependency_target = target
    dependency.gap_timing = gap
    dependency.gap_unit = "h"
    dependency.gap_model = "length"


def _schedule(project: Project, tasks: list[Task], studio: Studio) -> None:
    """Write the computed schedule as the original's TaskJuggler run does."""
    cursor = {}
    end = START
    for index, task in enumerate(tasks):
        resource = task.resources[0]
        begin = cursor.get(resource.id, START)
        finish = begin + datetime.timedelta(hours=4 + index % 5)
        task.computed_start = begin
        task.computed_end = finish
        task.computed_resources = list(task.resources)
        cursor[resource.id] = finish
        end = max(end, finish)
    project.computed_start = START
    project.computed_end = end
    studio.computed_start = START
    studio.computed_end = end
    studio.last_scheduled_at = end
    studio.last_scheduled_by = project.users[0]
    studio.last_schedule_message = "scheduled by make_source_db.py"


def _work(
    session: object, project: Project, tasks: list[Task], users: list[User], admin: User
) -> None:
    add = session.add  # type: ignore[attr-defined]
    logged = [t for t in tasks if t.status.code in ("RTS", "WIP")][:20]
    for index, task in enumerate(logged):
        # work already done: logged in the past, one after the other
        start = START - datetime.timedelta(days=3) + datetime.timedelta(hours=2 * index)
        add(
            TimeLog(
                task=task,
                resource=task.resources[0],
                start=start,
                end=start + datetime.timedelta(hours=2),
            )
        )
    versions = []
    for task in tasks[:30]:
        for _ in range(2):
            if MAJOR >= 1:
                from stalker import File

                version = Version(task=task)
                path = version.generate_path()
                version.files.append(
                    File(
                        full_path=f"{path}.ma",
                        original_filename="scene.ma",
                        created_with="Maya",
                    )
                )
            else:
                version = Version(task=task, created_with="Maya")
                version.update_paths()
                version.extension = ".ma"
            add(version)
            session.commit()  # type: ignore[attr-defined]  (numbers the next)
            versions.append(version)
        if MAJOR >= 1:
            revised = Version(task=task, revision_number=2)
            add(revised)
            versions.append(revised)
    session.commit()  # type: ignore[attr-defined]
    reviewed = tasks[0]
    reviewed.status = Status.query.filter_by(code="WIP").first()  # type: ignore[attr-defined]
    add(Review(task=reviewed, reviewer=admin, description="looks good"))
    daily = Daily(name="Daily 1", project=project)
    if MAJOR >= 1:
        daily.files = list(versions[0].files)
    else:
        daily.links = [versions[0]]
    add(daily)
    note = Note(content="remember the wind", created_by=admin)
    tasks[1].notes.append(note)
    ticket = Ticket(
        project=project,
        summary="broken rig",
        description="the arm flips",
        reported_by=users[0],
        links=[tasks[1]],
    )
    add(ticket)
    session.commit()  # type: ignore[attr-defined]
    ticket.resolve(admin, "fixed")
    add(Page(title="Pipeline", content="how we work", project=project))


def _money(
    session: object, project: Project, client: Client, users: list[User]
) -> None:
    add = session.add  # type: ignore[attr-defined]
    good = Good(name="Animation Second", cost=100, msrp=150, unit="s", client=client)
    price_list = PriceList(name="2024 Prices", goods=[good])
    budget_statuses = status_list(session, "Budget", ["WIP", "CMPL"])
    budget = Budget(name="Season Budget", project=project, status_list=budget_statuses)
    entry = BudgetEntry(
        budget=budget, good=good, amount=10, cost=100, msrp=150, price=1500, unit="s"
    )
    invoice = Invoice(budget=budget, client=client, amount=1500, unit="USD")
    payment = Payment(invoice=invoice, amount=500, unit="USD")
    for item in (good, price_list, budget, entry, invoice, payment):
        add(item)


if __name__ == "__main__":
    build(sys.argv[1])
