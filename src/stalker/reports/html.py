"""One self-contained HTML file: the page's CSS and script inlined, data as JSON.

No network access is needed to open it (no CDN, no fonts), so a report can
be mailed or archived.  The data sits in a ``<script type="application/json">``
block; ``</`` is escaped so no task name can close it.
"""

from __future__ import annotations

import datetime
import html
import json
from importlib import resources
from typing import Any


def _asset(name: str) -> str:
    return resources.files("stalker.reports").joinpath(name).read_text("utf-8")


def _safe_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(payload: dict[str, Any]) -> str:
    """The report page of ``payload`` (see :func:`build_payload`)."""
    title = html.escape(f"Schedule report: {payload['title']}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"<style>{_asset('report.css')}</style>\n"
        "</head><body>\n"
        f'<header><h1>{title}</h1><div id="meta"></div></header>\n'
        '<div id="errors" role="alert"></div>\n'
        '<section id="progress"><h2>Progress</h2><div id="progress-body"></div>'
        "</section>\n"
        f"{moved_section(payload)}"
        '<section id="gantt-section"><h2>Gantt</h2>\n'
        '<div class="controls">zoom <select id="zoom">'
        '<option value="fit">fit</option><option value="day">days</option>'
        '<option value="week" selected>weeks</option>'
        '<option value="month">months</option></select>\n'
        '<button id="expand">expand all</button>'
        '<button id="collapse">collapse all</button>'
        '<span class="legend"><i class="k-bar"></i>planned <i class="k-crit"></i>'
        'critical <i class="k-done"></i>logged work <i class="k-slack"></i>slack'
        ' <i class="k-today"></i>today</span></div>\n'
        '<div id="gantt"><div id="gantt-inner"></div></div>\n'
        '<div id="details" class="empty">Hover or click a task for its details.'
        "</div></section>\n"
        '<section id="load-section"><h2>Resource load (hours a week)</h2>'
        '<div id="load"></div></section>\n'
        '<div id="tip" hidden></div>\n'
        f'<script type="application/json" id="report-data">{_safe_json(payload)}'
        "</script>\n"
        f"<script>{_asset('report.js')}</script>\n"
        "</body></html>\n"
    )


def _when(minutes: int) -> str:
    moment = datetime.datetime.fromtimestamp(minutes * 60, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def moved_section(payload: dict[str, Any]) -> str:
    """ "Moved since the last plan": a static table of ``payload['moved']``.

    Written here rather than by the page's script so that it reads the same
    without JavaScript; every text is escaped.
    """
    moved = payload.get("moved") or []
    at = payload.get("moved_at")
    heading = "<h2>Moved since the last plan</h2>"
    when = f" (scheduled {_when(at)})" if at is not None else ""
    if not moved:
        body = f"<p>No task moved at the last run{html.escape(when)}.</p>"
        return f'<section id="moved-section">{heading}{body}</section>\n'
    lines = [
        f"<p>{len(moved)} tasks moved at the last run{html.escape(when)}, "
        "largest end shift first.</p>",
        '<table class="moved"><thead><tr><th>task</th><th>start</th>'
        "<th>end</th><th>start shift</th><th>end shift</th><th>why</th>"
        "</tr></thead><tbody>",
    ]
    for row in moved:
        cells = (
            row["path"],
            _when(row["new_start"]),
            _when(row["new_end"]),
            f"{row['start_shift_h']:+g} h",
            f"{row['end_shift_h']:+g} h",
            row["why"],
        )
        lines.append(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>"
        )
    lines.append("</tbody></table>")
    return f'<section id="moved-section">{heading}{"".join(lines)}</section>\n'
