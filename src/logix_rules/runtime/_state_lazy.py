"""The history of a loaded state, read from its body when first needed.

A stream host or a store loads a parcel's state, applies one event in order and writes
the state again (a *touch*).  Such a step reads no event before the last one (the
trackers and aggregates carry what the rules need), and a version-3 write appends the
new events to the old body (``_state_v3``), so decoding the events a body holds would
be work thrown away.  ``Kernel.loads`` thus gives a state whose history is an
``Unread``, read from the body when something asks for ``ShipmentState.history`` (a late
event or an old one again, a replay, ``explain``, the evidence of a new incident, a
version-2 write).  Only the step's fast path, the duplicate search (``find_event``), the
version-3 writer, and what a new incident reads of the trail's end (``derived_cause``,
``evidence_events``: ``last`` and ``kinds``) look at an ``Unread`` itself.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..core._records import KIND, EventKind, EventRec

__all__ = ["Unread"]


class BodyReader(Protocol):
    """What reads a version-3 body's events (``_state_v3_read.V3Reader``)."""

    def events3(self, data: bytes, start: int) -> list[EventRec]: ...

    def last3(self, data: bytes, start: int, count: int) -> list[EventRec]: ...

    def kinds3(self, data: bytes, start: int) -> list[EventKind]: ...


class Unread(list[EventRec]):
    """A loaded state's history before it is read: a list as long as the history, whose
    first ``before`` items are None (the body's events not read) and the rest the body's
    last event, then the events appended since.  So ``len``, ``[-1]``, ``append`` and a
    slice from ``before`` on are the list's own, in C (the step's fast path, the writer);
    ``records`` reads the whole history."""

    # Set by the reader, with no __init__ of its own (a call to it would cost more than
    # the rest of making one): how many events of the body the list does not hold, the
    # bytes the body is in, where it starts, where its ids' section ends (the separator
    # is NUL), and the codec, which reads the body's events (events3, checked).
    __slots__ = ("before", "body", "codec", "start", "stop")
    before: int
    body: bytes
    start: int
    stop: int
    codec: BodyReader

    def records(self) -> list[EventRec]:
        """The whole history: the body's events (the last one the object held, the same
        record), then those appended."""
        history = self.codec.events3(self.body, self.start)
        history[-1:] = self[self.before :]
        return history

    def last(self, k: int) -> list[EventRec]:
        """The history's last ``k`` records (``k`` at most its length), reading only those
        of the body: a new incident's evidence is the events at its instant, mostly the
        last one or two.  (Their ids are checked to differ when the history is read.)"""
        before = self.before
        held = len(self) - before  # the body's last event, then those appended
        if k <= held:
            return self[-k:]
        found = self.codec.last3(self.body, self.start, k - held)
        found += self[before:]
        return found

    def kinds(self) -> list[EventKind]:
        """The kinds of the history's events, in order, without reading their ids: the
        cause of a new incident is the latest cause-bearing reason (``derived_cause``),
        which a short trail often does not hold at all."""
        found = self.codec.kinds3(self.body, self.start)
        found[-1:] = [rec[KIND] for rec in self[self.before :]]
        return found

    def in_body(self, event_id: str) -> bool:
        """Whether an event of the body may have the id ``event_id``: False only when
        none has (its ids' section, each id followed by a NUL; a NUL in ``event_id`` can
        make it answer True wrongly)."""
        key = event_id.encode("utf-8", "surrogatepass") + b"\x00"
        body, begin, end = self.body, self.start + _IDS_AT, self.stop
        at = body.find(key, begin, end)
        while at >= 0:
            if at == begin or body[at - 1] == 0:
                return True
            at = body.find(key, at + 1, end)
        return False

    def __eq__(self, other: object) -> bool:
        return self.records() == other

    def __ne__(self, other: object) -> bool:
        return self.records() != other

    __hash__ = None  # as a list's

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy or a pickle is the whole history, as a list.
        return list, (self.records(),)

    def __repr__(self) -> str:
        return repr(self.records())


_IDS_AT = 32  # the size of a version-3 head: where the ids start
