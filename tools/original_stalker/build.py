"""Cached throwaway virtualenvs holding the ORIGINAL Stalker from PyPI.

``python tools/original_stalker/build.py 0.2.28`` prints the path of a Python
that imports ``stalker==0.2.28`` (with SQLAlchemy 1.4); ``1.1.2.1`` gives one
with SQLAlchemy 2.0.  The venvs live in ``$STALKER_LEGACY_CACHE`` (default
``~/.cache/stalker-legacy``) and are built once; a file lock keeps parallel
test runs from building the same one twice.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

#: What each generation needs: the original and the SQLAlchemy it was made for.
REQUIREMENTS = {
    "0.2.28": ["stalker==0.2.28", "SQLAlchemy>=1.4,<2", "psycopg2-binary"],
    "1.1.2.1": ["stalker==1.1.2.1", "SQLAlchemy>=2.0,<2.1", "psycopg2-binary"],
}

HERE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Where the venvs are kept (outside the repository)."""
    default = Path.home() / ".cache" / "stalker-legacy"
    return Path(os.environ.get("STALKER_LEGACY_CACHE", default))


def python_for(version: str) -> Path:
    """The Python of a venv with the original ``stalker==version`` installed."""
    if version not in REQUIREMENTS:
        raise ValueError(
            f"build.py: the original Stalker version should be one of "
            f"{sorted(REQUIREMENTS)}, not {version!r}"
        )
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"stalker-{version}"
    stamp = target / ".ready"
    wanted = " ".join(REQUIREMENTS[version])
    with open(root / f".stalker-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == wanted):
            venv.create(target, with_pip=True, clear=True)
            subprocess.run(
                [str(target / "bin" / "python"), "-m", "pip", "install", "-q"]
                + REQUIREMENTS[version],
                check=True,
            )
            stamp.write_text(wanted)
    return target / "bin" / "python"


def make_source_db(version: str, url: str) -> None:
    """Build the sample studio with the original ``stalker==version`` at ``url``."""
    subprocess.run(
        [str(python_for(version)), str(HERE / "make_source_db.py"), url],
        check=True,
        capture_output=True,
        text=True,
    )


def run_seed_tutorial(version: str, tutorial: Path, url: str) -> str:
    """Run the seed tutorial on the original ``stalker==version`` into ``url``."""
    done = subprocess.run(
        [str(python_for(version)), str(HERE / "seed_tutorial.py"), str(tutorial), url],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout + done.stderr


if __name__ == "__main__":
    print(python_for(sys.argv[1]))
