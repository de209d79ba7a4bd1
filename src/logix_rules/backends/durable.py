"""The durable-rules backend (public import path; ``pip install 'logix[durable]'``).

The implementation lives in ``logix_rules.integrations``; see docs/backends.md.
"""

from ..integrations._durable_backend import MAX_SESSIONS, DurableBackend
from ..integrations._durable_compile import DurableProgram, compile_pack
from ..integrations._durable_reports import (
    DurableIncident,
    DurableUnavailable,
    UnsupportedRule,
    UnsupportedRulesError,
    UnsupportedRulesWarning,
)

__all__ = [
    "MAX_SESSIONS",
    "DurableBackend",
    "DurableIncident",
    "DurableProgram",
    "DurableUnavailable",
    "UnsupportedRule",
    "UnsupportedRulesError",
    "UnsupportedRulesWarning",
    "compile_pack",
]
