"""An incident as an output shows it: ``incident.masked(names=...).to_dict(mask=False)``
(personal data masked, POLICY §4) and that dict's ``json.dumps(..., ensure_ascii=False)``,
written straight from the incident's fields.

``logix run`` renders every open incident (37,066 for 1,000,000 events), and the
generic way costs ~120 µs each: ``masked`` builds four copies with ``attrs.evolve``,
finds the evidence's names twice and masks every value through the generic walkers,
``to_dict`` builds the dict, and ``json.dumps`` sets up a new encoder per line.  Here
the same masks are applied to the same texts with the same names, into the dict (for
``--format json``) or the JSON text itself (for ``jsonl``); anything not of the usual
shape takes the generic path, so the two never disagree (``tests/rules/
test_shown_json.py`` holds them to the same bytes).

Masked texts are remembered under everything the mask reads: the text, the names
(those known for the parcel and those in its evidence) and whether the parcel's
tracking number occurs in the text (the only way ``keep`` changes a mask).  A memo
entry is therefore only ever reused for an input that masks the same way, whichever
parcel it came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from logix_carriers import mask_field, mask_text, personal_names
from logix_carriers._privacy_fields import field_kind

from ._canonical import _flag, _opt, _quote, _time
from ._incidents import Change, Evidence, Incident, Remedy, _iso

__all__ = [
    "change_block",
    "change_line",
    "document_text",
    "indented",
    "shown_block",
    "shown_dict",
    "shown_line",
]


def _encoder() -> Callable[[Any], str]:
    """What ``json.dumps(value, ensure_ascii=False)`` writes (the C encoder, made once)."""
    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return plain.encode
    encode = make(None, plain.default, _quote, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


_dumps: Final = _encoder()

# -- masks ---------------------------------------------------------------------------
#: Texts up to this long are remembered (as ``mask_text`` does: carrier texts and
#: explanations repeat across parcels); at most ``_MEMO_MAX`` at once.
_MEMO_TEXT: Final = 400
_MEMO_MAX: Final = 1 << 14
_masks: dict[tuple[str, tuple[str, ...], str], str] = {}


def _masked(text: str, names: tuple[str, ...], number: str) -> str:
    """``mask_text(text, names=names, keep=(number,))``."""
    if not text:
        return text
    kept = number if number and number in text else ""
    if len(text) > _MEMO_TEXT:
        return mask_text(text, names=names, keep=(number,))
    key = (text, names, kept)
    found = _masks.get(key)
    if found is None:
        found = mask_text(text, names=names, keep=(number,))
        if len(_masks) >= _MEMO_MAX:
            _masks.clear()
        _masks[key] = found
    return found


def _masked_values(
    values: Mapping[Any, Any], names: tuple[str, ...], own: tuple[str, ...], number: str
) -> dict[Any, Any]:
    """``mask_mapping(values, names=names, keep=(number,))``, where ``names`` already
    ends with the mapping's own names ``own`` (``mask_mapping`` adds them once more)."""
    known = (*names, *own)
    out: dict[Any, Any] = {}
    for key, value in values.items():
        kind = type(value)
        if kind is str and type(key) is str:
            held = field_kind(key)
            if held == "text":
                out[key] = _masked(value, known, number)
            elif held == "identifier":
                out[key] = value
            else:
                out[key] = mask_field(key, value, names=known, keep=(number,))
        elif value is None or kind is bool or kind is float:
            out[key] = value  # no mask reads these
        elif kind is int and type(key) is str and field_kind(key) != "phone":
            out[key] = value  # only a phone field's number is masked
        else:
            out[key] = mask_field(str(key), value, names=known, keep=(number,))
    return out


def _plain(text: str, names: tuple[str, ...], number: str) -> str:
    return text


# -- the dict ------------------------------------------------------------------------
_Text = Callable[[str, tuple[str, ...], str], str]


def _shown_parts(
    evidence: Evidence, names: tuple[str, ...], mask: bool, number: str
) -> tuple[tuple[str, ...], _Text, dict[Any, Any]]:
    """The names to mask, how to show a text, and the evidence values as shown."""
    if mask:
        own = personal_names(evidence.values)
        names = (*names, *own)
        return names, _masked, _masked_values(evidence.values, names, own, number)
    return names, _plain, dict(evidence.values)


def _usual(incident: Incident) -> bool:
    """Of the classes this module writes (a subclass may write itself otherwise)."""
    remedy = incident.remedy
    return (
        type(incident) is Incident
        and type(incident.evidence) is Evidence
        and (remedy is None or type(remedy) is Remedy)
    )


def shown_dict(
    incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True
) -> dict[str, Any]:
    """``incident.masked(names=names).to_dict(mask=False)``, or ``to_dict(mask=False)``
    with ``mask=False``."""
    if not _usual(incident):
        shown = incident.masked(names=names) if mask else incident
        return shown.to_dict(mask=False)
    number = incident.tracking_number
    evidence = incident.evidence
    names, text, values = _shown_parts(evidence, names, mask, number)
    remedy = incident.remedy
    note = incident.note
    return {
        "id": incident.id,
        "tracking_number": number,
        "carrier": incident.carrier,
        "kind": incident.kind,
        "severity": incident.severity,
        "rules": list(incident.rules),
        "opened_at": _iso(incident.opened_at),
        "respond_by": _iso(incident.respond_by),
        "resolve_by": _iso(incident.resolve_by),
        "escalate_at": _iso(incident.escalate_at),
        "deadlines": {name: _iso(at) for name, at in incident.deadlines.items()},
        "remedy": None
        if remedy is None
        else {
            "code": remedy.code,
            "text": text(remedy.text, names, number),
            "items": [item.to_dict() for item in remedy.items],
            "fast_track": remedy.fast_track,
        },
        "evidence": {
            "rule": evidence.rule,
            "step": evidence.step,
            "values": values,
            "events": [
                {
                    "event_id": e.event_id,
                    "occurred_at": _iso(e.occurred_at),
                    "status": e.status,
                    "reason": e.reason,
                    "source": e.source,
                    "description": text(e.description, names, number),
                }
                for e in evidence.events
            ],
        },
        "explanation": text(incident.explanation, names, number),
        "state": incident.state.value,
        "escalations": [e.to_dict() for e in incident.escalations],
        "acknowledged_at": _iso(incident.acknowledged_at),
        "acknowledged_by": incident.acknowledged_by,
        "resolved_at": _iso(incident.resolved_at),
        "resolved_by": incident.resolved_by,
        "note": None if note is None else text(note, names, number),
        "superseded_by": incident.superseded_by,
        "cause": incident.cause,
    }


# -- the JSON line -------------------------------------------------------------------
def shown_line(incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True) -> str:
    """``json.dumps(shown_dict(incident, names, mask=mask), ensure_ascii=False)``."""
    if _usual(incident):
        try:
            return _line(incident, names, mask)
        except (TypeError, AttributeError):
            pass  # a field of another type: as the generic encoder writes it
    return _dumps(shown_dict(incident, names, mask=mask))


def _line(incident: Incident, names: tuple[str, ...], mask: bool) -> str:
    number = incident.tracking_number
    evidence = incident.evidence
    names, text, values = _shown_parts(evidence, names, mask, number)
    step = evidence.step
    if type(step) is not int:
        raise TypeError("not an int")
    events = ", ".join(
        [
            f'{{"event_id": {_quote(e.event_id)}, "occurred_at": {_time(e.occurred_at)}, '
            f'"status": {_quote(e.status)}, "reason": {_opt(e.reason)}, '
            f'"source": {_quote(e.source)}, '
            f'"description": {_quote(text(e.description, names, number))}}}'
            for e in evidence.events
        ]
    )
    remedy = incident.remedy
    if remedy is None:
        shown_remedy = "null"
    else:
        items = ", ".join(
            [
                f'{{"code": {_quote(i.code)}, '
                f'"amount": {"null" if i.amount is None else _quote(str(i.amount))}, '
                f'"currency": {_opt(i.currency)}, "borne_by": {_opt(i.borne_by)}, '
                f'"bearer": {_quote(i.bearer)}}}'
                for i in remedy.items
            ]
        )
        shown_remedy = (
            f'{{"code": {_quote(remedy.code)}, "text": {_quote(text(remedy.text, names, number))}, '
            f'"items": [{items}], "fast_track": {_flag(remedy.fast_track)}}}'
        )
    deadlines = ", ".join([f"{_key(name)}: {_time(at)}" for name, at in incident.deadlines.items()])
    escalations = ", ".join(
        [
            f'{{"what": {_quote(e.what)}, "at": {_time(e.at)}, "target": {_opt(e.target)}}}'
            for e in incident.escalations
        ]
    )
    note = incident.note
    return "".join(
        (
            '{"id": ',
            _quote(incident.id),
            ', "tracking_number": ',
            _quote(number),
            ', "carrier": ',
            _quote(incident.carrier),
            ', "kind": ',
            _quote(incident.kind),
            ', "severity": ',
            _quote(incident.severity),
            ', "rules": [',
            ", ".join(map(_quote, incident.rules)),
            '], "opened_at": ',
            _time(incident.opened_at),
            ', "respond_by": ',
            _time(incident.respond_by),
            ', "resolve_by": ',
            _time(incident.resolve_by),
            ', "escalate_at": ',
            _time(incident.escalate_at),
            ', "deadlines": {',
            deadlines,
            '}, "remedy": ',
            shown_remedy,
            ', "evidence": {"rule": ',
            _quote(evidence.rule),
            ', "step": ',
            str(step),
            ', "values": ',
            _dumps(values),
            ', "events": [',
            events,
            ']}, "explanation": ',
            _quote(text(incident.explanation, names, number)),
            ', "state": ',
            _quote(incident.state.value),
            ', "escalations": [',
            escalations,
            '], "acknowledged_at": ',
            _time(incident.acknowledged_at),
            ', "acknowledged_by": ',
            _opt(incident.acknowledged_by),
            ', "resolved_at": ',
            _time(incident.resolved_at),
            ', "resolved_by": ',
            _opt(incident.resolved_by),
            ', "note": ',
            "null" if note is None else _quote(text(note, names, number)),
            ', "superseded_by": ',
            _opt(incident.superseded_by),
            ', "cause": ',
            _quote(incident.cause),
            "}",
        )
    )


def _key(name: str) -> str:
    if type(name) is not str:
        raise TypeError("not a str")  # json writes other keys its own way
    return _quote(name)


# -- the indented JSON ---------------------------------------------------------------
#: ``json.dumps(value, indent=2, ensure_ascii=False)`` (the pure-Python encoder).
indented: Final[Callable[[Any], str]] = json.JSONEncoder(indent=2, ensure_ascii=False).encode


def document_text(head: Mapping[str, Any], written: Sequence[tuple[str, str | list[str]]]) -> str:
    """``indented({**head, **written})`` where each written value is already indented
    JSON (or a list of such blocks, an array of them): moved to its depth, not encoded
    again.  ``head`` is not empty and holds none of the written keys."""
    parts = [indented(head)[:-2]]
    for key, text in written:
        if not isinstance(text, str):
            text = ("[\n" + ",\n".join(text)).replace("\n", "\n  ") + "\n]" if text else "[]"
        # A raw line break in JSON text is always indentation (one in a string is escaped).
        parts.append(f",\n  {_quote(key)}: " + text.replace("\n", "\n  "))
    return "".join(parts) + "\n}"


def shown_block(incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True) -> str:
    """``json.dumps(shown_dict(incident, names, mask=mask), indent=2, ensure_ascii=False)``:
    ``json.dumps`` indents with its pure-Python encoder, ~100 µs an incident."""
    if _usual(incident):
        try:
            return _block(incident, names, mask)
        except (TypeError, AttributeError):
            pass  # a field of another type: as the generic encoder writes it
    return indented(shown_dict(incident, names, mask=mask))


def _obj(parts: list[str], pad: str) -> str:
    """An object of ``"key": value`` parts whose first line is indented by ``pad``."""
    if not parts:
        return "{}"
    inner = pad + "  "
    return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + pad + "}"


def _arr(parts: list[str], pad: str) -> str:
    if not parts:
        return "[]"
    inner = pad + "  "
    return "[\n" + inner + (",\n" + inner).join(parts) + "\n" + pad + "]"


_SCALARS: Final = frozenset({int, float, bool, type(None)})


def _indented_values(values: dict[Any, Any], pad: str) -> str:
    """``values`` indented as ``json.dumps`` does at the depth of ``pad``."""
    parts = []
    for key, value in values.items():
        if type(key) is not str:
            break
        if type(value) is str:
            parts.append(f"{_quote(key)}: {_quote(value)}")
        elif type(value) in _SCALARS:
            parts.append(f"{_quote(key)}: {_dumps(value)}")
        else:
            break
    else:
        return _obj(parts, pad)
    # Keys json converts, nested values: the generic encoder, its lines moved to ``pad``.
    return indented(values).replace("\n", "\n" + pad)


def _block(incident: Incident, names: tuple[str, ...], mask: bool) -> str:
    number = incident.tracking_number
    evidence = incident.evidence
    names, text, values = _shown_parts(evidence, names, mask, number)
    step = evidence.step
    if type(step) is not int:
        raise TypeError("not an int")
    remedy = incident.remedy
    if remedy is None:
        shown_remedy = "null"
    else:
        items = [
            _obj(
                [
                    f'"code": {_quote(i.code)}',
                    f'"amount": {"null" if i.amount is None else _quote(str(i.amount))}',
                    f'"currency": {_opt(i.currency)}',
                    f'"borne_by": {_opt(i.borne_by)}',
                    f'"bearer": {_quote(i.bearer)}',
                ],
                "      ",
            )
            for i in remedy.items
        ]
        shown_remedy = _obj(
            [
                f'"code": {_quote(remedy.code)}',
                f'"text": {_quote(text(remedy.text, names, number))}',
                f'"items": {_arr(items, "    ")}',
                f'"fast_track": {_flag(remedy.fast_track)}',
            ],
            "  ",
        )
    events = [
        _obj(
            [
                f'"event_id": {_quote(e.event_id)}',
                f'"occurred_at": {_time(e.occurred_at)}',
                f'"status": {_quote(e.status)}',
                f'"reason": {_opt(e.reason)}',
                f'"source": {_quote(e.source)}',
                f'"description": {_quote(text(e.description, names, number))}',
            ],
            "      ",
        )
        for e in evidence.events
    ]
    shown_evidence = _obj(
        [
            f'"rule": {_quote(evidence.rule)}',
            f'"step": {step}',
            f'"values": {_indented_values(values, "    ")}',
            f'"events": {_arr(events, "    ")}',
        ],
        "  ",
    )
    escalations = [
        _obj(
            [
                f'"what": {_quote(e.what)}',
                f'"at": {_time(e.at)}',
                f'"target": {_opt(e.target)}',
            ],
            "    ",
        )
        for e in incident.escalations
    ]
    deadlines = [f"{_key(name)}: {_time(at)}" for name, at in incident.deadlines.items()]
    note = incident.note
    return _obj(
        [
            f'"id": {_quote(incident.id)}',
            f'"tracking_number": {_quote(number)}',
            f'"carrier": {_quote(incident.carrier)}',
            f'"kind": {_quote(incident.kind)}',
            f'"severity": {_quote(incident.severity)}',
            f'"rules": {_arr([_quote(r) for r in incident.rules], "  ")}',
            f'"opened_at": {_time(incident.opened_at)}',
            f'"respond_by": {_time(incident.respond_by)}',
            f'"resolve_by": {_time(incident.resolve_by)}',
            f'"escalate_at": {_time(incident.escalate_at)}',
            f'"deadlines": {_obj(deadlines, "  ")}',
            f'"remedy": {shown_remedy}',
            f'"evidence": {shown_evidence}',
            f'"explanation": {_quote(text(incident.explanation, names, number))}',
            f'"state": {_quote(incident.state.value)}',
            f'"escalations": {_arr(escalations, "  ")}',
            f'"acknowledged_at": {_time(incident.acknowledged_at)}',
            f'"acknowledged_by": {_opt(incident.acknowledged_by)}',
            f'"resolved_at": {_time(incident.resolved_at)}',
            f'"resolved_by": {_opt(incident.resolved_by)}',
            f'"note": {"null" if note is None else _quote(text(note, names, number))}',
            f'"superseded_by": {_opt(incident.superseded_by)}',
            f'"cause": {_quote(incident.cause)}',
        ],
        "",
    )


# -- changes -------------------------------------------------------------------------
def change_line(change: Change, *, mask: bool = True) -> str:
    """``json.dumps(change.to_dict(mask=mask), ensure_ascii=False)``."""
    written = _change(change, mask, _line, "")
    return _dumps(change.to_dict(mask=mask)) if written is None else written


def change_block(change: Change, *, mask: bool = True) -> str:
    """``json.dumps(change.to_dict(mask=mask), indent=2, ensure_ascii=False)``."""
    written = _change(change, mask, _block, "\n")
    return indented(change.to_dict(mask=mask)) if written is None else written


def _change(
    change: Change,
    mask: bool,
    write: Callable[[Incident, tuple[str, ...], bool], str],
    newline: str,
) -> str | None:
    """The change written around its incident's ``write`` (``newline`` empty: on one
    line, else indented), or None when it is not of the usual shape."""
    if type(change) is not Change:
        return None
    incident = change.incident
    seq = change.seq
    if not _usual(incident) or not (seq is None or type(seq) is int):
        return None
    try:
        parts = [
            f'"id": {_quote(change.id)}',
            f'"type": {_quote(change.type.value)}',
            f'"at": {_time(change.at)}',
            f'"incident": {write(incident, (), mask).replace(newline, newline + "  ")}'
            if newline
            else f'"incident": {write(incident, (), mask)}',
        ]
    except (TypeError, AttributeError):
        return None  # a field of another type: as the generic encoder writes it
    if seq is not None:
        parts.append(f'"seq": {seq}')
    return _obj(parts, "") if newline else "{" + ", ".join(parts) + "}"
