"""Good, PriceList (spec 08 §10, §11), Client.goods (04) and Task.good (07 §6)."""

from __future__ import annotations

import pytest

from stalker import Client, Good, PriceList, Task
from stalker.db.session import session_of
from stalker.models.budget import PriceList_Goods
from tests.task_factories import TaskWorld

# --- Good -----------------------------------------------------------------------


def test_good_defaults():
    good = Good(name="Animation")
    assert (good.cost, good.msrp, good.unit) == (0.0, 0.0, "")
    assert good.client is None
    assert good.price_lists == []
    assert good.plural_class_name == "Goods"
    assert good.entity_type == "Good"


def test_good_name_is_required():
    with pytest.raises(TypeError, match=r"Good\.name should be a str, not NoneType"):
        Good()
    with pytest.raises(ValueError, match=r"Good\.name should be a non-empty str"):
        Good(name="")


def test_good_constructor_arguments():
    client = Client(name="Big Client")
    good = Good(name="Modeling", cost=10, msrp=12.5, unit="h", client=client)
    assert (good.cost, good.msrp, good.unit) == (10, 12.5, "h")
    assert good.client is client
    assert client.goods == [good]


@pytest.mark.parametrize("attr", ["cost", "msrp"])
def test_prices_are_kept_as_given(attr):
    good = Good(name="G", **{attr: 10})
    assert getattr(good, attr) == 10
    assert type(getattr(good, attr)) is int  # not cast
    setattr(good, attr, 2.5)
    assert getattr(good, attr) == 2.5
    setattr(good, attr, None)
    assert getattr(good, attr) == 0.0
    assert getattr(Good(name="G", **{attr: None}), attr) == 0.0


@pytest.mark.parametrize("attr", ["cost", "msrp"])
@pytest.mark.parametrize("wrong", ["10", [10], True])
def test_prices_must_be_numbers(attr, wrong):
    message = rf"Good\.{attr} should be an int or float, not {type(wrong).__name__}"
    with pytest.raises(TypeError, match=message):
        Good(name="G", **{attr: wrong})
    good = Good(name="G", **{attr: 1})
    with pytest.raises(TypeError, match=message):
        setattr(good, attr, wrong)
    assert getattr(good, attr) == 1


@pytest.mark.parametrize("attr", ["cost", "msrp"])
def test_prices_may_not_be_negative(attr):
    message = rf"Good\.{attr} should be a number >= 0, not int: -1"
    with pytest.raises(ValueError, match=message):
        Good(name="G", **{attr: -1})
    good = Good(name="G")
    with pytest.raises(ValueError, match=message):
        setattr(good, attr, -1)
    setattr(good, attr, 0)
    assert getattr(good, attr) == 0


def test_good_client_is_type_checked():
    with pytest.raises(TypeError, match=r"Good\.client should be a Client instance or"):
        Good(name="G", client="Big Client")
    good = Good(name="G", client=Client(name="C"))
    good.client = None
    assert good.client is None


def test_good_equality():
    assert Good(name="G") == Good(name="G", cost=5)
    assert Good(name="G") != Good(name="H")
    assert Good(name="G") != PriceList(name="G")
    assert Good(name="G") != Client(name="G")


# --- Client.goods -----------------------------------------------------------------


def test_client_goods_mirror_good_client():
    client = Client(name="Big Client")
    assert client.goods == []
    good = Good(name="G")
    client.goods.append(good)
    assert good.client is client
    other = Client(name="Other", goods=[good])
    assert good.client is other
    assert client.goods == []
    assert other.goods == [good]


def test_client_goods_are_type_checked():
    with pytest.raises(TypeError, match=r"Client\.goods should be a Good instance"):
        Client(name="C", goods=["G"])
    client = Client(name="C")
    with pytest.raises(TypeError, match=r"Client\.goods should be a Good instance"):
        client.goods.append(PriceList(name="P"))
    with pytest.raises(
        TypeError, match=r"Client\.goods should be a list, not NoneType"
    ):
        client.goods = None
    with pytest.raises(TypeError, match=r"Client\.goods should be a list, not Good"):
        client.goods = Good(name="G")


def test_removed_good_stays_in_the_database(session):
    client = Client(name="Big Client", goods=[Good(name="G1"), Good(name="G2")])
    session.add(client)
    session.commit()
    g1 = client.goods[0]
    client.goods.remove(g1)
    session.commit()
    session.expire_all()
    assert Good.query.filter_by(name="G1").one().client is None
    assert [g.name for g in Client.query.one().goods] == ["G2"]


def test_deleting_a_client_deletes_its_goods(session):
    client = Client(name="Big Client", goods=[Good(name="G1"), Good(name="G2")])
    session.add_all([client, Good(name="Free")])
    session.commit()
    session.delete(client)
    session.commit()
    assert [g.name for g in Good.query.all()] == ["Free"]


def test_good_joins_the_session_of_its_client(session):
    client = Client(name="Big Client")
    session.add(client)
    session.commit()
    good = Good(name="G", client=client)
    assert session_of(good) is session()
    session.commit()
    session.expire_all()
    assert [g.name for g in Client.query.one().goods] == ["G"]


# --- PriceList ----------------------------------------------------------------------


def test_price_list_defaults_and_name():
    price_list = PriceList(name="Commercials")
    assert price_list.goods == []
    assert PriceList(name="P", goods=None).goods == []
    with pytest.raises(TypeError, match=r"PriceList\.name should be a str"):
        PriceList()


def test_price_list_goods_mirror_good_price_lists():
    g1, g2 = Good(name="G1"), Good(name="G2")
    price_list = PriceList(name="P", goods=[g1])
    assert g1.price_lists == [price_list]
    price_list.goods.append(g2)
    price_list.goods.append(g2)  # set-like
    assert price_list.goods == [g1, g2]
    other = PriceList(name="Other")
    g1.price_lists.append(other)
    g1.price_lists.append(other)
    assert g1.price_lists == [price_list, other]
    assert other.goods == [g1]


def test_price_list_goods_are_type_checked():
    with pytest.raises(TypeError, match=r"PriceList\.goods should be a Good instance"):
        PriceList(name="P", goods=["G"])
    price_list = PriceList(name="P")
    with pytest.raises(TypeError, match=r"PriceList\.goods should be a Good instance"):
        price_list.goods.append(1)
    with pytest.raises(TypeError, match=r"PriceList\.goods should be a list, not None"):
        price_list.goods = None
    with pytest.raises(TypeError, match=r"PriceList\.goods should be a list, not Good"):
        price_list.goods = Good(name="G")
    good = Good(name="G")
    with pytest.raises(TypeError, match=r"Good\.price_lists should be a PriceList"):
        good.price_lists.append(Good(name="H"))


def test_price_list_round_trip_and_deletes(session):
    g1, g2 = Good(name="G1", cost=1), Good(name="G2", cost=2)
    commercials = PriceList(name="Commercials", goods=[g1, g2])
    features = PriceList(name="Features", goods=[g2])
    session.add_all([commercials, features])
    session.commit()
    session.expunge_all()
    loaded = PriceList.query.filter_by(name="Commercials").one()
    assert [g.name for g in loaded.goods] == ["G1", "G2"]
    g2 = Good.query.filter_by(name="G2").one()
    assert [p.name for p in g2.price_lists] == ["Commercials", "Features"]
    session.delete(g2)
    session.commit()
    assert [g.name for g in loaded.goods] == ["G1"]
    session.delete(loaded)
    session.commit()
    assert [g.name for g in Good.query.all()] == ["G1"]
    assert session.execute(PriceList_Goods.select()).all() == []


def test_price_list_joins_the_session_of_its_goods(session):
    good = Good(name="G")
    session.add(good)
    session.commit()
    price_list = PriceList(name="P", goods=[good])
    assert session_of(price_list) is session()


# --- Task.good ------------------------------------------------------------------------


def test_task_good_defaults_to_none():
    assert TaskWorld().task("T").good is None


def test_task_good_in_constructor_and_later():
    world = TaskWorld()
    good = Good(name="Animation")
    task = world.task("T", good=good)
    assert task.good is good
    task.good = None
    assert task.good is None
    task.good = good
    assert task.good is good


def test_task_good_is_type_checked():
    world = TaskWorld()
    with pytest.raises(
        TypeError, match=r"Task\.good should be a Good instance or None"
    ):
        world.task("U", good="good")
    # the rejected task was not attached to its project
    assert world.project.tasks == []
    task = world.task("T")
    with pytest.raises(
        TypeError, match=r"Task\.good should be a Good instance or None"
    ):
        task.good = PriceList(name="P")
    assert task.good is None


def test_task_good_round_trip_and_good_deletion(session):
    world = TaskWorld(session)
    good = Good(name="Animation")
    task = world.task("T", good=good)
    world.flush()
    session.commit()
    task_id = task.id
    session.expunge_all()
    loaded = session.get(Task, task_id)
    assert loaded.good.name == "Animation"
    session.delete(loaded.good)
    session.commit()
    assert session.get(Task, task_id).good is None
    assert Good.query.count() == 0
