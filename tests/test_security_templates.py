"""Hostile templates reach nothing and change nothing (issue 18), both backends.

A FilenameTemplate is stored on a project and rendered by every publish, so
each hostile source below is rendered through ``Version.update_paths()`` on a
saved version; it must raise TemplateRenderError and leave every table as it
was.  Ordinary templates (seeds, README, config defaults) keep rendering the
same paths.
"""

from __future__ import annotations

import os
import platform
from typing import Any

import pytest
from jinja2.sandbox import SecurityError
from sqlalchemy import select

import stalker
from stalker import FilenameTemplate, Repository, Structure, User, Version
from stalker.db.declarative import Base
from stalker.templates import (
    PathEscapeError,
    TemplateObject,
    TemplateRenderError,
    check_relative_path,
    check_rendered_path,
    compiled_template,
    render_template,
    template_value,
)
from tests.task_factories import TaskWorld

SEED_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
README_PATH = (
    "$REPO{{project.repository.code}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
SEED_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
SQL = 'UPDATE "Users" SET password = login'

HOSTILE = {
    "run SQL through the session": (
        f"{{% set _ = version.query.session.connection().exec_driver_sql('{SQL}') %}}x"
    ),
    "run SQL, printed": (
        f"{{{{ version.query.session.connection().exec_driver_sql('{SQL}') }}}}"
    ),
    "session of a task": "{{ task.query.session.execute('select 1') }}",
    "session of the project": "{{ project.query.session.commit() }}",
    "session by item": "{{ version['query']['session'] }}",
    "instance state": "{{ version._sa_instance_state.session }}",
    "bind URL password": "{{ task.query.session.bind.url.password }}",
    "bind URL via get_bind": "{{ project.query.session.get_bind().url }}",
    "metadata bind": "{{ version.metadata }}",
    "registry": "{{ version.registry }}",
    "password hash of the creator": "{{ user.password }}",
    "password hashes of users": "{{ project.users|map(attribute='password')|join }}",
    "password hash of a resource": "{{ task.resources[0].password }}",
    "check a password": "{{ user.check_password('admin') }}",
    "driver module": "{{ project.query.session.bind.dialect.dbapi.connect('x.db') }}",
    "loaded driver": "{{ task.query.session.bind.dialect.loaded_dbapi }}",
    "mutating method update_paths": "{{ version.update_paths() }}",
    "mutating method of a task": "{{ task.update_status_with_dependent_statuses() }}",
    "live relation walk": "{{ version.task.project.users }}",
    "latest version (query)": "{{ version.latest_version.task }}",
    "python internals": "{{ version.version_number.__class__.__mro__ }}",
    "globals of a function": "{{ self.__init__.__globals__ }}",
    "mutate a snapshot list": "{{ parent_tasks.append(1) }}",
    "string method not allowed": "{{ project.code.encode() }}",
    "unbounded string": "{{ 'x' * 10**7 }}",
    "unbounded concatenation": "{% set a = 'x' * 90000 %}{{ a ~ a }}",
    "unbounded replace": "{{ ('x' * 1000).replace('x', 'x' * 1000) }}",
    "unbounded zfill": "{{ project.code.zfill(10**8) }}",
    "unbounded format filter": "{{ '%0999999999d'|format(1) }}",
    "unbounded percent operator": "{{ '%0999999999d' % 1 }}",
    "unbounded named percent format": "{{ '%(a)999999999s'|format(a=1) }}",
    "unbounded format_map": "{{ '{a:>999999999}'.format_map({'a': 1}) }}",
    "unbounded str.format": "{{ '{:>999999999}'.format(1) }}",
    "unbounded range": "{{ range(10**9)|list|length }}",
    "unbounded loops": (
        "{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}"
    ),
    "unbounded recursion": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "exponential macro": (
        "{% macro d(n) %}{% if n %}{{ d(n-1) }}{{ d(n-1) }}{% else %}x{% endif %}"
        "{% endmacro %}{{ d(40) }}"
    ),
    "huge power": "{{ 10 ** (10 ** 10) }}",
    "overflow": "{{ (2**1100) * 1.0 }}",
    "lorem ipsum generator": "{{ lipsum(10**6) }}",
    "namespace object": "{% set ns = namespace(a=1) %}{{ ns }}",
    "undefined variable": "{{ session }}",
}


def dump(session: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: two dumps differ iff the data differ."""
    connection = session.connection()
    return {
        table.name: sorted(
            tuple(map(repr, row)) for row in connection.execute(select(table))
        )
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture(autouse=True)
def linux(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Linux")


@pytest.fixture
def published(session):
    """A saved version of SH001/comp whose project uses the seed template."""
    world = TaskWorld(session)
    repository = Repository(name="Commercials", code="CR", linux_path="/mnt/M/cr")
    world.project.repositories = [repository]
    template = FilenameTemplate(
        name="Task Template",
        target_entity_type="Task",
        path=SEED_PATH,
        filename=SEED_FILENAME,
    )
    world.project.structure = Structure(name="S", templates=[template])
    admin = User.query.filter_by(login=stalker.defaults.admin_login).one()
    shot = world.task("SH001")
    comp = world.task("comp", parent=shot, resources=[admin])
    world.flush()
    version = Version(task=comp, created_by=admin)
    version.update_paths()
    session.add(version)
    session.commit()
    return version, template


@pytest.mark.parametrize("source", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize("attribute", ["path", "filename"])
def test_hostile_template_is_refused_and_changes_nothing(
    session, published, source, attribute
):
    version, template = published
    setattr(template, attribute, source)
    session.commit()
    before = dump(session)
    full_path = version.full_path
    with pytest.raises(TemplateRenderError):
        version.update_paths()
    assert version.full_path == full_path
    session.commit()  # the session stays usable and has nothing to write
    assert dump(session) == before


def test_seed_template_still_renders_the_same_path(session, published):
    version, _ = published
    repository_id = version.task.project.repositories[0].id
    assert version.full_path == (
        f"$REPO{repository_id}/TP/SH001/comp/SH001_comp_Main_v001"
    )


@pytest.mark.parametrize(
    ("path", "filename", "expected"),
    [
        (README_PATH, SEED_FILENAME, "$REPOCR/TP/SH001/comp/SH001_comp_Main_v001"),
        (
            "{{project.repository.path}}/{{project.code}}/"
            "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
            SEED_FILENAME + "{{extension}}",
            "/mnt/M/cr//TP/SH001/comp/SH001_comp_Main_v001",
        ),
        (
            "${{project.repository.env_var}}/{{project.code}}/"
            "{%- for parent_task in parent_tasks -%}"
            "{{parent_task.nice_name}}/{%- endfor -%}",
            '{{task.entity_type}}_{{task.name}}_{{version.take_name}}_v{{"%03d"|format(version.version_number)}}',
            "$REPOCR/TP/SH001/comp/Task_comp_Main_v001",
        ),
        (
            "$REPO{{project.repository.code|lower|upper}}/{{ project.code.lower() }}",
            "{{ version.nice_name.replace('_', '-') }}_{{ user.login }}_{{ type }}",
            "$REPOCR/tp/SH001-comp-Main_admin_None",
        ),
    ],
)
def test_ordinary_templates_render_as_before(
    session, published, path, filename, expected
):
    version, template = published
    template.path, template.filename = path, filename
    version.update_paths()
    assert version.full_path == expected


def test_the_default_templates_start_at_the_repository(session, published):
    version, template = published
    template.path = stalker.defaults.path_template
    template.filename = stalker.defaults.filename_template
    version.update_paths()
    task_id = version.task.id
    assert version.full_path == f"$REPOCR/TP/SH001/comp/Task_{task_id}_Main_v001"


def test_a_hostile_project_code_cannot_leave_the_repository(session, published):
    version, template = published
    template.path = stalker.defaults.path_template
    version.task.project.code = "HOME"
    version.update_paths()
    assert version.full_path.startswith("$REPOCR/HOME/")


def test_templates_see_snapshots_not_live_objects(session, published):
    version, _ = published
    variables = version.template_variables()
    assert isinstance(variables["version"], TemplateObject)
    assert isinstance(variables["user"], TemplateObject)
    assert "password" not in variables["user"]
    with pytest.raises(AttributeError):
        variables["project"].code = "X"
    assert variables["project"].repository.env_var == "REPOCR"


def test_no_password_reaches_a_snapshot(session, published):
    admin = User.query.filter_by(login=stalker.defaults.admin_login).one()
    snapshot = template_value(admin)
    assert "password" not in snapshot
    assert admin.password not in repr(snapshot._values)


def test_live_database_objects_are_refused_as_variables(session):
    with pytest.raises(TemplateRenderError, match="Session"):
        render_template("{{ s }}", s=session())
    with pytest.raises(TemplateRenderError, match="module"):
        render_template("{{ m }}", m=os)


@pytest.mark.parametrize(
    "source",
    [
        "{{ x ** 5000 }}",
        "{{ 1 / 0 }}",
        "{{ 'a' + 1 }}",
        "{% for %}",
        "{{ a.b }}",
    ],
)
def test_every_failure_is_a_template_render_error(source):
    with pytest.raises(TemplateRenderError):
        render_template(source, x=10)


def test_limits_come_from_the_config():
    stalker.defaults.template_max_output_length = 10
    with pytest.raises(TemplateRenderError, match="limit of 10"):
        render_template("{{ 'x' * 11 }}")
    assert render_template("{{ 'x' * 10 }}") == "x" * 10
    stalker.defaults.template_max_iterations = 3
    with pytest.raises(TemplateRenderError, match="iterations"):
        render_template("{% for i in range(4) %}{% endfor %}")
    stalker.defaults.template_time_limit = 0
    with pytest.raises(TemplateRenderError, match="too long"):
        render_template("{% for i in range(2) %}{% endfor %}")


# -- containment ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "$REPOCR/TP/.. /x",
        "$REPOCR/TP/.../x",
        "$REPOCR/TP/. ./x",
        "$REPOCR/TP\\..\\x",
        "$REPOCR/TP/a\x00b",
        "$REPOCR/TP/a\nb",
        "$REPOCR/$HOME/x",
        "$REPOCR/${HOME}/x",
        "$REPOCR/%USERPROFILE%/x",
        "%REPOCR%/x",
        "$HOME/x",
        "${HOME}/x",
        "~/x",
        "$REPOCR/~root/x",
        "TP/$SOME_VAR",
    ],
)
def test_rendered_paths_refuse_what_any_os_would_read_outside(path):
    with pytest.raises(PathEscapeError):
        check_rendered_path(path, ["/mnt/M/cr/"], template_name="T")


@pytest.mark.parametrize(
    "path", ["$REPOCR/TP/a", "${REPOCR}/TP/a", "TP/a.b/c", "TP/v1~bak", "TP/100%"]
)
def test_rendered_paths_inside_pass(path):
    assert check_rendered_path(path, ["/mnt/M/cr/"], template_name="T") == path


@pytest.mark.parametrize("name", ["$REPOCR/a.ma", "a\x00.ma", "..", "%TEMP%.ma"])
def test_filenames_refuse_variables_and_control_characters(name):
    with pytest.raises(PathEscapeError):
        check_relative_path(name, template_name="T")


def test_a_project_code_with_a_variable_is_refused_at_publish(session, published):
    version, template = published
    template.path = "{{project.code}}/x"
    version.task.project.code = "$HOME"
    with pytest.raises(ValueError, match="environment variable"):
        version.update_paths()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ x|map(attribute='a')|join('/') }}", "1/2"),
        ("{{ '/'.join(x|map(attribute='a')|map('string')) }}", "1/2"),
        ("{{ 'a_b'|replace('_', '-')|upper }}", "A-B"),
        (
            "{{ '%03d'|format(7) }}-{{ '{:03d}'.format(7) }}-{{ '7'.zfill(3) }}",
            "007-007-007",
        ),
        ("{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba"),
        ("{% macro m(n) %}<{{ n }}>{% endmacro %}{{ m(1) ~ m(2) }}", "<1><2>"),
        ("{{ d.get('k') }}{{ d['k'] }}{{ d.k }}", "111"),
    ],
)
def test_allowed_filters_methods_and_macros_work(source, expected):
    assert render_template(source, x=[{"a": 1}, {"a": 2}], d={"k": 1}) == expected


def test_task_path_renders_snapshots_too(session, published):
    version, template = published
    task = version.task
    template.path = "$REPOCR/{{ task.query.session.commit() }}"
    with pytest.raises(TemplateRenderError):
        _ = task.path
    template.path = README_PATH
    assert task.path == "$REPOCR/TP/SH001/comp"


def test_structure_folders_get_snapshots_of_orm_objects(session, published):
    version, _ = published
    project = version.task.project
    structure = Structure(name="Folders", custom_template="{{ project.code }}/Refs")
    assert structure.render_folders(project=project) == ["TP/Refs"]
    structure.custom_template = "{{ project.query.session.bind.url }}"
    with pytest.raises(TemplateRenderError):
        structure.render_folders(project=project)


def test_a_compiled_template_rendered_directly_is_bounded_too():
    stalker.defaults.template_max_iterations = 5  # a loop: 2 calls + iterations
    template = compiled_template("{% for i in range(4) %}{% endfor %}")
    for _ in range(2):  # each rendering has its own budget
        with pytest.raises(SecurityError, match="iterations"):
            template.render()
    assert (
        compiled_template("{% for i in range(3) %}{{ i }}{% endfor %}").render()
        == "012"
    )
    with pytest.raises(SecurityError, match="render_template"):
        "".join(template.generate())
