"""Keeping configured secrets out of everything logix_carriers hands back.

A carrier's answer can echo what it was sent: an error page quoting the request
headers (``Authorization: Basic base64(id:secret)``), a JSON error repeating the
API key.  :class:`Scrubber` replaces every secret with ``***`` in text and in
decoded payloads, in each form it travels in:

* as is, percent-encoded and JSON-escaped;
* base64-encoded with the standard and the URL-safe alphabet, padded or not,
  alone or inside a longer encoded string (``base64(client_id:secret)``): the
  characters that encode only the secret's bytes are the same at each of the three
  possible byte alignments, so those three "cores" are searched for.

The same pass bounds how deeply a raw payload nests (:data:`MAX_RAW_DEPTH`), so
what problems keep can always be printed as JSON.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Any, Final, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel

from ._track_result import TrackProblem, TrackResult

__all__ = ["MASK", "MAX_RAW_DEPTH", "TOO_DEEP", "Scrubber"]

#: What a secret is replaced with.
MASK: Final = "***"
#: Secrets shorter than this are left alone: replacing them would mangle ordinary
#: words without protecting anything.
MIN_SECRET: Final = 4
#: Base64 forms are searched only for secrets of at least this many bytes; the
#: encoded cores of shorter ones are short enough to occur by chance.
MIN_BASE64_SECRET: Final = 8
#: Containers nested deeper than this in a raw payload are replaced by :data:`TOO_DEEP`.
MAX_RAW_DEPTH: Final = 64
TOO_DEEP: Final = "<nested too deep; dropped>"

_URLSAFE = str.maketrans("+/", "-_")

ModelT = TypeVar("ModelT", bound=BaseModel)


def _base64_forms(secret: bytes) -> set[str]:
    """The base64 text that encodes ``secret``, at every byte alignment, both alphabets."""
    forms: set[str] = set()
    whole = base64.b64encode(secret).decode("ascii")
    forms.update({whole, whole.rstrip("=")})
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + secret).decode("ascii")
        # Characters carry 6 bits: the first one fully inside the secret starts at
        # bit 8*offset rounded up, the last one ends at or before its last bit.
        start = -(-8 * offset // 6)
        end = 8 * (offset + len(secret)) // 6
        forms.add(encoded[start:end])
    return forms | {form.translate(_URLSAFE) for form in forms}


def _forms(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    forms |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    raw = secret.encode("utf-8")
    if len(raw) >= MIN_BASE64_SECRET:
        forms |= _base64_forms(raw)
    return forms


class Scrubber:
    """Replaces configured secrets, and their encoded forms, with ``***``.

    ``pairs`` are ``(user, secret)`` credentials sent as HTTP basic
    authentication; their ``base64(user:secret)`` is masked whole.  An empty
    scrubber (no secret long enough) is falsy and changes no text.
    """

    def __init__(
        self, secrets: Iterable[str] = (), *, pairs: Iterable[tuple[str, str]] = ()
    ) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET:
                forms |= _forms(secret)
        for user, secret in pairs:
            if secret and len(secret) >= MIN_SECRET:
                basic = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
                forms |= {basic, basic.translate(_URLSAFE)}
        forms = {form for form in forms if len(form) >= MIN_SECRET}
        # Longest first, so a whole encoded string wins over a core inside it.
        ordered = sorted(forms, key=lambda form: (-len(form), form))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __repr__(self) -> str:
        return f"Scrubber(active={bool(self)})"

    def text(self, text: str) -> str:
        """``text`` with every secret form replaced by ``***``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A JSON-like ``value`` without secrets and nested at most :data:`MAX_RAW_DEPTH` deep.

        Strings (dict keys included) are scrubbed; tuples come back as lists.  The
        value itself is returned when nothing needs changing.  Works without
        recursion, so any depth is safe.
        """
        if isinstance(value, str):
            return self.text(value)
        if not self._needs_copy(value):
            return value
        return self._copy(value)

    def problem(self, problem: TrackProblem, cache: dict[int, Any] | None = None) -> TrackProblem:
        """``problem`` with its message and raw payload scrubbed.

        ``cache`` (by ``id`` of the raw payload) saves walking a payload that several
        problems share, as every number of a failed request does.
        """
        message = self.text(problem.message)
        if cache is not None and id(problem.raw) in cache:
            raw = cache[id(problem.raw)]
        else:
            raw = self.value(problem.raw)
            if cache is not None:
                cache[id(problem.raw)] = raw
        if message == problem.message and raw is problem.raw:
            return problem
        return dataclasses.replace(problem, message=message, raw=raw)

    def result(self, result: TrackResult) -> TrackResult:
        """``result`` with its problems (messages, raw payloads) and events scrubbed."""
        cache: dict[int, Any] = {}
        problems = tuple(self.problem(p, cache) for p in result.problems)
        events = result.events
        pattern = self._pattern
        if pattern is not None and any(
            pattern.search(e.model_dump_json()) for evs in events.values() for e in evs
        ):
            events = MappingProxyType(
                {n: tuple(self.model(e) for e in evs) for n, evs in result.events.items()}
            )
        return dataclasses.replace(result, events=events, problems=problems)

    def model(self, model: ModelT) -> ModelT:
        """A pydantic model with secrets removed from its string fields (nested too)."""
        if not self:
            return model
        changes: dict[str, Any] = {}
        for name in type(model).model_fields:
            current = getattr(model, name)
            new: Any
            if isinstance(current, BaseModel):
                new = self.model(current)
            elif isinstance(current, str | dict | list | tuple):
                new = self.value(current)
            else:
                continue
            if new is not current and new != current:
                changes[name] = new
        return model.model_copy(update=changes) if changes else model

    # -- the walk ---------------------------------------------------------------------

    def _needs_copy(self, root: Any) -> bool:
        pattern = self._pattern
        stack: list[tuple[Any, int]] = [(root, 0)]
        seen: set[int] = set()
        while stack:
            node, depth = stack.pop()
            if isinstance(node, str):
                if pattern is not None and pattern.search(node):
                    return True
            elif isinstance(node, dict | list | tuple):
                if depth >= MAX_RAW_DEPTH:
                    return True
                if id(node) in seen:
                    continue
                seen.add(id(node))
                children = (
                    [item for pair in node.items() for item in pair]
                    if isinstance(node, dict)
                    else node
                )
                stack.extend((child, depth + 1) for child in children)
        return False

    def _copy(self, root: Any) -> Any:
        holder: list[Any] = [None]
        memo: dict[int, Any] = {}
        put: Callable[[Any], None] = functools.partial(holder.__setitem__, 0)
        stack: list[tuple[Any, int, Callable[[Any], None]]] = [(root, 0, put)]
        while stack:
            node, depth, put = stack.pop()
            if isinstance(node, str):
                put(self.text(node))
            elif not isinstance(node, dict | list | tuple):
                put(node)
            elif depth >= MAX_RAW_DEPTH:
                put(TOO_DEEP)
            elif id(node) in memo:
                put(memo[id(node)])
            elif isinstance(node, dict):
                mapping: dict[Any, Any] = {}
                memo[id(node)] = mapping
                put(mapping)
                for key, child in node.items():
                    new_key = self.text(key) if isinstance(key, str) else key
                    mapping[new_key] = None  # keeps the key order; filled below
                    fill = functools.partial(mapping.__setitem__, new_key)
                    stack.append((child, depth + 1, fill))
            else:
                items: list[Any] = [None] * len(node)
                memo[id(node)] = items
                put(items)
                for index, child in enumerate(node):
                    stack.append((child, depth + 1, functools.partial(items.__setitem__, index)))
        return holder[0]
