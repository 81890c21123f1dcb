"""Stalker's ORM paths against a bare SQLAlchemy control of the same shape.

Absolute times on a shared machine move by 1.5x from run to run; the ratio
of two figures taken in the same process, interleaved, does not.  So every
figure here is timed twice, side by side: once through Stalker and once
through a control model that this module declares itself with plain
SQLAlchemy declarative classes (no Stalker code): the same joined-table
inheritance (SimpleEntities -> Entities -> Tasks -> Shots, ... -> Links ->
Versions), the same columns, indexes, foreign keys and the relationships the
measured paths touch, with SQLAlchemy's default inheritance joins (one
condition per level, the layout of the original Stalker).

Both databases get the same data: the production of ``bench_tasks`` (shots
with five dependent tasks, assets with three, one resource each, 50 users)
at 1k and 10k tasks (``STALKER_BENCH_ORM_TASKS`` overrides), a project with
a repository and a filename template.  Figures, each a median of
interleaved runs (Stalker, control, Stalker, ...), every lookup cold (the
session emptied before each run, each key looked up once per run):

- ``task_by_id``: ``session.get`` of 200 tasks
- ``status_by_code``, ``user_by_login``, ``user_by_name``, ``shot_by_code``:
  a filtered ``select`` returning one object
- ``tasks_of_user_in_project``: a user's tasks in the project (~160 rows)
- ``create_commit``: the whole production built and committed (Stalker's
  constructors with their validation and its flush path, the control's
  objects through SQLAlchemy's unit of work)
- ``publish``: versions of a shot task created, their paths rendered from
  the template and committed one by one, default session settings (every
  commit expires the session)

Targets (issue 20): lookups <= 1.3x the control, a user's tasks <= 1.5x,
create+commit <= 1.0x, publish <= 1.5x.

Stalker's own hooks on SQLAlchemy's ``Session`` class also see the control's
sessions; they return at once for objects that are not Stalker's (the bulk
flush included).  On PostgreSQL both databases are ANALYZEd after the fill;
on SQLite nothing runs ANALYZE for the control (bare SQLAlchemy does not),
while Stalker refreshes its statistics after a big flush.

SQLite always; PostgreSQL when ``STALKER_BENCH_PG=1`` (private server) or
``STALKER_BENCH_PG_URL``; there the control lives in its own schema of the
same database.  Run as a script it writes ``results/orm_<backend>.json``.
"""

from __future__ import annotations

import datetime
import json
import os
import posixpath
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from bench_tasks import ASSET_TASKS, SHOT_TASKS, SHOTS_PER_SEQUENCE, START, USER_COUNT
from bench_tasks import build_production as build_stalker_production
from common import backends, fresh_studio
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
)

import stalker
from stalker import (
    FilenameTemplate,
    Project,
    Repository,
    Shot,
    Status,
    Structure,
    Task,
    User,
    Version,
)
from stalker.db.session import DBSession

HERE = Path(__file__).resolve().parent
TARGETS = {
    "task_by_id": 1.3,
    "status_by_code": 1.3,
    "user_by_login": 1.3,
    "user_by_name": 1.3,
    "shot_by_code": 1.3,
    "tasks_of_user_in_project": 1.5,
    "create_commit": 1.0,
    "publish": 1.5,
}
#: interleaved runs of each lookup, of create+commit and of the publish
#: (``STALKER_BENCH_ORM_RUNS`` overrides all three, e.g. 1 for a smoke test)
LOOKUP_REPEAT = 15
CREATE_REPEAT = 3
PUBLISH_REPEAT = 3
TEMPLATE_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TEMPLATE_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'


def _sizes() -> list[int]:
    text_ = os.environ.get("STALKER_BENCH_ORM_TASKS", "1000,10000")
    return [int(size) for size in text_.split(",") if size.strip()]


def _runs(default: int) -> int:
    return int(os.environ.get("STALKER_BENCH_ORM_RUNS", default))


def _publish_count() -> int:
    return int(os.environ.get("STALKER_BENCH_ORM_VERSIONS", "100"))


# --------------------------------------------------------------------------
# The control: plain SQLAlchemy, the same tables


class CBase(DeclarativeBase):
    pass


def _link(name: str, left: str, right: str, *extra: Column[Any]) -> Table:
    return Table(
        name,
        CBase.metadata,
        Column(
            left.split(".")[0],
            Integer,
            ForeignKey(left.split(".", 1)[1]),
            primary_key=True,
        ),
        Column(
            right.split(".")[0],
            Integer,
            ForeignKey(right.split(".", 1)[1]),
            primary_key=True,
            index=True,
        ),
        *extra,
    )


_NICE = re.compile(r"[^a-zA-Z0-9_\-@]+")


class CSimpleEntity(CBase):
    __tablename__ = "SimpleEntities"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="")
    generic_text: Mapped[str] = mapped_column(Text, default="")
    entity_type: Mapped[str] = mapped_column(String(128), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id", use_alter=True, name="fk_c_created_by"), index=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id", use_alter=True, name="fk_c_updated_by"), index=True
    )
    date_created: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    date_updated: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    type_id: Mapped[int | None] = mapped_column(
        ForeignKey("Types.id", use_alter=True, name="fk_c_type"), index=True
    )
    thumbnail_id: Mapped[int | None] = mapped_column(
        ForeignKey("Links.id", use_alter=True, name="fk_c_thumbnail"), index=True
    )
    html_style: Mapped[str] = mapped_column(String(64), default="")
    html_class: Mapped[str] = mapped_column(String(64), default="")
    stalker_version: Mapped[str | None] = mapped_column(String(256))

    created_by: Mapped[CUser | None] = relationship(
        primaryjoin="CSimpleEntity.created_by_id == CUser.id",
        post_update=True,
        back_populates="entities_created",
    )
    updated_by: Mapped[CUser | None] = relationship(
        primaryjoin="CSimpleEntity.updated_by_id == CUser.id",
        post_update=True,
        back_populates="entities_updated",
    )
    type: Mapped[CType | None] = relationship(
        primaryjoin="CSimpleEntity.type_id == CType.id", post_update=True
    )
    __mapper_args__ = {"polymorphic_on": "entity_type", "polymorphic_identity": "SE"}

    def __init__(self, **kwargs: Any) -> None:
        now = datetime.datetime.now(datetime.timezone.utc)
        kwargs.setdefault("date_created", now)
        kwargs.setdefault("date_updated", now)
        kwargs.setdefault("stalker_version", "control")
        super().__init__(**kwargs)

    @property
    def nice_name(self) -> str:
        return _NICE.sub("", self.name.strip().replace(" ", "_"))


class CEntity(CSimpleEntity):
    __tablename__ = "Entities"
    id: Mapped[int] = mapped_column(ForeignKey("SimpleEntities.id"), primary_key=True)
    __mapper_args__ = {"polymorphic_identity": "Entity"}


class CType(CEntity):
    __tablename__ = "Types"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(256))
    target_entity_type: Mapped[str] = mapped_column(String(128), index=True)
    __mapper_args__ = {"polymorphic_identity": "Type"}


class CStatus(CEntity):
    __tablename__ = "Statuses"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(256))
    __mapper_args__ = {"polymorphic_identity": "Status"}


Control_StatusList_Statuses = _link(
    "StatusList_Statuses", "status_list_id.StatusLists.id", "status_id.Statuses.id"
)


class CStatusList(CEntity):
    __tablename__ = "StatusLists"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    target_entity_type: Mapped[str] = mapped_column(String(128), index=True)
    statuses: Mapped[list[CStatus]] = relationship(
        secondary=Control_StatusList_Statuses
    )
    __mapper_args__ = {"polymorphic_identity": "StatusList"}


class CUser(CEntity):
    __tablename__ = "Users"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    login: Mapped[str] = mapped_column(String(256), unique=True)
    email: Mapped[str] = mapped_column(String(256), unique=True)
    password: Mapped[str] = mapped_column(String(256))
    efficiency: Mapped[float] = mapped_column(Float, default=1.0)
    rate: Mapped[float] = mapped_column(Float, default=0.0)
    timezone: Mapped[str | None] = mapped_column(String(64))
    __mapper_args__ = {"polymorphic_identity": "User"}


class CLink(CEntity):
    __tablename__ = "Links"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    full_path: Mapped[str] = mapped_column(Text, default="")
    original_filename: Mapped[str | None] = mapped_column(String(256))
    __mapper_args__ = {"polymorphic_identity": "Link"}


class CRepository(CEntity):
    __tablename__ = "Repositories"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    linux_path: Mapped[str] = mapped_column(String(256))
    windows_path: Mapped[str] = mapped_column(String(256), default="")
    macos_path: Mapped[str] = mapped_column(String(256), default="")
    code: Mapped[str] = mapped_column(String(256))
    __mapper_args__ = {"polymorphic_identity": "Repository"}


class CFilenameTemplate(CEntity):
    __tablename__ = "FilenameTemplates"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    target_entity_type: Mapped[str] = mapped_column(String(128))
    __mapper_args__ = {"polymorphic_identity": "FilenameTemplate"}


Control_Structure_Templates = _link(
    "Structure_FilenameTemplates",
    "structure_id.Structures.id",
    "filenametemplate_id.FilenameTemplates.id",
)


class CStructure(CEntity):
    __tablename__ = "Structures"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    custom_template: Mapped[str] = mapped_column(Text, default="")
    templates: Mapped[list[CFilenameTemplate]] = relationship(
        secondary=Control_Structure_Templates
    )
    __mapper_args__ = {"polymorphic_identity": "Structure"}


Control_Project_Repositories = _link(
    "Project_Repositories",
    "project_id.Projects.id",
    "repository_id.Repositories.id",
    Column("position", Integer),
)


class CProject(CEntity):
    __tablename__ = "Projects"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("Structures.id"), index=True
    )
    image_format_id: Mapped[int | None] = mapped_column(
        ForeignKey("ImageFormats.id"), index=True
    )
    fps: Mapped[float] = mapped_column(Float, default=25.0)
    is_stereoscopic: Mapped[bool] = mapped_column(Boolean, default=False)
    status_id: Mapped[int | None] = mapped_column(ForeignKey("Statuses.id"), index=True)
    status_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("StatusLists.id"), index=True
    )
    start: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    duration: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    computed_start: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    computed_end: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    code: Mapped[str] = mapped_column(String(256))
    structure: Mapped[CStructure | None] = relationship(
        primaryjoin="CProject.structure_id == CStructure.id"
    )
    status: Mapped[CStatus | None] = relationship(
        primaryjoin="CProject.status_id == CStatus.id"
    )
    status_list: Mapped[CStatusList | None] = relationship(
        primaryjoin="CProject.status_list_id == CStatusList.id"
    )
    repositories: Mapped[list[CRepository]] = relationship(
        secondary=Control_Project_Repositories,
        order_by=Control_Project_Repositories.c.position,
    )
    __mapper_args__ = {"polymorphic_identity": "Project"}

    @property
    def repository(self) -> CRepository | None:
        return self.repositories[0] if self.repositories else None


Control_Task_Resources = _link(
    "Task_Resources", "task_id.Tasks.id", "resource_id.Users.id"
)


class CTaskDependency(CBase):
    __tablename__ = "Task_Dependencies"
    task_id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("Tasks.id"), primary_key=True, index=True
    )
    dependency_target: Mapped[str] = mapped_column(String(7), default="onend")
    gap_timing: Mapped[float] = mapped_column(Float, default=0)
    gap_unit: Mapped[str] = mapped_column(String(3), default="h")
    gap_model: Mapped[str] = mapped_column(String(8), default="length")
    gap_constraint: Mapped[int] = mapped_column(Integer, default=0)
    task: Mapped[CTask] = relationship(
        foreign_keys=[task_id], back_populates="task_depends_on"
    )
    depends_on: Mapped[CTask] = relationship(
        foreign_keys=[depends_on_id], back_populates="task_dependent_of"
    )


class CTask(CEntity):
    __tablename__ = "Tasks"
    id: Mapped[int] = mapped_column(ForeignKey("Entities.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("Projects.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=500)
    allocation_strategy: Mapped[str] = mapped_column(String(12), default="minallocated")
    persistent_allocation: Mapped[bool] = mapped_column(Boolean, default=True)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    review_number: Mapped[int] = mapped_column(Integer, default=0)
    bid_timing: Mapped[float] = mapped_column(Float)
    bid_unit: Mapped[str] = mapped_column(String(3))
    schedule_seconds: Mapped[int] = mapped_column(Integer)
    total_logged_seconds: Mapped[int] = mapped_column(Integer, default=0)
    good_id: Mapped[int | None] = mapped_column(ForeignKey("Goods.id"), index=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("Statuses.id"), index=True)
    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("StatusLists.id"), index=True
    )
    start: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    duration: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    computed_start: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    computed_end: Mapped[datetime.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    schedule_timing: Mapped[float] = mapped_column(Float)
    schedule_unit: Mapped[str] = mapped_column(String(3))
    schedule_model: Mapped[str] = mapped_column(String(8), default="effort")
    schedule_constraint: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("Tasks.id"), index=True)

    project: Mapped[CProject] = relationship(
        primaryjoin="CTask.project_id == CProject.id", back_populates="tasks"
    )
    status: Mapped[CStatus] = relationship(primaryjoin="CTask.status_id == CStatus.id")
    status_list: Mapped[CStatusList] = relationship(
        primaryjoin="CTask.status_list_id == CStatusList.id"
    )
    parent: Mapped[CTask | None] = relationship(
        primaryjoin="CTask.parent_id == CTask.id",
        remote_side="CTask.id",
        back_populates="children",
    )
    children: Mapped[list[CTask]] = relationship(
        primaryjoin="CTask.parent_id == CTask.id", back_populates="parent"
    )
    resources: Mapped[list[CUser]] = relationship(
        secondary=Control_Task_Resources, back_populates="tasks"
    )
    task_depends_on: Mapped[list[CTaskDependency]] = relationship(
        primaryjoin="CTask.id == CTaskDependency.task_id",
        back_populates="task",
        cascade="all, delete-orphan",
    )
    versions: Mapped[list[CVersion]] = relationship(
        primaryjoin="CTask.id == CVersion.task_id", back_populates="task"
    )
    __mapper_args__ = {
        "polymorphic_identity": "Task",
    }


Control_Shot_Sequences = _link(
    "Shot_Sequences", "shot_id.Shots.id", "sequence_id.Sequences.id"
)


class CSequence(CTask):
    __tablename__ = "Sequences"
    id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(256))
    __mapper_args__ = {"polymorphic_identity": "Sequence"}


class CShot(CTask):
    __tablename__ = "Shots"
    id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), primary_key=True)
    cut_in: Mapped[int] = mapped_column(Integer, default=1)
    cut_out: Mapped[int] = mapped_column(Integer, default=1)
    source_in: Mapped[int] = mapped_column(Integer, default=1)
    source_out: Mapped[int] = mapped_column(Integer, default=1)
    record_in: Mapped[int] = mapped_column(Integer, default=1)
    fps: Mapped[float] = mapped_column(Float, default=25.0)
    image_format_id: Mapped[int | None] = mapped_column(
        ForeignKey("ImageFormats.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(256), index=True)
    sequences: Mapped[list[CSequence]] = relationship(secondary=Control_Shot_Sequences)
    __mapper_args__ = {"polymorphic_identity": "Shot"}


class CAsset(CTask):
    __tablename__ = "Assets"
    id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(256))
    __mapper_args__ = {"polymorphic_identity": "Asset"}


class CVersion(CLink):
    __tablename__ = "Versions"
    __table_args__ = (UniqueConstraint("task_id", "take_name", "version_number"),)
    id: Mapped[int] = mapped_column(ForeignKey("Links.id"), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("Versions.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"))
    take_name: Mapped[str] = mapped_column(String(256), default="Main")
    version_number: Mapped[int] = mapped_column(Integer)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_with: Mapped[str | None] = mapped_column(String(256))
    task: Mapped[CTask] = relationship(
        primaryjoin="CVersion.task_id == CTask.id", back_populates="versions"
    )
    parent: Mapped[CVersion | None] = relationship(
        primaryjoin="CVersion.parent_id == CVersion.id",
        remote_side="CVersion.id",
        back_populates="children",
    )
    __mapper_args__ = {"polymorphic_identity": "Version"}


# The relationships the measured classes have and the paths above do not
# use: SQLAlchemy prepares a loader for every relationship of a class at
# each query, so the control carries the same number (on small tables of
# its own where Stalker's target is not part of the control).


def _aux(name: str, owner: str | None = None) -> Any:
    """A minimal mapped table a relationship of the control points to."""
    body: dict[str, Any] = {
        "__tablename__": name,
        "id": mapped_column(Integer, primary_key=True),
    }
    if owner is not None:
        body["owner_id"] = mapped_column(Integer, ForeignKey(f"{owner}.id"), index=True)
    return type(f"C{name}", (CBase,), body)


def _one_to_many(owner: Any, key: str) -> None:
    target = _aux(f"{owner.__tablename__}_{key}", owner.__tablename__)
    setattr(owner, key, relationship(target))


def _many_to_many(
    owner: Any, key: str, target: Any = None, back_populates: str | None = None
) -> Table:
    name = f"{owner.__tablename__}_{key}"
    if target is None:
        target = _aux(f"{name}_items")
    link = Table(
        name,
        CBase.metadata,
        Column("owner_id", Integer, ForeignKey(f"{owner.__tablename__}.id")),
        Column("target_id", Integer, ForeignKey(f"{target.__tablename__}.id")),
    )
    setattr(
        owner,
        key,
        relationship(
            target,
            secondary=link,
            primaryjoin=owner.__table__.c.id == link.c.owner_id,
            secondaryjoin=link.c.target_id == target.__table__.c.id,
            back_populates=back_populates,
        ),
    )
    return link


def _users_of_tasks(task_key: str, user_key: str) -> None:
    link = _link(f"Task_{task_key}", "task_id.Tasks.id", "user_id.Users.id")
    CTask.__mapper__.add_property(
        task_key, relationship(CUser, secondary=link, back_populates=user_key)
    )
    CUser.__mapper__.add_property(
        user_key, relationship(CTask, secondary=link, back_populates=task_key)
    )


CImageFormat = _aux("ImageFormats")
CGood = _aux("Goods")
_many_to_many(CSimpleEntity, "generic_data", CSimpleEntity)
_many_to_many(CSimpleEntity, "entity_groups")
CSimpleEntity.thumbnail = relationship(
    CLink, primaryjoin=CSimpleEntity.thumbnail_id == CLink.__table__.c.id
)
_many_to_many(CEntity, "tags")
_many_to_many(CEntity, "notes")
CUser.entities_created = relationship(
    CSimpleEntity,
    primaryjoin=CUser.__table__.c.id == CSimpleEntity.created_by_id,
    back_populates="created_by",
)
CUser.entities_updated = relationship(
    CSimpleEntity,
    primaryjoin=CUser.__table__.c.id == CSimpleEntity.updated_by_id,
    back_populates="updated_by",
)
for _key in (
    "department_role",
    "company_role",
    "vacations",
    "authentication_logs",
    "project_role",
    "time_logs",
):
    _one_to_many(CUser, _key)
_many_to_many(CUser, "groups")
_many_to_many(CUser, "permissions")
CUser.tasks = relationship(
    CTask, secondary=Control_Task_Resources, back_populates="resources"
)
for _task_key, _user_key in (
    ("alternative_resources", "alternative_resource_in_tasks"),
    ("computed_resources", "computed_resource_in_tasks"),
    ("watchers", "watching"),
    ("responsible", "responsible_of"),
):
    _users_of_tasks(_task_key, _user_key)
CTask.task_dependent_of = relationship(
    CTaskDependency,
    primaryjoin=CTask.__table__.c.id == CTaskDependency.depends_on_id,
    back_populates="depends_on",
)
_one_to_many(CTask, "time_logs")
_one_to_many(CTask, "reviews")
CTask.good = relationship(CGood, primaryjoin=CTask.good_id == CGood.id)
_many_to_many(CTask, "references", CLink)
_many_to_many(CShot, "scenes")
CShot.image_format = relationship(
    CImageFormat, primaryjoin=CShot.image_format_id == CImageFormat.id
)
CProject.image_format = relationship(
    CImageFormat, primaryjoin=CProject.image_format_id == CImageFormat.id
)
for _key in (
    "user_role",
    "client_role",
    "budgets",
    "dailies",
    "scenes",
    "tickets",
    "pages",
):
    _one_to_many(CProject, _key)
_many_to_many(CProject, "references", CLink)
CProject.tasks = relationship(
    CTask,
    primaryjoin=CProject.__table__.c.id == CTask.project_id,
    back_populates="project",
)
_many_to_many(CVersion, "inputs", CLink)
_many_to_many(CVersion, "outputs", CLink)
CVersion.children = relationship(
    CVersion,
    primaryjoin=CVersion.parent_id == CVersion.__table__.c.id,
    back_populates="parent",
)


# --------------------------------------------------------------------------
# Filling both databases


class _Stalker:
    """Stalker's side: DBSession bound to a fresh studio database."""

    name = "stalker"

    def __init__(self, url: str | None, folder: Path) -> None:
        self.url = url
        self.folder = folder
        #: (construction, commit) seconds of each build
        self.splits: list[tuple[float, float]] = []

    def fresh(self) -> None:
        fresh_studio(self.url, self.folder)
        self.users = [
            User(
                name=f"Artist {i}",
                login=f"artist{i}",
                email=f"a{i}@x.com",
                password="x",
            )
            for i in range(USER_COUNT)
        ]
        template = FilenameTemplate(
            name="Task Template",
            target_entity_type="Task",
            path=TEMPLATE_PATH,
            filename=TEMPLATE_FILENAME,
        )
        self.project = Project(
            name="Benchmark",
            code="BM",
            repositories=[Repository(name="Repo", linux_path="/mnt/M/commercials")],
            structure=Structure(name="Structure", templates=[template]),
        )
        DBSession.add_all([self.project, *self.users])
        DBSession.commit()

    @property
    def session(self) -> Any:
        return DBSession

    def build(self, size: int) -> None:
        start = time.perf_counter()
        build_stalker_production(self.project, self.users, size)
        built = time.perf_counter()
        DBSession.commit()
        self.splits.append((built - start, time.perf_counter() - built))

    def close(self) -> None:
        DBSession.remove()


class _Control:
    """The control's side: its own engine and session."""

    name = "control"

    def __init__(self, url: str | None, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.engine: Engine | None = None
        self.splits: list[tuple[float, float]] = []
        self.session: Session = Session()

    def _engine(self) -> Engine:
        if self.url is None:
            path = self.folder / f"control_{time.monotonic_ns()}.db"
            engine = create_engine(f"sqlite:///{path}")
            pragmas = [
                "PRAGMA foreign_keys=ON",
                f"PRAGMA journal_mode={stalker.defaults.sqlite_journal_mode}",
                f"PRAGMA synchronous={stalker.defaults.sqlite_synchronous}",
            ]

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_connection: Any, record: Any) -> None:
                cursor = dbapi_connection.cursor()
                for pragma in pragmas:
                    cursor.execute(pragma)
                cursor.close()

            return engine
        with create_engine(self.url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS orm_control CASCADE"))
            conn.execute(text("CREATE SCHEMA orm_control"))
        return create_engine(
            self.url, connect_args={"options": "-c search_path=orm_control"}
        )

    def fresh(self) -> None:
        self.close()
        self.engine = self._engine()
        CBase.metadata.create_all(self.engine)
        self.session = session = Session(self.engine)
        # the statuses, status lists and types Stalker's init() makes
        for status in DBSession.execute(select(Status)).scalars():
            session.add(CStatus(name=status.name, code=status.code))
        session.flush()
        codes = {s.code: s for s in session.execute(select(CStatus)).scalars()}
        self.task_status_list = CStatusList(
            name="Task Statuses",
            target_entity_type="Task",
            statuses=[
                codes[c]
                for c in (
                    "WFD",
                    "RTS",
                    "WIP",
                    "PREV",
                    "HREV",
                    "DREV",
                    "OH",
                    "STOP",
                    "CMPL",
                )
            ],
        )
        self.wfd, self.rts = codes["WFD"], codes["RTS"]
        self.users = [
            CUser(
                name=f"Artist {i}",
                login=f"artist{i}",
                email=f"a{i}@x.com",
                password="x",
            )
            for i in range(USER_COUNT)
        ]
        template = CFilenameTemplate(
            name="Task Template",
            target_entity_type="Task",
            path=TEMPLATE_PATH,
            filename=TEMPLATE_FILENAME,
        )
        self.project = CProject(
            name="Benchmark",
            code="BM",
            repositories=[
                CRepository(name="Repo", code="Repo", linux_path="/mnt/M/commercials")
            ],
            structure=CStructure(name="Structure", templates=[template]),
            status=codes["RTS"],
        )
        session.add_all([self.task_status_list, self.project, *self.users])
        session.commit()

    def _task(self, cls: type[CTask], k: int, **kwargs: Any) -> CTask:
        timing = (k % 4) + 1
        unit = "d" if k % 2 else "h"
        seconds = timing * (32400 if unit == "d" else 3600)
        return cls(
            project=self.project,
            status_list=self.task_status_list,
            schedule_timing=timing,
            schedule_unit=unit,
            bid_timing=timing,
            bid_unit=unit,
            schedule_seconds=seconds,
            start=START,
            end=START + datetime.timedelta(seconds=seconds),
            **kwargs,
        )

    def _chain(self, parent: CTask, names: tuple[str, ...], k: int) -> int:
        previous = None
        for name in names:
            task = self._task(
                CTask,
                k,
                name=name,
                parent=parent,
                resources=[self.users[k % len(self.users)]],
                status=self.rts if previous is None else self.wfd,
            )
            if previous is not None:
                task.task_depends_on.append(CTaskDependency(depends_on=previous))
            previous = task
            k += 1
        return k

    def build(self, size: int) -> None:
        """The production ``bench_tasks.build_production`` makes, in the control."""
        start = time.perf_counter()
        char_type = CType(name="Character", code="CHAR", target_entity_type="Asset")
        shot_block = 1 + len(SHOT_TASKS)
        sequence_block = 1 + SHOTS_PER_SEQUENCE * shot_block
        sequences = max(1, round(size * 0.7 / sequence_block))
        assets = max(
            1, round((size - sequences * sequence_block) / (1 + len(ASSET_TASKS)))
        )
        k = 0
        new: list[Any] = []
        for s in range(sequences):
            code = f"SEQ{s:03d}"
            sequence = self._task(CSequence, k, name=code, code=code, status=self.rts)
            new.append(sequence)
            for n in range(SHOTS_PER_SEQUENCE):
                code = f"SEQ{s:03d}_SH{n:03d}"
                shot = self._task(
                    CShot,
                    k,
                    name=code,
                    code=code,
                    parent=sequence,
                    sequences=[sequence],
                    status=self.rts,
                )
                k = self._chain(shot, SHOT_TASKS, k)
        for a in range(assets):
            asset = self._task(
                CAsset,
                k,
                name=f"Asset {a}",
                code=f"A{a:04d}",
                type=char_type,
                status=self.rts,
            )
            new.append(asset)
            k = self._chain(asset, ASSET_TASKS, k)
        self.session.add_all(new)
        built = time.perf_counter()
        self.session.commit()
        self.splits.append((built - start, time.perf_counter() - built))

    def close(self) -> None:
        self.session.close()
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


# --------------------------------------------------------------------------
# Timing


def _paired(
    actions: dict[str, Callable[[], Any]],
    repeat: int,
    prepare: dict[str, Callable[[], Any]] | None = None,
) -> dict[str, list[float]]:
    """Time each action ``repeat`` times, interleaved; seconds per run."""
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            if prepare is not None:
                prepare[name]()
            start = time.perf_counter()
            action()
            timings[name].append(time.perf_counter() - start)
    return timings


def _figure(name: str, timings: dict[str, list[float]], per: int = 1) -> dict[str, Any]:
    stalker_s = statistics.median(timings["stalker"]) / per
    control_s = statistics.median(timings["control"]) / per
    ratio = stalker_s / control_s
    return {
        "stalker_s": round(stalker_s, 7),
        "control_s": round(control_s, 7),
        "ratio": round(ratio, 3),
        "target_ratio": TARGETS[name],
        "met": ratio <= TARGETS[name],
        "runs": len(timings["stalker"]),
        "per_run": per,
    }


def _cold_lookups(
    sides: dict[str, Any], queries: dict[str, Callable[[Any], Iterator[Any]]]
) -> dict[str, list[float]]:
    """Run each side's lookups in an emptied session."""

    def action(name: str) -> Callable[[], None]:
        session = sides[name].session

        def run() -> None:
            for result in queries[name](session):
                assert result is not None

        return run

    prepare = {name: sides[name].session.expunge_all for name in sides}
    for name in sides:  # warm the statement caches
        prepare[name]()
        action(name)()
    actions = {name: action(name) for name in sides}
    return _paired(actions, _runs(LOOKUP_REPEAT), prepare)


def _lookups(sides: dict[str, Any]) -> dict[str, Any]:
    st, co = sides["stalker"], sides["control"]
    figures: dict[str, Any] = {}

    task_ids = (
        st.session.execute(select(Task.task_id).order_by(Task.task_id).limit(200))
        .scalars()
        .all()
    )
    control_ids = (
        co.session.execute(select(CTask.id).order_by(CTask.id).limit(200))
        .scalars()
        .all()
    )
    figures["task_by_id"] = _figure(
        "task_by_id",
        _cold_lookups(
            sides,
            {
                "stalker": lambda s: (s.get(Task, i) for i in task_ids),
                "control": lambda s: (s.get(CTask, i) for i in control_ids),
            },
        ),
        per=len(task_ids),
    )

    def one(
        model: Any, column: Any, values: list[Any]
    ) -> Callable[[Any], Iterator[Any]]:
        statement = select(model).where(column == bindparam("value"))
        return lambda s: (
            s.execute(statement, {"value": value}).scalar_one() for value in values
        )

    codes = sorted(st.session.execute(select(Status.code)).scalars())
    logins = [f"artist{i}" for i in range(USER_COUNT)]
    names = [f"Artist {i}" for i in range(USER_COUNT)]
    shot_codes = sorted(st.session.execute(select(Shot.code)).scalars())[:200]
    for name, stalker_query, control_query, values in (
        ("status_by_code", (Status, Status.code), (CStatus, CStatus.code), codes),
        ("user_by_login", (User, User.login), (CUser, CUser.login), logins),
        ("user_by_name", (User, User.name), (CUser, CUser.name), names),
        ("shot_by_code", (Shot, Shot.code), (CShot, CShot.code), shot_codes),
    ):
        figures[name] = _figure(
            name,
            _cold_lookups(
                sides,
                {
                    "stalker": one(*stalker_query, values),
                    "control": one(*control_query, values),
                },
            ),
            per=len(values),
        )

    user_id, control_user_id = st.user_id, co.user_id
    project_id, control_project_id = st.project_id, co.project_id
    stalker_tasks = select(Task).where(
        Task.project_id == project_id, Task.resources.any(User.user_id == user_id)
    )
    control_tasks = select(CTask).where(
        CTask.project_id == control_project_id,
        CTask.resources.any(CUser.id == control_user_id),
    )
    rows = {
        "stalker": len(st.session.execute(stalker_tasks).scalars().all()),
        "control": len(co.session.execute(control_tasks).scalars().all()),
    }
    assert rows["stalker"] == rows["control"], rows
    figures["tasks_of_user_in_project"] = _figure(
        "tasks_of_user_in_project",
        _cold_lookups(
            sides,
            {
                "stalker": lambda s: iter([s.execute(stalker_tasks).scalars().all()]),
                "control": lambda s: iter([s.execute(control_tasks).scalars().all()]),
            },
        ),
    )
    figures["tasks_of_user_in_project"]["rows"] = rows["stalker"]
    return figures


def _stalker_publish(task_id: int, count: int) -> Callable[[], None]:
    def publish() -> None:
        task = DBSession.get(Task, task_id)
        for _ in range(count):
            version = Version(task=task)
            version.update_paths()
            DBSession.add(version)
            DBSession.commit()

    return publish


def _control_publish(control: _Control, task_id: int, count: int) -> Callable[[], None]:
    environment = jinja2.Environment()
    compiled: dict[str, jinja2.Template] = {}

    def render(source: str, variables: dict[str, Any]) -> str:
        if source not in compiled:
            compiled[source] = environment.from_string(source)
        return compiled[source].render(**variables)

    def publish() -> None:
        session = control.session
        task = session.get(CTask, task_id)
        assert task is not None
        for _ in range(count):
            number = session.execute(
                select(func.max(CVersion.version_number)).where(
                    CVersion.task_id == task.id, CVersion.take_name == "Main"
                )
            ).scalar()
            parent = task.parent
            version = CVersion(
                name="_".join(
                    [*([parent.nice_name] if parent else []), task.nice_name, "Main"]
                ),
                task=task,
                take_name="Main",
                version_number=(number or 0) + 1,
            )
            session.add(version)
            with session.no_autoflush:
                project = task.project
                assert project.structure is not None
                template = next(
                    t
                    for t in project.structure.templates
                    if t.target_entity_type == "Task"
                )
                parents = []
                while parent is not None:
                    parents.insert(0, parent)
                    parent = parent.parent
                variables = {
                    "project": project,
                    "task": task,
                    "version": version,
                    "parent_tasks": [*parents, task],
                }
                version.full_path = posixpath.join(
                    render(template.path, variables),
                    render(template.filename, variables),
                )
            session.commit()

    return publish


def _publish(sides: dict[str, Any]) -> dict[str, Any]:
    count = _publish_count()
    st, co = sides["stalker"], sides["control"]
    task_id = st.session.execute(
        select(Task.task_id).where(Task.name == "Comp").order_by(Task.task_id).limit(1)
    ).scalar_one()
    control_task_id = co.session.execute(
        select(CTask.id).where(CTask.name == "Comp").order_by(CTask.id).limit(1)
    ).scalar_one()
    timings = _paired(
        {
            "stalker": _stalker_publish(task_id, count),
            "control": _control_publish(co, control_task_id, count),
        },
        repeat=_runs(PUBLISH_REPEAT),
    )
    stalker_path = st.session.execute(
        select(Version.full_path).order_by(Version.version_id.desc()).limit(1)
    ).scalar_one()
    control_path = co.session.execute(
        select(CVersion.full_path).order_by(CVersion.id.desc()).limit(1)
    ).scalar_one()
    figure = _figure("publish", timings, per=count)
    figure["paths"] = [stalker_path, control_path]
    return figure


def _analyze(url: str | None, sides: dict[str, Any]) -> None:
    """PostgreSQL: fresh statistics on both sides, not autovacuum's timing."""
    if url is None:
        return
    for side in sides.values():
        side.session.commit()
        side.session.execute(text("ANALYZE"))
        side.session.commit()


def _scenario(backend: str, url: str | None, size: int, folder: Path) -> dict[str, Any]:
    sides: dict[str, Any] = {
        "stalker": _Stalker(url, folder),
        "control": _Control(url, folder),
    }
    # the control copies the statuses Stalker's init() makes
    create = _paired(
        {name: lambda side=side: side.build(size) for name, side in sides.items()},
        repeat=_runs(CREATE_REPEAT),
        prepare={
            "stalker": sides["stalker"].fresh,
            "control": lambda: sides["control"].fresh(),
        },
    )
    tasks = {
        "stalker": sides["stalker"]
        .session.execute(select(func.count(Task.task_id)))
        .scalar(),
        "control": sides["control"]
        .session.execute(select(func.count(CTask.id)))
        .scalar(),
    }
    assert tasks["stalker"] == tasks["control"], tasks
    for side in sides.values():  # the ids the lookups use, read before expunging
        side.user_id, side.project_id = side.users[7].id, side.project.id
    _analyze(url, sides)
    figures = {"create_commit": _figure("create_commit", create)}
    for name, side in sides.items():  # where the time goes: objects, then SQL
        construction, commit = zip(*side.splits, strict=True)
        figures["create_commit"][f"{name}_construction_s"] = round(
            statistics.median(construction), 6
        )
        figures["create_commit"][f"{name}_commit_s"] = round(
            statistics.median(commit), 6
        )
    figures.update(_lookups(sides))
    figures["publish"] = _publish(sides)
    for side in sides.values():
        side.close()
    return {
        "scenario": f"orm_{backend}_{size}",
        "backend": backend,
        "tasks": tasks["stalker"],
        "figures": figures,
        "all_met": all(figure["met"] for figure in figures.values()),
    }


def _machine() -> dict[str, Any]:
    import platform
    import sqlite3

    import sqlalchemy

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "note": "a shared machine: compare the ratios, not the times",
    }


def run(write: bool = False) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend, url in backends():
            by_backend = [
                _scenario(backend, url, size, Path(folder)) for size in _sizes()
            ]
            results.extend(by_backend)
            if write:
                path = HERE / "results" / f"orm_{backend}.json"
                report = {
                    "scenario": "orm",
                    "machine": _machine(),
                    "results": by_backend,
                }
                path.write_text(json.dumps(report, indent=2) + "\n")
    return {"scenario": "orm", "results": results}


if __name__ == "__main__":
    print(json.dumps(run(write=True), indent=2))
