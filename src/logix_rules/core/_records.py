"""The kernel's compact form of an event, shared by the kernel and the code the pack
compiler generates: ``(time in µs, id, kind)``.

The *kind* is what an event says, apart from when and under which id: (status, stage,
reason, source system, is a report, country, source code, text, the attributes the pack
reads).  Carriers repeat themselves, so the kernel keeps one shared kind per distinct
content and every record points at it (see ``Kernel.group``).  The stage is None when
the scan says nothing of position (see ``implies_stage``).

Both are plain tuples, not named ones: the garbage collector stops tracking a plain tuple
of untracked values, never a subclass, and an engine holds one record per event for as
long as it runs.
"""

from __future__ import annotations

import operator
from typing import Any, Final

__all__ = [
    "ATTRS",
    "CODE",
    "COUNTRY",
    "DESC",
    "ID",
    "KIND",
    "KIND_FIELDS",
    "NO_EVENT",
    "REASON",
    "REPORT",
    "STAGE",
    "STATUS",
    "SYSTEM",
    "EventKind",
    "EventRec",
    "T",
    "rec_from_list",
    "rec_key",
    "rec_to_list",
]

EventKind = tuple[
    str, str | None, str | None, str, bool, str | None, str | None, str, tuple[tuple[str, Any], ...]
]
STATUS: Final = 0  # the fields of a kind
STAGE: Final = 1
REASON: Final = 2
SYSTEM: Final = 3
REPORT: Final = 4
COUNTRY: Final = 5
CODE: Final = 6
DESC: Final = 7
ATTRS: Final = 8
# A kind's fields by name, as generated code reads them (``event.status``, trackers).
KIND_FIELDS: Final = {
    "status": STATUS,
    "stage": STAGE,
    "reason": REASON,
    "system": SYSTEM,
    "report": REPORT,
    "country": COUNTRY,
    "code": CODE,
}

EventRec = tuple[int, str, EventKind]
T: Final = 0  # the fields of a record
ID: Final = 1
KIND: Final = 2

# What ``event.*`` reads before the first event.
NO_EVENT: Final[tuple[None, None, tuple[Any, ...]]] = (
    None,
    None,
    (None, None, None, None, False, None, None, "", ()),
)

rec_key = operator.itemgetter(T, ID)  # (time, id): the order of a history, in C


def rec_to_list(rec: EventRec) -> list[Any]:
    """The serial form of a record (flat, JSON-ready; the state format of version 1)."""
    kind = rec[KIND]
    return [rec[T], rec[ID], *kind[:ATTRS], [list(pair) for pair in kind[ATTRS]]]


def rec_from_list(row: list[Any]) -> EventRec:
    t, id_, status, stage, reason, system, report, country, code, desc, pairs = row
    attrs = tuple((k, v) for k, v in pairs)
    return (t, id_, (status, stage, reason, system, report, country, code, desc, attrs))
