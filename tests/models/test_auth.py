"""User, Group, Permission, Role, AuthenticationLog and LocalSession (spec 04)."""

from __future__ import annotations

import base64
import datetime
import json
import logging
import os
import stat

import pytest
from sqlalchemy.exc import IntegrityError

import stalker
from stalker import (
    LOGIN,
    LOGOUT,
    AuthenticationLog,
    Client,
    Department,
    Group,
    LocalSession,
    Permission,
    Role,
    User,
    Vacation,
)
from stalker.models.auth import LocalSessionToken
from stalker.models.mixins.acl import create_secondary_table

UTC = datetime.timezone.utc


def make_user(**overrides):
    kwargs = {
        "name": "Test User",
        "login": "tuser",
        "email": "tuser@example.com",
        "password": "hunter2",
    }
    kwargs.update(overrides)
    return User(**kwargs)


# -- login -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "formatted"),
    [
        ("e. ozgur", "eozgur"),
        (" eRkan ozGur", "erkanozgur"),
        ("213 e.ozgur", "eozgur"),
        ("J.Doe_99", "jdoe99"),
        ("007agent", "agent"),
        ("x(y)Z-1", "xyz1"),
    ],
)
def test_login_is_formatted(raw, formatted):
    user = make_user(login=raw)
    assert user.login == formatted
    user.login = raw.upper()
    assert user.login == formatted


@pytest.mark.parametrize("bad", [None, 42, b"bytes"])
def test_login_must_be_a_str(bad):
    with pytest.raises(TypeError) as error:
        make_user(login=bad)
    assert "User.login" in str(error.value)
    assert type(bad).__name__ in str(error.value)


def test_login_empty_after_formatting_is_a_value_error():
    with pytest.raises(ValueError, match=r"User\.login"):
        make_user(login="----++==#@#$")
    user = make_user()
    with pytest.raises(ValueError, match=r"User\.login"):
        user.login = "123"
    assert user.login == "tuser"


# -- name, email ---------------------------------------------------------------


def test_name_is_required():
    with pytest.raises(TypeError, match=r"User\.name"):
        make_user(name=None)
    with pytest.raises(ValueError, match=r"User\.name"):
        make_user(name="")


def test_email_is_stored_unchanged():
    user = make_user(email="Some.One+tag@Example.COM")
    assert user.email == "Some.One+tag@Example.COM"


@pytest.mark.parametrize("bad", [None, 1, ["a@b"]])
def test_email_must_be_a_str(bad):
    with pytest.raises(TypeError, match=r"User\.email"):
        make_user(email=bad)


@pytest.mark.parametrize("bad", ["no-at-sign", "two@@example.com", "a@b@c", "@x", "x@"])
def test_malformed_email_is_a_value_error(bad):
    with pytest.raises(ValueError) as error:
        make_user(email=bad)
    assert "User.email" in str(error.value)
    assert repr(bad) in str(error.value)
    user = make_user()
    with pytest.raises(ValueError):
        user.email = bad
    assert user.email == "tuser@example.com"


def test_duplicate_email_fails_on_flush(session):
    session.add(make_user())
    session.add(make_user(login="other"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_duplicate_login_fails_on_flush(session):
    session.add(make_user())
    session.add(make_user(email="other@example.com"))
    with pytest.raises(IntegrityError):
        session.flush()


# -- password (D9) ---------------------------------------------------------------


def test_password_is_never_stored_reversibly():
    user = make_user(password="hunter2")
    assert user.password != "hunter2"
    assert "hunter2" not in user.password
    assert user.password != base64.b64encode(b"hunter2").decode()
    assert user.password.startswith("$argon2id$")
    assert user.check_password("hunter2") is True
    assert user.check_password("hunter3") is False


def test_same_password_gives_different_stored_values():
    first = make_user(password="same")
    second = make_user(login="other", email="o@example.com", password="same")
    assert first.password != second.password
    first_again = first.password
    first.password = "same"
    assert first.password != first_again


def test_password_rules():
    with pytest.raises(TypeError, match=r"User\.password"):
        make_user(password=None)
    with pytest.raises(TypeError, match=r"User\.password"):
        make_user(password=1234)
    with pytest.raises(ValueError, match=r"User\.password"):
        make_user(password="")


def test_check_password_refuses_non_str():
    user = make_user()
    assert user.check_password(None) is False
    assert user.check_password(b"hunter2") is False


def test_password_survives_the_database(session):
    session.add(make_user(password="p4ss"))
    session.commit()
    session.expunge_all()
    user = User.query.filter_by(login="tuser").one()
    assert user.check_password("p4ss")
    assert not user.check_password("p4sS")


def test_legacy_base64_password_is_accepted_once_and_upgraded(session):
    user = make_user()
    session.add(user)
    session.commit()
    legacy = base64.b64encode(b"old secret").decode()
    user._password = legacy
    session.commit()
    assert user.check_password("wrong") is False
    assert user.password == legacy  # a failed check changes nothing
    assert user.check_password("old secret") is True
    assert user.password != legacy
    assert user.password.startswith("$argon2id$")
    session.commit()
    session.expunge_all()
    stored = User.query.filter_by(login="tuser").one()
    assert stored.password.startswith("$argon2id$")
    assert stored.check_password("old secret")
    # the legacy form is no longer a way in
    stored._password = stored.password
    assert not stored.check_password(legacy)


def test_nothing_logs_a_password_or_its_hash(caplog, session):
    caplog.set_level(logging.DEBUG)
    user = make_user(password="very-secret-pw")
    session.add(user)
    session.commit()
    assert user.check_password("very-secret-pw")
    user.password = "another-secret-pw"
    session.commit()
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "very-secret-pw" not in text
    assert "another-secret-pw" not in text
    assert user.password not in text


def test_repr_and_str_do_not_show_the_password():
    user = make_user(password="visible?")
    assert "visible?" not in repr(user)
    assert user.password not in repr(user)
    assert repr(user) == "<Test User ('tuser') (User)>"


# -- numbers ---------------------------------------------------------------------


def test_efficiency_and_rate_defaults():
    user = make_user()
    assert user.efficiency == 1.0
    assert user.rate == 0.0
    user.efficiency = None
    user.rate = None
    assert (user.efficiency, user.rate) == (1.0, 0.0)
    user.efficiency = 0
    user.rate = 1500
    assert (user.efficiency, user.rate) == (0.0, 1500.0)
    assert make_user(efficiency=3.5).efficiency == 3.5


@pytest.mark.parametrize("attr", ["efficiency", "rate"])
def test_efficiency_and_rate_validation(attr):
    user = make_user()
    with pytest.raises(TypeError) as error:
        setattr(user, attr, "fast")
    assert f"User.{attr}" in str(error.value)
    assert "str: 'fast'" in str(error.value)
    with pytest.raises(ValueError, match=rf"User\.{attr}"):
        setattr(user, attr, -0.5)


# -- memberships -------------------------------------------------------------------


def test_departments_are_validated():
    with pytest.raises(TypeError, match="Department"):
        make_user(departments=["TDs"])
    user = make_user()
    with pytest.raises(TypeError, match=r"User\.departments"):
        user.departments = None


def test_groups_are_set_like_from_both_sides(session):
    group = Group(name="Artists")
    user = make_user(groups=[group])
    group.users.append(user)
    user.groups.append(group)
    assert user.groups == [group]
    assert group.users == [user]
    session.add(user)
    session.commit()
    session.expunge_all()
    stored = Group.query.filter_by(name="Artists").one()
    assert [u.login for u in stored.users] == ["tuser"]


def test_groups_validation():
    with pytest.raises(TypeError, match=r"User\.groups"):
        make_user(groups=[1])
    group = Group(name="G")
    with pytest.raises(TypeError, match=r"Group\.users"):
        group.users.append("user")
    with pytest.raises(TypeError, match=r"Group\.users"):
        group.users = 5


def test_companies_mirror_client_users(session):
    client = Client(name="Big Client")
    user = make_user(companies=[client])
    assert client.users == [user]
    user.companies.append(client)
    client.users.append(user)
    assert user.companies == [client]
    session.add(user)
    session.commit()
    with pytest.raises(TypeError, match="Client"):
        user.companies.append("not a client")
    with pytest.raises(TypeError, match=r"User\.companies"):
        user.companies = None


def test_vacations_and_authentication_logs(session):
    user = make_user()
    vacation = Vacation(user=user)
    log = AuthenticationLog(user=user, action=LOGIN)
    assert user.vacations == [vacation]
    assert user.authentication_logs == [log]
    with pytest.raises(TypeError, match=r"User\.vacations"):
        user.vacations.append("holiday")
    with pytest.raises(TypeError, match=r"User\.vacations"):
        user.vacations = None
    with pytest.raises(TypeError, match=r"User\.authentication_logs"):
        user.authentication_logs.append(1)


def test_deleting_a_user_cascades(session):
    department = Department(name="Cascade Dept")
    client = Client(name="Cascade Client")
    user = make_user(departments=[department], companies=[client])
    Vacation(user=user)
    AuthenticationLog(user=user)
    session.add_all([user, department, client])
    session.commit()
    session.delete(user)
    session.commit()
    assert Vacation.query.filter(Vacation.user_id.isnot(None)).count() == 0
    assert AuthenticationLog.query.count() == 0
    assert department.users == []
    assert client.users == []
    assert Department.query.filter_by(name="Cascade Dept").count() == 1


def test_an_unsaved_user_has_no_tickets_and_they_are_read_only():
    user = make_user()
    assert user.tickets == []
    assert user.open_tickets == []
    with pytest.raises(AttributeError):
        user.tickets = []


def test_last_login_is_not_persisted(session):
    user = make_user()
    assert user.last_login is None
    user.last_login = datetime.datetime.now(UTC)
    user.last_login = None
    session.add(user)
    session.commit()
    session.expunge_all()
    assert User.query.filter_by(login="tuser").one().last_login is None


def test_equality_and_hash():
    first = make_user()
    second = make_user()
    assert first == second
    assert hash(first) == hash(second)
    assert first != make_user(email="x@example.com")
    assert first != make_user(login="other")
    assert first != make_user(name="Other Name")
    assert first != Group(name="Test User")
    assert len({first, first}) == 1


def test_tjp_id(session):
    user = make_user()
    session.add(user)
    session.flush()
    assert user.tjp_id == f"User_{user.id}"


# -- ACL -------------------------------------------------------------------------


def test_acl_of_user_and_group(session):
    create = Permission("Allow", "Create", "Project")
    delete = Permission("Deny", "Delete", "Project")
    user = make_user(permissions=[create, delete])
    assert user.__acl__ == [
        ("Allow", "User:Test User", "Create_Project"),
        ("Deny", "User:Test User", "Delete_Project"),
    ]
    group = Group(name="Leads", permissions=[delete])
    assert group.__acl__ == [("Deny", "Group:Leads", "Delete_Project")]
    assert Group(name="Empty").__acl__ == []
    with pytest.raises(AttributeError):
        group.__acl__ = []


def test_permissions_validation():
    with pytest.raises(TypeError, match=r"User\.permissions"):
        make_user(permissions=["Allow"])
    group = Group(name="G")
    with pytest.raises(TypeError, match=r"Group\.permissions"):
        group.permissions = None
    with pytest.raises(TypeError, match=r"Group\.permissions"):
        group.permissions.append(("Allow", "Create", "Task"))


def test_permissions_are_stored(session):
    permission = Permission.query.filter_by(
        _access="Allow", _action="Create", _class_name="User"
    ).first()
    assert permission is not None  # db.init() registered User
    group = Group(name="Stored", permissions=[permission, permission])
    session.add(group)
    session.commit()
    session.expunge_all()
    stored = Group.query.filter_by(name="Stored").one()
    assert stored.__acl__ == [("Allow", "Group:Stored", "Create_User")]


def test_create_secondary_table():
    table = create_secondary_table("User", "Permission", "Users", "Permissions")
    assert table.name == "User_Permissions"
    assert [c.name for c in table.primary_key.columns] == ["user_id", "permission_id"]
    assert create_secondary_table("User", "Permission", "Users", "Permissions") is table
    named = create_secondary_table(
        "Group", "Permission", "Groups", "Permissions", "Group_Permissions"
    )
    fks = {fk.target_fullname for fk in named.foreign_keys}
    assert fks == {"Groups.id", "Permissions.id"}


# -- Group, Role, Permission -------------------------------------------------------


def test_group_name_required():
    with pytest.raises(ValueError, match=r"Group\.name"):
        Group()
    with pytest.raises(TypeError, match=r"Group\.name"):
        Group(name=None)


def test_group_equality_and_hash():
    assert Group(name="A") == Group(name="A")
    assert Group(name="A") != Group(name="B")
    assert hash(Group(name="A")) == hash(Group(name="A"))


def test_role(session):
    role = Role(name="Lead")
    session.add(role)
    session.commit()
    assert Role.query.filter_by(name="Lead").one() is role
    with pytest.raises(ValueError, match=r"Role\.name"):
        Role(name="")


def test_permission_rules():
    permission = Permission("Allow", "Create", "Project")
    assert (permission.access, permission.action, permission.class_name) == (
        "Allow",
        "Create",
        "Project",
    )
    with pytest.raises(AttributeError):
        permission.access = "Deny"
    with pytest.raises(TypeError, match=r"Permission\.access"):
        Permission(1, "Create", "Project")
    with pytest.raises(ValueError, match=r"Permission\.access"):
        Permission("Maybe", "Create", "Project")
    with pytest.raises(TypeError, match=r"Permission\.action"):
        Permission("Allow", None, "Project")
    with pytest.raises(ValueError, match=r"Permission\.action"):
        Permission("Allow", "Fly", "Project")
    with pytest.raises(TypeError, match=r"Permission\.class_name"):
        Permission("Allow", "Create", 3)
    with pytest.raises(TypeError):
        Permission("Allow", "Create")  # type: ignore[call-arg]


def test_permission_equality_and_hash():
    first = Permission("Allow", "Create", "Project")
    assert first == Permission("Allow", "Create", "Project")
    assert first != Permission("Deny", "Create", "Project")
    assert hash(first) == hash("AllowCreateProject")


def test_duplicate_permission_fails(session):
    session.add(Permission("Allow", "Create", "Thing"))
    session.add(Permission("Allow", "Create", "Thing"))
    with pytest.raises(IntegrityError):
        session.flush()


# -- AuthenticationLog -------------------------------------------------------------


def test_authentication_log_defaults(session):
    user = make_user()
    before = datetime.datetime.now(UTC)
    log = AuthenticationLog(user=user, action=None)
    assert log.action == LOGIN == "login"
    assert before <= log.date <= datetime.datetime.now(UTC)
    assert log.name.startswith("AuthenticationLog_")
    session.add(log)
    session.commit()
    session.expunge_all()
    stored = AuthenticationLog.query.one()
    assert stored.user.login == "tuser"
    assert stored.action == "login"


def test_authentication_log_validation():
    user = make_user()
    with pytest.raises(TypeError, match=r"AuthenticationLog\.user"):
        AuthenticationLog(user=None)
    with pytest.raises(TypeError, match=r"AuthenticationLog\.user"):
        AuthenticationLog(user="tuser")
    for bad in ("signin", 1, ["login"]):
        with pytest.raises(ValueError, match=r"AuthenticationLog\.action"):
            AuthenticationLog(user=user, action=bad)
    with pytest.raises(TypeError, match=r"AuthenticationLog\.date"):
        AuthenticationLog(user=user, date="2020-01-01")
    log = AuthenticationLog(user=user, action=LOGOUT)
    assert log.action == "logout"


def test_authentication_logs_sort_by_date():
    user = make_user()
    later = AuthenticationLog(user=user, date=datetime.datetime(2020, 2, 1, tzinfo=UTC))
    early = AuthenticationLog(user=user, date=datetime.datetime(2020, 1, 1, tzinfo=UTC))
    same_out = AuthenticationLog(
        user=user, action=LOGOUT, date=datetime.datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert sorted([later, same_out, early]) == [early, same_out, later]
    assert early < later


# -- LocalSession (issue 18: a token checked against the database) ----------------


@pytest.fixture
def local_storage(tmp_path):
    stalker.defaults.local_storage_path = str(tmp_path / "strc")
    return tmp_path / "strc"


@pytest.fixture
def stored_user(session):
    user = make_user()
    session.add(user)
    session.commit()
    return user


def _saved(user):
    local = LocalSession()
    local.store_user(user)
    local.save()
    return local


def test_local_session_path(local_storage):
    assert LocalSession.session_file_full_path() == os.path.normpath(
        str(local_storage / "local_session_data")
    )


def test_local_session_round_trip(local_storage, stored_user):
    local = LocalSession()
    assert local.logged_in_user is None
    local.store_user(stored_user)
    local.save()
    loaded = LocalSession()
    assert loaded.logged_in_user_id == stored_user.id
    assert loaded.logged_in_user is stored_user
    assert loaded.valid_to > datetime.datetime.now(UTC) + datetime.timedelta(days=9)
    with open(LocalSession.session_file_full_path()) as data_file:
        data = json.load(data_file)
    assert set(data) == {"valid_to", "logged_in_user_id", "database_id", "token"}
    assert data["logged_in_user_id"] == stored_user.id
    row = LocalSessionToken.query.one()
    assert row.user_id == stored_user.id
    assert data["token"] not in row.token_hash  # only the hash is stored
    assert len(row.token_hash) == 64


def test_local_session_file_is_private(local_storage, stored_user):
    _saved(stored_user)
    if os.name == "posix":
        path = LocalSession.session_file_full_path()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_each_save_is_a_new_token(local_storage, stored_user):
    local = _saved(stored_user)
    first = local.session_data["token"]
    local.save()
    assert local.session_data["token"] != first
    assert LocalSessionToken.query.count() == 1  # the previous one is revoked


def test_save_needs_a_stored_user(local_storage, session):
    with pytest.raises(ValueError, match="store_user"):
        LocalSession().save()


def _rewrite(change):
    path = LocalSession.session_file_full_path()
    with open(path) as data_file:
        data = json.load(data_file)
    change(data)
    with open(path, "w") as data_file:
        json.dump(data, data_file)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(
            token=d["token"][:-1] + ("A" if d["token"][-1] != "A" else "B")
        ),
        lambda d: d.update(database_id="0" * 32),
        lambda d: d.pop("token"),
        lambda d: d.update(token=None),
    ],
)
def test_tampered_local_session_is_refused(local_storage, stored_user, tamper):
    _saved(stored_user)
    assert LocalSession().logged_in_user is stored_user
    _rewrite(tamper)
    refused = LocalSession()
    assert refused.logged_in_user_id is None
    assert refused.valid_to is None
    assert refused.logged_in_user is None


def test_the_user_id_in_the_file_is_not_trusted(local_storage, stored_user, session):
    other = make_user(login="other", email="other@x.com")
    session.add(other)
    session.commit()
    _saved(stored_user)
    _rewrite(lambda d: d.update(logged_in_user_id=other.id))
    assert LocalSession().logged_in_user is stored_user


def test_unsigned_plain_upstream_file_is_refused(local_storage, stored_user):
    os.makedirs(local_storage, exist_ok=True)
    millis = LocalSession.datetime_to_millis(
        datetime.datetime.now(UTC) + datetime.timedelta(days=1)
    )
    with open(LocalSession.session_file_full_path(), "w") as data_file:
        json.dump({"valid_to": millis, "logged_in_user_id": stored_user.id}, data_file)
    assert LocalSession().logged_in_user is None


def test_expired_local_session_is_ignored(local_storage, stored_user, session):
    _saved(stored_user)
    row = LocalSessionToken.query.one()
    row.expires = datetime.datetime.now(UTC) - datetime.timedelta(seconds=1)
    session.commit()
    assert LocalSession().logged_in_user is None


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"valid_to": "x"}'])
def test_malformed_local_session_file_is_ignored(local_storage, content):
    os.makedirs(local_storage, exist_ok=True)
    with open(LocalSession.session_file_full_path(), "w") as data_file:
        data_file.write(content)
    local = LocalSession()
    assert local.logged_in_user_id is None
    assert local.session_data is None


def test_local_session_delete(local_storage, stored_user):
    local = _saved(stored_user)
    local.delete()
    assert not os.path.exists(LocalSession.session_file_full_path())
    assert LocalSessionToken.query.count() == 0
    local.delete()  # missing file is fine
    assert LocalSession().logged_in_user is None


def test_store_user_ignores_falsy(local_storage):
    local = LocalSession()
    local.store_user(None)
    assert local.logged_in_user_id is None


def test_millis_conversions():
    moment = datetime.datetime(2013, 4, 15, 21, 0, 0, 123000, tzinfo=UTC)
    millis = LocalSession.datetime_to_millis(moment)
    assert millis == 1366059600123
    assert LocalSession.millis_to_datetime(millis) == moment
    assert LocalSession.millis_to_datetime(millis).tzinfo is not None
    assert LocalSession.default_json_serializer(moment) == millis
    assert LocalSession.default_json_serializer(7) == 7
