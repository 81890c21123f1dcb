"""Note, and notes on any Entity (spec 01 Note / Entity.notes)."""

from __future__ import annotations

import pytest

from stalker import Note, Page, Tag, Ticket, User
from tests.factories import make_user
from tests.task_factories import TaskWorld, make_project


def test_content_is_the_description():
    note = Note(content="hands need work")
    assert note.content == note.description == "hands need work"
    note.description = "fixed"
    assert note.content == "fixed"
    assert Note(description="legacy spelling").content == "legacy spelling"
    assert Note(content="wins", description="loses").content == "wins"
    assert Note().content == "" and Note(content=None).content == ""
    assert note.name.startswith("Note_")


def test_content_is_validated():
    with pytest.raises(TypeError, match=r"Note\.description should be a str, not int"):
        Note(content=3)
    note = Note(content="ok")
    with pytest.raises(TypeError, match=r"Note\.description should be a str"):
        note.content = ["not", "text"]
    note.content = None
    assert note.content == ""


def test_equality_compares_contents():
    assert Note(name="n", content="a") == Note(name="n", content="a")
    assert Note(name="n", content="a") != Note(name="n", content="b")
    assert Note(name="n", content="a") != Tag(name="n")


def test_a_note_on_many_kinds_of_entity():
    world = TaskWorld()
    note = Note(content="see me")
    task, user, project = world.task("Model"), world.user("bob"), world.project
    page = Page(title="Wiki", project=project)
    for entity in (task, user, project, page):
        entity.notes.append(note)
    assert note.entities == [task, user, project, page]


def test_notes_and_tags_cannot_be_noted():
    assert not hasattr(Note(content="x"), "notes")
    assert not hasattr(Tag(name="x"), "notes")
    user = make_user("bob")
    with pytest.raises(TypeError, match=r"User\.notes should be a Note"):
        user.notes.append(Tag(name="x"))


def test_db_notes_round_trip_from_both_sides(session):
    world = TaskWorld(session)
    task = world.task("Model")
    user = User(name="Ann", login="ann", email="ann@example.com", password="pw")
    note = Note(content="approved", created_by=user)
    task.notes.append(note)
    user.notes.append(note)
    world.flush()
    session.add(user)
    session.commit()
    note_id = note.id
    session.expunge_all()
    loaded = session.get(Note, note_id)
    assert sorted(type(e).__name__ for e in loaded.entities) == ["Task", "User"]
    assert loaded.created_by.login == "ann"


def test_db_ticket_comments_are_notes(session):
    project = make_project(in_memory=False)
    session.add(project)
    ticket = Ticket(project=project)
    ticket.comments.append(Note(content="reproduced"))
    session.commit()
    assert [n.content for n in Note.query.all()] == ["reproduced"]
    assert Note.query.one().entities == [ticket]
