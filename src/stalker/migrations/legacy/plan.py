"""Turning the original's rows into rows of our tables, generation by generation.

Our schema descends from 0.2.28's, so most tables copy column by column under
the same names. What differs is spelled out here, and every row or value
that has no place in our schema is recorded in the report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import stalker
from stalker.migrations.legacy.report import MoveReport
from stalker.migrations.legacy.source import Rows, Source

#: Class names of the original that are other classes of ours.
CLASS_RENAMES = {"1.1": {"File": "Link", "Variant": "Task"}, "0.2": {}}

#: Tables of the original that are other tables of ours.
TABLE_RENAMES = {
    "1.1": {
        "Files": "Links",
        "Version_Files": "Version_Outputs",
        "Daily_Files": "Daily_Links",
    },
    "0.2": {},
}

#: Columns (by our table name) that have another name in ours.
COLUMN_RENAMES: dict[str, dict[tuple[str, str], str]] = {
    "0.2": {
        ("Repositories", "osx_path"): "macos_path",
        ("Task_Dependencies", "depends_to_id"): "depends_on_id",
    },
    "1.1": {
        ("Version_Outputs", "file_id"): "link_id",
        ("Daily_Links", "file_id"): "link_id",
        ("Project_References", "reference_id"): "link_id",
        ("Task_References", "reference_id"): "link_id",
    },
}

#: Columns holding class names (the discriminator and the type targets).
_CLASS_NAME_COLUMNS = {"entity_type", "target_entity_type"}

#: Source tables handled by a rule of their generation, not copied.
_HANDLED = {"alembic_version", "Variants", "File_References"}

Plan = dict[str, Rows]


def take_for_revision(revision_number: int) -> str:
    """The take a 1.x revision becomes: keeps (task, take, number) unique.

    Revision 1 is the default take; revision ``n`` becomes ``<take>_r<n>``.
    """
    take = str(stalker.defaults.version_take_name)
    return take if revision_number in (None, 1) else f"{take}_r{revision_number}"


def make_plan(source: Source, target_tables: set[str], report: MoveReport) -> Plan:
    """Our tables' rows, made from the source's (not yet checked or converted)."""
    generation = source.generation
    plan: Plan = defaultdict(list)
    for name, rows in source.tables.items():
        target = TABLE_RENAMES[generation].get(name, name)
        if name in _HANDLED:
            continue
        if target not in target_tables:
            report.lost(name, len(rows), "this stalker has no such table")
            continue
        renames = COLUMN_RENAMES[generation]
        plan[target].extend(
            {renames.get((target, key), key): value for key, value in row.items()}
            for row in rows
        )
    _rename_classes(plan, generation)
    _dedupe_entity_types(plan, report)
    if generation == "1.1":
        _from_1x(source, plan, report)
    _unique_version_numbers(plan, report)
    _status_positions(plan, report)
    _daily_ranks(plan, report)
    return plan


def _rename_classes(plan: Plan, generation: str) -> None:
    renames = CLASS_RENAMES[generation]
    if not renames:
        return
    for table, rows in plan.items():
        for row in rows:
            for column in _CLASS_NAME_COLUMNS & row.keys():
                row[column] = renames.get(row[column], row[column])
            if table == "EntityTypes":
                row["name"] = renames.get(row["name"], row["name"])


def _dedupe_entity_types(plan: Plan, report: MoveReport) -> None:
    """Two original classes that are one of ours leave one EntityTypes row."""
    seen: set[str] = set()
    kept: Rows = []
    for row in plan.get("EntityTypes", []):
        if row["name"] in seen:
            report.lost(
                f"EntityTypes {row['name']!r}",
                1,
                "the original's class is the same class here (listed once)",
            )
            continue
        seen.add(row["name"])
        kept.append(row)
    if "EntityTypes" in plan:
        plan["EntityTypes"] = kept


def _from_1x(source: Source, plan: Plan, report: MoveReport) -> None:
    report.note(
        "Variants",
        len(source.tables.get("Variants", [])),
        "a 1.x Variant became a Task of ours (same id, same place in the tree)",
    )
    report.lost(
        "File_References",
        len(source.tables.get("File_References", [])),
        "a Link of ours has no references of its own (Task and Project "
        "references are kept)",
    )
    _versions_from_1x(plan, report)
    _scenes_from_1x(plan, report)
    _shots_from_1x(plan)
    reviewed = [r for r in plan.get("Reviews", []) if r.pop("version_id", None)]
    report.lost(
        "Reviews.version_id",
        len(reviewed),
        "a Review of ours belongs to its task only (the task is kept)",
    )


def _versions_from_1x(plan: Plan, report: MoveReport) -> None:
    """A 1.x Version is no file; ours is a Link, so each gets its Link row.

    Its path is that of its first file (what is on disk), so paths stay as
    they were; a version without files gets a path from our templates.
    """
    files = {row["id"]: row for row in plan.get("Links", [])}
    outputs: dict[int, list[int]] = defaultdict(list)
    for row in plan.get("Version_Outputs", []):
        outputs[row["version_id"]].append(row["link_id"])
    renamed = 0
    for version in plan.get("Versions", []):
        revision = version.pop("revision_number", None)
        version["take_name"] = take_for_revision(revision)
        renamed += revision not in (None, 1)
        first = next(
            (files[i] for i in outputs.get(version["id"], []) if i in files), None
        )
        version["created_with"] = first.get("created_with") if first else None
        plan["Links"].append(
            {
                "id": version["id"],
                # the file the studio has on disk; else rendered after the copy
                "full_path": first["full_path"] if first else "",
                "original_filename": first["original_filename"] if first else "",
            }
        )
    report.note(
        "Versions",
        renamed,
        f"a 1.x revision n > 1 became the take '{take_for_revision(2)[:-1]}<n>'",
    )
    used = {i for ids in outputs.values() for i in ids}
    orphan_apps = [
        row
        for row in files.values()
        if row.pop("created_with", None) and row["id"] not in used
    ]
    report.lost(
        "Files.created_with",
        len(orphan_apps),
        "kept on the version of a file only (a file of no version loses it)",
    )


def _scenes_from_1x(plan: Plan, report: MoveReport) -> None:
    """A 1.x Scene is a Task; ours is an Entity of a project."""
    scene_ids = {row["id"] for row in plan.get("Scenes", [])}
    if not scene_ids:
        return
    project_of: dict[int, Any] = {}
    tasks: Rows = []
    for row in plan.get("Tasks", []):
        if row["id"] in scene_ids:
            project_of[row["id"]] = row.get("project_id")
        else:
            tasks.append(row)
    plan["Tasks"] = tasks
    for row in plan["Scenes"]:
        row["project_id"] = project_of.get(row["id"])
    report.lost(
        "Tasks (1.x Scenes)",
        len(scene_ids),
        "a Scene of ours is not a task: its schedule, status and resources "
        "are not carried (name, code, project and shots are)",
    )


def _shots_from_1x(plan: Plan) -> None:
    """1.x ``Shot.sequence``/``Shot.scene`` (one each) are our lists."""
    for shot in plan.get("Shots", []):
        sequence_id = shot.pop("sequence_id", None)
        scene_id = shot.pop("scene_id", None)
        if sequence_id is not None:
            plan["Shot_Sequences"].append(
                {"shot_id": shot["id"], "sequence_id": sequence_id}
            )
        if scene_id is not None:
            plan["Shot_Scenes"].append({"shot_id": shot["id"], "scene_id": scene_id})


def _unique_version_numbers(plan: Plan, report: MoveReport) -> None:
    """The original did not enforce unique numbers per take; ours does.

    A version whose (task, take, number) an older one already holds gets the
    next free number of its take (its stored path is kept).
    """
    versions = sorted(plan.get("Versions", []), key=lambda row: row["id"])
    highest: dict[tuple[Any, Any], int] = defaultdict(int)
    for row in versions:
        series = (row["task_id"], row.get("take_name"))
        highest[series] = max(highest[series], row["version_number"] or 0)
    seen: set[tuple[Any, Any, Any]] = set()
    renumbered = 0
    for row in versions:
        key = (row["task_id"], row.get("take_name"), row["version_number"])
        if key in seen:
            highest[key[:2]] += 1
            row["version_number"] = highest[key[:2]]
            renumbered += 1
        seen.add((row["task_id"], row.get("take_name"), row["version_number"]))
    report.note(
        "Versions.version_number",
        renumbered,
        "shared with an older version of the same task and take: renumbered "
        "after the highest",
    )


def _status_positions(plan: Plan, report: MoveReport) -> None:
    """Our status lists are ordered; the original's order is its row order."""
    counters: dict[Any, int] = defaultdict(int)
    filled = 0
    for row in plan.get("StatusList_Statuses", []):
        if row.get("position") is None:
            row["position"] = counters[row["status_list_id"]]
            filled += 1
        counters[row["status_list_id"]] += 1
    report.note(
        "StatusList_Statuses.position", filled, "numbered in the original's order"
    )


def _daily_ranks(plan: Plan, report: MoveReport) -> None:
    counters: dict[Any, int] = defaultdict(int)
    filled = 0
    for row in plan.get("Daily_Links", []):
        if row.get("rank") is None:
            row["rank"] = counters[row["daily_id"]]
            filled += 1
        counters[row["daily_id"]] += 1
    report.note("Daily_Links.rank", filled, "numbered in the original's order")
