"""A tracking number that carries what the shipment knows about it.

Some carrier APIs answer better, or only correctly, when told more than the
number: 17TRACK misfiles ambiguous Chinese numbers unless told the carrier, DHL
needs the recipient's postal code for the full Parcel DE trail and a ``service``
to search the right business, and a scan without a place is best read in the
shipment's country for its leg.  :class:`TrackedNumber` is a ``str`` (so every
adapter, old or new, takes it wherever it takes a number) with those facts as
attributes::

    adapter.track([TrackedNumber("00340434161094042557", destination_country="DE",
                                 recipient_postal_code="53113")])
    adapter.track([TrackedNumber.from_shipment(shipment, carrier_code="3011")])

Adapters read the facts with :func:`facts_of`; a plain ``str`` has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from ._country_codes import to_alpha2
from ._model import Shipment
from ._zone_fallback import ZoneFallback

__all__ = ["TrackedNumber", "facts_of", "find_facts"]

_FACTS = (
    "carrier_code",
    "service",
    "origin_country",
    "destination_country",
    "recipient_postal_code",
)


def _text(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _country(value: object, what: str) -> str | None:
    text = _text(value, what)
    if text is None:
        return None
    code = to_alpha2(text)
    if code is None:
        raise ValueError(f"{what} {text!r} is not a country (give an ISO-3166 code such as 'DE')")
    return code


class TrackedNumber(str):
    """A tracking number (the ``str`` itself) and what the shipment knows about it.

    ``carrier_code`` is the carrier's code at an aggregator (17TRACK's numeric
    carrier key, e.g. ``"3011"`` for China Post); ``service`` the carrier's own
    service or business (DHL: ``parcel-de``, ``express``...); the countries are
    ISO-3166 alpha-2 (other spellings are normalized); ``recipient_postal_code``
    the destination's postal code.  Every fact is optional.
    """

    carrier_code: str | None
    service: str | None
    origin_country: str | None
    destination_country: str | None
    recipient_postal_code: str | None

    def __new__(
        cls,
        number: str,
        *,
        carrier_code: str | int | None = None,
        service: str | None = None,
        origin_country: str | None = None,
        destination_country: str | None = None,
        recipient_postal_code: str | None = None,
    ) -> Self:
        self = super().__new__(cls, number)
        self.carrier_code = _text(carrier_code, "carrier_code")
        self.service = _text(service, "service")
        self.origin_country = _country(origin_country, "origin_country")
        self.destination_country = _country(destination_country, "destination_country")
        self.recipient_postal_code = _text(recipient_postal_code, "recipient_postal_code")
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (str(self), self.facts()))

    def __repr__(self) -> str:
        # Plain, so that messages quoting a number with !r read the same either way.
        return repr(str(self))

    def describe(self) -> str:
        """``TrackedNumber('...', service='parcel-de', ...)``: the number and its facts."""
        facts = "".join(f", {k}={v!r}" for k, v in self.facts().items())
        return f"TrackedNumber({str(self)!r}{facts})"

    @classmethod
    def from_shipment(
        cls,
        shipment: Shipment,
        *,
        carrier_code: str | int | None = None,
        service: str | None = None,
        recipient_postal_code: str | None = None,
    ) -> TrackedNumber:
        """The shipment's number with its countries (and ``service_level`` as service)."""
        return cls(
            shipment.tracking_number,
            carrier_code=carrier_code,
            service=service or shipment.service_level,
            origin_country=shipment.origin_country,
            destination_country=shipment.destination_country,
            recipient_postal_code=recipient_postal_code,
        )

    def facts(self) -> dict[str, str]:
        """The facts that are known, by name."""
        return {name: value for name in _FACTS if (value := getattr(self, name, None))}

    def respelled(self, number: str) -> TrackedNumber:
        """``number`` (e.g. normalized) with this number's facts."""
        return _rebuild(number, self.facts())

    def zone_fallback(self) -> ZoneFallback:
        """The shipment's two countries, for scans that name no place."""
        return ZoneFallback(self.origin_country, self.destination_country)


def _rebuild(number: str, facts: dict[str, str]) -> TrackedNumber:
    return TrackedNumber(number, **facts)


def facts_of(number: str) -> TrackedNumber:
    """``number`` as a :class:`TrackedNumber` (a plain ``str`` has no facts)."""
    return number if isinstance(number, TrackedNumber) else TrackedNumber(number)


def find_facts(numbers: Iterable[str], number: str | None) -> TrackedNumber | None:
    """The facts the caller gave for ``number`` among ``numbers``, or None."""
    if number is None:
        return None
    for candidate in numbers:
        if candidate == number and isinstance(candidate, TrackedNumber):
            return candidate
    return None
