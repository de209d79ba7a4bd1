"""Who receives messages about what: audiences, channels, kinds and follow-up moments.

A *scenario* is an incident kind of the default pack or a follow-up moment.  Each
audience has the scenarios it is told about (``SCENARIOS``): a carrier hears nothing
about a wrong item the warehouse packed, a warehouse only what it must act on.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["AUDIENCES", "CHANNELS", "KINDS", "MOMENTS", "SCENARIOS"]

#: Who a message is for; only ``customer`` sees personal data unmasked.
AUDIENCES: Final = ("customer", "carrier", "warehouse", "internal")
#: How it is sent: plain-text e-mail, an SMS, or an HTML e-mail body (autoescaped).
CHANNELS: Final = ("email", "sms", "html")

#: The incident kinds of the built-in ``default`` pack (docs/default-pack.md).
KINDS: Final = (
    "pickup_delay",
    "tracking_stall",
    "transit_delay",
    "customs_hold",
    "delivery_failure",
    "refused",
    "lost",
    "damaged",
    "wrong_or_missing_items",
    "false_delivery",
    "delivery_delay",
    "returned_to_sender",
    "tracking_anomaly",
    "delivery_at_risk",
    "wismo",
    "insurance_missing",
)

#: Follow-up moments of an incident, whatever its kind: the customer's report was
#: received and someone owns it; a solution is offered; the customer is contacted
#: again after resolution (POLICY §2: within 24 h); a claim was filed with the carrier.
MOMENTS: Final = ("acknowledgement", "solution_offered", "revisit", "claim_filed")

#: Advisories for the merchant alone: the customer is not told that a parcel is uninsured.
_INTERNAL_ONLY: Final = ("insurance_missing",)
_CUSTOMER_KINDS: Final = tuple(k for k in KINDS if k not in _INTERNAL_ONLY)
# The carrier is not asked about a packing error or a customer's question (the desk
# answers a WISMO from the tracking it has), nor about the merchant's insurance.
_CARRIER_KINDS: Final = tuple(
    k for k in KINDS if k not in ("wrong_or_missing_items", "wismo", *_INTERNAL_ONLY)
)
_WAREHOUSE_KINDS: Final = (
    "pickup_delay",  # was it handed over at all?
    "refused",  # a return is coming back
    "lost",  # reship
    "damaged",  # reship, check the packing
    "wrong_or_missing_items",  # pick the right items, collect the wrong ones
    "returned_to_sender",  # receive and inspect the return
)

#: The scenarios each audience has templates for: (audience → kinds and moments).
SCENARIOS: Final = MappingProxyType(
    {
        "customer": (*_CUSTOMER_KINDS, *MOMENTS),
        "carrier": (*_CARRIER_KINDS, "claim_filed"),
        "warehouse": _WAREHOUSE_KINDS,
        "internal": KINDS,
    }
)
