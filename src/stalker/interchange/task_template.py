"""Task templates: a named, stored chain of tasks applied to shots or assets.

A template is studio data, not code: it lives in its own table as a JSON list
of task specs (name, type, timing, dependencies, resources or a department),
so a production can change its pipeline without a release.  The specs are
plain dicts because templates are also exported, imported and read by tools
that never load the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, validates

import stalker
from stalker.db.declarative import Base
from stalker.models.validation import (
    check_choice,
    check_number,
    check_str,
    type_error,
    value_error,
)

#: Classes a template may be applied to (its tasks become their children).
TEMPLATE_TARGETS = ("Shot", "Asset", "Sequence", "Task")


@dataclass(frozen=True)
class TaskSpec:
    """One task of a template; ``depends_on`` names earlier tasks of it."""

    name: str
    type: str | None = None
    schedule_timing: float = 1.0
    schedule_unit: str = "h"
    schedule_model: str = "effort"
    depends_on: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    department: str | None = None
    priority: int = 500

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["depends_on"] = list(self.depends_on)
        data["resources"] = list(self.resources)
        return data


_SPEC_KEYS = frozenset(TaskSpec.__dataclass_fields__)


def _spec_from(owner: Any, index: int, raw: Any) -> TaskSpec:
    """A checked TaskSpec from a TaskSpec or a dict (the ``index``-th task)."""
    attr = f"tasks[{index}]"
    if isinstance(raw, TaskSpec):
        raw = raw.as_dict()
    if not isinstance(raw, Mapping):
        raise type_error(owner, attr, "a TaskSpec or a dict", raw)
    unknown = sorted(set(raw) - _SPEC_KEYS)
    if unknown:
        raise value_error(owner, attr, f"keys among {sorted(_SPEC_KEYS)}", unknown)
    defaults = stalker.defaults
    name = check_str(owner, f"{attr}.name", raw.get("name"), allow_empty=False)
    kind = raw.get("type")
    if kind is not None:
        check_str(owner, f"{attr}.type", kind, allow_empty=False)
    department = raw.get("department")
    if department is not None:
        check_str(owner, f"{attr}.department", department, allow_empty=False)
    return TaskSpec(
        name=name,
        type=kind,
        schedule_timing=float(
            check_number(
                owner,
                f"{attr}.schedule_timing",
                raw.get("schedule_timing", 1.0),
                at_least=0,
            )
        ),
        schedule_unit=check_choice(
            owner,
            f"{attr}.schedule_unit",
            raw.get("schedule_unit", "h"),
            defaults.datetime_units,
        ),
        schedule_model=check_choice(
            owner,
            f"{attr}.schedule_model",
            raw.get("schedule_model", "effort"),
            defaults.task_schedule_models,
        ),
        depends_on=_names(owner, f"{attr}.depends_on", raw.get("depends_on", ())),
        resources=_names(owner, f"{attr}.resources", raw.get("resources", ())),
        department=department,
        priority=int(check_number(owner, f"{attr}.priority", raw.get("priority", 500))),
    )


def _names(owner: Any, attr: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise type_error(owner, attr, "a list of str", value)
    return tuple(check_str(owner, attr, item, allow_empty=False) for item in value)


def check_specs(owner: Any, tasks: Any) -> list[TaskSpec]:
    """Checked specs: unique names, dependencies on earlier tasks only.

    Naming only earlier tasks makes a cycle impossible and gives the order
    tasks are created in.
    """
    if isinstance(tasks, (str, bytes, Mapping)) or not isinstance(tasks, Iterable):
        raise type_error(owner, "tasks", "a list of TaskSpec or dict", tasks)
    specs = [_spec_from(owner, i, raw) for i, raw in enumerate(tasks)]
    if not specs:
        raise value_error(owner, "tasks", "a non-empty list", tasks)
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.name in seen:
            raise value_error(owner, f"tasks[{index}].name", "unique", spec.name)
        for name in spec.depends_on:
            if name not in seen:
                raise value_error(
                    owner,
                    f"tasks[{index}].depends_on",
                    f"names of earlier tasks {sorted(seen)}",
                    name,
                )
        seen.add(spec.name)
    return specs


class TaskTemplate(Base):
    """A named chain of tasks, e.g. Layout -> Animation -> {FX, Lighting} -> Comp.

    ``target_entity_type`` says what it is meant for (``Shot``, ``Asset``...);
    :meth:`apply` builds the tasks under a shot, asset or any task.
    """

    __tablename__ = "TaskTemplates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True, nullable=False)
    target_entity_type: Mapped[str] = mapped_column(String(128), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    _tasks: Mapped[list[dict[str, Any]]] = mapped_column("tasks", JSON, nullable=False)

    def __init__(
        self,
        name: str,
        tasks: Sequence[TaskSpec | Mapping[str, Any]],
        target_entity_type: str = "Shot",
        description: str | None = None,
    ) -> None:
        # everything is checked before anything is stored
        specs = check_specs(self, tasks)
        self.name = name
        self.target_entity_type = target_entity_type
        self.description = description
        self._tasks = [spec.as_dict() for spec in specs]

    @validates("name")
    def _validate_name(self, key: str, name: Any) -> str:
        return check_str(self, key, name, allow_empty=False, max_length=256)

    @validates("target_entity_type")
    def _validate_target(self, key: str, target: Any) -> str:
        return check_choice(self, key, target, TEMPLATE_TARGETS)

    @validates("description")
    def _validate_description(self, key: str, text: Any) -> str | None:
        return None if text is None else check_str(self, key, text)

    @property
    def tasks(self) -> list[TaskSpec]:
        """The specs, in creation order."""
        return [_spec_from(self, i, raw) for i, raw in enumerate(self._tasks)]

    @tasks.setter
    def tasks(self, tasks: Sequence[TaskSpec | Mapping[str, Any]]) -> None:
        self._tasks = [spec.as_dict() for spec in check_specs(self, tasks)]

    def apply(
        self,
        parent: Any,
        resources: Mapping[str, Sequence[Any]] | None = None,
    ) -> list[Any]:
        """Create the template's tasks under ``parent``; return them in order.

        ``resources`` maps a task name to users (or logins) and overrides the
        template's own resources for that task.  Everything (types, users,
        departments) is looked up before the first task is built, so a
        refused application creates nothing.
        """
        return apply_template(self, parent, resources)

    def __repr__(self) -> str:
        return f"<TaskTemplate {self.name!r} ({len(self._tasks)} tasks)>"


@dataclass
class _Resolved:
    """What applying a template needs from the database, looked up once."""

    types: dict[str, Any] = field(default_factory=dict)
    users: dict[str, list[Any]] = field(default_factory=dict)


def _session_of(parent: Any) -> Any:
    session = object_session(parent)
    if session is None:
        from stalker.db.session import DBSession

        session = DBSession()
    return session


def _find_type(session: Any, name: str) -> Any:
    """The Task Type called ``name``; created (code = name) if the studio lacks it."""
    from stalker.models.type import Type

    with session.no_autoflush:
        found = session.scalars(
            select(Type).where(Type.name == name, Type.target_entity_type == "Task")
        ).first()
    if found is None:
        found = Type(name=name, code=name, target_entity_type="Task")
    return found


def find_users(session: Any, logins: Iterable[Any], owner: Any, attr: str) -> list[Any]:
    """Users by login (User objects pass through); an unknown login is refused."""
    from stalker.models.auth import User

    wanted = [x for x in logins if not isinstance(x, User)]
    for login in wanted:
        check_str(owner, attr, login, allow_empty=False)
    found: dict[str, Any] = {}
    if wanted:
        with session.no_autoflush:
            rows = session.scalars(select(User).where(User.login.in_(wanted)))
            found = {user.login: user for user in rows}
    users = []
    for item in logins:
        if isinstance(item, User):
            users.append(item)
        elif item in found:
            users.append(found[item])
        else:
            raise value_error(owner, attr, "logins of existing users", item)
    return users


def _department_users(session: Any, name: str, owner: Any, attr: str) -> list[Any]:
    from stalker.models.department import Department

    with session.no_autoflush:
        department = session.scalars(
            select(Department).where(Department.name == name)
        ).first()
    if department is None:
        raise value_error(owner, attr, "the name of an existing department", name)
    return list(department.users)


def _resolve(
    template: TaskTemplate,
    session: Any,
    specs: list[TaskSpec],
    overrides: Mapping[str, Sequence[Any]],
) -> _Resolved:
    resolved = _Resolved()
    names = {spec.name for spec in specs}
    for name in overrides:
        if name not in names:
            raise value_error(
                template, "apply(resources)", f"task names among {sorted(names)}", name
            )
    for spec in specs:
        if spec.type is not None and spec.type not in resolved.types:
            resolved.types[spec.type] = _find_type(session, spec.type)
        attr = f"{spec.name}.resources"
        if spec.name in overrides:
            users = find_users(session, overrides[spec.name], template, attr)
        elif spec.resources:
            users = find_users(session, spec.resources, template, attr)
        elif spec.department is not None:
            users = _department_users(session, spec.department, template, attr)
        else:
            users = []
        resolved.users[spec.name] = users
    return resolved


def apply_template(
    template: TaskTemplate,
    parent: Any,
    resources: Mapping[str, Sequence[Any]] | None = None,
) -> list[Any]:
    """See :meth:`TaskTemplate.apply`."""
    from stalker.models.task import Task

    if not isinstance(parent, Task):
        raise type_error(template, "apply(parent)", "a Task, Shot or Asset", parent)
    specs = template.tasks
    session = _session_of(parent)
    resolved = _resolve(template, session, specs, resources or {})
    existing = {child.name: child for child in parent.children}
    clashes = sorted(set(existing) & {spec.name for spec in specs})
    if clashes:
        raise value_error(
            template, "apply(parent)", f"{parent.name!r} without tasks named", clashes
        )
    created: dict[str, Task] = {}
    with session.no_autoflush:
        for spec in specs:
            created[spec.name] = Task(
                name=spec.name,
                parent=parent,
                type=resolved.types.get(spec.type) if spec.type else None,
                schedule_timing=spec.schedule_timing,
                schedule_unit=spec.schedule_unit,
                schedule_model=spec.schedule_model,
                priority=spec.priority,
                resources=resolved.users[spec.name],
                depends_on=[created[name] for name in spec.depends_on],
            )
    return list(created.values())
