"""Stalker: a Production Asset Management object model for animation and VFX.

``stalker.defaults`` is created before the models are imported because some
models read it while their classes are defined.
"""

from stalker import config
from stalker.version import __version__

defaults: config.Config = config.Config()

__title__ = "stalker"
__description__ = "Production Asset Management object model for animation and VFX"
__uri__ = "https://github.com/stalker-pipeline/stalker"
__author__ = "the stalker developers"
__email__ = ""
__license__ = "LGPLv3"
__copyright__ = "the stalker developers"
__string_types__ = (str,)

from stalker.db import bulk_flush  # noqa: E402
from stalker.log import get_logger  # noqa: E402

logger = get_logger(__name__)

# Flush hooks of many writers at once (roll-ups and bookings under locks);
# they import the object model, which is re-exported below.
from stalker.models import rollup, time_log  # noqa: E402, F401

# The object model, re-exported so that ``from stalker import Task`` works.
from stalker.models.asset import Asset  # noqa: E402
from stalker.models.auth import (  # noqa: E402
    LOGIN,
    LOGOUT,
    AuthenticationLog,
    Group,
    LocalSession,
    Permission,
    Role,
    User,
)
from stalker.models.budget import (  # noqa: E402
    Budget,
    BudgetEntry,
    Good,
    Invoice,
    Payment,
    PriceList,
)
from stalker.models.client import Client, ClientUser  # noqa: E402
from stalker.models.department import Department, DepartmentUser  # noqa: E402
from stalker.models.entity import Entity, EntityGroup, SimpleEntity  # noqa: E402
from stalker.models.format import ImageFormat  # noqa: E402
from stalker.models.link import Link  # noqa: E402
from stalker.models.message import Message  # noqa: E402
from stalker.models.mixins import (  # noqa: E402
    ACLMixin,
    AmountMixin,
    CodeMixin,
    DAGMixin,
    DateRangeMixin,
    ProjectMixin,
    ReferenceMixin,
    ScheduleMixin,
    StatusMixin,
    TargetEntityTypeMixin,
    UnitMixin,
    WorkingHoursMixin,
    create_secondary_table,
)
from stalker.models.note import Note  # noqa: E402
from stalker.models.project import (  # noqa: E402
    Project,
    ProjectClient,
    ProjectRepository,
    ProjectUser,
)
from stalker.models.repository import Repository  # noqa: E402
from stalker.models.review import Daily, DailyLink, Review  # noqa: E402

#: The 1.x names of ``Link`` and ``DailyLink`` (the same classes).
File = Link
DailyFile = DailyLink
from stalker.interchange import TaskTemplate  # noqa: E402, F401
from stalker.models.scene import Scene  # noqa: E402
from stalker.models.schedulers import (  # noqa: E402
    NativeScheduler,
    SchedulerBase,
    TaskJugglerScheduler,
)
from stalker.models.sequence import Sequence  # noqa: E402
from stalker.models.shot import Shot  # noqa: E402
from stalker.models.status import Status, StatusList  # noqa: E402
from stalker.models.structure import Structure  # noqa: E402
from stalker.models.studio import Studio, Vacation, WorkingHours  # noqa: E402
from stalker.models.tag import Tag  # noqa: E402
from stalker.models.task import Task, TaskDependency, TimeLog  # noqa: E402
from stalker.models.template import FilenameTemplate  # noqa: E402
from stalker.models.ticket import Ticket, TicketLog  # noqa: E402
from stalker.models.type import EntityType, Type  # noqa: E402
from stalker.models.version import Version  # noqa: E402
from stalker.models.wiki import Page  # noqa: E402

bulk_flush.install()  # last: the models' own flush hooks run before it

__all__ = [
    "LOGIN",
    "LOGOUT",
    "ACLMixin",
    "AmountMixin",
    "Asset",
    "AuthenticationLog",
    "Budget",
    "BudgetEntry",
    "Client",
    "ClientUser",
    "CodeMixin",
    "DAGMixin",
    "Daily",
    "DailyFile",
    "DailyLink",
    "DateRangeMixin",
    "Department",
    "DepartmentUser",
    "Entity",
    "EntityGroup",
    "EntityType",
    "File",
    "FilenameTemplate",
    "Good",
    "Group",
    "ImageFormat",
    "Invoice",
    "Link",
    "LocalSession",
    "Message",
    "NativeScheduler",
    "Note",
    "Page",
    "Payment",
    "Permission",
    "PriceList",
    "Project",
    "ProjectClient",
    "ProjectMixin",
    "ProjectRepository",
    "ProjectUser",
    "ReferenceMixin",
    "Repository",
    "Review",
    "Role",
    "Scene",
    "ScheduleMixin",
    "SchedulerBase",
    "Sequence",
    "Shot",
    "SimpleEntity",
    "Status",
    "StatusList",
    "StatusMixin",
    "Structure",
    "Studio",
    "Tag",
    "TargetEntityTypeMixin",
    "Task",
    "TaskDependency",
    "TaskJugglerScheduler",
    "Ticket",
    "TicketLog",
    "TimeLog",
    "Type",
    "UnitMixin",
    "User",
    "Vacation",
    "Version",
    "WorkingHours",
    "WorkingHoursMixin",
    "__version__",
    "create_secondary_table",
    "defaults",
]
