"""The canonical JSON of a pending snapshot, written from what ``later_snapshot`` took.

A store writes every change's incident to its feed, and a change's id digests that
text.  Most changes hold a pending snapshot (``later_snapshot``: a partial of
``_snapshots._incident`` over the kernel's ints), so building the ``Incident`` only to
write it (a ``datetime`` per instant, an ``EvidenceEvent`` per record, an attrs object
of 23 fields) cost as much as writing it.  This writes the very text
``_canonical.canonical_incident`` writes of the built incident, field for field (the
same helpers, instants by ``iso_text``), from the partial's arguments; the change's
incident stays pending until someone reads it, as in memory.

Anything not of the shape (a field of another type) returns None and the caller takes
the built incident's path, so the two never disagree; a test holds them to one text.
"""

from __future__ import annotations

from typing import Any

from ..core._records import DESC, ID, KIND, REASON, STATUS, SYSTEM, T
from ._canonical import _evidence, _opt, _part, _quote, _remedy_text, _state, _values
from ._moments import instant_json
from ._pending_evidence import PendingEvidence

__all__ = ["pending_content"]

#: An instant -> its JSON text, the cache ``_moments`` keeps for snapshots' datetimes
#: too.  Instants repeat across an incident's snapshots (opened, due, escalated at) and
#: the incidents of one unit.
_at = instant_json


def _pending_evidence(evidence: PendingEvidence) -> str:
    """``_canonical._evidence`` of ``evidence.load()``, from its records."""
    step = evidence._step
    if type(step) is not int:
        raise TypeError("not an int")
    parts = []
    for rec in evidence._records:
        kind = rec[KIND]
        parts.append(
            f'{{"description":{_quote(kind[DESC])},"event_id":{_quote(rec[ID])},'
            f'"occurred_at":{_at(rec[T])},"reason":{_opt(kind[REASON])},'
            f'"source":{_quote(kind[SYSTEM])},"status":{_quote(kind[STATUS])}}}'
        )
    values = _values(evidence._values)
    return (
        f'{{"events":[{",".join(parts)}],"rule":{_quote(evidence._rule)},"step":{step},'
        f'"values":{values}}}'
    )


def _evidence_text(evidence: Any) -> str:
    # Kept by identity: an incident's successive snapshots share the object.
    if type(evidence) is PendingEvidence:
        return _part(evidence, _pending_evidence)
    return _part(evidence, _evidence)


def _head(
    carrier: str, cause: str, deadlines: dict[str, int], since: int, level: Any, ack: Any
) -> str:
    """The text from the start to ``"escalations":[``."""
    if ack is None:
        acknowledged = '"acknowledged_at":null,"acknowledged_by":null'
    else:
        ack_at, ack_by = ack
        acknowledged = (
            f'"acknowledged_at":{"null" if ack_at is None else _at(ack_at)},'
            f'"acknowledged_by":{_opt(ack_by)}'
        )
    if deadlines:
        due = ",".join([f"{_quote(name)}:{_at(at)}" for name, at in sorted(deadlines.items())])
        due = "{" + due + "}"
    else:
        due = "{}"
    return (
        f'{{{acknowledged},"carrier":{_quote(carrier)},"cause":{_quote(cause)},'
        f'"deadlines":{due},"escalate_at":{_at(since + level.escalate_after)},"escalations":['
    )


def _middle(
    tail_key: tuple[Any, ...],
    ident: str,
    level: Any,
    remedy: Any,
) -> tuple[str, str]:
    """The text from ``"explanation"`` to ``"state":`` and the one after the state to
    the end: of what ``pending_content``'s ``tail_key`` holds, and the objects beside
    it.  The evidence before them and the state between them are written apart (each
    kept by identity): a clearing moves the state alone, a new scan the evidence alone."""
    explanation, kind, opened_at, since, rules, severity, superseded_by, tn, rest = tail_key
    if rest is None:
        resolved = '"resolved_at":null,"resolved_by":null'
        note = "null"
    else:
        resolved_at, resolved_by, note_text = rest
        resolved = (
            f'"resolved_at":{"null" if resolved_at is None else _at(resolved_at)},'
            f'"resolved_by":{_opt(resolved_by)}'
        )
        note = _opt(note_text)
    return (
        f',"explanation":{_quote(explanation)},"id":{_quote(ident)},'
        f'"kind":{_quote(kind)},"note":{note},"opened_at":{_at(opened_at)},'
        f'"remedy":{_remedy_text(remedy)},"resolve_by":{_at(since + level.resolve)},'
        f'{resolved},"respond_by":{_at(since + level.respond)},'
        f'"rules":[{",".join([_quote(rule) for rule in rules])}],'
        f'"severity":{_quote(severity)},"state":'
    ), f',"superseded_by":{_opt(superseded_by)},"tracking_number":{_quote(tn)}}}'


def _escalation(escalation: tuple[str, int, str | None]) -> str:
    what, at, target = escalation
    return f'{{"at":{_at(at)},"target":{_opt(target)},"what":{_quote(what)}}}'


#: The parts last written of each incident (by its id) and what each was written from
#: (``pending_content``).  An incident's successive changes mostly repeat their head
#: and the middle of their tail, and an escalation adds one to the list.  A part is
#: reused only while what it was written from is equal where equality means the same
#: text (strings, the ints of instants, tuples of them) and the very object elsewhere
#: (the remedy, the severity level: equal values of these may write otherwise).  The
#: evidence and the state are written each time from their own texts kept by identity.
_LAST: dict[str, tuple[Any, ...]] = {}
_LAST_MAX = 1 << 12


def pending_content(args: tuple[Any, ...]) -> str | None:
    """The canonical JSON of the incident ``_snapshots._incident(*args)`` builds, or
    None when a field is not of the shape written here."""
    try:
        ident, tn, carrier, kind, severity, rules, opened_at, since, level, deadlines = args[:10]
        remedy, evidence, explanation, state, escalations, follow, cause, superseded_by = args[10:]
        ack = rest = None
        if follow is not None:
            ack, rest = follow[:2], follow[2:]
        due = tuple(deadlines.items()) if deadlines else ()
        head_key = (carrier, cause, since, ack, due)
        tail_key = (explanation, kind, opened_at, since, rules, severity, superseded_by, tn, rest)
        last = _LAST.get(ident)
        if last is None:
            head = _head(carrier, cause, deadlines, since, level, ack)
            middle, end = _middle(tail_key, ident, level, remedy)
            listed = ",".join([_escalation(e) for e in escalations])
            proof = _evidence_text(evidence)
        else:
            same = last[0] is level
            head = (
                last[2]
                if same and last[1] == head_key
                else _head(carrier, cause, deadlines, since, level, ack)
            )
            if same and last[5] is remedy and last[3] == tail_key:
                middle, end = last[4]
            else:
                middle, end = _middle(tail_key, ident, level, remedy)
            proof = last[9] if last[8] is evidence else _evidence_text(evidence)
            before, listed = last[6], last[7]
            if escalations != before:
                count = len(before)
                if count and count < len(escalations) and escalations[:count] == before:
                    added = ",".join([_escalation(e) for e in escalations[count:]])
                    listed = f"{listed},{added}"
                else:
                    listed = ",".join([_escalation(e) for e in escalations])
        text = f'{head}{listed}],"evidence":{proof}{middle}{_state(state)}{end}'
    except (TypeError, AttributeError, ValueError):
        return None
    if len(_LAST) >= _LAST_MAX:
        _LAST.clear()
    _LAST[ident] = (
        level,
        head_key,
        head,
        tail_key,
        (middle, end),
        remedy,
        escalations,
        listed,
        evidence,
        proof,
    )
    return text
