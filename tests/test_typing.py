"""What a user's type checker learns from the package (py.typed, typed queries)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

USER_CODE = """
from stalker import Task, User
reveal_type(Task.query.first())
reveal_type(User.query.filter_by(login="ann").all())
reveal_type(Task.query.get(1))
"""


def test_class_query_is_typed_by_its_class(tmp_path):
    script = tmp_path / "pipeline_tool.py"
    script.write_text(USER_CODE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    revealed = [
        line.split("Revealed type is ", 1)[1].strip('"')
        for line in result.stdout.splitlines()
        if "Revealed type is" in line
    ]
    assert revealed == [
        "stalker.models.task.Task | None",
        "list[stalker.models.auth.User]",
        "stalker.models.task.Task | None",
    ], result.stdout + result.stderr
