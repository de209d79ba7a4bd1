"""logix_rules: compile rule packs and follow parcel exceptions incrementally."""

from ._engine import Engine, evaluate
from ._errors import (
    ErrorCode,
    InputProblem,
    InvalidEvents,
    LogixError,
    PackError,
    PackIssue,
    UnknownIncident,
)
from ._incidents import (
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
from ._kernel import Kernel, ShipmentState, StateError
from ._pack import Pack, Param, Rule, Severity, load_pack, loads_pack

__all__ = [
    "Change",
    "ChangeType",
    "Engine",
    "ErrorCode",
    "Escalation",
    "Evidence",
    "EvidenceEvent",
    "Incident",
    "IncidentState",
    "InputProblem",
    "InvalidEvents",
    "Kernel",
    "LogixError",
    "Pack",
    "PackError",
    "PackIssue",
    "Param",
    "Remedy",
    "RemedyItem",
    "Rule",
    "Severity",
    "ShipmentState",
    "StateError",
    "UnknownIncident",
    "evaluate",
    "load_pack",
    "loads_pack",
]
