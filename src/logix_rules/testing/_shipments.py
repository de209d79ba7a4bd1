"""``shipments()``: realistic OMS facts: carriers, domestic and cross-border lanes,
promised dates, values, categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment
from logix_carriers._countries import is_country_code

from ._arguments import _BOOLS, _boolean, _choice, _draw, _ints

__all__ = ["EPOCH", "shipments"]


#: Where shrinking leads: the earliest shipping time.
EPOCH: Final = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


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
        # insured or unknown: an OMS saying "not insured" for valuable goods is itself an
        # exception (insurance_missing), which a clean timeline must not have
        insured=draw(_BOOLS) or None,
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


_SHIPMENTS: Final = shipments()
