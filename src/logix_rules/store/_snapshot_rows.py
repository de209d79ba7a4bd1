"""What a unit writes of an incident snapshot (a change's, or a live incident's for its
row): the canonical JSON and the row's columns, taken from the pending snapshot's
arguments (``later_snapshot``) when there is one, so the ``Incident`` is never built
for the store's sake (a change's incident stays pending until someone reads it, as an
in-memory engine's does).

Each snapshot is known here by a key: the pending snapshot's arguments, or the built
``Incident``.  Two equal keys write the same text (the arguments are all that
``_snapshots._incident`` builds from), so a live incident's row takes the text of a
change of the unit whose key is equal instead of writing it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core._durations import to_micros
from ..runtime._canonical_pending import pending_content
from ..runtime._incidents import Change, Incident, change_view, incident_content
from ..runtime._moments import held_micros
from ..runtime._snapshots import pending_args

__all__ = ["Key", "change_text", "closed_columns", "live_columns", "view_text"]

#: A snapshot as written: the pending snapshot's arguments, or the ``Incident``.
Key = tuple[Any, ...] | Incident


def change_text(change: Change) -> tuple[Key, str, str]:
    """``change``'s snapshot: its key, its incident's id and canonical JSON."""
    args = pending_args(change_view(change))
    if args is not None:
        text = pending_content(args)
        if text is not None:
            ident: str = args[0]
            return args, ident, text
    incident = change.incident  # built (and kept by the change)
    return incident, incident.id, incident_content(incident)


def view_text(view: Callable[[], Incident], args: tuple[Any, ...]) -> str:
    """The canonical JSON of the pending snapshot ``view`` whose arguments are ``args``."""
    text = pending_content(args)
    return incident_content(view()) if text is None else text


def live_columns(args: tuple[Any, ...]) -> tuple[Any, int, int, int | None]:
    """A pending snapshot's incident state, ``respond_by``, ``resolve_by`` and
    ``resolved_at`` (µs, as the built incident's datetimes hold them)."""
    since, level, follow = args[7], args[8], args[15]
    resolved = None if follow is None else follow[2]
    return (
        args[13],
        held_micros(since + level.respond),
        held_micros(since + level.resolve),
        None if resolved is None else held_micros(resolved),
    )


def closed_columns(key: Key) -> tuple[str, str, str, str, str, int, int, int]:
    """A snapshot's id, tracking number, kind, severity, carrier, ``opened_at``,
    ``respond_by`` and ``resolve_by`` (µs)."""
    if type(key) is tuple:
        since, level = key[7], key[8]
        return (
            key[0],
            key[1],
            key[3],
            key[4],
            key[2],
            held_micros(key[6]),
            held_micros(since + level.respond),
            held_micros(since + level.resolve),
        )
    assert isinstance(key, Incident)
    return (
        key.id,
        key.tracking_number,
        key.kind,
        key.severity,
        key.carrier,
        to_micros(key.opened_at),
        to_micros(key.respond_by),
        to_micros(key.resolve_by),
    )
