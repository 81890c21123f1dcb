"""Version: one numbered iteration of the work done on a Task (a file).

Versions of one task and take form a series numbered 1, 2, 3 ...; the path
and file name of a version come from the project's FilenameTemplate.

Numbering when two artists publish at once (D10)
------------------------------------------------
A unique constraint on (task_id, take_name, version_number) makes a
duplicate impossible; the library makes it never happen:

* At construction (and on every assignment) the number is the highest one
  in the series plus one, looking at the database (one indexed ``max()``
  query, autoflush off) and at the versions still pending in memory, so
  several versions built before a flush are numbered 1, 2, 3 ...
* At flush the numbers are made final while the series is locked: on
  PostgreSQL a transaction-scoped advisory lock per task, on SQLite the
  database write lock (SQLite has one writer at a time); elsewhere the task
  rows are locked ``FOR UPDATE``.  Under the lock the highest committed
  number is read again and every pending version at or below it gets the
  next free number; versions whose paths came from :meth:`update_paths`
  are rendered again so the file name keeps matching the number.  The lock
  lasts until the transaction ends, so the next publisher reads a maximum
  that already includes ours.  A plain ``DBSession.commit()`` is all a
  caller writes.
* On SQLite the lock is the database write lock.  A version created as the
  first database access of a transaction takes it before reading anything;
  a transaction that read other data first is restarted as
  ``BEGIN IMMEDIATE`` at its first write (see
  :func:`stalker.db.session.take_sqlite_write_lock`).  Either way the second
  publisher waits for the first one's commit (up to
  ``defaults.sqlite_busy_timeout``) instead of failing.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import UnboundExecutionError
from sqlalchemy.orm import (
    Mapped,
    Session,
    mapped_column,
    relationship,
    synonym,
    validates,
)

import stalker
from stalker.db.declarative import link_table
from stalker.db.session import (
    add_to_session_of,
    no_autoflush,
    session_of,
    take_sqlite_write_lock,
    transaction_notes,
)
from stalker.models.collections import init_collection
from stalker.models.entity import SimpleEntity, make_nice_name
from stalker.models.link import Link
from stalker.models.mixins.dag import DAGMixin
from stalker.models.repository import repository_roots
from stalker.models.task import Task
from stalker.models.validation import (
    check_instance,
    check_str,
    type_error,
    value_error,
)
from stalker.templates import (
    check_relative_path,
    check_rendered_path,
    render_template,
    template_context,
)

if TYPE_CHECKING:
    from stalker.models.template import FilenameTemplate

#: Tasks whose name is significant in a version's ``nice_name``.
_NAMING_ENTITY_TYPES = frozenset({"Asset", "Shot", "Sequence"})

_NOT_TAKE_CHARACTER = re.compile(r"[^A-Za-z0-9\s_\-@]+")
_WHITESPACE_RUN = re.compile(r"\s+")
_LEADING_NON_ALNUM = re.compile(r"^[^A-Za-z0-9]+")

#: First key of the PostgreSQL advisory locks guarding a task's series.
_ADVISORY_NAMESPACE = 0x56455253  # "VERS"

#: ``transaction_notes`` key: pending versions of saved tasks, by
#: ``id(task)`` (until the next flush).
_PENDING_KEY = "pending_versions"

#: ``take_name`` not given: the configured default (None is an error).
_DEFAULT_TAKE: Any = object()

Version_Inputs = link_table(
    "Version_Inputs",
    ("version_id", "Versions.id"),
    ("link_id", "Links.id"),
    ondelete="CASCADE",
)

Version_Outputs = link_table(
    "Version_Outputs",
    ("version_id", "Versions.id"),
    ("link_id", "Links.id"),
    ondelete="CASCADE",
)


def format_take_name(take_name: str) -> str:
    """Keep letters, digits, ``_``, ``-``, ``@``; whitespace runs become ``_``."""
    take = _NOT_TAKE_CHARACTER.sub("", take_name).strip()
    take = _WHITESPACE_RUN.sub("_", take)
    return _LEADING_NON_ALNUM.sub("", take)


def _number_key(version: Version) -> int:
    number = version.version_number
    return -1 if number is None else number


class Version(Link, DAGMixin):
    """A numbered file of a Task's work, placed by the project's templates."""

    __tablename__ = "Versions"
    __auto_name__ = True
    __id_column__ = "version_id"
    __dag_cascade__ = "save-update, merge"
    __mapper_args__ = {"polymorphic_identity": "Version"}
    __table_args__ = (
        UniqueConstraint(
            "task_id",
            "take_name",
            "version_number",
            name="uq_Versions_task_id_take_name_version_number",
        ),
    )

    version_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Links.id"), primary_key=True
    )
    # DAGMixin's column, but a deleted version orphans its children in the
    # database itself: the ORM may delete the parent row before it writes
    # the children's NULL (the parent link is a post-update).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("Versions.id", ondelete="SET NULL"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("Tasks.id"), nullable=False)
    task: Mapped[Task] = relationship(
        primaryjoin="foreign(Version.task_id) == Task.id",  # the mapper key: use_get
        back_populates="versions",
    )
    take_name: Mapped[str] = mapped_column(
        String(256), default=stalker.defaults.version_take_name
    )
    _version_number: Mapped[int] = mapped_column(
        "version_number", Integer, nullable=False, default=1
    )
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_with: Mapped[str | None] = mapped_column(String(256))
    inputs: Mapped[list[Link]] = relationship(
        secondary=Version_Inputs,
        primaryjoin="Versions.c.id == Version_Inputs.c.version_id",
        secondaryjoin="Version_Inputs.c.link_id == Links.c.id",
    )
    outputs: Mapped[list[Link]] = relationship(
        secondary=Version_Outputs,
        primaryjoin="Versions.c.id == Version_Outputs.c.version_id",
        secondaryjoin="Version_Outputs.c.link_id == Links.c.id",
    )

    def __init__(
        self,
        task: Task | None = None,
        take_name: Any = _DEFAULT_TAKE,
        inputs: list[Link] | None = None,
        outputs: list[Link] | None = None,
        parent: Version | None = None,
        full_path: str | None = None,
        created_with: str | None = None,
        version_number: int | None = None,
        **kwargs: Any,
    ) -> None:
        if take_name is _DEFAULT_TAKE:
            take_name = stalker.defaults.version_take_name
        with no_autoflush(task, parent):
            try:
                super().__init__(full_path=full_path, **kwargs)
                if parent is not None:  # None is the default: no post-update
                    DAGMixin.__init__(self, parent=parent)
                self.take_name = take_name  # type: ignore[assignment]
                self.task = task  # type: ignore[assignment]
                add_to_session_of(self, task, parent)
                _claim_sqlite_write_lock(session_of(self))
                self.version_number = version_number
                init_collection(self, "inputs", inputs)
                init_collection(self, "outputs", outputs)
                self.is_published = False
                self.created_with = created_with
            except BaseException:
                self._discard()
                raise

    def _discard(self) -> None:
        """Undo a construction that failed half-way: nothing of it gets saved."""
        state = inspect(self)
        if state.session is not None:
            state.session.expunge(self)
        if state.dict.get("parent") is not None:
            del self.parent  # leaves the parent's children
        if state.dict.get("task") is not None:
            del self.task  # leaves the task's versions, unloaded or not

    # -- validation ---------------------------------------------------------

    @validates("task", include_backrefs=False)  # removal from Task.versions
    def _validate_task(self, key: str, task: Any) -> Task:
        return check_instance(self, key, task, Task)  # type: ignore[no-any-return]

    @validates("take_name")
    def _validate_take_name(self, key: str, take_name: Any) -> str:
        formatted = format_take_name(check_str(self, key, take_name))
        if not formatted:
            raise value_error(
                self, key, "a str with at least one letter or digit", take_name
            )
        return formatted

    @validates("inputs", "outputs")
    def _validate_link(self, key: str, link: Any) -> Link:
        if not isinstance(link, Link):
            raise type_error(self, key, "a list of Link instances", link)
        return link

    @validates("created_with")
    def _validate_created_with(self, key: str, application: Any) -> str | None:
        if application is None:
            return None
        return check_str(self, key, application)

    # -- numbering ------------------------------------------------------------

    def _get_version_number(self) -> int | None:
        return self._version_number

    def _set_version_number(self, number: Any) -> None:
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int)
        ):
            raise type_error(self, "version_number", "an int or None", number)
        highest = self._highest_other_number()
        current = self._version_number
        if number is not None and number > highest:
            self._version_number = number
        elif current is None or current <= highest:
            self._version_number = highest + 1
        self._remember_pending()

    version_number = synonym(
        "_version_number",
        descriptor=property(_get_version_number, _set_version_number),
    )

    def _highest_other_number(self) -> int:
        """The highest number among the other versions of this series."""
        numbers = [
            v.version_number or 0 for v in self._series_in_memory() if v is not self
        ]
        numbers.append(self._highest_number_in_db())
        return max(numbers)

    def _in_series(self, version: Version) -> bool:
        if version.take_name != self.take_name:
            return False
        state = inspect(version)
        if "task" not in state.dict and state.key is not None:
            return version.task_id == self._task_key()  # no need to load the task
        return version.task is self.task

    def _task_key(self) -> int | None:
        identity = inspect(self.task).identity if self.task is not None else None
        return identity[0] if identity else None

    def _series_in_memory(self) -> list[Version]:
        """Versions of this series known without a query (pending ones included)."""
        task = self.task
        if task is None:
            return []
        task_state = inspect(task)
        if "versions" in task_state.dict or task_state.key is None:
            with no_autoflush(task):
                known = list(task.versions)
        else:  # a saved task whose versions are not loaded: ask the session
            session = task_state.session
            notes = transaction_notes(session) if session else {}
            pending = notes.get(_PENDING_KEY, {})
            changed: Iterable[Any] = session.dirty if session else []
            known = [
                *pending.get(id(task), []),
                *(v for v in changed if isinstance(v, Version)),
            ]
        return [v for v in known if self._in_series(v)]

    def _series_parameters(self) -> tuple[Session | None, dict[str, Any]]:
        """The session to query and the series' bind parameters (None: no DB)."""
        task_key = self._task_key()
        session = session_of(self) or session_of(self.task)
        if task_key is None:
            return None, {}
        own_key = inspect(self).identity
        return session, {
            "task_id": task_key,
            "take_name": self.take_name,
            "own_id": own_key[0] if own_key else 0,  # 0: no row has it
        }

    def _highest_number_in_db(self) -> int:
        session, parameters = self._series_parameters()
        if session is None:
            return 0
        result = session.connection().execute(_HIGHEST_OTHER_NUMBER, parameters)
        return result.scalar() or 0  # type: ignore[no-any-return]

    def _latest_in_db(self, published_only: bool) -> Version | None:
        """The saved version with the highest number that still qualifies.

        The highest row is checked against its in-memory state (series,
        publication); only when that was changed are the other rows read.
        """
        session, parameters = self._series_parameters()
        if session is None:
            return None

        def qualifies(version: Version) -> bool:
            if not inspect(version).modified:
                return True  # the row the query matched is what memory holds
            return self._in_series(version) and (
                version.is_published or not published_only
            )

        connection = session.connection()
        with session.no_autoflush:
            for statement in (_latest_id(published_only), _latest_ids(published_only)):
                for (version_id,) in connection.execute(statement, parameters):
                    version = session.get(Version, version_id)
                    if version is not None and qualifies(version):
                        # held here, the answer stays in the session's identity
                        # map: asking again costs an id query, not a row load
                        self._latest_seen = version
                        return version
        return None

    def _remember_pending(self) -> None:
        """Let the session know this unsaved version (its task's list is unloaded)."""
        state = inspect(self)
        session = state.session
        if session is None or state.key is not None or self.task is None:
            return
        if inspect(self.task).key is None:
            return
        pending = transaction_notes(session).setdefault(_PENDING_KEY, {})
        series = pending.setdefault(id(self.task), [])
        if all(v is not self for v in series):
            series.append(self)

    def _latest(self, published_only: bool) -> Version | None:
        candidates = [
            v for v in self._series_in_memory() if v.is_published or not published_only
        ]
        if not published_only or self.is_published:
            candidates.append(self)
        in_db = self._latest_in_db(published_only)
        if in_db is not None:
            candidates.append(in_db)
        return max(candidates, key=_number_key, default=None)

    @property
    def latest_version(self) -> Version | None:
        """The version of this task and take with the highest number."""
        return self._latest(published_only=False)

    @property
    def max_version_number(self) -> int:
        """The highest number of this task and take (0 for an empty series)."""
        latest = self.latest_version
        return latest.version_number or 0 if latest is not None else 0

    @property
    def latest_published_version(self) -> Version | None:
        """The published version of this task and take with the highest number."""
        return self._latest(published_only=True)

    def is_latest_published_version(self) -> bool:
        """Whether this version is published and no later one is."""
        return self.is_published and self.latest_published_version is self

    # -- naming -------------------------------------------------------------

    @property
    def naming_parents(self) -> list[Task]:
        """The tasks named in file names: from the nearest asset/shot/sequence."""
        chain = [*self.task.parents, self.task]
        for index in range(len(chain) - 1, -1, -1):
            if chain[index].entity_type in _NAMING_ENTITY_TYPES:
                return chain[index:]
        return chain

    @property
    def nice_name(self) -> str:
        """e.g. ``SH001_comp_Main``: the naming parents and the take."""
        parents = "_".join(task.nice_name for task in self.naming_parents)
        return make_nice_name(f"{parents}_{self.take_name}")

    # -- paths --------------------------------------------------------------

    def _filename_template(self) -> FilenameTemplate:
        entity_type = self.task.entity_type
        structure = self.task.project.structure
        templates = structure.templates if structure is not None else []
        for template in templates:
            if template.target_entity_type == entity_type:
                return template  # type: ignore[no-any-return]
        raise RuntimeError(
            f"{self!r} has no FilenameTemplate: the structure of project "
            f"{self.task.project.name!r} has none whose target_entity_type is "
            f"{entity_type!r}"
        )

    def template_variables(self) -> dict[str, Any]:
        """What FilenameTemplates see: plain snapshots, never live objects.

        See :func:`stalker.templates.template_context` for the variables.
        """
        return template_context(self.task, self)

    #: The 1.x spelling of the same call.
    _template_variables = template_variables

    def update_paths(self) -> None:
        """Render the path and file name from the project's FilenameTemplate.

        Both are checked (sandboxed rendering, nothing outside the project's
        repositories, D12) before ``full_path`` changes.
        """
        with no_autoflush(self, self.task):
            self._render_paths()

    def _render_paths(self) -> None:
        template = self._filename_template()
        variables = self.template_variables()
        label = f"FilenameTemplate {template.name!r}"
        filename = render_template(
            template.filename, template_name=f"{label} (filename)", **variables
        )
        path = render_template(
            template.path, template_name=f"{label} (path)", **variables
        )
        check_relative_path(filename, template_name=f"{label} (filename)")
        roots = repository_roots(self.task.project.repositories)
        check_rendered_path(path, roots, template_name=f"{label} (path)")
        if path == "":
            raise value_error(self, "path", "a non-empty rendered path", path)
        self.full_path = posixpath.join(path, filename)
        self._rendered_full_path = self.full_path

    def _refresh_rendered_paths(self) -> None:
        """Render again after a renumbering, keeping an extension set since."""
        rendered = getattr(self, "_rendered_full_path", None)
        if rendered is None:
            return
        stem, extension = os.path.splitext(self.full_path)
        if self.full_path == rendered:
            self.update_paths()
        elif stem == os.path.splitext(rendered)[0]:
            self.update_paths()
            self.extension = extension

    @property
    def absolute_full_path(self) -> str:
        """``full_path`` with ``$REPO...`` expanded, normalised for this OS."""
        return os.path.normpath(os.path.expandvars(self.full_path)).replace("\\", "/")

    @property
    def absolute_path(self) -> str:
        """``path`` with ``$REPO...`` expanded, normalised for this OS."""
        return os.path.normpath(os.path.expandvars(self.path)).replace("\\", "/")

    # -- graph walks ----------------------------------------------------------

    def walk_inputs(self, method: int = 0) -> Iterator[Link]:
        """Self, then its inputs recursively; plain Links are leaves.

        ``method`` 0 walks depth-first (pre-order), 1 breadth-first.  A shared
        input is yielded once per path that reaches it.
        """
        nodes: list[Link] = [self]
        while nodes:
            node = nodes.pop(0) if method == 1 else nodes.pop()
            yield node
            inputs = list(node.inputs) if isinstance(node, Version) else []
            nodes.extend(inputs if method == 1 else reversed(inputs))

    # -- identity -------------------------------------------------------------

    def __repr__(self) -> str:
        number = self.version_number or 0
        code = self.task.project.code if self.task is not None else ""
        return f"<{code}_{self.nice_name}_v{number:03d} ({self.entity_type})>"

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Version)
            and self.task is other.task
            and self.take_name == other.take_name
            and self.version_number == other.version_number
        )

    __hash__ = SimpleEntity.__hash__


# -- series queries, locking and final numbering (D10) ------------------------------

_VERSIONS = Version.__table__
_IN_SERIES = (
    _VERSIONS.c.task_id == bindparam("task_id"),
    _VERSIONS.c.take_name == bindparam("take_name"),
)
#: Built once so that SQLAlchemy compiles them once (numbering is a hot path).
_HIGHEST_OTHER_NUMBER = select(func.max(_VERSIONS.c.version_number)).where(
    *_IN_SERIES, _VERSIONS.c.id != bindparam("own_id")
)


@functools.cache
def _latest_id(published_only: bool) -> Any:
    """The id of a series' (published) version with the highest number."""
    return _latest_ids(published_only).limit(1)


@functools.cache
def _latest_ids(published_only: bool) -> Any:
    """Ids of a series' (published) versions, highest number first."""
    statement = select(_VERSIONS.c.id).where(*_IN_SERIES)
    if published_only:
        statement = statement.where(_VERSIONS.c.is_published.is_(True))
    return statement.order_by(_VERSIONS.c.version_number.desc())


def _dialect_name(session: Session) -> str | None:
    try:
        return session.get_bind().dialect.name
    except UnboundExecutionError:
        return None


def _claim_sqlite_write_lock(session: Session | None) -> None:
    """Take SQLite's write lock if this transaction has not read anything yet."""
    if session is None or transaction_notes(session).get("connected"):
        return
    if _dialect_name(session) == "sqlite":
        take_sqlite_write_lock(session.connection())


def _lock_series(session: Session, task_ids: list[int]) -> None:
    """Hold every given task's series until the transaction ends."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        take_sqlite_write_lock(connection)
    elif dialect == "postgresql":
        for task_id in task_ids:  # sorted: two flushes lock in the same order
            connection.execute(
                select(func.pg_advisory_xact_lock(_ADVISORY_NAMESPACE, task_id))
            )
    else:
        tasks = Task.__table__
        connection.execute(
            select(tasks.c.id)
            .where(tasks.c.id.in_(task_ids))
            .order_by(tasks.c.id)
            .with_for_update()
        )


def _highest_numbers(session: Session, task_ids: list[int]) -> dict[Any, int]:
    """``{(task_id, take_name): max(version_number)}`` of the saved versions.

    One task (a publish) is compared with ``=``: an IN list is rendered
    again on every execution, which cost more than the query itself.
    """
    table = Version.__table__
    of_tasks = (
        table.c.task_id == task_ids[0]
        if len(task_ids) == 1
        else table.c.task_id.in_(task_ids)
    )
    rows = session.connection().execute(
        select(table.c.task_id, table.c.take_name, func.max(table.c.version_number))
        .where(of_tasks)
        .group_by(table.c.task_id, table.c.take_name)
    )
    return {(task_id, take): number for task_id, take, number in rows}


def _task_id(version: Version) -> int | None:
    key = inspect(version.task).identity if version.task is not None else None
    return key[0] if key else None


def _moved_in_series(version: Version) -> bool:
    state = inspect(version)
    return any(
        state.attrs[name].history.has_changes()
        for name in ("task", "take_name", "_version_number")
    )


def _collides(session: Session, version: Version, task_id: int) -> bool:
    table = Version.__table__
    stmt = (
        select(table.c.id)
        .where(table.c.task_id == task_id)
        .where(table.c.take_name == version.take_name)
        .where(table.c.version_number == version.version_number)
        .where(table.c.id != version.id)
        .limit(1)
    )
    return session.connection().execute(stmt).first() is not None


def _renumber(version: Version, number: int) -> None:
    if version._version_number != number:
        version._version_number = number
        version._refresh_rendered_paths()


@event.listens_for(Session, "before_flush")
def _finalise_version_numbers(
    session: Session, flush_context: Any, instances: Any
) -> None:
    """Give pending versions their final, unique numbers under the series lock."""
    new = [obj for obj in session.new if isinstance(obj, Version)]
    moved = [
        obj
        for obj in session.dirty
        if isinstance(obj, Version) and _moved_in_series(obj)
    ]
    if not new and not moved:
        return
    saved_task_ids = sorted(
        {tid for tid in map(_task_id, [*new, *moved]) if tid is not None}
    )
    highest: dict[Any, int] = {}
    if saved_task_ids:
        _lock_series(session, saved_task_ids)
        highest = _highest_numbers(session, saved_task_ids)
    series: dict[tuple[int, str], list[Version]] = {}
    for version in new:
        series.setdefault((id(version.task), version.take_name), []).append(version)
    for versions in series.values():
        task_id = _task_id(versions[0])
        number = highest.get((task_id, versions[0].take_name), 0)
        for version in sorted(versions, key=_number_key):
            current = version.version_number
            number = current if current is not None and current > number else number + 1
            _renumber(version, number)
        highest[(task_id, versions[0].take_name)] = number
    for version in moved:
        task_id = _task_id(version)
        if task_id is not None and _collides(session, version, task_id):
            key = (task_id, version.take_name)
            highest[key] = max(highest.get(key, 0), version.version_number or 0) + 1
            _renumber(version, highest[key])


@event.listens_for(Session, "after_flush_postexec")
def _forget_pending(session: Session, flush_context: Any) -> None:
    transaction_notes(session).pop(_PENDING_KEY, None)


__all__ = ["Version", "Version_Inputs", "Version_Outputs", "format_take_name"]
