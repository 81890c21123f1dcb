"""Message, the stored placeholder of messaging (spec 08 §8)."""

from __future__ import annotations

import pytest

from stalker import Message, Status, StatusList, User
from tests.task_factories import make_status_list


def message_status_list() -> StatusList:
    return make_status_list("Message", ("NEW", "CLS"), ("New", "Closed"))


def test_a_message_is_a_statusable_entity():
    statuses = message_status_list()
    message = Message(description="hi", status_list=statuses)
    assert message.description == "hi"
    assert message.name.startswith("Message_")
    assert message.status is statuses[0]
    assert message.status_list is statuses
    message.status = statuses["CLS"]
    assert message.status.code == "CLS"
    assert message.tags == [] and message.notes == []


def test_no_messaging_attributes_exist_yet():
    message = Message(status_list=message_status_list())
    for attribute in ("sender", "recipients", "subject", "body", "replies"):
        assert not hasattr(message, attribute)


def test_status_list_must_target_messages():
    with pytest.raises(TypeError, match=r"Message\.status_list should be"):
        Message(status_list=make_status_list("Ticket", ("NEW",), ("New",)))
    with pytest.raises(ValueError, match=r"Message\.status should be one of"):
        Message(status_list=message_status_list(), status=Status(name="X", code="X"))


def test_db_without_a_message_status_list_a_message_cannot_be_made(session):
    with pytest.raises(TypeError, match=r"none in the database targets 'Message'"):
        Message(description="hi")


def test_db_round_trip_with_a_stored_status_list(session):
    statuses = message_status_list()
    session.add(statuses)
    session.commit()
    sender = User(name="Bob", login="bob", email="bob@example.com", password="pw")
    message = Message(description="dailies at 5", created_by=sender)
    assert message.status_list is statuses  # found in the database
    session.add(message)
    session.commit()
    message_id = message.id
    session.expunge_all()
    loaded = session.get(Message, message_id)
    assert (loaded.description, loaded.status.code) == ("dailies at 5", "NEW")
    assert loaded.created_by.login == "bob"
