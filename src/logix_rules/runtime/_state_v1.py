"""Shipment states of version 1 (``{"v": 1, ...}``, JSON): the inputs of a state (its
events, facts, follow-ups and ``fired_through``), which the kernel replays.  Read
only: logix writes version 2 (``_state_codec``)."""

from __future__ import annotations

import json
from typing import Any

from ..core._records import EventRec, rec_key
from ._state import StateError
from ._state_codec import Inputs, StateCodec, kind_text
from ._state_parts import BOUND, v1_followups

__all__ = ["v1_inputs"]


def v1_inputs(codec: StateCodec, doc: Any) -> Inputs:
    """What a replay of a version-1 document needs, every part checked."""
    if type(doc) is not dict:
        raise StateError("a version 1 shipment state must be an object")
    tn, carrier, shipment = doc["tn"], doc["carrier"], doc["shipment"]
    if shipment is not None and type(shipment) is not dict:
        raise StateError("a version 1 shipment must be an object or null")
    events, fired = doc["events"], doc["fired_through"]
    if type(tn) is not str or type(carrier) is not str or type(events) is not list:
        raise StateError("a version 1 state needs tn, carrier and events")
    if fired is not None and (type(fired) is not int or not -BOUND < fired < BOUND):
        raise StateError("fired_through must be an instant or null")
    history: list[EventRec] = []
    for row in events:
        if type(row) is not list or len(row) != 11 or type(row[10]) is not list:
            raise StateError("a version 1 event must be an array of 11 parts")
        t, ident = row[0], row[1]
        if type(t) is not int or not -BOUND < t < BOUND or type(ident) is not str:
            raise StateError("a version 1 event must start with a time and an id")
        pairs = []
        for pair in row[10]:
            if type(pair) is not list or len(pair) != 2:
                raise StateError("event attributes must be [name, value] pairs")
            pairs.append((pair[0], pair[1]))
        kind: Any = (*row[2:10], tuple(pairs))
        history.append((t, ident, codec.kind(kind_text(kind))))
    history.sort(key=rec_key)
    if len({rec[1] for rec in history}) != len(history):
        raise StateError("two events share one id")
    return (
        tn,
        carrier,
        None if shipment is None else json.dumps(shipment),
        history,
        v1_followups(doc["followups"]),
        fired,
    )
