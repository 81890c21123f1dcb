"""Sessions that cannot be forged or replayed, secrets that never leak (issue 18).

Both backends.  The attacker runs as the artist: they can read and write the
session file and everything else in the artist's home, but not the database
beyond what the library does for them.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import StatementError

import stalker
from stalker import LocalSession, User, db
from stalker.db.session import DBSession
from stalker.models.auth import LocalSessionToken, database_id
from tests.conftest import TEST_ADMIN_PASSWORD
from tests.factories import make_user


@pytest.fixture
def local_storage(tmp_path):
    stalker.defaults.local_storage_path = str(tmp_path / "strc")
    return tmp_path / "strc"


def _user(session, login):
    user = make_user(login=login, email=f"{login}@studio.com")
    session.add(user)
    session.commit()
    return user


def _log_in(user):
    local = LocalSession()
    local.store_user(user)
    local.save()
    return local


def _file() -> dict[str, Any]:
    with open(LocalSession.session_file_full_path()) as data_file:
        return json.load(data_file)  # type: ignore[no-any-return]


def _write(data: dict[str, Any]) -> None:
    with open(LocalSession.session_file_full_path(), "w") as data_file:
        json.dump(data, data_file)


def test_an_unedited_session_logs_in(session, local_storage):
    artist = _user(session, "artist")
    _log_in(artist)
    assert LocalSession().logged_in_user is artist


def test_a_forged_session_is_refused(session, local_storage):
    """Knowing the admin's id and this database's id is not enough."""
    artist = _user(session, "artist")
    admin = User.query.filter_by(login=stalker.defaults.admin_login).one()
    _log_in(artist)
    data = _file()
    forged = dict(data, logged_in_user_id=admin.id, token="A" * 43)
    _write(forged)
    assert LocalSession().logged_in_user is None
    # keeping the artist's own valid token but naming the admin gives the artist
    _write(dict(data, logged_in_user_id=admin.id))
    assert LocalSession().logged_in_user is artist


def test_a_copy_kept_before_logout_is_refused_after_it(session, local_storage):
    artist = _user(session, "artist")
    _log_in(artist)
    copy = _file()
    LocalSession().delete()  # logout
    _write(copy)
    assert LocalSession().logged_in_user is None
    assert LocalSessionToken.query.count() == 0


def test_revoke_all_logs_a_user_out_everywhere(session, local_storage):
    artist = _user(session, "artist")
    other = _user(session, "other")
    _log_in(artist)
    first = _file()
    os.remove(LocalSession.session_file_full_path())  # another machine
    _log_in(artist)
    os.remove(LocalSession.session_file_full_path())  # a third one
    _log_in(other)
    assert LocalSession.revoke_all(artist) == 2
    _write(first)
    assert LocalSession().logged_in_user is None
    assert LocalSessionToken.query.filter_by(user_id=other.id).count() == 1
    with pytest.raises(TypeError, match="saved User"):
        LocalSession.revoke_all(None)


def test_a_session_of_another_database_is_refused(session, local_storage):
    artist = _user(session, "artist")
    _log_in(artist)
    data = _file()
    assert data["database_id"] == database_id(session)
    _write(dict(data, database_id="f" * 32))
    assert LocalSession().logged_in_user is None


def test_a_session_file_on_a_database_without_the_token(
    session, local_storage, empty_database_settings
):
    """The same file against another (fresh) database logs nobody in."""
    artist = _user(session, "artist")
    _log_in(artist)
    session.remove()
    db.setup(empty_database_settings)
    db.init()
    assert LocalSession().logged_in_user is None


def test_a_reused_id_does_not_inherit_a_session(session, local_storage):
    """The deleted user's tokens go with it; a new user has no session."""
    newest = _user(session, "newest")
    _log_in(newest)
    copy = _file()
    old_id = newest.id
    session.delete(newest)
    session.commit()
    assert LocalSessionToken.query.count() == 0
    successor = _user(session, "successor")
    assert successor.id != old_id  # AUTOINCREMENT / sequence: never reused
    _write(dict(copy, logged_in_user_id=successor.id))
    assert LocalSession().logged_in_user is None


def test_sqlite_ids_are_never_reused(session, backend):
    first = _user(session, "first")
    first_id = first.id
    session.delete(first)
    session.commit()
    assert _user(session, "second").id > first_id


# -- secrets ---------------------------------------------------------------------


def test_first_init_takes_the_password_from_the_environment(
    empty_database_settings, monkeypatch, capsys
):
    monkeypatch.setenv("STALKER_ADMIN_PASSWORD", "from-the-env-42")
    db.setup(empty_database_settings)
    db.init()
    admin = User.query.filter_by(login="admin").one()
    assert admin.check_password("from-the-env-42")
    assert not admin.check_password(TEST_ADMIN_PASSWORD)
    assert "from-the-env-42" not in capsys.readouterr().err


def test_first_init_generates_and_prints_a_password_once(
    empty_database_settings, monkeypatch, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("STALKER_ADMIN_PASSWORD", raising=False)
    stalker.defaults.admin_password = None
    db.setup(empty_database_settings)
    db.init()
    printed = capsys.readouterr().err
    generated = printed.split("with the password '")[1].split("'")[0]
    assert len(generated) >= 12
    admin = User.query.filter_by(login="admin").one()
    assert admin.check_password(generated)
    assert not admin.check_password("admin")
    assert generated not in caplog.text
    db.init()  # the second init creates nothing and prints nothing
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("bad", [b"bytes-secret-pw", 12345678, ["list-secret-pw"]])
def test_password_errors_never_contain_the_value(bad):
    with pytest.raises(TypeError) as info:
        make_user(password=bad)
    assert "secret" not in str(info.value)
    assert "12345678" not in str(info.value)
    assert "User.password" in str(info.value)


def test_engine_hides_parameters_unless_asked(empty_database_settings):
    engine = db.create_engine_from_settings(dict(empty_database_settings))
    assert engine.hide_parameters is True
    shown = db.create_engine_from_settings(
        {**empty_database_settings, "sqlalchemy.hide_parameters": False}
    )
    assert shown.hide_parameters is False
    engine.dispose()
    shown.dispose()


def test_no_log_line_or_error_contains_a_clear_text_password(
    session, caplog, local_storage
):
    caplog.set_level(logging.DEBUG)
    engine = session.get_bind()
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        user = make_user(login="loud", email="loud@x.com", password="clear-pw-9f3a")
        session.add(user)
        session.commit()
        _log_in(user)
        token = _file()["token"]
        # a failing INSERT: its error text must not show the parameters
        twin = make_user(login="loud", email="loud2@x.com", password="clear-pw-2b")
        twin_hash = twin.password
        session.add(twin)
        with pytest.raises(StatementError) as info:
            session.commit()
        session.rollback()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    secrets = ("clear-pw-9f3a", "clear-pw-2b", user.password, twin_hash, token)
    assert "hidden due to hide_parameters" in str(info.value)
    for secret in secrets:
        assert secret not in text
        assert secret not in str(info.value)
    assert engine is not None


def test_an_engine_made_elsewhere_is_left_alone():
    engine = create_engine("sqlite://")
    assert engine.hide_parameters is False  # only ours default to hiding
    engine.dispose()
    DBSession.remove()
    assert os.environ.get("STALKER_ADMIN_PASSWORD") is None
