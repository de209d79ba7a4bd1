"""Scenario tests next to rule packs: ``mypack.tests.yaml``, ``logix test`` and pytest.

A scenario file lists cases.  Each case is one parcel: its shipment facts, its
events (times may be relative to a ``base`` time, like ``+26h``) and evaluation
points, each with the incidents expected open at that instant::

    base: 2026-03-02T08:00:00Z
    defaults:
      shipment: {tracking_number: T1, carrier: dhl, origin_country: DE,
                 destination_country: DE, promised_at: +10d}
    cases:
      - name: a stall opens exactly 24 h after the last scan
        events:
          - {at: +2h, status: in_transit}
        points:
          - {at: +25h59m, expect: none}
          - {at: +26h, expect: [{kind: tracking_stall, severity: P3, opened_at: +26h}]}

At each point the pack is evaluated in batch (``evaluate``) over the events up to
that instant; the expected list is the exact set of open incidents unless the point
says ``exact: false``.  A failing point reports the difference and the rule trace of
``explain`` at that instant.

The pack under test is the file's ``pack:`` (a built-in name or a path relative to
the file) or, by default, the pack file beside it: ``mypack.yaml`` for
``mypack.tests.yaml``.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from logix_carriers import Shipment, TrackingEvent

from ..compiler._model import BUILTIN_PACKS
from ..compiler._suggest import suggest
from ..compiler._yaml import Marks, load_marked
from ..core._durations import parse_duration
from ._scenario_model import (
    SUFFIX,
    Case,
    ExpectedEscalation,
    ExpectedIncident,
    Point,
    ScenarioError,
    ScenarioFile,
    ScenarioIssue,
)

__all__ = ["find_scenario_files", "load_scenarios"]


_FILE_KEYS = ("pack", "base", "defaults", "cases", "description")
_DEFAULT_KEYS = ("shipment", "event")
_CASE_KEYS = (
    "name",
    "description",
    "base",
    "tracking_number",
    "shipment",
    "events",
    "points",
    "at",
    "expect",
    "exact",
)
_POINT_KEYS = ("at", "expect", "exact")
_EXPECT_KEYS = (
    "kind",
    "severity",
    "remedy",
    "amounts",
    "opened_at",
    "deadlines",
    "rules",
    "escalations",
)
_ESCALATION_KEYS = ("what", "at", "target")
_RELATIVE = re.compile(r"^([+-])\s*(.+)$")
_NONE_WORDS = ("none", "nothing")


# -- loading -------------------------------------------------------------------------------
class _Reader:
    """Turns the YAML document into cases, collecting every problem on the way."""

    def __init__(self, file: str, marks: Marks) -> None:
        self.file = file
        self.marks = marks
        self.issues: list[ScenarioIssue] = []

    def where(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        probe = path
        while probe not in self.marks and probe:
            probe = probe[:-1]
        return self.marks.get(probe, (0, 0))

    def issue(self, path: tuple[str | int, ...], msg: str, hint: str = "") -> None:
        line, column = self.where(path)
        self.issues.append(ScenarioIssue(self.file, line, column, msg, hint))

    def mapping(
        self, path: tuple[str | int, ...], value: Any, keys: tuple[str, ...], what: str
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.issue(path, f"{what} must be a mapping, got {_kind(value)}")
            return None
        for key in value:
            if key not in keys:
                self.issue(
                    (*path, key),
                    f"unknown key {key!r} in {what}.{suggest(str(key), keys)}",
                    "Allowed keys: " + ", ".join(keys) + ".",
                )
        return value

    def time(
        self, path: tuple[str | int, ...], value: Any, base: datetime | None
    ) -> datetime | None:
        """An absolute ISO-8601 time, or a time relative to ``base`` such as ``+26h``."""
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self.issue(
                    path,
                    f"time {value.isoformat()} has no UTC offset",
                    "Add one, e.g. 2026-03-02T08:00:00Z, or write a relative time like +26h.",
                )
                return None
            return value
        if isinstance(value, date):
            self.issue(path, f"{value.isoformat()} is a date; a time is needed", "e.g. +26h")
            return None
        text = str(value).strip() if isinstance(value, str | int | float) else ""
        match = _RELATIVE.match(text)
        if match:
            if base is None:
                self.issue(
                    path,
                    f"relative time {text!r} needs a base time",
                    "Add 'base: 2026-03-02T08:00:00Z' at the top of the file or to the case.",
                )
                return None
            try:
                micros = parse_duration(match.group(2))
            except ValueError as exc:
                self.issue(path, str(exc), "Relative times look like +26h, +1d2h or -30m.")
                return None
            delta = timedelta(microseconds=micros)
            return base + delta if match.group(1) == "+" else base - delta
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            self.issue(
                path,
                f"{value!r} is not a time",
                "Write an ISO-8601 time with offset (2026-03-02T08:00:00Z) or a relative "
                "time (+26h, +1d2h, -30m).",
            )
            return None
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.issue(path, f"time {text!r} has no UTC offset", "Add one, e.g. Z or +01:00.")
            return None
        return moment

    # -- the document ------------------------------------------------------------------
    def document(self, data: Any) -> tuple[str | None, int, list[Case]]:
        top = self.mapping((), data, _FILE_KEYS, "a scenario file")
        if top is None:
            return None, 0, []
        pack = top.get("pack")
        if pack is not None and not isinstance(pack, str):
            self.issue(("pack",), "'pack' must be a pack name or a path")
            pack = None
        base = self.time(("base",), top["base"], None) if "base" in top else None
        defaults = top.get("defaults") or {}
        defaults = self.mapping(("defaults",), defaults, _DEFAULT_KEYS, "'defaults'") or {}
        shipment_default = defaults.get("shipment")
        event_default = defaults.get("event") or {}
        if shipment_default is not None and not isinstance(shipment_default, dict):
            self.issue(("defaults", "shipment"), "'defaults.shipment' must be a mapping")
            shipment_default = None
        if not isinstance(event_default, dict):
            self.issue(("defaults", "event"), "'defaults.event' must be a mapping")
            event_default = {}
        raw_cases = top.get("cases")
        if not isinstance(raw_cases, list) or not raw_cases:
            self.issue(("cases",), "a scenario file needs a non-empty list of 'cases'")
            return pack, self.where(("pack",))[0], []
        cases = []
        names: dict[str, int] = {}
        for index, raw in enumerate(raw_cases):
            case = self.case(("cases", index), raw, base, shipment_default, event_default)
            if case is None:
                continue
            if case.name in names:
                self.issue(
                    ("cases", index, "name"),
                    f"case name {case.name!r} is already used by cases[{names[case.name]}]",
                    "Give every case its own name: it is how failures are reported.",
                )
            names[case.name] = index
            cases.append(case)
        return pack, self.where(("pack",))[0] if pack else 0, cases

    def case(
        self,
        path: tuple[str | int, ...],
        raw: Any,
        file_base: datetime | None,
        shipment_default: dict[str, Any] | None,
        event_default: dict[str, Any],
    ) -> Case | None:
        data = self.mapping(path, raw, _CASE_KEYS, "a case")
        if data is None:
            return None
        before = len(self.issues)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            self.issue(path, "a case needs a 'name'", "e.g. name: stall opens at 24h")
            name = f"cases[{path[-1]}]"
        base = self.time((*path, "base"), data["base"], None) if "base" in data else file_base

        shipment: Shipment | None = None
        if "shipment" in data:
            raw_shipment = data["shipment"]
            merged = None if raw_shipment is None else {**(shipment_default or {}), **raw_shipment}
            if raw_shipment is not None and not isinstance(raw_shipment, dict):
                self.issue((*path, "shipment"), "'shipment' must be a mapping (or null)")
                merged = None
        else:
            merged = dict(shipment_default) if shipment_default is not None else None
        if merged is not None:
            shipment = self.shipment((*path, "shipment"), merged, base, data, event_default)

        number = data.get("tracking_number")
        if number is None:
            number = (
                shipment.tracking_number
                if shipment is not None
                else event_default.get("tracking_number", "T1")
            )
        carrier = shipment.carrier if shipment is not None else event_default.get("carrier", "test")
        events = []
        raw_events = data.get("events") or []
        if not isinstance(raw_events, list):
            self.issue((*path, "events"), "'events' must be a list")
            raw_events = []
        for index, raw_event in enumerate(raw_events):
            event = self.event(
                (*path, "events", index), raw_event, base, event_default, str(number), carrier
            )
            if event is not None:
                events.append(event)

        points: list[Point] = []
        if "points" in data:
            if "at" in data or "expect" in data:
                self.issue(
                    path,
                    "a case has either 'points' or a single 'at' and 'expect', not both",
                )
            raw_points = data["points"]
            if not isinstance(raw_points, list) or not raw_points:
                self.issue((*path, "points"), "'points' must be a non-empty list")
                raw_points = []
            for index, raw_point in enumerate(raw_points):
                point = self.point((*path, "points", index), raw_point, base)
                if point is not None:
                    points.append(point)
        elif "at" in data:
            point = self.point(path, {k: data[k] for k in _POINT_KEYS if k in data}, base)
            if point is not None:
                points.append(point)
        else:
            self.issue(
                path,
                f"case {name!r} has no evaluation point",
                "Add 'points: [{at: +26h, expect: none}]' (or 'at:' and 'expect:').",
            )
        if len(self.issues) > before:
            return None
        line = self.where(path)[0]
        return Case(
            name=name,
            file=self.file,
            line=line,
            tracking_number=str(number),
            base=base,
            shipment=shipment,
            events=tuple(events),
            points=tuple(points),
        )

    def shipment(
        self,
        path: tuple[str | int, ...],
        raw: dict[str, Any],
        base: datetime | None,
        case: dict[str, Any],
        event_default: dict[str, Any],
    ) -> Shipment | None:
        data = dict(raw)
        for key in ("shipped_at", "promised_at"):
            if data.get(key) is not None:
                data[key] = self.time((*path, key), data[key], base)
        if "tracking_number" not in data:
            data["tracking_number"] = case.get(
                "tracking_number", event_default.get("tracking_number", "T1")
            )
        data.setdefault("carrier", event_default.get("carrier", "test"))
        try:
            return Shipment.parse(data)
        except ValidationError as exc:
            self.validation(path, "shipment", exc)
            return None

    def event(
        self,
        path: tuple[str | int, ...],
        raw: Any,
        base: datetime | None,
        event_default: dict[str, Any],
        number: str,
        carrier: str,
    ) -> TrackingEvent | None:
        if not isinstance(raw, dict):
            self.issue(path, f"an event must be a mapping, got {_kind(raw)}")
            return None
        data = {"tracking_number": number, "carrier": carrier, **event_default, **raw}
        if "at" in data:
            if "occurred_at" in raw:
                self.issue(path, "an event has 'at' or 'occurred_at', not both")
                return None
            data["occurred_at"] = data.pop("at")
        if "occurred_at" not in data:
            self.issue(path, "an event needs 'at' (its time)", "e.g. {at: +2h, status: in_transit}")
            return None
        key = "at" if "at" in raw else "occurred_at"
        moment = self.time((*path, key), data["occurred_at"], base)
        if moment is None:
            return None
        data["occurred_at"] = moment
        if isinstance(data.get("source"), str):
            data["source"] = {"system": data["source"]}
        try:
            return TrackingEvent.parse(data)
        except ValidationError as exc:
            self.validation(path, "event", exc)
            return None

    def validation(self, path: tuple[str | int, ...], what: str, exc: ValidationError) -> None:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or what
            target = (*path, *loc) if (*path, *loc) in self.marks else path
            self.issue(target, f"{what} {field}: {err['msg']}")

    def point(self, path: tuple[str | int, ...], raw: Any, base: datetime | None) -> Point | None:
        data = self.mapping(path, raw, _POINT_KEYS, "a point")
        if data is None:
            return None
        if "at" not in data:
            self.issue(path, "a point needs 'at'", "e.g. {at: +26h, expect: none}")
            return None
        at = self.time((*path, "at"), data["at"], base)
        if "expect" not in data:
            self.issue(
                path,
                "a point needs 'expect': a list of incidents, or 'none'",
                "e.g. expect: [{kind: tracking_stall, severity: P3}]",
            )
            return None
        exact = data.get("exact", True)
        if not isinstance(exact, bool):
            self.issue((*path, "exact"), "'exact' must be true or false")
            exact = True
        expect = self.expectations((*path, "expect"), data["expect"], base)
        if at is None or expect is None:
            return None
        return Point(at, tuple(expect), exact, self.where(path)[0])

    def expectations(
        self, path: tuple[str | int, ...], raw: Any, base: datetime | None
    ) -> list[ExpectedIncident] | None:
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in _NONE_WORDS):
            return []
        if not isinstance(raw, list):
            raw = [raw]
        out = []
        for index, item in enumerate(raw):
            expected = self.expected((*path, index), item, base)
            if expected is not None:
                out.append(expected)
        return out if len(out) == len(raw) else None

    def expected(
        self, path: tuple[str | int, ...], raw: Any, base: datetime | None
    ) -> ExpectedIncident | None:
        line = self.where(path)[0]
        if isinstance(raw, str):
            # Shorthand: "tracking_stall" or "tracking_stall P3".
            words = raw.split()
            if not 1 <= len(words) <= 2:
                self.issue(path, f"{raw!r} is not 'KIND' or 'KIND SEVERITY'")
                return None
            return ExpectedIncident(words[0], words[1] if len(words) == 2 else None, line=line)
        data = self.mapping(path, raw, _EXPECT_KEYS, "an expected incident")
        if data is None:
            return None
        before = len(self.issues)
        kind = data.get("kind")
        if not isinstance(kind, str):
            self.issue(path, "an expected incident needs its 'kind'")
        severity = data.get("severity")
        remedy = data.get("remedy")
        if remedy is not None and not isinstance(remedy, str):
            self.issue((*path, "remedy"), "'remedy' is the remedy code, e.g. freight_coupon")
        amounts: dict[str, Decimal] | None = None
        if "amounts" in data:
            raw_amounts = data["amounts"]
            if not isinstance(raw_amounts, dict):
                self.issue((*path, "amounts"), "'amounts' maps remedy item codes to amounts")
            else:
                amounts = {}
                for code, value in raw_amounts.items():
                    try:
                        amounts[str(code)] = Decimal(str(value))
                    except InvalidOperation:
                        self.issue((*path, "amounts", code), f"{value!r} is not an amount")
        opened = (
            self.time((*path, "opened_at"), data["opened_at"], base)
            if "opened_at" in data
            else None
        )
        deadlines: dict[str, datetime] | None = None
        if "deadlines" in data:
            raw_deadlines = data["deadlines"]
            if not isinstance(raw_deadlines, dict):
                self.issue((*path, "deadlines"), "'deadlines' maps deadline names to times")
            else:
                deadlines = {}
                for name, value in raw_deadlines.items():
                    moment = self.time((*path, "deadlines", name), value, base)
                    if moment is not None:
                        deadlines[str(name)] = moment
        rules: tuple[str, ...] | None = None
        if "rules" in data:
            raw_rules = data["rules"]
            if isinstance(raw_rules, str):
                raw_rules = [raw_rules]
            if not isinstance(raw_rules, list) or not all(isinstance(r, str) for r in raw_rules):
                self.issue((*path, "rules"), "'rules' is a list of rule ids")
            else:
                rules = tuple(raw_rules)
        escalations = (
            self.escalations((*path, "escalations"), data["escalations"], base)
            if "escalations" in data
            else None
        )
        if len(self.issues) > before or not isinstance(kind, str):
            return None
        return ExpectedIncident(
            kind=kind,
            severity=None if severity is None else str(severity),
            remedy=remedy,
            amounts=amounts,
            opened_at=opened,
            deadlines=deadlines,
            rules=rules,
            escalations=escalations,
            line=line,
        )

    def escalations(
        self, path: tuple[str | int, ...], raw: Any, base: datetime | None
    ) -> tuple[ExpectedEscalation, ...] | None:
        """``[respond, {what: claim, at: +1d, target: management}]``: the follow-up
        deadlines that passed, in order (a name alone checks only the name)."""
        if not isinstance(raw, list):
            self.issue(path, "'escalations' lists what escalated, e.g. [respond, escalate]")
            return None
        out = []
        for index, item in enumerate(raw):
            where = (*path, index)
            if isinstance(item, str):
                out.append(ExpectedEscalation(item))
                continue
            data = self.mapping(where, item, _ESCALATION_KEYS, "an expected escalation")
            if data is None or not isinstance(data.get("what"), str):
                self.issue(where, "an escalation names 'what' escalated, e.g. {what: claim}")
                continue
            at = self.time((*where, "at"), data["at"], base) if "at" in data else None
            out.append(ExpectedEscalation(data["what"], at, "target" in data, data.get("target")))
        return tuple(out)


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Read and check a scenario file; raises ``ScenarioError`` listing every problem."""
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError(
            [ScenarioIssue(str(file), 0, 0, f"cannot read the file ({reason})")]
        ) from None
    data, marks, problems = load_marked(text, str(file))
    if problems:
        raise ScenarioError(
            [ScenarioIssue(p.file, p.line, p.column, p.msg, p.hint) for p in problems]
        )
    if data is None:
        raise ScenarioError([ScenarioIssue(str(file), 0, 0, "the scenario file is empty")])
    reader = _Reader(str(file), marks)
    pack, pack_line, cases = reader.document(data)
    if reader.issues:
        raise ScenarioError(reader.issues)
    return ScenarioFile(file, pack, tuple(cases), pack_line)


def find_scenario_files(refs: Iterable[str]) -> list[Path]:
    """Scenario files named by ``refs``: files, directories (searched recursively for
    ``*.tests.yaml``), pack files (their sibling tests file) or built-in pack names.

    Raises ``FileNotFoundError`` naming the first reference that leads nowhere.
    """
    out: list[Path] = []
    for ref in refs:
        if ref in BUILTIN_PACKS and not Path(ref).exists():
            resource = importlib.resources.files("logix_rules").joinpath("packs", f"{ref}{SUFFIX}")
            out.append(Path(str(resource)))
            continue
        path = Path(ref)
        if path.is_dir():
            found = sorted(path.rglob(f"*{SUFFIX}"))
            if not found:
                raise FileNotFoundError(f"no *{SUFFIX} files under {ref}")
            out.extend(found)
        elif path.is_file() and path.name.endswith(SUFFIX):
            out.append(path)
        elif path.is_file() and path.suffix in (".yaml", ".yml"):
            sibling = path.with_name(path.name[: -len(path.suffix)] + SUFFIX)
            if not sibling.is_file():
                raise FileNotFoundError(f"{ref} is a pack without a {sibling.name} beside it")
            out.append(sibling)
        else:
            hint = suggest(ref, BUILTIN_PACKS)
            raise FileNotFoundError(f"no scenario file, directory or pack {ref!r}.{hint}")
    return list(dict.fromkeys(out))
