"""Run the seed tutorial's code on the ORIGINAL Stalker, into a database.

Run with the Python of a venv made by ``build.py``::

    <venv>/bin/python seed_tutorial.py TUTORIAL.txt sqlite:////tmp/tutorial.db

Every literal block (``::``) of the tutorial is run in order in one namespace;
the tutorial's own ``db.setup(...)`` lines are replaced by one for the given
URL, and blocks that are shell commands or configuration are skipped.  A block
that fails is reported on stderr and the run goes on (the text has blocks that
only illustrate), so the database holds what the tutorial builds.
"""

from __future__ import annotations

import re
import sys
import traceback
import warnings

warnings.simplefilter("ignore")

#: Where the tutorial asks of the original what it does not do: append the
#: other side of a relationship it already filled in (1.x), make a second
#: Project status list besides init()'s (1.x), a repository without a code
#: (0.2.28).  The tutorial's intent is kept; only these calls change.
_FIXES = {
    "me.departments.append(tds_department)": (
        "tds_department in me.departments or me.departments.append(tds_department)"
    ),
    "project_statuses = StatusList(": (
        "project_statuses = StatusList.query.filter_by("
        "target_entity_type='Project').first() or StatusList("
    ),
    'name="Commercial Repository"\n)': 'name="Commercial Repository", code="CR"\n)',
}

_SETUP = re.compile(r"^\s*db\.setup\(.*\)\s*(#.*)?$")


def literal_blocks(text: str) -> list[str]:
    """The indented blocks that follow a paragraph ending in ``::``."""
    lines = text.splitlines()
    blocks: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith(".. ::"):  # a comment: its body is no code
            while index < len(lines) and (
                not lines[index].strip() or lines[index].startswith(" ")
            ):
                index += 1
            continue
        if not line.rstrip().endswith("::") or line.lstrip().startswith(".. "):
            continue
        while index < len(lines) and not lines[index].strip():
            index += 1
        block: list[str] = []
        while index < len(lines) and (
            not lines[index].strip() or lines[index].startswith((" ", "\t"))
        ):
            block.append(lines[index])
            index += 1
        if block:
            blocks.append(_dedent(block))
    return blocks


def _dedent(block: list[str]) -> str:
    indents = [len(x) - len(x.lstrip()) for x in block if x.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(x[cut:] for x in block).strip("\n")


def _is_python(block: str) -> bool:
    first = block.lstrip().splitlines()[0]
    return not first.startswith(("$", "tj3", "[", "<", "/", "C:", "stalker_"))


def run(tutorial: str, url: str) -> int:
    """Run the tutorial against ``url``; the number of blocks that failed."""
    with open(tutorial, encoding="utf-8") as stream:
        blocks = literal_blocks(stream.read())
    _expose_setup()
    from stalker.db.session import DBSession

    # the documents' own typo
    namespace: dict[str, object] = {"__name__": "__tutorial__", "DBsession": DBSession}
    exec(  # noqa: S102  (the tutorial is the program under test)
        f"from stalker import db\ndb.setup({{'sqlalchemy.url': {url!r}}})",
        namespace,
    )
    failed = 0
    for number, block in enumerate(blocks):
        if not _is_python(block):
            continue
        code = "\n".join(line for line in block.splitlines() if not _SETUP.match(line))
        for wrong, right in _FIXES.items():
            code = code.replace(wrong, right)
        if "StatusList.query" in code:
            code = "from stalker import StatusList\n" + code
        try:
            exec(compile(code, f"<tutorial block {number}>", "exec"), namespace)
            _add_new_tasks(namespace)
        except Exception:  # noqa: BLE001  (reported, the tutorial goes on)
            failed += 1
            print(f"--- block {number} failed:\n{code}", file=sys.stderr)
            traceback.print_exc(limit=1)
            _rollback(namespace)
    _commit(namespace)
    return failed


def _expose_setup() -> None:
    """1.1.x's ``stalker.db`` lacks the ``db.setup``/``db.init`` the tutorial calls."""
    import stalker.db
    from stalker.db.session import DBSession

    stalker.db.DBSession = DBSession  # type: ignore[attr-defined]
    try:
        from stalker.db.setup import init, setup
    except ImportError:  # 0.2.x: stalker.db has them itself
        return
    stalker.db.setup = setup  # type: ignore[attr-defined]
    stalker.db.init = init  # type: ignore[attr-defined]


def _add_new_tasks(namespace: dict[str, object]) -> None:
    """1.1.x does not cascade a new child task into the session as 0.2.x did."""
    from sqlalchemy import inspect

    from stalker import Task
    from stalker.db.session import DBSession

    for value in list(namespace.values()):
        if isinstance(value, Task) and inspect(value).transient:
            DBSession.add(value)


def _rollback(namespace: dict[str, object]) -> None:
    from stalker.db.session import DBSession

    DBSession.rollback()


def _commit(namespace: dict[str, object]) -> None:
    from stalker.db.session import DBSession

    DBSession.commit()


if __name__ == "__main__":
    count = run(sys.argv[1], sys.argv[2])
    print(f"tutorial run: {count} block(s) failed")
