"""Productions in and out: task templates, shot lists, edits, exports.

Importing this package registers the ``TaskTemplates`` table (``stalker``
imports it, so ``create_all`` and the migrations always agree).
"""

from __future__ import annotations

from stalker.interchange.task_template import (
    TEMPLATE_TARGETS,
    TaskSpec,
    TaskTemplate,
    apply_template,
)

__all__ = ["TEMPLATE_TARGETS", "TaskSpec", "TaskTemplate", "apply_template"]
