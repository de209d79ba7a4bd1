"""Hypothesis strategies for rule packs: shipments, parcel timelines, arrival orders.

Needs the ``testing`` extra (``pip install "logix[testing]"``)::

    from hypothesis import given, strategies as st
    from logix_rules.strategies import timelines

    @given(timelines(stall=st.timedeltas(min_value=timedelta(hours=24),
                                         max_value=timedelta(days=3))))
    def test_a_stall_opens_at_24h(timeline): ...

* ``shipments()`` draws realistic OMS facts: carriers, domestic and cross-border
  lanes, promised dates, values, categories.
* ``timelines()`` draws a parcel's life from a model of the journey (pre-transit,
  pickup, line haul, customs for cross-border lanes, last mile, then delivered,
  returned, lost or still in transit), with keyword-only knobs that inject what
  rules care about: a stall of a chosen length, a customs hold, failed attempts,
  damage with a ratio, loss, refusal, late delivery, a customer report, and carrier
  noise (duplicate scans, out-of-order arrival, clock skew within a bound).  Every
  knob takes a plain value or a strategy.  What was injected is recorded in
  ``timeline.situations`` with its times, so a test can check the incident that
  should follow.
* ``arrivals(timeline)`` draws an arrival plan: the same events shuffled and partly
  duplicated, in batches, with ``advance`` points and the shipment facts interleaved.
* ``assert_incremental_equals_batch``, ``assert_duplicates_change_nothing``,
  ``assert_arrival_order_irrelevant`` and ``assert_no_early_incidents`` check the
  engine's promises for your pack inside your own ``@given`` tests.

Arguments are validated when a value is drawn, as in Hypothesis itself: a bad
argument raises ``hypothesis.errors.InvalidArgument``.  Examples shrink towards
short timelines: few scans, minutes apart, starting 2026-03-02 08:00 UTC.
``Shipment``, ``TrackingEvent`` and ``Timeline`` get type strategies through
Hypothesis's entry point, so ``st.from_type(Shipment)`` works.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment, TrackingEvent
from logix_carriers._countries import is_country_code

from ..compiler._pack import Pack, load_pack
from ..runtime._engine import Engine, evaluate
from ..runtime._explain import explain_events, format_instant, format_span
from ..runtime._incidents import Change, ChangeType, Incident

__all__ = [
    "EPOCH",
    "OUTCOMES",
    "REPORT_REASONS",
    "SITUATIONS",
    "Advance",
    "ArrivalPlan",
    "Ingest",
    "Situation",
    "Timeline",
    "Upsert",
    "arrivals",
    "assert_arrival_order_irrelevant",
    "assert_duplicates_change_nothing",
    "assert_incremental_equals_batch",
    "assert_no_early_incidents",
    "eventful_timelines",
    "shipments",
    "timelines",
]

T = TypeVar("T")

#: How a timeline can end.
OUTCOMES: Final = ("in_transit", "delivered", "returned", "lost")
#: What a customer (or warehouse) report can say.
REPORT_REASONS: Final = ("not_received", "wrong_item", "missing_items", "damaged")
#: The situations ``timelines`` can inject, as recorded in ``Timeline.situations``.
SITUATIONS: Final = (
    "stall",
    "customs_hold",
    "customs_time",
    "failed_attempts",
    "damage",
    "lost",
    "refused",
    "late",
    "customer_report",
    "duplicates",
    "out_of_order",
    "clock_skew",
)

#: Where shrinking leads: the earliest shipping time.
EPOCH: Final = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)

# -------------------------------------------------------------------------- reference data


@attrs.frozen
class _Lane:
    origin: str
    destination: str
    carriers: tuple[str, ...]
    currency: str
    promise_days: tuple[int, int]

    @property
    def code(self) -> str:
        return f"{self.origin}-{self.destination}"

    @property
    def cross_border(self) -> bool:
        return self.origin != self.destination


_LANES: Final = (
    _Lane("DE", "DE", ("dhl",), "EUR", (1, 3)),
    _Lane("US", "US", ("ups", "usps"), "USD", (2, 5)),
    _Lane("CN", "CN", ("sf-express",), "CNY", (1, 4)),
    _Lane("GB", "GB", ("royal-mail",), "GBP", (1, 3)),
    _Lane("FR", "FR", ("colissimo",), "EUR", (1, 3)),
    _Lane("CN", "US", ("yanwen", "china-post"), "USD", (10, 20)),
    _Lane("CN", "DE", ("cainiao",), "EUR", (10, 20)),
    _Lane("DE", "FR", ("dhl",), "EUR", (3, 6)),
    _Lane("GB", "US", ("royal-mail",), "GBP", (6, 12)),
    _Lane("US", "BR", ("ups",), "USD", (8, 15)),
    _Lane("CN", "IN", ("4px",), "USD", (10, 18)),
)

# carrier -> tracking number template, filled with a drawn serial number
_NUMBERS: Final = {
    "dhl": "00340434{:012d}",
    "ups": "1Z999AA1{:010d}",
    "usps": "9400{:018d}",
    "sf-express": "SF{:013d}",
    "royal-mail": "RR{:09d}GB",
    "colissimo": "6A{:011d}",
    "yanwen": "UG{:09d}CN",
    "china-post": "LX{:09d}CN",
    "cainiao": "LP00{:012d}",
    "4px": "4PX3000{:010d}CN",
}

# country -> (city, IANA zone, hub facility)
_PLACES: Final = {
    "DE": ("Berlin", "Europe/Berlin", "Hub Leipzig"),
    "FR": ("Paris", "Europe/Paris", "Roissy Hub"),
    "US": ("Chicago", "America/Chicago", "Memphis Hub"),
    "CN": ("Shenzhen", "Asia/Shanghai", "Baiyun Sorting Centre"),
    "GB": ("London", "Europe/London", "Heathrow Worldwide Distribution Centre"),
    "BR": ("São Paulo", "America/Sao_Paulo", "Curitiba International Centre"),
    "IN": ("Mumbai", "Asia/Kolkata", "Air Cargo Complex Mumbai"),
}

# Parcels between these countries cross a border but no customs (the EU's single market).
_NO_CUSTOMS: Final = frozenset({"AT", "BE", "DE", "DK", "ES", "FR", "IE", "IT", "NL", "PL", "SE"})


def _has_customs(shipment: Shipment) -> bool:
    """Whether a parcel's journey goes through import customs."""
    origin, destination = shipment.origin_country, shipment.destination_country
    if not shipment.cross_border:
        return False
    return not (origin in _NO_CUSTOMS and destination in _NO_CUSTOMS)


_CATEGORIES: Final = ("apparel", "electronics", "books", "cosmetics", "toys", "home", "jewelry")
_SERVICE_LEVELS: Final = ("standard", "express", "economy")


# ------------------------------------------------------------------------------ arguments

# Strategy objects are built once per distinct argument: Hypothesis validates every new
# one, and timelines draw a few dozen values each.
_BOOLS: Final = st.booleans()


@functools.lru_cache(maxsize=1024)
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.lru_cache(maxsize=1024)
def _choices(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def _choice(options: Iterable[T]) -> st.SearchStrategy[T]:
    return _choices(tuple(options))


def _strategy(value: Any) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _draw(draw: st.DrawFn, value: Any) -> tuple[Any, bool]:
    """A knob's value, and whether the caller fixed it (True) or a strategy drew it."""
    if isinstance(value, st.SearchStrategy):
        return draw(value), False
    return value, True


def _bad(fixed: bool, message: str) -> Any:
    """A plain argument that cannot work is an error; a drawn one is just rejected."""
    if fixed:
        raise InvalidArgument(message)
    reject()


def _duration(name: str, value: Any, fixed: bool, *, allow_zero: bool = False) -> timedelta | None:
    if value is None:
        return None
    if not isinstance(value, timedelta):
        _bad(True, f"{name}={value!r} must be a timedelta (or a strategy of timedeltas)")
    if value < timedelta(0) or (value == timedelta(0) and not allow_zero):
        _bad(fixed, f"{name}={value!r} must be a positive timedelta")
    return value  # type: ignore[no-any-return]


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False (or a strategy of them)")
    return value


def _count(name: str, value: Any, fixed: bool, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be a whole number (or a strategy of them)")
    if not 0 <= value <= limit:
        _bad(fixed, f"{name}={value!r} must be between 0 and {limit}")
    return value


# ------------------------------------------------------------------------------ shipments


def _lane_of(text: str) -> _Lane:
    if not isinstance(text, str) or len(text) != 5 or text[2] != "-":
        raise InvalidArgument(f"lane {text!r} must be written ORIGIN-DESTINATION, e.g. 'CN-US'")
    origin, destination = text[:2].upper(), text[3:].upper()
    for code in (origin, destination):
        if not is_country_code(code):
            raise InvalidArgument(f"lane {text!r}: {code!r} is not an ISO-3166 country code")
    for lane in _LANES:
        if lane.origin == origin and lane.destination == destination:
            return lane
    cross = origin != destination
    return _Lane(origin, destination, ("dhl",), "EUR", (7, 14) if cross else (1, 3))


@st.composite
def _shipments(
    draw: st.DrawFn,
    lanes: Any,
    carriers: Any,
    cross_border: Any,
    shipped_at: Any,
    declared_value: Any,
    categories: Any,
    promised: Any,
) -> Shipment:
    cross, _ = _draw(draw, cross_border)
    if cross is not None:
        _boolean("cross_border", cross)
    if lanes is None:
        pool = [lane for lane in _LANES if cross is None or lane.cross_border == cross]
        lane = draw(_choice(pool))
    else:
        if isinstance(lanes, st.SearchStrategy):
            lane = _lane_of(draw(lanes))
        elif isinstance(lanes, str) or not isinstance(lanes, Sequence) or not lanes:
            raise InvalidArgument(
                f"lanes={lanes!r} must be a non-empty list of 'CN-US' strings or a strategy"
            )
        else:
            chosen = [_lane_of(text) for text in lanes]
            pool = [lane for lane in chosen if cross is None or lane.cross_border == cross]
            if not pool:
                raise InvalidArgument(f"no lane in {list(lanes)!r} has cross_border={cross!r}")
            lane = draw(_choice(pool))
        if cross is not None and lane.cross_border != cross:
            reject()
    if carriers is None:
        carrier = draw(_choice(lane.carriers))
    elif isinstance(carriers, st.SearchStrategy):
        carrier = draw(carriers)
    elif isinstance(carriers, str) or not isinstance(carriers, Sequence) or not carriers:
        raise InvalidArgument(f"carriers={carriers!r} must be a non-empty list or a strategy")
    else:
        carrier = draw(_choice(list(carriers)))
    if not isinstance(carrier, str) or not carrier.strip():
        raise InvalidArgument(f"carrier {carrier!r} must be a non-empty string")
    carrier = carrier.strip().lower()
    serial = draw(_ints(1, 10**9 - 1))
    number = _NUMBERS.get(carrier, carrier.upper()[:4] + "{:010d}").format(serial)

    if shipped_at is None:
        days = draw(_ints(0, 300))
        quarter_hours = draw(_ints(0, 95))
        shipped = EPOCH + timedelta(days=days, minutes=15 * quarter_hours)
    else:
        shipped, _ = _draw(draw, shipped_at)
        if not isinstance(shipped, datetime) or shipped.utcoffset() is None:
            raise InvalidArgument(f"shipped_at={shipped!r} must be a timezone-aware datetime")
    low, high = lane.promise_days
    has_promise, _ = _draw(draw, promised)
    _boolean("promised", has_promise)
    promise = shipped + timedelta(days=draw(_ints(low, high))) if has_promise else None

    if declared_value is None:
        value = Decimal(draw(_ints(100, 200_000))) / 100
    else:
        raw, _ = _draw(draw, declared_value)
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal) or raw < 0:
            raise InvalidArgument(f"declared_value={raw!r} must be a non-negative number")
        value = Decimal(str(raw))
    freight = Decimal(draw(_ints(250, 6_000))) / 100
    if categories is None:
        category = draw(_choice(_CATEGORIES))
    elif isinstance(categories, st.SearchStrategy):
        category = draw(categories)
    elif isinstance(categories, str) or not isinstance(categories, Sequence) or not categories:
        raise InvalidArgument(f"categories={categories!r} must be a non-empty list or a strategy")
    else:
        category = draw(_choice(list(categories)))
    return Shipment(
        tracking_number=number,
        carrier=carrier,
        origin_country=lane.origin,
        destination_country=lane.destination,
        service_level=draw(_choice(_SERVICE_LEVELS)),
        shipped_at=shipped,
        promised_at=promise,
        declared_value=value,
        freight_cost=freight,
        currency=lane.currency,
        insured=draw(_BOOLS),
        category=category,
        order_id=f"SO-{draw(_ints(1, 999_999)):06d}",
    )


def shipments(
    *,
    lanes: Sequence[str] | st.SearchStrategy[str] | None = None,
    carriers: Sequence[str] | st.SearchStrategy[str] | None = None,
    cross_border: bool | st.SearchStrategy[bool] | None = None,
    shipped_at: datetime | st.SearchStrategy[datetime] | None = None,
    declared_value: float | Decimal | st.SearchStrategy[Any] | None = None,
    categories: Sequence[str] | st.SearchStrategy[str] | None = None,
    promised: bool | st.SearchStrategy[bool] = True,
) -> st.SearchStrategy[Shipment]:
    """Realistic OMS facts: a carrier and lane, shipping and promised times, money.

    ``lanes`` are ``"CN-US"`` strings (default: a mix of domestic and cross-border
    lanes with the carriers that serve them); ``cross_border`` keeps only one kind.
    ``shipped_at`` defaults to a time from 2026-03-02 08:00 UTC on; the promise is a
    lane-typical number of days later (``promised=False`` leaves it out).
    """
    return _shipments(
        lanes, carriers, cross_border, shipped_at, declared_value, categories, promised
    )


# ------------------------------------------------------------------------------ timelines


@attrs.frozen
class Situation:
    """Something ``timelines`` injected, with when it happened.

    ``at`` is when it starts (the last scan before a stall, the hold scan, the
    promised time for ``late``...), ``until`` when it ends if it does (the next
    scan, the delivery), ``value`` its size: a timedelta for ``stall``,
    ``customs_time`` and ``late``, the ratio for ``damage`` (None when unknown), the
    count for ``failed_attempts`` and ``duplicates``, the reason for
    ``customer_report``, the largest offset for ``clock_skew``.
    """

    kind: str
    at: datetime
    until: datetime | None = None
    value: Any = None

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, timedelta):
            value = format_span(value // timedelta(microseconds=1))
        shown = "" if value is None or value is True else f" {value}"
        return f"{self.kind}{shown}"


@attrs.frozen(repr=False)
class Timeline:
    """One parcel's story: its shipment, the events a carrier feed delivered, the end.

    ``events`` are in the order the feed delivered them, noise included (duplicate
    scans, late arrivals, skewed clocks); ``end`` is the instant the story reaches,
    after the last event (the end of a final silence, if there is one); ``outcome``
    is one of ``OUTCOMES``; ``situations`` lists what was injected.
    """

    shipment: Shipment
    events: tuple[TrackingEvent, ...]
    end: datetime
    outcome: str
    situations: tuple[Situation, ...] = ()

    @property
    def tracking_number(self) -> str:
        return self.shipment.tracking_number

    @property
    def start(self) -> datetime:
        assert self.shipment.shipped_at is not None
        return self.shipment.shipped_at

    @property
    def distinct_events(self) -> tuple[TrackingEvent, ...]:
        """Each event once, in time order."""
        seen: dict[str, TrackingEvent] = {}
        for event in self.events:
            seen.setdefault(event.event_id, event)
        return tuple(sorted(seen.values(), key=lambda e: (e.occurred_at, e.event_id)))

    @property
    def scans(self) -> tuple[TrackingEvent, ...]:
        """The distinct carrier scans (no reports), in time order."""
        return tuple(e for e in self.distinct_events if not e.is_report)

    def has(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.situations)

    def situation(self, kind: str) -> Situation | None:
        """The injected situation of that kind, or None."""
        return next((s for s in self.situations if s.kind == kind), None)

    def offset(self, moment: datetime) -> str:
        """``+26h``: an instant relative to the shipping time."""
        delta = (moment - self.start) // timedelta(microseconds=1)
        return ("+" if delta >= 0 else "-") + format_span(abs(delta))

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints falsifying examples with this protocol: one scan a line.
        printer.text(repr(self))

    def __repr__(self) -> str:
        ship = self.shipment
        head = (
            f"Timeline({ship.lane or '?'} {ship.carrier} {ship.tracking_number}, shipped "
            f"{format_instant(ship.shipped_at)}, promised "
            f"{format_instant(ship.promised_at) if ship.promised_at else 'never'}; "
            f"outcome {self.outcome}"
        )
        if self.situations:
            head += "; " + ", ".join(str(s) for s in self.situations)
        lines = [head]
        seen: set[str] = set()
        for event in self.events:
            again = event.event_id in seen
            seen.add(event.event_id)
            what = event.status.value + (f"/{event.reason.value}" if event.reason else "")
            source = f" [{event.source.system}]" if event.is_report else ""
            extra = f" {dict(event.attributes)}" if event.attributes else ""
            lines.append(
                f"  {self.offset(event.occurred_at):>9}  {what:<28} {event.stage.value:<11}"
                f"{source}{extra}{' (again)' if again else ''}"
            )
        lines.append(f"  end {self.offset(self.end)})")
        return "\n".join(lines)


@attrs.define
class _Scan:
    """A scan of the model, before times and noise are applied."""

    step: str
    status: str
    stage: str | None = None
    reason: str | None = None
    where: str = "origin"  # origin | hub | destination
    attributes: dict[str, Any] = attrs.field(factory=dict)
    t: timedelta = timedelta(0)
    system: str | None = None  # a report's system; None for carrier scans


_TEXT: Final = {
    "label": "Shipment information received",
    "pickup": "Picked up by the courier",
    "depart": "Departed the origin facility",
    "hub": "Processed at sort facility",
    "customs": "Customs clearance started",
    "hold": "Held by customs: documents required",
    "payment": "Import duties due",
    "release": "Customs clearance completed",
    "inbound": "Arrived at the destination hub",
    "out_for_delivery": "Out for delivery",
    "attempt": "Delivery attempted",
    "pickup_point": "Available for collection at a pickup point",
    "refused": "Delivery refused by the recipient",
    "returning": "Returning to sender",
    "returned": "Returned to sender",
    "delivered": "Delivered",
    "damaged": "Parcel damaged in handling",
    "lost": "Parcel could not be located and is declared lost",
    "report": "Reported by the customer",
}
_ATTEMPT_REASONS: Final = ("recipient_unavailable", "address_issue", "business_closed")

# Phases a parcel still in transit can have reached, in journey order.
_PHASES: Final = ("first_mile", "line_haul", "customs", "last_mile")


@attrs.frozen
class _Knobs:
    stall: timedelta | None
    customs_hold: bool
    customs_time: timedelta | None
    failed_attempts: int
    damage: Any  # None: no damage; a float ratio; True: a ratio nobody knows yet
    lost: bool
    refused: bool
    late: timedelta | bool | None
    customer_report: str | None
    duplicates: int
    out_of_order: bool
    clock_skew: timedelta | None
    max_gap: timedelta
    drawn: bool  # some knob came from a strategy: conflicts reject instead of raising


def _knobs(draw: st.DrawFn, raw: dict[str, Any], cross: bool, drawn_shipment: bool) -> _Knobs:
    stall, fixed = _draw(draw, raw["stall"])
    stall = _duration("stall", stall, fixed)
    hold, fixed_hold = _draw(draw, raw["customs_hold"])
    hold = _boolean("customs_hold", hold)
    if hold and not cross:
        _bad(
            fixed_hold and not drawn_shipment,
            "customs_hold=True needs a shipment whose lane goes through customs, e.g. "
            "shipment=shipments(lanes=['CN-US'])",
        )
    ctime, fixed = _draw(draw, raw["customs_time"])
    ctime = _duration("customs_time", ctime, fixed)
    if ctime is not None and not cross:
        _bad(
            fixed and not drawn_shipment,
            "customs_time needs a cross-border shipment; pass "
            "shipment=shipments(cross_border=True)",
        )
    attempts, fixed = _draw(draw, raw["failed_attempts"])
    attempts = _count("failed_attempts", attempts, fixed, 10)
    damage, fixed = _draw(draw, raw["damage"])
    if damage is False:
        damage = None
    if damage is not None and damage is not True:
        if isinstance(damage, bool) or not isinstance(damage, int | float):
            raise InvalidArgument(
                f"damage={damage!r} must be a ratio between 0 and 1, True or None"
            )
        if not 0 <= damage <= 1:
            _bad(fixed, f"damage={damage!r}: a damage ratio is between 0 and 1")
        damage = float(damage)
    lost, fixed_lost = _draw(draw, raw["lost"])
    lost = _boolean("lost", lost)
    refused, fixed_refused = _draw(draw, raw["refused"])
    refused = _boolean("refused", refused)
    if lost and refused:
        _bad(fixed_lost and fixed_refused, "lost=True and refused=True cannot both happen")
    late, fixed = _draw(draw, raw["late"])
    if late is False:
        late = None
    if late is not True:  # True: some lateness, drawn once the journey's times are known
        late = _duration("late", late, fixed)
    report, fixed = _draw(draw, raw["customer_report"])
    if report is not None and report not in REPORT_REASONS:
        raise InvalidArgument(
            f"customer_report={report!r} must be one of {', '.join(REPORT_REASONS)} or None"
        )
    dupes, fixed = _draw(draw, raw["duplicates"])
    if isinstance(dupes, bool):
        dupes = int(dupes)
    dupes = _count("duplicates", dupes, fixed, 50)
    disorder, _ = _draw(draw, raw["out_of_order"])
    disorder = _boolean("out_of_order", disorder)
    skew, fixed = _draw(draw, raw["clock_skew"])
    skew = _duration("clock_skew", skew, fixed, allow_zero=True)
    gap = raw["max_gap"]
    if not isinstance(gap, timedelta) or gap < timedelta(minutes=10):
        raise InvalidArgument(f"max_gap={gap!r} must be a timedelta of at least 10 minutes")
    drawn = any(isinstance(value, st.SearchStrategy) for value in raw.values())
    return _Knobs(
        stall,
        hold,
        ctime,
        attempts,
        damage,
        lost,
        refused,
        late,
        report,
        dupes,
        disorder,
        skew,
        gap,
        drawn,
    )


def _skeleton(k: _Knobs, cross: bool, outcome: str, reached: str) -> list[_Scan]:
    """The scans of the journey for an outcome, before fillers, damage and times."""
    scans = [
        _Scan("label", "info_received", "pre_transit"),
        _Scan("pickup", "picked_up", "first_mile"),
    ]
    final = outcome != "in_transit" and outcome != "lost"
    depth = _PHASES.index(reached) if not final else len(_PHASES) - 1
    if depth >= 1:
        scans.append(_Scan("depart", "in_transit", "line_haul", where="hub"))
    if cross and depth >= 2:
        scans.append(_Scan("customs", "customs", "customs", where="destination"))
        if k.customs_hold:
            scans.append(_Scan("hold", "exception", None, "customs_hold", "destination"))
            scans.append(_Scan("release", "customs", "customs", where="destination"))
        if depth >= 3:
            scans.append(_Scan("inbound", "in_transit", "line_haul", where="destination"))
    if depth >= 3:
        scans.append(
            _Scan("out_for_delivery", "out_for_delivery", "last_mile", where="destination")
        )
        for n in range(k.failed_attempts):
            scans.append(
                _Scan(
                    "attempt",
                    "attempt_failed",
                    "last_mile",
                    _ATTEMPT_REASONS[n % len(_ATTEMPT_REASONS)],
                    "destination",
                )
            )
        if k.refused:
            scans.append(_Scan("refused", "exception", None, "refused", "destination"))
    if outcome == "delivered":
        if k.failed_attempts:
            scans.append(
                _Scan("out_for_delivery", "out_for_delivery", "last_mile", where="destination")
            )
        scans.append(_Scan("delivered", "delivered", "terminal", where="destination"))
    elif outcome == "returned":
        reason = "refused" if k.refused else "unclaimed"
        if not k.refused:
            scans.append(
                _Scan("pickup_point", "available_for_pickup", "last_mile", where="destination")
            )
        scans.append(_Scan("returning", "returning", "return", reason, "destination"))
        scans.append(_Scan("returned", "returned", "terminal", where="origin"))
    elif outcome == "lost":
        scans.append(_Scan("lost", "exception", None, "lost", "hub"))
    if k.damage is not None:
        scans.append(_Scan("damaged", "exception", None, "damaged", "hub"))  # placed later
    return scans


def _needed_depth(k: _Knobs, cross: bool) -> int:
    depth = 0
    if k.customs_hold or k.customs_time is not None:
        depth = 2
    if k.failed_attempts or k.refused:
        depth = 3
    return depth


def _plans(k: _Knobs, cross: bool, outcome: Any) -> list[tuple[str, str]]:
    """The (outcome, phase reached) pairs the knobs allow, smallest story first."""
    outcomes = list(OUTCOMES) if outcome is None else [outcome]
    depth = _needed_depth(k, cross)
    phases = [p for i, p in enumerate(_PHASES) if i >= depth and (cross or p != "customs")]
    out: list[tuple[str, str]] = []
    for name in outcomes:
        if k.lost != (name == "lost"):
            continue
        if k.refused and name == "delivered":
            continue
        if name in ("in_transit", "lost"):
            out.extend((name, phase) for phase in phases)
        else:
            out.append((name, "last_mile"))
    return out


@st.composite
def _timelines(draw: st.DrawFn, shipment: Any, raw: dict[str, Any]) -> Timeline:
    return _timeline(draw, shipment, raw)


def _timeline(draw: st.DrawFn, shipment: Any, raw: dict[str, Any]) -> Timeline:
    min_size, max_size = raw["min_size"], raw["max_size"]
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 0:
        raise InvalidArgument(f"min_size={min_size!r} must be a non-negative integer")
    if max_size is not None and (
        isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < min_size
    ):
        raise InvalidArgument(f"max_size={max_size!r} must be an integer >= min_size={min_size}")
    outcome, fixed_outcome = _draw(draw, raw["outcome"])
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidArgument(f"outcome={outcome!r} must be one of {', '.join(OUTCOMES)}")
    ship = draw(_SHIPMENTS if shipment is None else _strategy(shipment))
    if not isinstance(ship, Shipment):
        raise InvalidArgument(f"shipment must be a Shipment or a strategy of them, got {ship!r}")
    if ship.shipped_at is None:
        ship = ship.model_copy(update={"shipped_at": EPOCH})
    cross = _has_customs(ship)
    k = _knobs(draw, raw, cross, not isinstance(shipment, Shipment))
    if outcome == "lost" and not k.lost:
        k = attrs.evolve(k, lost=True)

    feasible = []
    for plan in _plans(k, cross, outcome):
        size = len(_skeleton(k, cross, *plan))
        has_hubs = plan[1] != "first_mile" or plan[0] in ("delivered", "returned")
        if max_size is not None and size > max_size:
            continue
        if not has_hubs and size < min_size:
            continue
        feasible.append(plan)
    if not feasible:
        _bad(
            not k.drawn and fixed_outcome,
            f"no timeline fits min_size={min_size}, max_size={max_size} with these knobs "
            f"(outcome={outcome!r}); allow more scans",
        )
    # The outcome first (each equally likely), then how far an unfinished parcel got.
    outcomes = list(dict.fromkeys(name for name, _ in feasible))
    chosen = draw(_choice(outcomes))
    plan = draw(_choice([p for p in feasible if p[0] == chosen]))
    scans = _skeleton(k, cross, *plan)
    base = len(scans)  # the damage scan included
    damage_scan = scans.pop() if k.damage is not None else None

    # Fillers: more hub scans in line haul (only if the parcel got that far).
    depart = next((i for i, s in enumerate(scans) if s.step == "depart"), None)
    if depart is not None:
        low = max(0, min_size - base)
        high = low + 4 if max_size is None else max_size - base
        for _ in range(draw(_ints(low, max(low, high)))):
            scans.insert(depart + 1, _Scan("hub", "in_transit", "line_haul", where="hub"))
    if damage_scan is not None:
        # Damage happens somewhere after the pickup, before a final scan.
        last = len(scans) - (1 if plan[0] in ("delivered", "returned", "lost") else 0)
        position = draw(_ints(2, max(2, last)))
        damage_scan.where = scans[min(position, len(scans)) - 1].where
        if k.damage is not True:
            damage_scan.attributes = {"damage_ratio": k.damage}
        scans.insert(position, damage_scan)

    situations: list[tuple[str, int, int | None, Any]] = []  # kind, scan index, until, value
    _times(draw, scans, k, plan, situations)
    return _finish(draw, ship, scans, k, plan, situations)


def _gap(draw: st.DrawFn, k: _Knobs) -> timedelta:
    minutes = draw(_ints(10, max(10, k.max_gap // _MINUTE - 1)))
    return timedelta(minutes=minutes)


def _times(
    draw: st.DrawFn,
    scans: list[_Scan],
    k: _Knobs,
    plan: tuple[str, str],
    situations: list[tuple[str, int, int | None, Any]],
) -> None:
    """Give every scan its offset from the shipping time."""
    t = timedelta(0)
    entry = next((i for i, s in enumerate(scans) if s.step == "customs"), None)
    leave = next((i for i, s in enumerate(scans) if s.step == "inbound"), len(scans))
    window = k.customs_time is not None and entry is not None
    for i, scan in enumerate(scans):
        if i:
            t += _gap(draw, k)
        if window and entry is not None and i == leave:
            assert k.customs_time is not None
            t = scans[entry].t + k.customs_time
        scan.t = t
    if window and entry is not None:
        assert k.customs_time is not None
        # The scans in customs fall strictly between its entry and its end.
        inside = list(range(entry + 1, leave))
        span = k.customs_time // _MINUTE
        if span > len(inside):
            minutes = sorted(
                draw(
                    st.lists(
                        st.integers(1, span - 1) if span > 1 else st.just(0),
                        min_size=len(inside),
                        max_size=len(inside),
                        unique=True,
                    )
                )
            )
        else:
            minutes = [0] * len(inside)
        for index, offset in zip(inside, minutes, strict=True):
            scans[index].t = scans[entry].t + timedelta(minutes=offset)
    # A stall: one gap between two carrier scans after the pickup (or the final
    # silence of a parcel still in transit) becomes the chosen length.
    if k.stall is not None:
        eligible = [
            i
            for i in range(1, len(scans) - 1)
            if not (window and entry is not None and entry <= i < leave)
        ]
        if plan[0] == "in_transit" and not (window and leave == len(scans)):
            eligible.append(len(scans) - 1)
        if not eligible:
            _bad(not k.drawn, "no gap of this timeline can hold the stall; allow more scans")
        index = draw(_choice(eligible))
        if index + 1 < len(scans):
            shift = scans[index].t + k.stall - scans[index + 1].t
            for later in scans[index + 1 :]:
                later.t += shift
            situations.append(("stall", index, index + 1, k.stall))
        else:
            situations.append(("stall", index, None, k.stall))


def _finish(
    draw: st.DrawFn,
    ship: Shipment,
    scans: list[_Scan],
    k: _Knobs,
    plan: tuple[str, str],
    marks: list[tuple[str, int, int | None, Any]],
) -> Timeline:
    assert ship.shipped_at is not None
    start = ship.shipped_at
    outcome = plan[0]
    last = scans[-1].t
    stall_end = None
    if marks and marks[0][0] == "stall" and marks[0][2] is None:
        stall_end = scans[marks[0][1]].t + k.stall if k.stall is not None else None
    quiet = _gap(draw, k) if stall_end is None else timedelta(0)

    # Reports come from people, after the scans they react to.
    report_scan = None
    if k.customer_report is not None:
        system = "customer"
        if k.customer_report in ("wrong_item", "missing_items"):
            system = draw(_choice(("customer", "warehouse")))
        when = last + _gap(draw, k)
        report_scan = _Scan(
            "report", "exception", None, k.customer_report, "destination", t=when, system=system
        )
    ends = [last + quiet, *([stall_end] if stall_end is not None else [])]
    if report_scan is not None:
        ends.append(report_scan.t)
    entry = next((s for s in scans if s.step == "customs"), None)
    still_in_customs = not any(s.step == "inbound" for s in scans)
    if k.customs_time is not None and entry is not None and still_in_customs:
        ends.append(entry.t + k.customs_time)
    end_offset = max(ends)

    # Carrier noise: skewed clocks.
    skews = [timedelta(0)] * len(scans)
    applied = timedelta(0)
    if k.clock_skew:
        bound = max(1, k.clock_skew // _MINUTE)
        skews = [timedelta(minutes=draw(_ints(-bound, bound))) for _ in scans]
        skews[0] = timedelta(0)  # the label is written by the shipper, not the carrier
        applied = max(abs(s) for s in skews)

    # A carrier reports where the parcel is even on an exception scan.
    stage = "pre_transit"
    for scan in scans:
        if scan.stage is None:
            scan.stage = "customs" if scan.reason in ("customs_hold", "payment_required") else stage
        stage = scan.stage
    events = [
        _event(ship, start + scan.t + skew, scan) for scan, skew in zip(scans, skews, strict=True)
    ]
    report_event = _event(ship, start + report_scan.t, report_scan) if report_scan else None
    end = start + end_offset
    latest = max(e.occurred_at for e in events)
    end = max(end, latest)

    feed = list(events)
    if report_event is not None:
        feed.append(report_event)
    moved = 0
    if k.out_of_order and len(feed) >= 2:
        # A scan the feed delivers after a later one (carriers batch and retry).
        index = draw(_ints(0, len(feed) - 2))
        target = draw(_ints(index + 1, len(feed) - 1))
        event = feed.pop(index)
        feed.insert(target, event)
        moved = 1
    dupes = 0
    for _ in range(k.duplicates):
        original = feed[draw(_ints(0, len(events) - 1))]
        feed.insert(draw(_ints(0, len(feed))), original)
        dupes += 1

    # The promise decides lateness: delivered (or still out) after it is late.
    reference = next((e.occurred_at for e in events if e.status.value == "delivered"), None)
    late = k.late
    if late is True:
        # Late by up to the whole journey, so the promise stays after the shipping.
        journey = ((reference or end) - start) // _MINUTE
        late = timedelta(minutes=draw(_ints(1, max(1, journey - 60))))
    if isinstance(late, timedelta):
        promise = (reference or end) - late
    elif ship.promised_at is None:
        promise = None
    else:
        promise = max(ship.promised_at, (reference or end) + timedelta(hours=1))
    ship = ship.model_copy(update={"promised_at": promise})

    situations = []
    for kind, index, until, value in marks:
        until_at = events[until].occurred_at if until is not None else end
        situations.append(Situation(kind, events[index].occurred_at, until_at, value))
    for i, scan in enumerate(scans):
        if scan.step == "hold":
            release = events[i + 1] if i + 1 < len(events) else None
            situations.append(
                Situation("customs_hold", events[i].occurred_at, _at(release), scan.reason)
            )
        elif scan.step == "damaged":
            situations.append(
                Situation(
                    "damage", events[i].occurred_at, None, scan.attributes.get("damage_ratio")
                )
            )
        elif scan.step == "lost":
            situations.append(Situation("lost", events[i].occurred_at))
        elif scan.step == "refused":
            situations.append(Situation("refused", events[i].occurred_at))
        elif scan.step == "customs" and k.customs_time is not None:
            # Leaves customs then (or would, for a parcel still there at the end).
            entered = events[i].occurred_at
            situations.append(
                Situation("customs_time", entered, entered + k.customs_time, k.customs_time)
            )
    if k.failed_attempts:
        first = next(e for e in events if e.status.value == "attempt_failed")
        situations.append(Situation("failed_attempts", first.occurred_at, None, k.failed_attempts))
    if isinstance(late, timedelta) and promise is not None:
        situations.append(Situation("late", promise, reference, late))
    if report_event is not None:
        situations.append(
            Situation("customer_report", report_event.occurred_at, None, k.customer_report)
        )
    if dupes:
        situations.append(Situation("duplicates", start, None, dupes))
    if moved:
        situations.append(Situation("out_of_order", start, None, moved))
    if applied:
        situations.append(Situation("clock_skew", start, None, applied))
    order = {name: i for i, name in enumerate(SITUATIONS)}
    situations.sort(key=lambda s: (order[s.kind], s.at))
    # Events carry the final shipment's tracking number already; the shipment's
    # promise changed, nothing else.
    return Timeline(ship, tuple(feed), end, outcome, tuple(situations))


def _at(event: TrackingEvent | None) -> datetime | None:
    return None if event is None else event.occurred_at


def _event(ship: Shipment, moment: datetime, scan: _Scan) -> TrackingEvent:
    country = {
        "origin": ship.origin_country,
        "hub": ship.origin_country,
        "destination": ship.destination_country,
    }[scan.where]
    place = _PLACES.get(country or "")
    location: dict[str, Any] | None = None
    local = moment
    if place is not None:
        city, zone, hub = place
        location = {"country": country, "city": city}
        if scan.where == "hub":
            location["facility"] = hub
        local = moment.astimezone(ZoneInfo(zone))
    elif country:
        location = {"country": country}
    data: dict[str, Any] = {
        "tracking_number": ship.tracking_number,
        "carrier": ship.carrier,
        "occurred_at": local,
        "status": scan.status,
        "reason": scan.reason,
        "location": location,
        "description": _TEXT.get(scan.step, scan.step),
        "attributes": scan.attributes,
        "source": {"system": scan.system or ship.carrier, "code": scan.step.upper()[:12]},
    }
    if scan.stage is not None:
        data["stage"] = scan.stage
    return TrackingEvent.parse(data)


_SHIPMENTS: Final = shipments()


def timelines(
    shipment: Shipment | st.SearchStrategy[Shipment] | None = None,
    *,
    min_size: int = 0,
    max_size: int | None = None,
    outcome: str | st.SearchStrategy[str] | None = None,
    stall: timedelta | st.SearchStrategy[timedelta] | None = None,
    customs_hold: bool | st.SearchStrategy[bool] = False,
    customs_time: timedelta | st.SearchStrategy[timedelta] | None = None,
    failed_attempts: int | st.SearchStrategy[int] = 0,
    damage: float | bool | st.SearchStrategy[Any] | None = None,
    lost: bool | st.SearchStrategy[bool] = False,
    refused: bool | st.SearchStrategy[bool] = False,
    late: timedelta | bool | st.SearchStrategy[Any] | None = None,
    customer_report: str | st.SearchStrategy[str] | None = None,
    duplicates: int | st.SearchStrategy[int] = 0,
    out_of_order: bool | st.SearchStrategy[bool] = False,
    clock_skew: timedelta | st.SearchStrategy[timedelta] | None = None,
    max_gap: timedelta = timedelta(hours=12),
) -> st.SearchStrategy[Timeline]:
    """A parcel's life as a carrier feed reports it, with the situations you ask for.

    With no knobs the parcel is clean: scans at most ``max_gap`` apart, delivered on
    time, returned, or still moving at ``end`` (``outcome`` picks one).  The knobs,
    each a plain value or a strategy:

    * ``stall``: one silence of this length between two scans after the pickup, or
      the final silence of a parcel still in transit;
    * ``customs_hold``: a customs-hold scan and a release (cross-border only);
      ``customs_time``: the time spent in customs;
    * ``failed_attempts``: that many failed delivery attempts;
    * ``damage``: a damage scan with this ``damage_ratio`` (``True``: no ratio);
    * ``lost``: the carrier declares the parcel lost (outcome ``lost``);
    * ``refused``: the recipient refuses it (then it goes back, or the story ends);
    * ``late``: delivered (or still out at ``end``) this long after the promise;
    * ``customer_report``: a report from people: ``not_received``, ``wrong_item``,
      ``missing_items`` or ``damaged``;
    * carrier noise: ``duplicates`` scans sent twice, ``out_of_order`` delivery of
      the feed, ``clock_skew``: scan clocks off by up to this much.

    ``min_size``/``max_size`` bound the number of distinct carrier scans.  The
    shipment (default ``shipments()``) gets a promise that makes ``late`` true.
    """
    raw = {
        "min_size": min_size,
        "max_size": max_size,
        "outcome": outcome,
        "stall": stall,
        "customs_hold": customs_hold,
        "customs_time": customs_time,
        "failed_attempts": failed_attempts,
        "damage": damage,
        "lost": lost,
        "refused": refused,
        "late": late,
        "customer_report": customer_report,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "clock_skew": clock_skew,
        "max_gap": max_gap,
    }
    return _timelines(shipment, raw)


_DEFAULTS: Final = {
    name: parameter.default
    for name, parameter in inspect.signature(timelines).parameters.items()
    if name != "shipment"
}


def _minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda m: timedelta(minutes=m))


_MAYBE_STALL: Final = st.none() | _minutes(60, 12 * 24 * 60)
_MAYBE_CUSTOMS_TIME: Final = st.none() | _minutes(60, 6 * 24 * 60)
_MAYBE_DAMAGE: Final = st.none() | st.just(True) | st.integers(0, 100).map(lambda n: n / 100)
_MAYBE_LATE: Final = st.none() | _minutes(1, 6 * 24 * 60)
_MAYBE_REPORT: Final = st.none() | st.sampled_from(REPORT_REASONS)
_MAYBE_SKEW: Final = st.none() | _minutes(0, 180)


@st.composite
def _eventful(draw: st.DrawFn, shipment: Any, noise: bool) -> Timeline:
    ship = draw(_SHIPMENTS if shipment is None else _strategy(shipment))
    cross = _has_customs(ship)
    lost = draw(_ints(0, 3)) == 3  # one parcel in four is lost
    knobs: dict[str, Any] = dict(_DEFAULTS)
    knobs.update(
        stall=draw(_MAYBE_STALL),
        customs_hold=cross and draw(_BOOLS),
        customs_time=draw(_MAYBE_CUSTOMS_TIME) if cross else None,
        failed_attempts=draw(_ints(0, 4)),
        damage=draw(_MAYBE_DAMAGE),
        lost=lost,
        refused=not lost and draw(_BOOLS),
        late=draw(_MAYBE_LATE),
        customer_report=draw(_MAYBE_REPORT),
    )
    if noise:
        knobs.update(
            duplicates=draw(_ints(0, 3)),
            out_of_order=draw(_BOOLS),
            clock_skew=draw(_MAYBE_SKEW),
        )
    return _timeline(draw, ship, knobs)


def eventful_timelines(
    shipment: Shipment | st.SearchStrategy[Shipment] | None = None, *, noise: bool = True
) -> st.SearchStrategy[Timeline]:
    """Timelines with every knob drawn: any mix of situations, with carrier noise.

    What invariants (incremental equals batch, order and duplicates change nothing)
    are best tested against.  ``noise=False`` leaves the feed clean.
    """
    if not isinstance(noise, bool):
        raise InvalidArgument(f"noise={noise!r} must be True or False")
    return _eventful(shipment, noise)


# ------------------------------------------------------------------------------- arrivals


@attrs.frozen
class Ingest:
    """A batch of events handed to ``engine.ingest``."""

    events: tuple[TrackingEvent, ...]


@attrs.frozen
class Advance:
    """A call of ``engine.advance(to=...)``."""

    to: datetime


@attrs.frozen
class Upsert:
    """The shipment facts reaching the engine (``engine.upsert_shipment``)."""

    shipment: Shipment


Step = Ingest | Advance | Upsert


@attrs.frozen(repr=False)
class ArrivalPlan:
    """How a timeline's events reach an engine: batches, ``advance`` calls, facts."""

    timeline: Timeline
    steps: tuple[Step, ...]

    @property
    def events(self) -> tuple[TrackingEvent, ...]:
        """Every event as delivered, duplicates included."""
        return tuple(e for s in self.steps if isinstance(s, Ingest) for e in s.events)

    @property
    def horizon(self) -> datetime:
        """The time the checks evaluate at: the timeline's end or the latest advance."""
        advances = [s.to for s in self.steps if isinstance(s, Advance)]
        return max([self.timeline.end, *advances])

    def apply(
        self, engine: Engine, *, on_step: Callable[[Step, list[Change]], None] | None = None
    ) -> list[Change]:
        """Feed the plan to ``engine``; return every change it reported."""
        changes: list[Change] = []
        for step in self.steps:
            if isinstance(step, Ingest):
                got = engine.ingest(step.events)
            elif isinstance(step, Advance):
                got = engine.advance(to=step.to)
            else:
                got = engine.upsert_shipment(step.shipment)
            if on_step is not None:
                on_step(step, got)
            changes.extend(got)
        return changes

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        tl = self.timeline
        lines = [f"ArrivalPlan for {tl.tracking_number} ({len(self.steps)} steps)"]
        for step in self.steps:
            if isinstance(step, Ingest):
                shown = ", ".join(
                    f"{tl.offset(e.occurred_at)} {e.status.value}" for e in step.events
                )
                lines.append(f"  ingest [{shown}]")
            elif isinstance(step, Advance):
                lines.append(f"  advance to {tl.offset(step.to)}")
            else:
                lines.append("  upsert shipment")
        return "\n".join(lines)


_SHIPMENT_ARRIVAL = ("first", "anywhere", "never")


@st.composite
def _arrivals(draw: st.DrawFn, timeline: Any, raw: dict[str, Any]) -> ArrivalPlan:
    tl = draw(_strategy(timeline))
    if not isinstance(tl, Timeline):
        raise InvalidArgument(f"arrivals() needs a Timeline (or a strategy of them), got {tl!r}")
    for name in ("max_duplicates", "max_advances"):
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidArgument(f"{name}={value!r} must be an integer between 0 and 100")
    where = raw["shipment"]
    if where not in _SHIPMENT_ARRIVAL:
        raise InvalidArgument(f"shipment={where!r} must be one of {', '.join(_SHIPMENT_ARRIVAL)}")
    events = list(tl.events)
    if events and raw["max_duplicates"]:
        extra = draw(st.lists(st.sampled_from(events), max_size=raw["max_duplicates"]))
        events.extend(extra)
    order = draw(st.permutations(events)) if events else []
    steps: list[Step] = []
    batch: list[TrackingEvent] = []
    span = max(1, (tl.end - tl.start) // _MINUTE + 24 * 60)
    advances = draw(_ints(0, raw["max_advances"]))
    points = sorted(
        draw(st.lists(st.integers(0, len(order)), min_size=advances, max_size=advances))
    )
    for index, event in enumerate(order):
        while points and points[0] == index:
            points.pop(0)
            if batch:
                steps.append(Ingest(tuple(batch)))
                batch = []
            steps.append(Advance(tl.start + timedelta(minutes=draw(_ints(0, span)))))
        batch.append(event)
        if draw(_BOOLS):
            steps.append(Ingest(tuple(batch)))
            batch = []
    if batch:
        steps.append(Ingest(tuple(batch)))
    for _ in points:
        steps.append(Advance(tl.start + timedelta(minutes=draw(_ints(0, span)))))
    if where == "first":
        steps.insert(0, Upsert(tl.shipment))
    elif where == "anywhere":
        steps.insert(draw(_ints(0, len(steps))), Upsert(tl.shipment))
    return ArrivalPlan(tl, tuple(steps))


def arrivals(
    timeline: Timeline | st.SearchStrategy[Timeline],
    *,
    max_duplicates: int = 3,
    max_advances: int = 3,
    shipment: str = "anywhere",
) -> st.SearchStrategy[ArrivalPlan]:
    """The timeline's events in a shuffled, partly duplicated arrival order, in batches,
    with up to ``max_advances`` ``advance`` points between them.

    ``shipment`` says when the facts arrive: ``first``, ``anywhere`` (possibly after
    the events they concern) or ``never``.  Shrinks towards the feed's own order in
    one batch.
    """
    raw = {"max_duplicates": max_duplicates, "max_advances": max_advances, "shipment": shipment}
    return _arrivals(timeline, raw)


# ------------------------------------------------------------------------ property checks


def _pack(pack: Pack | str) -> Pack:
    return load_pack(pack) if isinstance(pack, str) else pack


def _plan(subject: Timeline | ArrivalPlan) -> ArrivalPlan:
    if isinstance(subject, ArrivalPlan):
        return subject
    if isinstance(subject, Timeline):
        return ArrivalPlan(subject, (Upsert(subject.shipment), Ingest(subject.events)))
    raise TypeError(f"expected a Timeline or an ArrivalPlan, got {type(subject).__name__}")


def _canonical(incidents: Iterable[Incident]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i.tracking_number, i.kind): i.to_dict() for i in incidents}


def _difference(
    label_a: str,
    a: Iterable[Incident],
    label_b: str,
    b: Iterable[Incident],
) -> list[str]:
    left, right = _canonical(a), _canonical(b)
    out = []
    for key in sorted(set(left) | set(right)):
        if key not in right:
            out.append(f"  only {label_a}: {key[1]} {left[key]['severity']}")
        elif key not in left:
            out.append(f"  only {label_b}: {key[1]} {right[key]['severity']}")
        elif left[key] != right[key]:
            fields = [f for f in left[key] if left[key][f] != right[key].get(f)]
            shown = "; ".join(
                f"{f}: {json.dumps(left[key][f], default=str)} vs "
                f"{json.dumps(right[key][f], default=str)}"
                for f in fields
            )
            out.append(f"  {key[1]} differs ({label_a} vs {label_b}): {shown}")
    return out


def _fail(title: str, lines: list[str], subject: Any) -> None:
    raise AssertionError("\n".join([title, *lines, repr(subject)]))


def assert_incremental_equals_batch(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """After the plan and ``advance(to=at)``, the engine's open incidents equal
    ``evaluate(pack, events, at=at)``.  ``at`` defaults to ``plan.horizon``."""
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    engine = Engine(compiled)
    plan.apply(engine)
    engine.advance(to=when)
    shipment = plan.timeline.shipment if any(isinstance(s, Upsert) for s in plan.steps) else None
    batch = evaluate(compiled, plan.timeline.events, at=when, shipment=shipment)
    diff = _difference("incremental", engine.open_incidents(), "batch", batch)
    if diff:
        _fail(f"incremental and batch disagree at {format_instant(when)}:", diff, plan)


def assert_duplicates_change_nothing(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """Feeding every event twice reports no change the second time and ends the same."""
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    once, twice = Engine(compiled), Engine(compiled)
    plan.apply(once)
    plan.apply(twice)
    repeated = twice.ingest(plan.events)
    if repeated:
        _fail(
            "events ingested a second time reported changes:",
            [f"  {c.type.value} {c.incident.kind} at {format_instant(c.at)}" for c in repeated],
            plan,
        )
    once.advance(to=when)
    twice.advance(to=when)
    diff = _difference("once", once.open_incidents(), "twice", twice.open_incidents())
    if diff:
        _fail(f"duplicated events changed the incidents at {format_instant(when)}:", diff, plan)


def assert_arrival_order_irrelevant(
    pack: Pack | str, plan: ArrivalPlan, *, at: datetime | None = None
) -> None:
    """The plan's arrival order ends with the same incidents as the feed in time order."""
    compiled = _pack(pack)
    when = at or plan.horizon
    shuffled, ordered = Engine(compiled), Engine(compiled)
    plan.apply(shuffled)
    shuffled.advance(to=when)
    if any(isinstance(s, Upsert) for s in plan.steps):
        ordered.upsert_shipment(plan.timeline.shipment)
    ordered.ingest(plan.timeline.distinct_events)
    ordered.advance(to=when)
    diff = _difference(
        "as arrived", shuffled.open_incidents(), "in order", ordered.open_incidents()
    )
    if diff:
        _fail(f"arrival order changed the incidents at {format_instant(when)}:", diff, plan)


def assert_no_early_incidents(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """No incident opens before a rule of its kind holds: for a time rule, before
    its anchor plus its threshold.

    Every ``opened`` change is checked with ``explain`` at its ``opened_at`` over the
    events the engine had then (a batch is applied in time order, so a change it
    reports may rest on the batch's first events only); the incidents open at the
    end are checked over all events.
    """
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    known: list[TrackingEvent] = []
    facts: list[Shipment] = []
    problems: list[str] = []

    def holds(incident: Incident, events: Sequence[TrackingEvent]) -> list[str]:
        """Empty when a rule of the incident's kind holds at its opened_at; else why not."""
        explanation = explain_events(
            compiled,
            events,
            tracking_number=incident.tracking_number,
            at=incident.opened_at,
            shipment=facts[-1] if facts else None,
        )
        traces = [t for t in explanation.rules if t.kind == incident.kind]
        if any(t.holds for t in traces):
            return []
        return [f"    {t.rule}: {t.summary}" for t in traces]

    def check(incident: Incident, batch: Sequence[TrackingEvent], moment: str) -> None:
        ordered = sorted(batch, key=lambda e: (e.occurred_at, e.event_id))
        why: list[str] = []
        for size in range(len(ordered), -1, -1) if ordered else [0]:
            why = holds(incident, [*known, *ordered[:size]])
            if not why:
                return
        problems.append(
            f"  {incident.kind} {incident.severity} opened at "
            f"{format_instant(incident.opened_at)} ({moment}), but no rule of that kind "
            "holds then:"
        )
        problems.extend(why)

    def on_step(step: Step, changes: list[Change]) -> None:
        batch: tuple[TrackingEvent, ...] = ()
        if isinstance(step, Ingest):
            batch = step.events
        elif isinstance(step, Upsert):
            facts.append(step.shipment)
        for change in changes:
            if change.type is ChangeType.OPENED:
                check(change.incident, batch, "as reported")
        known.extend(batch)

    engine = Engine(compiled)
    plan.apply(engine, on_step=on_step)
    for change in engine.advance(to=when):
        if change.type is ChangeType.OPENED:
            check(change.incident, (), "as reported")
    for incident in engine.open_incidents():
        check(incident, (), "at the end")
    if problems:
        _fail("incidents opened before their time:", problems, plan)


# ------------------------------------------------------------------- hypothesis entry point


def _register(kind: type[Any], factory: Callable[[], st.SearchStrategy[Any]]) -> None:
    st.register_type_strategy(kind, lambda _: factory())


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis (``hypothesis`` entry point): type strategies for the model."""
    _register(Shipment, shipments)
    _register(Timeline, timelines)
    _register(TrackingEvent, lambda: timelines().flatmap(lambda tl: st.sampled_from(tl.events)))
