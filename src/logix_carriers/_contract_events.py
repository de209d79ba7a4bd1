"""Contract-kit rule: every raw event of a payload becomes an event or a problem.

An adapter that silently skips a scan (say, "label created") passes every other
rule, because the events it keeps are fine.  This rule isolates each raw event
of a recorded payload, one at a time, in an otherwise pruned copy of the payload
and parses it: the result must hold an event, or a problem about that event
(``bad_event``, or any problem whose ``raw`` is the event).  Where the raw events
sit is a path such as ``"shipments[*].events[*]"`` (keys separated by dots, ``[*]``
for every element of a list).  Used by :mod:`logix_carriers.testing`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._adapter_protocol import CarrierAdapter
from ._track_result import ProblemCode

__all__ = ["check_no_silent_drops", "raw_event_paths"]

_STEP = re.compile(r"^([^\[\]]*)((?:\[\*\])*)$")

Step = str | int


def _steps(path: str) -> list[str | None]:
    """``"a.b[*].c[*]"`` -> ``["a", "b", None, "c", None]`` (None is a wildcard)."""
    steps: list[str | None] = []
    for part in path.split("."):
        match = _STEP.match(part)
        if match is None:
            raise ValueError(f"events_at: {part!r} in {path!r} is not 'key' or 'key[*]'")
        key, stars = match.groups()
        if key:
            steps.append(key)
        steps.extend([None] * (len(stars) // 3))
    return steps


def raw_event_paths(payload: Any, path: str) -> Iterator[tuple[Step, ...]]:
    """Every concrete path (keys and list indices) the pattern ``path`` matches."""

    def walk(
        node: Any, rest: list[str | None], done: tuple[Step, ...]
    ) -> Iterator[tuple[Step, ...]]:
        if not rest:
            yield done
            return
        step, tail = rest[0], rest[1:]
        if step is None:
            if isinstance(node, list):
                for index, item in enumerate(node):
                    yield from walk(item, tail, (*done, index))
        elif isinstance(node, Mapping) and step in node:
            yield from walk(node[step], tail, (*done, step))

    yield from walk(payload, _steps(path), ())


def _isolated(payload: Any, where: tuple[Step, ...]) -> tuple[Any, Any]:
    """A copy of ``payload`` in which every list on the way holds only the element on
    ``where``; and the raw event at its end."""
    pruned = copy.deepcopy(payload)
    node = pruned
    for step in where:
        if isinstance(step, int):
            chosen = node[step]
            node[:] = [chosen]
            node = chosen
        else:
            node = node[step]
    return pruned, node


def _label(where: tuple[Step, ...]) -> str:
    text = ""
    for step in where:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def check_no_silent_drops(
    adapter: CarrierAdapter,
    payloads: Sequence[tuple[str, Any]],
    numbers: Sequence[str],
    events_at: str | Sequence[str] | None,
) -> list[str]:
    """Each raw event, parsed alone, gives an event or a problem about it."""
    if events_at is None:
        return [
            "no events_at given: say where the raw events are (e.g. 'shipments[*].events[*]') "
            "so the kit can check that none is silently dropped"
        ]
    patterns = [events_at] if isinstance(events_at, str) else list(events_at)
    failures: list[str] = []
    found = 0
    for name, payload in payloads:
        for pattern in patterns:
            for where in raw_event_paths(payload, pattern):
                found += 1
                failure = _check_one(adapter, name, payload, where, numbers)
                if failure:
                    failures.append(failure)
    if payloads and not found:
        # Some payloads have no events (a 404 body); all of them none: a wrong path.
        failures.append(f"events_at {patterns} matches no raw event in any payload")
    return failures


def _check_one(
    adapter: CarrierAdapter,
    name: str,
    payload: Any,
    where: tuple[Step, ...],
    numbers: Sequence[str],
) -> str | None:
    alone, raw = _isolated(payload, where)
    try:
        result = adapter.parse_payload(alone, numbers)
    except Exception as exc:  # the kit reports, never raises
        return f"{name}: {_label(where)} alone: parse_payload raised {type(exc).__name__}: {exc}"
    if result.all_events():
        return None
    if any(p.code == ProblemCode.BAD_EVENT or p.raw == raw for p in result.problems):
        return None
    return (
        f"{name}: raw event {_label(where)} became neither an event nor a problem "
        "(silently dropped)"
    )
