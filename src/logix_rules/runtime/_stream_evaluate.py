"""``evaluate`` over events that come in chunks (``logix run`` on a large file).

The answer is ``evaluate``'s for all the events at once: each chunk is turned into
the kernel's compact records at once and the events themselves are let go, so a
million events never live as a million models; once the input ends, every
shipment's records are applied in one unit, as ``evaluate`` applies one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

import attrs

from logix_carriers import Shipment, TrackingEvent

from ..compiler._model import Pack
from ..core._durations import from_micros
from ..core._records import EventRec, T
from ._engine import Engine
from ._gc_settle import Settler
from ._incidents import Incident
from ._inputs import aware_micros
from ._line_records import Grouped

__all__ = [
    "Collected",
    "StreamResult",
    "collect_grouped",
    "evaluate_chunks",
    "evaluate_collected",
    "evaluate_grouped",
]


@attrs.frozen
class StreamResult:
    """The open incidents at ``at`` (None: there was no event and no ``at``), the
    number of valid events read and of those after ``at`` (ignored), and the carrier
    of every tracking number read (as its first event names it), in file order."""

    incidents: list[Incident]
    at: datetime | None
    events: int
    later: int
    carriers: dict[str, str] = attrs.Factory(dict)


def evaluate_chunks(
    pack: Pack,
    chunks: Iterable[Sequence[TrackingEvent]],
    *,
    at: datetime | None = None,
    shipments: Callable[[], Iterable[Shipment]] = tuple,
    each: Callable[[Sequence[TrackingEvent]], None] | None = None,
) -> StreamResult:
    """``evaluate(pack, all events, at=at, shipments=...)``, reading ``chunks`` once.

    ``at=None`` evaluates at the latest event time.  ``each`` sees every chunk before
    it is let go; ``shipments`` is called once the events are read.
    """
    engine = Engine(pack)
    group = engine._kernel.group

    def grouped() -> Iterator[Grouped]:
        for chunk in chunks:
            if each is not None:
                each(chunk)
            yield (*group(chunk), len(chunk))

    return evaluate_grouped(engine, grouped(), at=at, shipments=shipments)


def evaluate_grouped(
    engine: Engine,
    chunks: Iterable[Grouped],
    *,
    at: datetime | None = None,
    shipments: Callable[[], Iterable[Shipment]] = tuple,
) -> StreamResult:
    """``evaluate_chunks`` over chunks already turned into records (``RecordChunks``),
    on a new ``engine``."""
    return evaluate_collected(engine, collect_grouped(chunks), at=at, shipments=shipments)


@attrs.define
class Collected:
    """Every parcel's records read so far (file order), its carrier, the number of
    events and the latest event time (µs; None: no event)."""

    groups: dict[str, list[EventRec]]
    carriers: dict[str, str]
    events: int
    latest: int | None


def collect_grouped(chunks: Iterable[Grouped]) -> Collected:
    """The records of every chunk, gathered by tracking number."""
    groups: dict[str, list[EventRec]] = {}
    carriers: dict[str, str] = {}
    events = 0
    # The records pile up like states do (see _gc_settle): a run that has read
    # SETTLE_FROM events is as large as an engine holding that many states.
    settler = Settler()
    for found, found_carriers, count in chunks:
        events += count
        for number, recs in found.items():
            kept = groups.get(number)
            if kept is None:
                groups[number] = recs
                carriers[number] = found_carriers[number]
            else:
                kept.extend(recs)
        settler.after(events)
    latest = max((rec[T] for recs in groups.values() for rec in recs), default=None)
    return Collected(groups, carriers, events, latest)


def evaluate_collected(
    engine: Engine,
    collected: Collected,
    *,
    at: datetime | None = None,
    shipments: Callable[[], Iterable[Shipment]] = tuple,
) -> StreamResult:
    """``evaluate`` of what ``collect_grouped`` gathered, on a new ``engine``; its
    records are handed over (``collected`` is emptied).  ``at=None`` evaluates at
    ``collected.latest``; a part of a larger input (one shard) is given the whole
    input's ``at`` instead."""
    cutoff = None if at is None else aware_micros(at, "at")
    groups, carriers, events, latest = (
        collected.groups,
        collected.carriers,
        collected.events,
        collected.latest,
    )
    collected.groups = {}
    later = 0
    if cutoff is not None and latest is not None and latest > cutoff:
        for number in list(groups):
            recs = groups[number]
            kept = [rec for rec in recs if rec[T] <= cutoff]
            later += len(recs) - len(kept)
            if kept:
                groups[number] = kept
            else:
                del groups[number]  # its carrier stays: the number was read
    if at is None:
        if latest is None:
            return StreamResult([], None, events, 0, carriers)
        at = from_micros(latest)
    for shipment in shipments():
        engine.upsert_shipment(shipment)
    # Nobody reads the changes of this run, only the incidents open at its end.
    engine._apply(groups, carriers, report=False)
    del groups
    engine._advance(at, report=False)
    return StreamResult(engine.open_incidents(), at, events, later, carriers)
