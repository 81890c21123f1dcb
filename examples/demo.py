"""The main job on an embedded SQLite file: set up a studio's first data.

Run with ``make demo``. It creates (or reuses) ``demo_studio/studio.db``,
initialises it, adds a department and its users, then reads everything back
from the database and prints it.
"""

from __future__ import annotations

import pathlib

from stalker import Department, Group, StatusList, Studio, User, db
from stalker.db.session import DBSession

DATABASE = pathlib.Path(__file__).resolve().parent.parent / "demo_studio" / "studio.db"


def get_or_create_user(name: str, login: str, email: str) -> User:
    """Reuse the user of an earlier run so the demo can run again."""
    user = User.query.filter_by(login=login).first()
    if user is None:
        user = User(name=name, login=login, email=email, password="change me")
    return user


def build_studio() -> None:
    admin = User.query.filter_by(login="admin").one()
    if Studio.query.first() is None:
        DBSession.add(Studio(name="My Great Studio", created_by=admin))
    tds = Department.query.filter_by(name="TDs").first() or Department(
        name="TDs", created_by=admin
    )
    me = get_or_create_user("Erkan Ozgur Yilmaz", "eoyilmaz", "eoyilmaz@gmail.com")
    lead = get_or_create_user("Lena Park", "lpark", "lena@studio.example")
    tds.users.append(me)
    me.departments.append(tds)  # the seed's double append stays one membership
    tds.users.append(lead)
    DBSession.save([tds, me, lead])


def report() -> None:
    print(f"database: {DATABASE}")
    studio = Studio.query.one()
    hours = studio.working_hours
    print(
        f"studio {studio.name}: {hours.weekly_working_hours:g} working hours a week, "
        f"timing resolution {studio.timing_resolution}"
    )
    for department in Department.query.order_by(Department.id):
        members = ", ".join(repr(user) for user in department.users)
        print(f"department {department.name}: {members}")
    for group in Group.query.order_by(Group.id):
        print(f"group {group.name}: {', '.join(u.login for u in group.users)}")
    for status_list in StatusList.query.order_by(StatusList.id):
        codes = " ".join(status.code for status in status_list.statuses)
        print(f"{status_list.name:<18} ({status_list.target_entity_type}): {codes}")


def main() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    db.setup({"sqlalchemy.url": f"sqlite:///{DATABASE}"})
    db.init()
    build_studio()
    report()


if __name__ == "__main__":
    main()
