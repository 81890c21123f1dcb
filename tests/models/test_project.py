"""Project, ProjectUser and ProjectRepository (spec 06 §9, §10, §12)."""

from __future__ import annotations

import datetime

import pytest

from stalker import (
    ImageFormat,
    Link,
    Project,
    ProjectRepository,
    ProjectUser,
    Repository,
    Role,
    Status,
    StatusList,
    Structure,
    User,
)

from ..factories import make_user

UTC = datetime.timezone.utc


def make_repo(name="R1", **kwargs):
    return Repository(name=name, linux_path=f"/mnt/{name}", **kwargs)


@pytest.fixture
def project(session):
    return Project(name="Fancy Commercial", code="FC")


# --- construction ------------------------------------------------------------


def test_defaults(project):
    assert project.code == "FC"
    assert project.fps == 25.0
    assert project.is_stereoscopic is False
    assert project.active is True and project.is_active is True
    assert project.users == []
    assert project.repositories == []
    assert project.repository is None
    assert project.references == []
    assert project.structure is None and project.image_format is None
    assert project.plural_class_name == "Projects"


def test_default_status_list_is_the_oldest_project_list(session):
    extra = StatusList(
        name="Project Status List",
        statuses=[Status.query.filter_by(code="WIP").one()],
        target_entity_type="Project",
    )
    session.add(extra)
    session.commit()
    project = Project(name="P", code="P")
    assert project.status_list.name == "Project Statuses"
    assert project.status == project.status_list.statuses[0]
    assert project.status.code == "RTS"
    explicit = Project(name="Q", code="Q", status_list=extra)
    assert explicit.status.code == "WIP"


def test_name_and_code_are_required(session):
    with pytest.raises(TypeError, match=r"Project\.name"):
        Project(code="P")
    with pytest.raises(TypeError, match=r"Project\.code"):
        Project(name="P")
    with pytest.raises(ValueError, match=r"Project\.code"):
        Project(name="P", code="")
    with pytest.raises(TypeError, match=r"Project\.code"):
        Project(name="P", code=1)


def test_code_is_not_unique(session):
    session.add_all([Project(name="A", code="X"), Project(name="B", code="X")])
    session.commit()
    assert Project.query.filter_by(code="X").count() == 2


def test_unknown_kwargs_are_ignored(session):
    project = Project(name="P", code="P", repository="legacy", whatever=1)
    assert project.repositories == []


def test_entity_kwargs_are_passed_on(session):
    project = Project(
        name="P",
        code="P",
        description="about",
        start=datetime.datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime.datetime(2024, 2, 1, tzinfo=UTC),
    )
    assert project.description == "about"
    assert project.duration == datetime.timedelta(days=31)


# --- fps, stereo, structure, image format -----------------------------------


@pytest.mark.parametrize("bad", [None, "2.3", [25]])
def test_fps_type(project, bad):
    with pytest.raises(TypeError, match=r"Project\.fps should be an int or float"):
        project.fps = bad


@pytest.mark.parametrize("bad", [0, -1, -0.1])
def test_fps_value(project, bad):
    with pytest.raises(ValueError, match=r"Project\.fps"):
        project.fps = bad


def test_fps_is_stored_as_float(session):
    project = Project(name="P", code="P", fps=24)
    assert project.fps == 24.0 and isinstance(project.fps, float)


def test_is_stereoscopic_is_coerced(project):
    project.is_stereoscopic = "yes"
    assert project.is_stereoscopic is True
    project.is_stereoscopic = 0
    assert project.is_stereoscopic is False


def test_structure_and_image_format_are_type_checked(project):
    with pytest.raises(TypeError, match=r"Project\.structure"):
        project.structure = "S"
    with pytest.raises(TypeError, match=r"Project\.image_format"):
        project.image_format = 1920
    project.structure = Structure(name="S")
    project.image_format = ImageFormat(name="HD", width=1920, height=1080)
    project.structure = None
    assert project.structure is None


# --- repositories --------------------------------------------------------------


def test_repositories_are_type_checked(project):
    # the whole list is checked before the old links go (issue 16 case 2)
    with pytest.raises(TypeError, match=r"Project\.repositories should be a list of"):
        project.repositories = ["x"]
    with pytest.raises(TypeError, match=r"Project\.repositories should be a list"):
        project.repositories = "not a list"
    with pytest.raises(TypeError, match=r"Project\.repositories should be a list"):
        project.repositories = None


def test_repository_is_the_first_repository(project):
    r1, r2 = make_repo("R1"), make_repo("R2")
    project.repositories = [r2, r1]
    assert project.repository is r2


def test_repository_order_is_persisted(session, project):
    r1, r2, r3 = make_repo("R1"), make_repo("R2"), make_repo("R3")
    project.repositories = [r1, r2, r3]
    session.add(project)
    session.commit()
    project.repositories = [r3, r1, r2]
    session.commit()
    for _ in range(3):
        session.expire_all()
        loaded = Project.query.filter_by(code="FC").one()
        assert [r.name for r in loaded.repositories] == ["R3", "R1", "R2"]
        assert [pr.position for pr in loaded.repositories_proxy] == [0, 1, 2]
    assert loaded.repository.name == "R3"


def test_same_repository_twice_is_kept_once(session, project):
    repo = make_repo()
    project.repositories.append(repo)
    project.repositories.append(repo)
    session.add(project)
    session.commit()
    assert project.repositories == [repo]


def test_project_repository_constructor():
    repo = make_repo()
    link = ProjectRepository(repository=repo, position=4)
    assert (link.repository, link.position, link.project) == (repo, 4, None)


# --- users -------------------------------------------------------------------


def test_users_are_set_like_from_both_sides(session, project):
    me = make_user("u1")
    project.users.append(me)
    project.users.append(me)
    me.projects.append(project)
    session.add(project)
    session.commit()
    assert project.users == [me]
    assert me.projects == [project]
    assert len(project.user_role) == 1


def test_users_type_checked(project):
    with pytest.raises(TypeError, match=r"ProjectUser\.user"):
        project.users.append("me")
    with pytest.raises(TypeError, match=r"Project\.users should be a list"):
        project.users = None


def test_rate_copied_from_user(session, project):
    me = make_user(rate=102.0)
    project.users = [me]
    assert project.user_role[0].rate == 102.0
    other = Project(name="P2", code="P2")
    me.projects = [project, other]
    assert all(link.rate == 102.0 for link in me.project_role)


def test_project_user_rate_is_independent(session, project):
    me = make_user(rate=10)
    link = ProjectUser(project=project, user=me)
    link.rate = 55
    assert (link.rate, me.rate) == (55.0, 10.0)
    link.rate = None
    assert link.rate == 0.0
    with pytest.raises(TypeError, match=r"ProjectUser\.rate"):
        link.rate = "5"
    with pytest.raises(ValueError, match=r"ProjectUser\.rate"):
        link.rate = -1


def test_project_user_role_and_membership(session, project):
    me = make_user("u1")
    lead = Role(name="Lead")
    link = ProjectUser(project=project, user=me, role=lead)
    assert me in project.users
    assert link.role is lead
    with pytest.raises(TypeError, match=r"ProjectUser\.role"):
        link.role = "Lead"
    with pytest.raises(TypeError, match=r"ProjectUser\.project"):
        ProjectUser(project="P")
    session.add(project)
    session.commit()
    session.expire_all()
    assert ProjectUser.query.one().role.name == "Lead"


# --- references, persistence, deletion ----------------------------------------


def test_references(project):
    link = Link(full_path="/ref.jpg")
    project.references.append(link)
    assert project.references == [link]
    with pytest.raises(TypeError, match=r"Project\.references"):
        project.references.append("x")


def test_full_project_round_trip(session):
    me = make_user(rate=5)
    project = Project(
        name="Fancy",
        code="FC",
        repositories=[make_repo()],
        structure=Structure(name="S"),
        image_format=ImageFormat(name="HD", width=1920, height=1080),
        fps=24,
        is_stereoscopic=True,
        users=[me],
        end=datetime.datetime(2030, 5, 15, tzinfo=UTC),
    )
    session.add(project)
    session.commit()
    session.expire_all()
    loaded = Project.query.filter_by(name="Fancy").one()
    assert loaded.fps == 24.0 and loaded.is_stereoscopic is True
    assert loaded.structure.name == "S"
    assert loaded.image_format.width == 1920
    assert loaded.users == [me] and loaded.user_role[0].rate == 5.0
    assert loaded.end == datetime.datetime(2030, 5, 15, tzinfo=UTC)
    assert loaded.status.code == "RTS"


def test_deleting_a_project_keeps_shared_objects(session):
    me = make_user("u1")
    project = Project(
        name="P",
        code="P",
        repositories=[make_repo()],
        structure=Structure(name="S"),
        image_format=ImageFormat(name="HD", width=1, height=1),
        users=[me],
    )
    session.add(project)
    session.commit()
    session.delete(project)
    session.commit()
    assert Project.query.count() == 0
    assert ProjectUser.query.count() == 0
    assert ProjectRepository.query.count() == 0
    assert Repository.query.count() == 1
    assert Structure.query.count() == 1
    assert ImageFormat.query.count() == 1
    assert User.query.filter_by(login="u1").count() == 1
    assert me.projects == []


def test_deleting_a_user_removes_the_membership(session, project):
    me = make_user("u1")
    project.users = [me]
    session.add(project)
    session.commit()
    session.delete(me)
    session.commit()
    session.expire_all()
    assert project.users == []


def test_equality(session):
    assert Project(name="A", code="A") == Project(name="A", code="B")
    assert Project(name="A", code="A") != Project(name="B", code="A")
    assert Project(name="A", code="A") != Repository(name="A")


def test_association_columns_are_indexed():
    assert ProjectUser.__table__.c.user_id.index
    assert ProjectUser.__table__.c.rid.index
    assert ProjectRepository.__table__.c.repository_id.index
    assert Project.__table__.c.structure_id.index
    assert Project.__table__.c.image_format_id.index
    assert Project.__table__.c.status_id.index
