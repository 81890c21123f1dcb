"""Edits in: an OTIO timeline built in code and a small CMX 3600 EDL."""

from __future__ import annotations

import opentimelineio as otio
from sqlalchemy import select

from stalker import Shot
from stalker.interchange.edit import import_timeline
from stalker.interchange.shot_list import Change, Refusal

EDL = """\
TITLE: SEQ01
FCM: NON-DROP FRAME

001  ABC0010 V     C        01:00:00:00 01:00:02:00 00:00:00:00 00:00:02:00
* FROM CLIP NAME: SH010
002  ABC0020 V     C        01:00:10:00 01:00:11:12 00:00:02:00 00:00:03:12
* FROM CLIP NAME: SH020
"""


def clip(name: str, frames: int, rate: float = 25.0) -> otio.schema.Clip:
    span = otio.opentime.TimeRange(
        otio.opentime.RationalTime(100, rate), otio.opentime.RationalTime(frames, rate)
    )
    return otio.schema.Clip(name=name, source_range=span)


def timeline(*clips: otio.schema.Clip) -> otio.schema.Timeline:
    track = otio.schema.Track(name="V1")
    track.extend(clips)
    line = otio.schema.Timeline(name="REEL1")
    line.tracks.append(track)
    return line


def shots(session):
    session.expire_all()
    return {
        s.code: (s.cut_in, s.cut_out, s.fps, s.record_in, s.sequences[0].code)
        for s in session.scalars(select(Shot))
    }


def test_cmx_edl_becomes_shots(session, studio, tmp_path):
    path = tmp_path / "cut.edl"
    path.write_text(EDL)
    report = import_timeline(path, studio["project"], rate=24)
    assert report.refused == []
    assert report.created == ["Sequence SEQ01", "Shot SH010", "Shot SH020"]
    assert shots(session) == {
        "SH010": (1001, 1048, 24.0, 0, "SEQ01"),
        "SH020": (1001, 1036, 24.0, 48, "SEQ01"),
    }
    again = import_timeline(path, studio["project"], rate=24)
    assert again.created == [] and again.updated == []
    assert again.unchanged == ["Shot SH010", "Shot SH020"]


def test_otio_timeline_with_a_gap_an_unnamed_clip_and_a_recut(session, studio):
    line = timeline(
        clip("SH100", 30), otio.schema.Gap(), clip("", 5), clip("SH110", 12)
    )
    dry = import_timeline(line, studio["project"], first_frame=None, dry_run=True)
    assert dry.refused == [Refusal(2, "shot", "the clip should have a name")]
    assert dry.created == ["Sequence REEL1", "Shot SH100", "Shot SH110"]
    assert shots(session) == {}
    import_timeline(line, studio["project"], first_frame=None)
    assert shots(session) == {
        "SH100": (100, 129, 25.0, 0, "REEL1"),
        "SH110": (100, 111, 25.0, 35, "REEL1"),
    }
    recut = timeline(clip("SH100", 20), clip("SH110", 12))
    report = import_timeline(recut, studio["project"], first_frame=None)
    assert report.updated == [
        Change("Shot SH100", "cut_out", 129, 119),
        Change("Shot SH110", "record_in", 35, 20),
    ]
    assert shots(session)["SH100"] == (100, 119, 25.0, 0, "REEL1")
    assert shots(session)["SH110"][3] == 20


def test_sequence_name_and_progress(session, studio):
    seen = []
    import_timeline(
        timeline(clip("SH200", 10)),
        studio["project"],
        sequence="SEQ99",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert shots(session)["SH200"] == (1001, 1010, 25.0, 0, "SEQ99")
    assert seen == [(1, 1)]
