"""The ``stalker`` command against the engine alone, and the report (issue 21).

The studio is bench_native's (15 000 tasks by default, 50 users, hourly
resolution).  It is built once into an SQLite file; each run schedules a fresh
copy in a new process, timed from outside (start-up and imports included),
the two kinds of run taking turns:

* ``engine_alone``: bench_native's child (``studio.schedule(); commit()``);
* ``cli``: ``python -m stalker --url ... schedule --now START --json``.

``cli_overhead_pct`` compares their medians (target: under 10 %);
``engine_schedule_and_commit_s`` is the engine child's own ``schedule();
commit()`` time and ``cli_schedule_s`` the command's (``"seconds"`` of its
JSON: gather, plan and write-back with the progress bar, before the commit).  Then
``stalker report`` writes the studio's page (``report_s``, ``report_mb``) and,
when chromium is installed, a headless chromium opens it (``browser_s`` wall
time, ``render_ms`` measured by the page itself).

Environment: ``STALKER_BENCH_CLI_TASKS`` (default 15000),
``STALKER_BENCH_CLI_RUNS`` (default 3).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_native import _child, _child_environment, _copy_database
from bench_tasks import START

TARGETS = {"cli_overhead_pct": 10.0, "browser_s": 5.0}


def _runs() -> int:
    return int(os.environ.get("STALKER_BENCH_CLI_RUNS", "3"))


def _stalker(*arguments: str) -> tuple[float, str]:
    """Run the command in a new process; its wall time and stdout."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stalker", *arguments],
        check=True,
        capture_output=True,
        text=True,
        env=_child_environment(),
    )
    return time.perf_counter() - started, done.stdout


def _engine_alone(built: Path, folder: Path) -> tuple[float, dict[str, Any]]:
    copy = folder / "engine.db"
    _copy_database(built, copy)
    try:
        started = time.perf_counter()
        timings = _child("--schedule", str(copy), "native")
        return time.perf_counter() - started, timings
    finally:
        copy.unlink()


def _cli(built: Path, folder: Path) -> tuple[float, dict[str, Any]]:
    copy = folder / "cli.db"
    _copy_database(built, copy)
    try:
        seconds, out = _stalker(
            "--url",
            f"sqlite:///{copy}",
            "schedule",
            "--now",
            START.isoformat(),
            "--json",
        )
        return seconds, json.loads(out)
    finally:
        copy.unlink()


def _browser(page: Path) -> dict[str, Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"browser": "skipped: chromium is not installed"}
    started = time.perf_counter()
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={page.parent / 'profile'}",
            "--window-size=1400,900",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    seconds = time.perf_counter() - started
    body = re.search(r"<body([^>]*)>", done.stdout)
    attributes = body.group(1) if body else ""
    render = re.search(r'data-render-ms="(\d+)"', attributes)
    return {
        "browser_s": round(seconds, 3),
        "render_ms": int(render.group(1)) if render else None,
        "page_ready": 'data-ready="1"' in attributes,
        "page_errors": "data-errors" in attributes,
        "bars_in_dom": done.stdout.count('<rect class="bar'),
    }


def run() -> dict[str, Any]:
    size = int(os.environ.get("STALKER_BENCH_CLI_TASKS", "15000"))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        built = folder / "built.db"
        build = _child("--build", str(built), str(size))
        # interleaved, so a drift of the shared machine's load hits both alike
        engine, cli = [], []
        for _ in range(_runs()):
            engine.append(_engine_alone(built, folder))
            cli.append(_cli(built, folder))
        page = folder / "report.html"
        report_s, _ = _stalker(
            "--url",
            f"sqlite:///{built}",
            "report",
            "-o",
            str(page),
            "--now",
            START.isoformat(),
        )
        engine_s = statistics.median(seconds for seconds, _ in engine)
        cli_s = statistics.median(seconds for seconds, _ in cli)
        inside = statistics.median(timings["total_s"] for _, timings in engine)
        cli_inside = statistics.median(summary["seconds"] for _, summary in cli)
        return {
            "scenario": "cli_schedule_and_report",
            "targets": TARGETS,
            "tasks": build["tasks"],
            "runs": _runs(),
            "engine_alone_s": round(engine_s, 3),
            "cli_s": round(cli_s, 3),
            "cli_overhead_pct": round(100.0 * (cli_s - engine_s) / engine_s, 1),
            "engine_schedule_and_commit_s": round(inside, 3),
            "cli_schedule_s": round(cli_inside, 3),
            "cli_summary": cli[-1][1],
            "report_s": round(report_s, 3),
            "report_mb": round(page.stat().st_size / 1e6, 2),
            **_browser(page),
        }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
