"""An incident's evidence as ``describe`` takes it (the leading rule, its rung, its
operands and the records of the events), made into an ``Evidence`` when first read.

``describe`` runs at every opening and rung change, and most of that evidence is never
looked at before the next one replaces it: an ``EvidenceEvent`` per record (with its
``datetime``) and the ``Evidence`` cost more than the rest of what it takes.  What is
held is immutable (records are tuples, the operands a dict no one else holds), so the
evidence reads the same whenever it is built.  ``OpenIncident.evidence`` builds it (as
it loads a stored state's ``LazyEvidence``); a change's pending snapshot holds this
object and builds it with the incident.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

from ..core._durations import from_micros
from ..core._records import DESC, ID, KIND, REASON, STATUS, SYSTEM, EventRec, T
from ._incidents import Evidence, EvidenceEvent

__all__ = ["PendingEvidence"]


class PendingEvidence:
    """What an ``Evidence`` is made of, until ``load`` makes it (once)."""

    __slots__ = ("_read", "_records", "_rule", "_step", "_values")

    def __init__(
        self, rule: str, step: int, values: dict[str, Any], records: Sequence[EventRec]
    ) -> None:
        self._rule = rule
        self._step = step
        self._values = values
        self._records = records
        self._read: Evidence | None = None

    def load(self) -> Evidence:
        read = self._read
        if read is None:
            events = []
            for rec in self._records:
                kind = rec[KIND]
                events.append(
                    EvidenceEvent(
                        rec[ID],
                        from_micros(rec[T]),
                        kind[STATUS],
                        kind[REASON],
                        kind[SYSTEM],
                        kind[DESC],
                    )
                )
            read = self._read = Evidence(
                self._rule, self._step, types.MappingProxyType(self._values), tuple(events)
            )
        return read

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PendingEvidence):
            other = other.load()
        return self.load() == other

    def __hash__(self) -> int:
        return hash(self.load())

    def __repr__(self) -> str:
        return repr(self.load())
