"""Edits in: OpenTimelineIO timelines and CMX 3600 EDLs become shots.

Every clip of the video tracks is a shot named after the clip.  Its cut
starts at ``first_frame`` (1001 by default, as most studios number shot
frames; ``None`` keeps the clip's source timecode as a frame number) and
lasts the clip's duration; ``record_in`` is where the clip sits in the edit,
and ``fps`` is the clip's rate.  The clips go through the same writer as a
CSV shot list, so re-importing a recut edit updates the changed cuts.

Needs the ``interchange`` extra (``opentimelineio`` and, for EDLs, its
``otio-cmx3600-adapter`` plugin).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stalker.interchange.shot_list import (
    ImportReport,
    Progress,
    Refusal,
    ShotRecord,
    write_records,
)

#: Where a shot code comes from: the clip's name unless told otherwise.
CodeOf = Callable[[Any], str]


def _otio() -> Any:
    try:
        import opentimelineio
    except ImportError as error:  # pragma: no cover - the extra is missing
        raise ImportError(
            "importing edits needs opentimelineio: "
            "pip install 'stalker-pam[interchange]'"
        ) from error
    return opentimelineio


def read_timeline(
    source: str | Path | Any, rate: float = 24.0, adapter_name: str | None = None
) -> Any:
    """An OTIO timeline from a timeline object, an ``.otio`` file or an EDL."""
    otio = _otio()
    if isinstance(source, otio.schema.Timeline):
        return source
    path = Path(source)
    if adapter_name is None and path.suffix.lower() == ".edl":
        adapter_name = "cmx_3600"
    arguments: dict[str, Any] = {}
    if adapter_name == "cmx_3600":
        arguments["rate"] = rate
    return otio.adapters.read_from_file(
        str(path), adapter_name=adapter_name, **arguments
    )


def records_from_timeline(
    timeline: Any,
    sequence: str | None = None,
    first_frame: int | None = 1001,
    code_of: CodeOf | None = None,
) -> list[ShotRecord | Refusal]:
    """One record per clip (row = the clip's 1-based index across video tracks)."""
    sequence = sequence if sequence is not None else (timeline.name or None)
    records: list[ShotRecord | Refusal] = []
    clips = [clip for track in timeline.video_tracks() for clip in track.find_clips()]
    for row, clip in enumerate(clips, start=1):
        code = (code_of(clip) if code_of else clip.name or "").strip()
        if not code:
            records.append(Refusal(row, "shot", "the clip should have a name"))
            continue
        source = clip.source_range or clip.available_range()
        duration = round(source.duration.to_frames())
        if duration < 1:
            records.append(Refusal(row, "cut_out", "the clip should last a frame"))
            continue
        start = (
            round(source.start_time.to_frames()) if first_frame is None else first_frame
        )
        records.append(
            ShotRecord(
                row=row,
                code=code,
                sequence=sequence,
                cut_in=start,
                cut_out=start + duration - 1,
                fps=float(source.start_time.rate),
                record_in=round(clip.range_in_parent().start_time.to_frames()),
            )
        )
    return records


def import_timeline(
    source: str | Path | Any,
    project: Any,
    *,
    sequence: str | None = None,
    first_frame: int | None = 1001,
    rate: float = 24.0,
    adapter_name: str | None = None,
    code_of: CodeOf | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    commit: bool = True,
    session: Any = None,
    bulk: bool = True,
) -> ImportReport:
    """Import an edit (OTIO timeline, ``.otio`` file or CMX 3600 EDL) as shots.

    ``sequence`` names the sequence the shots join (default: the timeline's
    name; an EDL's TITLE).  ``rate`` is the EDL's frame rate.
    """
    if session is None:
        from stalker.db.session import DBSession

        session = DBSession()
    timeline = read_timeline(source, rate=rate, adapter_name=adapter_name)
    records = records_from_timeline(timeline, sequence, first_frame, code_of)
    return write_records(
        session,
        project,
        records,
        dry_run=dry_run,
        commit=commit,
        progress=progress,
        bulk=bulk,
    )
