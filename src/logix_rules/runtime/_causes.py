"""What caused an incident (POLICY §1 and §7: causes decide who pays).

The cause comes from the most recent exception reason in the parcel's trail at or
before the instant the incident is looked at: an address issue, an absent recipient
or a refusal is ``customer``; weather or an external delay ``force_majeure``; damage,
loss or a carrier delay ``carrier``; wrong or missing items ``internal`` (picking and
packing).  Reasons that say nothing of a cause (a customs hold, a release, ``other``)
are passed over; with none left the cause is ``unknown``.  A person corrects it with
``resolve(..., cause=...)`` or ``record(..., cause=...)``: the latest such action at
or before that instant wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from logix_carriers import Reason

from ..compiler._remedy_terms import CAUSES
from ..core._records import KIND, REASON, EventRec, T
from ._state import ShipmentState
from ._state_lazy import Unread

__all__ = ["CAUSES", "CAUSE_OF_REASON", "cause_at", "cut_memo", "derived_cause", "memo_valid"]

R = Reason
#: The cause each exception reason names; reasons absent here name none.
CAUSE_OF_REASON: MappingProxyType[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                R.ADDRESS_ISSUE,
                R.RECIPIENT_UNAVAILABLE,
                R.BUSINESS_CLOSED,
                R.REFUSED,
                R.UNCLAIMED,
                R.PAYMENT_REQUIRED,
                R.LOCATION_INACCESSIBLE,
            ),
            "customer",
        ),
        **dict.fromkeys((R.DELAY_WEATHER, R.DELAY_EXTERNAL), "force_majeure"),
        **dict.fromkeys(
            (
                R.DAMAGED,
                R.LOST,
                R.DELAY_CARRIER,
                R.CARRIER_REJECTED,
                R.DISPOSED,
                R.HELD,
                R.NOT_RECEIVED,
            ),
            "carrier",
        ),
        **dict.fromkeys((R.WRONG_ITEM, R.MISSING_ITEMS), "internal"),
    }
)

# The same by plain string, None (no reason) naming none: one lookup per event.
_CAUSES: dict[str | None, str] = {str(reason): cause for reason, cause in CAUSE_OF_REASON.items()}
_CAUSE_OF = _CAUSES.get


#: From this many absorbed events on, the walk back starts from the one found last time
#: (``cause_memo``); below it the memo's checks would cost more than the walk.
MEMO_FROM = 32


def derived_cause(s: ShipmentState, t: int) -> str:
    """The cause the trail gives at ``t``: its latest cause-bearing reason at or before
    ``t`` (reports included), else ``unknown``."""
    held = s._history
    if type(held) is Unread:
        # A loaded state's unread history (_state_lazy): read from its end, as little
        # as the answer needs.
        return _unread_cause(held, min(s.n_events, len(held)), t)
    history = s.history
    # During a replay the history holds later events already: only the absorbed part.
    size = len(history)
    absorbed = min(s.n_events, size)
    cause_of = _CAUSE_OF
    if absorbed and history[absorbed - 1][T] <= t:
        # The common case: every absorbed event is at or before t (the history is in
        # time order), so no event's time needs a test; outside a replay, all of them
        # (no copy of the list).
        if absorbed >= MEMO_FROM:
            return _from_memo(s, history, absorbed)
        for rec in reversed(history) if absorbed == size else reversed(history[:absorbed]):
            cause = cause_of(rec[KIND][REASON])
            if cause is not None:
                return cause
        return "unknown"
    for index in range(absorbed - 1, -1, -1):
        rec = history[index]
        if rec[T] > t:
            continue
        cause = cause_of(rec[KIND][REASON])
        if cause is not None:
            return cause
    return "unknown"


def _unread_cause(held: Unread, absorbed: int, t: int) -> str:
    """``derived_cause`` over an unread history, of which the first ``absorbed`` events
    count (a step evaluating a deadline before its event has appended it already)."""
    cause_of = _CAUSE_OF
    n = len(held)
    if absorbed == n and held[-1][T] <= t:
        # Every event is at or before t: the kinds alone decide, read without the ids.
        for rec in reversed(held[held.before :]):
            cause = cause_of(rec[KIND][REASON])
            if cause is not None:
                return cause
        for kind in reversed(held.kinds()[: held.before]):
            cause = cause_of(kind[REASON])
            if cause is not None:
                return cause
        return "unknown"
    # Else the last k records, k grown until a cause is found or all are read.
    k = done = n - absorbed  # the records from the end already looked at
    while k < n:
        k = min(n, max(4 * k, done + 4))
        tail = held.last(k)
        for rec in reversed(tail[: k - done]):
            if rec[T] <= t:
                cause = cause_of(rec[KIND][REASON])
                if cause is not None:
                    return cause
        done = k
    return "unknown"


def _from_memo(s: ShipmentState, history: list[EventRec], absorbed: int) -> str:
    """``derived_cause`` over ``history[:absorbed]``, walking back only to where the last
    call's walk ended.

    A long trail's latest cause-bearing reason can lie a hundred events back, and every
    evaluation with an incident open asks (a late event's replay at each event it
    absorbs).  The memo holds the part the last call read (its length and last record)
    and what it found there (place and cause).  It holds while that record sits at that
    place: events are only ever appended, inserted (a late event anywhere before it
    moves it) or the list replaced by one with the same records in the same places (a
    replay's reset, a checkpoint thawed); the one removal from the middle, a variant
    of an event replaced (``_replay._insert_all``), drops the memo.
    """
    cause_of = _CAUSE_OF
    start = 0
    found = -1
    cause = "unknown"
    memo = getattr(s, "cause_memo", None)
    if memo is not None:
        end, last, at, known = memo
        if end <= absorbed:
            if history[end - 1] is last:
                start, found, cause = end, at, known
        elif at < absorbed and end <= len(history) and history[end - 1] is last:
            # A replay gone back (a checkpoint restored, a late event's fork): the memo
            # read past the absorbed part and found its cause inside it, so nothing
            # after that up to the absorbed end names one.  It is kept: it reads further.
            return known  # type: ignore[no-any-return]  # (the memo's cause: a str)
    for index in range(absorbed - 1, start - 1, -1):
        named = cause_of(history[index][KIND][REASON])
        if named is not None:
            found, cause = index, named
            break
    s.cause_memo = (absorbed, history[absorbed - 1], found, cause)
    return cause


def cut_memo(s: ShipmentState, n: int, memo: Any) -> None:
    """Give ``s`` the memo of ``history[:n]`` that ``memo`` holds: a memo that held for
    the history's first ``n`` records as they are now (``memo_valid`` before they
    moved) and found its cause among them.

    A late event moves the record the memo checks, and a replay restores a checkpoint
    before it: without this, the replay's first evaluation with an incident open walks
    a long trail back from there to its latest cause (a customs hold or a plain scan
    names none)."""
    if memo is None:
        return
    end, _, at, known = memo
    if 0 < n < end and at < n:
        s.cause_memo = (n, s.history[n - 1], at, known)


def memo_valid(s: ShipmentState) -> Any:
    """The state's ``cause_memo`` if it holds for the history as it is, else None."""
    memo = getattr(s, "cause_memo", None)
    if memo is None:
        return None
    history = s.history
    end = memo[0]
    return memo if end <= len(history) and history[end - 1] is memo[1] else None


def cause_at(s: ShipmentState, incident_id: str, t: int, trail: str | None = None) -> str:
    """The incident's cause at ``t``: the latest one a person named at or before ``t``
    (``resolve`` or ``record`` with ``cause=``), else the trail's (``trail`` when the
    caller knows it: what the incident last took from it, else derived at ``t``)."""
    # (Most parcels have no follow-ups: the shared empty mappingproxy, whose .get
    # parses its arguments, is not asked.)
    followups = s.followups
    follow = followups.get(incident_id) if followups else None
    if follow is not None:
        named = _named(follow.log, t)
        if named is not None:
            return named
    return derived_cause(s, t) if trail is None else trail


def _named(log: Iterable[tuple[Any, ...]], t: int) -> str | None:
    latest: tuple[int, str] | None = None
    for entry in log:
        cause = entry[4] if len(entry) > 4 else None
        at = entry[2]
        if cause is not None and at <= t and (latest is None or at >= latest[0]):
            latest = (at, cause)
    return None if latest is None else latest[1]
