"""The durable-rules backend (public import path; ``pip install 'logix[durable]'``).

The implementation lives in ``logix_rules.integrations``; see docs/backends.md.
"""

from ..integrations._durable import (
    MAX_SESSIONS,
    DurableBackend,
    DurableIncident,
    DurableProgram,
    DurableUnavailable,
    UnsupportedRule,
    UnsupportedRulesError,
    UnsupportedRulesWarning,
    compile_pack,
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
