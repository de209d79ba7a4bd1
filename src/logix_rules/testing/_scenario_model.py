"""What a scenario file holds once loaded: cases, evaluation points, expectations,
and the problems that keep a file from being used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import attrs

from logix_carriers import Shipment, TrackingEvent

from ..compiler._load import load_pack
from ..compiler._model import BUILTIN_PACKS, Pack
from ..core._durations import format_span, to_micros
from ..core._errors import LogixError
from ..runtime._explanation import format_instant

__all__ = [
    "SUFFIX",
    "Case",
    "ExpectedEscalation",
    "ExpectedIncident",
    "Point",
    "ScenarioError",
    "ScenarioFile",
    "ScenarioIssue",
]


#: Scenario files end with this; ``mypack.tests.yaml`` tests ``mypack.yaml``.
SUFFIX = ".tests.yaml"


# -- errors --------------------------------------------------------------------------------
@attrs.frozen
class ScenarioIssue:
    """One problem in a scenario file, with its position and what to do."""

    file: str
    line: int
    column: int
    msg: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.msg}" + (f" {self.hint}" if self.hint else "")


class ScenarioError(LogixError):
    """A scenario file cannot be used; ``issues`` lists every problem found in it."""

    def __init__(self, issues: Sequence[ScenarioIssue]) -> None:
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in scenario file"
        super().__init__("\n".join([head, *(f"  {i}" for i in self.issues)]))


# -- the parsed file -----------------------------------------------------------------------
@attrs.frozen
class ExpectedEscalation:
    """One follow-up deadline expected to have passed: its name (``respond``,
    ``escalate``, ``resolve`` or a kind-specific deadline), and when given its instant
    and its target."""

    what: str
    at: datetime | None = None
    has_target: bool = False
    target: str | None = None


@attrs.frozen
class ExpectedIncident:
    """What a case expects of one open incident; ``None`` fields are not checked."""

    kind: str
    severity: str | None = None
    remedy: str | None = None
    amounts: Mapping[str, Decimal] | None = None
    opened_at: datetime | None = None
    deadlines: Mapping[str, datetime] | None = None
    rules: tuple[str, ...] | None = None
    escalations: tuple[ExpectedEscalation, ...] | None = None
    line: int = 0


@attrs.frozen
class Point:
    """An evaluation point: the instant and the incidents expected open then."""

    at: datetime
    expect: tuple[ExpectedIncident, ...]
    exact: bool = True
    line: int = 0


@attrs.frozen
class Case:
    """One parcel's story and the evaluation points to check."""

    name: str
    file: str
    line: int
    tracking_number: str
    base: datetime | None
    shipment: Shipment | None
    events: tuple[TrackingEvent, ...]
    points: tuple[Point, ...]

    def relative(self, moment: datetime) -> str:
        """``+26h (2026-03-03T10:00Z)``: an instant as the case would write it."""
        if self.base is None:
            return format_instant(moment)
        delta = to_micros(moment) - to_micros(self.base)
        sign = "-" if delta < 0 else "+"
        return f"{sign}{format_span(abs(delta))} ({format_instant(moment)})"


@attrs.frozen
class ScenarioFile:
    """A loaded scenario file: where it is, which pack it tests, its cases."""

    path: Path
    pack_ref: str | None
    cases: tuple[Case, ...]
    pack_line: int = 0

    def resolve_pack(self) -> str:
        """The pack this file tests: ``pack:``, else the pack file beside it."""
        if self.pack_ref is not None:
            if self.pack_ref in BUILTIN_PACKS:
                return self.pack_ref
            path = Path(self.pack_ref)
            return str(path if path.is_absolute() else self.path.parent / path)
        stem = self.path.name[: -len(SUFFIX)] if self.path.name.endswith(SUFFIX) else None
        if stem:
            for ext in (".yaml", ".yml"):
                sibling = self.path.with_name(stem + ext)
                if sibling.is_file():
                    return str(sibling)
        raise ScenarioError(
            [
                ScenarioIssue(
                    str(self.path),
                    0,
                    0,
                    "no pack to test",
                    f"Add 'pack: <built-in name or path>' to the file, or put the pack beside "
                    f"it as {stem or 'NAME'}.yaml.",
                )
            ]
        )

    def load_pack(self) -> Pack:
        return load_pack(self.resolve_pack())
