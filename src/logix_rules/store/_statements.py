"""The SQL a store unit runs (``_units``): the rows it writes, as ``Insert``
statements over their columns, and the states an incident row can be in."""

from __future__ import annotations

from typing import Any

from ..runtime._incidents import ChangeType, IncidentState
from ._db import Insert

__all__ = [
    "CLEARED_INCIDENT",
    "CLOSE_INCIDENT",
    "CLOSING",
    "HELD",
    "INCIDENT_COLUMNS",
    "INSERT_ACTION",
    "INSERT_FEED",
    "LIVE",
    "SHIPMENT_COLUMNS",
    "STATE_OF",
    "UPSERT_INCIDENT",
    "UPSERT_SHIPMENT",
    "live_incident_filter",
]

STATE_OF = {
    IncidentState.OPEN: "open",
    IncidentState.ACKNOWLEDGED: "acknowledged",
    IncidentState.RESOLVED: "resolved",
    IncidentState.CLEARED: "closed",
}
LIVE = "('open', 'acknowledged')"
# The changes that close an incident's row with their snapshot (a superseded incident
# is closed like a cleared one; its snapshot names the incident that replaced it).
CLOSING = frozenset({ChangeType.CLEARED, ChangeType.SUPERSEDED})


def live_incident_filter(
    *,
    severity: str | None,
    kind: str | None,
    carrier: str | None,
    tracking_number: str | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) selecting live incidents by the filters
    that are given; each column has an index."""
    where = [f"state IN {LIVE}"]
    params: list[Any] = []
    for column, value in (
        ("severity", severity),
        ("kind", kind),
        ("carrier", carrier),
        ("tracking_number", tracking_number),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(where), params


HELD = "('open', 'acknowledged', 'resolved')"

SHIPMENT_COLUMNS = (
    ("tracking_number", "text"),
    ("carrier", "text"),
    ("state", "bytea"),
    ("next_due", "bigint"),
    ("last_event", "bigint"),
    ("version", "bigint"),
    ("updated", "bigint"),
)
UPSERT_SHIPMENT = Insert(
    "shipments",
    SHIPMENT_COLUMNS,
    "ON CONFLICT (tracking_number) DO UPDATE SET carrier = excluded.carrier, "
    "state = excluded.state, next_due = excluded.next_due, last_event = excluded.last_event, "
    "version = excluded.version, updated = excluded.updated",
)
INCIDENT_COLUMNS = (
    ("id", "text"),
    ("tracking_number", "text"),
    ("kind", "text"),
    ("severity", "text"),
    ("rank", "integer"),
    ("carrier", "text"),
    ("lane", "text"),
    ("state", "text"),
    ("opened_at", "bigint"),
    ("respond_by", "bigint"),
    ("resolve_by", "bigint"),
    ("closed_at", "bigint"),
    ("reads_now", "integer"),
    ("snapshot", "text"),
)
UPSERT_INCIDENT = Insert(
    "incidents",
    INCIDENT_COLUMNS,
    "ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, rank = excluded.rank, "
    "carrier = excluded.carrier, lane = excluded.lane, state = excluded.state, "
    "respond_by = excluded.respond_by, resolve_by = excluded.resolve_by, "
    "closed_at = excluded.closed_at, reads_now = excluded.reads_now, "
    "snapshot = excluded.snapshot",
)
CLEARED_INCIDENT = Insert(
    "incidents",
    INCIDENT_COLUMNS,
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at, "
    "reads_now = 0, snapshot = excluded.snapshot",
)
CLOSE_INCIDENT = (
    "UPDATE incidents SET state = 'closed', closed_at = COALESCE(closed_at, ?) "
    "WHERE id = ? AND state <> 'closed'"
)
INSERT_ACTION = Insert(
    "actions",
    (
        ("incident_id", "text"),
        ("n", "integer"),
        ("what", "text"),
        ("by_name", "text"),
        ("at", "bigint"),
        ("note", "text"),
        ("cause", "text"),
    ),
    "ON CONFLICT (incident_id, n) DO NOTHING",
)
INSERT_FEED = Insert(
    "feed",
    (
        ("seq", "bigint"),
        ("change_id", "text"),
        ("type", "text"),
        ("at", "bigint"),
        ("incident_id", "text"),
        ("payload", "text"),
    ),
)
