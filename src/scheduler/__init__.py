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
from scheduler.io.roster_files import read_roster, write_roster
from scheduler.io.scenario_files import load_scenario
from scheduler.io.summary import format_summary
from scheduler.solution.roster import Roster
from scheduler.solution.validate import Violation
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress

__all__ = [
    "Caregiver",
    "Client",
    "Dependency",
    "Location",
    "Progress",
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
    "Weights",
    "check_roster",
    "format_summary",
    "load_scenario",
    "read_roster",
    "solve",
    "travel_model_for",
    "write_roster",
]
__version__ = "0.1.0"
