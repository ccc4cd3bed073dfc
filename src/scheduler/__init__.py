"""homecare-scheduler: rosters and routes for home-care agencies.

from scheduler import load_scenario, solve, check_roster
scenario = load_scenario("data/samples/bayreuth")
roster = solve(scenario, time_limit_s=10, seed=1)
assert check_roster(scenario, roster) == []
"""

from scheduler.api import check_roster, solve, travel_model_for
from scheduler.domain.model import (
    Caregiver,
    Client,
    Dependency,
    Location,
    Role,
    Scenario,
    Settings,
    Shift,
    TimeWindow,
    TravelMode,
    Visit,
    Weights,
)
from scheduler.errors import ScenarioError, SchedulerError, SolverError
from scheduler.io.event_files import read_events
from scheduler.io.plan_files import load_plan, write_week
from scheduler.io.repair_files import write_repair
from scheduler.io.report_files import write_report, write_week_report
from scheduler.io.roster_files import read_orders, read_roster, write_roster
from scheduler.io.scenario_files import load_scenario
from scheduler.io.summary import format_summary
from scheduler.ops.repair import RepairResult, repair
from scheduler.ops.retime import RetimeResult, retime
from scheduler.ops.whatif import Changes, apply_changes, compare_rows, solve_variants
from scheduler.plans.week import WeekResult, plan_week
from scheduler.solution.roster import Roster
from scheduler.solution.validate import Violation
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress
from scheduler.stop import request_stop

__all__ = [
    "Caregiver",
    "Changes",
    "Client",
    "Dependency",
    "Location",
    "Progress",
    "RepairResult",
    "RetimeResult",
    "Role",
    "Roster",
    "Scenario",
    "ScenarioError",
    "SchedulerError",
    "Settings",
    "Shift",
    "SolveParams",
    "SolverError",
    "TimeWindow",
    "TravelMode",
    "Violation",
    "Visit",
    "WeekResult",
    "Weights",
    "apply_changes",
    "check_roster",
    "compare_rows",
    "format_summary",
    "load_plan",
    "load_scenario",
    "plan_week",
    "read_events",
    "read_orders",
    "read_roster",
    "repair",
    "request_stop",
    "retime",
    "solve",
    "solve_variants",
    "travel_model_for",
    "write_repair",
    "write_report",
    "write_roster",
    "write_week",
    "write_week_report",
]
__version__ = "0.1.0"
