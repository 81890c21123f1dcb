"""Seed tutorial 001, Part VII (Collaboration), as the tutorial describes it.

Part VII has no code of its own, only four promises; each is exercised here
on the people and project of Parts I and II/A (rebuilt by the helpers of
test_seed_part2b_to_4.py):

* a Note can be left on anything created in Stalker, except on a Note or a
  Tag;
* a Message can be stored (sending it is "not implemented yet");
* anyone can create a Ticket for a Project;
* a Project has wiki Pages.

The ticket facts of seed 003's changelog (tickets tied to projects, links to
any object, the customisable workflow, ``User.tickets``/``open_tickets``,
the default Ticket statuses and the Defect/Enhancement types) are checked
along the way.
"""

from __future__ import annotations

import pytest

from tests.test_seed_part2b_to_4 import _end_of_part_2a, _part_1_and_2a


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def test_part_7_notes_on_anything(tutorial_db):
    from stalker import Department, Note, Repository, Status, Tag
    from stalker.db.session import DBSession

    me, new_project = _part_1_and_2a()
    seq1, sh001, _sh002, _sh003 = _end_of_part_2a(new_project)
    tds_department = Department.query.filter_by(name="TDs").first()
    repository = Repository.query.first()
    status_wip = Status.query.filter_by(code="WIP").first()

    note = Note(content="We will need more render nodes", created_by=me)
    noted = [me, tds_department, new_project, seq1, sh001, repository, status_wip]
    for entity in noted:
        entity.notes.append(note)
    DBSession.add(note)
    DBSession.commit()

    assert {entity.id for entity in note.entities} == {entity.id for entity in noted}
    assert Note.query.filter_by(content="We will need more render nodes").one() is note
    # except you can not create a Note to another Note and to a Tag
    assert not hasattr(Note(content="a reply"), "notes")
    assert not hasattr(Tag(name="urgent"), "notes")


def test_part_7_messages_are_stored(tutorial_db):
    from stalker import Message, Status, StatusList
    from stalker.db.session import DBSession

    me, _new_project = _part_1_and_2a()
    message_statuses = StatusList(
        name="Message Statuses",
        statuses=[
            Status.query.filter_by(code="NEW").first(),
            Status.query.filter_by(code="CLS").first(),
        ],
        target_entity_type="Message",
    )
    DBSession.add(message_statuses)
    DBSession.commit()

    message = Message(description="Dailies moved to 5 pm", created_by=me)
    DBSession.add(message)
    DBSession.commit()

    assert Message.query.one().description == "Dailies moved to 5 pm"
    assert message.status.code == "NEW"
    assert not hasattr(message, "recipients")  # sending is not implemented yet


def test_part_7_anyone_can_create_a_ticket_for_a_project(tutorial_db):
    import stalker
    from stalker import StatusList, Ticket, Type, User
    from stalker.db.session import DBSession

    me, new_project = _part_1_and_2a()
    _seq1, sh001, sh002, _sh003 = _end_of_part_2a(new_project)

    # db.init() created the ticket statuses, their list and two ticket types
    ticket_statuses = StatusList.query.filter_by(target_entity_type="Ticket").one()
    assert [s.code for s in ticket_statuses.statuses] == [
        "NEW",
        "ACP",
        "ASG",
        "ROP",
        "CLS",
    ]
    defect = Type.query.filter_by(name="Defect", target_entity_type="Ticket").one()
    assert Type.query.filter_by(name="Enhancement").one().code == "Enhancement"

    lead = User(
        name="Lead Compositor",
        login="lead",
        email="lead@example.com",
        password="secret",
    )
    flicker = Ticket(
        project=new_project,
        links=[sh001, sh002],  # any object, no Version needed
        summary="The plate flickers",
        priority="MAJOR",
        type=defect,
        created_by=me,
    )
    wording = Ticket(project=new_project, summary="Rename the shots", created_by=lead)
    DBSession.add_all([lead, flicker, wording])
    DBSession.commit()

    assert (flicker.name, wording.name) == ("Ticket #1", "Ticket #2")
    assert new_project.tickets == [flicker, wording]
    assert sh001.tickets == [flicker]

    flicker.accept(created_by=me)
    wording.reassign(created_by=me, assign_to=lead)
    wording.resolve(created_by=lead, resolution=stalker.defaults.ticket_resolutions[0])
    DBSession.commit()

    assert me.tickets == [flicker] and me.open_tickets == [flicker]
    assert lead.tickets == [wording] and lead.open_tickets == []
    assert new_project.open_tickets == [flicker]
    assert sh001.open_tickets == [flicker]
    assert [log.action for log in wording.logs] == ["reassign", "resolve"]
    assert wording.resolution == "fixed"

    # the workflow is read from the defaults, so a studio can change it
    stalker.defaults.ticket_workflow["reopen"]["Accepted"] = {
        "new_status": "Reopened",
        "action": "del_resolution",
    }
    flicker.reopen(created_by=me)
    DBSession.commit()
    assert flicker.status.name == "Reopened"


def test_part_7_wiki_pages_per_project(tutorial_db):
    from stalker import Page, Project
    from stalker.db.session import DBSession

    me, new_project = _part_1_and_2a()
    naming = Page(
        title="Naming Conventions",
        content="<p>Shots are named <b>SH###</b>.</p>",
        project=new_project,
        created_by=me,
    )
    DBSession.add(naming)
    DBSession.commit()

    assert new_project.pages == [naming]
    other = Project.query.filter(Project.id != new_project.id).all()
    assert all(project.pages == [] for project in other)
    assert Page.query.filter_by(title="Naming Conventions").one().content == (
        "<p>Shots are named <b>SH###</b>.</p>"
    )
