"""benchmarks/bench_cli.py still runs and reports what it promises (tiny size)."""

from __future__ import annotations

import importlib
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_bench_cli_reports_the_overhead_and_the_report(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("STALKER_BENCH_CLI_TASKS", "40")
    monkeypatch.setenv("STALKER_BENCH_CLI_RUNS", "1")
    result = importlib.import_module("bench_cli").run()
    assert result["tasks"] >= 40
    assert result["engine_alone_s"] > 0 and result["cli_s"] > 0
    assert isinstance(result["cli_overhead_pct"], float)
    assert result["cli_summary"]["tasks_planned"] == result["tasks"]
    assert result["report_s"] > 0 and result["report_mb"] > 0
    if "browser_s" in result:
        assert result["page_ready"] is True
        assert result["page_errors"] is False
        assert result["bars_in_dom"] >= 1
    else:
        assert result["browser"].startswith("skipped")
