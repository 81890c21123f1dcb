"""Review (one reviewer's decision on a round of a task), Daily and DailyLink."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from stalker.db.declarative import Base, mapped_class
from stalker.db.session import add_to_session_of, no_autoflush
from stalker.models.auth import User
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.link import Link
from stalker.models.mixins.project import ProjectMixin
from stalker.models.mixins.schedule import ScheduleMixin
from stalker.models.mixins.status import StatusMixin
from stalker.models.task import Task
from stalker.models.validation import check_instance, value_error
from stalker.utils import walk_hierarchy

#: A dependency in one of these statuses lets its dependents start in parallel.
_REOPENED_CODES = frozenset({"HREV", "PREV", "DREV", "OH", "STOP"})


class Review(SimpleEntity, ScheduleMixin, StatusMixin):
    """One reviewer's answer (approve or revise) in one review round of a task.

    The reviews of a round share a ``review_number``; when the last of them
    is answered the round is finalised and the task moves on (CMPL or HREV).
    """

    __tablename__ = "Reviews"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Review"}

    review_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    task_id: Mapped[int] = mapped_column(
        ForeignKey("Tasks.id"), nullable=False, index=True
    )
    task: Mapped[Task] = relationship(
        primaryjoin="Review.task_id == Task.task_id",
        backref=backref(
            "reviews", cascade="all, delete-orphan", order_by="Review.review_id"
        ),
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("Users.id"), nullable=False, index=True
    )
    reviewer: Mapped[User] = relationship(
        primaryjoin="Review.reviewer_id == User.user_id"
    )
    _review_number: Mapped[int] = mapped_column("review_number", Integer, default=1)

    def __init__(
        self,
        task: Task | None = None,
        reviewer: User | None = None,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs["description"] = description
        super().__init__(**kwargs)
        ScheduleMixin.__init__(
            self,
            **{
                key: kwargs[key]
                for key in ("schedule_timing", "schedule_unit", "schedule_model")
                if key in kwargs
            },
        )
        StatusMixin.__init__(self, status_list=kwargs.get("status_list"))
        self.status = self.status_list["NEW"]
        self.task = task  # type: ignore[assignment]
        self.reviewer = reviewer  # type: ignore[assignment]
        add_to_session_of(self, task, reviewer)

    # Not on back-references: ``task.reviews.remove(review)`` sets None here
    # and delete-orphan then deletes the review.
    @validates("task", include_backrefs=False)
    def _validate_task(self, key: str, task: Any) -> Task:
        check_instance(self, key, task, Task)
        with no_autoflush(task):
            if task.is_container:
                raise value_error(
                    self,
                    key,
                    f"a leaf task; {task.name!r} (id {task.id}) has children",
                    task,
                )
        self._review_number = task.review_number + 1
        return task  # type: ignore[no-any-return]

    @validates("reviewer")
    def _validate_reviewer(self, key: str, reviewer: Any) -> User:
        return check_instance(self, key, reviewer, User)  # type: ignore[no-any-return]

    @property
    def review_number(self) -> int:
        """The round this review belongs to (set from the task)."""
        return self._review_number

    @property
    def review_set(self) -> list[Review]:
        """Every review of the same task and round, this one included."""
        return self.task.review_set(self.review_number)

    def is_finalized(self) -> bool:
        """True when nobody in this round still has to answer (no NEW review)."""
        return all(review.status.code != "NEW" for review in self.review_set)

    def approve(self) -> None:
        """Approve the task's work; finalises the round if it was the last answer."""
        self.status = self.status_list["APP"]
        self.finalize_review_set()

    def request_revision(
        self,
        schedule_timing: float = 1,
        schedule_unit: str = "h",
        description: str = "",
    ) -> None:
        """Ask for more work (the extra time it needs); may finalise the round."""
        self.schedule_timing = schedule_timing
        self.schedule_unit = schedule_unit  # type: ignore[assignment]
        self.description = description
        self.status = self.status_list["RREV"]
        self.finalize_review_set()

    def finalize_review_set(self) -> None:
        """Apply a completed round to the task and to everything depending on it."""
        if not self.is_finalized():
            return
        task = self.task
        reviews = self.review_set
        revisions = [review for review in reviews if review.status.code == "RREV"]
        total = (task.total_logged_seconds or 0) + sum(
            review.schedule_seconds or 0 for review in revisions
        )
        timing, unit = task.least_meaningful_time_unit(total)
        task._review_number += 1
        if revisions:
            if total > task.schedule_seconds:
                task.schedule_timing = timing
                task.schedule_unit = unit
            task._set_status_code("HREV")
        else:
            task._set_status_code("CMPL")
            task.schedule_timing = timing
            task.schedule_unit = unit
        task.update_parent_statuses()
        for dependent in walk_hierarchy(task, "dependent_of", method=1):
            dependent.update_status_with_dependent_statuses()
            if dependent.status.code in _REOPENED_CODES:
                for dependency in dependent.task_dependent_of:
                    dependency.dependency_target = "onstart"
            dependent.update_parent_statuses()


class DailyLink(Base):
    """A Link shown in a Daily, with its rank in the session."""

    __tablename__ = "Daily_Links"

    daily_id: Mapped[int] = mapped_column(ForeignKey("Dailies.id"), primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("Links.id"), primary_key=True, index=True
    )
    daily: Mapped[Daily | None] = relationship(
        back_populates="link_relations",
        primaryjoin="DailyLink.daily_id == Daily.daily_id",
    )
    link: Mapped[Link | None] = relationship(
        primaryjoin="DailyLink.link_id == Link.link_id"
    )
    rank: Mapped[int] = mapped_column(Integer, default=0)

    def __init__(
        self, daily: Daily | None = None, link: Link | None = None, rank: int = 0
    ) -> None:
        self.daily = daily
        self.link = link
        self.rank = rank

    @validates("daily")
    def _validate_daily(self, key: str, daily: Any) -> Daily | None:
        return check_instance(self, key, daily, Daily, allow_none=True)  # type: ignore[no-any-return]

    @validates("link")
    def _validate_link(self, key: str, link: Any) -> Link | None:
        return check_instance(self, key, link, Link, allow_none=True)  # type: ignore[no-any-return]


class Daily(Entity, StatusMixin, ProjectMixin):
    """A dailies session: the output Links of versions shown to the team."""

    __tablename__ = "Dailies"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Daily"}

    daily_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    link_relations: Mapped[list[DailyLink]] = relationship(
        back_populates="daily",
        cascade="all, delete-orphan",
        primaryjoin="Daily.daily_id == DailyLink.daily_id",
        order_by="DailyLink.rank",
    )
    links = association_proxy(
        "link_relations", "link", creator=lambda link: DailyLink(link=link)
    )

    def __init__(self, links: list[Link] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        StatusMixin.__init__(self, status_list=kwargs.get("status_list"))
        ProjectMixin.__init__(self, project=kwargs.get("project"))
        self.links = [] if links is None else links
        add_to_session_of(self, self.project)

    @validates("link_relations")
    def _validate_link_relation(self, key: str, relation: Any) -> DailyLink:
        relation = check_instance(self, key, relation, DailyLink)
        if relation.link is not None:
            check_instance(self, "links", relation.link, Link)
        return relation  # type: ignore[no-any-return]

    @property
    def versions(self) -> list[Any]:
        """Distinct Versions having one of this daily's links among their outputs."""
        try:
            version_class: Any = mapped_class("Version")
        except LookupError:
            return []  # versions arrive with the publishing models
        link_ids = [link.id for link in self.links if link is not None]
        if not link_ids:
            return []
        return list(
            version_class.query.filter(
                version_class.outputs.any(Link.link_id.in_(link_ids))
            )
            .order_by(version_class.version_id)
            .distinct()
            .all()
        )

    @property
    def tasks(self) -> list[Task]:
        """Distinct tasks owning this daily's versions, in version order."""
        tasks: list[Task] = []
        for version in self.versions:
            if all(task is not version.task for task in tasks):
                tasks.append(version.task)
        return tasks
