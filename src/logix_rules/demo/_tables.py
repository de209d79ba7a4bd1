"""A seeded generator of realistic demo data: shipments, scans and reports.

``logix demo`` runs the default pack over it.  Everything is derived from one
``random.Random(seed)`` and the fixed evaluation time ``DEMO_AT``, so a seed always
gives the same data, byte for byte, on every machine.

Each shipment is built for one *scenario*: ``"normal:<variant>"`` for parcels that
must not raise anything at ``DEMO_AT`` (several sit just under a threshold), or
``"<kind>:<variant>"`` for parcels built to be clearly past the threshold of that
exception kind of the default pack.  ``DemoData.scenarios`` records which, so tests
can check that every parcel raises what it was made for.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from logix_carriers import Shipment, Stage, Status, TrackingEvent

__all__ = [
    "DEMO_AT",
    "SCENARIOS",
    "DemoData",
    "event_to_json",
    "generate_demo",
    "shipment_to_json",
    "write_demo_files",
]

#: The fixed evaluation time of the demo data set.
DEMO_AT: Final = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)

#: Share of shipments built as exceptions.
EXCEPTION_SHARE: Final = 0.35


@attrs.frozen
class DemoData:
    """A generated data set: shipments, events in arrival order, evaluation time.

    ``events`` keep the carrier noise of real feeds: some scans are reported twice
    and some arrive after later scans.  ``scenarios`` maps each tracking number to
    the scenario its shipment was made for (``"lost:silent"``, ``"normal:delivered"``).
    """

    shipments: tuple[Shipment, ...]
    events: tuple[TrackingEvent, ...]
    at: datetime
    scenarios: dict[str, str]


# --------------------------------------------------------------------------- places


@attrs.frozen
class _Place:
    city: str
    country: str
    zone: str
    facility: str | None = None
    local_name: str | None = None

    def location(self) -> dict[str, str]:
        loc = {"country": self.country, "city": self.city}
        if self.facility:
            loc["facility"] = self.facility
        return loc


def _places(country: str, zone: str, *cities: str) -> tuple[_Place, ...]:
    return tuple(_Place(city, country, zone) for city in cities)


_CITIES: Final[dict[str, tuple[_Place, ...]]] = {
    "DE": _places(
        "DE",
        "Europe/Berlin",
        "Berlin",
        "Hamburg",
        "Munich",
        "Cologne",
        "Frankfurt am Main",
        "Stuttgart",
        "Dresden",
    ),
    "FR": _places("FR", "Europe/Paris", "Paris", "Lyon", "Marseille", "Lille", "Bordeaux"),
    "US": (
        _Place("Los Angeles", "US", "America/Los_Angeles"),
        _Place("Seattle", "US", "America/Los_Angeles"),
        _Place("Phoenix", "US", "America/Phoenix"),
        _Place("Denver", "US", "America/Denver"),
        _Place("Dallas", "US", "America/Chicago"),
        _Place("Chicago", "US", "America/Chicago"),
        _Place("Atlanta", "US", "America/New_York"),
        _Place("Brooklyn", "US", "America/New_York"),
    ),
    "CN": (
        _Place("Shenzhen", "CN", "Asia/Shanghai", local_name="深圳"),
        _Place("Guangzhou", "CN", "Asia/Shanghai", local_name="广州"),
        _Place("Shanghai", "CN", "Asia/Shanghai", local_name="上海"),
        _Place("Hangzhou", "CN", "Asia/Shanghai", local_name="杭州"),
        _Place("Yiwu", "CN", "Asia/Shanghai", local_name="义乌"),
        _Place("Beijing", "CN", "Asia/Shanghai", local_name="北京"),
        _Place("Chengdu", "CN", "Asia/Shanghai", local_name="成都"),
    ),
    "BR": _places("BR", "America/Sao_Paulo", "São Paulo", "Rio de Janeiro", "Belo Horizonte"),
    "IN": _places("IN", "Asia/Kolkata", "Mumbai", "New Delhi", "Bengaluru", "Chennai"),
    "GB": _places("GB", "Europe/London", "London", "Manchester", "Birmingham", "Leeds"),
}

_HUBS: Final[dict[str, tuple[_Place, ...]]] = {
    "DE": (
        _Place("Leipzig", "DE", "Europe/Berlin", "Hub Leipzig"),
        _Place("Obertshausen", "DE", "Europe/Berlin", "Parcel Centre Obertshausen"),
        _Place("Hannover", "DE", "Europe/Berlin", "Parcel Centre Hannover"),
    ),
    "US": (
        _Place("Louisville", "US", "America/Kentucky/Louisville", "Worldport"),
        _Place("Memphis", "US", "America/Chicago", "Memphis Hub"),
        _Place("Hodgkins", "US", "America/Chicago", "Chicago Area Hub"),
    ),
    "CN": (
        _Place("Guangzhou", "CN", "Asia/Shanghai", "Baiyun Sorting Centre", "广州"),
        _Place("Wuhan", "CN", "Asia/Shanghai", "Wuhan Transit Hub", "武汉"),
        _Place("Shanghai", "CN", "Asia/Shanghai", "Qingpu Sorting Centre", "上海"),
    ),
}

_EXPORT_GATEWAYS: Final[dict[str, tuple[_Place, ...]]] = {
    "CN": (
        _Place("Shenzhen", "CN", "Asia/Shanghai", "Shenzhen International Mail Centre", "深圳"),
        _Place("Shanghai", "CN", "Asia/Shanghai", "Pudong Export Centre", "上海"),
    ),
    "US": (_Place("Miami", "US", "America/New_York", "Miami Export Gateway"),),
    "DE": (_Place("Leipzig", "DE", "Europe/Berlin", "Hub Leipzig"),),
    "GB": (_Place("London", "GB", "Europe/London", "Heathrow Worldwide Distribution Centre"),),
}

_IMPORT_GATEWAYS: Final[dict[str, tuple[_Place, ...]]] = {
    "US": (
        _Place("Los Angeles", "US", "America/Los_Angeles", "LAX International Service Centre"),
        _Place("Jamaica", "US", "America/New_York", "JFK International Service Centre"),
        _Place("Chicago", "US", "America/Chicago", "ORD International Service Centre"),
    ),
    "DE": (_Place("Frankfurt am Main", "DE", "Europe/Berlin", "Frankfurt Airport Customs"),),
    "FR": (_Place("Roissy-en-France", "FR", "Europe/Paris", "Roissy Hub"),),
    "BR": (
        _Place("Curitiba", "BR", "America/Sao_Paulo", "Curitiba International Centre"),
        _Place("Guarulhos", "BR", "America/Sao_Paulo", "Guarulhos Airport Customs"),
    ),
    "IN": (
        _Place("New Delhi", "IN", "Asia/Kolkata", "Foreign Post Office New Delhi"),
        _Place("Mumbai", "IN", "Asia/Kolkata", "Air Cargo Complex Mumbai"),
    ),
}

# -------------------------------------------------------------------------- carriers


@attrs.frozen
class _Carrier:
    code: str
    system: str
    numbers: Callable[[random.Random], str]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _s10(prefix: str, country: str) -> Callable[[random.Random], str]:
    """UPU S10 numbers (``LX123456785CN``), with the real check digit."""

    def make(rng: random.Random) -> str:
        serial = _digits(rng, 8)
        total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
        check = 11 - total % 11
        check = {10: 0, 11: 5}.get(check, check)
        return f"{prefix}{serial}{check}{country}"

    return make


_DHL = _Carrier("dhl", "dhl", lambda rng: "00340434" + _digits(rng, 12))
_UPS = _Carrier(
    "ups",
    "ups",
    lambda rng: (
        "1Z"
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXY") for _ in range(6))
        + rng.choice(("01", "02", "03"))
        + _digits(rng, 8)
    ),
)
_USPS = _Carrier("usps", "usps", lambda rng: "9400" + _digits(rng, 18))
_SF = _Carrier("sf-express", "sf-express", lambda rng: "SF" + _digits(rng, 13))
_YANWEN = _Carrier("yanwen", "17track", _s10("UG", "CN"))
_CHINA_POST = _Carrier("china-post", "17track", _s10("LX", "CN"))
_4PX = _Carrier("4px", "17track", lambda rng: "4PX3000" + _digits(rng, 10) + "CN")
_CAINIAO = _Carrier("cainiao", "aftership", lambda rng: "LP00" + _digits(rng, 12))
_ROYAL_MAIL = _Carrier("royal-mail", "aftership", _s10("RR", "GB"))


@attrs.frozen
class _Lane:
    origin: str
    destination: str
    carriers: tuple[_Carrier, ...]
    weight: int
    currency: str
    promise_days: tuple[int, int]

    @property
    def cross_border(self) -> bool:
        return self.origin != self.destination

    @property
    def customs(self) -> bool:
        return self.origin != self.destination and {self.origin, self.destination} != {"DE", "FR"}


_LANES: Final[tuple[_Lane, ...]] = (
    _Lane("CN", "US", (_YANWEN, _CHINA_POST), 20, "USD", (10, 15)),
    _Lane("DE", "DE", (_DHL,), 15, "EUR", (2, 3)),
    _Lane("US", "US", (_UPS, _USPS), 15, "USD", (3, 5)),
    _Lane("CN", "CN", (_SF,), 10, "CNY", (2, 4)),
    _Lane("CN", "DE", (_CAINIAO,), 10, "EUR", (10, 15)),
    _Lane("DE", "FR", (_DHL,), 8, "EUR", (4, 6)),
    _Lane("GB", "US", (_ROYAL_MAIL,), 7, "GBP", (8, 12)),
    _Lane("US", "BR", (_UPS,), 5, "USD", (10, 15)),
    _Lane("CN", "IN", (_4PX,), 5, "USD", (10, 15)),
)

# ------------------------------------------------------------------ steps and codes

_PT, _FM, _LH, _CU, _LM, _RT, _TE = (
    Stage.PRE_TRANSIT,
    Stage.FIRST_MILE,
    Stage.LINE_HAUL,
    Stage.CUSTOMS,
    Stage.LAST_MILE,
    Stage.RETURN,
    Stage.TERMINAL,
)

#: step -> (status, stage or None for "where the parcel is", reason)
_STEPS: Final[dict[str, tuple[Status, Stage | None, str | None]]] = {
    "label": (Status.INFO_RECEIVED, _PT, None),
    "label_update": (Status.INFO_RECEIVED, _PT, None),
    "pickup": (Status.PICKED_UP, _FM, None),
    "origin_facility": (Status.IN_TRANSIT, _FM, None),
    "depart": (Status.IN_TRANSIT, _LH, None),
    "hub_arrive": (Status.IN_TRANSIT, _LH, None),
    "hub_depart": (Status.IN_TRANSIT, _LH, None),
    "export": (Status.IN_TRANSIT, _LH, None),
    "dest_country": (Status.IN_TRANSIT, _LH, None),
    "delay": (Status.EXCEPTION, None, "delay_weather"),
    "customs_in": (Status.CUSTOMS, _CU, None),
    "customs_processing": (Status.CUSTOMS, _CU, None),
    "customs_hold": (Status.EXCEPTION, _CU, "customs_hold"),
    "customs_payment": (Status.EXCEPTION, _CU, "payment_required"),
    "customs_done": (Status.CUSTOMS, _CU, None),
    "delivery_facility": (Status.IN_TRANSIT, _LM, None),
    "delivery_wait": (Status.IN_TRANSIT, _LM, None),
    "out_for_delivery": (Status.OUT_FOR_DELIVERY, _LM, None),
    "attempt_address": (Status.ATTEMPT_FAILED, _LM, "address_issue"),
    "attempt_absent": (Status.ATTEMPT_FAILED, _LM, "recipient_unavailable"),
    "attempt_closed": (Status.ATTEMPT_FAILED, _LM, "business_closed"),
    "pickup_point": (Status.AVAILABLE_FOR_PICKUP, _LM, None),
    "delivered": (Status.DELIVERED, _TE, None),
    "refused": (Status.EXCEPTION, _LM, "refused"),
    "damaged": (Status.EXCEPTION, None, "damaged"),
    "lost": (Status.EXCEPTION, None, "lost"),
    "returning_unclaimed": (Status.RETURNING, _RT, "unclaimed"),
    "returning_refused": (Status.RETURNING, _RT, "refused"),
    "return_transit": (Status.RETURNING, _RT, None),
    "returned": (Status.RETURNED, _TE, None),
    "misroute": (Status.IN_TRANSIT, _LH, None),
    "late_scan": (Status.IN_TRANSIT, _LM, None),
}

_TEXT: Final[dict[str, str]] = {
    "label": "Shipment information received",
    "label_update": "Shipping label updated by the sender",
    "pickup": "Picked up by courier in {city}",
    "origin_facility": "Processed at origin facility, {city}",
    "depart": "Departed facility in {city}",
    "hub_arrive": "Arrived at sort facility {city}",
    "hub_depart": "Departed sort facility {city}",
    "export": "Handed over to airline, {city}",
    "dest_country": "Arrived in destination country, {city}",
    "delay": "Transit delayed due to severe weather near {city}",
    "customs_in": "Customs clearance started, {city}",
    "customs_processing": "Clearance processing, {city}",
    "customs_hold": "Held by customs in {city}: additional documents required",
    "customs_payment": "Import duties and taxes due; parcel released after payment",
    "customs_done": "Customs clearance completed, {city}",
    "delivery_facility": "Arrived at delivery facility {city}",
    "delivery_wait": "At delivery facility {city}, scheduled for a later delivery run",
    "out_for_delivery": "Out for delivery",
    "attempt_address": "Delivery attempted: address incomplete or not found",
    "attempt_absent": "Delivery attempted: recipient not available, notice left",
    "attempt_closed": "Delivery attempted: business closed",
    "pickup_point": "Available for collection at pickup point, {city}",
    "delivered": "Delivered",
    "refused": "Delivery refused by the recipient",
    "damaged": "Parcel damaged in handling at {city}; contents being inspected",
    "lost": "Parcel could not be located and is declared lost",
    "returning_unclaimed": "Not collected within the holding period; returning to sender",
    "returning_refused": "Refused by the recipient; returning to sender",
    "return_transit": "Return shipment in transit, {city}",
    "returned": "Returned to sender",
    "misroute": "Missorted; rerouted via {city}",
    "late_scan": "Arrived at delivery facility {city}",
}

_TEXT_ZH: Final[dict[str, str]] = {
    "label": "顾客已下单，等待揽收",
    "label_update": "寄件信息已更新",
    "pickup": "顺丰速运 已收取快件",
    "origin_facility": "快件在【{city}集散中心】完成分拣",
    "depart": "快件已发车，离开【{city}】",
    "hub_arrive": "快件到达【{city}中转场】",
    "hub_depart": "快件离开【{city}中转场】",
    "delay": "受天气影响，快件延误",
    "delivery_facility": "快件到达【{city}营业点】",
    "delivery_wait": "快件在【{city}营业点】等待派送",
    "out_for_delivery": "快件交给快递员，正在派送途中",
    "attempt_address": "地址不详，派送不成功",
    "attempt_absent": "收件人不在，派送不成功",
    "attempt_closed": "收件单位已下班，派送不成功",
    "pickup_point": "快件已放入【{city}】丰巢柜，请及时取件",
    "delivered": "快件已签收",
    "refused": "收件人拒收",
    "damaged": "快件外包装破损，内件待核实",
    "lost": "快件遗失",
    "returning_unclaimed": "快件超时未取，退回寄件人",
    "returning_refused": "收件人拒收，快件退回中",
    "return_transit": "退回快件运输中，【{city}】",
    "returned": "快件已退回寄件人",
    "misroute": "快件错分，改发【{city}】",
    "late_scan": "快件到达【{city}营业点】",
}

_Code = tuple[str | None, str | None, str | None]  # (status, substatus, code)

_CODES: Final[dict[str, dict[str, _Code]]] = {
    "dhl": {
        "label": ("pre-transit", None, "EE"),
        "label_update": ("pre-transit", None, "EE"),
        "pickup": ("transit", None, "PU"),
        "origin_facility": ("transit", None, "PL"),
        "depart": ("transit", None, "DF"),
        "hub_arrive": ("transit", None, "AF"),
        "hub_depart": ("transit", None, "DF"),
        "export": ("transit", None, "DF"),
        "dest_country": ("transit", None, "AF"),
        "delay": ("transit", None, "TD"),
        "customs_in": ("transit", None, "CI"),
        "customs_processing": ("transit", None, "CI"),
        "customs_hold": ("failure", None, "OH"),
        "customs_payment": ("failure", None, "CA"),
        "customs_done": ("transit", None, "CR"),
        "delivery_facility": ("transit", None, "AD"),
        "delivery_wait": ("transit", None, "AD"),
        "out_for_delivery": ("transit", None, "WC"),
        "attempt_address": ("failure", None, "BA"),
        "attempt_absent": ("failure", None, "NH"),
        "attempt_closed": ("failure", None, "CM"),
        "pickup_point": ("transit", None, "CD"),
        "delivered": ("delivered", None, "OK"),
        "refused": ("failure", None, "RD"),
        "damaged": ("failure", None, "DM"),
        "lost": ("failure", None, "LS"),
        "returning_unclaimed": ("transit", None, "RT"),
        "returning_refused": ("transit", None, "RT"),
        "return_transit": ("transit", None, "RT"),
        "returned": ("delivered", None, "RR"),
        "misroute": ("transit", None, "MS"),
        "late_scan": ("transit", None, "AF"),
    },
    "ups": {
        "label": ("M", None, "MP"),
        "label_update": ("M", None, "MP"),
        "pickup": ("P", None, "PU"),
        "origin_facility": ("I", None, "OR"),
        "depart": ("I", None, "DP"),
        "hub_arrive": ("I", None, "AR"),
        "hub_depart": ("I", None, "DP"),
        "export": ("I", None, "EP"),
        "dest_country": ("I", None, "IP"),
        "delay": ("X", None, "WX"),
        "customs_in": ("I", None, "CB"),
        "customs_processing": ("I", None, "CB"),
        "customs_hold": ("X", None, "CH"),
        "customs_payment": ("X", None, "PD"),
        "customs_done": ("I", None, "CR"),
        "delivery_facility": ("I", None, "AR"),
        "delivery_wait": ("I", None, "HL"),
        "out_for_delivery": ("I", None, "OT"),
        "attempt_address": ("X", None, "AM"),
        "attempt_absent": ("X", None, "NA"),
        "attempt_closed": ("X", None, "CL"),
        "pickup_point": ("I", None, "ZP"),
        "delivered": ("D", None, "FS"),
        "refused": ("X", None, "RF"),
        "damaged": ("X", None, "DM"),
        "lost": ("X", None, "LP"),
        "returning_unclaimed": ("RS", None, "UC"),
        "returning_refused": ("RS", None, "RF"),
        "return_transit": ("RS", None, "RS"),
        "returned": ("D", None, "RT"),
        "misroute": ("X", None, "MS"),
        "late_scan": ("I", None, "AR"),
    },
    "usps": {
        "label": ("Pre-Shipment", None, "GX"),
        "label_update": ("Pre-Shipment", None, "MA"),
        "pickup": ("Accepted", None, "03"),
        "origin_facility": ("In Transit", None, "10"),
        "depart": ("In Transit", None, "EF"),
        "hub_arrive": ("In Transit", None, "A1"),
        "hub_depart": ("In Transit", None, "L1"),
        "delay": ("Alert", None, "WD"),
        "delivery_facility": ("In Transit", None, "07"),
        "delivery_wait": ("In Transit", None, "07"),
        "out_for_delivery": ("Out for Delivery", None, "OF"),
        "attempt_address": ("Alert", None, "22"),
        "attempt_absent": ("Alert", None, "02"),
        "attempt_closed": ("Alert", None, "53"),
        "pickup_point": ("Available for Pickup", None, "14"),
        "delivered": ("Delivered", None, "01"),
        "refused": ("Alert", None, "04"),
        "damaged": ("Alert", None, "DM"),
        "lost": ("Alert", None, "LT"),
        "returning_unclaimed": ("Alert", None, "09"),
        "returning_refused": ("Alert", None, "04"),
        "return_transit": ("In Transit", None, "09"),
        "returned": ("Delivered", None, "RT"),
        "misroute": ("Alert", None, "MS"),
        "late_scan": ("In Transit", None, "07"),
    },
    "sf-express": {
        "label": (None, None, "00"),
        "label_update": (None, None, "00"),
        "pickup": (None, None, "50"),
        "origin_facility": (None, None, "30"),
        "depart": (None, None, "36"),
        "hub_arrive": (None, None, "31"),
        "hub_depart": (None, None, "36"),
        "delay": (None, None, "125"),
        "delivery_facility": (None, None, "31"),
        "delivery_wait": (None, None, "34"),
        "out_for_delivery": (None, None, "44"),
        "attempt_address": (None, None, "70"),
        "attempt_absent": (None, None, "70"),
        "attempt_closed": (None, None, "70"),
        "pickup_point": (None, None, "607"),
        "delivered": (None, None, "80"),
        "refused": (None, None, "648"),
        "damaged": (None, None, "33"),
        "lost": (None, None, "99"),
        "returning_unclaimed": (None, None, "99"),
        "returning_refused": (None, None, "99"),
        "return_transit": (None, None, "31"),
        "returned": (None, None, "80"),
        "misroute": (None, None, "30"),
        "late_scan": (None, None, "31"),
    },
    "17track": {
        "label": ("InfoReceived", "InfoReceived", None),
        "label_update": ("InfoReceived", "InfoReceived", None),
        "pickup": ("InTransit", "InTransit_PickedUp", None),
        "origin_facility": ("InTransit", "InTransit_Other", None),
        "depart": ("InTransit", "InTransit_Departure", None),
        "hub_arrive": ("InTransit", "InTransit_Arrival", None),
        "hub_depart": ("InTransit", "InTransit_Departure", None),
        "export": ("InTransit", "InTransit_Departure", None),
        "dest_country": ("InTransit", "InTransit_Arrival", None),
        "delay": ("Exception", "Exception_Delayed", None),
        "customs_in": ("InTransit", "InTransit_CustomsProcessing", None),
        "customs_processing": ("InTransit", "InTransit_CustomsProcessing", None),
        "customs_hold": ("InTransit", "InTransit_CustomsRequiringInformation", None),
        "customs_payment": ("InTransit", "InTransit_CustomsRequiringInformation", None),
        "customs_done": ("InTransit", "InTransit_CustomsReleased", None),
        "delivery_facility": ("InTransit", "InTransit_Arrival", None),
        "delivery_wait": ("InTransit", "InTransit_Other", None),
        "out_for_delivery": ("OutForDelivery", "OutForDelivery_Other", None),
        "attempt_address": ("DeliveryFailure", "DeliveryFailure_InvalidAddress", None),
        "attempt_absent": ("DeliveryFailure", "DeliveryFailure_NoBody", None),
        "attempt_closed": ("DeliveryFailure", "DeliveryFailure_Other", None),
        "pickup_point": ("AvailableForPickup", "AvailableForPickup_Other", None),
        "delivered": ("Delivered", "Delivered_Other", None),
        "refused": ("DeliveryFailure", "DeliveryFailure_Rejected", None),
        "damaged": ("Exception", "Exception_Damage", None),
        "lost": ("Exception", "Exception_Lost", None),
        "returning_unclaimed": ("Exception", "Exception_Returning", None),
        "returning_refused": ("Exception", "Exception_Returning", None),
        "return_transit": ("Exception", "Exception_Returning", None),
        "returned": ("Exception", "Exception_Returned", None),
        "misroute": ("InTransit", "InTransit_Other", None),
        "late_scan": ("InTransit", "InTransit_Arrival", None),
    },
    "aftership": {
        "label": ("InfoReceived", "InfoReceived_001", None),
        "label_update": ("InfoReceived", "InfoReceived_001", None),
        "pickup": ("InTransit", "InTransit_002", None),
        "origin_facility": ("InTransit", "InTransit_003", None),
        "depart": ("InTransit", "InTransit_007", None),
        "hub_arrive": ("InTransit", "InTransit_003", None),
        "hub_depart": ("InTransit", "InTransit_007", None),
        "export": ("InTransit", "InTransit_007", None),
        "dest_country": ("InTransit", "InTransit_004", None),
        "delay": ("Exception", "Exception_005", None),
        "customs_in": ("InTransit", "InTransit_001", None),
        "customs_processing": ("InTransit", "InTransit_001", None),
        "customs_hold": ("Exception", "Exception_004", None),
        "customs_payment": ("Exception", "Exception_006", None),
        "customs_done": ("InTransit", "InTransit_005", None),
        "delivery_facility": ("InTransit", "InTransit_003", None),
        "delivery_wait": ("InTransit", "InTransit_001", None),
        "out_for_delivery": ("OutForDelivery", "OutForDelivery_001", None),
        "attempt_address": ("AttemptFail", "AttemptFail_003", None),
        "attempt_absent": ("AttemptFail", "AttemptFail_001", None),
        "attempt_closed": ("AttemptFail", "AttemptFail_002", None),
        "pickup_point": ("AvailableForPickup", "AvailableForPickup_001", None),
        "delivered": ("Delivered", "Delivered_001", None),
        "refused": ("Exception", "Exception_003", None),
        "damaged": ("Exception", "Exception_009", None),
        "lost": ("Exception", "Exception_013", None),
        "returning_unclaimed": ("Exception", "Exception_010", None),
        "returning_refused": ("Exception", "Exception_010", None),
        "return_transit": ("Exception", "Exception_010", None),
        "returned": ("Exception", "Exception_011", None),
        "misroute": ("InTransit", "InTransit_001", None),
        "late_scan": ("InTransit", "InTransit_003", None),
    },
}

# ------------------------------------------------------------------- journeys

_Leg = tuple[str, str, tuple[float, float]]  # (step, place role, hours after previous)

_DOMESTIC: Final[tuple[_Leg, ...]] = (
    ("label", "origin", (0, 0)),
    ("pickup", "origin", (2, 18)),
    ("origin_facility", "origin", (1, 4)),
    ("depart", "origin", (1, 3)),
    ("hub_arrive", "hub", (3, 9)),
    ("hub_depart", "hub", (1, 4)),
    ("delivery_facility", "dest", (3, 9)),
    ("out_for_delivery", "dest", (5, 14)),
    ("delivered", "dest", (1, 7)),
)

_CROSS_CUSTOMS: Final[tuple[_Leg, ...]] = (
    ("label", "origin", (0, 0)),
    ("pickup", "origin", (4, 30)),
    ("origin_facility", "origin", (2, 8)),
    ("depart", "origin", (2, 10)),
    ("hub_arrive", "export", (4, 16)),
    ("export", "export", (6, 30)),
    ("dest_country", "import", (10, 34)),
    ("customs_in", "import", (2, 10)),
    ("customs_done", "import", (3, 20)),
    ("delivery_facility", "dest", (6, 20)),
    ("out_for_delivery", "dest", (5, 14)),
    ("delivered", "dest", (1, 7)),
)

_CROSS_FREE: Final[tuple[_Leg, ...]] = (
    ("label", "origin", (0, 0)),
    ("pickup", "origin", (2, 18)),
    ("origin_facility", "origin", (1, 4)),
    ("depart", "origin", (1, 3)),
    ("hub_arrive", "export", (3, 9)),
    ("dest_country", "import", (6, 20)),
    ("delivery_facility", "dest", (3, 12)),
    ("out_for_delivery", "dest", (5, 14)),
    ("delivered", "dest", (1, 7)),
)


@dataclass
class _Scan:
    step: str
    at: datetime
    place: _Place
    reason: str | None = None
    attributes: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    report: str | None = None  # source.system of a report made by people
    text: str | None = None


@dataclass
class _Parcel:
    """One shipment being built: its lane, carrier, places and scans."""

    rng: random.Random
    lane: _Lane
    carrier: _Carrier
    tracking_number: str
    origin: _Place
    dest: _Place
    hub: _Place
    export: _Place
    import_: _Place
    scans: list[_Scan] = field(default_factory=list)
    promised_at: datetime | None = None
    declared_value: Decimal | None = None
    category: str = "apparel"

    def place(self, role: str) -> _Place:
        return {
            "origin": self.origin,
            "dest": self.dest,
            "hub": self.hub,
            "export": self.export,
            "import": self.import_,
        }[role]

    def journey(self) -> tuple[_Leg, ...]:
        if not self.lane.cross_border:
            return _DOMESTIC
        return _CROSS_CUSTOMS if self.lane.customs else _CROSS_FREE

    def happy_path(self, *, until: str = "delivered", at: datetime) -> datetime:
        """Scans of the normal journey up to ``until``, placed so ``until`` happens ``at``.

        Returns the time of the first scan (the label).
        """
        legs = self.journey()
        offsets: list[tuple[str, _Place, timedelta]] = []
        elapsed = timedelta()
        for step, role, (low, high) in legs:
            elapsed += _hours(self.rng, low, high)
            offsets.append((step, self.place(role), elapsed))
            if step == until:
                break
        else:
            raise ValueError(f"step {until!r} is not on the journey of lane {self.lane}")
        start = at - offsets[-1][2]
        self.scans.extend(_Scan(step, start + off, place) for step, place, off in offsets)
        return start

    def add(self, step: str, at: datetime, place: _Place | None = None, **kw: Any) -> None:
        self.scans.append(_Scan(step, at, place or self.last_place(), **kw))

    def last(self) -> _Scan:
        return max((s for s in self.scans if s.report is None), key=lambda s: s.at)

    def last_place(self) -> _Place:
        return self.last().place

    def promise(self, *, after: datetime, margin: tuple[float, float] = (6, 72)) -> None:
        """Promise the lane's usual time from the label, but never before ``after``."""
        start = min(s.at for s in self.scans)
        usual = start + timedelta(days=self.rng.randint(*self.lane.promise_days))
        self.promised_at = max(usual, after + _hours(self.rng, *margin))


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    """A random duration in whole minutes between ``low`` and ``high`` hours."""
    return timedelta(minutes=rng.randint(round(low * 60), round(high * 60)))


def _ago(rng: random.Random, low: float, high: float) -> datetime:
    return DEMO_AT - _hours(rng, low, high)


# ----------------------------------------------------------------------- scenarios

_Builder = Callable[[_Parcel], None]


def _normal_delivered(p: _Parcel) -> None:
    done = _ago(p.rng, 2, 10 * 24)
    p.happy_path(at=done)
    p.promise(after=done)


def _normal_just_in_time(p: _Parcel) -> None:
    done = _ago(p.rng, 6, 5 * 24)
    p.happy_path(at=done)
    p.promised_at = done + _hours(p.rng, 1, 3)


def _normal_attempt_then_delivered(p: _Parcel) -> None:
    attempt = _ago(p.rng, 30, 6 * 24)
    p.happy_path(until="out_for_delivery", at=attempt - _hours(p.rng, 1, 5))
    p.add(p.rng.choice(("attempt_absent", "attempt_closed")), attempt)
    ofd = attempt + _hours(p.rng, 16, 24)
    p.add("out_for_delivery", ofd)
    p.add("delivered", ofd + _hours(p.rng, 1, 6))
    p.promise(after=ofd + timedelta(hours=6))


def _in_transit_steps(p: _Parcel) -> list[str]:
    steps = [leg[0] for leg in p.journey()]
    return steps[1 : steps.index("out_for_delivery") + 1]


def _normal_in_transit(p: _Parcel) -> None:
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=_ago(p.rng, 1, 20))
    p.promise(after=DEMO_AT)


def _normal_pre_transit(p: _Parcel) -> None:
    hours = (30, 44) if p.lane.cross_border else (12, 22)
    p.happy_path(until="label", at=_ago(p.rng, *hours))
    p.promise(after=DEMO_AT)


def _normal_quiet(p: _Parcel) -> None:
    # Silent for a little less than the 24 h stall threshold.
    steps = ["pickup", "origin_facility", "delivery_facility"]
    p.happy_path(until=p.rng.choice(steps), at=_ago(p.rng, 20, 23))
    p.promise(after=DEMO_AT)


def _fill(
    p: _Parcel,
    steps: Sequence[str],
    places: Sequence[_Place],
    start: datetime,
    end: datetime,
    every: tuple[float, float],
) -> None:
    """Regular scans from ``start`` to ``end`` so the trail never goes quiet."""
    at, i = start + _hours(p.rng, *every), 0
    while at <= end:
        p.add(steps[i % len(steps)], at, places[(i // 2) % len(places)])
        at += _hours(p.rng, *every)
        i += 1


def _line_haul_for(p: _Parcel, hours: tuple[float, float]) -> None:
    """Departed ``hours`` ago and still in line haul, with scans every half day."""
    entered = _ago(p.rng, *hours)
    p.happy_path(until="depart", at=entered)
    places = _HUBS.get(p.lane.origin, _EXPORT_GATEWAYS[p.lane.origin])
    _fill(p, ("hub_arrive", "hub_depart"), places, entered, _ago(p.rng, 1, 4), (8, 16))


def _normal_line_haul_long(p: _Parcel) -> None:
    _line_haul_for(p, (5.6 * 24, 6.5 * 24) if p.lane.cross_border else (60, 66))
    p.promise(after=DEMO_AT)


_CUSTOMS_UNDER: Final = {"BR": (80, 90), "IN": (60, 68)}
_CUSTOMS_OVER: Final = {"BR": (104, 120), "IN": (80, 92)}


def _in_customs_for(p: _Parcel, hours: tuple[float, float]) -> None:
    entered = _ago(p.rng, *hours)
    p.happy_path(until="customs_in", at=entered)
    _fill(p, ("customs_processing",), (p.import_,), entered, _ago(p.rng, 1, 6), (10, 18))


def _normal_customs_long(p: _Parcel) -> None:
    _in_customs_for(p, _CUSTOMS_UNDER.get(p.lane.destination, (36, 44)))
    p.promise(after=DEMO_AT)


def _pickup_delay(p: _Parcel) -> None:
    hours = (3.5 * 24, 5 * 24) if p.lane.cross_border else (40, 70)
    first = _ago(p.rng, *hours)
    p.happy_path(until="label", at=first)
    if p.rng.random() < 0.5:
        p.add("label_update", first + _hours(p.rng, 3, 20))
    p.promise(after=DEMO_AT)


def _stall(hours: tuple[float, float]) -> _Builder:
    def build(p: _Parcel) -> None:
        # Quiet in first or last mile, so a long stall is not also a transit delay.
        steps = ["pickup", "origin_facility", "delivery_facility", "out_for_delivery"]
        p.happy_path(until=p.rng.choice(steps), at=_ago(p.rng, *hours))
        p.promise(after=DEMO_AT)

    return build


def _lost_declared(p: _Parcel) -> None:
    last = _ago(p.rng, 3 * 24, 5 * 24)
    p.happy_path(until=p.rng.choice(("pickup", "origin_facility")), at=last)
    p.add("lost", _ago(p.rng, 2, 30))
    p.promise(after=last, margin=(24, 72))


def _lost_silent(p: _Parcel) -> None:
    hours = (11 * 24, 13 * 24) if p.lane.cross_border else (8 * 24, 9 * 24)
    last = _ago(p.rng, *hours)
    p.happy_path(until=p.rng.choice(("origin_facility", "depart", "hub_arrive")), at=last)
    p.promise(after=last, margin=(24, 72))


def _transit_delay(p: _Parcel) -> None:
    _line_haul_for(p, (8 * 24, 9.5 * 24) if p.lane.cross_border else (3.6 * 24, 4.5 * 24))
    if p.rng.random() < 0.5:
        p.add("delay", _ago(p.rng, 13, 31))
    p.promise(after=DEMO_AT)


def _customs_event(step: str) -> _Builder:
    def build(p: _Parcel) -> None:
        held = _ago(p.rng, 3, 20)
        p.happy_path(until="customs_in", at=held - _hours(p.rng, 1, 10))
        p.add(step, held, p.import_)
        p.promise(after=DEMO_AT)

    return build


def _customs_timeout(p: _Parcel) -> None:
    _in_customs_for(p, _CUSTOMS_OVER.get(p.lane.destination, (56, 70)))
    p.promise(after=DEMO_AT)


def _attempt(step: str) -> _Builder:
    def build(p: _Parcel) -> None:
        attempt = _ago(p.rng, 2, 10)
        p.happy_path(until="out_for_delivery", at=attempt - _hours(p.rng, 1, 5))
        p.add(step, attempt)
        p.promise(after=DEMO_AT, margin=(6, 48))

    return build


def _third_attempt(p: _Parcel) -> None:
    last = _ago(p.rng, 2, 10)
    attempts = [
        last - timedelta(days=2) + _hours(p.rng, -2, 2),
        last - timedelta(days=1) + _hours(p.rng, -2, 2),
        last,
    ]
    p.happy_path(until="out_for_delivery", at=attempts[0] - _hours(p.rng, 1, 5))
    for i, at in enumerate(attempts):
        if i:
            p.add("out_for_delivery", at - _hours(p.rng, 1, 5))
        p.add(p.rng.choice(("attempt_absent", "attempt_address")), at)
    p.promise(after=DEMO_AT, margin=(-48, 24))


def _refused(p: _Parcel) -> None:
    refused = _ago(p.rng, 3, 20)
    p.happy_path(until="out_for_delivery", at=refused - _hours(p.rng, 1, 5))
    p.add("refused", refused)
    p.promise(after=DEMO_AT, margin=(6, 48))


def _refused_returning(p: _Parcel) -> None:
    refused = _ago(p.rng, 30, 50)
    p.happy_path(until="out_for_delivery", at=refused - _hours(p.rng, 1, 5))
    p.add("refused", refused)
    p.add("returning_refused", refused + _hours(p.rng, 10, 24), p.dest)
    p.promise(after=DEMO_AT, margin=(6, 48))


def _damaged(ratio: tuple[float, float], value: tuple[int, int]) -> _Builder:
    def build(p: _Parcel) -> None:
        found = _ago(p.rng, 2, 20)
        steps = ["origin_facility", "hub_arrive", "delivery_facility"]
        p.happy_path(until=p.rng.choice(steps), at=found - _hours(p.rng, 1, 6))
        share = round(p.rng.uniform(*ratio), 2)
        p.add("damaged", found, attributes={"damage_ratio": share})
        p.declared_value = Decimal(p.rng.randint(*value)) + Decimal("0.99")
        p.promise(after=DEMO_AT, margin=(6, 48))

    return build


def _delivered_then_report(
    report: str, reason: str, text: str, attributes: Callable[[random.Random], dict[str, Any]]
) -> _Builder:
    def build(p: _Parcel) -> None:
        delivered = _ago(p.rng, 30, 4 * 24)
        p.happy_path(at=delivered)
        place = p.dest if report == "customer" else p.origin
        when = min(delivered + _hours(p.rng, 4, 48), _ago(p.rng, 2, 6))
        ticket = f"CS-{p.rng.randint(100000, 999999)}"
        p.add(
            "report",
            when,
            place,
            reason=reason,
            report=report,
            text=text,
            attributes={"ticket": ticket, **attributes(p.rng)},
        )
        p.promise(after=delivered)

    return build


def _warehouse_mispick(p: _Parcel) -> None:
    when = _ago(p.rng, 4, 12)
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=when - _hours(p.rng, 1, 10))
    sku = p.rng.randint(10000, 99999)
    p.add(
        "report",
        when,
        p.origin,
        reason="wrong_item",
        report="warehouse",
        text="Pick audit: order packed with the wrong SKU",
        attributes={"expected_sku": f"SKU-{sku}", "packed_sku": f"SKU-{sku + 1}"},
    )
    p.promise(after=DEMO_AT)


def _delivery_delay(late: tuple[float, float]) -> _Builder:
    def build(p: _Parcel) -> None:
        promised = _ago(p.rng, *late)
        arrived = promised - _hours(p.rng, 6, 30)
        p.happy_path(until="delivery_facility", at=arrived)
        _fill(p, ("delivery_wait",), (p.dest,), arrived, _ago(p.rng, 1, 5), (8, 16))
        p.promised_at = promised

    return build


def _delivered_late(p: _Parcel) -> None:
    delivered = _ago(p.rng, 24, 3 * 24)
    start = p.happy_path(at=delivered)
    # More than a day late, yet promised at least half a day after the label.
    late = min(_hours(p.rng, 30, 70), delivered - start - timedelta(hours=12))
    p.promised_at = delivered - late


def _returned_unclaimed(p: _Parcel) -> None:
    returning = _ago(p.rng, 2, 20)
    ready = returning - _hours(p.rng, 7 * 24, 8 * 24)
    p.happy_path(until="delivery_facility", at=ready - _hours(p.rng, 2, 12))
    p.add("pickup_point", ready, p.dest)
    p.add("returning_unclaimed", returning)
    p.promise(after=ready)


def _returned(p: _Parcel) -> None:
    back = _ago(p.rng, 4, 30)
    start = back - _hours(p.rng, 3 * 24, 4 * 24)
    ready = start - _hours(p.rng, 7 * 24, 8 * 24)
    p.happy_path(until="delivery_facility", at=ready - _hours(p.rng, 2, 12))
    p.add("pickup_point", ready, p.dest)
    p.add("returning_unclaimed", start)
    _fill(p, ("return_transit",), (p.hub, p.origin), start, back - _hours(p.rng, 2, 6), (10, 20))
    p.add("returned", back, p.origin)
    p.promise(after=start)


def _anomaly_after_delivery(p: _Parcel) -> None:
    delivered = _ago(p.rng, 24, 3 * 24)
    p.happy_path(at=delivered)
    p.add("late_scan", _ago(p.rng, 2, 20), p.dest)
    p.promise(after=delivered)


def _anomaly_backwards(p: _Parcel) -> None:
    missort = _ago(p.rng, 2, 10)
    p.happy_path(until="out_for_delivery", at=missort - _hours(p.rng, 3, 12))
    hubs = _HUBS.get(p.lane.destination, _IMPORT_GATEWAYS.get(p.lane.destination, ()))
    p.add("misroute", missort, p.rng.choice(hubs) if hubs else p.dest)
    p.promise(after=DEMO_AT)


def _customer_attrs(rng: random.Random) -> dict[str, Any]:
    return {"channel": rng.choice(("email", "chat", "phone"))}


def _missing_attrs(rng: random.Random) -> dict[str, Any]:
    ordered = rng.randint(2, 5)
    return {
        "channel": rng.choice(("email", "chat")),
        "ordered_items": ordered,
        "received_items": rng.randint(1, ordered - 1),
    }


def _wrong_attrs(rng: random.Random) -> dict[str, Any]:
    return {"channel": rng.choice(("email", "chat")), "photos": rng.randint(1, 4)}


@attrs.frozen
class _Scenario:
    name: str
    build: _Builder
    weight: int
    lanes: Callable[[_Lane], bool] = lambda lane: True


def _customs_lane(lane: _Lane) -> bool:
    return lane.customs


def _domestic_lane(lane: _Lane) -> bool:
    return not lane.cross_border


def _cross_lane(lane: _Lane) -> bool:
    return lane.cross_border


def _lane_to(country: str) -> Callable[[_Lane], bool]:
    return lambda lane: lane.destination == country


_NORMAL: Final[tuple[_Scenario, ...]] = (
    _Scenario("normal:delivered", _normal_delivered, 52),
    _Scenario("normal:in_transit", _normal_in_transit, 20),
    _Scenario("normal:just_in_time", _normal_just_in_time, 5),
    _Scenario("normal:pre_transit", _normal_pre_transit, 5),
    _Scenario("normal:quiet", _normal_quiet, 5),
    _Scenario("normal:line_haul_long", _normal_line_haul_long, 4),
    _Scenario("normal:customs_long", _normal_customs_long, 4, _customs_lane),
    _Scenario("normal:attempt_then_delivered", _normal_attempt_then_delivered, 5),
)

# The first thirteen cover each kind of the default pack once, so even a small data
# set has every kind; the rest add variants (thresholds per lane, severity steps).
_EXCEPTIONS: Final[tuple[_Scenario, ...]] = (
    _Scenario("pickup_delay:domestic", _pickup_delay, 4, _domestic_lane),
    _Scenario("tracking_stall:short", _stall((30, 44)), 6),
    _Scenario("lost:declared", _lost_declared, 2),
    _Scenario("transit_delay:domestic", _transit_delay, 3, _domestic_lane),
    _Scenario("customs_hold:held", _customs_event("customs_hold"), 3, _customs_lane),
    _Scenario("delivery_failure:address", _attempt("attempt_address"), 4),
    _Scenario("refused:refused", _refused, 2),
    _Scenario("damaged:minor", _damaged((0.01, 0.04), (20, 300)), 2),
    _Scenario(
        "wrong_or_missing_items:wrong_item",
        _delivered_then_report(
            "customer", "wrong_item", "Received a different item than ordered", _wrong_attrs
        ),
        2,
    ),
    _Scenario(
        "false_delivery:not_received",
        _delivered_then_report(
            "customer",
            "not_received",
            "Tracking says delivered but nothing arrived",
            _customer_attrs,
        ),
        3,
    ),
    _Scenario("delivery_delay:coupon", _delivery_delay((6, 20)), 4),
    _Scenario("returned_to_sender:unclaimed", _returned_unclaimed, 2),
    _Scenario("tracking_anomaly:after_delivery", _anomaly_after_delivery, 2),
    _Scenario("pickup_delay:cross_border", _pickup_delay, 3, _cross_lane),
    _Scenario("tracking_stall:long", _stall((80, 110)), 4),
    _Scenario("lost:silent", _lost_silent, 2),
    _Scenario("transit_delay:cross_border", _transit_delay, 3, _cross_lane),
    _Scenario("customs_hold:payment", _customs_event("customs_payment"), 2, _customs_lane),
    _Scenario("customs_hold:timeout", _customs_timeout, 2, _customs_lane),
    _Scenario("customs_hold:timeout_br", _customs_timeout, 1, _lane_to("BR")),
    _Scenario("customs_hold:timeout_in", _customs_timeout, 1, _lane_to("IN")),
    _Scenario("delivery_failure:absent", _attempt("attempt_absent"), 4),
    _Scenario("delivery_failure:closed", _attempt("attempt_closed"), 2),
    _Scenario("delivery_failure:third_attempt", _third_attempt, 2),
    _Scenario("refused:returning", _refused_returning, 1),
    _Scenario("damaged:major", _damaged((0.15, 0.6), (20, 400)), 2),
    _Scenario("damaged:high_value", _damaged((0.2, 0.8), (600, 2400)), 1),
    _Scenario(
        "wrong_or_missing_items:missing_items",
        _delivered_then_report(
            "customer", "missing_items", "Parcel arrived with items missing", _missing_attrs
        ),
        2,
    ),
    _Scenario("wrong_or_missing_items:warehouse", _warehouse_mispick, 1),
    _Scenario("delivery_delay:sla", _delivery_delay((30, 60)), 3),
    _Scenario("delivery_delay:refund", _delivery_delay((4.2 * 24, 6 * 24)), 2),
    _Scenario("delivery_delay:delivered_late", _delivered_late, 2, _cross_lane),
    _Scenario("returned_to_sender:returned", _returned, 2),
    _Scenario("tracking_anomaly:backwards", _anomaly_backwards, 2),
)

#: Every scenario name the generator can produce.
SCENARIOS: Final[tuple[str, ...]] = tuple(s.name for s in (*_NORMAL, *_EXCEPTIONS))

# -------------------------------------------------------------------- shipments

_CATEGORIES: Final = {
    "apparel": (15, 120),
    "electronics": (25, 450),
    "home": (10, 200),
    "beauty": (8, 90),
    "toys": (10, 80),
    "books": (8, 60),
    "sports": (20, 250),
}
_CNY_PER_UNIT: Final = 7  # CNY prices are quoted about seven times the USD figures


def _pick_lane(rng: random.Random, scenario: _Scenario) -> _Lane:
    lanes = [lane for lane in _LANES if scenario.lanes(lane)]
    return rng.choices(lanes, weights=[lane.weight for lane in lanes])[0]


def _other(rng: random.Random, places: Sequence[_Place], not_: _Place) -> _Place:
    choices = [p for p in places if p.city != not_.city] or list(places)
    return rng.choice(choices)


def _parcel(rng: random.Random, scenario: _Scenario, taken: set[str]) -> _Parcel:
    lane = _pick_lane(rng, scenario)
    carrier = rng.choice(lane.carriers)
    number = carrier.numbers(rng)
    while number in taken:
        number = carrier.numbers(rng)
    taken.add(number)
    origin = rng.choice(_CITIES[lane.origin])
    dest = _other(rng, _CITIES[lane.destination], origin)
    hubs = _HUBS.get(lane.origin) or _EXPORT_GATEWAYS[lane.origin]
    export = rng.choice(_EXPORT_GATEWAYS.get(lane.origin, hubs))
    import_ = rng.choice(_IMPORT_GATEWAYS.get(lane.destination, (dest,)))
    category = rng.choice(list(_CATEGORIES))
    return _Parcel(
        rng,
        lane,
        carrier,
        number,
        origin,
        dest,
        rng.choice(hubs),
        export,
        import_,
        category=category,
    )


def _money(rng: random.Random, low: float, high: float, currency: str) -> Decimal:
    scale = _CNY_PER_UNIT if currency == "CNY" else 1
    return Decimal(round(rng.uniform(low, high) * scale, 2)).quantize(Decimal("0.01"))


def _shipment(p: _Parcel) -> Shipment:
    rng, lane = p.rng, p.lane
    currency = lane.currency
    value = p.declared_value
    if value is None:
        value = _money(rng, *_CATEGORIES[p.category], currency)
    freight = _money(rng, 9, 38, currency) if lane.cross_border else _money(rng, 4, 12, currency)
    pickup = [s.at for s in p.scans if s.step == "pickup"]
    service = "express" if lane.cross_border and rng.random() < 0.25 else "standard"
    return Shipment(
        tracking_number=p.tracking_number,
        carrier=p.carrier.code,
        origin_country=lane.origin,
        destination_country=lane.destination,
        service_level=service,
        shipped_at=pickup[0] if pickup else None,
        promised_at=p.promised_at,
        declared_value=value,
        freight_cost=freight,
        currency=currency,
        insured=value >= 300 or rng.random() < 0.1,
        category=p.category,
        order_id=f"SO-{rng.randint(1000000, 9999999)}",
    )


# ------------------------------------------------------------------------ events


def _event_dict(p: _Parcel, scan: _Scan, stage: Stage) -> dict[str, Any]:
    local = scan.at.astimezone(ZoneInfo(scan.place.zone))
    if scan.report is not None:
        return {
            "tracking_number": p.tracking_number,
            "carrier": p.carrier.code,
            "occurred_at": local.isoformat(),
            "status": Status.EXCEPTION.value,
            "reason": scan.reason,
            # A report does not move the parcel: it carries the carrier stage as it was.
            "stage": stage.value,
            "location": scan.place.location(),
            "description": scan.text or "",
            "attributes": scan.attributes,
            "source": {"system": scan.report, "code": "ticket", "text": scan.text},
        }
    status, fixed_stage, reason = _STEPS[scan.step]
    system = p.carrier.system
    text_table = _TEXT_ZH if system == "sf-express" else _TEXT
    city = scan.place.local_name if system == "sf-express" and scan.place.local_name else None
    text = text_table.get(scan.step, _TEXT[scan.step]).format(city=city or scan.place.city)
    src_status, substatus, code = _CODES[system].get(scan.step, (None, None, None))
    return {
        "tracking_number": p.tracking_number,
        "carrier": p.carrier.code,
        "occurred_at": local.isoformat(),
        "status": status.value,
        "reason": scan.reason or reason,
        "stage": (fixed_stage or stage).value,
        "location": scan.place.location(),
        "description": text,
        "attributes": scan.attributes,
        "source": {
            "system": system,
            "status": src_status,
            "substatus": substatus,
            "code": code,
            "text": text,
        },
    }


def _event_dicts(p: _Parcel) -> list[dict[str, Any]]:
    stage = Stage.PRE_TRANSIT
    out: list[dict[str, Any]] = []
    for scan in sorted(p.scans, key=lambda s: s.at):
        if scan.at > DEMO_AT:
            # A scenario that schedules scans after the evaluation time is a generator bug.
            raise RuntimeError(f"{p.tracking_number}: scan {scan.step} after DEMO_AT")
        data = _event_dict(p, scan, stage)
        if scan.report is None:
            stage = Stage(data["stage"])
        out.append(data)
    return out


@attrs.frozen
class _Arrival:
    received: datetime
    seq: int
    data: dict[str, Any]


def _arrivals(
    rng: random.Random, events: list[dict[str, Any]], seq: int, *, duplicate: bool, reorder: bool
) -> list[_Arrival]:
    """When each event reaches us: shortly after it happened, with carrier noise."""
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    received = [t + _hours(rng, 0.05, 1.5) for t in times]
    carrier_idx = [i for i, e in enumerate(events) if e["source"]["system"] not in _PEOPLE]
    if reorder and len(carrier_idx) >= 3:
        # A scan held back by the carrier's batch upload arrives after a later one.
        i = rng.choice(carrier_idx[1:-1])
        received[i] = received[i + 1] + _hours(rng, 0.1, 6)
    out = [_Arrival(r, seq + i, e) for i, (r, e) in enumerate(zip(received, events, strict=True))]
    if duplicate and carrier_idx:
        i = rng.choice(carrier_idx)
        copy = json.loads(json.dumps(events[i]))
        if rng.random() < 0.5:
            # Re-sent with re-worded text: the codes and time still make it the same scan.
            copy["description"] = copy["description"].upper()
        out.append(_Arrival(received[i] + _hours(rng, 0.2, 12), seq + len(events), copy))
    return out


_PEOPLE: Final = frozenset({"customer", "warehouse", "merchant", "oms"})


# --------------------------------------------------------------------------- API


def _plan(rng: random.Random, shipments: int) -> list[_Scenario]:
    exceptions = min(shipments, max(round(shipments * EXCEPTION_SHARE), len(_EXCEPTIONS)))
    plan = list(_EXCEPTIONS[:exceptions])
    extra = exceptions - len(plan)
    plan += rng.choices(_EXCEPTIONS, weights=[s.weight for s in _EXCEPTIONS], k=extra)
    plan += rng.choices(_NORMAL, weights=[s.weight for s in _NORMAL], k=shipments - exceptions)
    rng.shuffle(plan)
    return plan


def generate_demo(*, seed: int = 7, shipments: int = 300) -> DemoData:
    """Generate the demo data set for ``seed``: the same seed gives the same data.

    About 35 % of the shipments are exceptions; with 34 shipments or more every
    scenario variant appears at least once, and with 13 or more every exception kind
    of the default pack does.
    """
    if shipments < 1:
        raise ValueError(f"shipments must be at least 1, got {shipments}")
    rng = random.Random(seed)
    taken: set[str] = set()
    built: list[Shipment] = []
    arrivals: list[_Arrival] = []
    scenarios: dict[str, str] = {}
    for scenario in _plan(rng, shipments):
        parcel = _parcel(rng, scenario, taken)
        scenario.build(parcel)
        events = _event_dicts(parcel)
        arrivals += _arrivals(
            rng,
            events,
            len(arrivals),
            duplicate=rng.random() < 0.12,
            reorder=rng.random() < 0.12,
        )
        built.append(_shipment(parcel))
        scenarios[parcel.tracking_number] = scenario.name
    arrivals.sort(key=lambda a: (a.received, a.seq))
    return DemoData(
        shipments=tuple(built),
        events=tuple(TrackingEvent.parse(a.data) for a in arrivals),
        at=DEMO_AT,
        scenarios=scenarios,
    )


def event_to_json(event: TrackingEvent) -> dict[str, Any]:
    """An event as a JSON-ready dict, with ``occurred_at`` in its original local offset."""
    data = event.model_dump(
        mode="json", exclude_none=True, exclude={"utc_offset_minutes", "offset_source"}
    )
    data["occurred_at"] = event.local_time.isoformat()
    return data


def shipment_to_json(shipment: Shipment) -> dict[str, Any]:
    """A shipment as a JSON-ready dict (amounts as strings, times in ISO-8601)."""
    return shipment.model_dump(mode="json", exclude_none=True, exclude={"lane", "cross_border"})


def write_demo_files(
    directory: str | os.PathLike[str],
    *,
    seed: int = 7,
    shipments: int = 300,
    data: DemoData | None = None,
) -> tuple[Path, Path]:
    """Write the demo data as ``events.jsonl`` and ``shipments.jsonl`` in ``directory``.

    Returns ``(events_path, shipments_path)``.  ``data`` writes an already generated
    set instead of generating one from ``seed`` and ``shipments``.
    """
    if data is None:
        data = generate_demo(seed=seed, shipments=shipments)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    events_path, shipments_path = folder / "events.jsonl", folder / "shipments.jsonl"
    with events_path.open("w", encoding="utf-8", newline="\n") as out:
        for event in data.events:
            out.write(json.dumps(event_to_json(event), ensure_ascii=False) + "\n")
    with shipments_path.open("w", encoding="utf-8", newline="\n") as out:
        for shipment in data.shipments:
            out.write(json.dumps(shipment_to_json(shipment), ensure_ascii=False) + "\n")
    return events_path, shipments_path
