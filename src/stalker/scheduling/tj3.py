"""Running TaskJuggler's ``tj3`` and reading its CSV report back.

tj3 prints progress on stdout and warnings/errors on stderr (``<file>:<line>:
Error: ...``); it exits with 1 on errors.  It reads and writes times in its
process's local zone, so it always runs with ``TZ=UTC``: Stalker writes UTC
and reads UTC back, and no daylight-saving jump can shift a date.
"""

from __future__ import annotations

import csv
import datetime
import errno
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from stalker.exceptions import StalkerError

logger = logging.getLogger(__name__)

_CSV_TIME = "%Y-%m-%d-%H:%M"
_DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<kind>Error|Warning): ")


@dataclass(frozen=True, slots=True)
class Tj3Diagnostic:
    """One ``<file>:<line>: Error|Warning: <text>`` message of tj3."""

    file: str
    line: int
    kind: str
    text: str


class TaskJugglerError(StalkerError, RuntimeError):
    """tj3 rejected the file, failed or ran out of time.

    ``str(error)`` is tj3's own stderr text (file, line and message);
    ``diagnostics`` holds its ``file:line`` messages parsed, and
    ``source_lines`` the offending ``.tjp`` lines, for display.
    """

    def __init__(
        self,
        message: str,
        returncode: int | None = None,
        diagnostics: Sequence[Tj3Diagnostic] = (),
        source_lines: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.diagnostics = list(diagnostics)
        self.source_lines = list(source_lines)


def find_tj3(command: str) -> str:
    """The runnable tj3: ``command`` itself if it exists, else ``tj3`` on PATH.

    A missing executable raises ``FileNotFoundError`` naming both places
    looked at and how to configure another one.
    """
    found = None
    if command:
        found = command if os.path.isfile(command) else shutil.which(command)
    found = found or shutil.which("tj3")
    if found is None or not os.access(found, os.X_OK):
        raise FileNotFoundError(
            errno.ENOENT,
            "TaskJuggler's tj3 executable was not found (tj_command is "
            f"{command!r} and there is no tj3 on PATH); install TaskJuggler or "
            "set tj_command in $STALKER_PATH/config.py",
            command,
        )
    return found


def parse_diagnostics(stderr: str) -> list[Tj3Diagnostic]:
    """The ``file:line: Error|Warning:`` messages of tj3's stderr, in order."""
    found = []
    for line in stderr.splitlines():
        match = _DIAGNOSTIC.match(line)
        if match:
            found.append(
                Tj3Diagnostic(
                    match["file"],
                    int(match["line"]),
                    match["kind"],
                    line[match.end() :],
                )
            )
    return found


def run_tj3(
    command: str,
    tjp_path: str,
    output_dir: str,
    timeout: float | None = None,
) -> str:
    """Run ``tj3 <tjp_path> -o <output_dir>``; return its stderr (warnings).

    Raises :class:`TaskJugglerError` carrying tj3's message when it exits with
    an error or does not finish within ``timeout`` seconds (it is killed).
    """
    executable = find_tj3(command)
    environment = {**os.environ, "TZ": "UTC"}
    process = subprocess.Popen(
        [executable, tjp_path, "-o", output_dir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=output_dir,
        env=environment,
    )
    try:
        _, raw = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, raw = process.communicate()
        stderr = _decode(raw)
        raise TaskJugglerError(
            f"tj3 did not finish within {timeout} s and was stopped"
            + (f":\n{stderr}" if stderr else ""),
            diagnostics=parse_diagnostics(stderr),
        ) from None
    stderr = _decode(raw)
    for line in stderr.splitlines():
        logger.debug("tj3: %s", line)
    if process.returncode != 0:
        diagnostics = parse_diagnostics(stderr)
        raise TaskJugglerError(
            stderr or f"tj3 failed with exit status {process.returncode}",
            returncode=process.returncode,
            diagnostics=diagnostics,
            source_lines=_offending_lines(tjp_path, diagnostics),
        )
    return stderr


def _offending_lines(tjp_path: str, diagnostics: list[Tj3Diagnostic]) -> list[str]:
    """``<line>: <text>`` of the .tjp lines tj3 complained about."""
    name = os.path.basename(tjp_path)
    wanted = sorted({d.line for d in diagnostics if os.path.basename(d.file) == name})
    if not wanted:
        return []
    try:
        with open(tjp_path, encoding="utf-8") as tjp:
            lines = tjp.read().split("\n")
    except OSError:
        return []
    return [f"{n}: {lines[n - 1]}" for n in wanted if n <= len(lines)]


def _decode(raw: bytes | None) -> str:
    text = (raw or b"").decode("utf-8", errors="replace")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True, slots=True)
class Tj3Row:
    """One row of tj3's CSV report: an entity id, its dates and resources."""

    entity_id: int
    start: datetime.datetime
    end: datetime.datetime
    resource_ids: tuple[int, ...] | None


def _trailing_id(text: str) -> int:
    """``Project_20.Task_21`` -> 21; ``User_10 (User_10)`` -> 10."""
    return int(text.split("(")[0].strip().rsplit("_", 1)[-1])


def _csv_time(text: str, seen: dict[str, datetime.datetime]) -> datetime.datetime:
    """``2014-06-02-06:00`` (tj3's ``%Y-%m-%d-%H:%M``) as an aware UTC datetime.

    tj3 dates repeat a lot (resolution steps), so each text is parsed once;
    ``strptime`` would cost more than the whole write-back.
    """
    moment = seen.get(text)
    if moment is None:
        if len(text) != 16 or text[4] != "-" or text[10] != "-" or text[13] != ":":
            raise ValueError(f"tj3 time {text!r} does not match {_CSV_TIME!r}")
        moment = seen[text] = datetime.datetime.fromisoformat(
            f"{text[:10]}T{text[11:]}+00:00"
        )
    return moment


def parse_csv(path: str, compute_resources: bool) -> list[Tj3Row]:
    """Rows of a report written with ``columns id, start, end[, resources]``.

    A missing file gives ``[]``.  Resource ids are read only when
    ``compute_resources`` (``None`` otherwise; ``()`` for an empty field).
    """
    try:
        with open(path, encoding="utf-8", newline="") as report:
            rows = list(csv.reader(report, delimiter=";"))
    except FileNotFoundError:
        return []
    parsed = []
    seen: dict[str, datetime.datetime] = {}
    for row in rows[1:]:
        if not row:
            continue
        entity_id = _trailing_id(row[0].rsplit(".", 1)[-1])
        if entity_id == 0:
            continue
        resources = None
        if compute_resources:
            field = row[3] if len(row) > 3 else ""
            resources = tuple(
                _trailing_id(piece) for piece in field.split(",") if piece.strip()
            )
        parsed.append(
            Tj3Row(
                entity_id, _csv_time(row[1], seen), _csv_time(row[2], seen), resources
            )
        )
    return parsed
