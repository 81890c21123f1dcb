"""``pip install`` of the wheel gives a working ``stalker`` console script.

The wheel is installed without dependencies into a new virtualenv that sees
this environment's packages through a ``.pth`` file, so no package index is
needed; what is checked is the wheel itself: its entry point and the report's
CSS/JS package data.
"""

from __future__ import annotations

import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=600, **kwargs
    )


def test_the_installed_wheel_runs_stalker_help_and_writes_a_report(
    tmp_path, built_wheel
):
    wheel = built_wheel
    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    purelib = _run(
        str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    ).stdout.strip()
    # the dependencies come from this environment (listed after the env's own)
    here = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (Path(purelib) / "deps.pth").write_text("\n".join(here) + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--no-deps",
        str(wheel),
    )
    stalker = target / "bin" / "stalker"
    outside = {"cwd": tmp_path}
    assert "report" in _run(str(stalker), "--help", **outside).stdout
    database = f"sqlite:///{tmp_path / 'studio.db'}"
    _run(str(stalker), "--url", database, "init", **outside)
    page = tmp_path / "studio.html"
    done = _run(str(stalker), "--url", database, "report", "-o", str(page), **outside)
    assert "report of 0 tasks" in done.stdout
    text = page.read_text("utf-8")
    assert "--crit" in text and "function drawRows" in text  # the CSS and JS
    where = _run(
        str(python), "-c", "import stalker; print(stalker.__file__)", **outside
    )
    assert where.stdout.startswith(str(target))
