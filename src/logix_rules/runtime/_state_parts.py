"""The plain parts of a serialized ``ShipmentState`` (see ``_state_codec``): facts
and follow-ups as JSON values, the compact JSON encoder the parts are written with,
and the checks of scalar values (types and ranges the kernel relies on) that every
part, the open incidents' too (``_state_incident``), is read with.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from ._actions import ACKNOWLEDGED, RESOLVED, LogEntry
from ._state import NO_FOLLOWUPS, Facts, Followup, StateError

__all__ = [
    "BOUND",
    "FACTS",
    "INT",
    "OPT_INT",
    "SCALARS",
    "STR",
    "TEXT_FACTS",
    "compact_json",
    "decode_facts",
    "decode_followups",
    "encode_followup",
    "instants",
    "scalar",
    "types_in",
    "v1_followups",
]

BOUND = 1 << 62  # instants and counts beyond this are not something logix wrote
FACTS = tuple(field.name for field in attrs.fields(Facts))
_FACT_TYPES: dict[str, tuple[type, ...]] = {
    "carrier": (str,),
    "cross_border": (bool,),
    "insured": (bool, type(None)),
    "insured_value": (float, int, type(None)),
    "shipped_at": (int, type(None)),
    "promised_at": (int, type(None)),
    "declared_value": (float, int, type(None)),
    "freight_cost": (float, int, type(None)),
}
#: The facts whose value is a text (or None) or a flag: what equal values of them say
#: is the same (no 1 against 1.0).
_TEXTS_OR_FLAGS = ((str,), (str, type(None)), (bool,))
TEXT_FACTS = frozenset(
    name for name in FACTS if _FACT_TYPES.get(name, (str, type(None))) in _TEXTS_OR_FLAGS
)
# Follow-up actions are named by the pack (snake_case), or are the built-in ones.
_DEADLINE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ACTIONS = frozenset({ACKNOWLEDGED, RESOLVED})
_FOLLOW_FIELDS = ("ack_at", "ack_by", "resolved_at", "resolved_by", "note")


# -- writing ----------------------------------------------------------------------------------
def compact_json(ensure_ascii: bool) -> Callable[[Any], str]:
    """What ``json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii,
    check_circular=False).encode`` writes, without its set-up at every call (a closure
    and a new C encoder: a third of the cost of encoding a tail of OMS facts): the C
    encoder is made once."""
    plain = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii, check_circular=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return plain.encode
    quote = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    encoder = make(None, plain.default, quote, None, ":", ",", False, False, True)
    return lambda value: "".join(encoder(value, 0))


def encode_followup(f: Followup) -> list[Any]:
    # An action without a cause is written as four parts, as before causes existed.
    log = [list(e) if e[4] is not None else list(e[:4]) for e in f.log]
    return [f.ack_at, f.ack_by, f.resolved_at, f.resolved_by, f.note, log]


# -- reading ----------------------------------------------------------------------------------
def v1_followups(raw_follows: Any) -> dict[str, Followup]:
    """The followups of a version-1 state (objects, without a log: one is derived)."""
    if type(raw_follows) is not dict:
        raise StateError("followups must be an object")
    followups: dict[str, Followup] = {}
    for ident, raw in raw_follows.items():
        if type(raw) is not dict or set(raw) - {*_FOLLOW_FIELDS, "log"}:
            raise StateError("a version 1 followup has unknown fields")
        f = _followup([*(raw.get(name) for name in _FOLLOW_FIELDS), raw.get("log") or []])
        if not f.log:  # version 1 kept no log: what it says, in the order it implies
            if f.ack_at is not None and f.ack_by is not None:
                f.log.append((ACKNOWLEDGED, f.ack_by, f.ack_at, None, None))
            if f.resolved_at is not None and f.resolved_by is not None:
                f.log.append((RESOLVED, f.resolved_by, f.resolved_at, f.note, None))
        followups[_str(ident, "incident id")] = f
    return followups


# -- the parts --------------------------------------------------------------------------------
def decode_facts(raw: Any) -> Facts:
    if type(raw) is list and len(raw) == len(FACTS) - 1:
        # Written before insured_value existed: it defaults to the declared value.
        at = FACTS.index("insured_value")
        raw = [*raw[:at], raw[FACTS.index("declared_value")], *raw[at:]]
    if type(raw) is not list or len(raw) != len(FACTS):
        raise StateError(f"facts must be an array of {len(FACTS)}")
    # Every parcel with OMS facts is read with them: the types are checked in one C
    # loop, the ranges only where an int may be; the message names the first culprit.
    ok = all(map(frozenset.__contains__, _FACT_ALLOWED, map(type, raw)))
    for at in _FACT_INTS if ok else ():
        value = raw[at]
        if type(value) is int and not -BOUND < value < BOUND:
            ok = False
    if not ok:
        for name, value in zip(FACTS, raw, strict=True):
            if type(value) not in _FACT_TYPES.get(name, (str, type(None))):
                raise StateError(f"fact {name} has the wrong type")
            if type(value) is int and not -BOUND < value < BOUND:
                raise StateError(f"fact {name} is out of range")
    return Facts(*raw)


#: The types each fact may have, in the order of FACTS, and where an int may be.
_FACT_ALLOWED = tuple(frozenset(_FACT_TYPES.get(name, (str, type(None)))) for name in FACTS)
_FACT_INTS = tuple(at for at, allowed in enumerate(_FACT_ALLOWED) if int in allowed)


def decode_followups(raw: Any, actions: frozenset[str] | None = None) -> dict[str, Followup]:
    """Followups as ``encode_followup`` wrote them; ``actions`` are the ones the pack
    knows (None for a state of another pack, whose actions are its own)."""
    if type(raw) is not dict:
        raise StateError("followups must be an object")
    if not raw:
        return NO_FOLLOWUPS
    return {_str(ident, "incident id"): _followup(value, actions) for ident, value in raw.items()}


def _followup(raw: Any, actions: frozenset[str] | None = None) -> Followup:
    if type(raw) is not list or len(raw) != 6 or type(raw[5]) is not list:
        raise StateError("a followup must be an array of 6 parts")
    log: list[LogEntry] = []
    for entry in raw[5]:
        if (
            type(entry) is not list
            or len(entry) not in (4, 5)
            or type(entry[0]) is not str
            or not _DEADLINE_NAME.fullmatch(entry[0])
            or (actions is not None and entry[0] not in actions and entry[0] not in _ACTIONS)
        ):
            raise StateError("a followup action must be [action, by, at, note, cause]")
        cause = _opt_str(entry[4], "cause") if len(entry) == 5 else None
        log.append(
            (
                entry[0],
                _str(entry[1], "by"),
                _int(entry[2], "instant"),
                _opt_str(entry[3], "note"),
                cause,
            )
        )
    return Followup(
        _opt_int(raw[0], "instant"),
        _opt_str(raw[1], "by"),
        _opt_int(raw[2], "instant"),
        _opt_str(raw[3], "by"),
        _opt_str(raw[4], "note"),
        log,
    )


# -- scalars, in bulk --------------------------------------------------------------------------
INT: frozenset[type] = frozenset({int})
STR: frozenset[type] = frozenset({str})
OPT_INT: frozenset[type] = frozenset({int, type(None)})
SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def types_in(values: Iterable[Any], allowed: frozenset[type]) -> bool:
    """Whether every value's type is one of ``allowed`` (exactly: a bool is no int)."""
    return set(map(type, values)) <= allowed


def instants(values: list[Any]) -> bool:
    """Whether every value is None or an int in the range logix writes."""
    if not types_in(values, OPT_INT):
        return False
    ints = [v for v in values if v is not None]
    return not ints or (min(ints) > -BOUND and max(ints) < BOUND)


# -- scalars, one at a time ------------------------------------------------------------------
def _str(value: Any, what: str) -> str:
    if type(value) is not str:
        raise StateError(f"{what} must be a string")
    return value


def _opt_str(value: Any, what: str) -> str | None:
    if value is not None and type(value) is not str:
        raise StateError(f"{what} must be a string or null")
    return value


def _int(value: Any, what: str) -> int:
    if type(value) is not int or not -BOUND < value < BOUND:
        raise StateError(f"{what} must be an integer in range")
    return value


def _opt_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    return _int(value, what)


def scalar(value: Any, what: str) -> None:
    if value is not None and type(value) not in (str, int, float, bool):
        raise StateError(f"{what} must be a string, number, boolean or null")
