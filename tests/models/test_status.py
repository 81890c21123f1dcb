"""Status, StatusList, StatusMixin and the cached default status list (D1)."""

import pytest
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from stalker import Entity, Status, StatusList, StatusMixin, Tag
from stalker.db.session import DBSession
from tests.support.statements import recorded_statements


class Clip(Entity, StatusMixin):
    """A statusable class that exists only for these tests."""

    __tablename__ = "TestClips"
    __mapper_args__ = {"polymorphic_identity": "Clip"}
    clip_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        StatusMixin.__init__(self, **kwargs)


class SpecialClip(Clip):
    __mapper_args__ = {"polymorphic_identity": "SpecialClip"}


@pytest.fixture
def statuses():
    return [
        Status(name="New", code="NEW"),
        Status(name="Work In Progress", code="WIP"),
        Status(name="Completed", code="CMPL"),
    ]


@pytest.fixture
def clip_list(statuses):
    return StatusList(name="Clip Statuses", statuses=statuses, target_entity_type=Clip)


# -- Status ----------------------------------------------------------------------


def test_status_needs_name_and_code():
    with pytest.raises(TypeError, match=r"Status\.name"):
        Status(code="X")
    with pytest.raises(TypeError, match=r"Status\.code should be a str, not NoneType"):
        Status(name="X")
    with pytest.raises(ValueError, match=r"Status\.code"):
        Status(name="X", code="")
    with pytest.raises(TypeError, match=r"Status\.code"):
        Status(name="X", code=1)


def test_status_compares_with_strings_by_name_or_code_case_insensitively():
    wip = Status(name="Work In Progress", code="WIP")
    assert wip == "wip"
    assert wip == "Work in progress"
    assert wip != "cmpl"
    assert wip == "WIP"


def test_status_equality_with_statuses():
    assert Status(name="A", code="A") == Status(name="A", code="B")
    assert Status(name="A", code="A") != Status(name="B", code="A")
    assert Status(name="A", code="A") != Tag(name="A")


# -- StatusList --------------------------------------------------------------------


def test_status_list_target_accepts_class_or_name_and_is_read_only(statuses):
    assert (
        StatusList(statuses=statuses, target_entity_type=Clip).target_entity_type
        == "Clip"
    )
    status_list = StatusList(statuses=statuses, target_entity_type="Task")
    assert status_list.target_entity_type == "Task"
    with pytest.raises(AttributeError):
        status_list.target_entity_type = "Asset"


def test_status_list_target_is_required():
    with pytest.raises(TypeError, match=r"StatusList\.target_entity_type"):
        StatusList()
    with pytest.raises(ValueError, match=r"StatusList\.target_entity_type"):
        StatusList(target_entity_type="")
    with pytest.raises(TypeError):
        StatusList(target_entity_type=12)


def test_status_list_statuses_are_type_checked(statuses):
    with pytest.raises(TypeError, match=r"StatusList\.statuses"):
        StatusList(statuses=["NEW"], target_entity_type="Task")
    status_list = StatusList(statuses=statuses, target_entity_type="Task")
    with pytest.raises(TypeError):
        status_list.statuses = None
    with pytest.raises(TypeError):
        status_list.statuses.append(1)


def test_status_list_name_is_generated():
    assert StatusList(target_entity_type="Task").name.startswith("StatusList_")


def test_status_list_sequence_protocol(clip_list, statuses):
    new, wip, cmpl = statuses
    assert len(clip_list) == 3
    assert clip_list[0] is new
    assert clip_list[1:] == [wip, cmpl]
    assert clip_list["wip"] is wip
    assert clip_list["Completed"] is cmpl
    assert clip_list["nope"] is None
    assert "CMPL" in clip_list
    assert Status(name="New", code="OTHER") in clip_list
    assert "nope" not in clip_list
    assert list(clip_list) == statuses
    with pytest.raises(IndexError):
        clip_list[10]
    other = Status(name="Other", code="OTH")
    clip_list[0] = other
    assert clip_list[0] is other
    del clip_list[0]
    assert len(clip_list) == 2


def test_status_list_string_key_returns_last_match():
    first = Status(name="Done", code="X")
    second = Status(name="Other", code="done")
    status_list = StatusList(statuses=[first, second], target_entity_type="Task")
    assert status_list["done"] is second


def test_status_list_equality(statuses):
    a = StatusList(name="L", statuses=statuses, target_entity_type="Task")
    b = StatusList(name="L", statuses=list(statuses), target_entity_type="Task")
    c = StatusList(name="L", statuses=statuses, target_entity_type="Asset")
    assert a == b
    assert a != c


def test_status_list_ignores_duplicate_statuses(statuses):
    new = statuses[0]
    status_list = StatusList(statuses=[new, new], target_entity_type="Task")
    status_list.statuses.append(new)
    assert list(status_list.statuses) == [new]


def test_status_list_keeps_its_order_in_the_database(session, statuses):
    new, wip, cmpl = statuses
    status_list = StatusList(
        name="Ordered", statuses=[cmpl, new, wip], target_entity_type="Clip"
    )
    session.add(status_list)
    session.commit()
    session.expunge_all()
    loaded = StatusList.query.filter_by(name="Ordered").one()
    assert [s.code for s in loaded.statuses] == ["CMPL", "NEW", "WIP"]


# -- StatusMixin ---------------------------------------------------------------------


def test_status_defaults_to_the_first_of_the_list(clip_list, statuses):
    clip = Clip(name="c", status_list=clip_list)
    assert clip.status is statuses[0]


def test_status_by_index_and_by_object(clip_list, statuses):
    assert Clip(name="c", status_list=clip_list, status=2).status is statuses[2]
    clip = Clip(name="c", status_list=clip_list, status=statuses[1])
    assert clip.status is statuses[1]
    clip.status = 0
    assert clip.status is statuses[0]


def test_status_errors(clip_list):
    with pytest.raises(ValueError, match=r"Clip\.status"):
        Clip(name="c", status_list=clip_list, status=3)
    with pytest.raises(ValueError):
        Clip(name="c", status_list=clip_list, status=-1)
    with pytest.raises(TypeError, match=r"Clip\.status"):
        Clip(name="c", status_list=clip_list, status="NEW")
    with pytest.raises(ValueError, match="Clip Statuses"):
        Clip(name="c", status_list=clip_list, status=Status(name="Gone", code="G"))


def test_status_list_must_target_the_class(statuses):
    task_list = StatusList(statuses=statuses, target_entity_type="Task")
    with pytest.raises(TypeError, match=r"Clip\.status_list"):
        Clip(name="c", status_list=task_list)
    with pytest.raises(TypeError, match=r"Clip\.status_list"):
        Clip(name="c", status_list="Clip Statuses")


def test_subclass_accepts_a_parent_class_list(clip_list):
    assert SpecialClip(name="s", status_list=clip_list).status_list is clip_list


def test_no_status_list_without_database_is_a_type_error():
    DBSession.remove()
    with pytest.raises(TypeError, match="StatusList"):
        Clip(name="c")


def test_missing_status_list_is_found_in_the_database(session, statuses):
    first = StatusList(name="First", statuses=statuses, target_entity_type="Clip")
    session.add(first)
    session.commit()
    second = StatusList(name="Second", statuses=statuses[:1], target_entity_type="Clip")
    session.add(second)
    session.commit()
    clip = Clip(name="c")
    assert clip.status_list is first  # D1: the oldest list of the class
    assert clip.status.code == "NEW"
    session.add(clip)
    session.commit()


def test_subclass_falls_back_to_parent_list_in_database(session, statuses):
    session.add(StatusList(name="Clips", statuses=statuses, target_entity_type="Clip"))
    session.commit()
    assert SpecialClip(name="s").status_list.name == "Clips"


def test_no_list_in_database_is_a_type_error(session):
    with pytest.raises(TypeError, match="none in the database targets 'Clip'"):
        Clip(name="c")


def test_default_list_is_cached_not_queried_per_object(session, statuses):
    # held here: the session only references it weakly, and a garbage
    # collection in between would make it a fresh load, not a cache miss
    clips = StatusList(name="Clips", statuses=statuses, target_entity_type="Clip")
    session.add(clips)
    session.commit()
    Clip(name="warm-up")
    with recorded_statements(session.connection()) as queries:
        clips = [Clip(name=f"c{i}") for i in range(20)]
    assert all(clip.status_list.name == "Clips" for clip in clips)
    assert queries == []


def test_cache_sees_deleted_and_new_lists(session, statuses):
    old = StatusList(name="Old", statuses=statuses, target_entity_type="Clip")
    session.add(old)
    session.commit()
    clip = Clip(name="a")
    assert clip.status_list is old
    session.expunge(clip)  # it joined the list's session (issue 24 bug 1)
    session.delete(old)
    session.commit()
    new = StatusList(name="New", statuses=statuses, target_entity_type="Clip")
    session.add(new)
    session.commit()
    assert Clip(name="b").status_list is new
