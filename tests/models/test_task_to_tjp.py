"""Task.to_tjp (spec 07 §6.9): the normative TaskJuggler layout, byte-exact."""

from __future__ import annotations

import pytest

from stalker import Task

from ..task_factories import TaskWorld, dt


@pytest.fixture
def world(session):
    return TaskWorld(session)


def build_worked_example(world):
    """R contains A (effort 2d, START) and B (length 3d, onstart gap 2d)."""
    u40, u41, u42 = world.user("u40"), world.user("u41"), world.user("u42")
    root = world.task("R")
    a = world.task(
        "A",
        parent=root,
        start=dt(2014, 3, 3, 9),
        schedule_timing=2,
        schedule_unit="d",
        schedule_constraint=1,
        resources=[u40],
    )
    world.flush()  # ids in creation order: users before the resource list order
    b = world.task(
        "B",
        parent=root,
        schedule_model="length",
        schedule_timing=3,
        schedule_unit="d",
        resources=[u41, u40],
        alternative_resources=[u42],
        allocation_strategy="order",
        persistent_allocation=True,
        priority=700,
        depends_on=[a],
    )
    dependency = b.task_depends_on[0]
    dependency.dependency_target = "onstart"
    dependency.gap_timing = 2
    dependency.gap_unit = "d"
    dependency.gap_model = "length"
    a.create_time_log(u40, dt(2014, 3, 3, 9), dt(2014, 3, 3, 12))
    world.flush()
    return root, a, b, (u40, u41, u42)


def test_worked_example(world):
    root, a, b, users = build_worked_example(world)
    p = world.project.id
    low, high = sorted(users[:2], key=lambda user: user.id)
    alt = users[2].id
    expected = (
        f'task Task_{root.id} "Task_{root.id}" {{\n'
        f'    task Task_{a.id} "Task_{a.id}" {{\n'
        f"        start 2014-03-03-09:00\n"
        f"        effort 2d\n"
        f"        allocate User_{users[0].id}\n"
        f"        booking User_{users[0].id} 2014-03-03-09:00:00 - "
        f"2014-03-03-12:00:00 {{ overtime 2 }}\n"
        f"    }}\n"
        f'    task Task_{b.id} "Task_{b.id}" {{\n'
        f"        priority 700\n"
        f"        depends Project_{p}.Task_{root.id}.Task_{a.id} "
        f"{{onstart gaplength 2d}}\n"
        f"        length 3d\n"
        f"        allocate User_{low.id} {{\n"
        f"            alternative\n"
        f"            User_{alt} select order\n"
        f"            persistent\n"
        f"        }}, User_{high.id} {{\n"
        f"            alternative\n"
        f"            User_{alt} select order\n"
        f"            persistent\n"
        f"        }}\n"
        f"    }}\n"
        f"}}"
    )
    assert root.to_tjp == expected


def test_empty_leaf(world):
    task = world.task("Lonely")
    world.flush()
    assert task.to_tjp == f'task Task_{task.id} "Task_{task.id}" {{}}'


def test_empty_nested_leaf_is_indented(world):
    root = world.task("R")
    mid = world.task("M", parent=root)
    leaf = world.task("L", parent=mid)
    world.flush()
    assert leaf.to_tjp == f'        task Task_{leaf.id} "Task_{leaf.id}" {{}}'
    assert mid.to_tjp == (
        f'    task Task_{mid.id} "Task_{mid.id}" {{\n'
        f'        task Task_{leaf.id} "Task_{leaf.id}" {{}}\n'
        f"    }}"
    )


def test_leaf_without_resources_emits_no_schedule(world):
    task = world.task("T", priority=10, schedule_timing=5)
    world.flush()
    assert task.to_tjp == (
        f'task Task_{task.id} "Task_{task.id}" {{\n    priority 10\n}}'
    )


@pytest.mark.parametrize(
    ("constraint", "lines"),
    [
        (0, []),
        (1, ["    start 2014-03-03-09:00"]),
        (2, ["    end 2014-03-03-14:00"]),
        (3, ["    start 2014-03-03-09:00", "    end 2014-03-03-14:00"]),
    ],
)
def test_constraints(world, constraint, lines):
    user = world.user()
    task = world.task(
        "T",
        start=dt(2014, 3, 3, 9),
        schedule_timing=5,
        schedule_constraint=constraint,
        resources=[user],
    )
    task.end = dt(2014, 3, 3, 14)  # an END constraint kept the end while
    task.start = dt(2014, 3, 3, 9)  # the timing was applied: pin both again
    world.flush()
    assert (task.start, task.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 14))
    expected = [f'task Task_{task.id} "Task_{task.id}" {{', *lines]
    expected += ["    effort 5h", f"    allocate User_{user.id}", "}"]
    assert task.to_tjp == "\n".join(expected)


def test_timing_uses_python_number_text(world):
    user = world.user()
    task = world.task("T", schedule_timing=1.5, schedule_unit="d", resources=[user])
    world.flush()
    assert "\n    effort 1.5d\n" in task.to_tjp
    task.schedule_timing = 10
    assert "\n    effort 10d\n" in task.to_tjp


def test_alternatives_without_persistence(world):
    u1, u2 = world.user("u1"), world.user("u2")
    task = world.task(
        "T",
        resources=[u1],
        alternative_resources=[u2],
        persistent_allocation=False,
    )
    world.flush()
    assert task.to_tjp == (
        f'task Task_{task.id} "Task_{task.id}" {{\n'
        f"    effort 1.0h\n"
        f"    allocate User_{u1.id} {{\n"
        f"        alternative\n"
        f"        User_{u2.id} select minallocated\n"
        f"    }}\n"
        f"}}"
    )


def test_no_bookings_without_resources(world):
    """09 §4.2 over 07 §6.9: tj3 refuses bookings on a task it cannot allocate (D6)."""
    user = world.user()
    task = world.task("T", start=dt(2014, 3, 3, 9), schedule_timing=5)
    task.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    task.create_time_log(user, dt(2014, 3, 4, 9), dt(2014, 3, 4, 11))
    world.flush()
    assert task.to_tjp == f'task Task_{task.id} "Task_{task.id}" {{}}'


def test_milestone_emits_no_keyword(world):
    task = world.task("M", is_milestone=True, resources=[world.user()])
    world.flush()
    assert task.to_tjp == f'task Task_{task.id} "Task_{task.id}" {{}}'


def test_several_dependencies_in_list_order(world):
    a, b = world.task("A"), world.task("B")
    c = world.task("C", depends_on=[b, a])
    world.flush()
    p = world.project.id
    assert task_line(c.to_tjp, 1) == (
        f"    depends Project_{p}.Task_{b.id} {{onend}}, "
        f"Project_{p}.Task_{a.id} {{onend}}"
    )


def task_line(text, index):
    return text.split("\n")[index]


def test_to_tjp_is_read_only(world):
    task = world.task("T")
    with pytest.raises(AttributeError):
        task.to_tjp = "x"
    assert isinstance(task, Task)
