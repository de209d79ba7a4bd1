"""Reading the user's files for ``logix run``: events JSONL, shipments JSONL or CSV.

A bad line never stops a run and never disappears: it becomes an ``InputProblem``
naming the file, the line and what was wrong, and reading goes on with the next
line, whatever the failure (see ``_problems``: JSON nested past the recursion limit,
numbers of thousands of digits, out-of-range dates).  A JSONL problem's ``input`` is
the line's text, cut to ``INPUT_SHOWN`` characters.  Only a file that cannot be read
at all raises ``InputFileError``.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import IO, Any, Final, Generic, TypeVar

import attrs

from logix_carriers import Shipment, TrackingEvent

from ..core._errors import ErrorCode, InputProblem, LogixError
from ._problems import INPUT_SHOWN, failure_errors

__all__ = [
    "MAX_LINE_BYTES",
    "STDIN",
    "EventChunks",
    "InputFileError",
    "Loaded",
    "read_events",
    "read_shipments",
]

#: The path that means "read standard input".
STDIN: Final = "-"

#: Progress is redrawn every this many lines (only on a terminal).
PROGRESS_EVERY: Final = 2000

#: The longest JSONL line read, in bytes (an event is a few hundred).  A longer line is
#: reported and skipped, read in pieces so it is never held in memory whole.
MAX_LINE_BYTES: Final = 1 << 20

_SHIPMENT_COLUMNS: Final = (*Shipment.model_fields, "lane", "cross_border")
_REQUIRED_COLUMNS: Final = ("tracking_number", "carrier")

T = TypeVar("T", TrackingEvent, Shipment)


class InputFileError(LogixError):
    """A whole input file cannot be read (missing, unreadable, wrong format)."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}")


@attrs.frozen
class Loaded(Generic[T]):
    """What a file held: the valid ``items`` and a ``problems`` entry per skipped line.

    ``lines`` counts the non-blank data lines (or CSV rows) read.
    """

    items: tuple[T, ...]
    problems: tuple[InputProblem, ...]
    lines: int


# ------------------------------------------------------------------------- progress


class _Progress:
    """A one-line progress bar on a terminal; silent when the stream is not a TTY."""

    width: Final = 30

    def __init__(self, stream: IO[str] | None, label: str, total_bytes: int | None) -> None:
        self.stream = stream if stream is not None and _isatty(stream) else None
        self.label = label
        self.total = total_bytes if total_bytes else None
        self.shown = False

    def update(self, lines: int, done_bytes: int) -> None:
        if self.stream is None or lines % PROGRESS_EVERY:
            return
        if self.total:
            share = min(done_bytes / self.total, 1.0)
            filled = round(share * self.width)
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {share:4.0%} "
        else:
            bar = ""
        self.stream.write(f"\r{self.label}: {bar}{lines:,} lines")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.stream is not None and self.shown:
            # Wipe the bar so the messages that follow start on a clean line.
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or file-like objects without a terminal
        return False


# -------------------------------------------------------------------------- opening


@dataclass
class _Source:
    name: str
    handle: IO[bytes]
    size: int | None
    close: bool


def _open(path: str | os.PathLike[str], stdin: IO[bytes] | None) -> _Source:
    ref = os.fspath(path)
    if ref == STDIN:
        handle = stdin if stdin is not None else sys.stdin.buffer
        return _Source("<stdin>", handle, None, close=False)
    file = Path(ref)
    if file.is_dir():
        raise InputFileError(ref, "is a directory; give the path of a file")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise InputFileError(ref, "no such file; check the path") from None
    except OSError as exc:
        raise InputFileError(
            ref, f"cannot be read ({exc.strerror or exc}); check its permissions"
        ) from None
    try:
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        size = None
    return _Source(ref, handle, size, close=True)


def _lines(source: _Source) -> Iterator[tuple[int, bytes, int, bool]]:
    """``(line number, raw line, bytes read so far, too long)`` for every line.

    A line longer than ``MAX_LINE_BYTES`` comes as its first piece with ``True``.
    """
    readline = source.handle.readline
    done = number = 0
    while raw := readline(MAX_LINE_BYTES + 1):
        number += 1
        done += len(raw)
        too_long = len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n")
        if too_long:
            done += _drained(readline)
        yield number, raw, done, too_long


def _drained(readline: Callable[[int], bytes]) -> int:
    """Read past the rest of a line too long to keep (its first piece read); the
    bytes read."""
    done = 0
    while rest := readline(MAX_LINE_BYTES):
        done += len(rest)
        if rest.endswith(b"\n"):
            break
    return done


# ------------------------------------------------------------------------- problems


def _problem(
    code: ErrorCode, source: str, line: int, raw: Any, errors: Sequence[dict[str, Any]]
) -> InputProblem:
    return InputProblem(code=code, index=line, input=raw, errors=tuple(errors), source=source)


def _one(msg: str, kind: str, loc: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    return [{"loc": loc, "msg": msg, "type": kind}]


def _cut(text: str) -> str:
    return text if len(text) <= INPUT_SHOWN else text[: INPUT_SHOWN - 3] + "..."


# A JSON escape of a UTF-16 surrogate (``\ud83d``); only then can a decoded line hold a
# lone surrogate, which is not Unicode and cannot be written out as UTF-8.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any) -> bool:
    """True when a string in ``value`` (keys too) holds an unpaired surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _decode_json(text: str) -> tuple[Any, list[dict[str, Any]] | None]:
    """The value of one JSON line, or ``None`` and the errors that say why not."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, _one(f"not valid JSON: {exc.msg} (column {exc.colno})", "json_invalid")
    except (ValueError, RecursionError) as exc:  # int-to-str limit, nesting too deep
        (error,) = failure_errors(exc)
        return None, _one(f"not readable JSON: the line {error['msg']}", error["type"])
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) and _lone_surrogate(data):
        return None, _one(
            "a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); "
            "it is not Unicode text",
            "json_invalid",
        )
    return data, None


# --------------------------------------------------------------------------- JSONL


class _JsonlItems(Generic[T]):
    """The valid items of a JSONL source, one by one; its problems and the number of
    data lines read are counted as it goes (complete once it is exhausted)."""

    def __init__(
        self,
        source: _Source,
        code: ErrorCode,
        parse: Callable[[dict[str, Any]], T],
        progress: _Progress,
    ) -> None:
        self.source = source
        self.code = code
        self.parse: Callable[[dict[str, Any]], T] = parse
        self.progress = progress
        self.problems: list[InputProblem] = []
        self.lines = 0

    def __iter__(self) -> Iterator[T]:
        one = self.one
        for number, raw, done, too_long in _lines(self.source):
            item = one(number, raw, done, too_long)
            if item is not None:
                yield item

    def one(self, number: int, raw: bytes, done: int, too_long: bool) -> T | None:
        """The item of one line (as ``_lines`` gives it), or None: blank, or a problem
        (counted and kept)."""
        source, code = self.source, self.code
        self.progress.update(number, done)
        if too_long:
            self.lines += 1
            head = raw[:INPUT_SHOWN].decode("utf-8", "replace")
            limit = f"{MAX_LINE_BYTES:,} bytes"
            what = _one(f"the line is longer than {limit}; no event is that long", "too_long")
            self.problems.append(_problem(code, source.name, number, head, what))
            return None
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(
                _problem(
                    code,
                    source.name,
                    number,
                    raw[:INPUT_SHOWN].decode("utf-8", "replace"),
                    _one(
                        f"not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8",
                        "encoding",
                    ),
                )
            )
            self.lines += 1
            return None
        text = text.strip()
        if not text:
            return None
        self.lines += 1
        data, errors = _decode_json(text)
        if errors is None and not isinstance(data, dict):
            kind = _json_kind(data)
            errors = _one(f"expected a JSON object {{...}}, got {kind}", "object_type")
        if errors is None:
            try:
                return self.parse(data)
            except Exception as exc:  # any failure is this line's problem (see _problems)
                errors = list(failure_errors(exc))
        self.problems.append(_problem(code, source.name, number, _cut(text), errors))
        return None


def _read_jsonl(
    source: _Source,
    code: ErrorCode,
    parse: Callable[[dict[str, Any]], T],
    progress: _Progress,
) -> Loaded[T]:
    reader = _JsonlItems(source, code, parse, progress)
    items = tuple(reader)
    return Loaded(items, tuple(reader.problems), reader.lines)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


# ----------------------------------------------------------------------------- CSV


def _read_csv(
    source: _Source,
    parse: Callable[[dict[str, Any]], Shipment],
    progress: _Progress,
) -> Loaded[Shipment]:
    text = io.TextIOWrapper(source.handle, encoding="utf-8-sig", newline="")
    try:
        return _read_csv_rows(source, text, parse, progress)
    finally:
        # Hand the byte stream back: closing it is the caller's business (stdin!).
        text.detach()


def _position(handle: IO[bytes]) -> int:
    try:
        return handle.tell()
    except (OSError, ValueError):  # pipes cannot tell
        return 0


def _read_csv_rows(
    source: _Source,
    text: io.TextIOWrapper,
    parse: Callable[[dict[str, Any]], Shipment],
    progress: _Progress,
) -> Loaded[Shipment]:
    code = ErrorCode.INVALID_SHIPMENT
    try:
        reader = csv.reader(text)
        header = next(reader, None)
    except UnicodeDecodeError:
        raise InputFileError(source.name, "is not UTF-8 text; save it as UTF-8") from None
    except csv.Error as exc:
        raise InputFileError(source.name, f"is not valid CSV ({exc})") from None
    if header is None:
        return Loaded((), (), 0)
    columns = [name.strip().lower() for name in header]
    missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputFileError(
            source.name,
            f"the CSV header has no {' or '.join(missing)} column; the first row must name "
            f"the columns, e.g. {','.join(_REQUIRED_COLUMNS)},promised_at,...",
        )
    problems: list[InputProblem] = []
    keep: list[int] = []
    for i, name in enumerate(columns):
        if name in _SHIPMENT_COLUMNS:
            keep.append(i)
            continue
        close = difflib.get_close_matches(name, _SHIPMENT_COLUMNS, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        problems.append(
            _problem(
                code,
                source.name,
                1,
                name,
                _one(
                    f"unknown column {name!r} is ignored.{hint} Known columns: "
                    f"{', '.join(Shipment.model_fields)}",
                    "unknown_column",
                    (name,),
                ),
            )
        )
    items: list[Shipment] = []
    count = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError as exc:
            raise InputFileError(
                source.name, f"is not UTF-8 text near line {start} ({exc.reason}); save it as UTF-8"
            ) from None
        except csv.Error as exc:
            problems.append(
                _problem(
                    code, source.name, start, None, _one(f"not valid CSV: {exc}", "csv_invalid")
                )
            )
            continue
        count += 1
        progress.update(count, _position(source.handle))
        if not any(cell.strip() for cell in row):
            count -= 1
            continue
        if len(row) != len(columns):
            problems.append(
                _problem(
                    code,
                    source.name,
                    start,
                    row,
                    _one(
                        f"the row has {len(row)} cells but the header names "
                        f"{len(columns)} columns; quote cells that contain commas",
                        "csv_row_length",
                    ),
                )
            )
            continue
        data = {columns[i]: row[i].strip() for i in keep if row[i].strip()}
        try:
            items.append(parse(data))
        except Exception as exc:  # any failure is this row's problem (see _problems)
            problems.append(_problem(code, source.name, start, data, failure_errors(exc)))
    return Loaded(tuple(items), tuple(problems), count)


def _is_csv(source: _Source, path: str) -> bool:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return True
    if suffix in (".jsonl", ".ndjson", ".json"):
        return False
    # No telling suffix (or stdin): JSON lines start with "{", a CSV header does not.
    handle = source.handle
    if not isinstance(handle, io.BufferedReader):
        return False
    head = handle.peek(512)[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(head) and not head.startswith(b"{")


# ------------------------------------------------------------------------------ API


def read_events(
    path: str | os.PathLike[str],
    *,
    assume_tz: str | tzinfo | None = None,
    progress: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> Loaded[TrackingEvent]:
    """Read events from a JSONL file (one event object per line), or stdin for ``"-"``.

    Timestamps without a UTC offset are read in ``assume_tz`` when given, otherwise
    the line is reported.  ``progress`` is a stream (usually ``sys.stderr``) that gets
    a progress bar when it is a terminal.  Raises ``InputFileError`` when the file
    cannot be opened.
    """
    source = _open(path, stdin)
    bar = _Progress(progress, f"reading {source.name}", source.size)
    try:
        return _read_jsonl(
            source,
            ErrorCode.INVALID_EVENT,
            lambda data: TrackingEvent.parse(data, assume_tz=assume_tz),
            bar,
        )
    finally:
        bar.finish()
        if source.close:
            source.handle.close()


class _EventLines:
    """A JSONL events file read one line at a time, for the chunked readers: the
    source, its progress bar and its items (problems and line count included)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        assume_tz: str | tzinfo | None,
        progress: IO[str] | None,
        stdin: IO[bytes] | None,
    ) -> None:
        self._source = _open(path, stdin)
        self._bar = _Progress(progress, f"reading {self._source.name}", self._source.size)
        self._items = _JsonlItems(
            self._source,
            ErrorCode.INVALID_EVENT,
            lambda data: TrackingEvent.parse(data, assume_tz=assume_tz),
            self._bar,
        )

    @property
    def problems(self) -> tuple[InputProblem, ...]:
        return tuple(self._items.problems)

    @property
    def lines(self) -> int:
        return self._items.lines

    def _done(self) -> None:
        """Once the iteration ends, however it ends: the bar finished, the file closed."""
        self._bar.finish()
        if self._source.close:
            self._source.handle.close()


class EventChunks(_EventLines):
    """``read_events`` a chunk at a time, so a large file is never held as events.

    Iterate for lists of at most ``size`` valid events, in file order; ``problems``
    and ``lines`` are complete once the iteration ends, and the file is closed then.
    Raises ``InputFileError`` at once when the file cannot be opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        size: int = 20_000,
        assume_tz: str | tzinfo | None = None,
        progress: IO[str] | None = None,
        stdin: IO[bytes] | None = None,
    ) -> None:
        super().__init__(path, assume_tz, progress, stdin)
        self._size = size

    def __iter__(self) -> Iterator[list[TrackingEvent]]:
        size = self._size
        try:
            chunk: list[TrackingEvent] = []
            for item in self._items:
                chunk.append(item)
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
        finally:
            self._done()


def read_shipments(
    path: str | os.PathLike[str],
    *,
    assume_tz: str | tzinfo | None = None,
    progress: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> Loaded[Shipment]:
    """Read shipments from JSONL or CSV (by the ``.csv`` suffix, or by content).

    A CSV file's first row names the columns (the ``Shipment`` field names, at least
    ``tracking_number`` and ``carrier``); empty cells mean "not known".  Unknown
    columns are reported once, at line 1, and ignored.
    """
    source = _open(path, stdin)
    bar = _Progress(progress, f"reading {source.name}", source.size)

    def parse(data: dict[str, Any]) -> Shipment:
        return Shipment.parse(data, assume_tz=assume_tz)

    try:
        if _is_csv(source, os.fspath(path)):
            return _read_csv(source, parse, bar)
        return _read_jsonl(source, ErrorCode.INVALID_SHIPMENT, parse, bar)
    finally:
        bar.finish()
        if source.close:
            source.handle.close()
