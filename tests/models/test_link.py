"""Link (spec 08 §1)."""

import pytest

from stalker import Link, Type


def test_defaults_and_auto_name():
    link = Link()
    assert link.full_path == ""
    assert link.original_filename == ""
    assert link.name.startswith("Link_")


def test_backslashes_become_slashes_and_nothing_else_changes():
    link = Link(full_path=r"M:\path\to\object")
    assert link.full_path == "M:/path/to/object"
    link.full_path = "/mnt/shots/"
    assert link.full_path == "/mnt/shots/"
    assert Link(full_path="name.###.exr").full_path == "name.###.exr"


def test_full_path_type_is_checked():
    with pytest.raises(TypeError, match=r"Link\.full_path"):
        Link(full_path=3)
    assert Link(full_path=None).full_path == ""


def test_original_filename_defaults_to_the_basename_at_assignment():
    link = Link(full_path="/a/b/plate.0001.exr")
    assert link.original_filename == "plate.0001.exr"
    link.full_path = "/a/b/other.exr"
    assert link.original_filename == "plate.0001.exr"
    link.original_filename = ""
    assert link.original_filename == "other.exr"
    assert Link(full_path="/x/y.ma", original_filename="orig.ma").original_filename == (
        "orig.ma"
    )
    with pytest.raises(TypeError, match=r"Link\.original_filename"):
        Link(full_path="/x", original_filename=5)


@pytest.fixture
def link():
    return Link(full_path="C:/A_PROJECT/td/img-3.exr")


def test_derived_parts(link):
    assert link.path == "C:/A_PROJECT/td"
    assert link.filename == "img-3.exr"
    assert link.extension == ".exr"


def test_extension_setter(link):
    link.extension = "iff"
    assert link.full_path == "C:/A_PROJECT/td/img-3.iff"
    link.extension = ".tif"
    assert link.full_path == "C:/A_PROJECT/td/img-3.tif"
    link.extension = None
    assert link.full_path == "C:/A_PROJECT/td/img-3"
    with pytest.raises(TypeError, match=r"Link\.extension"):
        link.extension = 1


def test_filename_setter(link):
    link.filename = "x.tif"
    assert link.full_path == "C:/A_PROJECT/td/x.tif"
    link.filename = None
    assert link.full_path == "C:/A_PROJECT/td/"
    with pytest.raises(TypeError, match=r"Link\.filename"):
        link.filename = 2


def test_path_setter(link):
    link.filename = "x.tif"
    link.path = "/mnt/new"
    assert link.full_path == "/mnt/new/x.tif"
    link.path = r"D:\win\folder"
    assert link.full_path == "D:/win/folder/x.tif"
    with pytest.raises(TypeError, match=r"Link\.path"):
        link.path = None
    with pytest.raises(TypeError):
        link.path = 3
    with pytest.raises(ValueError, match=r"Link\.path"):
        link.path = ""


def test_absolute_paths_expand_environment_variables(monkeypatch):
    monkeypatch.setenv("REPO7", "/mnt/projects")
    link = Link(full_path="$REPO7/FC/../FC/plate.exr")
    assert link.absolute_full_path == "/mnt/projects/FC/plate.exr"
    assert link.absolute_path == "/mnt/projects/FC"


def test_equality_needs_name_full_path_and_type():
    image = Type(name="Image", code="img", target_entity_type="Link")
    a = Link(name="ref", full_path="/a.jpg", type=image)
    assert a == Link(name="ref", full_path="/a.jpg", type=image)
    assert a != Link(name="ref", full_path="/b.jpg", type=image)
    assert a != Link(name="ref", full_path="/a.jpg")
    assert a.plural_class_name == "Links"


def test_link_round_trip(session):
    session.add(Link(name="plate", full_path=r"\\server\plates\sh001.exr"))
    session.commit()
    session.expunge_all()
    loaded = Link.query.filter_by(name="plate").one()
    assert loaded.full_path == "//server/plates/sh001.exr"
    assert loaded.original_filename == "sh001.exr"
