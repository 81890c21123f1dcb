"""The HTML schedule report: Gantt, resource load and progress in one file.

:func:`gather_report_rows` reads plain rows and plans them with the native
engine (nothing written); :func:`build_payload` and :func:`render_html` turn
those rows into a self-contained page; :func:`write_report` does all three.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from typing import Any

from stalker.reports.data import ReportRows, gather_report_rows
from stalker.reports.html import render_html
from stalker.reports.payload import TASK_FIELDS, build_payload, why_text

__all__ = [
    "TASK_FIELDS",
    "ReportRows",
    "build_payload",
    "gather_report_rows",
    "render_html",
    "why_text",
    "write_report",
]


def write_report(
    session: Any,
    path: str | os.PathLike[str],
    codes: Sequence[str] = (),
    now: datetime.datetime | None = None,
) -> int:
    """Write the report of the projects ``codes`` (none: the studio); task count.

    ``now`` plans from that moment instead of the studio's.  The file is
    written whole or not at all (a temporary file renamed over it).
    """
    from stalker.cli.listing import project_ids_by_code

    ids = project_ids_by_code(session, list(codes)) if codes else None
    rows = gather_report_rows(session, ids, now=now)
    payload = build_payload(rows)
    text = render_html(payload)
    target = os.fspath(path)
    temporary = f"{target}.partial"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, target)
    return len(payload["tasks"])
