"""What a claim package holds (POLICY §4) and its JSON form, schema ``logix.claim/1``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from ..runtime._actions import Action

__all__ = [
    "CLAIMABLE_KINDS",
    "CLAIM_ITEMS",
    "CLAIM_SCHEMA",
    "ClaimAmount",
    "ClaimEvent",
    "ClaimPackage",
]

#: The schema id every JSON package carries; a new version means a changed layout.
CLAIM_SCHEMA: Final = "logix.claim/1"
#: The incident kinds a carrier or insurer takes a claim for.
CLAIMABLE_KINDS: Final = ("damaged", "false_delivery", "lost")
#: The items of a package, in the order ``missing`` lists those not found.
CLAIM_ITEMS: Final = (
    "order_id",
    "payment_ref",
    "proof_of_dispatch",
    "shipment_facts",
    "trail",
    "correspondence",
    "amounts",
    "filing_deadline",
)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@attrs.frozen
class ClaimEvent:
    """One line of the trail: a scan or report, with the carrier's own code.

    ``occurred_at`` is UTC; ``local_time`` is the same instant in the offset the carrier
    reported it in (or the zone of the event's country when only that is known), and
    None when neither is known.
    """

    event_id: str
    occurred_at: datetime
    local_time: datetime | None
    status: str
    stage: str | None
    reason: str | None
    source_system: str
    source_code: str | None
    location: str
    description: str
    is_report: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "occurred_at": _iso(self.occurred_at),
            "local_time": None if self.local_time is None else self.local_time.isoformat(),
            "status": self.status,
            "stage": self.stage,
            "reason": self.reason,
            "source_system": self.source_system,
            "source_code": self.source_code,
            "location": self.location,
            "description": self.description,
            "is_report": self.is_report,
        }


@attrs.frozen
class ClaimAmount:
    """A sum claimed or paid, and who bears it (the remedy's ``borne_by``)."""

    code: str
    amount: Decimal | None
    currency: str | None
    borne_by: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "borne_by": self.borne_by,
        }


@attrs.frozen
class ClaimPackage:
    """The evidence a claim with a carrier or insurer needs (POLICY §4).

    Items that could not be found are None or empty and named in ``missing``; nothing
    is made up.  ``masked`` says whether personal data was masked (the default).
    """

    incident_id: str
    kind: str
    severity: str
    state: str
    opened_at: datetime
    carrier: str
    tracking_number: str
    order_id: str | None
    payment_ref: str | None
    first_scan: ClaimEvent | None
    shipment: dict[str, Any] | None
    trail: tuple[ClaimEvent, ...]
    correspondence: tuple[Action, ...]
    amounts: tuple[ClaimAmount, ...]
    remedy_code: str | None
    remedy_text: str
    explanation: str
    filing_deadline: datetime | None
    masked: bool
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The package as JSON-ready data, schema ``logix.claim/1`` (docs/intake.md)."""
        return {
            "schema": CLAIM_SCHEMA,
            "incident": {
                "id": self.incident_id,
                "kind": self.kind,
                "severity": self.severity,
                "state": self.state,
                "opened_at": _iso(self.opened_at),
                "explanation": self.explanation,
                "remedy": None
                if self.remedy_code is None
                else {"code": self.remedy_code, "text": self.remedy_text},
            },
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "order_id": self.order_id,
            "payment_ref": self.payment_ref,
            "dispatch": {
                "first_scan": None if self.first_scan is None else self.first_scan.to_dict(),
                "shipment": self.shipment,
            },
            "trail": [event.to_dict() for event in self.trail],
            # The notes were masked when the package was built (or deliberately not).
            "correspondence": [action.to_dict(mask=False) for action in self.correspondence],
            "amounts": [amount.to_dict() for amount in self.amounts],
            "filing_deadline": _iso(self.filing_deadline),
            "masked": self.masked,
            "missing": list(self.missing),
        }

    def to_html(self) -> str:
        """A printable page (A4), one self-contained file with every text escaped."""
        from ._claim_html import claim_html

        return claim_html(self)
