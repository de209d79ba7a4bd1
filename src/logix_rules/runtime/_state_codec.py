"""The serial form of a ``ShipmentState``, version 2: everything the kernel keeps, so
reading a state back is a decode, not a replay of its history.

Reading a parcel's state must cost about as much as applying one event to it (a store
reads a state for every parcel a batch touches), so the bulk of it is binary and read
with C loops, and only the rare, irregular parts are JSON.  A body, little-endian::

    head     7 × u32: strings, events, kinds, text bytes, kind text bytes, tail bytes,
             separator
    text     the strings, joined by the separator (a character none of them or of
             the kinds holds), as UTF-8 (lone surrogates kept)
    kinds    the texts of the kinds the events refer to, joined the same way
    ints     i64 × (21 + 3 × events)
    tail     JSON (ASCII): [facts, shipment, trackers, attribute values,
             open incidents, followups, latest event]

The ints, in order: the tracking number and carrier (string refs); ``fired_through``,
``next_due_us``, ``timer_eval``; status, stage, reason (string refs) and final (0/1);
the seven aggregate instants and four counts of ``AGGREGATES``; the index of the latest
event in the history (-1: none; -2: in the tail).  Then each event as (time, id, kind):
the id a string ref, the kind the digest of its text.  A string ref indexes the
strings, -1 is None; an absent instant is ``NONE``.  The events' ids are the first
strings, in the events' order, so an event's id ref is its position.  An event's *kind*
(what it says: status, stage, reason, system, report, country, code, text, attributes)
is written once per state as its compact JSON text (``kind_text``), and named in the
events by a 64-bit BLAKE2b digest of that text: a process keeps the kinds it has read
by digest, so a state whose kinds it has seen before is read without reading their
texts.

Writing is in ``_state_write``, reading (and its checks) in ``_state_read``, the layout's
constants and helpers in ``_state_layout``.  ``Kernel.dumps`` writes version 3
(``_state_v3``, ``_state_v3_read``): the same parts, with the ids, kinds and events each
in a section of its own that a kept state's next write appends to; ``Kernel.state_body``
still gives version 2.  The inputs of a replay (events, facts,
follow-ups, ``fired_through``) are all there too, which is how a state written under
another version of the pack is rebuilt (``inputs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..compiler._model import Pack
from ..core._records import EventKind
from ._state import Facts
from ._state_layout import AGGREGATES, NONE, REUSE_FROM, kind_text
from ._state_read import Inputs, StateReader, param_key
from ._state_v3 import V3Writer
from ._state_v3_read import V3Reader
from ._state_write import Reuse, StateWriter

__all__ = ["AGGREGATES", "NONE", "REUSE_FROM", "Inputs", "Reuse", "StateCodec", "kind_text"]


class StateCodec(V3Writer, V3Reader, StateWriter, StateReader):
    """Writes and reads version-2 and version-3 bodies for one pack (``Kernel.dumps``
    writes version 3, ``_state_v3``: the same parts, laid out to be appended to).

    What events say (their *kinds*) is shared: a kind read is checked once and then
    kept by its text, so every state that holds it points at one tuple, as
    ``Kernel.group`` shares the kinds of new events; and each kind's text is made once.
    """

    def __init__(
        self,
        pack: Pack,
        ntrack: int,
        bare: Callable[[str], tuple[Facts, Any]],
        pool_limit: int = 1 << 16,
    ) -> None:
        self.pack = pack
        self._ntrack = ntrack
        self._zeros = (0,) * ntrack
        self._nones = (None,) * ntrack
        self._bare = bare  # the facts and params of a parcel without OMS facts, by carrier
        self._bares = {}  # what bare gave, by carrier
        self._param_key = param_key(pack)  # what a parcel's params depend on
        self._params = {}  # the params by that key
        self._kinds: dict[int, EventKind] = {}  # digest of its text -> kind
        # id(kind) -> (kind, text, digest): the kind is held so its id is not reused
        self._texts = {}
        self._fact_texts = {}  # id(facts) -> (facts, their JSON text in a tail)
        self._pool_limit = pool_limit
        self._actions = pack.actions  # what a followup's log may name, besides ack/resolve
