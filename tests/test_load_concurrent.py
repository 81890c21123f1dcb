"""The many-writers load test still runs and checks what it promises (tiny sizes).

Not a timed test: only its counts are asserted.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from stalker.db.session import DBSession

from .test_benchmarks import BENCHMARKS


@pytest.fixture
def load_test(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("load_concurrent")


def test_two_writers_leave_everything_right(
    load_test, empty_database_settings, backend
):
    url = empty_database_settings["sqlalchemy.url"]
    result = load_test.run_backend(backend, url, processes=2, ops=2, kill=False)
    DBSession.remove()

    assert result["attempted"] == {name: 4 for name in load_test.SCENARIOS}
    assert result["errors"] == {}
    # two writers try each slot: one booking per slot is stored
    assert result["committed"]["time_logs"] == 2
    assert result["refused_as_expected"] == {"OverBookedError": 2}
    assert result["committed"]["completions"] == 4
    for key in ("duplicates", "overlapping_bookings", "wrong_roll_ups"):
        assert result[key] == 0, key
    assert result["lost_acknowledged_writes"] == 0
    assert result["acknowledged_writes"] == 4 * 4 + 2
    assert set(result["latency"]) == set(load_test.SCENARIOS)
