"""Shot (spec 08 §4): code uniqueness, grouping, frame ranges, fps, format."""

from __future__ import annotations

import uuid

import pytest

from stalker import ImageFormat, Project, Type
from stalker.models.scene import Scene
from stalker.models.sequence import Sequence
from stalker.models.shot import Shot, Shot_Scenes, Shot_Sequences
from stalker.models.task import Task
from tests.support.statements import recorded_statements
from tests.task_factories import make_project, make_status_list

# --- without a database ------------------------------------------------------


@pytest.fixture
def lists():
    return {name: make_status_list(name) for name in ("Task", "Shot", "Sequence")}


@pytest.fixture
def offline_project():
    return make_project(name="Offline", code="OFF", fps=24)


@pytest.fixture
def make_shot(offline_project, lists):
    def make(**kwargs):
        kwargs.setdefault("project", offline_project)
        kwargs.setdefault("status_list", lists["Shot"])
        return Shot(**kwargs)

    return make


def test_defaults(make_shot, offline_project):
    shot = make_shot(code="SH001")
    assert shot.code == "SH001"
    assert shot.project is offline_project
    assert shot.name.startswith("Shot_")
    uuid.UUID(shot.name[len("Shot_") :])
    assert shot.sequences == [] and shot.scenes == []
    assert (shot.cut_in, shot.cut_out, shot.cut_duration) == (1, 1, 1)
    assert (shot.source_in, shot.source_out) == (1, 1)
    assert shot.record_in is None
    assert shot.status.code == "RTS"
    assert shot.plural_class_name == "Shots"
    assert shot in offline_project.tasks


def test_name_may_be_given(make_shot):
    shot = make_shot(code="SH123", name="SH123")
    assert shot.name == "SH123"
    assert repr(shot) == "<Shot (SH123, SH123)>"


def test_project_comes_from_the_parent(make_shot, offline_project, lists):
    parent = Task(name="Shots", project=offline_project, status_list=lists["Task"])
    shot = make_shot(code="SH001", project=None, parent=parent)
    assert shot.project is offline_project
    assert shot.parent is parent


def test_code_is_required(make_shot):
    with pytest.raises(TypeError, match=r"Shot\.code should be a str, not NoneType"):
        make_shot()
    with pytest.raises(ValueError, match=r"Shot\.code should be a non-empty str"):
        make_shot(code="")
    with pytest.raises(TypeError, match=r"Shot\.code should be a str, not int: 1"):
        make_shot(code=1)
    shot = make_shot(code="SH001")
    with pytest.raises(TypeError, match=r"Shot\.code"):
        shot.code = None


def test_code_is_unique_in_memory_per_project(make_shot, offline_project, lists):
    first = make_shot(code="SH001")
    with pytest.raises(ValueError, match=r"Shot\.code should be unique.*'SH001'"):
        make_shot(code="SH001")
    second = make_shot(code="SH002")
    with pytest.raises(ValueError, match="SH001"):
        second.code = "SH001"
    first.code = "SH001"  # re-assigning its own code is fine
    assert second.code == "SH002"
    other_project = Project(
        name="Other", code="O", status_list=offline_project.status_list
    )
    assert make_shot(code="SH001", project=other_project).code == "SH001"


def test_sequences_and_scenes(make_shot, offline_project, lists):
    seq1 = Sequence(
        name="Seq 1",
        code="SEQ1",
        project=offline_project,
        status_list=lists["Sequence"],
    )
    seq2 = Sequence(
        name="Seq 2",
        code="SEQ2",
        project=offline_project,
        status_list=lists["Sequence"],
    )
    scene = Scene(name="Kitchen", code="KIT", project=offline_project)
    shot = make_shot(code="SH001", sequences=[seq1, seq2], scenes=[scene])
    assert shot.sequences == [seq1, seq2]
    assert seq1.shots == [shot] and seq2.shots == [shot]
    assert scene.shots == [shot]
    assert shot.sequence is seq1 and shot.scene is scene
    shot.sequences.append(seq1)  # set-like: already there
    assert shot.sequences == [seq1, seq2]
    bare = make_shot(code="SH002")
    assert bare.sequence is None and bare.scene is None


@pytest.mark.parametrize("attr", ["sequences", "scenes"])
def test_grouping_lists_are_type_checked(make_shot, attr):
    expected = "a Sequence instance" if attr == "sequences" else "a Scene instance"
    with pytest.raises(TypeError, match=rf"Shot\.{attr} should be {expected}, not str"):
        make_shot(code="SH001", **{attr: ["not a group"]})
    shot = make_shot(code="SH002")
    with pytest.raises(
        TypeError, match=rf"Shot\.{attr} should be a list, not NoneType"
    ):
        setattr(shot, attr, None)
    with pytest.raises(TypeError, match=rf"Shot\.{attr} should be a list, not int"):
        setattr(shot, attr, 3)
    with pytest.raises(TypeError, match=rf"Shot\.{attr}"):
        getattr(shot, attr).append(Type(name="T", code="T", target_entity_type="Shot"))


# --- frame ranges (4.2) -------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"cut_in": 159, "cut_out": 149}, (149, 149)),
        ({"cut_in": 112, "cut_out": 102}, (102, 102)),
        ({"cut_out": 149}, (149, 149)),
        ({"cut_in": 112}, (112, 112)),
        ({"cut_in": 112, "cut_out": 149}, (112, 149)),
        ({}, (1, 1)),
    ],
)
def test_constructor_cut_defaults(make_shot, kwargs, expected):
    shot = make_shot(code="SH001", **kwargs)
    assert (shot.cut_in, shot.cut_out) == expected
    assert (shot.source_in, shot.source_out) == expected


def test_cut_bounds_push_each_other(make_shot):
    shot = make_shot(code="SH001", cut_in=112, cut_out=149)
    shot.cut_in = 159
    assert (shot.cut_in, shot.cut_out) == (159, 159)
    shot.cut_out = 102
    assert (shot.cut_in, shot.cut_out) == (102, 102)
    shot.cut_out = 120
    assert (shot.cut_in, shot.cut_out) == (102, 120)


def test_changing_cuts_does_not_revalidate_sources(make_shot):
    shot = make_shot(code="SH001", cut_in=112, cut_out=149)
    shot.cut_out = 120
    assert (shot.source_in, shot.source_out) == (112, 149)


def test_cut_duration(make_shot):
    shot = make_shot(code="SH001", cut_in=112, cut_out=149)
    assert shot.cut_duration == 38
    shot.cut_duration = 245
    assert (shot.cut_in, shot.cut_out) == (112, 356)
    with pytest.raises(TypeError, match=r"Shot\.cut_duration should be an int"):
        shot.cut_duration = "10"
    with pytest.raises(ValueError, match=r"Shot\.cut_duration should be an int >= 1"):
        shot.cut_duration = 0
    assert shot.cut_out == 356


@pytest.mark.parametrize("attr", ["cut_in", "cut_out", "source_in", "source_out"])
@pytest.mark.parametrize("value", [None, "12", 1.5, True])
def test_frames_must_be_ints(make_shot, attr, value):
    shot = make_shot(code="SH001", cut_in=1, cut_out=100)
    with pytest.raises(TypeError, match=rf"Shot\.{attr} should be an int, not"):
        setattr(shot, attr, value)
    with pytest.raises(TypeError, match=rf"Shot\.{attr}"):
        make_shot(code="SH002", **{"cut_in": 1, "cut_out": 100, attr: value or "x"})


def test_sources_default_to_the_cuts_and_stay_inside(make_shot):
    shot = make_shot(code="SH001", cut_in=112, cut_out=149, source_in=120)
    assert (shot.source_in, shot.source_out) == (120, 149)
    with pytest.raises(ValueError, match=r"Shot\.source_in should be between cut_in"):
        make_shot(code="SH002", cut_in=112, cut_out=149, source_in=102)
    with pytest.raises(ValueError, match=r"Shot\.source_out should be between"):
        make_shot(code="SH003", cut_in=112, cut_out=149, source_out=150)
    with pytest.raises(ValueError, match=r"Shot\.source_out should be >= source_in"):
        make_shot(code="SH004", cut_in=112, cut_out=149, source_in=144, source_out=139)
    shot.source_out = 130
    with pytest.raises(ValueError, match=r"Shot\.source_in should be <= source_out"):
        shot.source_in = 131
    with pytest.raises(ValueError, match=r"Shot\.source_in should be between"):
        shot.source_in = 150
    assert (shot.source_in, shot.source_out) == (120, 130)


def test_record_in_is_free(make_shot):
    assert make_shot(code="SH001", record_in=1001).record_in == 1001


# --- fps and image format ---------------------------------------------------


def test_fps_follows_the_project_until_set(make_shot, offline_project):
    shot = make_shot(code="SH001")
    assert shot.fps == 24.0
    offline_project.fps = 30
    assert shot.fps == 30.0
    shot.fps = 48
    assert shot.fps == 48.0 and isinstance(shot.fps, float)
    offline_project.fps = 12
    assert shot.fps == 48.0
    shot.fps = None
    assert shot.fps == 12.0
    assert make_shot(code="SH002", fps=23.976).fps == 23.976


@pytest.mark.parametrize("value", ["24", [24], True])
def test_fps_must_be_a_number(make_shot, value):
    with pytest.raises(TypeError, match=r"Shot\.fps should be an int or float"):
        make_shot(code="SH001", fps=value)


@pytest.mark.parametrize("value", [0, -1, -0.5])
def test_fps_must_be_positive(make_shot, value):
    with pytest.raises(ValueError, match=r"Shot\.fps should be a number > 0"):
        make_shot(code="SH001", fps=value)


def test_image_format_follows_the_project_until_set(make_shot, offline_project):
    hd = ImageFormat(name="HD", width=1920, height=1080)
    uhd = ImageFormat(name="UHD", width=3840, height=2160)
    shot = make_shot(code="SH001")
    assert shot.image_format is None
    offline_project.image_format = hd
    assert shot.image_format is hd
    shot.image_format = uhd
    assert shot.image_format is uhd
    offline_project.image_format = None
    assert shot.image_format is uhd
    with pytest.raises(TypeError, match=r"Shot\.image_format should be an ImageFormat"):
        shot.image_format = "HD"


# --- equality ------------------------------------------------------------------


def test_equality_needs_same_code_and_project(make_shot, offline_project, lists):
    shot = make_shot(code="SH001", name="A")
    other_project = Project(
        name="Other", code="O", status_list=offline_project.status_list
    )
    assert shot != make_shot(code="SH001", name="A", project=other_project)
    assert shot != make_shot(code="SH002", name="A")
    assert shot != Task(name="A", project=offline_project, status_list=lists["Task"])
    assert hash(shot) == hash(shot)


# --- with a database --------------------------------------------------------


@pytest.fixture
def project(session):
    project = Project(name="Fancy Commercial", code="FC")
    session.add(project)
    session.commit()
    return project


def test_tables(session):
    assert Shot.__tablename__ == "Shots"
    assert {c.name for c in Shot_Sequences.c} == {"shot_id", "sequence_id"}
    assert {c.name for c in Shot_Scenes.c} == {"shot_id", "scene_id"}


def test_status_list_comes_from_the_database(project):
    shot = Shot(code="SH001", project=project)
    assert shot.status_list.target_entity_type == "Shot"
    assert shot.status.code == "RTS"


def test_code_is_unique_among_flushed_shots(session, project):
    shot = Shot(code="SH001", project=project)
    session.add(shot)
    session.commit()
    with pytest.raises(ValueError, match=r"Shot\.code should be unique.*'SH001'"):
        Shot(code="SH001", project=project)
    second = Shot(code="SH002", project=project)
    with pytest.raises(ValueError, match="SH001"):
        second.code = "SH001"
    shot.code = "SH001"
    assert shot.code == "SH001"


def test_code_check_counts_flushed_shots_only_and_never_flushes(session, project):
    with recorded_statements(session.connection()) as statements:
        first = Shot(code="SH001", project=project)
        second = Shot(code="SH001", project=project)  # first is not flushed yet
    assert second.code == "SH001"
    assert first in session.new and second in session.new
    assert not any(s.lstrip().upper().startswith("INSERT") for s in statements)
    # one uniqueness query per shot, nothing per-object beyond that
    assert sum('"Shots"' in s or "Shots." in s for s in statements) == 2


def test_rename_back_and_forth_before_flush(session, project):
    shot = Shot(code="SH004", project=project)
    session.add(shot)
    session.commit()
    shot.code = "SH005"
    shot.code = "SH004"  # the row still says SH004: it is this very shot
    session.commit()
    assert Shot.query.filter_by(code="SH004").one() is shot


def test_same_code_in_other_projects(session, project):
    other = Project(name="Other", code="OT")
    session.add(other)
    session.commit()
    Shot(code="SH001", project=project)
    session.commit()
    shot = Shot(code="SH001", project=other)
    session.commit()
    assert shot.project is other


def test_equality_ignores_the_name(session, project):
    shot = Shot(code="SH001", name="A", project=project)
    twin = Shot(code="SH001", name="B", project=project)  # both still pending
    assert shot == twin
    twin.code = "SH002"
    assert shot != twin


def test_round_trip(session, project):
    hd = ImageFormat(name="HD", width=1920, height=1080)
    seq = Sequence(name="Seq 1", code="SEQ1", project=project)
    scene = Scene(name="Kitchen", code="KIT", project=project)
    shot = Shot(
        code="SH001",
        name="SH001",
        project=project,
        sequences=[seq],
        scenes=[scene],
        cut_in=1001,
        cut_out=1100,
        source_in=1010,
        source_out=1090,
        record_in=2001,
        image_format=hd,
        fps=48,
    )
    session.add(shot)
    session.commit()
    shot_id = shot.id
    session.expunge_all()
    loaded = session.get(Shot, shot_id)
    assert loaded.code == "SH001"
    assert (loaded.cut_in, loaded.cut_out, loaded.cut_duration) == (1001, 1100, 100)
    assert (loaded.source_in, loaded.source_out, loaded.record_in) == (
        1010,
        1090,
        2001,
    )
    assert loaded.fps == 48.0
    assert loaded.image_format.name == "HD"
    assert [s.code for s in loaded.sequences] == ["SEQ1"]
    assert [s.code for s in loaded.scenes] == ["KIT"]
    assert loaded.sequences[0].shots == [loaded]
    assert loaded.scenes[0].shots == [loaded]
    # the cut coupling works on a loaded shot too
    loaded.cut_in = 1200
    assert loaded.cut_out == 1200
    assert Shot.query.filter(Shot.fps == 48.0).one() is loaded


def test_loaded_shot_without_own_fps_uses_the_project(session, project):
    shot = Shot(code="SH001", project=project)
    session.commit()
    project.fps = 50
    session.commit()
    session.expire_all()
    assert shot.fps == 50.0


def test_deleting_a_shot_keeps_its_groups(session, project):
    seq = Sequence(name="Seq 1", code="SEQ1", project=project)
    scene = Scene(name="Kitchen", code="KIT", project=project)
    shot = Shot(code="SH001", project=project, sequences=[seq], scenes=[scene])
    session.commit()
    session.delete(shot)
    session.commit()
    assert seq.shots == [] and scene.shots == []
    assert Sequence.query.count() == 1 and Scene.query.count() == 1
    assert session.query(Shot_Sequences).count() == 0


def test_seed_rename_commit_query_delete(session, project):
    seq1 = Sequence(name="Sequence 1", code="SEQ1", project=project)
    sh004 = Shot(code="SH004", project=project, sequences=[seq1])
    session.add(sh004)
    session.commit()
    sh004.code = "SH005"
    session.commit()
    wrong_shot = Shot.query.filter_by(code="SH005").first()
    assert wrong_shot is sh004
    wrong_shot.code = "SH004"
    session.commit()
    session.delete(wrong_shot)
    session.commit()
    assert Shot.query.filter_by(code="SH005").first() is None
    assert Shot.query.filter_by(code="SH004").first() is None


def test_a_refused_shot_leaves_its_project_and_session(session, project):
    seq = Sequence(name="Seq 1", code="SEQ1", project=project)
    Shot(code="SH001", project=project)
    session.commit()
    with pytest.raises(ValueError, match="SH001"):
        Shot(code="SH001", project=project, sequences=[seq])
    with pytest.raises(ValueError, match=r"Shot\.source_in"):
        Shot(code="SH002", project=project, cut_in=10, cut_out=20, source_in=5)
    with pytest.raises(TypeError, match=r"Shot\.code"):
        Shot(code=None, project=project)
    session.commit()  # nothing half-built is flushed
    assert [s.code for s in project.shots] == ["SH001"]
    assert [t.name for t in project.tasks] == ["Seq 1", project.shots[0].name]
    assert seq.shots == []


def test_code_is_unique_in_the_parents_project(session, project):
    parent = Task(name="Shots", project=project)
    Shot(code="SH001", parent=parent)
    session.commit()
    with pytest.raises(ValueError, match="SH001"):
        Shot(code="SH001", parent=parent)
    assert Shot(code="SH002", parent=parent).project is project
    assert [s.code for s in parent.children] == ["SH001", "SH002"]


def test_expired_task_and_shot_columns_reload_from_their_own_rows(session, project):
    first = Shot(code="SH001", project=project, cut_in=1, cut_out=10)
    second = Shot(code="SH002", project=project, cut_in=101, cut_out=150)
    session.add_all([first, second])
    session.commit()
    assert (first.code, second.code) == ("SH001", "SH002")  # loaded again
    # columns of the Tasks and Shots tables only: SQLAlchemy reads them
    # without the root table, joining the tables by their inheritance
    # conditions (a missing link once gave every Shots row)
    session.expire(second, ["schedule_timing", "cut_in", "cut_out"])
    with recorded_statements(session.connection()) as statements:
        assert (second.cut_in, second.cut_out) == (101, 150)
        assert second.schedule_timing == first.schedule_timing
    assert len(statements) == 1
