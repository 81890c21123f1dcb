"""Page, the per-project wiki page (spec 08 §7)."""

from __future__ import annotations

import pytest

from stalker import Note, Page, Project, Tag
from tests.task_factories import make_project


@pytest.fixture
def offline_project() -> Project:
    return make_project(name="Offline", code="OFF")


def test_defaults_and_project_pages(offline_project):
    page = Page(title="Pipeline", project=offline_project)
    assert (page.title, page.content) == ("Pipeline", "")
    assert page.project is offline_project
    assert offline_project.pages == [page]
    assert page.name.startswith("Page_")  # auto-named
    assert Page(title="Named", name="Intro", project=offline_project).name == "Intro"


def test_title_is_required(offline_project):
    with pytest.raises(ValueError, match=r"Page\.title should be a non-empty str"):
        Page(project=offline_project)
    with pytest.raises(TypeError, match=r"Page\.title should be a str, not NoneType"):
        Page(title=None, project=offline_project)
    page = Page(title="Pipeline", project=offline_project)
    with pytest.raises(TypeError, match=r"Page\.title should be a str, not int"):
        page.title = 12
    with pytest.raises(ValueError, match=r"Page\.title"):
        page.title = ""
    assert page.title == "Pipeline"


def test_content(offline_project):
    html = "<h1>Render farm</h1><p>Queue jobs with <b>care</b>.</p>"
    page = Page(title="Farm", content=html, project=offline_project)
    assert page.content == html
    page.content = None
    assert page.content == ""
    with pytest.raises(TypeError, match=r"Page\.content should be a str, not bytes"):
        page.content = b"<p/>"
    with pytest.raises(TypeError, match=r"Page\.content"):
        Page(title="Farm", content=["x"], project=offline_project)


def test_project_is_required(offline_project):
    with pytest.raises(TypeError, match=r"Page\.project should be a Project"):
        Page(title="Lost")
    with pytest.raises(TypeError, match=r"Page\.project should be a Project.*str"):
        Page(title="Lost", project="OFF")


def test_pages_carry_tags_and_notes(offline_project):
    tag, note = Tag(name="howto"), Note(content="outdated since v2")
    page = Page(title="Setup", project=offline_project, tags=[tag], notes=[note])
    assert (page.tags, page.notes) == ([tag], [note])


def test_db_page_joins_the_project_session_and_round_trips(session):
    project = make_project(in_memory=False)
    session.add(project)
    session.flush()
    page = Page(title="Naming", content="<p>SH###</p>", project=project)
    assert page in session.new
    session.commit()
    page_id = page.id
    session.expunge_all()
    loaded = session.get(Page, page_id)
    assert (loaded.title, loaded.content) == ("Naming", "<p>SH###</p>")
    assert loaded.project.pages == [loaded]
    assert Page.query.filter_by(project=loaded.project).all() == [loaded]


def test_db_pages_are_deleted_with_their_project(session):
    project = make_project(in_memory=False)
    Page(title="One", project=project)
    Page(title="Two", project=project)
    session.add(project)
    session.commit()
    session.delete(project)
    session.commit()
    assert Page.query.count() == 0


def test_db_removing_a_page_from_the_project_deletes_it(session):
    project = make_project(in_memory=False)
    page = Page(title="Old", project=project)
    session.add(project)
    session.commit()
    project.pages.remove(page)
    session.commit()
    assert Page.query.count() == 0
