"""Version (spec 08 §2) and Task.versions: attributes, numbering, naming, walks."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.exc import IntegrityError

import stalker
from stalker import Link, Type, Version
from stalker.db import delete_with_work_records
from stalker.exceptions import CircularDependencyError, DeleteRefusedError
from stalker.models.asset import Asset
from stalker.models.sequence import Sequence
from stalker.models.shot import Shot
from tests.factories import make_user
from tests.support.statements import recorded_statements
from tests.task_factories import TaskWorld, make_status_list

# =============================================================================
# without a database
# =============================================================================


@pytest.fixture
def offline():
    world = TaskWorld()
    world.lists = {
        name: make_status_list(name) for name in ("Task", "Asset", "Shot", "Sequence")
    }
    return world


@pytest.fixture
def task(offline):
    return offline.task("comp")


def test_defaults(task):
    version = Version(task=task)
    assert version.task is task
    assert task.versions == [version]
    assert version.take_name == "Main"
    assert version.version_number == 1
    assert version.is_published is False
    assert version.created_with is None
    assert version.inputs == [] and version.outputs == []
    assert version.parent is None and version.children == []
    assert version.full_path == "" and version.original_filename == ""
    assert version.name.startswith("Version_")
    uuid.UUID(version.name[len("Version_") :])


def test_constructor_arguments(task):
    link = Link(full_path="/plates/a.exr")
    parent = Version(task=task)
    version = Version(
        task=task,
        take_name="Lighting Pass",
        inputs=[link],
        outputs=[parent],
        parent=parent,
        full_path=r"M:\shots\a.ma",
        created_with="Maya",
        name="my version",
        description="first try",
    )
    assert version.take_name == "Lighting_Pass"
    assert version.inputs == [link] and version.outputs == [parent]
    assert version.parent is parent and parent.children == [version]
    assert version.full_path == "M:/shots/a.ma"
    assert version.original_filename == "a.ma"
    assert version.created_with == "Maya"
    assert (version.name, version.description) == ("my version", "first try")
    assert version.version_number == 1  # its own series (take Lighting_Pass)


def test_default_take_name_comes_from_the_defaults(task):
    stalker.defaults.version_take_name = "Base"
    assert Version(task=task).take_name == "Base"


def test_unknown_keyword_arguments_are_ignored(task):
    assert Version(task=task, filename="ignored.ma", whatever=1).full_path == ""


@pytest.mark.parametrize("value", [None, "comp", 3, Link()])
def test_task_must_be_a_task(value):
    with pytest.raises(TypeError, match=r"Version\.task should be a Task instance"):
        Version(task=value)


def test_task_is_checked_on_assignment(task):
    version = Version(task=task)
    with pytest.raises(TypeError, match=r"Version\.task"):
        version.task = "comp"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Take Name", "Take_Name"),
        ("   take   name   ", "take_name"),
        ("Take___Name", "Take___Name"),
        ("Take@Name", "Take@Name"),
        ("TestTake@BBOX", "TestTake@BBOX"),
        ("-my-take", "my-take"),
        ("Take.v2", "Takev2"),
        ("_@-Take", "Take"),
    ],
)
def test_take_name_is_formatted_on_every_assignment(task, given, stored):
    assert Version(task=task, take_name=given).take_name == stored
    version = Version(task=task)
    version.take_name = given
    assert version.take_name == stored


@pytest.mark.parametrize("value", ["##$½#$", "", "   ", "..."])
def test_take_name_empty_after_formatting_is_a_value_error(task, value):
    with pytest.raises(ValueError, match=r"Version\.take_name"):
        Version(task=task, take_name=value)


@pytest.mark.parametrize("value", [3, b"Main", ["Main"]])
def test_take_name_must_be_a_str(task, value):
    with pytest.raises(TypeError, match=r"Version\.take_name should be a str"):
        Version(task=task, take_name=value)
    version = Version(task=task)
    with pytest.raises(TypeError, match=r"Version\.take_name"):
        version.take_name = None
    with pytest.raises(TypeError, match=r"Version\.take_name"):
        Version(task=task, take_name=None)


@pytest.mark.parametrize("attr", ["inputs", "outputs"])
def test_inputs_and_outputs_hold_links(task, attr):
    version = Version(task=task)
    link, other = Link(full_path="/a"), Version(task=task)
    setattr(version, attr, [link, other])
    assert getattr(version, attr) == [link, other]
    with pytest.raises(TypeError, match=rf"Version\.{attr} should be a list of Link"):
        getattr(version, attr).append("a.ma")
    with pytest.raises(TypeError, match=rf"Version\.{attr} should be a list"):
        setattr(version, attr, None)
    with pytest.raises(TypeError, match=rf"Version\.{attr}"):
        Version(task=task, **{attr: [3]})


def test_created_with_is_a_str_or_none(task):
    version = Version(task=task, created_with="Houdini")
    version.created_with = None
    assert version.created_with is None
    with pytest.raises(TypeError, match=r"Version\.created_with should be a str"):
        version.created_with = 3


def test_is_published_is_false_after_construction_and_settable(task):
    version = Version(task=task, is_published=True)
    assert version.is_published is False
    version.is_published = True
    assert version.is_published is True


# --- parent / children (DAG) ---------------------------------------------------


def test_parent_must_be_a_version(task):
    version = Version(task=task)
    with pytest.raises(TypeError, match=r"Version\.parent should be a Version"):
        version.parent = Link()
    with pytest.raises(TypeError, match=r"Version\.children"):
        version.children.append(Link())


def test_parent_cycles_are_refused(task):
    v1 = Version(task=task)
    v2 = Version(task=task, parent=v1)
    v3 = Version(task=task, parent=v2)
    with pytest.raises(CircularDependencyError):
        v1.parent = v3
    with pytest.raises(CircularDependencyError):
        v1.parent = v1
    with pytest.raises(CircularDependencyError):
        v3.children.append(v1)


def test_walk_hierarchy(task):
    v1, v2, v3, v4, v5 = (Version(task=task) for _ in range(5))
    v1.children = [v2, v5]
    v2.children = [v3]
    v3.children = [v4]
    assert list(v1.walk_hierarchy()) == [v1, v2, v3, v4, v5]
    assert list(v1.walk_hierarchy(method=1)) == [v1, v2, v5, v3, v4]
    assert v4.parents == [v1, v2, v3]
    assert v1.is_root and v1.is_container and v4.is_leaf


def test_walk_inputs_depth_and_breadth_first(task):
    v1, v2, v3, v4, v5 = (Version(task=task) for _ in range(5))
    v5.inputs = [v4]
    v4.inputs = [v3, v2]
    v3.inputs = [v1]
    v2.inputs = [v1]
    assert list(v5.walk_inputs()) == [v5, v4, v3, v1, v2, v1]
    assert list(v5.walk_inputs(method=1)) == [v5, v4, v3, v2, v1, v1]


def test_walk_inputs_treats_plain_links_as_leaves(task):
    plate = Link(full_path="/plates/a.exr")
    v1 = Version(task=task, inputs=[plate])
    v2 = Version(task=task, inputs=[v1, plate])
    assert list(v2.walk_inputs()) == [v2, v1, plate, plate]


# --- numbering without a database ----------------------------------------------


def test_versions_built_before_any_flush_are_consecutive(task):
    versions = [Version(task=task) for _ in range(3)]
    assert [v.version_number for v in versions] == [1, 2, 3]
    assert Version(task=task, take_name="Other").version_number == 1
    assert Version(task=task).version_number == 4


def test_version_number_rule(task):
    v1, v2 = Version(task=task), Version(task=task)
    v2.version_number = 100
    assert v2.version_number == 100  # above the others: kept, gaps allowed
    assert Version(task=task).version_number == 101
    v1.version_number = 5  # not above the highest other (101): next free
    assert v1.version_number == 102
    v1.version_number = -1  # the latest keeps its number
    assert v1.version_number == 102
    v1.version_number = None
    assert v1.version_number == 102


def test_version_number_may_be_given(task):
    assert Version(task=task, version_number=7).version_number == 7
    assert Version(task=task, version_number=3).version_number == 8


@pytest.mark.parametrize("value", ["2", 2.0, True])
def test_version_number_must_be_an_int(task, value):
    version = Version(task=task)
    with pytest.raises(TypeError, match=r"Version\.version_number should be an int"):
        version.version_number = value


def test_changing_take_or_task_does_not_renumber(offline, task):
    v1, v2 = Version(task=task), Version(task=task)
    v2.take_name = "Other"
    assert v2.version_number == 2
    other = offline.task("other")
    v1.task = other
    assert v1.version_number == 1 and other.versions == [v1]


def test_latest_version_and_max_number_without_a_database(task):
    assert Version(task=task).max_version_number == 1
    v2, v3 = Version(task=task), Version(task=task)
    other_take = Version(task=task, take_name="Alt")
    assert v2.latest_version is v3
    assert v2.max_version_number == 3
    assert other_take.latest_version is other_take
    assert other_take.max_version_number == 1


def test_published_helpers_without_a_database(task):
    v1, v2, v3 = (Version(task=task) for _ in range(3))
    assert v1.latest_published_version is None
    assert v1.is_latest_published_version() is False
    v1.is_published = v2.is_published = True
    assert v3.latest_published_version is v2
    assert v2.is_latest_published_version() is True
    assert v1.is_latest_published_version() is False
    assert v3.is_latest_published_version() is False


# --- naming ----------------------------------------------------------------------


def test_naming_parents_and_nice_name(offline):
    lists = offline.lists
    shot = Shot(
        name="SH001", code="SH001", project=offline.project, status_list=lists["Shot"]
    )
    comp = offline.task("comp", parent=shot)
    version = Version(task=comp)
    assert version.naming_parents == [shot, comp]
    assert version.nice_name == "SH001_comp_Main"
    assert Version(task=comp, take_name="Take___Name").nice_name == (
        "SH001_comp_Take_Name"
    )


def test_naming_parents_without_asset_shot_or_sequence(offline):
    t1 = offline.task("T1")
    t2 = offline.task("T2", parent=t1)
    t3 = offline.task("T3", parent=t2)
    version = Version(task=t3)
    assert version.naming_parents == [t1, t2, t3]
    assert version.nice_name == "T1_T2_T3_Main"
    assert Version(task=t1).naming_parents == [t1]


def test_naming_parents_start_at_the_nearest_asset_shot_or_sequence(offline):
    lists = offline.lists
    char = Type(name="Character", code="CHAR", target_entity_type="Asset")
    assets = offline.task("Assets")
    sero = Asset(
        code="SERO", name="Sero", parent=assets, type=char, status_list=lists["Asset"]
    )
    modeling = offline.task("Modeling", parent=sero)
    body = offline.task("Body Modeling", parent=modeling)
    assert Version(task=sero).nice_name == "Sero_Main"
    version = Version(task=body)
    assert version.naming_parents == [sero, modeling, body]
    assert version.nice_name == "Sero_Modeling_Body_Modeling_Main"

    ep101 = Sequence(
        name="ep101",
        code="EP101",
        project=offline.project,
        status_list=lists["Sequence"],
    )
    shot_task = offline.task("shot", parent=ep101)
    s001 = Shot(name="s001", code="S001", parent=shot_task, status_list=lists["Shot"])
    fx = offline.task("fx", parent=s001)
    assert Version(task=fx).naming_parents == [s001, fx]
    assert Version(task=fx).nice_name == "s001_fx_Main"


def test_repr_and_equality(offline):
    shot = Shot(
        name="SH001",
        code="SH001",
        project=offline.project,
        status_list=offline.lists["Shot"],
    )
    comp = offline.task("comp", parent=shot)
    v1 = Version(task=comp)
    assert repr(v1) == "<TP_SH001_comp_Main_v001 (Version)>"
    v1.version_number = 1000
    assert repr(v1) == "<TP_SH001_comp_Main_v1000 (Version)>"
    twin = Version(task=comp, name=v1.name)
    assert twin != v1  # same name and path, other number
    twin.version_number = 1000  # bumped: never equal within one series
    assert v1 == v1 and v1 != Version(task=comp)
    assert v1 != Link(name=v1.name)
    assert hash(v1) == hash(v1)


# --- Task.versions -------------------------------------------------------------------


def test_task_versions_hold_versions_only(task):
    assert task.versions == []
    with pytest.raises(TypeError, match=r"Task\.versions should be a Version"):
        task.versions.append("version")
    with pytest.raises(TypeError, match=r"Task\.versions"):
        task.versions = None
    version = Version(task=task)
    assert task.versions == [version]


# =============================================================================
# with a database (SQLite and PostgreSQL)
# =============================================================================


@pytest.fixture
def world(session):
    return TaskWorld(session)


@pytest.fixture
def saved_task(world, session):
    task = world.task("comp")
    world.flush()
    session.commit()
    return task


def test_numbers_continue_after_commits(saved_task, session):
    v1 = Version(task=saved_task)
    session.commit()
    v2 = Version(task=saved_task)
    session.commit()
    v3 = Version(task=saved_task)
    assert [v1.version_number, v2.version_number, v3.version_number] == [1, 2, 3]
    session.commit()
    assert saved_task.versions == [v1, v2, v3]


def test_pending_versions_of_a_saved_task_are_consecutive(saved_task, session):
    versions = [Version(task=saved_task) for _ in range(3)]
    assert all(v in session for v in versions)  # joined the task's session
    assert [v.version_number for v in versions] == [1, 2, 3]
    session.commit()
    assert [v.version_number for v in versions] == [1, 2, 3]
    assert Version(task=saved_task).version_number == 4


def test_committed_latest_keeps_its_number(saved_task, session):
    Version(task=saved_task)
    latest = Version(task=saved_task)
    session.commit()
    for value in (-1, -10, -100, None):
        latest.version_number = value
        assert latest.version_number == 2
    session.commit()
    assert latest.version_number == 2


def test_new_version_below_the_highest_is_bumped(saved_task, session):
    Version(task=saved_task)
    session.commit()
    version = Version(task=saved_task)
    version.version_number = 1
    assert version.version_number == 2
    version.version_number = 100
    assert version.version_number == 100
    session.commit()
    assert Version(task=saved_task).version_number == 101


def test_numbering_uses_one_indexed_query_and_no_autoflush(saved_task, session):
    Version(task=saved_task)
    session.commit()
    saved_task.name = "comp renamed"  # would be flushed by an autoflush
    with recorded_statements(session.get_bind().engine) as statements:
        version = Version(task=saved_task)
    assert version.version_number == 2
    assert not any("UPDATE" in s and "Tasks" in s for s in statements)
    assert not any("INSERT" in s for s in statements)
    assert sum("max(" in s.lower() for s in statements) == 1
    assert session.is_modified(saved_task)


def test_latest_version_and_max_number(saved_task, session):
    v1 = Version(task=saved_task)
    assert v1.latest_version is v1 and v1.max_version_number == 1
    session.commit()
    v2 = Version(task=saved_task)
    assert v1.latest_version is v2  # a pending one counts
    session.commit()
    v3 = Version(task=saved_task)
    other = Version(task=saved_task, take_name="Alt")
    session.commit()
    session.expire_all()
    assert v1.latest_version is v3
    assert v2.max_version_number == 3
    assert other.latest_version is other
    assert other.max_version_number == 1


def test_asking_latest_again_is_one_id_query(saved_task, session):
    versions = [Version(task=saved_task) for _ in range(3)]
    session.commit()
    first_id, latest_id = versions[0].id, versions[-1].id
    del versions
    session.expunge_all()
    first = session.get(Version, first_id)
    assert first.latest_version.id == latest_id  # loads the latest row once
    with recorded_statements(session.connection()) as statements:
        assert first.latest_version.id == latest_id
    assert len(statements) == 1
    assert "max(" not in statements[0].lower() and "LIMIT" in statements[0]


def test_latest_published_version(saved_task, session):
    v1, v2, v3 = (Version(task=saved_task) for _ in range(3))
    session.commit()
    assert v1.latest_published_version is None
    v1.is_published = True
    v2.is_published = True
    session.commit()
    assert v3.latest_published_version is v2
    assert v2.is_latest_published_version() is True
    assert v1.is_latest_published_version() is False
    assert v3.is_latest_published_version() is False
    v3.is_published = True
    assert v1.latest_published_version is v3  # in memory, not yet flushed
    assert v3.is_latest_published_version() is True


def test_task_versions_are_ordered_by_id_like_the_query(saved_task, session):
    versions = [Version(task=saved_task) for _ in range(3)]
    session.commit()
    session.expire_all()
    assert saved_task.versions == versions
    assert Version.query.filter_by(task=saved_task).all() == versions
    assert Version.query.filter_by(version_number=2).one() is versions[1]


def test_inputs_outputs_and_attributes_persist(saved_task, session):
    plate = Link(full_path="/plates/a.exr")
    v1 = Version(task=saved_task, created_with="Nuke")
    v2 = Version(task=saved_task, inputs=[v1, plate], outputs=[plate], parent=v1)
    v2.is_published = True
    session.commit()
    version_id = v2.id
    session.expunge_all()
    loaded = session.get(Version, version_id)
    assert sorted(link.full_path for link in loaded.inputs) == ["", "/plates/a.exr"]
    assert {type(link) for link in loaded.inputs} == {Link, Version}
    assert loaded.outputs[0].full_path == "/plates/a.exr"
    assert loaded.parent.created_with == "Nuke"
    assert loaded.is_published is True
    assert (loaded.version_number, loaded.take_name) == (2, "Main")


def test_deleting_a_version_leaves_task_inputs_and_children(saved_task, session):
    plate = Link(full_path="/plates/a.exr")
    v1 = Version(task=saved_task, inputs=[plate])
    v2 = Version(task=saved_task, inputs=[v1], parent=v1)
    v3 = Version(task=saved_task, outputs=[v1])
    session.commit()
    session.delete(v1)
    with pytest.raises(DeleteRefusedError, match=r"1 child version, 1 version using"):
        session.commit()
    session.rollback()
    assert (v2.parent, v2.inputs, v3.outputs) == (v1, [v1], [v1])
    delete_with_work_records(v1)
    session.commit()
    assert v2.inputs == [] and v3.outputs == []
    assert v2.parent is None
    assert saved_task.versions == [v2, v3]
    assert session.get(Link, plate.id) is plate


def test_deleting_the_task_deletes_its_versions(world, saved_task, session):
    v1 = Version(task=saved_task)
    session.commit()
    version_id = v1.id
    session.delete(saved_task)
    with pytest.raises(DeleteRefusedError, match=r"it has 1 version\b"):
        session.commit()
    session.rollback()
    assert session.get(Version, version_id) is v1
    delete_with_work_records(saved_task)
    session.commit()
    assert session.get(Version, version_id) is None


def test_removing_a_version_from_its_task_deletes_it(saved_task, session):
    v1, v2 = Version(task=saved_task), Version(task=saved_task)
    session.commit()
    saved_task.versions.remove(v1)
    session.commit()
    assert Version.query.filter_by(task=saved_task).all() == [v2]


def test_a_moved_version_colliding_at_flush_gets_the_next_number(
    world, saved_task, session
):
    other = world.task("other")
    mine = Version(task=saved_task)
    Version(task=other)
    Version(task=other)
    session.commit()
    mine.task = other  # number 1 is taken in the other task's series
    session.commit()
    assert mine.version_number == 3
    mine.take_name = "Alt"  # a free triple: nothing changes
    session.commit()
    assert mine.version_number == 3


def test_daily_versions_find_versions_by_their_outputs(world, saved_task, session):
    from stalker import Daily

    movie = Link(full_path="/dailies/sh001.mov")
    version = Version(task=saved_task, outputs=[movie])
    Version(task=saved_task)
    daily = Daily(name="Dailies", project=world.project, links=[movie])
    session.add(daily)
    session.commit()
    assert daily.versions == [version]
    assert daily.tasks == [saved_task]


def test_a_failed_commit_leaves_the_database_as_it_was(saved_task, session):
    kept = Version(task=saved_task)
    session.add(make_user("dup"))
    session.commit()
    Version(task=saved_task)
    session.add(make_user("dup"))  # the same login: the commit fails
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert Version.query.filter_by(task=saved_task).all() == [kept]
    assert Version(task=saved_task).version_number == 2


def test_a_failed_construction_leaves_nothing_behind(saved_task, session):
    parent = Version(task=saved_task)
    session.commit()
    with pytest.raises(TypeError, match=r"Version\.inputs"):
        Version(task=saved_task, parent=parent, inputs=[3])
    session.commit()
    assert Version.query.all() == [parent]
    assert saved_task.versions == [parent] and parent.children == []
    assert Version(task=saved_task).version_number == 2


def test_a_failed_construction_without_a_database_leaves_nothing(task):
    with pytest.raises(TypeError, match=r"Version\.created_with"):
        Version(task=task, created_with=3)
    assert task.versions == []
