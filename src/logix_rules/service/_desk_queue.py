"""The desk's queue: live incidents by their next deadline, with the desk's filters.

The next deadline is ``respond_by`` until someone acknowledges the incident, then
``resolve_by``.  Severity, kind, carrier and lane are columns of the ``incidents``
table; the owner (who acknowledged) is read from the snapshot, which is JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Final

import attrs

from ..runtime._incidents import Incident
from ..store import Store
from ..store._codec import incident_from_dict, micros

__all__ = ["PAGE_SIZE", "QueueFilters", "QueuePage", "QueueRow", "filter_choices", "read_queue"]

PAGE_SIZE: Final = 50
_LIVE: Final = "state IN ('open', 'acknowledged')"
_NEXT: Final = "CASE WHEN state = 'open' THEN respond_by ELSE resolve_by END"
#: How long a filter value may be; longer ones are no filter the desk offers.
_MAX_VALUE: Final = 200


def _value(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    return value[:_MAX_VALUE] if value else None


@attrs.frozen
class QueueFilters:
    """What the queue's GET form asks for; empty fields are no filter."""

    severity: str | None = None
    kind: str | None = None
    carrier: str | None = None
    lane: str | None = None
    owner: str | None = None
    overdue: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QueueFilters:
        try:
            page = max(1, min(int(params.get("page", "1")), 10_000))
        except ValueError:
            page = 1
        return cls(
            severity=_value(params, "severity"),
            kind=_value(params, "kind"),
            carrier=_value(params, "carrier"),
            lane=_value(params, "lane"),
            owner=_value(params, "owner"),
            overdue=params.get("overdue") in ("1", "on", "true"),
            page=page,
        )

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (for links to other pages of the queue)."""
        current = attrs.evolve(self, **changes)  # type: ignore[arg-type]
        out = {
            name: value
            for name in ("severity", "kind", "carrier", "lane", "owner")
            if (value := getattr(current, name))
        }
        if current.overdue:
            out["overdue"] = "1"
        if current.page > 1:
            out["page"] = str(current.page)
        return out

    @property
    def active(self) -> bool:
        return bool(self.query(page=1))


@attrs.frozen
class QueueRow:
    incident: Incident
    lane: str | None
    next_deadline: datetime
    deadline_name: str  # "respond" or "resolve"


@attrs.frozen
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int
    page: int
    pages: int


def _owner_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return "json_extract(snapshot, '$.acknowledged_by')"
    return "(snapshot::json ->> 'acknowledged_by')"


def read_queue(store: Store, filters: QueueFilters, now: datetime) -> QueuePage:
    """One page of the queue, soonest deadline first (then most severe, oldest)."""
    db = store.db
    where = [_LIVE]
    params: list[object] = []
    for column, value in (
        ("severity", filters.severity),
        ("kind", filters.kind),
        ("carrier", filters.carrier),
        ("lane", filters.lane),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.owner is not None:
        where.append(f"{_owner_sql(db.dialect)} = ?")
        params.append(filters.owner)
    if filters.overdue:
        where.append(f"{_NEXT} < ?")
        params.append(micros(now))
    clause = " AND ".join(where)
    collate = db.collate_c
    offset = (filters.page - 1) * PAGE_SIZE
    with db.transaction(write=False):
        total = int(db.execute(f"SELECT COUNT(*) FROM incidents WHERE {clause}", params)[0][0])
        rows = db.execute(
            f"SELECT snapshot, lane FROM incidents WHERE {clause} "
            f"ORDER BY {_NEXT}, rank, opened_at, tracking_number{collate}, kind{collate} "
            "LIMIT ? OFFSET ?",
            [*params, PAGE_SIZE, offset],
        )
    shown = []
    for snapshot, lane in rows:
        incident = incident_from_dict(json.loads(snapshot))
        waiting = incident.acknowledged_at is None
        shown.append(
            QueueRow(
                incident=incident,
                lane=lane,
                next_deadline=incident.respond_by if waiting else incident.resolve_by,
                deadline_name="respond" if waiting else "resolve",
            )
        )
    pages = max(1, -(-total // PAGE_SIZE))
    return QueuePage(rows=tuple(shown), total=total, page=filters.page, pages=pages)


def filter_choices(store: Store) -> dict[str, list[str]]:
    """The values the filters' drop-downs offer: those of the live incidents."""
    db = store.db
    choices: dict[str, list[str]] = {}
    with db.transaction(write=False):
        for column in ("kind", "carrier", "lane"):
            rows = db.execute(
                f"SELECT DISTINCT {column} FROM incidents WHERE {_LIVE} AND {column} IS NOT NULL"
            )
            choices[column] = sorted(str(value) for (value,) in rows)
        rows = db.execute(f"SELECT DISTINCT {_owner_sql(db.dialect)} FROM incidents WHERE {_LIVE}")
        choices["owner"] = sorted(str(value) for (value,) in rows if value)
    return choices
