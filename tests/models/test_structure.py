"""Structure (spec 06 §7)."""

from __future__ import annotations

import pytest

from stalker import FilenameTemplate, Structure
from stalker.templates import PathEscapeError, TemplateSecurityError


def template(name="T", target="Task"):
    return FilenameTemplate(name=name, target_entity_type=target)


def test_defaults():
    structure = Structure(name="S")
    assert structure.templates == []
    assert structure.custom_template == ""


def test_name_is_required():
    with pytest.raises(TypeError, match=r"Structure\.name"):
        Structure()


def test_templates_are_type_checked():
    with pytest.raises(TypeError, match=r"Structure\.templates"):
        Structure(name="S", templates=["not a template"])
    structure = Structure(name="S")
    with pytest.raises(TypeError, match=r"Structure\.templates"):
        structure.templates.append(1)
    with pytest.raises(TypeError, match=r"Structure\.templates should be a list"):
        structure.templates = None


def test_custom_template_must_be_str():
    with pytest.raises(TypeError, match=r"Structure\.custom_template should be a str"):
        Structure(name="S", custom_template=1)


def test_equality():
    t1, t2 = template("A"), template("B")
    assert Structure(name="S", templates=[t1]) == Structure(name="S", templates=[t1])
    assert Structure(name="S", templates=[t1]) != Structure(name="S", templates=[t2])
    assert Structure(name="S", custom_template="a") != Structure(
        name="S", custom_template="b"
    )


def test_templates_are_shared_and_persisted(session):
    shared = template("Shared")
    first = Structure(name="First", templates=[shared, template("Only")])
    second = Structure(name="Second", templates=[shared])
    session.add_all([first, second])
    session.commit()
    session.expire_all()
    loaded = Structure.query.filter_by(name="First").one()
    assert sorted(t.name for t in loaded.templates) == ["Only", "Shared"]
    assert [
        t.name for t in Structure.query.filter_by(name="Second").one().templates
    ] == ["Shared"]
    session.delete(loaded)
    session.commit()
    assert FilenameTemplate.query.filter_by(name="Shared").count() == 1


def test_appending_the_same_template_twice_keeps_one():
    shared = template()
    structure = Structure(name="S", templates=[shared])
    structure.templates.append(shared)
    assert structure.templates == [shared]


def test_render_folders_in_the_sandbox():
    structure = Structure(
        name="S",
        custom_template=(
            "{{code}}/Assets\n\n{% for s in shots %}{{code}}/{{s}}\n{% endfor %}"
        ),
    )
    assert structure.render_folders(code="FC", shots=["SH1", "SH2"]) == [
        "FC/Assets",
        "FC/SH1",
        "FC/SH2",
    ]


@pytest.mark.parametrize(
    "source", ["../outside", "a/../../b", "/etc", "C:\\Windows", "{{up}}/x"]
)
def test_render_folders_refuses_escaping_lines(source):
    structure = Structure(name="Bad", custom_template=source)
    with pytest.raises(PathEscapeError, match=r"Structure 'Bad'"):
        structure.render_folders(up="..")


def test_render_folders_refuses_unsafe_access():
    structure = Structure(name="S", custom_template="{{ x.__class__ }}")
    with pytest.raises(TemplateSecurityError):
        structure.render_folders(x=1)
