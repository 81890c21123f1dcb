"""FilenameTemplate (spec 06 §8)."""

from __future__ import annotations

import pytest

from stalker import FilenameTemplate, Project
from stalker.templates import TemplateSecurityError

SEED_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
SEED_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'


def make(**kwargs):
    values = {"name": "Task Template", "target_entity_type": "Task"}
    values.update(kwargs)
    return FilenameTemplate(**values)


def test_defaults():
    template = make()
    assert (template.path, template.filename) == ("", "")
    assert template.target_entity_type == "Task"


def test_class_target_is_stored_by_name():
    assert make(target_entity_type=Project).target_entity_type == "Project"


def test_target_is_required_and_read_only():
    with pytest.raises(TypeError, match=r"FilenameTemplate\.target_entity_type"):
        FilenameTemplate(name="T")
    with pytest.raises(ValueError, match=r"FilenameTemplate\.target_entity_type"):
        make(target_entity_type="")
    template = make()
    with pytest.raises(AttributeError):
        template.target_entity_type = "Asset"


@pytest.mark.parametrize("attr", ["path", "filename"])
def test_sources_must_be_str(attr):
    with pytest.raises(TypeError, match=f"FilenameTemplate.{attr} should be a str"):
        make(**{attr: 3})
    template = make()
    with pytest.raises(TypeError, match=f"FilenameTemplate.{attr}"):
        setattr(template, attr, ["x"])
    setattr(template, attr, None)
    assert getattr(template, attr) == ""


def test_name_is_required():
    with pytest.raises(TypeError, match=r"FilenameTemplate\.name"):
        FilenameTemplate(target_entity_type="Task")


def test_equality():
    assert make(path="a") == make(path="a")
    assert make(path="a") != make(path="b")
    assert make(filename="a") != make(filename="b")
    assert make() != make(target_entity_type="Asset")


class _Named:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def test_seed_templates_render_in_the_sandbox():
    template = make(path=SEED_PATH, filename=SEED_FILENAME)
    project = _Named(code="FC", repository=_Named(id=33))
    parents = [_Named(nice_name="SH001"), _Named(nice_name="comp")]
    version = _Named(nice_name="SH001_comp_Main", version_number=1)
    assert (
        template.render_path(project=project, parent_tasks=parents)
        == "$REPO33/FC/SH001/comp/"
    )
    assert template.render_filename(version=version) == "SH001_comp_Main_v001"


def test_malicious_template_is_refused_naming_it():
    template = make(name="Evil", path="{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateSecurityError, match=r"FilenameTemplate 'Evil'"):
        template.render_path()


def test_persisted(session):
    session.add(make(path=SEED_PATH, filename=SEED_FILENAME))
    session.commit()
    session.expire_all()
    loaded = FilenameTemplate.query.filter_by(name="Task Template").one()
    assert (loaded.path, loaded.filename) == (SEED_PATH, SEED_FILENAME)
    assert loaded.target_entity_type == "Task"
