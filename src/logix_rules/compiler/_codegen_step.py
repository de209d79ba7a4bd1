"""The generated step loop: ``Kernel.step_many`` for one pack, with ``__absorb`` written
into its loop instead of called per event (issue 15).

An in-order event costs the kernel its bookkeeping (ids, history, timers, checkpoints)
and the pack's absorb; as two functions that is a call per event, five arguments, a
tuple returned and unpacked, and the state's facts and params read again each time.
The compiler knows the absorb's text, so it writes the loop around it: one function
per pack that takes a shipment's batch of records and runs every in-order event in a
single frame, calling out only where something happens (a timer, an evaluation, a late
event, a checkpoint).

The text is compiled by the runtime (``runtime/_step_loop.py``), which supplies the
helpers it calls; it is not part of the pack's module, so the fingerprint stays what
the pack computes (the loop computes what ``__absorb`` and the kernel's bookkeeping
do, event for event).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

__all__ = ["STEP_NAME", "step_function"]

STEP_NAME = "__step_many"
_PLAIN_NAME = "__step_many_plain"

# The loop's own names: the absorb written into it must not assign any of them.
_LOOP_NAMES = frozenset(
    {
        "K",
        "s",
        "recs",
        "changes",
        "f",
        "p",
        "every",
        "first",
        "index",
        "e",
        "n",
        "event_id",
        "history",
        "index_",
        "seen",
        "bit",
        "last",
        "in_order",
        "timer_eval",
        "since",
        "clock",
        "count",
        "due",
        "fired",
    }
)


def step_function(
    absorb: Sequence[str], batched: Sequence[str] = (), batch: Sequence[str] = ()
) -> list[str]:
    """The lines of ``__step_many(K, s, recs)`` around ``absorb``, the lines of
    ``__absorb(s, e, f, p, n)`` (its ``def`` line first, ``return hits, pending`` last
    but a blank line): what ``runtime/_kernel.py``'s ``step_many`` documents, for one
    shipment's records sorted by (time, id).

    ``batched`` is the same absorb whose scan reads the locals that the ``batch`` lines
    leave (``scan_function``'s ``batch``: due instants made of the facts and params
    only, which no event of a batch changes): the loop runs them once, before its
    first event.  Should they raise, it runs the plain loop (around ``absorb``)
    instead, which raises the same error at the event whose scan meets it.
    """
    body = _body(absorb)
    if not batch:
        return _loop(STEP_NAME, body, [])
    fast = _body(batched)
    _check_batch(fast, batch)
    prelude = [
        "    try:  # due instants the facts and params fix for the whole batch",
        *("        " + line for line in batch),
        "    except Exception:  # the plain loop raises it at the event that meets it",
        f"        return {_PLAIN_NAME}(K, s, recs)",
    ]
    return [*_loop(_PLAIN_NAME, body, []), *_loop(STEP_NAME, fast, prelude)]


def _body(absorb: Sequence[str]) -> list[str]:
    lines = list(absorb)
    while lines and not lines[-1].strip():
        lines.pop()
    if (
        not lines
        or not lines[0].startswith("def __absorb(s, e, f, p, n):")
        or lines[-1] != ("    return hits, pending")
    ):
        raise ValueError("not the lines of a generated __absorb")
    body = lines[1:-1]
    _check_names(body)
    return body


def _loop(name: str, body: Sequence[str], prelude: Sequence[str]) -> list[str]:
    out = [
        f"def {name}(K, s, recs):",
        "    # Kernel.step_many (runtime/_kernel.py) with this pack's __absorb written in:",
        "    # the same steps, in the same order, for each event.",
        "    changes = []",
        "    f = s.facts  # neither changes while a shipment steps",
        "    p = s.params",
        *prelude,
        "    every = K._checkpoint_every",
        "    first = K._checkpoint_from",
        "    index = -1",
        "    for e in recs:",
        "        index += 1",
        "        history = s._history  # an Unread stays unread (_state_lazy)",
        "        n, event_id, _ = e",
        "        # Seen before? By the id index once the history is long, else its filter.",
        "        index_ = s.id_index",
        "        if index_ is not None:",
        "            seen = index_.get(event_id)",
        "            bit = 0",
        "        else:",
        "            bit = _ID_BIT[hash(event_id) % _ID_BITS]",
        "            seen = _find_event(s, event_id) if s.id_bits & bit else None",
        "        if seen is not None:",
        "            if seen == e or _content(seen) >= _content(e):",
        "                continue  # a duplicate, or a poorer variant of an event held",
        "            in_order = False",
        "        elif history:",
        "            last = history[-1]",
        "            in_order = n > last[0] or (n == last[0] and event_id > last[1])",
        "        else:",
        "            in_order = True",
        "        timer_eval = s.timer_eval",
        "        if not in_order or (timer_eval is not None and n <= timer_eval):",
        "            # The rest of the batch is inserted at once and replayed one time.",
        "            since = K._insert_all(s, recs[index:])",
        "            if since is not None:",
        "                clock = max(recs[-1][0], s.fired_through or recs[-1][0])",
        "                changes.extend(K._replay(s, clock=clock, since=since))",
        "            return changes",
        "        history.append(e)",
        "        count = len(history)",
        "        if index_ is not None:",
        "            index_[event_id] = e",
        "        elif count < _INDEX_FROM:",
        "            s.id_bits |= bit",
        "        else:",
        "            _index_events(s)",
        "        due = s.next_due_us",
        "        if due is not None and due < n:",
        "            changes.extend(K._fire(s, n - 1))",
        *("    " + line if line else line for line in body),
        "        if hits is None and not s.open:",
        "            s.next_due_us = pending",
        "        else:",
        "            changes.extend(K._evaluate(s, n, (hits, pending)))",
        "        # A checkpoint as a replay holds it (nothing fired after n); not once a",
        "        # follow-up re-evaluated the live state, which a replay does not.",
        "        if count >= first and not count % every and not s.followups:",
        "            _capture(s, count, n)",
        "        fired = s.fired_through",
        "        if fired is not None and fired > n:",
        "            changes.extend(K._fire(s, fired))",
        "        else:",
        "            s.fired_through = n",
        "    return changes",
        "",
    ]
    return out


def _check_batch(body: Sequence[str], batch: Sequence[str]) -> None:
    """The batch's locals are assigned by its lines only (the absorb reads them) and
    clash with none of the loop's names."""
    made = {
        node.id
        for node in ast.walk(ast.parse("\n".join(batch)))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    tree = ast.parse("def _absorb():\n" + "\n".join(body))
    assigned = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)
    }
    clash = made & (assigned | _LOOP_NAMES | {"f", "p"})
    if clash:
        raise ValueError(f"the batch's locals clash with the loop's names: {sorted(clash)}")


def _check_names(body: Sequence[str]) -> None:
    """The absorb's lines assign none of the loop's names (it reads ``s``, ``e``, ``f``,
    ``p`` and ``n``, and leaves ``hits`` and ``pending``)."""
    tree = ast.parse("def _absorb():\n" + "\n".join(body))
    assigned = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)
    }
    clash = assigned & _LOOP_NAMES
    if clash:
        raise ValueError(f"the absorb assigns the step loop's names: {sorted(clash)}")
    if not {"hits", "pending"} <= assigned:
        raise ValueError("the absorb does not leave hits and pending")
