"""The canonical JSON of an incident, written straight from its fields.

What ``json.dumps(incident.to_dict(mask=False), sort_keys=True, separators=(",",
":"), ensure_ascii=False, default=str)`` writes, character for character (a change's id
digests it, and a store writes it to the feed and the incident's row): the keys of the
fixed shape in sorted order, strings escaped by ``json``'s own C function, times
written once per distinct instant.  A store encodes one per change (a third of one
per event); building the dicts and sorting their keys cost more than the writing.

Anything not of the shape (a field of another type) takes the generic path, so the
two never disagree; a test holds them to the same text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ._identity_memo import TextByIdentity
from ._moments import TEXTS

__all__ = ["CANONICAL", "canonical_incident"]

#: The generic encoder (``incident_content`` of anything this module does not write).
CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str, check_circular=False
)
_quote: Callable[[str], str] = getattr(json.encoder, "encode_basestring")  # noqa: B009
_UTC = UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: An instant in UTC, as its distance from the epoch, -> its JSON text.  Keyed by the
#: distance: hashing an aware datetime asks its zone for the offset (twice the cost of
#: the subtraction, which skips the zone when both share it).
_TIMES: dict[timedelta, str] = {}
_TIMES_MAX = 1 << 15
_MADE = TEXTS.get
# The JSON of evidence objects (remedies: ``_remedy_part``).  They are immutable, and the
# successive snapshots of an incident share them (``later_snapshot``): an incident
# escalated twice writes its events once, not three times.
_part: TextByIdentity[Any] = TextByIdentity(1 << 12)


def _time(moment: datetime | None) -> str:
    """``_iso`` of ``_incidents`` as JSON: ``"...Z"``, or ``null``."""
    if moment is None:
        return "null"
    made = _MADE(id(moment))  # a snapshot's instant (``_moments``): its text is kept
    if made is not None and made[0] is moment:
        return made[1]
    if moment.tzinfo is _UTC:  # equal instants in one zone write the same text
        key = moment - _EPOCH
        found = _TIMES.get(key)
        if found is None:
            if len(_TIMES) >= _TIMES_MAX:
                _TIMES.clear()
            found = _TIMES[key] = _quote(moment.isoformat().replace("+00:00", "Z"))
        return found
    return _quote(moment.isoformat().replace("+00:00", "Z"))


def _opt(text: str | None) -> str:
    return "null" if text is None else _quote(text)


def _flag(value: bool) -> str:
    if type(value) is not bool:
        raise TypeError("not a bool")
    return "true" if value else "false"


def _remedy(remedy: Any) -> str:
    if remedy is None:
        return "null"
    items = ",".join(
        [
            f'{{"amount":{"null" if i.amount is None else _quote(str(i.amount))},'
            f'"bearer":{_quote(i.bearer)},"borne_by":{_opt(i.borne_by)},'
            f'"code":{_quote(i.code)},"currency":{_opt(i.currency)}}}'
            for i in remedy.items
        ]
    )
    return (
        f'{{"code":{_quote(remedy.code)},"fast_track":{_flag(remedy.fast_track)},'
        f'"items":[{items}],"text":{_quote(remedy.text)}}}'
    )


def _values(values: Mapping[str, Any]) -> str:
    """``CANONICAL.encode(dict(values))``: written here when every key is a string and
    every value a string, a bool or None (most rules' values), else by the encoder."""
    parts = []
    for name, value in sorted(values.items()):
        kind = type(value)
        if type(name) is not str or (kind is not str and kind is not bool and value is not None):
            return CANONICAL.encode(dict(values))
        text = _quote(value) if kind is str else "null" if value is None else _flag(value)
        parts.append(f"{_quote(name)}:{text}")
    return "{" + ",".join(parts) + "}"


def _evidence(evidence: Any) -> str:
    step = evidence.step
    if type(step) is not int:
        raise TypeError("not an int")
    events = ",".join(
        [
            f'{{"description":{_quote(e.description)},"event_id":{_quote(e.event_id)},'
            f'"occurred_at":{_time(e.occurred_at)},"reason":{_opt(e.reason)},'
            f'"source":{_quote(e.source)},"status":{_quote(e.status)}}}'
            for e in evidence.events
        ]
    )
    values = _values(evidence.values)
    return f'{{"events":[{events}],"rule":{_quote(evidence.rule)},"step":{step},"values":{values}}}'


def _deadlines(deadlines: Mapping[str, datetime]) -> str:
    if not deadlines:
        return "{}"
    inner = ",".join([f"{_quote(name)}:{_time(at)}" for name, at in sorted(deadlines.items())])
    return "{" + inner + "}"


def _escalation(e: Any) -> str:
    return f'{{"at":{_time(e.at)},"target":{_opt(e.target)},"what":{_quote(e.what)}}}'


def _escalations(escalations: tuple[Any, ...], before: tuple[Any, ...], text: str) -> str:
    """The JSON list of ``escalations``, given ``text``, that of ``before`` (the last
    change's): an escalation adds one to the list, its snapshot makes the others afresh
    (equal, not identical), so the text of the leading ones that match is reused."""
    if escalations is before:
        return text
    count = len(before)
    if 0 < count < len(escalations):
        for e, b in zip(escalations, before, strict=False):
            if e is not b and not (
                e.what is b.what and e.target is b.target and _same_time(e.at, b.at)
            ):
                break
        else:
            added = ",".join([_escalation(e) for e in escalations[count:]])
            return f"{text[:-1]},{added}]"
    return "[" + ",".join([_escalation(e) for e in escalations]) + "]"


#: What ``_stable`` wrote, by the identity of the incident's evidence: the objects it
#: was written from (held, so their ids stay theirs) and its four texts.
_STABLE: dict[int, tuple[Any, ...]] = {}
_STABLE_MAX = 1 << 12
_NO_ESCALATIONS: tuple[Any, ...] = ()  # the empty tuple (one object in CPython)
#: A remedy's JSON by the remedy's identity (successive snapshots share the object),
#: called as a bound method: cheaper than calling the memo object itself.
_remedy_part: Callable[[Any, Callable[[Any], str]], str] = TextByIdentity[Any](1 << 12).__call__


def _stable(inc: Any) -> tuple[str, str, str, str]:
    """The quoted carrier, the text from the evidence to the kind, the rules and the
    quoted tracking number: what an incident's successive snapshots share (the very
    objects: ``later_snapshot`` passes them on).  Remembered by the evidence's
    identity, and used only while each of those fields is the object it was written
    from."""
    evidence = inc.evidence
    explanation, ident, kind = inc.explanation, inc.id, inc.kind
    rules, carrier, tn = inc.rules, inc.carrier, inc.tracking_number
    found = _STABLE.get(id(evidence))
    if (
        found is not None
        and found[0] is evidence
        and found[1] is explanation
        and found[2] is ident
        and found[3] is kind
        and found[4] is rules
        and found[5] is carrier
        and found[6] is tn
    ):
        texts: tuple[str, str, str, str] = found[7]
        return texts
    texts = (
        _quote(carrier),
        f'{_part(evidence, _evidence)},"explanation":{_quote(explanation)},'
        f'"id":{_quote(ident)},"kind":{_quote(kind)}',
        ",".join([_quote(rule) for rule in rules]),
        _quote(tn),
    )
    if len(_STABLE) >= _STABLE_MAX:
        _STABLE.clear()
    _STABLE[id(evidence)] = (evidence, explanation, ident, kind, rules, carrier, tn, texts)
    return texts


def _remedy_text(remedy: Any) -> str:
    return "null" if remedy is None else _remedy_part(remedy, _remedy)


#: The texts of the last change of each incident (by its id): the incident they were
#: written from, the text from the start to ``escalate_at``, the one from ``note`` to
#: ``severity`` and its escalations' list.  Successive changes of one incident mostly
#: repeat these fields (an escalation adds one, a clearing moves the state), but as new
#: objects: a snapshot makes its times and deadlines afresh.  A part is reused only
#: while each of its fields is the previous one's object, or an equal instant in UTC
#: (whose text is the same).
_LAST: dict[str, tuple[Any, str, str, str]] = {}
_LAST_MAX = 1 << 12


def _same_time(moment: Any, before: Any) -> bool:
    """Whether ``moment`` writes as ``before`` did (``_time``: one text per UTC instant)."""
    return moment is before or (
        moment is not None
        and before is not None
        and moment.tzinfo is _UTC
        and before.tzinfo is _UTC
        and moment == before
    )


def _same_deadlines(deadlines: Any, before: Any) -> bool:
    if deadlines is before or (not deadlines and not before):
        return True
    if len(deadlines) != len(before):
        return False
    for name, at in deadlines.items():
        if name not in before or not _same_time(at, before[name]):
            return False
    # Keys written in sorted order either way; equal keys and instants, equal text.
    return True


def _head(inc: Any, carrier: str) -> str:
    acknowledged_at = inc.acknowledged_at
    return (
        '{"acknowledged_at":'
        f"{'null' if acknowledged_at is None else _time(acknowledged_at)},"
        f'"acknowledged_by":{_opt(inc.acknowledged_by)},"carrier":{carrier},'
        f'"cause":{_quote(inc.cause)},"deadlines":{_deadlines(inc.deadlines)},'
        f'"escalate_at":{_time(inc.escalate_at)},'
    )


def _middle(inc: Any, rules: str) -> str:
    resolved_at = inc.resolved_at
    return (
        f',"note":{_opt(inc.note)},'
        f'"opened_at":{_time(inc.opened_at)},"remedy":{_remedy_text(inc.remedy)},'
        f'"resolve_by":{_time(inc.resolve_by)},'
        f'"resolved_at":{"null" if resolved_at is None else _time(resolved_at)},'
        f'"resolved_by":{_opt(inc.resolved_by)},"respond_by":{_time(inc.respond_by)},'
        f'"rules":[{rules}],"severity":{_quote(inc.severity)},'
    )


#: An incident state's JSON by the member's identity (``.value`` of an enum member is
#: a Python-level descriptor: dearer than the lookup).
_STATES: dict[int, tuple[Any, str]] = {}


def _state(state: Any) -> str:
    found = _STATES.get(id(state))
    if found is not None and found[0] is state:
        text: str = found[1]
        return text
    text = _quote(state.value)
    if len(_STATES) >= 64:
        _STATES.clear()
    _STATES[id(state)] = (state, text)
    return text


def canonical_incident(inc: Any, generic: Callable[[Any], dict[str, Any]]) -> str:
    """The canonical JSON of the ``Incident`` ``inc``; ``generic(inc)`` is its dict (what
    an incident holding a value of another type is written from)."""
    try:
        carrier, evidence_to_kind, rules, tn = _stable(inc)
        ident = inc.id
        last = _LAST.get(ident)
        if last is None:
            head, middle = _head(inc, carrier), _middle(inc, rules)
        else:
            before = last[0]
            if (
                inc.acknowledged_at is before.acknowledged_at
                and inc.acknowledged_by is before.acknowledged_by
                and inc.carrier is before.carrier
                and inc.cause is before.cause
                and _same_time(inc.escalate_at, before.escalate_at)
                and _same_deadlines(inc.deadlines, before.deadlines)
            ):
                head = last[1]
            else:
                head = _head(inc, carrier)
            if (
                inc.note is before.note
                and inc.remedy is before.remedy
                and inc.resolved_at is before.resolved_at
                and inc.resolved_by is before.resolved_by
                and inc.rules is before.rules
                and inc.severity is before.severity
                and _same_time(inc.opened_at, before.opened_at)
                and _same_time(inc.resolve_by, before.resolve_by)
                and _same_time(inc.respond_by, before.respond_by)
            ):
                middle = last[2]
            else:
                middle = _middle(inc, rules)
        escalations = inc.escalations
        if escalations is _NO_ESCALATIONS:
            escalated = "[]"
        elif last is None:
            escalated = _escalations(escalations, _NO_ESCALATIONS, "[]")
        else:
            escalated = _escalations(escalations, last[0].escalations, last[3])
        text = (
            f'{head}"escalations":{escalated},"evidence":{evidence_to_kind}{middle}'
            f'"state":{_state(inc.state)},"superseded_by":{_opt(inc.superseded_by)},'
            f'"tracking_number":{tn}}}'
        )
    except (TypeError, AttributeError):  # not of the shape: as the generic encoder writes it
        return CANONICAL.encode(generic(inc))
    if len(_LAST) >= _LAST_MAX:
        _LAST.clear()
    _LAST[ident] = (inc, head, middle, escalated)
    return text
