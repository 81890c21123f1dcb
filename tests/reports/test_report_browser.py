"""The report opened in a real headless Chromium: DOM, no JS error, a drawn chart.

``make test`` installs Debian's ``chromium`` (tools/ensure_system_deps.sh);
without it these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from stalker.reports import write_report
from tests.cli.studio import build_small_studio, studio_now
from tests.reports.png import colour_histogram

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (tools/ensure_system_deps.sh installs it)",
)


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a private profile; console messages on stderr."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",  # tests may run as root in containers
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={cwd / 'profile'}",
        *args,
    ]
    environment = {**os.environ, "HOME": str(cwd)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=cwd, env=environment
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dump(page: Path, fragment: str = "") -> tuple[str, str]:
    done = chromium("--dump-dom", f"{page.as_uri()}{fragment}", cwd=page.parent)
    return done.stdout, done.stderr


def no_javascript_error(dom: str, log: str) -> None:
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    assert 'data-ready="1"' in body.group(1)
    assert "data-errors" not in body.group(1)
    assert '<div id="errors" role="alert"></div>' in dom
    assert "Uncaught" not in log


def details(dom: str) -> str:
    match = re.search(r'<div id="details"[^>]*>(.*?)</div>', dom, re.S)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The small studio's report, written once (on SQLite: the page is the same)."""
    from stalker.db.session import DBSession

    folder = tmp_path_factory.mktemp("report")
    ids = build_small_studio({"sqlalchemy.url": f"sqlite:///{folder / 'studio.db'}"})
    page = folder / "report.html"
    write_report(DBSession(), page, ["FLM"], now=studio_now())
    DBSession.remove()
    return page, ids


def test_one_bar_per_task_and_the_critical_one_marked(report):
    page, ids = report
    dom, log = dump(page)
    no_javascript_error(dom, log)
    bars = re.findall(r'<rect class="bar([^"]*)" data-id="(\d+)"', dom)
    assert sorted(int(task_id) for _, task_id in bars) == sorted(
        [ids["modelling"], ids["lookdev"], ids["rigging"]]
    )
    critical = {int(task_id) for classes, task_id in bars if "critical" in classes}
    assert critical == {ids["lookdev"]}
    assert 'class="dep"' in dom  # the dependency arrow
    assert 'class="today"' in dom
    assert 'class="done"' in dom  # the logged hours
    assert 'id="percent">9.1% complete' in dom


@pytest.mark.parametrize(
    ("task", "why"),
    [
        ("rigging", "waits for its dependency FLM / Modelling"),
        ("lookdev", "waits for a busy or absent resource (Ann)"),
    ],
)
def test_the_details_say_why_a_task_starts_when_it_does(report, task, why):
    page, ids = report
    dom, log = dump(page, f"#task={ids[task]}")
    no_javascript_error(dom, log)
    text = details(dom)
    assert f'<span class="why">{why}</span>' in text
    assert "FLM / " in text


def test_the_screenshot_shows_a_chart(report):
    page, _ids = report
    shot = page.parent / "shot.png"
    chromium(
        "--window-size=900,700",
        f"--screenshot={shot}",
        f"{page.as_uri()}#task=1",
        cwd=page.parent,
    )
    width, height, colours = colour_histogram(shot.read_bytes())
    assert (width, height) == (900, 700)
    assert len(colours) > 20  # text, bars and lines, not a blank page
    bar, critical, today = colours["4a7ebb"], colours["d2452c"], colours["e09f1f"]
    assert bar > 500, "the planned bars"
    assert critical > 30, "the critical bar and legend"
    assert today > 30, "the today line"


def _large_payload(parents: int = 3000, children: int = 4) -> dict:
    """15 000 tasks in 3 000 groups of four chained leaves, one week each."""
    from stalker.reports import TASK_FIELDS

    start, week = 29_000_000, 7 * 1440  # minutes since the epoch (2025)
    tasks, deps, next_id = [], [], 1
    for group in range(parents):
        parent_id, first = next_id, start + (group % 150) * 1440
        next_id += 1
        tasks.append(
            [
                parent_id,
                0,
                9,
                f"SH{group:04d}",
                first,
                first + children * week,
                "WIP",
                0,
                0.0,
                "starts with the project",
                [],
                "",
                0,
                0,
                0,
            ]
        )
        for leaf in range(children):
            task_id, begin = next_id, first + leaf * week
            next_id += 1
            tasks.append(
                [
                    task_id,
                    parent_id,
                    9,
                    f"Task {leaf}",
                    begin,
                    begin + week,
                    "RTS",
                    int(leaf == children - 1),
                    8.0,
                    "waits",
                    [1],
                    "40 h",
                    0,
                    40,
                    1,
                ]
            )
            if leaf:
                deps.append([task_id, task_id - 1])
    return {
        "title": "large",
        "generated": start,
        "today": start + 3 * week,
        "fields": list(TASK_FIELDS),
        "tasks": tasks,
        "logs": [[2, 1, start, start + 600]],
        "deps": deps,
        "users": {"1": ["Ann", "ann"]},
        "projects": {"9": ["BIG", "Big"]},
        "load": {
            "weeks": [start],
            "users": [{"user": 1, "booked": [50.0], "capacity": [45.0]}],
        },
        "progress": {"percent": 1.0, "by_status": {"RTS": 12000}},
    }


def test_fifteen_thousand_tasks_open_quickly_with_a_light_dom(tmp_path):
    from stalker.reports import render_html

    page = tmp_path / "large.html"
    page.write_text(render_html(_large_payload()), "utf-8")
    dom, log = dump(page)
    no_javascript_error(dom, log)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    render_ms = int(re.search(r'data-render-ms="(\d+)"', body).group(1))
    assert render_ms < 5000
    assert "15000 tasks" in dom
    # only the rows in view (and a margin) are in the DOM
    assert 20 < dom.count('<rect class="bar') < 400
    # the overbooked week is marked
    assert 'class="cell over"' in dom
    assert "1 overbooked user-weeks" in dom
