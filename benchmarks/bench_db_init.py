"""db.setup() + db.init() on an empty SQLite file (target: <= 0.3 s)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from common import measure

from stalker import db
from stalker.db.session import DBSession

TARGET_S = 0.3


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        paths: list[Path] = []

        def prepare() -> None:
            DBSession.remove()
            paths.append(Path(folder) / f"{uuid.uuid4().hex}.db")

        def setup_and_init() -> None:
            db.setup({"sqlalchemy.url": f"sqlite:///{paths[-1]}"})
            db.init()

        timing = measure(setup_and_init, repeat=7, prepare=prepare)
        DBSession.remove()
    return {
        "scenario": "db_setup_init_sqlite_file",
        **timing,
        "target_s": TARGET_S,
        "meets_target": timing["median_s"] <= TARGET_S,
    }
