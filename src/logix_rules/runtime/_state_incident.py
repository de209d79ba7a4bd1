"""An open incident in a serialized ``ShipmentState`` (see ``_state_codec``): its JSON
array (remedy, lifecycle part, escalations), its evidence's JSON text (written from
``describe``'s pending evidence when that was never read, and read back only when
asked for: ``LazyEvidence``), and the checks that every value read back has the type
and range the kernel relies on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from ..compiler._model import BEARERS, Pack
from ..compiler._remedy_terms import CAUSES
from ..core._durations import from_micros, to_micros
from ..core._records import DESC, ID, KIND, REASON, STATUS, SYSTEM, T
from ._incidents import Evidence, EvidenceEvent, Remedy, RemedyItem
from ._pending_evidence import PendingEvidence
from ._state import OpenIncident, StateError
from ._state_parts import BOUND, INT, STR, _int, _opt_str, _str, compact_json, instants, types_in

__all__ = [
    "LazyEvidence",
    "decode_incident",
    "decode_value",
    "encode_incident",
    "encode_value",
    "evidence_text",
]

# What an escalation does: these, or one of the pack's deadline actions.
_WHATS = frozenset({"respond", "escalate", "resolve"})


# -- writing ----------------------------------------------------------------------------------
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
