"""Mixins adding reusable columns and validation to Stalker classes.

One module per mixin; every mixin is importable from here and from ``stalker``.
"""

from stalker.models.mixins.acl import ACLMixin
from stalker.models.mixins.amount import AmountMixin
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.dag import DAGMixin
from stalker.models.mixins.date_range import DateRangeMixin
from stalker.models.mixins.membership_role import MembershipRoleMixin
from stalker.models.mixins.project import ProjectMixin
from stalker.models.mixins.reference import ReferenceMixin
from stalker.models.mixins.schedule import ScheduleMixin
from stalker.models.mixins.secondary import create_secondary_table
from stalker.models.mixins.status import StatusMixin
from stalker.models.mixins.target_entity_type import TargetEntityTypeMixin
from stalker.models.mixins.unit import UnitMixin
from stalker.models.mixins.working_hours import WorkingHoursMixin

__all__ = [
    "ACLMixin",
    "AmountMixin",
    "CodeMixin",
    "DAGMixin",
    "DateRangeMixin",
    "MembershipRoleMixin",
    "ProjectMixin",
    "ReferenceMixin",
    "ScheduleMixin",
    "StatusMixin",
    "TargetEntityTypeMixin",
    "UnitMixin",
    "WorkingHoursMixin",
    "create_secondary_table",
]
