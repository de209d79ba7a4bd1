"""Retention: deleting the parcels nobody needs any more, never younger than the pack's
``retention`` param allows."""

from __future__ import annotations

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..core._durations import format_duration, from_micros
from ..core._errors import ErrorCode
from ._cache import StateCache
from ._db import Database, chunks, wall_micros
from ._errors import StoreError

__all__ = ["DEFAULT_RETENTION", "purge_parcels"]

#: Used when the pack has no ``retention`` param: 400 days, in µs.
DEFAULT_RETENTION = 400 * 86_400 * 1_000_000
#: Parcels deleted per transaction: a long purge never holds the write lock for long.
BATCH = 1_000


def retention_of(pack: Pack | None) -> int:
    pack = pack if pack is not None else load_pack("default")
    param = pack.params.get("retention")
    return int(param.default) if param is not None else DEFAULT_RETENTION


def purge_parcels(
    db: Database, cache: StateCache, cut: int, *, force: bool, pack: Pack | None
) -> int:
    """Delete what ``Store.purge`` describes, in batches; return how many parcels."""
    with db.transaction(write=False):
        rows = db.execute("SELECT value FROM meta WHERE key = 'clock'")
    now = int(rows[0][0]) if rows[0][0] is not None else wall_micros()
    keep = retention_of(pack)
    if not force and cut > now - keep:
        raise StoreError(
            ErrorCode.PURGE_TOO_RECENT,
            "purge",
            f"closed_before={from_micros(cut).isoformat()} is less than the retention of "
            f"{format_duration(keep)} before {from_micros(now).isoformat()}",
            input=from_micros(cut).isoformat(),
            hint=f"pass an instant at least {format_duration(keep)} ago, lower the pack's "
            "retention param, or pass force=True",
        )
    # One pass finds the candidates (purging is rare: no index is kept for it); each
    # batch is then checked again under its rows' locks, so a parcel that got an event
    # or an incident meanwhile stays.
    with db.transaction(write=False):
        candidates = [
            tn
            for (tn,) in db.execute(
                f"SELECT s.tracking_number FROM shipments s WHERE {_PURGEABLE} "
                f"ORDER BY s.tracking_number{db.collate_c}",
                (cut, cut),
            )
        ]
    purged = 0
    for part in chunks(candidates, BATCH):
        match, params = db.in_list(part)
        with db.transaction(write=True):
            found = db.execute(
                f"SELECT s.tracking_number FROM shipments s WHERE s.tracking_number {match} "
                f"AND {_PURGEABLE} ORDER BY s.tracking_number{db.collate_c}"
                f"{db.for_update_skip_locked}",
                [*params, cut, cut],
            )
            numbers = [tn for (tn,) in found]
            for piece in chunks(numbers):
                match, params = db.in_list(piece)
                incident_match = f"IN (SELECT id FROM incidents WHERE tracking_number {match})"
                db.execute(f"DELETE FROM actions WHERE incident_id {incident_match}", params)
                db.execute(f"DELETE FROM feed WHERE incident_id {incident_match}", params)
                db.execute(f"DELETE FROM incidents WHERE tracking_number {match}", params)
                db.execute(f"DELETE FROM shipment_facts WHERE tracking_number {match}", params)
                db.execute(f"DELETE FROM shipments WHERE tracking_number {match}", params)
        for tn in numbers:
            cache.discard(tn)
        purged += len(numbers)
    return purged


#: A parcel can go when its last event (its last write, without events) is before the
#: cut and every incident it had stopped needing anyone before it.
_PURGEABLE = (
    "COALESCE(s.last_event, s.updated) < ? AND NOT EXISTS (SELECT 1 FROM incidents i "
    "WHERE i.tracking_number = s.tracking_number AND (i.closed_at IS NULL OR i.closed_at >= ?))"
)
