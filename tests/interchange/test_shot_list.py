"""CSV/TSV shot and asset lists: dry run, refusals, re-import (both backends)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from stalker import Asset, Sequence, Shot, Task
from stalker.interchange.shot_list import (
    Change,
    Refusal,
    import_shot_list,
    parse_assignees,
)

from .conftest import SHOT_CHAIN

GOOD_AND_BAD = """\
Sequence,Shot Code,Cut In,Cut Out,Frame Rate,Description,Task Template,Assignees,Notes
SEQ01,SH010,1001,1048,24,Opening,Shot Chain,Animation:anim2,x
SEQ01,SH020,1001,1100,,Chase,Shot Chain,,
SEQ01,SH030,10,5,,Backwards,,,
SEQ02,SH040,abc,1010,,Bad cut,,,
SEQ02,SH050,1,10,-3,Bad fps,,,
SEQ02,SH060,1,10,,Unknown template,Sky Chain,,
SEQ02,SH070,1,10,,Unknown user,Shot Chain,Comp:nobody,
SEQ02,,1,10,,No code,,,
"""

EXPECTED_REFUSALS = [
    Refusal(4, "cut_out", "should be >= cut_in (10)"),
    Refusal(5, "cut_in", "should be an int frame number, not 'abc'"),
    Refusal(6, "fps", "should be a number > 0, not '-3'"),
    Refusal(
        7,
        "task_template",
        "should name a stored TaskTemplate ['Shot Chain'], not 'Sky Chain'",
    ),
    Refusal(
        8,
        "assignees",
        "TaskTemplate.Comp.resources should be logins of existing users, "
        "not str: 'nobody'",
    ),
    Refusal(9, "shot", "should be a shot code (or fill the asset column)"),
]


def count(session, cls):
    return session.scalar(select(func.count()).select_from(cls))


@pytest.mark.parametrize("bulk", [True, False])
def test_dry_run_reports_exactly_and_writes_nothing(session, studio, bulk):
    tasks_before = count(session, Task)
    progress = []
    report = import_shot_list(
        io.StringIO(GOOD_AND_BAD),
        studio["project"],
        dry_run=True,
        bulk=bulk,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert report.dry_run
    assert report.rows == 8
    assert report.refused == EXPECTED_REFUSALS
    chain = [f"Task SH010/{spec.name}" for spec in SHOT_CHAIN]
    assert report.created == [
        "Sequence SEQ01",
        "Shot SH010",
        *chain,
        "Shot SH020",
        *[name.replace("SH010", "SH020") for name in chain],
    ]
    assert report.ignored_columns == ["Notes"]
    if bulk:  # the new shots at once, then row by row
        assert progress[-1] == (8, 8)
        assert [done for done, _ in progress] == sorted({d for d, _ in progress})
    else:
        assert progress == [(i, 8) for i in range(1, 9)]
    session.commit()
    assert count(session, Task) == tasks_before


@pytest.mark.parametrize("bulk", [True, False])
def test_import_writes_good_rows_only(session, studio, bulk):
    real = import_shot_list(io.StringIO(GOOD_AND_BAD), studio["project"], bulk=bulk)
    assert not real.dry_run
    assert real.refused == EXPECTED_REFUSALS
    session.expire_all()
    shots = session.scalars(select(Shot).order_by(Shot.code)).all()
    assert [shot.code for shot in shots] == ["SH010", "SH020"]
    first = shots[0]
    assert (first.cut_in, first.cut_out, first.fps) == (1001, 1048, 24)
    assert first.description == "Opening"
    assert first.sequences[0].code == "SEQ01"
    assert shots[1].fps == 24  # the project's
    assert shots[1]._fps is None
    animation = next(t for t in first.children if t.name == "Animation")
    assert [u.login for u in animation.resources] == ["anim2"]
    assert len(first.children) == len(SHOT_CHAIN)
    assert [s.code for s in session.scalars(select(Sequence))] == ["SEQ01"]
    # the refused SEQ02 rows did not leave their sequence behind


def test_reimport_is_idempotent_and_reports_a_changed_cut(session, studio):
    import_shot_list(io.StringIO(GOOD_AND_BAD), studio["project"])
    tasks = count(session, Task)
    again = import_shot_list(io.StringIO(GOOD_AND_BAD), studio["project"])
    assert again.created == []
    assert again.updated == []
    assert again.unchanged == ["Shot SH010", "Shot SH020"]
    assert count(session, Task) == tasks
    recut = GOOD_AND_BAD.replace("SH020,1001,1100", "SH020,990,1010")
    dry = import_shot_list(io.StringIO(recut), studio["project"], dry_run=True)
    expected = [
        Change("Shot SH020", "cut_in", 1001, 990),
        Change("Shot SH020", "cut_out", 1100, 1010),
    ]
    assert dry.updated == expected
    session.expire_all()
    shot = session.scalars(select(Shot).where(Shot.code == "SH020")).one()
    assert (shot.cut_in, shot.cut_out) == (1001, 1100)
    report = import_shot_list(io.StringIO(recut), studio["project"])
    assert report.updated == expected
    assert report.created == []
    session.expire_all()
    assert (shot.cut_in, shot.cut_out) == (990, 1010)
    assert (shot.source_in, shot.source_out) == (990, 1010)
    assert count(session, Task) == tasks


def test_tsv_assets_and_mapped_headers(session, studio, tmp_path):
    path = tmp_path / "assets.tsv"
    path.write_text(
        "Name\tKind\tdescription\tartists\n"
        "HERO\tCharacter\tThe hero\tanim1\n"
        "CAR\tVehicle\t\t\n"
        "TREE\t\tno type\t\n"
    )
    report = import_shot_list(
        path, studio["project"], columns={"Name": "asset", "Kind": "asset_type"}
    )
    assert report.created == [
        "Type Character",
        "Asset HERO",
        "Type Vehicle",
        "Asset CAR",
    ]
    assert report.refused == [Refusal(4, "asset_type", "should name the asset's type")]
    hero = session.scalars(select(Asset).where(Asset.code == "HERO")).one()
    assert hero.type.name == "Character"
    assert [u.login for u in hero.resources] == ["anim1"]


def test_file_level_errors_write_nothing(session, studio):
    with pytest.raises(ValueError, match="a 'shot' or an 'asset' column"):
        import_shot_list(io.StringIO("Foo,Bar\n1,2\n"), studio["project"])
    with pytest.raises(ValueError, match="each column once"):
        import_shot_list(io.StringIO("Shot,Shot Code\nA,B\n"), studio["project"])
    assert count(session, Shot) == 0


def test_parse_assignees():
    assert parse_assignees("Anim: a, b; Comp:c") == {"Anim": ["a", "b"], "Comp": ["c"]}
    assert parse_assignees("a b") == {None: ["a", "b"]}
    assert parse_assignees("") == {}
