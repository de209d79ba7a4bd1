"""The demo generator's code tables: places, carriers and their tracking numbers,
lanes, carrier steps with their raw codes and texts, journey legs, goods and prices.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

import attrs

from logix_carriers import Stage, Status

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

# ------------------------------------------------------------------------ goods

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
