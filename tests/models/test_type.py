"""Type and EntityType."""

import pytest

from stalker import EntityType, Type


def test_type_needs_name_code_and_target():
    with pytest.raises(TypeError, match=r"Type\.name"):
        Type(code="c", target_entity_type="Asset")
    with pytest.raises(TypeError, match=r"Type\.code"):
        Type(name="Character", target_entity_type="Asset")
    with pytest.raises(ValueError, match=r"Type\.code"):
        Type(name="Character", code="", target_entity_type="Asset")
    with pytest.raises(TypeError, match=r"Type\.target_entity_type"):
        Type(name="Character", code="char")
    with pytest.raises(ValueError, match=r"Type\.target_entity_type"):
        Type(name="Character", code="char", target_entity_type="")


def test_type_target_is_stored_as_class_name_and_read_only():
    char = Type(name="Character", code="char", target_entity_type=EntityType)
    assert char.target_entity_type == "EntityType"
    with pytest.raises(AttributeError):
        char.target_entity_type = "Shot"


def test_type_equality_includes_target():
    a = Type(name="Character", code="c", target_entity_type="Asset")
    assert a == Type(name="Character", code="x", target_entity_type="Asset")
    assert a != Type(name="Character", code="c", target_entity_type="Shot")
    assert a.plural_class_name == "Types"


def test_type_target_is_not_unique(session):
    session.add_all(
        [
            Type(name="Character", code="c", target_entity_type="Asset"),
            Type(name="Prop", code="p", target_entity_type="Asset"),
        ]
    )
    session.commit()
    assert Type.query.filter_by(target_entity_type="Asset").count() == 2


def test_entity_type_flags_default_to_false():
    entity_type = EntityType(name="Thing")
    assert (entity_type.statusable, entity_type.dateable) == (False, False)
    assert (entity_type.schedulable, entity_type.accepts_references) == (False, False)
    assert EntityType(name="T", statusable=True).statusable is True
