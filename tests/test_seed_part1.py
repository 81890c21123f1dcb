"""Seed tutorial 001, Part I - Basics, run as written.

Only the argument of ``db.setup()`` is replaced with a fresh database of the
backend under test; the printed outputs the tutorial promises are asserted.
"""


def test_seed_part1_basics(empty_database_settings, capsys):
    from stalker import db

    db.setup(empty_database_settings)

    db.init()

    from stalker import Studio

    my_studio = Studio(name="My Great Studio")

    from stalker import User

    me = User(
        name="Erkan Ozgur Yilmaz",
        login="eoyilmaz",
        email="some_email_address@gmail.com",
        password="secret",
        description="This is me",
    )

    from stalker import Department

    tds_department = Department(name="TDs", description="This is the TDs department")

    tds_department.users.append(me)

    me.departments.append(tds_department)

    print(me.departments)
    # you should get something like
    # [<TDs (Department)>]
    assert capsys.readouterr().out == "[<TDs (Department)>]\n"

    from stalker.db.session import DBSession

    DBSession.add(my_studio)
    DBSession.add(me)
    DBSession.add(tds_department)
    DBSession.commit()

    all_departments = Department.query.all()
    print(all_departments)
    # This should print something like
    # [<admins (Department)>, <TDs (Department)>]
    # "admins" department is created by default
    assert capsys.readouterr().out == "[<admins (Department)>, <TDs (Department)>]\n"

    admins = all_departments[0]
    tds = all_departments[1]

    all_users = tds.users  # Department.users is a synonym for Department.members
    # they are essentially the same attribute
    print(all_users[0])
    # this should print
    # <Erkan Ozgur Yilmaz ('eoyilmaz') (User)>
    assert capsys.readouterr().out == "<Erkan Ozgur Yilmaz ('eoyilmaz') (User)>\n"

    assert admins.name == "admins"
    assert tds.members == tds.users == [me]
    assert me.check_password("secret")
    assert Studio.query.one().name == "My Great Studio"


def test_seed_000_part1_uses_db_dbsession(empty_database_settings):
    """Seed 000 reaches the session as ``db.DBSession``; it is the same object."""
    from stalker import Department, User, db
    from stalker.db.session import DBSession

    db.setup(empty_database_settings)
    db.init()
    me = User(
        name="Erkan Ozgur Yilmaz",
        login="eoyilmaz",
        email="some_email_address@gmail.com",
        password="secret",
    )
    tds_department = Department(name="TDs")
    tds_department.members.append(me)
    me.departments.append(tds_department)
    db.DBSession.add(me)
    db.DBSession.add(tds_department)
    db.DBSession.commit()
    assert db.DBSession is DBSession
    assert [d.name for d in Department.query.all()] == ["admins", "TDs"]
    assert Department.query.all()[1].members[0].login == "eoyilmaz"
