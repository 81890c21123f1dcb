"""benchmarks/bench_import.py still runs and reports what it promises (tiny, SQLite)."""

from __future__ import annotations

import importlib
from pathlib import Path

from stalker.db.session import DBSession
from stalker.models.status import clear_status_list_cache

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_import_benchmark_runs(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delenv("STALKER_BENCH_PG", raising=False)
    monkeypatch.delenv("STALKER_BENCH_PG_URL", raising=False)
    monkeypatch.setenv("STALKER_BENCH_IMPORT_SHOTS", "6")
    monkeypatch.setenv("STALKER_BENCH_REPEAT", "1")
    try:
        result = importlib.import_module("bench_import").run()
    finally:
        DBSession.remove()
        DBSession.configure(bind=None)
        clear_status_list_cache()
    assert result["scenario"] == "import_6_shots"
    (sqlite,) = result["results"]
    assert sqlite["backend"] == "sqlite"
    assert sqlite["tasks"] == 30
    for key in ("import_commit", "constructors_commit"):
        assert 0 < sqlite[key]["best_s"] <= sqlite[key]["median_s"]
    assert sqlite["ratio"] > 0
