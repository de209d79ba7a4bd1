"""logix_rules: compile rule packs and follow parcel exceptions incrementally."""

from ._demo import DEMO_AT, DemoData, generate_demo, write_demo_files
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
from ._io import InputFileError, Loaded, read_events, read_shipments
from ._kernel import Kernel, ShipmentState, StateError
from ._pack import Pack, Param, Rule, Severity, load_pack, loads_pack

__all__ = [
    "DEMO_AT",
    "Change",
    "ChangeType",
    "DemoData",
    "Engine",
    "ErrorCode",
    "Escalation",
    "Evidence",
    "EvidenceEvent",
    "Incident",
    "IncidentState",
    "InputFileError",
    "InputProblem",
    "InvalidEvents",
    "Kernel",
    "Loaded",
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
    "generate_demo",
    "load_pack",
    "loads_pack",
    "read_events",
    "read_shipments",
    "write_demo_files",
]
