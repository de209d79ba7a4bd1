"""The irregular parts of a serialized ``ShipmentState`` (see ``_state_codec``): open
incidents, follow-ups, facts and the shipment, as JSON values, and the checks that
every value read back has the type and range the kernel relies on.
"""

from __future__ import annotations

import datetime as dt
import json
import json.encoder
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

import attrs

from ..compiler._model import BEARERS, Pack
from ..compiler._remedy_terms import CAUSES
from ..core._durations import from_micros, to_micros
from ..core._records import DESC, ID, KIND, REASON, STATUS, SYSTEM, T
from ._actions import ACKNOWLEDGED, RESOLVED, LogEntry
from ._incidents import Evidence, EvidenceEvent, Remedy, RemedyItem
from ._pending_evidence import PendingEvidence
from ._state import NO_FOLLOWUPS, Facts, Followup, OpenIncident, StateError

__all__ = [
    "BOUND",
    "FACTS",
    "INT",
    "OPT_INT",
    "SCALARS",
    "STR",
    "TEXT_FACTS",
    "LazyEvidence",
    "compact_json",
    "decode_facts",
    "decode_followups",
    "decode_incident",
    "decode_value",
    "encode_followup",
    "encode_incident",
    "encode_value",
    "evidence_text",
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
# Actions and escalations are named by the pack (snake_case), or are the built-in ones.
_DEADLINE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ACTIONS = frozenset({ACKNOWLEDGED, RESOLVED})
_WHATS = frozenset({"respond", "escalate", "resolve"})
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


def encode_incident(
    inc: OpenIncident, ref: Callable[[str], int], parked: bool = False
) -> list[Any]:
    """An open incident as JSON; its evidence and explanation go to the state's strings
    (``ref`` gives their index there)."""
    remedy = inc.remedy
    held = inc._evidence
    if type(held) is LazyEvidence:
        evidence = held.text
    else:
        # Kept beside what it encodes: the next dumps of this state (a store writes it
        # at every event) reuses the text.
        if type(held) is PendingEvidence and held._read is None:
            # describe's, not read yet: written from its records, and made into an
            # Evidence only if something reads it (a touch that opens an incident
            # would otherwise build an EvidenceEvent and a datetime per record here).
            evidence = pending_text(held)
            lazy = LazyEvidence(evidence)
            lazy.pending = held
        else:
            read = inc.evidence
            evidence = evidence_text(read)
            lazy = LazyEvidence(evidence)
            lazy.read = read
        inc._evidence = lazy
    # (JSON writes tuples as arrays: the tuples and dicts go as they are, not copied.)
    return [
        inc.id,
        inc.kind,
        inc.opened_at,
        inc.severity,
        inc.rank,
        inc.severity_since,
        inc.rules,
        inc.lead,
        None if remedy is None else _remedy_json(remedy),
        ref(evidence),
        ref(inc.explanation),
        inc.deadlines,
        # [what, at], and the target only when there is one (as version 2 first wrote)
        [e if e[2] is not None else e[:2] for e in inc.escalations] if inc.escalations else (),
        *_lifecycle_part(inc, parked),
    ]


def _remedy_json(remedy: Remedy) -> list[Any]:
    """``encode_remedy``, made once per remedy object (a remedy is frozen, and the
    states of a batch share few of them)."""
    found = _REMEDIES.get(id(remedy))
    if found is None or found[0] is not remedy:
        if len(_REMEDIES) >= 4096:
            _REMEDIES.clear()
        found = _REMEDIES[id(remedy)] = (remedy, encode_remedy(remedy))
    return found[1]


# id(remedy) -> (remedy, its JSON value): the remedy is held, so its id is not reused.
_REMEDIES: dict[int, tuple[Remedy, list[Any]]] = {}


def _lifecycle_part(inc: OpenIncident, parked: bool) -> list[dict[str, Any]]:
    """The 14th part, only when there is something to say: deadlines' own starts,
    a revisit done, an incident parked (resolved and closed, its revisit pending)."""
    extra: dict[str, Any] = {}
    if inc.starts:
        extra["starts"] = dict(inc.starts)
    if inc.revisit_done:
        extra["revisit_done"] = True
    if parked:
        extra["parked"] = True
    if inc.cause != "unknown":
        extra["cause"] = inc.cause
    return [extra] if extra else []


def evidence_text(evidence: Evidence) -> str:
    return _EVIDENCE_JSON(
        [
            evidence.rule,
            evidence.step,
            {name: encode_value(value) for name, value in evidence.values.items()},
            [
                [e.event_id, to_micros(e.occurred_at), e.status, e.reason, e.source, e.description]
                for e in evidence.events
            ],
        ]
    )


def pending_text(evidence: PendingEvidence) -> str:
    """``evidence_text(evidence.load())``, from the records and operands it holds."""
    events = []
    for rec in evidence._records:
        kind = rec[KIND]
        t = rec[T]
        if not _EXACT_FROM <= t <= _EXACT_TO:  # what from_micros saturates, as load does
            t = to_micros(from_micros(t))
        events.append([rec[ID], t, kind[STATUS], kind[REASON], kind[SYSTEM], kind[DESC]])
    values = {name: encode_value(value) for name, value in evidence._values.items()}
    return _EVIDENCE_JSON([evidence._rule, evidence._step, values, events])


_EVIDENCE_JSON = compact_json(ensure_ascii=False)
# The instants from_micros gives back exactly (beyond them it saturates).
_EXACT_FROM = to_micros(from_micros(-(1 << 62)))
_EXACT_TO = to_micros(from_micros(1 << 62))


class LazyEvidence:
    """The evidence of a loaded incident: its JSON text, read when
    ``OpenIncident.evidence`` first asks (and checked like the rest of a state), and
    kept with what was read, so writing the state again does not encode it again."""

    # pending: describe's evidence this text was written from (``encode_incident``),
    # which load makes (the same Evidence as its own load) instead of parsing the text.
    __slots__ = ("pending", "read", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.read: Evidence | None = None
        self.pending: PendingEvidence | None = None

    def load(self) -> Evidence:
        if self.read is not None:
            return self.read
        if self.pending is not None:
            self.read = self.pending.load()
            return self.read
        try:
            self.read = _evidence(json.loads(self.text))
        except StateError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
            raise StateError(f"the stored evidence of an incident: {exc}") from None
        return self.read

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyEvidence):
            return self.text == other.text or self.load() == other.load()
        return self.load() == other

    def __hash__(self) -> int:
        return hash(self.load())


def encode_followup(f: Followup) -> list[Any]:
    # An action without a cause is written as four parts, as before causes existed.
    log = [list(e) if e[4] is not None else list(e[:4]) for e in f.log]
    return [f.ack_at, f.ack_by, f.resolved_at, f.resolved_by, f.note, log]


def encode_value(value: Any) -> Any:
    """An evidence operand as JSON: scalars as they are, anything else tagged."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, tuple):
        return {"tuple": [encode_value(v) for v in value]}
    if isinstance(value, list):
        return {"list": [encode_value(v) for v in value]}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return {"datetime": to_micros(value)}
    return {"text": str(value)}  # not a type rules produce today: kept as its text


# -- reading ----------------------------------------------------------------------------------
def decode_incident(pack: Pack, raw: Any, strings: list[Any]) -> tuple[OpenIncident, bool]:
    """An open incident written by ``encode_incident`` under ``pack``, and whether it
    is parked (see ``_lifecycle_part``)."""
    if type(raw) is not list or len(raw) not in (13, 14):
        raise StateError("an open incident must be an array of 13 or 14 parts")
    ident, kind, opened, severity, rank, since, rules, lead, remedy, evidence = raw[:10]
    explanation, deadlines, escalations = raw[10:13]
    starts, revisit_done, parked, cause = None, False, False, "unknown"
    if len(raw) == 14:
        starts, revisit_done, parked, cause = _lifecycle(raw[13])
    n = len(strings) - 1
    if not (
        type(ident) is str
        and type(kind) is str
        and type(severity) is str
        and severity in pack.severities
        and type(opened) is int
        and type(since) is int
        and type(rank) is int
        and -BOUND < opened < BOUND
        and -BOUND < since < BOUND
        and type(rules) is list
        and types_in(rules, STR)
        and type(deadlines) is dict
        and types_in(deadlines, STR)
        and instants(list(deadlines.values()))
        and type(escalations) is list
        and type(evidence) is int
        and type(explanation) is int
        and 0 <= evidence < n
        and 0 <= explanation < n
        and type(lead) is list
        and len(lead) == 2
        and types_in(lead, INT)
    ):
        raise StateError("an open incident holds a value of the wrong type or range")
    rules_ = pack.rules
    if not (0 <= lead[0] < len(rules_) and 0 <= lead[1] < len(rules_[lead[0]].steps)):
        raise StateError("an open incident's leading rule is not one of the pack's")
    inc = OpenIncident(
        ident,
        kind,
        opened,
        severity,
        rank,
        since,
        tuple(rules),
        (lead[0], lead[1]),
        None if remedy is None else _remedy(remedy),
        LazyEvidence(strings[evidence]),
        strings[explanation],
        deadlines,
        [_escalation(e, _WHATS.union(pack.deadline_actions)) for e in escalations]
        if escalations
        else [],
        starts or None,
        revisit_done,
        cause,
    )
    return inc, parked


_LIFECYCLE = frozenset({"starts", "revisit_done", "parked", "cause"})


def _lifecycle(extra: Any) -> tuple[dict[str, int] | None, bool, bool, str]:
    """The 14th part of an open incident: (starts, revisit done, parked, cause)."""
    if type(extra) is not dict or not _LIFECYCLE.issuperset(extra):
        raise StateError("an open incident's lifecycle part must be an object")
    cause = extra.get("cause", "unknown")
    if cause not in CAUSES:
        raise StateError("an open incident's cause must be one of " + ", ".join(CAUSES))
    starts = extra.get("starts")
    if starts is not None and not (
        type(starts) is dict and types_in(starts, STR) and instants(list(starts.values()))
    ):
        raise StateError("an open incident's deadline starts must map names to instants")
    if extra.get("revisit_done", True) is not True or extra.get("parked", True) is not True:
        raise StateError("an open incident's lifecycle flags must be true when present")
    return starts, "revisit_done" in extra, "parked" in extra, cause


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


def encode_remedy(remedy: Remedy) -> list[Any]:
    """[code, text, items], and ``true`` after them for a fast-track remedy; an item is
    [code, amount, currency, borne by], and its bearer after them unless the merchant."""
    items = []
    for i in remedy.items:
        item = [i.code, None if i.amount is None else str(i.amount), i.currency, i.borne_by]
        if i.bearer != "merchant":
            item.append(i.bearer)
        items.append(item)
    out: list[Any] = [remedy.code, remedy.text, items]
    if remedy.fast_track:
        out.append(True)
    return out


def _remedy(raw: Any) -> Remedy | None:
    """A remedy as ``encode_remedy`` wrote it; one read before is shared (it is frozen,
    and most remedies of a pack's incidents are alike)."""
    if raw is None:
        return None
    key: tuple[Any, ...] | None = None
    found = None
    # A key of all the remedy depends on, when it has the shape written (lists of lists:
    # a text or an object would make the same tuples as a list of its parts).
    shaped = type(raw) is list and len(raw) in (3, 4) and type(raw[2]) is list
    if shaped and types_in(raw[2], _LIST):
        try:
            key = (raw[0], raw[1], len(raw), raw[-1] is True, *map(tuple, raw[2]))
            found = _REMEDIES_READ.get(key)
        except TypeError:  # a part that is not hashable: read it (and refuse it)
            key = None
    if found is not None:
        return found
    remedy = _read_remedy(raw)
    if key is not None:
        if len(_REMEDIES_READ) >= 4096:
            _REMEDIES_READ.clear()
        _REMEDIES_READ[key] = remedy
    return remedy


_REMEDIES_READ: dict[tuple[Any, ...], Remedy] = {}
_LIST: frozenset[type] = frozenset({list})


def _read_remedy(raw: Any) -> Remedy:
    if (
        type(raw) is not list
        or len(raw) not in (3, 4)
        or type(raw[2]) is not list
        or (len(raw) == 4 and raw[3] is not True)
    ):
        raise StateError("a remedy must be [code, text, items], or that and true")
    items = []
    for item in raw[2]:
        if type(item) is not list or len(item) not in (4, 5):
            raise StateError("a remedy item must be [code, amount, currency, borne by(, bearer)]")
        code, amount, currency, borne_by = item[:4]
        bearer = item[4] if len(item) == 5 else "merchant"
        if bearer not in BEARERS:
            raise StateError(f"a remedy item's bearer must be one of {', '.join(BEARERS)}")
        items.append(
            RemedyItem(
                _str(code, "remedy code"),
                None if amount is None else _decimal(amount),
                _opt_str(currency, "currency"),
                _opt_str(borne_by, "borne by"),
                bearer,
            )
        )
    return Remedy(
        _str(raw[0], "remedy code"), _str(raw[1], "remedy text"), tuple(items), len(raw) == 4
    )


def _evidence(raw: Any) -> Evidence:
    if type(raw) is not list or len(raw) != 4 or type(raw[2]) is not dict:
        raise StateError("evidence must be [rule, step, values, events]")
    rule, step, values, events = raw
    if type(events) is not list:
        raise StateError("evidence events must be an array")
    found = []
    for event in events:
        if type(event) is not list or len(event) != 6:
            raise StateError("an evidence event must be an array of 6 parts")
        ident, at, status, reason, source, text = event
        found.append(
            EvidenceEvent(
                _str(ident, "event id"),
                from_micros(_int(at, "instant")),
                _str(status, "status"),
                _opt_str(reason, "reason"),
                _str(source, "source"),
                _str(text, "description"),
            )
        )
    return Evidence(
        _str(rule, "rule id"),
        _int(step, "step"),
        MappingProxyType({_str(k, "operand"): decode_value(v) for k, v in values.items()}),
        tuple(found),
    )


def decode_value(raw: Any) -> Any:
    if raw is None or type(raw) in (str, int, float, bool):
        return raw
    if type(raw) is not dict or len(raw) != 1:
        raise StateError("an evidence value must be a scalar or a tagged object")
    ((tag, inner),) = raw.items()
    if tag in ("tuple", "list"):
        if type(inner) is not list:
            raise StateError(f"a {tag} evidence value must hold an array")
        items = [decode_value(v) for v in inner]
        return tuple(items) if tag == "tuple" else items
    if tag == "decimal":
        return _decimal(inner)
    if tag == "datetime":
        return from_micros(_int(inner, "instant"))
    if tag == "text":
        return _str(inner, "evidence value")
    raise StateError(f"unknown evidence value tag {tag!r}")


def _escalation(raw: Any, whats: frozenset[str]) -> tuple[str, int, str | None]:
    if type(raw) is not list or len(raw) not in (2, 3) or raw[0] not in whats:
        raise StateError("an escalation must be [what, instant] or [what, instant, target]")
    target = _opt_str(raw[2], "target") if len(raw) == 3 else None
    return raw[0], _int(raw[1], "instant"), target


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


def _opt_str_ok(value: Any) -> bool:
    return value is None or type(value) is str


def _int(value: Any, what: str) -> int:
    if type(value) is not int or not -BOUND < value < BOUND:
        raise StateError(f"{what} must be an integer in range")
    return value


def _opt_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    return _int(value, what)


def _count(value: Any) -> int:
    if type(value) is not int or not 0 <= value < BOUND:
        raise StateError("a count must be a non-negative integer")
    return value


def scalar(value: Any, what: str) -> None:
    if value is not None and type(value) not in (str, int, float, bool):
        raise StateError(f"{what} must be a string, number, boolean or null")


def _decimal(value: Any) -> Decimal:
    if type(value) is not str:
        raise StateError("an amount must be a decimal string")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise StateError(f"{value[:40]!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise StateError("an amount must be finite")
    return amount
