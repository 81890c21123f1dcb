"""Run every benchmark scenario and print their results as one JSON document.

Usage: ``make bench`` or ``python benchmarks/run.py [scenario ...]`` where a
scenario is a ``bench_<name>.py`` module in this folder.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scenario_names() -> list[str]:
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    wanted = argv or scenario_names()
    results = [importlib.import_module(name).run() for name in wanted]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
