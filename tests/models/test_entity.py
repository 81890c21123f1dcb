"""SimpleEntity, Entity and EntityGroup."""

import datetime
import re
import uuid

import pytest

import stalker
from stalker import Entity, EntityGroup, Link, Note, SimpleEntity, Tag, Type, User
from stalker.models.entity import make_nice_name

UTC = datetime.timezone.utc


@pytest.fixture
def user():
    return User(name="Ann Lee", login="ann", email="ann@studio.com", password="pw")


# -- name and nice_name ------------------------------------------------------


def test_name_is_stripped_and_whitespace_collapsed():
    assert SimpleEntity(name="  Hello \t  World \n").name == "Hello World"


def test_missing_name_is_generated_from_class_name_and_uuid():
    name = SimpleEntity().name
    prefix, _, rest = name.partition("_")
    assert prefix == "SimpleEntity"
    assert str(uuid.UUID(rest)) == rest


def test_empty_name_is_generated_when_the_class_allows_it():
    assert Entity(name="").name.startswith("Entity_")


def test_name_is_required_when_auto_name_is_off():
    with pytest.raises(TypeError, match=r"Tag\.name should be a str, not NoneType"):
        Tag()


def test_name_of_wrong_type_raises_type_error_naming_class_and_value():
    with pytest.raises(TypeError) as error:
        SimpleEntity(name=42)
    message = str(error.value)
    assert "SimpleEntity.name" in message and "int: 42" in message


def test_name_made_only_of_spaces_raises_value_error():
    with pytest.raises(ValueError, match=r"Tag\.name"):
        Tag(name="   ")


def test_name_is_validated_on_assignment_too():
    entity = SimpleEntity(name="ok")
    with pytest.raises(TypeError):
        entity.name = ["not", "a", "str"]
    entity.name = "  new   name "
    assert entity.name == "new name"


@pytest.mark.parametrize(
    ("name", "nice"),
    [
        ("  Hello   World  ", "Hello_World"),
        ("shot-01 / comp", "shot_01_comp"),
        ("_--Lead Anim@Studio!!", "Lead_Anim@Studio"),
        ("3D model (v2)", "3D_model_v2"),
        ("a__b  --  c", "a_b_c"),
        ("ÄÖ test", "test"),
    ],
)
def test_nice_name(name, nice):
    assert SimpleEntity(name=name).nice_name == nice
    assert make_nice_name(name) == nice


def test_nice_name_follows_name_and_is_read_only():
    entity = SimpleEntity(name="first one")
    entity.name = "second one"
    assert entity.nice_name == "second_one"
    with pytest.raises(AttributeError):
        entity.nice_name = "x"


# -- text attributes -----------------------------------------------------------


@pytest.mark.parametrize(
    "attr", ["description", "generic_text", "html_style", "html_class"]
)
def test_text_attributes_default_to_empty_and_accept_none(attr):
    entity = SimpleEntity(name="e", **{attr: None})
    assert getattr(entity, attr) == ""
    setattr(entity, attr, "x")
    assert getattr(entity, attr) == "x"


@pytest.mark.parametrize(
    "attr", ["description", "generic_text", "html_style", "html_class"]
)
def test_text_attributes_refuse_non_str(attr):
    with pytest.raises(TypeError, match=rf"SimpleEntity\.{attr}"):
        SimpleEntity(name="e", **{attr: 1})


def test_description_is_not_stripped():
    assert SimpleEntity(name="e", description="  spaced  ").description == "  spaced  "


def test_html_style_longer_than_its_column_is_refused():
    with pytest.raises(ValueError, match="at most 64"):
        SimpleEntity(name="e", html_style="x" * 65)


# -- audit fields ---------------------------------------------------------------


def test_date_created_defaults_to_now_in_utc():
    before = datetime.datetime.now(UTC)
    entity = SimpleEntity(name="e")
    assert entity.date_created.tzinfo is not None
    assert entity.date_created.utcoffset() == datetime.timedelta(0)
    assert before <= entity.date_created <= datetime.datetime.now(UTC)
    assert entity.date_updated == entity.date_created


def test_dates_must_be_aware_datetimes():
    with pytest.raises(TypeError, match="date_created"):
        SimpleEntity(name="e", date_created="2020-01-01")
    with pytest.raises(ValueError, match="timezone-aware"):
        SimpleEntity(name="e", date_created=datetime.datetime(2020, 1, 1))
    entity = SimpleEntity(name="e")
    with pytest.raises(TypeError):
        entity.date_created = None
    with pytest.raises(TypeError):
        entity.date_updated = None


def test_date_updated_cannot_precede_date_created():
    created = datetime.datetime(2020, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="date_updated"):
        SimpleEntity(
            name="e",
            date_created=created,
            date_updated=created - datetime.timedelta(days=1),
        )


def test_created_by_and_updated_by_must_be_users(user):
    with pytest.raises(TypeError, match=r"SimpleEntity\.created_by should be a User"):
        SimpleEntity(name="e", created_by="ann")
    with pytest.raises(TypeError, match="updated_by"):
        SimpleEntity(name="e", updated_by=Tag(name="t"))


def test_updated_by_none_takes_created_by(user):
    entity = SimpleEntity(name="e", created_by=user)
    assert entity.updated_by is user
    entity.updated_by = None
    assert entity.updated_by is user


def test_type_must_be_a_type():
    with pytest.raises(TypeError, match=r"SimpleEntity\.type"):
        SimpleEntity(name="e", type="Character")
    char = Type(name="Character", code="char", target_entity_type="Asset")
    assert SimpleEntity(name="e", type=char).type is char


def test_strictly_typed_classes_need_a_type():
    entity = SimpleEntity(name="e")
    entity.__strictly_typed__ = True
    with pytest.raises(TypeError, match="strictly typed"):
        entity.type = None


def test_thumbnail_must_be_a_link():
    with pytest.raises(TypeError, match="thumbnail"):
        SimpleEntity(name="e", thumbnail="/tmp/a.jpg")
    link = Link(full_path="/tmp/a.jpg")
    assert SimpleEntity(name="e", thumbnail=link).thumbnail is link


def test_generic_data_holds_any_entity(user):
    entity = SimpleEntity(name="e")
    entity.generic_data.append(user)
    entity.generic_data.append(user)
    assert entity.generic_data == [user]
    with pytest.raises(TypeError, match="generic_data"):
        entity.generic_data.append("x")


def test_stalker_version_and_entity_type_are_set_at_construction():
    entity = Entity(name="e")
    assert entity.__stalker_version__ == stalker.__version__
    assert entity.entity_type == "Entity"


def test_repr_tjp_id_and_plural():
    entity = SimpleEntity(name="TDs")
    assert repr(entity) == "<TDs (SimpleEntity)>"
    assert entity.tjp_id == "SimpleEntity_None"
    assert entity.plural_class_name == "SimpleEntities"
    with pytest.raises(NotImplementedError):
        _ = entity.to_tjp


# -- equality and hash ------------------------------------------------------------


def test_equality_is_by_name_and_class_family():
    assert SimpleEntity(name="a") == SimpleEntity(name="a")
    assert SimpleEntity(name="a") != SimpleEntity(name="b")
    assert Entity(name="a") == Entity(name="a")
    assert Entity(name="a") != SimpleEntity(name="a")
    assert SimpleEntity(name="a") != "a"


def test_hash_combines_id_name_and_entity_type():
    entity = SimpleEntity(name="a")
    expected = hash(None) + 2 * hash("a") + 3 * hash("SimpleEntity")
    assert entity.__hash__() == expected
    assert hash(entity) == hash(SimpleEntity(name="a"))


# -- Entity tags and notes ----------------------------------------------------------


def test_entity_tags_and_notes_are_type_checked_and_set_like():
    tag = Tag(name="hero")
    note = Note(content="looks good")
    entity = Entity(name="e", tags=[tag, tag], notes=[note])
    assert entity.tags == [tag]
    assert tag.entities == [entity]
    assert note.entities == [entity]
    with pytest.raises(TypeError, match=r"Entity\.tags should be a Tag"):
        entity.tags.append("hero")
    with pytest.raises(TypeError, match=r"Entity\.notes"):
        Entity(name="e", notes=[Tag(name="x")])


@pytest.mark.parametrize("attr", ["tags", "notes"])
def test_entity_collections_refuse_none_and_scalars(attr):
    entity = Entity(name="e")
    with pytest.raises(
        TypeError, match=rf"Entity\.{attr} should be a list, not NoneType"
    ):
        setattr(entity, attr, None)
    with pytest.raises(TypeError, match=rf"Entity\.{attr} should be a list"):
        setattr(entity, attr, 5)


# -- EntityGroup ----------------------------------------------------------------


def test_entity_group_holds_any_entities_and_back_references(user):
    tag = Tag(name="t")
    group = EntityGroup(name="selection", entities=[user, tag], tags=[Tag(name="x")])
    assert group.entities == [user, tag]
    assert user.entity_groups == [group]
    assert [t.name for t in group.tags] == ["x"]
    with pytest.raises(TypeError, match=r"EntityGroup\.entities"):
        group.entities.append(1)
    with pytest.raises(TypeError):
        EntityGroup(name="g", entities=1)


def test_entity_groups_compare_by_name():
    assert EntityGroup(name="a") == EntityGroup(name="a")
    assert EntityGroup(name="a") != EntityGroup(name="b")


# -- Note and Tag -----------------------------------------------------------------


def test_note_content_is_the_description():
    note = Note(content="fix the hands")
    assert note.description == "fix the hands"
    note.description = "done"
    assert note.content == "done"
    assert Note(description="legacy").content == "legacy"
    assert Note().content == ""
    with pytest.raises(TypeError, match="description"):
        Note(content=3)


def test_note_equality_includes_content():
    assert Note(name="n", content="a") == Note(name="n", content="a")
    assert Note(name="n", content="a") != Note(name="n", content="b")


def test_tags_with_the_same_name_are_equal():
    assert Tag(name="hero") == Tag(name="hero")
    assert Tag(name="hero") != SimpleEntity(name="hero")


# -- persistence --------------------------------------------------------------------


def test_entities_round_trip_with_relations(session, user):
    tag = Tag(name="fx")
    note = Note(content="check")
    entity = Entity(name="Thing", tags=[tag], notes=[note], created_by=user)
    session.add(entity)
    session.commit()
    session.expunge_all()
    loaded = Entity.query.filter_by(name="Thing").one()
    assert [t.name for t in loaded.tags] == ["fx"]
    assert [n.content for n in loaded.notes] == ["check"]
    assert loaded.created_by.login == "ann"
    assert loaded.updated_by.login == "ann"
    assert loaded.entity_type == "Entity"
    assert loaded in loaded.created_by.entities_created


def test_polymorphic_query_returns_subclasses(session):
    session.add_all([Tag(name="poly_tag"), Note(name="poly_note", content="x")])
    session.commit()
    found = SimpleEntity.query.filter(SimpleEntity.name.like("poly_%")).all()
    assert sorted(type(e).__name__ for e in found) == ["Note", "Tag"]


def test_name_generated_names_are_unique():
    names = {SimpleEntity().name for _ in range(50)}
    assert len(names) == 50
    assert all(re.match(r"SimpleEntity_[0-9a-f-]{36}$", n) for n in names)
