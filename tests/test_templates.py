"""Sandboxed template rendering and path containment (D12, spec 06 §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.sandbox import SecurityError

from stalker.templates import (
    PathEscapeError,
    TemplateRenderError,
    TemplateSecurityError,
    check_path_inside,
    check_relative_path,
    check_rendered_path,
    has_parent_segment,
    is_absolute_path,
    render_template,
    sandbox_environment,
)


def test_renders_like_plain_jinja2():
    assert render_template("{{a}}-{{ '%03d'|format(n) }}\n", a="x", n=7) == "x-007"
    assert render_template("{%- for p in ps -%}{{p}}/{%- endfor -%}", ps="ab") == "a/b/"


def test_environment_is_built_once():
    assert sandbox_environment() is sandbox_environment()


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ cls.__subclasses__() }}",
        "{{ f.__globals__ }}",
        "{{ cls.mro() }}",
        "{{ items.append(1) }}",
        "{{ d.update(a=1) }}",
        "{{ f.__code__ }}",
    ],
)
def test_sandbox_refuses_malicious_templates(source):
    with pytest.raises(TemplateSecurityError, match=r"forbidden") as info:
        render_template(source, x=1, cls=int, items=[], d={}, f=lambda: 0)
    assert isinstance(info.value, SecurityError)
    assert isinstance(info.value, ValueError)


def test_security_error_names_the_template():
    with pytest.raises(TemplateSecurityError, match=r"My Template"):
        render_template("{{ ''.__class__ }}", template_name="My Template")
    with pytest.raises(TemplateSecurityError, match=r"__class__"):
        render_template("{{ ''.__class__ }}")


def test_syntax_errors_are_render_errors_naming_the_template():
    with pytest.raises(TemplateRenderError, match=r"Broken.*could not be rendered"):
        render_template("{% for %}", template_name="Broken")


def test_source_must_be_str():
    with pytest.raises(TypeError, match=r"should be a str"):
        render_template(None)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a/../b", True),
        ("a\\..\\b", True),
        ("..", True),
        ("a/..b/c", False),
        ("a/b", False),
    ],
)
def test_has_parent_segment(path, expected):
    assert has_parent_segment(path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a", True),
        ("\\a", True),
        ("//server/share", True),
        ("C:/x", True),
        ("c:", True),
        ("$REPO1/x", False),
        ("a/b", False),
    ],
)
def test_is_absolute_path(path, expected):
    assert is_absolute_path(path) is expected


ROOTS = ["/mnt/M/commercials/", "M:/commercials/", "/Volumes/M/commercials/"]


@pytest.mark.parametrize(
    "path",
    [
        "$REPO33/FC/SH001/comp",
        "FC/SH001",
        "/mnt/M/commercials/FC",
        "m:\\Commercials\\FC",
        "/Volumes/M/commercials/FC",
    ],
)
def test_rendered_paths_inside_the_repository_pass(path):
    assert check_rendered_path(path, ROOTS, template_name="T") == path


@pytest.mark.parametrize(
    "path",
    [
        "$REPO33/../../etc",
        "FC/../../x",
        "/etc/passwd",
        "C:/Windows",
        "/mnt/M/commercialsX/FC",
        "//evil/share",
        "$EVIL/x",
    ],
)
def test_rendered_paths_escaping_the_repository_fail(path, monkeypatch):
    monkeypatch.setenv("EVIL", "/etc")
    with pytest.raises(PathEscapeError, match=r"Tmpl"):
        check_rendered_path(path, ROOTS, template_name="Tmpl")


def test_variable_smuggling_a_parent_segment_is_caught(monkeypatch):
    monkeypatch.setenv("REPOSNEAKY", "a/../..")
    with pytest.raises(PathEscapeError, match=r"'\.\.' \(parent\) segment"):
        check_rendered_path("$REPOSNEAKY/x", ROOTS)


def test_a_variable_other_than_the_repository_is_refused(monkeypatch):
    monkeypatch.setenv("SNEAKY", "/mnt/M/commercials")
    with pytest.raises(PathEscapeError, match=r"environment variable"):
        check_rendered_path("$SNEAKY/x", ROOTS)


def test_rendered_escape_from_a_template_value():
    rendered = render_template("$REPO1/{{shot}}/comp", shot="../../etc")
    with pytest.raises(PathEscapeError):
        check_rendered_path(rendered, ROOTS)


@pytest.mark.parametrize("name", ["/abs.ma", "\\abs.ma", "C:x.ma", "../x.ma"])
def test_filenames_must_be_relative(name):
    with pytest.raises(PathEscapeError):
        check_relative_path(name, template_name="T")


def test_check_path_inside_joins():
    assert check_path_inside("/mnt/M/", "FC/a.ma") == "/mnt/M/FC/a.ma"
    assert check_path_inside("M:\\repo", "FC\\a.ma") == "M:/repo/FC/a.ma"
    assert check_path_inside("/mnt/M/", "/mnt/M/FC") == "/mnt/M/FC"
    assert check_path_inside("M:/Repo/", "m:/repo/FC") == "m:/repo/FC"


@pytest.mark.parametrize("relative", ["../x", "a/../../x", "/etc/x", "/mnt/Mx/a"])
def test_check_path_inside_refuses_escapes(relative):
    with pytest.raises(PathEscapeError):
        check_path_inside("/mnt/M/", relative)


_segment = st.text(alphabet="abcXYZ019_-.", min_size=1, max_size=6).filter(
    lambda s: s.strip(".") != ""  # dot-only segments read as parents (issue 18)
)


@given(st.lists(_segment, min_size=1, max_size=6))
def test_joined_paths_without_parent_segments_stay_inside(segments):
    joined = check_path_inside("/mnt/M/", "/".join(segments))
    assert joined.startswith("/mnt/M/")


@given(st.lists(_segment, max_size=3), st.lists(_segment, max_size=3))
def test_any_parent_segment_is_refused(before, after):
    with pytest.raises(PathEscapeError):
        check_path_inside("/mnt/M/", "/".join([*before, "..", *after]))
