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
from datetime import UTC, datetime
from typing import Any

from ._identity_memo import TextByIdentity

__all__ = ["CANONICAL", "canonical_incident"]

#: The generic encoder (``incident_content`` of anything this module does not write).
CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str, check_circular=False
)
_quote: Callable[[str], str] = getattr(json.encoder, "encode_basestring")  # noqa: B009
_UTC = UTC
_TIMES: dict[datetime, str] = {}  # an instant in UTC -> its JSON text
_TIMES_MAX = 1 << 15
# The JSON of evidence and remedy objects.  They are immutable, and the successive
# snapshots of an incident share them (``later_snapshot``): an incident escalated
# twice writes its events once, not three times.
_part: TextByIdentity[Any] = TextByIdentity(1 << 12)


def _time(moment: datetime | None) -> str:
    """``_iso`` of ``_incidents`` as JSON: ``"...Z"``, or ``null``."""
    if moment is None:
        return "null"
    if moment.tzinfo is _UTC:  # equal instants in one zone write the same text
        found = _TIMES.get(moment)
        if found is None:
            if len(_TIMES) >= _TIMES_MAX:
                _TIMES.clear()
            found = _TIMES[moment] = _quote(moment.isoformat().replace("+00:00", "Z"))
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
    values = CANONICAL.encode(dict(evidence.values))
    return f'{{"events":[{events}],"rule":{_quote(evidence.rule)},"step":{step},"values":{values}}}'


def _deadlines(deadlines: Mapping[str, datetime]) -> str:
    if not deadlines:
        return "{}"
    inner = ",".join([f"{_quote(name)}:{_time(at)}" for name, at in sorted(deadlines.items())])
    return "{" + inner + "}"


def _escalations(escalations: tuple[Any, ...]) -> str:
    inner = ",".join(
        [
            f'{{"at":{_time(e.at)},"target":{_opt(e.target)},"what":{_quote(e.what)}}}'
            for e in escalations
        ]
    )
    return "[" + inner + "]"


def canonical_incident(inc: Any, generic: Callable[[Any], dict[str, Any]]) -> str:
    """The canonical JSON of the ``Incident`` ``inc``; ``generic(inc)`` is its dict (what
    an incident holding a value of another type is written from)."""
    try:
        return "".join(
            (
                '{"acknowledged_at":',
                _time(inc.acknowledged_at),
                ',"acknowledged_by":',
                _opt(inc.acknowledged_by),
                ',"carrier":',
                _quote(inc.carrier),
                ',"cause":',
                _quote(inc.cause),
                ',"deadlines":',
                _deadlines(inc.deadlines),
                ',"escalate_at":',
                _time(inc.escalate_at),
                ',"escalations":',
                _escalations(inc.escalations),
                ',"evidence":',
                _part(inc.evidence, _evidence),
                ',"explanation":',
                _quote(inc.explanation),
                ',"id":',
                _quote(inc.id),
                ',"kind":',
                _quote(inc.kind),
                ',"note":',
                _opt(inc.note),
                ',"opened_at":',
                _time(inc.opened_at),
                ',"remedy":',
                "null" if inc.remedy is None else _part(inc.remedy, _remedy),
                ',"resolve_by":',
                _time(inc.resolve_by),
                ',"resolved_at":',
                _time(inc.resolved_at),
                ',"resolved_by":',
                _opt(inc.resolved_by),
                ',"respond_by":',
                _time(inc.respond_by),
                ',"rules":[',
                ",".join(map(_quote, inc.rules)),
                '],"severity":',
                _quote(inc.severity),
                ',"state":',
                _quote(inc.state.value),
                ',"superseded_by":',
                _opt(inc.superseded_by),
                ',"tracking_number":',
                _quote(inc.tracking_number),
                "}",
            )
        )
    except (TypeError, AttributeError):  # not of the shape: as the generic encoder writes it
        return CANONICAL.encode(generic(inc))
