"""Client and ClientUser (spec 04), including set-like membership (D2)."""

import pytest

from stalker import Client, ClientUser, Role, User

from ..factories import make_user


def test_name_is_required():
    with pytest.raises(TypeError, match=r"Client\.name"):
        Client(name=None)
    with pytest.raises(ValueError, match=r"Client\.name"):
        Client(name="")


def test_users_mirror_companies(session):
    user = make_user("clientuser")
    client = Client(name="Big Client", users=[user])
    assert client.users == [user]
    assert user.companies == [client]
    user.companies.append(client)
    client.users.append(user)
    assert len(client.user_role) == 1
    session.add(client)
    session.commit()
    session.expunge_all()
    stored = Client.query.filter_by(name="Big Client").one()
    assert [u.login for u in stored.users] == ["clientuser"]
    assert stored.users[0].companies == [stored]


def test_removing_a_user_removes_the_company(session):
    user = make_user("clientuser")
    client = Client(name="Big Client", users=[user])
    session.add(client)
    session.commit()
    client.users.remove(user)
    session.commit()
    assert user.companies == []
    assert ClientUser.query.count() == 0


def test_users_validation():
    # the whole list is checked before the old links go (issue 16 case 2)
    with pytest.raises(TypeError, match=r"Client\.users should be a list of User"):
        Client(name="C", users=["someone"])
    client = Client(name="C")
    with pytest.raises(TypeError, match=r"Client\.users"):
        client.users = None
    with pytest.raises(TypeError, match=r"ClientUser\.user"):
        client.users.append(Client(name="Other"))


def test_client_user_role(session):
    producer = Role(name="Producer")
    user = make_user("clientuser")
    client = Client(name="Studio X")
    membership = ClientUser(client=client, user=user, role=producer)
    assert client.users == [user]
    assert user.company_role == [membership]
    session.add(membership)
    session.commit()
    session.expunge_all()
    stored = ClientUser.query.one()
    assert (stored.client.name, stored.user.login, stored.role.name) == (
        "Studio X",
        "clientuser",
        "Producer",
    )


def test_client_user_validation():
    assert ClientUser().role is None
    with pytest.raises(TypeError, match=r"ClientUser\.client"):
        ClientUser(client="Studio X")
    with pytest.raises(TypeError, match=r"ClientUser\.user"):
        ClientUser(user=1)
    with pytest.raises(TypeError, match=r"ClientUser\.role"):
        ClientUser(role="Producer")


def test_to_tjp_is_an_empty_method():
    assert Client(name="C").to_tjp() == ""


def test_equality_and_hash():
    assert Client(name="C") == Client(name="C")
    assert Client(name="C") != Client(name="D")
    assert Client(name="C") != Role(name="C")
    assert hash(Client(name="C")) == hash(Client(name="C"))


def test_deleting_a_client_keeps_its_users(session):
    user = make_user("clientuser")
    client = Client(name="Gone", users=[user])
    session.add(client)
    session.commit()
    session.delete(client)
    session.commit()
    assert User.query.filter_by(login="clientuser").one().companies == []
