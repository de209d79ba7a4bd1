"""Transitional: the names ``compiler._pack`` held before the split, re-exported until
every importer names the module that defines them (``_model``, ``_load``, ``_probe``)."""

from __future__ import annotations

from ._load import STAGES, load_pack, loads_pack
from ._model import BUILTIN_PACKS, Pack, Param, RemedySpec, Rule, Severity, Step, amount
from ._probe import Probe, compile_probe, expression_context

__all__ = [
    "BUILTIN_PACKS",
    "STAGES",
    "Pack",
    "Param",
    "Probe",
    "RemedySpec",
    "Rule",
    "Severity",
    "Step",
    "amount",
    "compile_probe",
    "expression_context",
    "load_pack",
    "loads_pack",
]
