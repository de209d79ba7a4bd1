"""Fuzzing JSONL event lines (issue 11, section 3): one bad line never aborts the rest.

Valid event lines are mixed with hostile ones: nesting 100,000 deep, numbers of
thousands of digits or beyond a float, odd JSON types in every field, timestamps
outside the supported range, NUL and other control bytes, invalid UTF-8, lone
surrogate escapes, arbitrary bytes and truncated lines.  Through ``read_events`` and
``logix run`` (in process), every non-blank line is either an event or a problem
reported with its line number, the valid lines are all read, and ``--format json`` /
``jsonl`` print strict JSON (no ``NaN``, no ``Infinity``, encodable as UTF-8).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logix_rules.cli._main import main
from logix_rules.runtime._io import read_events

BOUNDED = settings(deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])

BASE: dict[str, Any] = {
    "tracking_number": "M1",
    "carrier": "dhl",
    "status": "in_transit",
    "occurred_at": "2026-03-01T10:00:00+01:00",
    "location": {"country": "DE", "city": "Leipzig"},
    "description": "Arrived at the hub",
    "attributes": {"n": 1},
    "source": {"system": "dhl", "code": "AA"},
}
FIELDS = [
    "tracking_number",
    "carrier",
    "status",
    "reason",
    "occurred_at",
    "utc_offset_minutes",
    "description",
    "attributes",
    "location",
    "source",
    "event_id",
]
HUGE_NUMBERS = [
    "1" * 5000,
    "-" + "9" * 4301,
    "1" * 4300 + ".5",
    "0." + "0" * 5000 + "1",
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e15",
    "999999999999999.9",
]
BAD_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00-01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "1969-12-31T23:59:59.999999Z",
    "1970-01-01T00:30:00+01:00",
    "2026-02-30T10:00:00Z",
    "2026-03-01T10:00:00+25:00",
    "2026-03-01 10:00",
    "",
]
ODD_BYTES = [b"\x00", b"\x01", b"\x1f", b"\x7f", b"\xc0", b"\xff", b"\xed\xa0\x80", b"\x85"]
SURROGATES = ["\\ud800", "\\udfff", "\\ud83d", "x\\udc00y", "\\ud83d\\ude00"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["in_transit", "2026-03-01T10:00:00Z", "DE"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _with(field: str, raw_json: str) -> bytes:
    """BASE with ``field`` set to ``raw_json``, JSON text pasted as it is."""
    marker = "\u2603marker\u2603"
    text = json.dumps({**BASE, field: marker}, ensure_ascii=False)
    return text.replace(json.dumps(marker, ensure_ascii=False), raw_json).encode()


@st.composite
def _deep(draw: st.DrawFn) -> bytes:
    depth = draw(st.sampled_from([10, 900, 1100, 5000, 100_000]))
    opener, closer = draw(
        st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"attributes":{"n":', "}}")])
    )
    return (opener * depth + "1" + closer * depth).encode()


@st.composite
def _huge_number(draw: st.DrawFn) -> bytes:
    number = draw(st.sampled_from(HUGE_NUMBERS))
    if draw(st.booleans()):
        return _with("attributes", f'{{"n": {number}}}')
    return _with(draw(st.sampled_from(FIELDS)), number)


@st.composite
def _odd_type(draw: st.DrawFn) -> bytes:
    value = json.dumps(draw(json_values))  # NaN and Infinity tokens included
    return _with(draw(st.sampled_from(FIELDS)), value)


@st.composite
def _bad_time(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(BAD_TIMES) | st.text(max_size=40))
    return _with("occurred_at", json.dumps(text))


@st.composite
def _odd_byte(draw: st.DrawFn) -> bytes:
    line = json.dumps(BASE).encode()
    at = draw(st.integers(0, len(line)))
    return line[:at] + draw(st.sampled_from(ODD_BYTES)) + line[at:]


@st.composite
def _surrogate(draw: st.DrawFn) -> bytes:
    field = draw(st.sampled_from(["description", "tracking_number", "attributes"]))
    escape = draw(st.sampled_from(SURROGATES))
    if field == "attributes":
        return _with(field, f'{{"{escape}": "{escape}"}}')
    return _with(field, f'"{escape}"')


@st.composite
def _truncated(draw: st.DrawFn) -> bytes:
    line = json.dumps(BASE).encode()
    return line[: draw(st.integers(0, len(line) - 1))]


hostile_lines = st.one_of(
    _deep(),
    _huge_number(),
    _odd_type(),
    _bad_time(),
    _odd_byte(),
    _surrogate(),
    _truncated(),
    st.binary(max_size=80),
).map(lambda raw: raw.replace(b"\n", b" "))


@st.composite
def event_files(draw: st.DrawFn) -> tuple[list[bytes], set[str]]:
    """Lines of a JSONL file, and the tracking numbers of its known-good lines."""
    lines: list[bytes] = []
    good: set[str] = set()
    for index in range(draw(st.integers(1, 10))):
        if draw(st.booleans()):
            number = f"G{index}"
            good.add(number)
            lines.append(json.dumps({**BASE, "tracking_number": number}).encode())
        else:
            lines.append(draw(hostile_lines))
    return lines, good


def _data_lines(lines: list[bytes]) -> list[int]:
    """Line numbers that hold data: undecodable, or not blank once decoded."""
    numbers = []
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            numbers.append(number)
            continue
        if text.strip():
            numbers.append(number)
    return numbers


def _write(folder: str, lines: list[bytes]) -> Path:
    path = Path(folder) / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.slow
@BOUNDED
@given(event_files())
def test_read_events_reports_every_bad_line_and_keeps_the_good(
    case: tuple[list[bytes], set[str]],
) -> None:
    lines, good = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, lines)
        loaded = read_events(path)
    data = _data_lines(lines)
    assert loaded.lines == len(data)
    assert len(loaded.items) + len(loaded.problems) == len(data)
    assert good <= {event.tracking_number for event in loaded.items}
    indices = [problem.index for problem in loaded.problems]
    assert len(set(indices)) == len(indices)
    assert set(indices) <= set(data)
    for problem in loaded.problems:
        assert problem.source == str(path)
        message = str(problem)
        assert message.startswith(f"{path}:{problem.index}: invalid_event: ")
        assert len(message) < 2000  # a line's problem never echoes the whole line
        json.dumps(problem.errors, allow_nan=False)
        assert len(problem.input) <= 200


@pytest.mark.slow
@BOUNDED
@given(event_files(), st.sampled_from(["json", "jsonl", "table"]))
def test_logix_run_reports_bad_lines_and_prints_valid_output(
    case: tuple[list[bytes], set[str]], fmt: str
) -> None:
    lines, good = case
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, lines)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = ["--events", str(path), "--format", fmt, "--max-problems", "0"]
            status = main(["run", "--pack", "default", *args])
        loaded = read_events(path)
    assert status == (0 if loaded.items else 1)  # 1: not one line could be read
    printed, messages = out.getvalue(), err.getvalue()
    printed.encode("utf-8")  # what a real terminal or pipe must be able to take
    messages.encode("utf-8")
    assert "Traceback" not in messages
    for problem in loaded.problems:
        assert f"skipped {path}:{problem.index}: " in messages
    if fmt == "json":
        document = _strict(printed)
        assert document["events"] == len(loaded.items) >= len(good)
        assert document["skipped_lines"] == len(loaded.problems)
    elif fmt == "jsonl":
        for line in printed.splitlines():
            _strict(line)
