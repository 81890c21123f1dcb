"""Configuration values of Stalker and the ``$STALKER_PATH/config.py`` override.

``stalker.defaults`` is one :class:`Config`; models read it at call time, so a
studio (``Studio.update_defaults``) or a test may change values while running.
"""

from __future__ import annotations

import copy
import datetime
import logging
import os
import shutil
import sys
from typing import Any

from stalker.exceptions import StalkerError

logger = logging.getLogger(__name__)

_WEEKDAY_RANGE = [[540, 1080]]  # 09:00 - 18:00 in minutes after midnight


def _default_tj_command() -> str:
    """Return tj3's path: the seed's location if it exists, else ``tj3`` on ``PATH``.

    Debian installs ``/usr/bin/tj3`` while the seeds document
    ``/usr/local/bin/tj3``; config.py may still name any other path.
    """
    seed_location = "tj3" if sys.platform == "win32" else "/usr/local/bin/tj3"
    if os.path.isfile(seed_location):
        return seed_location
    return shutil.which("tj3") or seed_location


class ConfigKeyError(StalkerError, AttributeError, KeyError):
    """An unknown configuration key.

    Deriving from both lets ``hasattr(defaults, "x")`` answer False while
    ``except KeyError`` keeps working for code written against the original.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_RESOLUTION_PRESETS: dict[str, list[float]] = {
    "PC Video": [640, 480, 1.0],
    "NTSC": [720, 486, 0.91],
    "NTSC 16:9": [720, 486, 1.21],
    "PAL": [720, 576, 1.067],
    "PAL 16:9": [720, 576, 1.46],
    "HD 720": [1280, 720, 1.0],
    "HD 1080": [1920, 1080, 1.0],
    "1K Super 35": [1024, 778, 1.0],
    "2K Super 35": [2048, 1556, 1.0],
    "4K Super 35": [4096, 3112, 1.0],
    "A4 Portrait": [2480, 3508, 1.0],
    "A4 Landscape": [3508, 2480, 1.0],
    "A3 Portrait": [3508, 4960, 1.0],
    "A3 Landscape": [4960, 3508, 1.0],
    "A2 Portrait": [4960, 7016, 1.0],
    "A2 Landscape": [7016, 4960, 1.0],
    "50x70cm Poster Portrait": [5905, 8268, 1.0],
    "50x70cm Poster Landscape": [8268, 5905, 1.0],
    "70x100cm Poster Portrait": [8268, 11810, 1.0],
    "70x100cm Poster Landscape": [11810, 8268, 1.0],
    "1k Square": [1024, 1024, 1.0],
    "2k Square": [2048, 2048, 1.0],
    "3k Square": [3072, 3072, 1.0],
    "4k Square": [4096, 4096, 1.0],
}

_TICKET_OPEN_STATUSES = ["New", "Accepted", "Assigned", "Reopened"]


def _ticket_workflow() -> dict[str, dict[str, dict[str, str]]]:
    """Build the action -> current status -> transition table of tickets."""

    def from_open(new_status: str, action: str) -> dict[str, dict[str, str]]:
        return {
            name: {"new_status": new_status, "action": action}
            for name in _TICKET_OPEN_STATUSES
        }

    return {
        "resolve": from_open("Closed", "set_resolution"),
        "accept": from_open("Accepted", "set_owner"),
        "reassign": from_open("Assigned", "set_owner"),
        "reopen": {"Closed": {"new_status": "Reopened", "action": "del_resolution"}},
    }


_PROJECT_STRUCTURE = """{% for shot in project.shots %}
Shots/{{shot.code}}
Shots/{{shot.code}}/Plate
Shots/{{shot.code}}/Reference
Shots/{{shot.code}}/Texture
{% endfor %}
{% for asset in project.assets %}
{% set asset_path = project.full_path + '/Assets/' + asset.type.name
    + '/' + asset.code %}
{{asset_path}}/Texture
{{asset_path}}/Reference
{% endfor %}
"""


class ConfigBase:
    """Key/value store with attribute and item access over a dict of defaults."""

    default_config_values: dict[str, Any] = {}

    def __init__(self) -> None:
        object.__setattr__(
            self, "config_values", copy.deepcopy(self.default_config_values)
        )
        object.__setattr__(self, "user_config", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.__dict__["config_values"][name]
        except KeyError:
            raise ConfigKeyError(
                f"{type(self).__name__} has no configuration key {name!r}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("config_values", "user_config"):
            object.__setattr__(self, name, value)
        else:
            self.config_values[name] = value

    def __getitem__(self, key: str) -> Any:
        return self.config_values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.config_values[key] = value

    def __delitem__(self, key: str) -> None:
        del self.config_values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.config_values


class Config(ConfigBase):
    """Stalker's settings: defaults overridden by ``$STALKER_PATH/config.py``."""

    env_key = "STALKER_PATH"

    default_config_values: dict[str, Any] = {
        "database_engine_settings": {
            "sqlalchemy.url": "sqlite://",
            "sqlalchemy.echo": False,
        },
        "database_session_settings": {},
        # db.setup() upgrades a database of an older schema revision of ours
        # instead of refusing it (also per call: "stalker.auto_upgrade").
        "database_auto_upgrade": False,
        # SQLite files: a write-ahead log lets readers work during a commit,
        # and NORMAL sync skips the fsync per commit (a commit survives a
        # crash of the program; a power cut may lose the last ones). Set
        # "delete" / "full" for the rollback journal and an fsync per commit.
        "sqlite_journal_mode": "wal",
        "sqlite_synchronous": "normal",
        # SQLite files: how long (seconds) a writer waits for another one's
        # commit before "database is locked" reaches the caller.
        "sqlite_busy_timeout": 30.0,
        "local_storage_path": os.path.expanduser("~/.strc"),
        "local_session_data_file_name": "local_session_data",
        "server_side_storage_path": os.path.expanduser("~/Stalker_Storage"),
        "repo_env_var_template": "REPO%(code)s",
        "repo_env_var_template_old": "REPO%(id)s",
        "auto_create_admin": True,
        "admin_name": "admin",
        "admin_login": "admin",
        # None: db.init() takes $STALKER_ADMIN_PASSWORD or makes a random
        # password and prints it once (a known default opens every database)
        "admin_password": None,
        "admin_email": "admin@admin.com",
        "admin_department_name": "admins",
        "admin_group_name": "admins",
        "key": "stalker_default_key",
        "version_take_name": "Main",
        "actions": ["Create", "Read", "Update", "Delete", "List"],
        "ticket_label": "Ticket",
        "ticket_status_names": ["New", "Accepted", "Assigned", "Reopened", "Closed"],
        "ticket_status_codes": ["NEW", "ACP", "ASG", "ROP", "CLS"],
        "ticket_resolutions": [
            "fixed",
            "invalid",
            "wontfix",
            "duplicate",
            "worksforme",
            "cantfix",
        ],
        "ticket_workflow": _ticket_workflow(),
        "timing_resolution": datetime.timedelta(hours=1),
        "task_priority": 500,
        "working_hours": {
            "mon": _WEEKDAY_RANGE,
            "tue": _WEEKDAY_RANGE,
            "wed": _WEEKDAY_RANGE,
            "thu": _WEEKDAY_RANGE,
            "fri": _WEEKDAY_RANGE,
            "sat": [],
            "sun": [],
        },
        "daily_working_hours": 9,
        "weekly_working_days": 5,
        "weekly_working_hours": 45,
        "yearly_working_days": 261,
        "day_order": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "datetime_units": ["min", "h", "d", "w", "m", "y"],
        "datetime_unit_names": ["minute", "hour", "day", "week", "month", "year"],
        "datetime_units_to_timedelta_kwargs": {
            "min": {"name": "minutes", "multiplier": 1},
            "h": {"name": "hours", "multiplier": 1},
            "d": {"name": "days", "multiplier": 1},
            "w": {"name": "weeks", "multiplier": 1},
            "m": {"name": "days", "multiplier": 30},
            "y": {"name": "days", "multiplier": 365},
        },
        "task_status_names": [
            "Waiting For Dependency",
            "Ready To Start",
            "Work In Progress",
            "Pending Review",
            "Has Revision",
            "Dependency Has Revision",
            "On Hold",
            "Stopped",
            "Completed",
        ],
        "task_status_codes": [
            "WFD",
            "RTS",
            "WIP",
            "PREV",
            "HREV",
            "DREV",
            "OH",
            "STOP",
            "CMPL",
        ],
        "project_status_names": ["Ready To Start", "Work In Progress", "Completed"],
        "project_status_codes": ["RTS", "WIP", "CMPL"],
        "review_status_names": ["New", "Requested Revision", "Approved"],
        "review_status_codes": ["NEW", "RREV", "APP"],
        "daily_status_names": ["Open", "Closed"],
        "daily_status_codes": ["OPEN", "CLS"],
        "task_schedule_constraints": ["none", "start", "end", "both"],
        "task_schedule_models": ["effort", "length", "duration"],
        "task_dependency_gap_models": ["length", "duration"],
        "task_dependency_targets": ["onend", "onstart"],
        "allocation_strategy": [
            "minallocated",
            "maxloaded",
            "minloaded",
            "order",
            "random",
        ],
        "persistent_allocation": True,
        "tj_command": "/usr/local/bin/tj3",  # replaced per instance, see __init__
        # Rendering limits of user-written templates (stalker.templates):
        # characters of output (and of any value built), loop iterations
        # plus calls, and seconds of wall time per rendering.
        "template_max_output_length": 100_000,
        "template_max_iterations": 10_000,
        "template_time_limit": 2.0,
        # Starts at the repository (its $REPO<code> variable), so a project
        # code can never make the path relative to somewhere else.
        "path_template": (
            "${{project.repository.env_var}}/{{project.code}}/"
            "{%- for parent_task in parent_tasks -%}"
            "{{parent_task.nice_name}}/{%- endfor -%}"
        ),
        "filename_template": (
            "{{task.entity_type}}_{{task.id}}_{{version.take_name}}"
            '_v{{"%03d"|format(version.version_number)}}'
        ),
        "sequence_format": "%h%p%t %R",
        "file_size_format": "%.2f MB",
        "date_time_format": "%Y.%m.%d %H:%M",
        "resolution_presets": _RESOLUTION_PRESETS,
        "default_resolution_preset": "HD 1080",
        "project_structure": _PROJECT_STRUCTURE,
        "thumbnail_format": "jpg",
        "thumbnail_quality": 70,
        "thumbnail_size": [320, 180],
    }

    def __init__(self) -> None:
        super().__init__()
        self.config_values["tj_command"] = _default_tj_command()
        self._parse_settings()

    def _config_file_path(self) -> str | None:
        """The expanded ``$STALKER_PATH/config.py`` path (None: variable unset)."""
        root = os.environ.get(self.env_key)
        if root is None:
            return None
        path = os.path.expanduser(os.path.join(root, "config.py"))
        for _ in range(100):  # variables may hold variables; bound the expansion
            if "$" not in path:
                break
            expanded = os.path.expandvars(path)
            if expanded == path:
                break
            path = expanded
        return path

    def _parse_settings(self) -> None:
        path = self._config_file_path()
        if path is None:
            return
        try:
            with open(path, encoding="utf-8") as config_file:
                source = config_file.read()
        except OSError as error:
            logger.warning(
                "no usable config file at %s (%s); using defaults", path, error
            )
            return
        try:
            code = compile(source, path, "exec")
        except SyntaxError as error:
            raise RuntimeError(
                f"There is a syntax error in the Stalker config file {path}: {error}"
            ) from error
        user_values: dict[str, Any] = {}
        try:
            exec(code, user_values)  # the studio's own config file, trusted as code
        except Exception as error:
            raise RuntimeError(
                f"The Stalker config file {path} failed to run: {error!r}"
            ) from error
        user_values.pop("__builtins__", None)
        self.user_config = user_values
        self.config_values.update(user_values)

    @property
    def resolved_tj_command(self) -> str:
        """The tj3 executable to run: the configured one, else ``tj3`` on ``PATH``."""
        configured = self.config_values.get("tj_command") or ""
        if configured and (os.path.isfile(configured) or shutil.which(configured)):
            return configured
        return shutil.which("tj3") or configured
