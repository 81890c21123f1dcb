"""The task and version benchmarks still run and report what they promise.

Tiny sizes on SQLite: these tests check the scripts, never their timings.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stalker.db.session import DBSession
from stalker.models.status import clear_status_list_cache

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delenv("STALKER_BENCH_PG", raising=False)
    monkeypatch.delenv("STALKER_BENCH_PG_URL", raising=False)
    yield lambda name: importlib.import_module(name).run()
    DBSession.remove()
    DBSession.configure(bind=None)
    clear_status_list_cache()


def _timing(value: dict[str, Any]) -> float:
    assert value["runs"] >= 1
    assert 0 < value["best_s"] <= value["median_s"]
    return float(value["median_s"])


def test_tasks_benchmark(bench, monkeypatch):
    monkeypatch.setenv("STALKER_BENCH_TASKS", "40")
    (result,) = bench("bench_tasks")["results"]
    assert result["scenario"] == "tasks_sqlite_40"
    assert result["tasks"] == result["hierarchy_walk"]["tasks"] > 40
    assert result["hierarchy_walk"]["queries"] <= 40
    for key in ("create_commit", "tasks_of_user_in_project", "hierarchy_walk"):
        _timing(result[key])
    assert result["task_by_id_uncached_s"] > 0


def test_versions_benchmark(bench, monkeypatch):
    monkeypatch.setenv("STALKER_BENCH_VERSIONS", "4")
    (result,) = bench("bench_versions")["results"]
    assert result["versions"] == 4
    for key in (
        "create_render_commit_batch_1",
        "create_render_commit_batch_50",
        "create_render_commit_batch_1_expire_on_commit_false",
    ):
        assert result[key]["per_version_s"] == pytest.approx(
            _timing(result[key]) / 4, rel=0.01
        )
    _timing(result["latest_version"])


def test_scale_benchmark(bench, monkeypatch, backend):
    monkeypatch.setenv("STALKER_BENCH_SCALE_TASKS", "60")
    monkeypatch.setenv("STALKER_BENCH_SCALE_USERS", "4")
    monkeypatch.setenv("STALKER_BENCH_SCALE_RUNS", "1")
    monkeypatch.setenv("STALKER_BENCH_SCALE_BACKENDS", backend)
    report = bench("bench_scale")
    (result,) = report["results"]
    assert result["scenario"] == f"scale_{backend}_60"
    assert result["tasks"] > 60
    assert result["resources"] == 4
    native = result["native"]
    assert native["runs"] == 1
    for phase in ("gather_s", "engine_s", "write_back_s", "commit_s"):
        assert 0 < native[phase] <= native["total_s"]
    assert native["schedule_s"] <= native["total_s"]
    assert native["engine_alone_s"] > 0  # the control, a process of its own
    assert native["schedule_over_engine"] >= 1  # schedule() holds the engine
    assert 0 < native["peak_rss_mb"] < 2048
    assert result["targets_met"] == {"peak_rss_mb": True}


def test_orm_benchmark_against_its_control(bench, monkeypatch):
    monkeypatch.setenv("STALKER_BENCH_ORM_TASKS", "40")
    monkeypatch.setenv("STALKER_BENCH_ORM_VERSIONS", "2")
    monkeypatch.setenv("STALKER_BENCH_ORM_RUNS", "1")
    (result,) = bench("bench_orm")["results"]
    assert result["scenario"] == "orm_sqlite_40"
    assert result["tasks"] > 40
    figures = result["figures"]
    assert set(figures) == {
        "task_by_id",
        "status_by_code",
        "user_by_login",
        "user_by_name",
        "shot_by_code",
        "tasks_of_user_in_project",
        "create_commit",
        "publish",
    }
    for figure in figures.values():
        assert figure["stalker_s"] > 0 and figure["control_s"] > 0
        assert figure["ratio"] == pytest.approx(
            figure["stalker_s"] / figure["control_s"], rel=0.01, abs=0.001
        )
        assert figure["met"] == (figure["ratio"] <= figure["target_ratio"])
    assert figures["tasks_of_user_in_project"]["rows"] > 0
    stalker_path, control_path = figures["publish"]["paths"]
    assert stalker_path.split("/")[1:] == control_path.split("/")[1:]


def test_to_tjp_benchmark(bench, monkeypatch, backend):
    monkeypatch.setenv("STALKER_BENCH_TO_TJP_TASKS", "40")
    monkeypatch.setenv("STALKER_BENCH_TO_TJP_RUNS", "1")
    monkeypatch.setenv("STALKER_BENCH_TO_TJP_BACKENDS", backend)
    (result,) = bench("bench_to_tjp")["results"]
    assert result["scenario"] == f"to_tjp_{backend}_40"
    assert result["tasks"] > 40
    assert result["to_tjp_s"] > 0 and result["builder_s"] > 0
    assert result["ratio"] == pytest.approx(
        result["to_tjp_s"] / result["builder_s"], rel=0.1
    )
    assert result["to_tjp_chars"] > result["tasks"] * 20  # every task printed
