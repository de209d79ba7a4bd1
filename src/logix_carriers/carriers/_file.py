"""The ``file`` adapter: tracking data from JSONL exports, no network involved.

Each non-blank line of the file is one JSON object, either

* a **normalized event**: a ``TrackingEvent`` as a dict (``tracking_number``,
  ``carrier``, ``occurred_at``, ``status``...), as written by
  ``event.model_dump_json()``; or
* a **raw carrier payload**: ``{"carrier": "dhl", "payload": {...}}`` (or the
  payload's own fields next to a ``carrier`` key), handed to that carrier's
  ``parse_payload``.  An optional ``numbers`` list is passed along.

A line that is not JSON, not an object, not a valid event, or names a carrier
without an installed adapter becomes a problem carrying its line number; reading
goes on with the next line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._adapter import BaseAdapter, Capabilities, CarrierAdapter
from .._errors import CarrierError, ConfigError
from .._parse_guard import describe_exception, piece
from .._registry import get_adapter_class
from .._settings import AdapterSettings
from .._track_result import ProblemCode, TrackProblem, TrackResult, TrackResultBuilder

__all__ = ["FileAdapter", "FileSettings"]

_BAD_PAYLOAD = ProblemCode.BAD_PAYLOAD
# How much of a line that is not JSON a problem keeps.
_LINE_EXCERPT = 4096


class FileSettings(AdapterSettings):
    """``path`` (``LOGIX_FILE_PATH``): the JSONL file ``track`` reads.

    ``assume_tz`` (``LOGIX_FILE_ASSUME_TZ``): the IANA zone naive timestamps of
    normalized lines are in; without it such lines are reported, not guessed.
    """

    path: Path | None = None
    assume_tz: str | None = None


class FileAdapter(BaseAdapter[FileSettings]):
    """Reads normalized or raw JSONL exports (see the module docstring)."""

    code = "file"
    name = "JSONL export file"
    settings_model = FileSettings
    capabilities = Capabilities(batch_size=100_000, auth="none")

    def _path(self) -> Path:
        path = self.settings.path
        if path is None:
            raise ConfigError(
                f"no file to read: pass path=... or set {self.env_var('path')}",
                variable=self.env_var("path"),
                carrier=self.code,
            )
        return path

    def read(self, path: str | Path | None = None) -> TrackResult:
        """Every event and problem in ``path`` (default: the ``path`` setting)."""
        target = Path(path) if path is not None else self._path()
        try:
            with target.open(encoding="utf-8") as handle:
                return self.parse_lines(handle)
        except OSError as exc:
            raise ConfigError(
                f"cannot read {target}: {exc.strerror or exc}",
                variable=self.env_var("path"),
                carrier=self.code,
            ) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{target} is not UTF-8 text (byte {exc.start}); export it as UTF-8 JSONL",
                variable=self.env_var("path"),
                carrier=self.code,
            ) from exc

    def track(self, numbers: Iterable[str] = ()) -> TrackResult:
        """The events of ``numbers`` in the file; every number in it when none are given."""
        wanted, problems = self._prepare(numbers)
        return self._select(self.read(), wanted, problems)

    async def atrack(self, numbers: Iterable[str] = ()) -> TrackResult:
        wanted, problems = self._prepare(numbers)
        everything = await asyncio.to_thread(self.read)
        return self._select(everything, wanted, problems)

    def _select(
        self, everything: TrackResult, wanted: Sequence[str], problems: Sequence[TrackProblem]
    ) -> TrackResult:
        if not wanted and not problems:
            return everything
        keep = set(wanted)
        events = [e for n, evs in everything.events.items() if n in keep for e in evs]
        kept = [
            p for p in everything.problems if p.tracking_number is None or p.tracking_number in keep
        ]
        result = TrackResult.build(self.code, events, [*problems, *kept])
        return self._finish(wanted, [result])

    def parse_lines(self, lines: Iterable[str]) -> TrackResult:
        """Parse JSONL text line by line; line numbers start at 1."""
        out = TrackResultBuilder(self.code)
        parsers: dict[str, CarrierAdapter | None] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                item = json.loads(line)
            except (ValueError, RecursionError) as exc:
                out.problem(
                    None,
                    ProblemCode.BAD_PAYLOAD,
                    _not_json(exc),
                    raw=_excerpt(line.rstrip("\n")),
                    location=where,
                )
                continue
            with piece(out, None, raw=item, location=where, what="line", code=_BAD_PAYLOAD):
                self._parse_item(item, out, parsers, where)
        return out.result()

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        """One decoded line (a dict) or a list of them."""
        out = TrackResultBuilder(self.code, numbers)
        parsers: dict[str, CarrierAdapter | None] = {}
        items = payload if isinstance(payload, list) else [payload]
        for index, item in enumerate(items):
            where = f"[{index}]" if isinstance(payload, list) else None
            with piece(out, None, raw=item, location=where, what="item", code=_BAD_PAYLOAD):
                self._parse_item(item, out, parsers, where)
        return out.result()

    def _parse_item(
        self,
        item: Any,
        out: TrackResultBuilder,
        parsers: dict[str, CarrierAdapter | None],
        where: str | None,
    ) -> None:
        if not isinstance(item, dict):
            out.problem(
                None,
                ProblemCode.BAD_PAYLOAD,
                f"expected a JSON object, got {type(item).__name__}",
                raw=item,
                location=where,
            )
            return
        if "payload" not in item and "occurred_at" in item and "tracking_number" in item:
            out.event(item, raw=item, location=where, assume_tz=self._assume_tz())
            return
        carrier = item.get("carrier")
        if not isinstance(carrier, str) or not carrier.strip():
            out.problem(
                _number_of(item),
                ProblemCode.BAD_PAYLOAD,
                "neither a normalized event (tracking_number, occurred_at, status...) "
                "nor a raw payload with a 'carrier' key",
                raw=item,
                location=where,
            )
            return
        self._parse_raw(carrier.strip().lower(), item, out, parsers, where)

    def _assume_tz(self) -> str | None:
        return self.settings.assume_tz

    def _parse_raw(
        self,
        carrier: str,
        item: dict[str, Any],
        out: TrackResultBuilder,
        parsers: dict[str, CarrierAdapter | None],
        where: str | None,
    ) -> None:
        if carrier not in parsers:
            parsers[carrier] = _parser_for(carrier)
        parser = parsers[carrier]
        if parser is None or carrier == self.code:
            out.problem(
                _number_of(item),
                ProblemCode.BAD_PAYLOAD,
                f"raw payload for carrier {carrier!r}, but no installed adapter can parse it "
                "(see `logix carriers`)",
                raw=item,
                location=where,
            )
            return
        payload = item["payload"] if "payload" in item else _without(item, "carrier")
        numbers = item.get("numbers") or []
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            numbers = []
        try:
            result = parser.parse_payload(payload, numbers)
        except Exception as exc:  # any parser failure is this line's problem
            message = exc.message if isinstance(exc, CarrierError) else describe_exception(exc)
            out.problem(
                _number_of(item),
                ProblemCode.BAD_PAYLOAD,
                f"the {carrier} parser rejected this payload: {message}",
                raw=item,
                location=where,
            )
            return
        for events in result.events.values():
            for event in events:
                out.event(event)
        for problem in result.problems:
            location = f"{where}: {problem.location}" if where and problem.location else None
            out.problem(
                problem.tracking_number,
                problem.code,
                problem.message,
                raw=problem.raw,
                location=location or where or problem.location,
            )


def _parser_for(carrier: str) -> CarrierAdapter | None:
    try:
        cls = get_adapter_class(carrier)
    except ConfigError:
        return None
    try:
        return cls()
    except (CarrierError, ValidationError, TypeError):
        return None


def _number_of(item: dict[str, Any]) -> str | None:
    number = item.get("tracking_number")
    return number if isinstance(number, str) and number else None


def _without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


def _not_json(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "not readable JSON: nested too deeply"
    return f"not readable JSON: {describe_exception(exc)}"


def _excerpt(line: str) -> str:
    return line if len(line) <= _LINE_EXCERPT else line[:_LINE_EXCERPT] + "…"
