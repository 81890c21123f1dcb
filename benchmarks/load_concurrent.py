"""Many writer processes at once on one studio database (issue 17's load test).

N processes (``--processes``, default 4) each run every scenario ``--ops``
times (default 50) against the same database, as artists, supervisors and a
farm would:

versions      publish ``Version(task=shared_task)`` and commit
tickets       open a ticket on the shared project and commit
time_logs     book the shared user on slot i (the same 50 one-hour slots for
              everybody: one booking per slot may succeed, the others must be
              refused with OverBookedError)
completions   round i: every process completes its own sibling of family i
              (time log, ``request_review()``, ``approve()``) at the same moment
hold_resume   hold then resume the process's own task under a shared parent

Every committed write is acknowledged to a file right after its commit, so
the check at the end finds lost acknowledged writes even for a process that
was killed (``--kill``: SIGKILL one writer mid-run, then start it again).
The end check recomputes every task status from its children and
dependencies and looks for duplicate numbers and overlapping bookings.

Prints one JSON document per backend (and writes them with ``--out``):
``python benchmarks/load_concurrent.py --processes 8 --backend both``.
PostgreSQL: ``--pg-url`` (an empty database), else a private server is
started the way the tests do.  Not a timed test: its figures vary by machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path
from typing import Any

UTC = datetime.timezone.utc
SLOT_DAY = datetime.datetime(2026, 3, 2, tzinfo=UTC)
SCENARIOS = ("versions", "tickets", "time_logs", "completions", "hold_resume")
_DONE = frozenset({"CMPL", "STOP"})


def _slot(index: int, hours: int = 1) -> tuple[datetime.datetime, datetime.datetime]:
    start = SLOT_DAY + datetime.timedelta(hours=index)
    return start, start + datetime.timedelta(hours=hours)


# -- setting the studio up ----------------------------------------------------------


def build_studio(url: str, processes: int, ops: int) -> dict[str, Any]:
    """The shared data every worker uses; ids only (workers load their own)."""
    from stalker import Project, Repository, Task, User, db
    from stalker.db.session import DBSession

    db.setup({"sqlalchemy.url": url})
    db.init()
    session = DBSession()
    users = [
        User(name=f"artist{i}", login=f"artist{i}", email=f"a{i}@x.com", password="pw")
        for i in range(processes)
    ]
    booked = User(name="farm", login="farm", email="farm@x.com", password="pw")
    project = Project(
        name="Load", code="LOAD", repositories=[Repository(name="R", code="R")]
    )
    publish = Task(name="publish", project=project, resources=[users[0]])
    bookings = [
        Task(name=f"booking{i}", project=project, resources=[booked])
        for i in range(processes)
    ]
    holds_parent = Task(name="holds", project=project)
    holds = [
        Task(name=f"hold{i}", parent=holds_parent, resources=[users[i]])
        for i in range(processes)
    ]
    families = []
    for round_ in range(ops):
        parent = Task(name=f"family{round_}", project=project)
        children = [
            Task(
                name=f"f{round_}c{i}",
                parent=parent,
                resources=[users[i]],
                responsible=[users[i]],
            )
            for i in range(processes)
        ]
        dependent = Task(
            name=f"f{round_}dep", project=project, depends_on=children, resources=users
        )
        families.append((parent, children, dependent))
    session.add_all([project, *users, booked])
    session.commit()
    # the hold tasks start in WIP: one logged hour each, far from the slots
    from stalker import TimeLog

    for index, task in enumerate(holds):
        start, end = _slot(-1000 - index)
        TimeLog(task=task, resource=users[index], start=start, end=end)
    session.commit()
    studio = {
        "users": [u.id for u in users],
        "booked_user": booked.id,
        "project": project.id,
        "publish_task": publish.id,
        "booking_tasks": [t.id for t in bookings],
        "hold_tasks": [t.id for t in holds],
        "families": [[c.id for c in children] for _, children, _ in families],
    }
    engine = DBSession.get_bind()
    DBSession.remove()
    engine.dispose()  # the workers open their own connections
    return studio


# -- one worker -------------------------------------------------------------------


class Worker:
    """One writer process: runs every scenario, records latencies and outcomes."""

    def __init__(self, index: int, url: str, studio: dict[str, Any], folder: Path):
        from stalker import db
        from stalker.db.session import DBSession

        db.setup({"sqlalchemy.url": url})
        self.session = DBSession()
        self.index = index
        self.studio = studio
        self.acks = (folder / f"acks{index}.jsonl").open("a", encoding="utf-8")
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.attempted: Counter[str] = Counter()
        self.committed: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def ack(self, kind: str, **what: Any) -> None:
        self.acks.write(json.dumps({"kind": kind, **what}) + "\n")
        self.acks.flush()

    def run(self, name: str, op: Any, expected: tuple[type, ...] = ()) -> None:
        self.attempted[name] += 1
        started = time.perf_counter()
        try:
            acked = op()
        except expected as error:
            self.session.rollback()
            self.refused[type(error).__name__] += 1
        except Exception as error:
            self.session.rollback()
            key = type(error).__name__
            if "database is locked" in str(error):
                key = "sqlite_database_is_locked"
            self.errors[key] += 1
            if self.errors[key] <= 2:
                traceback.print_exc(file=sys.stderr)
        else:
            self.committed[name] += 1
            for kind, what in acked:
                self.ack(kind, **what)
        finally:
            self.latencies[name].append(time.perf_counter() - started)

    # the scenarios: each returns what it committed, as acknowledgements

    def version(self) -> list[Any]:
        from stalker import Task, Version

        task = self.session.get(Task, self.studio["publish_task"])
        version = Version(task=task)
        self.session.commit()
        return [("version", {"id": version.id})]

    def ticket(self) -> list[Any]:
        from stalker import Project, Ticket

        project = self.session.get(Project, self.studio["project"])
        ticket = Ticket(project=project, summary=f"from {self.index}")
        self.session.commit()
        return [("ticket", {"id": ticket.id})]

    def time_log(self, slot: int) -> list[Any]:
        from stalker import Task, TimeLog, User

        task = self.session.get(Task, self.studio["booking_tasks"][self.index])
        user = self.session.get(User, self.studio["booked_user"])
        start, end = _slot(slot)
        log = TimeLog(task=task, resource=user, start=start, end=end)
        self.session.commit()
        return [("time_log", {"id": log.id})]

    def completion(self, round_: int) -> list[Any]:
        from stalker import Task, TimeLog, User

        task = self.session.get(Task, self.studio["families"][round_][self.index])
        if task.status.code == "CMPL":  # done before this worker was killed
            return [("status", {"task": task.id, "code": "CMPL"})]
        user = self.session.get(User, self.studio["users"][self.index])
        [child.status.code for child in task.parent.children]  # read the family
        start, end = _slot(100 + round_)
        TimeLog(task=task, resource=user, start=start, end=end)
        for review in task.request_review():
            review.approve()
        self.session.commit()
        return [("status", {"task": task.id, "code": "CMPL"})]

    def hold_resume(self) -> list[Any]:
        from stalker import Task

        task = self.session.get(Task, self.studio["hold_tasks"][self.index])
        assert task.parent.status.code  # read the parent first
        if task.status.code != "OH":  # OH: killed between hold and resume
            task.hold()
            self.session.commit()
        task.resume()
        self.session.commit()
        return [("status", {"task": task.id, "code": task.status.code})]


def worker_main(
    index: int,
    url: str,
    studio: dict[str, Any],
    ops: int,
    folder: str,
    barrier: Any,
) -> None:
    from stalker.exceptions import OverBookedError

    worker = Worker(index, url, studio, Path(folder))
    done_file = Path(folder) / f"progress{index}.json"
    start_round = 0
    if done_file.exists():  # restarted after a kill: go on where it was
        start_round = json.loads(done_file.read_text())["round"]
    for round_ in range(start_round, ops):
        worker.run("versions", worker.version)
        worker.run("tickets", worker.ticket)
        slot = (round_ + index) % ops  # everybody tries every slot
        worker.run("time_logs", partial(worker.time_log, slot), (OverBookedError,))
        if barrier is not None:
            try:
                barrier.wait(timeout=10)
            except Exception:  # a killed neighbour breaks it: go on unsynchronised
                barrier = None
        worker.run("completions", partial(worker.completion, round_))
        worker.run("hold_resume", worker.hold_resume)
        done_file.write_text(json.dumps({"round": round_ + 1}))
    report = {
        "attempted": worker.attempted,
        "committed": worker.committed,
        "refused": worker.refused,
        "errors": worker.errors,
        "latencies": worker.latencies,
    }
    (Path(folder) / f"report{index}.json").write_text(json.dumps(report))


# -- the end check ------------------------------------------------------------------


def _expected_container_code(codes: set[str]) -> str:
    working = codes - {"STOP"}
    if not codes:
        return "WFD"
    if working <= {"CMPL"}:
        return "CMPL"
    if working == {"WFD"}:
        return "WFD"
    if working in ({"RTS"}, {"WFD", "RTS"}):
        return "RTS"
    return "WIP"


def check_database(url: str, folder: Path) -> dict[str, Any]:
    """Recompute what the writers should have left; count what is wrong."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        codes = dict(
            connection.execute(
                text(
                    'SELECT t.id, s.code FROM "Tasks" t '
                    'JOIN "Statuses" s ON s.id = t.status_id'
                )
            ).all()
        )
        parents = connection.execute(
            text('SELECT id, parent_id FROM "Tasks" WHERE parent_id IS NOT NULL')
        ).all()
        dependencies = connection.execute(
            text('SELECT task_id, depends_on_id FROM "Task_Dependencies"')
        ).all()
        duplicate_versions = connection.execute(
            text(
                "SELECT count(*) - count(DISTINCT task_id || '/' || take_name || "
                "'/' || version_number) FROM \"Versions\""
            )
        ).scalar()
        duplicate_tickets = connection.execute(
            text('SELECT count(*) - count(DISTINCT number) FROM "Tickets"')
        ).scalar()
        overlaps = connection.execute(
            text(
                'SELECT count(*) FROM "TimeLogs" a JOIN "TimeLogs" b '
                "ON a.resource_id = b.resource_id AND a.id < b.id "
                'AND a.start < b."end" AND b.start < a."end"'
            )
        ).scalar()
        stored = {
            kind: {row[0] for row in connection.execute(text(query))}
            for kind, query in {
                "version": 'SELECT id FROM "Versions"',
                "ticket": 'SELECT id FROM "Tickets"',
                "time_log": 'SELECT id FROM "TimeLogs"',
            }.items()
        }
    engine.dispose()
    children: dict[int, set[str]] = defaultdict(set)
    for child, parent in parents:
        children[parent].add(codes[child])
    wrong = []
    for parent, child_codes in children.items():
        if codes[parent] != _expected_container_code(child_codes):
            wrong.append((parent, codes[parent], sorted(child_codes)))
    depends: dict[int, set[str]] = defaultdict(set)
    for task, dependency in dependencies:
        depends[task].add(codes[dependency])
    for task, dependency_codes in depends.items():
        all_done = dependency_codes <= _DONE
        if (codes[task] == "WFD" and all_done) or (
            codes[task] == "RTS" and not all_done
        ):
            wrong.append((task, codes[task], sorted(dependency_codes)))
    lost = 0
    acknowledged = 0
    for acks in folder.glob("acks*.jsonl"):
        for line in acks.read_text(encoding="utf-8").splitlines():
            ack = json.loads(line)
            acknowledged += 1
            if ack["kind"] in stored:
                lost += ack["id"] not in stored[ack["kind"]]
    return {
        "duplicates": int(duplicate_versions or 0) + int(duplicate_tickets or 0),
        "overlapping_bookings": int(overlaps or 0),
        "wrong_roll_ups": len(wrong),
        "wrong_roll_up_samples": wrong[:5],
        "acknowledged_writes": acknowledged,
        "lost_acknowledged_writes": lost,
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _rounds_done(progress: Path) -> int:
    try:
        return int(json.loads(progress.read_text())["round"])
    except (OSError, ValueError, KeyError):  # not written yet, or half-written
        return 0


def run_backend(
    backend: str, url: str, processes: int, ops: int, kill: bool
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"stalker_load_{backend}_"))
    studio = build_studio(url, processes, ops)
    context = multiprocessing.get_context("spawn")
    # a writer killed inside the barrier would hold its lock for ever
    barrier = None if kill else context.Barrier(processes)
    started = time.perf_counter()
    args = (url, studio, ops, str(folder))
    workers = {
        i: context.Process(target=worker_main, args=(i, *args, barrier))
        for i in range(processes)
    }
    for process in workers.values():
        process.start()
    kills = 0
    if kill:  # mid-run: once the victim has finished a quarter of its rounds
        victim = workers[0]
        progress = folder / "progress0.json"
        while victim.is_alive() and _rounds_done(progress) < ops // 4:
            time.sleep(0.05)
        time.sleep(0.3)  # somewhere inside its next round
        if victim.is_alive() and victim.pid is not None:
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            kills = 1
            # it goes on (without the barrier) from the last round it finished
            workers[0] = context.Process(target=worker_main, args=(0, *args, None))
            workers[0].start()
    for process in workers.values():
        process.join(timeout=1800)
    elapsed = time.perf_counter() - started
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    latencies: dict[str, list[float]] = defaultdict(list)
    for report_file in folder.glob("report*.json"):
        report = json.loads(report_file.read_text())
        for key in ("attempted", "committed", "refused", "errors"):
            totals[key].update(report[key])
        for name, values in report["latencies"].items():
            latencies[name].extend(values)
    result = {
        "backend": backend,
        "processes": processes,
        "ops_per_scenario": ops,
        "killed_writers": kills,
        "seconds": round(elapsed, 1),
        "attempted": dict(totals["attempted"]),
        "committed": dict(totals["committed"]),
        "refused_as_expected": dict(totals["refused"]),
        "errors": dict(totals["errors"]),
        "sqlite_database_is_locked": totals["errors"]["sqlite_database_is_locked"],
        "latency": {name: _percentiles(v) for name, v in sorted(latencies.items())},
    }
    result.update(check_database(url, folder))
    return result


def _private_postgresql() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.pg_server import PostgresServer, create_database

    server = PostgresServer().start()
    return server, lambda name: create_database(str(server.url), name)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--ops", type=int, default=50)
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--pg-url", help="an empty PostgreSQL database to use")
    parser.add_argument("--kill", action="store_true", help="SIGKILL one writer")
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args(argv)
    results = []
    if args.backend in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="stalker_load_db_"))
        url = f"sqlite:///{folder / 'studio.db'}"
        results.append(run_backend("sqlite", url, args.processes, args.ops, args.kill))
    if args.backend in ("postgresql", "both"):
        server = None
        url = args.pg_url
        if url is None:
            server, make_database = _private_postgresql()
            url = make_database(f"stalker_load_{os.getpid()}")
        try:
            results.append(
                run_backend("postgresql", url, args.processes, args.ops, args.kill)
            )
        finally:
            if server is not None:
                server.stop()
    text = json.dumps(results, indent=2, default=str)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
