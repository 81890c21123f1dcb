"""ProjectMixin, ReferenceMixin and create_secondary_table (spec 06 §2, §3; 02)."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from stalker import Entity, Link, Project, ProjectMixin, ReferenceMixin
from stalker.db.declarative import Base
from stalker.models.entity import SimpleEntity
from stalker.models.mixins import create_secondary_table


class ProjectMixinSample(Entity, ProjectMixin):
    """A test-only class owned by a project (like Scene or Page)."""

    __tablename__ = "ProjectMixinSamples"
    __mapper_args__ = {"polymorphic_identity": "ProjectMixinSample"}

    sample_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        ProjectMixin.__init__(self, **kwargs)

    __hash__ = SimpleEntity.__hash__


@pytest.fixture
def project(session):
    return Project(name="P", code="P")


def test_project_is_required(project):
    with pytest.raises(TypeError, match=r"ProjectMixinSample\.project"):
        ProjectMixinSample(name="x")
    with pytest.raises(TypeError, match=r"ProjectMixinSample\.project"):
        ProjectMixinSample(name="x", project="P")
    sample = ProjectMixinSample(name="x", project=project)
    with pytest.raises(TypeError):
        sample.project = None


def test_back_reference_is_named_after_the_table(project):
    sample = ProjectMixinSample(name="x", project=project)
    assert project.projectmixinsamples == [sample]


def test_project_deletes_its_objects(session, project):
    ProjectMixinSample(name="x", project=project)
    ProjectMixinSample(name="y", project=project)
    session.add(project)
    session.commit()
    assert ProjectMixinSample.query.count() == 2
    project.projectmixinsamples.pop(0)
    session.commit()
    assert ProjectMixinSample.query.count() == 1
    session.delete(project)
    session.commit()
    assert ProjectMixinSample.query.count() == 0


def test_project_id_is_indexed():
    column = ProjectMixinSample.__table__.c.project_id
    assert column.index
    assert column.nullable


def test_references_default_and_validation(project):
    assert project.references == []
    ReferenceMixin.__init__(project, references=None)
    assert project.references == []
    with pytest.raises(TypeError, match=r"Project\.references"):
        project.references.append("not a link")
    with pytest.raises(TypeError, match=r"Project\.references should be a list"):
        project.references = None


def test_references_are_persisted_without_back_reference(session):
    links = [Link(full_path="/a.jpg"), Link(full_path="/b.mov")]
    project = Project(name="P", code="P", references=links)
    project.references.append(links[0])
    session.add(project)
    session.commit()
    session.expire_all()
    assert sorted(link.full_path for link in project.references) == [
        "/a.jpg",
        "/b.mov",
    ]
    assert not hasattr(Link, "projects")
    table = Base.metadata.tables["Project_References"]
    assert {c.name for c in table.primary_key.columns} == {"project_id", "link_id"}


def test_create_secondary_table_names_and_reuse():
    table = create_secondary_table("Foo", "Bar", "Foos", "Bars")
    try:
        assert table.name == "Foo_Bars"
        assert [c.name for c in table.columns] == ["foo_id", "bar_id"]
        assert all(c.primary_key for c in table.columns)
        assert {fk.target_fullname for fk in table.foreign_keys} == {
            "Foos.id",
            "Bars.id",
        }
        assert create_secondary_table("Foo", "Bar", "Foos", "Bars") is table
        named = create_secondary_table("Foo", "Link", "Foos", "Links", "Foo_Refs")
        assert named.name == "Foo_Refs"
        Base.metadata.remove(named)
    finally:
        Base.metadata.remove(table)
