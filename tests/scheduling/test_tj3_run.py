"""The tj3 run is bounded: a wrapper that forks is stopped with its children."""

from __future__ import annotations

import os
import stat
import time
from typing import Any

import pytest

from stalker.scheduling.tj3 import TaskJugglerError, TaskJugglerTimeoutError, run_tj3

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")


def wrapper(tmp_path: Any, body: str) -> str:
    script = tmp_path / "tj3_wrapper"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child of a killed parent may linger as a zombie until reaped
    with open(f"/proc/{pid}/stat", encoding="ascii") as status:
        return status.read().split(") ", 1)[1][0] != "Z"


def test_a_forking_wrapper_is_stopped_within_its_timeout(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = wrapper(
        tmp_path,
        f'echo "tj3: working" >&2\nsleep 30 &\necho $! > "{pid_file}"\nwait',
    )
    started = time.monotonic()
    with pytest.raises(TaskJugglerTimeoutError, match=r"within 1\.0 s") as caught:
        run_tj3(script, str(tmp_path / "studio.tjp"), str(tmp_path), timeout=1.0)
    elapsed = time.monotonic() - started

    assert elapsed < 1.0 + 1.0
    error = caught.value
    assert isinstance(error, TaskJugglerError)
    assert isinstance(error, TimeoutError)
    assert error.timeout == 1.0
    assert "tj3: working" in str(error)
    # SIGKILL is delivered asynchronously: the grandchild must be gone within
    # the same bound (timeout + 1 s), not necessarily the instant run_tj3 returns
    grandchild = int(pid_file.read_text())
    while alive(grandchild) and time.monotonic() < started + 1.0 + 1.0:
        time.sleep(0.01)
    assert not alive(grandchild)


def test_a_descendant_leaving_the_group_does_not_hold_the_call(tmp_path):
    """setsid escapes the group; the pipe it keeps open is read only briefly."""
    script = wrapper(tmp_path, "setsid sleep 4 &\nsleep 30")
    started = time.monotonic()
    with pytest.raises(TaskJugglerTimeoutError):
        run_tj3(script, str(tmp_path / "studio.tjp"), str(tmp_path), timeout=0.5)
    assert time.monotonic() - started < 0.5 + 1.0


def test_a_quick_wrapper_is_not_affected(tmp_path):
    script = wrapper(tmp_path, 'echo "x.tjp:1: Warning: fine" >&2\nsleep 0.1 &\nwait')
    assert run_tj3(script, "x.tjp", str(tmp_path), timeout=5) == (
        "x.tjp:1: Warning: fine"
    )
