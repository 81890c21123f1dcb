"""Studio and user time zones: validated IANA names, stored on both backends."""

from __future__ import annotations

import zoneinfo

import pytest

from stalker import Studio, User
from stalker.db import DBSession
from stalker.utils import local_timezone_name

HOSTILE = ["", "../../etc/passwd", "/etc/passwd", "Mars/Olympus", "UTC\x00", "a" * 65]


def test_a_new_studio_takes_the_machine_zone():
    assert Studio(name="S").timezone == local_timezone_name()


def test_studio_zone_accepts_a_name_or_a_zoneinfo():
    studio = Studio(name="S", timezone="America/Los_Angeles")
    assert studio.timezone == "America/Los_Angeles"
    studio.timezone = zoneinfo.ZoneInfo("Asia/Kolkata")
    assert studio.timezone == "Asia/Kolkata"
    assert studio.tzinfo == zoneinfo.ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize("name", HOSTILE)
def test_studio_refuses_what_is_not_a_zone(name):
    studio = Studio(name="S", timezone="UTC")
    with pytest.raises(ValueError, match=r"Studio\.timezone should be"):
        studio.timezone = name
    assert studio.timezone == "UTC"


def test_studio_refuses_a_zone_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"Studio\.timezone should be a str"):
        Studio(name="S", timezone=3)


@pytest.mark.parametrize("name", HOSTILE)
def test_user_refuses_what_is_not_a_zone(name):
    with pytest.raises(ValueError, match=r"User\.timezone should be"):
        User(name="U", login="u", email="u@x.com", password="p", timezone=name)


def test_zones_are_stored(session):
    studio = Studio(name="Zoned", timezone="America/Los_Angeles")
    user = User(
        name="Remote",
        login="remote",
        email="r@x.com",
        password="p",
        timezone="Europe/Istanbul",
    )
    local = User(name="Local", login="local", email="l@x.com", password="p")
    DBSession.add_all([studio, user, local])
    DBSession.commit()
    DBSession.expire_all()
    assert studio.timezone == "America/Los_Angeles"
    assert user.timezone == "Europe/Istanbul"
    assert local.timezone is None


def test_a_new_studio_reads_the_zone_the_machine_is_set_to(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    assert Studio(name="S").timezone == "America/New_York"


def test_a_machine_without_a_readable_zone_gives_utc(monkeypatch):
    import tzlocal

    def broken() -> str:
        raise LookupError("no zone configured")

    monkeypatch.setenv("TZ", "Not/AZone")
    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    assert Studio(name="S").timezone == "UTC"


def test_a_machine_zone_the_zone_database_does_not_know_gives_utc(monkeypatch):
    import tzlocal

    monkeypatch.delenv("TZ")
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Pacific Standard Time")
    assert Studio(name="S").timezone == "UTC"
