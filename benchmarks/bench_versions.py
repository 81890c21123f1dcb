"""Publishing versions: create + update_paths() + commit, and latest_version.

500 versions of one shot task are created with their paths rendered from
the tutorial's FilenameTemplate, committed one by one (batch size 1, what
an artist's publish does) and 50 at a time.  ``latest_version`` is then
looked up on the first version.  SQLite runs always; PostgreSQL too when
``STALKER_BENCH_PG_URL`` names an empty database or ``STALKER_BENCH_PG=1``
starts a private server (see ``common.postgresql_url``).  ``STALKER_BENCH_VERSIONS``
overrides the count.

Targets on SQLite (issue 6): one version created, rendered and committed
<= 2 ms; ``latest_version`` <= 150 us.

Batch size 1 is also timed with ``expire_on_commit`` off
(``database_session_settings``): by default every commit expires the
session's objects, so the next publish reloads its task, project, structure,
templates and repository one row at a time; a publishing script that needs
no refreshed objects can keep them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from common import backends, fresh_studio, measure

import stalker
from stalker import (
    FilenameTemplate,
    Project,
    Repository,
    Shot,
    Structure,
    Task,
    Version,
)
from stalker.db.session import DBSession

#: (batch size, session settings) of each timed publish
RUNS = (
    (1, {}),
    (50, {}),
    (1, {"expire_on_commit": False}),
)
TARGETS_S = {"create_render_commit_per_version": 0.002, "latest_version": 0.00015}


def _count() -> int:
    return int(os.environ.get("STALKER_BENCH_VERSIONS", "500"))


def _fresh_database(url: str | None, folder: Path) -> int:
    """A studio database with one shot task ready for versions; its id."""
    fresh_studio(url, folder)
    template = FilenameTemplate(
        name="Task Template",
        target_entity_type="Task",
        path="$REPO{{project.repository.id}}/{{project.code}}/"
        "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
        filename='{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}',
    )
    project = Project(
        name="Benchmark",
        code="BM",
        repositories=[Repository(name="Repo", linux_path="/mnt/M/commercials")],
        structure=Structure(name="Structure", templates=[template]),
    )
    comp = Task(name="comp", parent=Shot(name="SH001", code="SH001", project=project))
    DBSession.add(project)
    DBSession.commit()
    return comp.id


def publish(task: Task, count: int, batch_size: int) -> None:
    """Create ``count`` versions with their paths, committing every batch."""
    for index in range(1, count + 1):
        version = Version(task=task)
        version.update_paths()
        if index % batch_size == 0 or index == count:
            DBSession.commit()


def _timed_publish(
    url: str | None, folder: Path, batch_size: int, settings: dict[str, Any]
) -> dict[str, Any]:
    count = _count()
    state: dict[str, Any] = {}

    def prepare() -> None:
        state["task"] = DBSession.get(Task, _fresh_database(url, folder))
        DBSession.commit()

    def create() -> None:
        publish(state["task"], count, batch_size)

    saved = stalker.defaults["database_session_settings"]
    stalker.defaults["database_session_settings"] = settings
    try:
        timing = measure(create, repeat=3, prepare=prepare)
    finally:
        stalker.defaults["database_session_settings"] = saved
    timing["per_version_s"] = round(timing["median_s"] / count, 7)
    return timing


def _scenario(backend: str, url: str | None, folder: Path) -> dict[str, Any]:
    count = _count()
    results: dict[str, Any] = {"scenario": f"versions_{backend}", "versions": count}
    for batch_size, settings in RUNS:
        name = f"create_render_commit_batch_{batch_size}"
        if settings:
            name += "_" + "_".join(f"{k}_{v}" for k, v in settings.items()).lower()
        results[name] = _timed_publish(url, folder, batch_size, settings)
    task = DBSession.get(Task, _fresh_database(url, folder))
    publish(task, count, 50)
    first = Version.query.filter_by(task=task, version_number=1).one()
    assert first.latest_version.version_number == count
    results["latest_version"] = measure(lambda: first.latest_version, repeat=200)
    results["targets_s"] = TARGETS_S
    DBSession.remove()
    return results


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        results = [_scenario(backend, url, Path(folder)) for backend, url in backends()]
    return {"scenario": "versions", "results": results}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
