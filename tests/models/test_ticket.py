"""Ticket and TicketLog (spec 08 §16, §17): attributes, workflow, database.

Concurrent numbering has its own module (test_ticket_numbering.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import stalker
from stalker import (
    Note,
    Project,
    Status,
    StatusList,
    Tag,
    Task,
    Ticket,
    TicketLog,
    Type,
    User,
)
from stalker.db import delete_with_work_records
from stalker.exceptions import DeleteRefusedError
from stalker.models import ticket as ticket_module
from tests.factories import make_user
from tests.support.statements import recorded_statements
from tests.task_factories import TaskWorld, make_project, make_status_list

STATUS_NAMES = ("New", "Accepted", "Assigned", "Reopened", "Closed")
STATUS_CODES = ("NEW", "ACP", "ASG", "ROP", "CLS")
ACTIONS = ("resolve", "accept", "reassign", "reopen")


def ticket_status_list() -> StatusList:
    return make_status_list("Ticket", STATUS_CODES, STATUS_NAMES)


@pytest.fixture
def offline() -> Any:
    """A project and a ticket status list, no database."""

    class Offline:
        project = make_project()
        status_list = ticket_status_list()

        def ticket(self, **kwargs: Any) -> Ticket:
            kwargs.setdefault("project", self.project)
            kwargs.setdefault("status_list", self.status_list)
            return Ticket(**kwargs)

    return Offline()


@pytest.fixture
def project(session: Any) -> Project:
    project = make_project(in_memory=False)
    session.add(project)
    session.flush()
    return project


def _selects(statements: list[str]) -> list[str]:
    """The SELECTs among ``statements`` (transaction statements do not count)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


# -- constructor and attributes (§16.1) ---------------------------------------------


def test_defaults_without_a_database(offline):
    ticket = offline.ticket()
    assert ticket.number == 1
    assert ticket.name == "Ticket #1"
    assert ticket.status.name == "New"
    assert ticket.priority == "TRIVIAL"
    assert ticket.summary == ""
    assert ticket.links == []
    assert ticket.related_tickets == []
    assert ticket.owner is None
    assert ticket.resolution is None
    assert ticket.logs == []
    assert ticket.project is offline.project
    assert offline.project.tickets == [ticket]
    assert ticket.is_open


def test_module_resolutions_match_the_defaults():
    constants = [
        ticket_module.FIXED,
        ticket_module.INVALID,
        ticket_module.WONTFIX,
        ticket_module.DUPLICATE,
        ticket_module.WORKSFORME,
        ticket_module.CANTFIX,
    ]
    assert constants == stalker.defaults.ticket_resolutions


def test_name_is_always_generated(offline):
    ticket = offline.ticket(name="My Ticket")
    assert ticket.name == "Ticket #1"
    ticket.name = "Renamed"
    assert ticket.name == "Ticket #1"


def test_name_uses_the_configured_label(offline):
    stalker.defaults.ticket_label = "Issue"
    assert offline.ticket().name == "Issue #1"


def test_number_is_read_only(offline):
    ticket = offline.ticket()
    with pytest.raises(AttributeError, match=r"Ticket\.number is read-only"):
        ticket.number = 5
    assert ticket.number == 1


def test_project_is_required_and_read_only(offline):
    with pytest.raises(TypeError, match=r"Ticket\.project should be a Project.*None"):
        Ticket(status_list=offline.status_list)
    with pytest.raises(TypeError, match=r"Ticket\.project should be a Project.*str"):
        Ticket(project="FC", status_list=offline.status_list)
    ticket = offline.ticket()
    with pytest.raises(AttributeError, match=r"Ticket\.project is read-only"):
        ticket.project = make_project(name="Other", code="OT")
    assert ticket.project is offline.project


def test_status_list_must_target_tickets(offline):
    with pytest.raises(TypeError, match=r"Ticket\.status_list should be"):
        offline.ticket(status_list=make_status_list("Task"))


def test_summary(offline):
    assert offline.ticket(summary="crash on save").summary == "crash on save"
    assert offline.ticket(summary=None).summary == ""
    with pytest.raises(TypeError, match=r"Ticket\.summary should be a str, not int"):
        offline.ticket(summary=3)
    ticket = offline.ticket()
    with pytest.raises(TypeError, match=r"Ticket\.summary"):
        ticket.summary = ["x"]


@pytest.mark.parametrize(
    "priority", ["TRIVIAL", "MINOR", "MAJOR", "CRITICAL", "BLOCKER"]
)
def test_priority_values(offline, priority):
    assert offline.ticket(priority=priority).priority == priority


def test_priority_is_checked(offline):
    with pytest.raises(ValueError, match=r"Ticket\.priority should be one of"):
        offline.ticket(priority="URGENT")
    with pytest.raises(TypeError, match=r"Ticket\.priority should be a str"):
        offline.ticket(priority=1)
    ticket = offline.ticket()
    with pytest.raises(ValueError, match=r"Ticket\.priority"):
        ticket.priority = "minor"
    assert ticket.priority == "TRIVIAL"


def test_links_accept_any_simple_entity(offline):
    status = Status(name="Odd", code="ODD")
    user = make_user("bob")
    tag = Tag(name="fx")
    ticket = offline.ticket(links=[offline.project, status])
    ticket.links.append(user)
    ticket.links.append(tag)
    ticket.links.append(user)  # already linked: ignored
    assert ticket.links == [offline.project, status, user, tag]


def test_links_are_type_checked(offline):
    with pytest.raises(TypeError, match=r"Ticket\.links should be .*int"):
        offline.ticket(links=[1])
    ticket = offline.ticket()
    with pytest.raises(TypeError, match=r"Ticket\.links should be a list"):
        ticket.links = None
    with pytest.raises(TypeError, match=r"Ticket\.links should be .*str"):
        ticket.links.append("a version")
    assert ticket.links == []


def test_related_tickets(offline):
    first, second, third = offline.ticket(), offline.ticket(), offline.ticket()
    first.related_tickets = [second]
    first.related_tickets.append(third)
    first.related_tickets.append(third)
    assert first.related_tickets == [second, third]
    assert second.related_tickets == []  # one-directional


def test_related_tickets_are_checked(offline):
    ticket = offline.ticket()
    with pytest.raises(TypeError, match=r"Ticket\.related_tickets should be .*User"):
        ticket.related_tickets.append(make_user("bob"))
    with pytest.raises(ValueError, match=r"Ticket\.related_tickets should be a Ticket"):
        ticket.related_tickets.append(ticket)
    with pytest.raises(ValueError, match=r"Ticket\.related_tickets"):
        ticket.related_tickets = [ticket]
    with pytest.raises(TypeError, match=r"Ticket\.related_tickets should be a list"):
        ticket.related_tickets = None
    assert ticket.related_tickets == []


def test_owner_is_a_user_or_none(offline):
    ticket = offline.ticket()
    bob = make_user("bob")
    ticket.owner = bob
    assert ticket.owner is bob
    ticket.owner = None
    assert ticket.owner is None
    with pytest.raises(TypeError, match=r"Ticket\.owner should be a User .*str"):
        ticket.owner = "bob"


def test_resolution_is_any_string(offline):
    ticket = offline.ticket()
    ticket.resolution = "not reproducible here"  # not limited to the defaults
    assert ticket.resolution == "not reproducible here"
    with pytest.raises(TypeError, match=r"Ticket\.resolution should be a str"):
        ticket.resolution = 1


def test_comments_and_reported_by_are_aliases(offline):
    bob, ann = make_user("bob"), make_user("ann")
    ticket = offline.ticket(created_by=bob)
    assert ticket.reported_by is bob
    ticket.reported_by = ann
    assert ticket.created_by is ann
    note = Note(content="seen it too")
    ticket.comments.append(note)
    assert ticket.notes == [note]
    assert note.entities == [ticket]
    assert ticket.comments is ticket.notes


def test_a_ticket_can_be_typed(offline):
    defect = Type(name="Defect", code="Defect", target_entity_type="Ticket")
    assert offline.ticket(type=defect).type is defect


# -- workflow (§16.2), action by action from every status -----------------------------

# (current status, action) -> new status; absent pairs do nothing.
TRANSITIONS = {
    **{(name, "resolve"): "Closed" for name in STATUS_NAMES[:4]},
    **{(name, "accept"): "Accepted" for name in STATUS_NAMES[:4]},
    **{(name, "reassign"): "Assigned" for name in STATUS_NAMES[:4]},
    ("Closed", "reopen"): "Reopened",
}


def _act(ticket: Ticket, action: str, actor: User, other: User) -> TicketLog | None:
    if action == "resolve":
        return ticket.resolve(created_by=actor, resolution="fixed")
    if action == "accept":
        return ticket.accept(created_by=actor)
    if action == "reassign":
        return ticket.reassign(created_by=actor, assign_to=other)
    return ticket.reopen(created_by=actor)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("current", STATUS_NAMES)
def test_workflow_step(session, project, current, action):
    """Every action from every status, on the status list db.init() made."""
    actor, other = make_user("actor"), make_user("other")
    ticket = Ticket(project=project)
    session.add_all([actor, other, ticket])
    ticket.status = ticket.status_list[current]
    ticket.resolution = "earlier"
    before = ticket.status

    log = _act(ticket, action, actor, other)

    expected = TRANSITIONS.get((current, action))
    if expected is None:
        assert log is None
        assert ticket.status is before
        assert (ticket.owner, ticket.resolution, ticket.logs) == (None, "earlier", [])
        return
    assert ticket.status.name == expected
    assert ticket.logs == [log]
    assert (log.ticket, log.from_status, log.to_status) == (
        ticket,
        before,
        ticket.status,
    )
    assert (log.action, log.created_by) == (action, actor)
    side_effects = {
        "resolve": (None, "fixed"),
        "accept": (actor, "earlier"),
        "reassign": (other, "earlier"),
        "reopen": (None, ""),
    }
    assert (ticket.owner, ticket.resolution) == side_effects[action]
    session.commit()
    session.expire_all()
    assert [(x.action, x.to_status.name) for x in ticket.logs] == [(action, expected)]


def test_workflow_example_of_the_spec(offline):
    u1, u2 = make_user("u1"), make_user("u2")
    ticket = offline.ticket()
    assert ticket.reopen() is None
    first = ticket.resolve(resolution="fixed")
    assert (ticket.status.name, ticket.resolution) == ("Closed", "fixed")
    assert (first.from_status.name, first.to_status.name) == ("New", "Closed")
    assert all(getattr(ticket, action)() is None for action in ACTIONS[:3])
    ticket.reopen()
    assert (ticket.status.name, ticket.resolution) == ("Reopened", "")
    ticket.accept(created_by=u1)
    assert (ticket.status.name, ticket.owner) == ("Accepted", u1)
    ticket.reassign(u1, u2)
    assert (ticket.status.name, ticket.owner) == ("Assigned", u2)
    assert [log.action for log in ticket.logs] == [
        "resolve",
        "reopen",
        "accept",
        "reassign",
    ]
    assert ticket.resolve(u2, "wontfix") is not None
    assert not ticket.is_open


def test_a_wrong_actor_changes_nothing(offline):
    ticket = offline.ticket()
    with pytest.raises(TypeError, match=r"TicketLog\.created_by should be a User"):
        ticket.accept(created_by="bob")
    with pytest.raises(TypeError, match=r"Ticket\.owner should be a User"):
        ticket.reassign(created_by=make_user("ann"), assign_to="bob")
    assert (ticket.status.name, ticket.owner, ticket.logs) == ("New", None, [])


def test_a_status_list_without_the_target_status_is_refused(offline):
    short_list = make_status_list("Ticket", ("NEW", "CLS"), ("New", "Closed"))
    ticket = offline.ticket(status_list=short_list)
    with pytest.raises(ValueError, match=r"Ticket\.status_list should be a list "):
        ticket.accept()
    assert (ticket.status.name, ticket.logs) == ("New", [])


def test_the_workflow_comes_from_the_defaults(offline):
    workflow = stalker.defaults.ticket_workflow
    workflow["reopen"]["New"] = {"new_status": "Reopened", "action": "del_resolution"}
    ticket = offline.ticket()
    log = ticket.reopen()
    assert (log.action, ticket.status.name) == ("reopen", "Reopened")


def test_side_effect_helpers(offline):
    ticket = offline.ticket()
    bob = make_user("bob")
    ticket.set_owner(bob)
    ticket.set_resolution("duplicate")
    assert (ticket.owner, ticket.resolution) == (bob, "duplicate")
    ticket.del_resolution()
    assert ticket.resolution == ""


# -- equality (§16.3) -----------------------------------------------------------------


def test_equality(offline):
    first = offline.ticket()
    same = offline.ticket()
    same._number = first.number
    same.name = ""
    assert first == same
    assert hash(first) == hash(same)
    same.priority = "MAJOR"
    assert first != same
    same.priority = first.priority
    same.accept()
    assert first != same  # status and logs differ
    other = offline.ticket()
    other._number = 2
    other.name = ""
    assert first != other  # another number and name
    assert first != Note(name=first.name)


# -- TicketLog (§17) -------------------------------------------------------------------


def test_ticket_log_constructor(offline):
    ticket = offline.ticket()
    new, closed = offline.status_list["NEW"], offline.status_list["CLS"]
    bob = make_user("bob")
    log = TicketLog(ticket, new, closed, "resolve", created_by=bob, name="ignored")
    assert (log.ticket, log.from_status, log.to_status) == (ticket, new, closed)
    assert (log.action, log.created_by) == ("resolve", bob)
    assert re.fullmatch(r"TicketLog_[0-9a-f]{32}", log.name)
    assert ticket.logs == [log]
    assert TicketLog().ticket is None


def test_ticket_log_checks_its_values(offline):
    new = offline.status_list["NEW"]
    with pytest.raises(TypeError, match=r"TicketLog\.ticket should be a Ticket"):
        TicketLog("Ticket #1")
    with pytest.raises(TypeError, match=r"TicketLog\.from_status should be a Status"):
        TicketLog(offline.ticket(), "NEW")
    with pytest.raises(TypeError, match=r"TicketLog\.to_status should be a Status"):
        TicketLog(offline.ticket(), new, 4)
    with pytest.raises(ValueError, match=r"TicketLog\.action should be one of"):
        TicketLog(offline.ticket(), new, new, "close")


# -- database -----------------------------------------------------------------------


def test_db_default_status_list_and_types(session, project):
    ticket = Ticket(project=project)
    assert ticket.status_list.name == "Ticket Statuses"
    assert [s.code for s in ticket.status_list.statuses] == list(STATUS_CODES)
    assert ticket.status.code == "NEW"
    types = Type.query.filter_by(target_entity_type="Ticket").order_by(Type.id).all()
    assert [(t.name, t.code) for t in types] == [
        ("Defect", "Defect"),
        ("Enhancement", "Enhancement"),
    ]


def test_db_ticket_joins_the_project_session(session, project):
    ticket = Ticket(project=project)
    assert ticket in session.new
    log = ticket.accept(created_by=make_user("bob"))
    assert log in session.new


def test_db_numbers_pending_tickets_consecutively(session, project):
    tickets = [Ticket(project=project) for _ in range(3)]
    assert [t.number for t in tickets] == [1, 2, 3]
    session.commit()
    assert [t.name for t in tickets] == ["Ticket #1", "Ticket #2", "Ticket #3"]


def test_db_numbers_are_global_not_per_project(session, project):
    other = make_project(name="Other", code="OT", in_memory=False)
    first = Ticket(project=project)
    session.commit()
    second = Ticket(project=other)
    session.add(second)
    assert second.number == first.number + 1
    session.commit()
    assert Ticket.query.filter_by(number=2).one() is second


def test_db_numbering_continues_after_the_highest_stored(session, project):
    for _ in range(2):
        Ticket(project=project)
    session.commit()
    session.expunge_all()
    project = Project.query.filter_by(code="TP").one()
    assert Ticket(project=project).number == 3


def test_db_rolled_back_tickets_leave_no_trace(session, project):
    session.commit()
    Ticket(project=project)
    Ticket(project=project)
    session.flush()
    session.rollback()
    assert Ticket.query.count() == 0
    project = Project.query.filter_by(code="TP").one()
    assert Ticket(project=project).number == 1


def test_db_round_trip(session, project):
    bob, ann = make_user("bob"), make_user("ann")
    world = TaskWorld(session)
    world.project = project
    task = world.task("Model")
    defect = Type.query.filter_by(name="Defect").one()
    older = Ticket(project=project)
    ticket = Ticket(
        project=project,
        links=[task, bob],
        priority="CRITICAL",
        summary="normals are flipped",
        description="see the attached render",
        created_by=ann,
        type=defect,
    )
    ticket.related_tickets.append(older)
    ticket.comments.append(Note(content="confirmed"))
    ticket.accept(created_by=bob)
    ticket.resolve(created_by=bob, resolution="fixed")
    session.add_all([bob, ann])
    session.commit()
    ticket_id, older_id = ticket.id, older.id
    session.expunge_all()

    loaded = session.get(Ticket, ticket_id)
    assert (loaded.number, loaded.name) == (2, "Ticket #2")
    assert (loaded.priority, loaded.summary) == ("CRITICAL", "normals are flipped")
    assert (loaded.owner.login, loaded.resolution) == ("bob", "fixed")
    assert (loaded.reported_by.login, loaded.type.name) == ("ann", "Defect")
    assert [type(x).__name__ for x in loaded.links] == ["Task", "User"]
    assert [t.number for t in loaded.related_tickets] == [1]
    assert [n.content for n in loaded.comments] == ["confirmed"]
    assert [(x.action, x.from_status.code, x.to_status.code) for x in loaded.logs] == [
        ("accept", "NEW", "ACP"),
        ("resolve", "ACP", "CLS"),
    ]
    assert loaded.project.tickets == [session.get(Ticket, older_id), loaded]


def test_db_deleting_a_ticket_deletes_its_logs(session, project):
    ticket = Ticket(project=project)
    ticket.accept()
    session.commit()
    session.delete(ticket)
    session.commit()
    assert TicketLog.query.count() == 0
    assert Project.query.filter_by(code="TP").one() is project


def test_db_deleting_the_project_deletes_its_tickets(session, project):
    Ticket(project=project).resolve(resolution="invalid")
    session.commit()
    session.delete(project)
    with pytest.raises(DeleteRefusedError, match=r"it has 1 ticket\b"):
        session.commit()
    session.rollback()
    assert (Ticket.query.count(), TicketLog.query.count()) == (1, 1)
    delete_with_work_records(project)
    session.commit()
    assert (Ticket.query.count(), TicketLog.query.count()) == (0, 0)


# -- lookups: Project, User and Task tickets -------------------------------------------


def test_project_open_tickets(session, project):
    first, second, third = (Ticket(project=project) for _ in range(3))
    second.resolve(resolution="fixed")
    third.resolve(resolution="fixed")
    third.reopen()
    other = make_project(name="Other", code="OT", in_memory=False)
    Ticket(project=other)
    session.commit()
    project.tickets  # noqa: B018  (loaded now; only the query is counted)
    with recorded_statements(session.get_bind().engine) as statements:
        assert project.open_tickets == [first, third]
    assert len(_selects(statements)) == 1
    assert project.tickets == [first, second, third]


def test_project_open_tickets_of_an_unsaved_project(offline):
    first, second = offline.ticket(), offline.ticket()
    second.resolve()
    assert offline.project.open_tickets == [first]


def test_user_tickets(session, project):
    bob, ann = make_user("bob"), make_user("ann")
    session.add_all([bob, ann])
    owned, closed, others = (Ticket(project=project) for _ in range(3))
    owned.accept(created_by=bob)
    closed.reassign(created_by=ann, assign_to=bob)
    closed.resolve(created_by=bob, resolution="fixed")
    others.accept(created_by=ann)
    session.commit()
    session.refresh(bob)  # the commit expired him; only the lookups are counted
    with recorded_statements(session.get_bind().engine) as statements:
        assert bob.tickets == [owned, closed]
        assert bob.open_tickets == [owned]
    assert len(_selects(statements)) == 2
    assert ann.tickets == [others]
    assert make_user("nobody").tickets == []


def test_task_tickets(session, project):
    world = TaskWorld(session)
    world.project = project
    task, other_task = world.task("Model"), world.task("Rig")
    linked = Ticket(project=project, links=[task])
    closed = Ticket(project=project, links=[task, other_task])
    closed.resolve(resolution="fixed")
    Ticket(project=project, links=[other_task])
    Ticket(project=project)
    session.commit()
    session.refresh(task)  # the commit expired it; only the lookups are counted
    with recorded_statements(session.get_bind().engine) as statements:
        assert task.tickets == [linked, closed]
        assert task.open_tickets == [linked]
    assert len(_selects(statements)) == 2
    assert [t.number for t in other_task.tickets] == [2, 3]
    assert isinstance(task, Task)


def test_lookups_of_unsaved_objects_need_no_database():
    world = TaskWorld()
    task, user = world.task("Model"), world.user("bob")
    assert (task.tickets, task.open_tickets) == ([], [])
    assert (user.tickets, user.open_tickets) == ([], [])
