"""Scheduling machinery shared by every scheduler engine.

The pipeline has three parts so that another engine can reuse the first and
the last:

1. :mod:`stalker.scheduling.data` gathers the studio's schedulable data with a
   fixed number of set-based queries into plain rows (:class:`ScheduleData`);
2. an engine turns those rows into dates: :mod:`stalker.scheduling.tjp` writes
   the TaskJuggler file and :mod:`stalker.scheduling.tj3` runs ``tj3`` and
   reads its CSV report;
3. :mod:`stalker.scheduling.writeback` stores the computed dates (and
   resources) with bulk statements in one transaction.

Around them, :mod:`stalker.scheduling.changes` tells what a re-plan moved
against the stored plan, and :mod:`stalker.scheduling.scenarios` plans
what-if variants without writing until one is applied.
"""

from stalker.scheduling.changes import (
    PreviousPlan,
    ScheduleText,
    TaskChange,
    gather_previous,
    plan_changes,
)
from stalker.scheduling.checker import Violation, check_plan
from stalker.scheduling.data import (
    BookingRow,
    DependencyRow,
    ScheduleData,
    TaskRow,
    gather_schedule_data,
    validate_schedule_data,
)
from stalker.scheduling.engine import (
    Calendar,
    ConstraintError,
    Plan,
    SchedulingError,
    TaskPlan,
    schedule,
)
from stalker.scheduling.scenarios import (
    Comparison,
    Scenario,
    ScenarioResult,
    compare,
    critical_path,
)
from stalker.scheduling.writeback import ComputedSchedule, write_back

__all__ = [
    "BookingRow",
    "Calendar",
    "Comparison",
    "ComputedSchedule",
    "ConstraintError",
    "DependencyRow",
    "Plan",
    "PreviousPlan",
    "Scenario",
    "ScenarioResult",
    "ScheduleData",
    "ScheduleText",
    "SchedulingError",
    "TaskChange",
    "TaskPlan",
    "TaskRow",
    "Violation",
    "check_plan",
    "compare",
    "critical_path",
    "gather_previous",
    "gather_schedule_data",
    "plan_changes",
    "schedule",
    "validate_schedule_data",
    "write_back",
]
