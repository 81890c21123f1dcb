"""Review (spec 07 §10), Task.review_set, Daily and DailyLink (§11)."""

from __future__ import annotations

import pytest

from stalker import Daily, DailyLink, Link, Review, Task
from stalker.db import delete_with_work_records
from stalker.exceptions import DeleteRefusedError, StatusError

from ..task_factories import TaskWorld, codes, dt, make_review_status_list


@pytest.fixture
def world(session):
    return TaskWorld(session)


def leaf_in_review(world, reviewers=2, timing=3, logged_hours=1, name="T"):
    """A leaf with ``logged_hours`` logged, then sent to review (PREV)."""
    leads = [world.user(f"lead{i}") for i in range(reviewers)]
    task = world.task(
        name, start=dt(2014, 3, 3, 9), schedule_timing=timing, responsible=leads
    )
    if logged_hours:
        task.create_time_log(
            world.user("artist"), dt(2014, 3, 3, 9), dt(2014, 3, 3, 9 + logged_hours)
        )
    world.set_status(task, "WIP")
    reviews = task.request_review()
    assert task.status.code == "PREV"
    return task, reviews


# --- attributes ----------------------------------------------------------------


def test_defaults(world):
    task = world.task("T")
    review = Review(task=task, reviewer=world.user())
    assert review.task is task and task.reviews == [review]
    assert review.reviewer is world.user()
    assert review.status.code == "NEW"
    assert review.review_number == 1
    assert review.description == ""
    assert review.name.startswith("Review_")
    assert review.schedule_model == "effort"


def test_works_without_a_database_given_a_status_list():
    world = TaskWorld()
    task = world.task("T")
    review = Review(
        task=task,
        reviewer=world.user(),
        description="notes",
        status_list=make_review_status_list(),
        schedule_timing=2,
        schedule_unit="d",
    )
    assert review.status.code == "NEW"
    assert review.description == "notes"
    assert review.schedule_seconds == 2 * 32400


@pytest.mark.parametrize("bad", [None, "task", 1])
def test_task_must_be_a_task(world, bad):
    with pytest.raises(TypeError, match=r"Review\.task"):
        Review(task=bad, reviewer=world.user())


def test_task_must_be_a_leaf(world):
    container = world.task("C")
    world.task("Child", parent=container)
    with pytest.raises(ValueError, match=r"Review\.task"):
        Review(task=container, reviewer=world.user())


@pytest.mark.parametrize("bad", [None, "user", 1])
def test_reviewer_must_be_a_user(world, bad):
    with pytest.raises(TypeError, match=r"Review\.reviewer"):
        Review(task=world.task("T"), reviewer=bad)


def test_reviewer_need_not_be_responsible(world):
    task = world.task("T", responsible=[world.user("lead")])
    stranger = world.user("stranger")
    assert Review(task=task, reviewer=stranger).reviewer is stranger


def test_review_number_follows_the_task(world):
    task, reviews = leaf_in_review(world, reviewers=1)
    reviews[0].approve()
    assert task.review_number == 1
    review = Review(task=task, reviewer=world.user())
    assert review.review_number == 2


def test_review_number_is_read_only(world):
    review = Review(task=world.task("T"), reviewer=world.user())
    with pytest.raises(AttributeError):
        review.review_number = 5
    assert review.review_number == 1


def test_review_set_and_is_finalized(world):
    task, reviews = leaf_in_review(world, reviewers=3)
    assert reviews[0].review_set == reviews
    assert not reviews[0].is_finalized()
    reviews[0].approve()
    reviews[1].request_revision()
    assert not reviews[2].is_finalized()
    assert task.status.code == "PREV"
    reviews[2].approve()
    assert all(review.is_finalized() for review in reviews)
    assert task.status.code == "HREV"


def test_request_revision_stores_the_request(world):
    _, reviews = leaf_in_review(world, reviewers=2)
    reviews[0].request_revision(
        schedule_timing=4, schedule_unit="d", description="redo the arm"
    )
    assert reviews[0].status.code == "RREV"
    assert (reviews[0].schedule_timing, reviews[0].schedule_unit) == (4, "d")
    assert reviews[0].description == "redo the arm"


def test_persisted_reviews(world, session):
    task, reviews = leaf_in_review(world)
    world.flush()
    session.commit()
    ids = [review.id for review in reviews]
    task_id = task.id
    session.expunge_all()
    loaded = [session.get(Review, review_id) for review_id in ids]
    assert {review.status.code for review in loaded} == {"NEW"}
    assert loaded[0].task.id == task_id
    assert loaded[0].review_set == loaded


# --- numbering ---------------------------------------------------------------


def test_numbering_example(world):
    task, reviews = leaf_in_review(world, reviewers=2)
    assert [review.review_number for review in reviews] == [1, 1]
    for review in reviews:
        review.approve()
    assert task.status.code == "CMPL"
    assert task.review_number == 1
    revision = task.request_revision(reviewer=world.user("lead0"))
    assert revision.review_number == 2
    assert task.review_number == 2
    world.set_status(task, "WIP")
    third = task.request_review()
    assert [review.review_number for review in third] == [3, 3]


# --- finalize_review_set -------------------------------------------------------


@pytest.mark.parametrize(
    ("timing", "expected"), [(3, (8, "h")), (8, (8, "h")), (100, (100, "h"))]
)
def test_revision_extends_but_never_shrinks(world, timing, expected):
    task, reviews = leaf_in_review(world, reviewers=2, timing=timing)
    reviews[0].request_revision(schedule_timing=2, schedule_unit="h")
    reviews[1].request_revision(schedule_timing=5, schedule_unit="h")
    assert task.status.code == "HREV"
    assert (task.schedule_timing, task.schedule_unit) == expected
    assert task.review_number == 1


def test_approval_clamps_to_the_logged_time(world):
    task, reviews = leaf_in_review(world, reviewers=1, timing=2)
    reviews[0].approve()
    assert task.status.code == "CMPL"
    assert (task.schedule_timing, task.schedule_unit) == (1, "h")
    assert task.end == dt(2014, 3, 3, 10)


def test_nothing_happens_until_every_review_is_in(world):
    task, reviews = leaf_in_review(world, reviewers=2)
    reviews[0].approve()
    assert task.status.code == "PREV"
    assert task.review_number == 0
    assert (task.schedule_timing, task.schedule_unit) == (3, "h")


def test_finalisation_updates_parents(world):
    parent = world.task("P")
    task = world.task(
        "T", parent=parent, responsible=[world.user("lead")], start=dt(2014, 3, 3, 9)
    )
    task.create_time_log(world.user("artist"), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    reviews = task.request_review()
    assert parent.status.code == "WIP"
    reviews[0].approve()
    assert parent.status.code == "CMPL"


def test_revision_chain_reopens_dependents(world):
    u = world.user("sup")
    t5 = world.task("T5")
    t6 = world.task("T6", depends_on=[t5])
    t3 = world.task("T3", depends_on=[t6])
    t8 = world.task("T8", depends_on=[t3])
    t9 = world.task("T9", depends_on=[t8])
    chain = [t5, t6, t3, t8, t9]
    for task in chain:
        world.set_status(task, "CMPL")
    t6.request_revision(reviewer=u)
    assert codes(*chain) == ["CMPL", "HREV", "DREV", "DREV", "DREV"]

    def target(task):
        return task.task_depends_on[0].dependency_target

    assert [target(t) for t in (t6, t3, t8, t9)] == [
        "onend",
        "onstart",
        "onstart",
        "onstart",
    ]


def test_revision_and_reapproval_of_a_dependency(world):
    a = world.task(
        "A",
        start=dt(2014, 3, 3, 9),
        schedule_timing=1,
        responsible=[world.user("lead")],
    )
    b = world.task("B", depends_on=[a], start=dt(2014, 3, 3, 10), schedule_timing=1)
    c = world.task("C", depends_on=[a])
    world.set_status(b, "RTS")
    b.create_time_log(world.user("artist"), dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    assert b.remaining_seconds == 0
    world.set_status(a, "CMPL")
    world.set_status(c, "RTS")
    a.request_revision(reviewer=world.user("lead"))
    assert codes(a, b, c) == ["HREV", "DREV", "WFD"]
    world.set_status(a, "WIP")
    reviews = a.request_review()
    reviews[0].approve()
    assert codes(a, b, c) == ["CMPL", "HREV", "RTS"]
    assert (b.schedule_timing, b.schedule_unit) == (2, "h")


# --- Task.review_set -----------------------------------------------------------


def test_task_review_set(world):
    task, reviews = leaf_in_review(world, reviewers=2)
    assert task.review_set() == reviews
    assert task.review_set(1) == reviews
    assert task.review_set(2) == []
    for review in reviews:
        review.approve()
    assert task.review_set() == reviews
    revision = task.request_revision(reviewer=world.user("lead0"))
    assert task.review_set() == [revision]
    assert task.review_set(1) == reviews


def test_task_review_set_errors(world):
    task = world.task("T")
    with pytest.raises(TypeError, match=r"review_number"):
        task.review_set("1")
    with pytest.raises(ValueError, match=r"review_number"):
        task.review_set(0)


def test_request_review_needs_wip(world):
    task = world.task("T", responsible=[world.user()])
    with pytest.raises(StatusError):
        task.request_review()
    assert task.reviews == []


# --- Daily / DailyLink (§11) -------------------------------------------------


def test_daily_defaults(world):
    daily = Daily(name="Dailies 1", project=world.project)
    assert daily.links == [] and daily.link_relations == []
    assert daily.status.code in ("OPEN", "CLS")
    assert daily.status_list.target_entity_type == "Daily"
    assert Daily.__tablename__ == "Dailies"
    assert Daily.__mapper_args__["polymorphic_identity"] == "Daily"


def test_daily_name_is_required(world):
    with pytest.raises(TypeError, match=r"Daily\.name"):
        Daily(project=world.project)


@pytest.mark.parametrize("bad", [None, "project"])
def test_daily_project_is_required(world, bad):
    with pytest.raises(TypeError, match=r"Daily\.project"):
        Daily(name="D", project=bad)


def test_daily_links_create_daily_links(world):
    l1, l2 = Link(full_path="/a.mov"), Link(full_path="/b.mov")
    daily = Daily(name="D", project=world.project, links=[l1, l2])
    assert daily.links == [l1, l2]
    assert [relation.link for relation in daily.link_relations] == [l1, l2]
    assert all(isinstance(r, DailyLink) for r in daily.link_relations)
    assert all(relation.daily is daily for relation in daily.link_relations)
    assert [relation.rank for relation in daily.link_relations] == [0, 0]


def test_daily_links_errors(world):
    with pytest.raises(TypeError, match=r"Daily\.links"):
        Daily(name="D", project=world.project, links="link")
    daily = Daily(name="D", project=world.project)
    with pytest.raises(TypeError):
        daily.links.append("link")


def test_daily_versions_and_tasks_are_read_only(world):
    daily = Daily(name="D", project=world.project)
    with pytest.raises(AttributeError):
        daily.versions = []
    with pytest.raises(AttributeError):
        daily.tasks = []


def test_daily_link_relations_persist_and_cascade(world, session):
    link = Link(full_path="/a.mov")
    daily = Daily(name="D", project=world.project, links=[link])
    daily.link_relations[0].rank = 3
    session.add(daily)
    session.commit()
    daily_id = daily.id
    session.expunge_all()
    loaded = session.get(Daily, daily_id)
    assert loaded.link_relations[0].rank == 3
    assert loaded.links[0].full_path == "/a.mov"
    loaded.link_relations.pop()
    session.commit()
    assert session.query(DailyLink).count() == 0
    assert session.query(Link).filter_by(full_path="/a.mov").count() == 1


def test_daily_link(world):
    link = Link(full_path="/a.mov")
    daily = Daily(name="D", project=world.project)
    relation = DailyLink(daily=daily, link=link, rank=2)
    assert relation.daily is daily and relation.link is link and relation.rank == 2
    assert daily.link_relations == [relation]
    blank = DailyLink()
    assert (blank.daily, blank.link, blank.rank) == (None, None, 0)
    assert DailyLink.__tablename__ == "Daily_Links"


@pytest.mark.parametrize(("attr", "bad"), [("daily", "daily"), ("link", 1)])
def test_daily_link_type_errors(attr, bad):
    with pytest.raises(TypeError, match=rf"DailyLink\.{attr}"):
        DailyLink(**{attr: bad})


def test_task_reviews_cascade(world, session):
    task, reviews = leaf_in_review(world)
    world.flush()
    session.commit()
    review_ids = [review.id for review in reviews]
    session.delete(task)
    with pytest.raises(DeleteRefusedError, match=r"1 time log and 2 reviews"):
        session.commit()
    session.rollback()
    assert all(session.get(Review, review_id) for review_id in review_ids)
    delete_with_work_records(task)
    session.commit()
    assert all(session.get(Review, review_id) is None for review_id in review_ids)
    assert session.query(Task).filter_by(name="T").count() == 0
