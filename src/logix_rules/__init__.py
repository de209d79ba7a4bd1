"""logix_rules: compile rule packs and follow parcel exceptions incrementally."""

from .compiler._lint import PackWarning, WarningCode, lint_pack
from .compiler._load import load_pack, loads_pack
from .compiler._model import Pack, Param, Rule, Severity
from .core._errors import (
    ErrorCode,
    InputProblem,
    InvalidEvents,
    LogixError,
    PackError,
    PackIssue,
    UnknownIncident,
)
from .demo._files import write_demo_files
from .demo._generator import DEMO_AT, DemoData, generate_demo
from .runtime._actions import Action
from .runtime._engine import Engine, evaluate
from .runtime._explain import explain_events
from .runtime._explanation import Condition, Explanation, Operand, RuleTrace, Rung
from .runtime._incidents import (
    Change,
    ChangeType,
    Escalation,
    Evidence,
    EvidenceEvent,
    Incident,
    IncidentState,
    Remedy,
    RemedyItem,
)
from .runtime._io import InputFileError, Loaded, read_events, read_shipments
from .runtime._kernel import Kernel, StateError
from .runtime._state import ShipmentState
from .testing._scenario_files import find_scenario_files, load_scenarios
from .testing._scenario_model import ExpectedIncident, ScenarioError, ScenarioFile, ScenarioIssue
from .testing._scenario_runs import CaseResult, run_case, run_scenarios

__all__ = [
    "DEMO_AT",
    "Action",
    "CaseResult",
    "Change",
    "ChangeType",
    "Condition",
    "DemoData",
    "Engine",
    "ErrorCode",
    "Escalation",
    "Evidence",
    "EvidenceEvent",
    "ExpectedIncident",
    "Explanation",
    "Incident",
    "IncidentState",
    "InputFileError",
    "InputProblem",
    "InvalidEvents",
    "Kernel",
    "Loaded",
    "LogixError",
    "Operand",
    "Pack",
    "PackError",
    "PackIssue",
    "PackWarning",
    "Param",
    "Remedy",
    "RemedyItem",
    "Rule",
    "RuleTrace",
    "Rung",
    "ScenarioError",
    "ScenarioFile",
    "ScenarioIssue",
    "Severity",
    "ShipmentState",
    "StateError",
    "UnknownIncident",
    "WarningCode",
    "evaluate",
    "explain_events",
    "find_scenario_files",
    "generate_demo",
    "lint_pack",
    "load_pack",
    "load_scenarios",
    "loads_pack",
    "read_events",
    "read_shipments",
    "run_case",
    "run_scenarios",
    "write_demo_files",
]
