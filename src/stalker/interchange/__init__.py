"""Productions in and out: task templates, shot lists, edits, exports.

Importing this package registers the ``TaskTemplates`` table (``stalker``
imports it, so ``create_all`` and the migrations always agree).  The edit
importer needs the ``interchange`` extra and loads OpenTimelineIO lazily.
"""

from __future__ import annotations

from stalker.interchange.edit import import_timeline
from stalker.interchange.export import (
    export_project,
    import_project,
    write_csv,
    write_json,
)
from stalker.interchange.shot_list import (
    Change,
    ImportReport,
    Refusal,
    import_shot_list,
)
from stalker.interchange.task_template import (
    TEMPLATE_TARGETS,
    TaskSpec,
    TaskTemplate,
    apply_template,
)

__all__ = [
    "TEMPLATE_TARGETS",
    "Change",
    "ImportReport",
    "Refusal",
    "TaskSpec",
    "TaskTemplate",
    "apply_template",
    "export_project",
    "import_project",
    "import_shot_list",
    "import_timeline",
    "write_csv",
    "write_json",
]
