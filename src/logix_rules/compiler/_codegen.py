"""Rule packs: the compiled objects (``Pack``, ``Rule``, ``Param``...) and ``load_pack``.

The compiler is an ordered list of named stages, each a function over one
``_Build``; every stage adds to the same issue list so that a pack with many
mistakes is reported in one go (see ``STAGES``):

1. ``parse``     YAML (safe) with line marks, following ``extends`` to the base packs.
2. ``validate``  the document schema: keys, types, identifiers, duplicates.
3. ``resolve``   merge base and child, parse params/durations, resolve severities.
4. ``typecheck`` compile every expression against the namespace (names, fields, types).
5. ``compile``   generate one Python module per pack, registered in ``linecache``.

The runtime trusts what the compiler proved and checks nothing again.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import linecache
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import attrs

from logix_carriers import FINAL_STATUSES, STAGE_ORDER, Reason, Stage, Status, default_stage
from logix_carriers._countries import is_country_code

from ..core._durations import format_duration, from_micros, parse_duration
from ..core._errors import ErrorCode, PackError, PackIssue
from ..core._helpers import RUNTIME_GLOBALS
from ..core._records import ATTRS, KIND, KIND_FIELDS, NO_EVENT, REASON, REPORT, STAGE, STATUS, T
from ._expr import (
    ANY,
    ATTR_TYPES,
    BOOL,
    DATETIME,
    DURATION,
    LIST,
    NUMBER,
    STR,
    CompiledExpr,
    ExprContext,
    ExprError,
    Tracker,
    Ty,
    compile_expr,
    suggest,
)
from ._yaml import KEY_MARK, Marks, load_marked

__all__ = [
    "BUILTIN_PACKS",
    "STAGES",
    "Pack",
    "Param",
    "Probe",
    "RemedySpec",
    "Rule",
    "Severity",
    "Step",
    "compile_probe",
    "expression_context",
    "load_pack",
    "loads_pack",
]

FORMAT_VERSION = 1
BUILTIN_PACKS = ("default",)
ParamType = Literal[
    "duration", "number", "integer", "percent", "money", "string", "boolean", "strings"
]
PARAM_TYPES: tuple[str, ...] = ParamType.__args__  # type: ignore[attr-defined]
SELECTORS = (
    "scope",
    "destination_country",
    "origin_country",
    "lane",
    "carrier",
    "service_level",
    "category",
)
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
Loc = tuple[str | int, ...]
_LANE = re.compile(r"^[A-Z]{2}-[A-Z]{2}$")
_CENT = Decimal("0.01")

# -- the namespace conditions are written against ------------------------------------------
_OPT_STR = STR.opt()
STATE_NAMES: dict[str, tuple[Ty, str, str]] = {
    "status": (Ty("str", True, "status"), "s.status", "status of the latest carrier scan"),
    "stage": (Ty("str", True, "stage"), "s.stage", "stage of the latest carrier scan"),
    "reason": (Ty("str", True, "reason"), "s.reason", "reason of the latest carrier scan"),
    "final": (BOOL, "s.final", "the latest scan's status is delivered, returned or cancelled"),
    "delivered_at": (DATETIME.opt(), "s.delivered_at", "time of the first delivered scan"),
    "first_event": (DATETIME.opt(), "s.first_event", "time of the first event of any kind"),
    "last_event": (DATETIME.opt(), "s.last_event", "time of the latest event of any kind"),
    "first_scan": (DATETIME.opt(), "s.first_scan", "time of the first carrier scan"),
    "last_scan": (DATETIME.opt(), "s.last_scan", "time of the latest carrier scan"),
    "status_entered": (DATETIME.opt(), "s.status_entered", "when the current status began"),
    "stage_entered": (DATETIME.opt(), "s.stage_entered", "when the current stage began"),
    "events": (NUMBER, "s.n_events", "number of distinct events (scans and reports)"),
    "scans": (NUMBER, "s.n_scans", "number of distinct carrier scans"),
    "stage_regressions": (NUMBER, "s.regressions", "times a scan's stage went backwards"),
    "events_after_delivery": (
        NUMBER,
        "s.after_delivery",
        "carrier scans after the first delivered scan, returns excluded",
    ),
}
SHIPMENT_FIELDS: dict[str, Ty] = {
    "tracking_number": STR,
    "carrier": STR,
    "origin_country": _OPT_STR,
    "destination_country": _OPT_STR,
    "lane": _OPT_STR,
    "cross_border": BOOL,
    "service_level": _OPT_STR,
    "shipped_at": DATETIME.opt(),
    "promised_at": DATETIME.opt(),
    "declared_value": NUMBER.opt(),
    "freight_cost": NUMBER.opt(),
    "currency": _OPT_STR,
    "insured": BOOL,
    "category": _OPT_STR,
    "order_id": _OPT_STR,
}
EVENT_FIELDS: dict[str, tuple[Ty, str]] = {
    "status": (Ty("str", True, "status"), "status"),
    "stage": (Ty("str", True, "stage"), "stage"),
    "reason": (Ty("str", True, "reason"), "reason"),
    "at": (DATETIME.opt(), "t"),
    "system": (_OPT_STR, "system"),
    "report": (BOOL, "report"),
    "country": (_OPT_STR, "country"),
    "code": (_OPT_STR, "code"),
}
ENUMS: dict[str, frozenset[str]] = {
    "status": frozenset(s.value for s in Status),
    "stage": frozenset(s.value for s in Stage),
    "reason": frozenset(r.value for r in Reason),
}
TRACKER_FIELDS = {
    "status": "status",
    "stage": "stage",
    "reason": "reason",
    "system": "",
    "report": "bool",
}
ANCHOR_NAMES = tuple(n for n, (ty, _, _) in STATE_NAMES.items() if ty.base == "datetime")


# -- compiled objects ----------------------------------------------------------------------
@attrs.frozen
class Param:
    """A typed pack parameter; ``values`` maps ``by``-keys to overrides of ``default``."""

    name: str
    type: str
    default: Any
    by: tuple[str, ...] | None = None
    values: Mapping[str, Any] = attrs.field(factory=dict)
    doc: str = ""
    currency: str | None = None

    def display(self, value: Any) -> str:
        if self.type == "duration":
            return format_duration(value)
        if self.type == "percent":
            return f"{value * 100:g}%"
        if self.type == "money" and self.currency:
            return f"{value:g} {self.currency}"
        return str(value)


@attrs.frozen
class Severity:
    """A severity level and its follow-up windows (microseconds)."""

    name: str
    rank: int
    respond: int
    resolve: int
    escalate_after: int
    label: str = ""


@attrs.frozen
class RemedyItemSpec:
    code: str
    amount: Callable[..., Any] | None
    amount_source: str | None
    borne_by: str | None
    uses_now: bool = False  # the amount reads `now`: computed when a snapshot is taken


@attrs.frozen
class RemedySpec:
    code: str
    text: str
    items: tuple[RemedyItemSpec, ...] = ()


@attrs.frozen
class Step:
    """One rung of a rule: active once ``anchor + after`` is reached (and ``when`` holds)."""

    index: int
    after: Callable[..., int | None] | None
    after_source: str | None
    when: Callable[..., Any] | None
    when_source: str | None
    severity: str
    rank: int
    remedy: RemedySpec | None
    deadlines: tuple[tuple[str, Callable[..., int | None]], ...]
    explain: Callable[..., str] | None
    uses_now: bool = False  # remedy or explanation reads `now`
    deadline_sources: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Rule:
    """A compiled rule.  ``steps[0]`` is the rule itself; later steps climb its ladder."""

    index: int
    id: str
    kind: str
    title: str
    when: Callable[..., Any]
    when_source: str
    anchor: Callable[..., int | None] | None
    anchor_source: str | None
    steps: tuple[Step, ...]
    values: Callable[..., dict[str, Any]]
    file: str
    line: int

    @property
    def timed(self) -> bool:
        return self.anchor is not None


@attrs.frozen(eq=False)
class Pack:
    """A compiled rule pack, ready for ``Engine`` and ``evaluate``.

    ``fingerprint`` identifies the compiled content (used to tell whether a dumped
    engine state was produced under the same pack).
    """

    name: str
    description: str
    file: str
    params: Mapping[str, Param]
    severities: Mapping[str, Severity]
    rules: tuple[Rule, ...]
    kinds: tuple[str, ...]
    trackers: tuple[Tracker, ...]
    scan: Callable[..., tuple[list[tuple[int, int]] | None, int | None]]
    absorb: Callable[..., tuple[list[tuple[int, int]] | None, int | None]]
    aggregates: frozenset[str]  # the optional state aggregates the pack reads, so keeps
    attr_types: Mapping[str, str]
    fingerprint: str
    extends: tuple[str, ...] = ()
    module_source: str = ""
    selectors: tuple[str, ...] = ()  # every `by` the params use, in a fixed order
    _param_cache: dict[tuple[Any, ...], Any] = attrs.field(factory=dict, repr=False)
    # What events said, shared by every kernel of this pack (see Kernel.group).
    _said: dict[tuple[Any, ...], Any] = attrs.field(factory=dict, repr=False, eq=False)

    def __repr__(self) -> str:
        return f"<Pack {self.name!r}: {len(self.rules)} rules, {len(self.params)} params>"

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(
            f"no rule {rule_id!r} in pack {self.name!r}."
            + suggest(rule_id, [r.id for r in self.rules])
        )

    def params_for(self, facts: Any) -> Any:
        """The parameter values that apply to one shipment (cached per distinct key)."""
        key = tuple(_selector_value(by, facts) for by in self.selectors)
        cached = self._param_cache.get(key)
        if cached is None:
            values = {}
            for p in self.params.values():
                values[p.name] = p.default
                for by in p.by or ():
                    chosen = _selector_value(by, facts)
                    if chosen is not None and chosen in p.values:
                        values[p.name] = p.values[chosen]
                        break
            cached = types.SimpleNamespace(**values)
            self._param_cache[key] = cached
        return cached

    def summary(self) -> str:
        kinds = ", ".join(self.kinds)
        return (
            f"pack {self.name!r} OK: {len(self.rules)} rules, {len(self.kinds)} kinds "
            f"({kinds}), {len(self.params)} params, severities {', '.join(self.severities)}"
        )


def _selector_value(by: str | None, facts: Any) -> str | None:
    if by == "scope":
        return "cross_border" if facts.cross_border else "domestic"
    value = getattr(facts, by or "", None)
    return None if value is None else str(value)


# -- the build -----------------------------------------------------------------------------
@dataclass
class _Doc:
    data: Any
    marks: Marks
    file: str
    source_lines: list[str]


@dataclass
class _Build:
    root: _Doc | None = None
    docs: list[_Doc] = field(default_factory=list)  # base first, the pack itself last
    issues: list[PackIssue] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    param_docs: dict[str, tuple[_Doc, tuple[str | int, ...]]] = field(default_factory=dict)
    severities: dict[str, Severity] = field(default_factory=dict)
    rule_docs: list[tuple[_Doc, tuple[str | int, ...], dict[str, Any]]] = field(
        default_factory=list
    )
    broken_rules: set[int] = field(default_factory=set)
    ctx: ExprContext | None = None
    typed_rules: list[dict[str, Any]] = field(default_factory=list)
    pack: Pack | None = None
    name: str = ""
    description: str = ""
    text: str = ""
    file: str = "<pack>"

    def issue(
        self,
        doc: _Doc | None,
        path: tuple[str | int, ...],
        code: ErrorCode,
        msg: str,
        *,
        hint: str = "",
        rule_id: str | None = None,
        value: Any = None,
        offset: tuple[int, int] | None = None,
    ) -> None:
        line = column = 0
        file = doc.file if doc else "<pack>"
        if doc is not None:
            key_mark = doc.marks.get((*path, KEY_MARK)) if code is ErrorCode.UNKNOWN_KEY else None
            probe = path if key_mark is None else (*path, KEY_MARK)
            while probe not in doc.marks and probe:
                probe = probe[:-1]
            line, column = doc.marks.get(probe, (0, 0))
            if offset is not None and probe == path and line:
                line, column = _expression_position(doc, line, column, offset)
        self.issues.append(
            PackIssue(
                code,
                msg,
                file=file,
                line=line,
                column=column,
                loc=path,
                rule_id=rule_id,
                input=value,
                hint=hint,
            )
        )


def _expression_position(
    doc: _Doc, line: int, column: int, offset: tuple[int, int]
) -> tuple[int, int]:
    """Map an offset inside an expression to the file, past quotes or a block indicator."""
    expr_line, expr_col = offset
    text = doc.source_lines[line - 1] if 0 < line <= len(doc.source_lines) else ""
    start = text[column - 1 : column] if column else ""
    if start in ("|", ">"):
        nxt = doc.source_lines[line] if line < len(doc.source_lines) else ""
        indent = len(nxt) - len(nxt.lstrip())
        return line + expr_line, indent + expr_col + 1
    if start in ("'", '"'):
        column += 1
    if expr_line == 1:
        return line, column + expr_col
    return line + expr_line - 1, expr_col + 1


def _read_source(ref: str, base_dir: Path | None) -> tuple[str, str] | None:
    if ref in BUILTIN_PACKS:
        resource = importlib.resources.files("logix_rules").joinpath("packs", f"{ref}.yaml")
        return resource.read_text("utf-8"), f"<builtin>/{ref}.yaml"
    path = Path(ref)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        return None
    return path.read_text("utf-8"), str(path)


# Stage 1 ------------------------------------------------------------------------------------
def _parse(build: _Build) -> None:
    text, file = build.text, build.file
    chain: list[str] = []
    base_dir = Path(file).parent if not file.startswith("<") else Path.cwd()
    while True:
        data, marks, issues = load_marked(text, file)
        build.issues.extend(issues)
        if issues:
            return
        doc = _Doc(data, marks, file, text.splitlines())
        build.docs.insert(0, doc)
        chain.append(file)
        parent = data.get("extends") if isinstance(data, dict) else None
        if parent is None:
            break
        if not isinstance(parent, str):
            build.issue(
                doc, ("extends",), ErrorCode.WRONG_TYPE, "'extends' must be a pack name or a path"
            )
            return
        source = _read_source(parent, base_dir)
        if source is None:
            build.issue(
                doc,
                ("extends",),
                ErrorCode.FILE_NOT_FOUND,
                f"cannot find the pack {parent!r} to extend",
                hint=f"Use a built-in pack ({', '.join(BUILTIN_PACKS)}) "
                f"or a path relative to {base_dir}.",
                value=parent,
            )
            return
        text, file = source
        if file in chain:
            build.issue(
                doc,
                ("extends",),
                ErrorCode.EXTENDS_CYCLE,
                "packs extend each other in a cycle: " + " -> ".join([*chain, file]),
            )
            return
        if not file.startswith("<"):
            base_dir = Path(file).parent
    build.root = build.docs[-1]


# Stage 2 ------------------------------------------------------------------------------------
_TOP_KEYS = ("format", "name", "description", "extends", "params", "severities", "rules", "disable")
_PARAM_KEYS = ("type", "default", "by", "values", "doc")
_SEVERITY_KEYS = ("respond", "resolve", "escalate_after", "label")
_RULE_KEYS = (
    "id",
    "kind",
    "title",
    "when",
    "anchor",
    "after",
    "severity",
    "steps",
    "deadlines",
    "remedy",
    "explain",
)
_STEP_KEYS = ("after", "when", "severity", "remedy", "deadlines", "explain")
_REMEDY_KEYS = ("code", "text", "items")
_ITEM_KEYS = ("code", "amount", "borne_by")


def _check_keys(
    build: _Build,
    doc: _Doc,
    path: tuple[str | int, ...],
    data: Any,
    allowed: tuple[str, ...],
    what: str,
    rule_id: str | None = None,
) -> bool:
    if not isinstance(data, dict):
        empty = data is None and not path
        build.issue(
            doc,
            path,
            ErrorCode.MISSING_KEY if empty else ErrorCode.WRONG_TYPE,
            "the pack is empty"
            if empty
            else f"{what} must be a mapping, got {type(data).__name__}",
            rule_id=rule_id,
            value=data,
            hint="A pack starts with 'format: 1' and a 'name'." if empty else "",
        )
        return False
    for key in data:
        if key not in allowed:
            build.issue(
                doc,
                (*path, key),
                ErrorCode.UNKNOWN_KEY,
                f"unknown key {key!r} in {what}.{suggest(key, allowed)}",
                hint="Allowed keys: " + ", ".join(allowed) + ".",
                rule_id=rule_id,
                value=key,
            )
    # Unknown keys are reported but do not stop later stages from checking the rest.
    return True


def _validate(build: _Build) -> None:
    for doc in build.docs:
        data = doc.data
        if not _check_keys(build, doc, (), data, _TOP_KEYS, "a pack") and not isinstance(
            data, dict
        ):
            continue
        is_root = doc is build.root
        version = data.get("format")
        if version != FORMAT_VERSION:
            build.issue(
                doc,
                ("format",),
                ErrorCode.UNSUPPORTED_FORMAT if version is not None else ErrorCode.MISSING_KEY,
                f"pack format {version!r} is not supported"
                if version is not None
                else "missing 'format'",
                hint=f"Start the pack with 'format: {FORMAT_VERSION}'.",
                value=version,
            )
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            build.issue(
                doc,
                ("name",),
                ErrorCode.MISSING_KEY,
                "a pack needs a 'name'",
                hint="e.g. 'name: my-shop'",
            )
        for section, kind in (
            ("params", dict),
            ("severities", dict),
            ("rules", list),
            ("disable", list),
        ):
            if section in data and not isinstance(data[section], kind):
                build.issue(
                    doc,
                    (section,),
                    ErrorCode.WRONG_TYPE,
                    f"'{section}' must be a {'mapping' if kind is dict else 'list'}",
                )
        if not isinstance(data.get("severities", {}), dict):
            continue
        for level, spec in (data.get("severities") or {}).items():
            _check_keys(
                build, doc, ("severities", level), spec, _SEVERITY_KEYS, f"severity {level}"
            )
        if is_root and doc is build.docs[0] and not data.get("severities"):
            build.issue(
                doc,
                ("severities",),
                ErrorCode.MISSING_KEY,
                "a pack needs 'severities' (or 'extends' a pack that has them)",
            )
        seen: dict[str, int] = {}
        for index, rule in enumerate(
            data.get("rules") or [] if isinstance(data.get("rules"), list) else []
        ):
            path: tuple[str | int, ...] = ("rules", index)
            rule_id = rule.get("id") if isinstance(rule, dict) else None
            rid = rule_id if isinstance(rule_id, str) else None
            valid = _check_keys(build, doc, path, rule, _RULE_KEYS, "a rule", rid)
            if not isinstance(rule, dict):
                build.broken_rules.add(id(rule))
                continue
            for key in ("id", "kind"):
                value = rule.get(key)
                if value is None:
                    build.issue(
                        doc,
                        path,
                        ErrorCode.MISSING_KEY,
                        f"rule without {key!r}",
                        rule_id=rid,
                        hint=f"Add '{key}: some_name'.",
                    )
                    valid = False
                elif not isinstance(value, str) or not _IDENT.match(value):
                    build.issue(
                        doc,
                        (*path, key),
                        ErrorCode.BAD_IDENTIFIER,
                        f"rule {key} {value!r} must be snake_case: lower-case letters, digits, '_'",
                        rule_id=rid,
                        value=value,
                    )
                    valid = False
            if "severity" not in rule:
                build.issue(
                    doc,
                    path,
                    ErrorCode.MISSING_KEY,
                    "rule without 'severity'",
                    rule_id=rid,
                    hint="Add 'severity: P3' (a level of 'severities').",
                )
                valid = False
            if rid is not None:
                if rid in seen:
                    build.issue(
                        doc,
                        (*path, "id"),
                        ErrorCode.DUPLICATE_RULE,
                        f"rule id {rid!r} is already used by rules[{seen[rid]}]",
                        rule_id=rid,
                    )
                    valid = False
                seen[rid] = index
            if "after" in rule and "anchor" not in rule:
                build.issue(
                    doc,
                    (*path, "after"),
                    ErrorCode.MISSING_KEY,
                    "'after' needs an 'anchor' to count from",
                    rule_id=rid,
                    hint="e.g. 'anchor: last_scan'. Anchors: "
                    + ", ".join(ANCHOR_NAMES)
                    + ", shipment.promised_at, shipment.shipped_at.",
                )
                valid = False
            steps = rule.get("steps")
            if steps is not None:
                if not isinstance(steps, list) or not steps:
                    build.issue(
                        doc,
                        (*path, "steps"),
                        ErrorCode.WRONG_TYPE,
                        "'steps' must be a non-empty list",
                        rule_id=rid,
                    )
                    valid = False
                else:
                    if "anchor" not in rule:
                        build.issue(
                            doc,
                            (*path, "steps"),
                            ErrorCode.MISSING_KEY,
                            "a ladder of 'steps' needs the rule's 'anchor'",
                            rule_id=rid,
                        )
                        valid = False
                    for s_index, step in enumerate(steps):
                        spath = (*path, "steps", s_index)
                        valid &= _check_keys(build, doc, spath, step, _STEP_KEYS, "a step", rid)
                        if isinstance(step, dict) and "after" not in step:
                            build.issue(
                                doc,
                                spath,
                                ErrorCode.MISSING_KEY,
                                "step without 'after'",
                                rule_id=rid,
                            )
                            valid = False
                        if isinstance(step, dict) and "remedy" in step:
                            valid &= _validate_remedy(
                                build, doc, (*spath, "remedy"), step["remedy"], rid
                            )
            if "remedy" in rule:
                valid &= _validate_remedy(build, doc, (*path, "remedy"), rule["remedy"], rid)
            for key in ("deadlines",):
                if key in rule and not isinstance(rule[key], dict):
                    build.issue(
                        doc,
                        (*path, key),
                        ErrorCode.WRONG_TYPE,
                        "'deadlines' must map names to durations",
                        rule_id=rid,
                    )
                    valid = False
            if not valid:
                build.broken_rules.add(id(rule))


def _validate_remedy(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], remedy: Any, rid: str | None
) -> bool:
    if not _check_keys(build, doc, path, remedy, _REMEDY_KEYS, "a remedy", rid):
        return False
    ok = True
    if not isinstance(remedy.get("code"), str):
        build.issue(doc, path, ErrorCode.MISSING_KEY, "remedy without 'code'", rule_id=rid)
        ok = False
    items = remedy.get("items", [])
    if not isinstance(items, list):
        build.issue(
            doc,
            (*path, "items"),
            ErrorCode.WRONG_TYPE,
            "remedy 'items' must be a list",
            rule_id=rid,
        )
        return False
    for index, item in enumerate(items):
        ok &= _check_keys(
            build, doc, (*path, "items", index), item, _ITEM_KEYS, "a remedy item", rid
        )
        if isinstance(item, dict) and not isinstance(item.get("code"), str):
            build.issue(
                doc,
                (*path, "items", index),
                ErrorCode.MISSING_KEY,
                "remedy item without 'code'",
                rule_id=rid,
            )
            ok = False
    return ok


# Stage 3 ------------------------------------------------------------------------------------
def _parse_value(ptype: str, raw: Any) -> tuple[Any, str | None]:
    """A param value of ``ptype`` from YAML; raises ValueError with what to write."""
    if ptype == "duration":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a duration; write it with a unit, e.g. '24h' or '7d'")
        return parse_duration(raw), None
    if ptype in ("number", "integer"):
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or (ptype == "integer" and not isinstance(raw, int))
        ):
            raise ValueError(f"{raw!r} is not {'an integer' if ptype == 'integer' else 'a number'}")
        return raw, None
    if ptype == "percent":
        if isinstance(raw, str) and raw.strip().endswith("%"):
            try:
                return float(raw.strip()[:-1]) / 100, None
            except ValueError:
                pass
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw), None
        raise ValueError(f"{raw!r} is not a percentage; write e.g. '5%' (or the fraction 0.05)")
    if ptype == "money":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw), None
        if isinstance(raw, str):
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Z]{3})?\s*", raw)
            if match:
                return float(match.group(1)), match.group(2)
        raise ValueError(f"{raw!r} is not an amount; write e.g. 500 or '500 CNY'")
    if ptype == "string":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a string")
        return raw, None
    if ptype == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not true or false")
        return raw, None
    if ptype == "strings":
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ValueError(f"{raw!r} is not a list of strings")
        return tuple(raw), None
    raise ValueError(f"unknown param type {ptype!r}")


def _check_selector_key(by: str, key: str) -> str | None:
    if by == "scope" and key not in ("domestic", "cross_border"):
        return f"{key!r} is not a scope; use 'domestic' or 'cross_border'"
    if by in ("destination_country", "origin_country") and not is_country_code(key):
        return f"{key!r} is not an ISO-3166 alpha-2 country code"
    if by == "lane" and not _LANE.match(key):
        return f"{key!r} is not a lane; write 'ORIGIN-DESTINATION', e.g. 'CN-US'"
    return None


def _resolve(build: _Build) -> None:
    raw_params: dict[str, tuple[_Doc, dict[str, Any], list[tuple[_Doc, Any]]]] = {}
    for doc in build.docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        if isinstance(data.get("name"), str):
            build.name = data["name"]
        if isinstance(data.get("description"), str):
            build.description = data["description"]
        params: dict[str, Any] = _section(data, "params", dict)
        for name, spec in params.items():
            path = ("params", name)
            if name in raw_params:
                raw_params[name][2].append((doc, spec))
                continue
            if not isinstance(name, str) or not _IDENT.match(name):
                build.issue(
                    doc, path, ErrorCode.BAD_IDENTIFIER, f"param name {name!r} must be snake_case"
                )
                continue
            if not isinstance(spec, dict):
                build.issue(
                    doc,
                    path,
                    ErrorCode.BAD_PARAM,
                    f"param {name!r} is new here, so it needs a 'type' and a 'default'",
                    hint="e.g. {type: duration, default: 24h}",
                )
                continue
            if not _check_keys(build, doc, path, spec, _PARAM_KEYS, f"param {name!r}"):
                continue
            raw_params[name] = (doc, spec, [])
        severities: dict[str, Any] = _section(data, "severities", dict)
        for level, spec in severities.items():
            if not isinstance(spec, dict):
                continue
            windows = {}
            for key in ("respond", "resolve", "escalate_after"):
                raw = spec.get(key)
                if raw is None:
                    build.issue(
                        doc,
                        ("severities", level),
                        ErrorCode.MISSING_KEY,
                        f"severity {level} needs {key!r}",
                        hint="e.g. 'respond: 15m'",
                    )
                    continue
                try:
                    windows[key] = parse_duration(str(raw))
                except ValueError as exc:
                    build.issue(
                        doc, ("severities", level, key), ErrorCode.BAD_DURATION, str(exc), value=raw
                    )
            # A level with a bad window still exists (with zero windows), so the rules
            # naming it are not also reported; the build fails on the issue above.
            windows = {key: windows.get(key, 0) for key in ("respond", "resolve", "escalate_after")}
            names = list(build.severities)
            rank = names.index(str(level)) if str(level) in names else len(names)
            build.severities[str(level)] = Severity(
                str(level), rank, label=str(spec.get("label", "")), **windows
            )
        _resolve_rules(build, doc, data)

    for name, (doc, spec, overrides) in raw_params.items():
        _resolve_param(build, name, doc, spec, overrides)


def _section(data: dict[str, Any], key: str, kind: type[Any]) -> Any:
    """A top-level section, or an empty one when absent or malformed (validate reported it)."""
    value = data.get(key)
    return value if isinstance(value, kind) else kind()


def _resolve_rules(build: _Build, doc: _Doc, data: dict[str, Any]) -> None:
    disable: list[Any] = _section(data, "disable", list)
    known = {rule.get("id"): i for i, (_, _, rule) in enumerate(build.rule_docs)}
    for index, rule_id in enumerate(disable):
        if rule_id not in known:
            build.issue(
                doc,
                ("disable", index),
                ErrorCode.UNKNOWN_RULE,
                f"cannot disable {rule_id!r}: no such rule in the base pack."
                + suggest(str(rule_id), [str(k) for k in known]),
                value=rule_id,
            )
    build.rule_docs = [entry for entry in build.rule_docs if entry[2].get("id") not in disable]
    rules: list[Any] = _section(data, "rules", list)
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or id(rule) in build.broken_rules:
            continue
        entry = (doc, ("rules", index), rule)
        position = next(
            (i for i, (_, _, r) in enumerate(build.rule_docs) if r.get("id") == rule.get("id")),
            None,
        )
        if position is None:
            build.rule_docs.append(entry)
        else:  # a child pack replaces the base rule of the same id, keeping its place
            build.rule_docs[position] = entry


def _resolve_param(
    build: _Build, name: str, doc: _Doc, spec: dict[str, Any], overrides: list[tuple[_Doc, Any]]
) -> None:
    path = ("params", name)
    ptype = spec.get("type")
    if ptype not in PARAM_TYPES:
        build.issue(
            doc,
            (*path, "type"),
            ErrorCode.BAD_PARAM,
            f"param {name!r} has type {ptype!r}.{suggest(str(ptype), PARAM_TYPES)}",
            hint="Types: " + ", ".join(PARAM_TYPES) + ".",
            value=ptype,
        )
        return
    raw_by = spec.get("by")
    by: tuple[str, ...] | None = None
    if raw_by is not None:
        by = tuple(raw_by) if isinstance(raw_by, list) else (raw_by,)
        for selector in by:
            if selector not in SELECTORS:
                build.issue(
                    doc,
                    (*path, "by"),
                    ErrorCode.BAD_PARAM,
                    f"param {name!r} cannot vary by {selector!r}."
                    + suggest(str(selector), SELECTORS),
                    hint="Selectors: "
                    + ", ".join(SELECTORS)
                    + " (or a list of them, tried in order).",
                    value=selector,
                )
                return
    if "default" not in spec:
        build.issue(
            doc,
            path,
            ErrorCode.MISSING_KEY,
            f"param {name!r} needs a 'default'",
            hint="The default applies to every shipment no 'values' entry matches.",
        )
        return
    layers: list[tuple[_Doc, tuple[str | int, ...], Any]] = [(doc, path, spec)]
    for o_doc, o_spec in overrides:
        if isinstance(o_spec, dict):
            if "type" in o_spec and o_spec["type"] != ptype:
                build.issue(
                    o_doc,
                    (*path, "type"),
                    ErrorCode.PARAM_TYPE_CHANGED,
                    f"param {name!r} is a {ptype} in the base pack "
                    f"and cannot become a {o_spec['type']}",
                )
                continue  # the base declaration stands, so rules using it still resolve
            if (
                "by" in o_spec
                and tuple(o_spec["by"] if isinstance(o_spec["by"], list) else (o_spec["by"],)) != by
            ):
                build.issue(
                    o_doc,
                    (*path, "by"),
                    ErrorCode.PARAM_TYPE_CHANGED,
                    f"param {name!r} varies by {by!r} in the base pack; "
                    "an override cannot change that",
                )
                continue
            _check_keys(build, o_doc, path, o_spec, _PARAM_KEYS, f"param {name!r}")
            layers.append((o_doc, path, o_spec))
        else:  # shorthand: a bare value overrides the default
            layers.append((o_doc, path, {"default": o_spec}))
    default: Any = None
    currency = None
    values: dict[str, Any] = {}
    doc_text = ""
    for l_doc, l_path, layer in layers:
        doc_text = str(layer.get("doc", doc_text))
        if "default" in layer:
            try:
                default, currency = _parse_value(ptype, layer["default"])
            except ValueError as exc:
                build.issue(
                    l_doc,
                    (*l_path, "default") if (*l_path, "default") in l_doc.marks else l_path,
                    ErrorCode.BAD_DURATION if ptype == "duration" else ErrorCode.BAD_PARAM,
                    f"param {name!r}: {exc}",
                    value=layer["default"],
                )
        layer_values = layer.get("values")
        if layer_values is not None:
            if by is None:
                build.issue(
                    l_doc,
                    (*l_path, "values"),
                    ErrorCode.BAD_PARAM,
                    f"param {name!r} has 'values' but no 'by'",
                    hint="Say what the values are keyed by, e.g. 'by: destination_country'.",
                )
                continue
            if not isinstance(layer_values, dict):
                build.issue(
                    l_doc,
                    (*l_path, "values"),
                    ErrorCode.WRONG_TYPE,
                    f"param {name!r}: 'values' must be a mapping",
                )
                continue
            for key, raw in layer_values.items():
                key = str(key)
                problems = [_check_selector_key(selector, key) for selector in by]
                problem = None if any(p is None for p in problems) else problems[0]
                if problem:
                    build.issue(
                        l_doc,
                        (*l_path, "values", key),
                        ErrorCode.BAD_PARAM,
                        f"param {name!r}: {problem}",
                        value=key,
                    )
                    continue
                try:
                    values[key] = _parse_value(ptype, raw)[0]
                except ValueError as exc:
                    build.issue(
                        l_doc,
                        (*l_path, "values", key),
                        ErrorCode.BAD_DURATION if ptype == "duration" else ErrorCode.BAD_PARAM,
                        f"param {name!r}[{key}]: {exc}",
                        value=raw,
                    )
    # A param with a bad value still exists, so rules that use it are not also
    # reported as using an unknown name; the build fails on the issue above.
    build.params[name] = Param(name, ptype, default, by, values, doc_text, currency)
    build.param_docs[name] = (doc, path)


# Stage 4 ------------------------------------------------------------------------------------
def _param_type(param: Param) -> Ty:
    return {
        "duration": DURATION,
        "number": NUMBER,
        "integer": NUMBER,
        "percent": NUMBER,
        "money": NUMBER,
        "string": STR,
        "boolean": BOOL,
        "strings": LIST,
    }[param.type]


def _context(build: _Build) -> ExprContext:
    return ExprContext(
        names={name: (ty, code) for name, (ty, code, _) in STATE_NAMES.items()},
        objects={
            "shipment": {name: (ty, _shipment_code(name)) for name, ty in SHIPMENT_FIELDS.items()},
            "params": {name: (_param_type(p), f"p.{name}") for name, p in build.params.items()},
            "event": {name: (ty, _event_code(attr)) for name, (ty, attr) in EVENT_FIELDS.items()},
        },
        enums=ENUMS,
        tracker_fields=TRACKER_FIELDS,
    )


class _RuleChecker:
    """Type-checks the expressions of one rule, reporting problems against its location."""

    def __init__(self, build: _Build, ctx: ExprContext, doc: _Doc, rid: str) -> None:
        self.build, self.ctx, self.doc, self.rid = build, ctx, doc, rid

    def expr(
        self,
        key_path: Loc,
        source: Any,
        want: str | None,
        allow_now: bool = False,
        shift: int = 0,
    ) -> CompiledExpr | None:
        build = self.build
        if isinstance(source, bool) and want == "bool":
            source = repr(source)
        if isinstance(source, int | float) and want == "number":
            source = repr(source)
        if isinstance(source, int | float) and not isinstance(source, bool) and want == "duration":
            build.issue(
                self.doc,
                key_path,
                ErrorCode.BAD_DURATION,
                f"{source!r} is not a duration: durations need a unit",
                hint=f"Write e.g. '{source}h' or '{source}d'.",
                rule_id=self.rid,
                value=source,
            )
            return None
        if not isinstance(source, str):
            build.issue(
                self.doc,
                key_path,
                ErrorCode.WRONG_TYPE,
                f"expected an expression string, got {source!r}",
                rule_id=self.rid,
                value=source,
            )
            return None
        if want == "duration" and re.fullmatch(r"\s*(\d+(\.\d+)?[wdhms])+\s*", source):
            source = f"duration({source.strip()!r})"
        elif want == "duration" and source.strip() in build.params:
            source = f"params.{source.strip()}"  # a bare param name
        try:
            return compile_expr(source, self.ctx, want=want, allow_now=allow_now)
        except ExprError as exc:
            build.issue(
                self.doc,
                key_path,
                exc.code,
                exc.msg,
                hint=exc.hint,
                rule_id=self.rid,
                value=exc.input,
                offset=(exc.line, exc.col + shift if exc.line == 1 else exc.col),
            )
            return None

    def severity(self, key_path: Loc, name: Any) -> Severity | None:
        levels = self.build.severities
        level = levels.get(str(name))
        if level is None:
            self.build.issue(
                self.doc,
                key_path,
                ErrorCode.UNKNOWN_SEVERITY,
                f"unknown severity {name!r}.{suggest(str(name), levels)}",
                hint="Levels: " + ", ".join(levels) + ".",
                rule_id=self.rid,
                value=name,
            )
        return level

    def remedy(self, key_path: Loc, spec: dict[str, Any] | None) -> dict[str, Any] | None:
        if spec is None:
            return None
        items = []
        for i, item in enumerate(spec.get("items", [])):
            amount = None
            if "amount" in item:
                amount = self.expr(
                    (*key_path, "items", i, "amount"), item["amount"], "number", allow_now=True
                )
            items.append({"code": item["code"], "amount": amount, "borne_by": item.get("borne_by")})
        return {"code": spec["code"], "text": str(spec.get("text", "")), "items": items}

    def deadlines(self, key_path: Loc, spec: Any) -> list[tuple[str, CompiledExpr]]:
        out = []
        for name, raw in (spec or {}).items():
            if not isinstance(name, str) or not _IDENT.match(name):
                self.build.issue(
                    self.doc,
                    (*key_path, name),
                    ErrorCode.BAD_IDENTIFIER,
                    f"deadline name {name!r} must be snake_case: lower-case letters, digits, '_'",
                    rule_id=self.rid,
                    value=name,
                    hint="e.g. 'claim: 24h'",
                )
                continue
            compiled = self.expr((*key_path, name), raw, "duration")
            if compiled is not None:
                out.append((str(name), compiled))
        return out

    def explain(self, key_path: Loc, template: Any) -> list[Any] | None:
        if template is None:
            return None
        parts: list[Any] = []
        for literal, field_src, position in _split_template(str(template)):
            if literal:
                parts.append(literal)
            if field_src is not None:
                compiled = self.expr(key_path, field_src, None, allow_now=True, shift=position)
                if compiled is not None:
                    parts.append(compiled)
        return parts

    def rule(self, path: Loc, rule: dict[str, Any]) -> dict[str, Any]:
        after = (
            self.expr((*path, "after"), rule.get("after", "0s"), "duration")
            if "anchor" in rule
            else None
        )
        level = self.severity((*path, "severity"), rule["severity"])
        steps = [
            {
                "after": after,
                "when": None,
                "severity": level,
                "remedy": self.remedy((*path, "remedy"), rule.get("remedy")),
                "deadlines": self.deadlines((*path, "deadlines"), rule.get("deadlines")),
                "explain": self.explain((*path, "explain"), rule.get("explain")),
            }
        ]
        previous_after = None
        if after is not None:
            previous_after = (
                after.constant if after.is_constant else _default_duration(self.build, after.source)
            )
        for s_index, step in enumerate(rule.get("steps") or []):
            spath = (*path, "steps", s_index)
            s_after = self.expr((*spath, "after"), step["after"], "duration")
            if s_after is not None:
                this = (
                    s_after.constant
                    if s_after.is_constant
                    else _default_duration(self.build, s_after.source)
                )
                if previous_after is not None and this is not None and this <= previous_after:
                    self.build.issue(
                        self.doc,
                        (*spath, "after"),
                        ErrorCode.STEP_ORDER,
                        f"step {s_index + 1} comes at {format_duration(this)}, not after the "
                        f"previous rung at {format_duration(previous_after)}",
                        hint="List the steps of a ladder in increasing 'after' order.",
                        rule_id=self.rid,
                    )
                previous_after = this
            last = steps[-1]
            steps.append(
                {
                    "after": s_after,
                    "when": self.expr((*spath, "when"), step["when"], "bool")
                    if "when" in step
                    else None,
                    "severity": self.severity((*spath, "severity"), step["severity"])
                    if "severity" in step
                    else last["severity"],
                    "remedy": self.remedy((*spath, "remedy"), step["remedy"])
                    if "remedy" in step
                    else last["remedy"],
                    "deadlines": self.deadlines((*spath, "deadlines"), step["deadlines"])
                    if "deadlines" in step
                    else last["deadlines"],
                    "explain": self.explain((*spath, "explain"), step["explain"])
                    if "explain" in step
                    else last["explain"],
                }
            )
        return {
            "id": self.rid,
            "kind": rule["kind"],
            "title": str(rule.get("title", "")),
            "when": self.expr((*path, "when"), rule.get("when", "True"), "bool"),
            "anchor": self.expr((*path, "anchor"), rule["anchor"], "datetime")
            if "anchor" in rule
            else None,
            "steps": steps,
            "doc": self.doc,
            "path": path,
        }


def _typecheck(build: _Build) -> None:
    ctx = build.ctx = _context(build)
    for doc, path, rule in build.rule_docs:
        build.typed_rules.append(_RuleChecker(build, ctx, doc, rule["id"]).rule(path, rule))


def _default_duration(build: _Build, source: str) -> int | None:
    match = re.fullmatch(r"params\.([a-z][a-z0-9_]*)", source)
    param = build.params.get(match.group(1)) if match else None
    return param.default if param is not None and param.type == "duration" else None


def _split_template(template: str) -> list[tuple[str, str | None, int]]:
    """``"Silent since {last_scan}"`` -> [("Silent since ", "last_scan", 13)].

    The third item is where the field starts in the template; ``{{`` escapes a brace.
    """
    out: list[tuple[str, str | None, int]] = []
    literal = ""
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{" and template[i : i + 2] == "{{":
            literal += "{"
            i += 2
        elif ch == "}" and template[i : i + 2] == "}}":
            literal += "}"
            i += 2
        elif ch == "{":
            end = template.find("}", i)
            if end < 0:
                literal += template[i:]
                break
            out.append((literal, template[i + 1 : end], i + 1))
            literal = ""
            i = end + 1
        else:
            literal += ch
            i += 1
    if literal:
        out.append((literal, None, 0))
    return out


# Stage 5 ------------------------------------------------------------------------------------
def _codegen(build: _Build) -> None:
    if build.issues or build.ctx is None or build.root is None:
        return
    ctx = build.ctx
    lines = [f"# logix: generated code for pack {build.name!r} ({build.root.file})", ""]

    def emit(fname: str, comment: str, body: str) -> str:
        lines.append(f"def {fname}(s, f, p, n):")
        for text in comment.splitlines() or [""]:
            lines.append(f"    # {text}")
        lines.append(f"    return {body}")
        lines.append("")
        return fname

    plan: list[dict[str, Any]] = []
    for rule in build.typed_rules:
        rid = rule["id"]
        entry: dict[str, Any] = {"rule": rule}
        entry["when"] = emit(f"{rid}__when", f"when: {rule['when'].source}", rule["when"].code)
        entry["anchor"] = (
            emit(f"{rid}__anchor", f"anchor: {rule['anchor'].source}", rule["anchor"].code)
            if rule["anchor"]
            else None
        )
        leaves = {text: (code, base) for text, code, base in rule["when"].leaves}
        if rule["anchor"]:
            leaves.update({text: (code, base) for text, code, base in rule["anchor"].leaves})
        step_plans = []
        for i, step in enumerate(rule["steps"]):
            sp: dict[str, Any] = {"step": step}
            sp["after"] = (
                emit(f"{rid}__after_{i}", f"after: {step['after'].source}", step["after"].code)
                if step["after"]
                else None
            )
            sp["when"] = (
                emit(f"{rid}__when_{i}", f"step {i} when: {step['when'].source}", step["when"].code)
                if step["when"]
                else None
            )
            if step["when"]:
                leaves.update({text: (code, base) for text, code, base in step["when"].leaves})
            sp["deadlines"] = [
                (name, emit(f"{rid}__deadline_{i}_{j}", f"deadline {name}: {d.source}", d.code))
                for j, (name, d) in enumerate(step["deadlines"])
            ]
            if step["remedy"]:
                sp["items"] = [
                    emit(
                        f"{rid}__amount_{i}_{j}",
                        f"amount: {item['amount'].source}",
                        item["amount"].code,
                    )
                    if item["amount"]
                    else None
                    for j, item in enumerate(step["remedy"]["items"])
                ]
            if step["explain"]:
                pieces = [
                    repr(p)
                    if isinstance(p, str)
                    else f"{_FORMATTERS.get(p.type.base, '_fmt')}({p.code})"
                    for p in step["explain"]
                ]
                sp["explain"] = emit(
                    f"{rid}__explain_{i}", "explain template", " + ".join(pieces) or "''"
                )
            step_plans.append(sp)
        entry["steps"] = step_plans
        values_body = (
            "{"
            + ", ".join(
                f"{text!r}: {_VALUE_FORMATTERS.get(base, '')}({code})"
                for text, (code, base) in leaves.items()
            )
            + "}"
        )
        entry["values"] = emit(
            f"{rid}__values", "the operands of the rule, for evidence", values_body
        )
        plan.append(entry)

    # One test per tracker: __absorb feeds each new event record to those it matches,
    # then scans the rules, in one call on the kernel's hot path.
    tracker_tests = []
    for tracker in ctx.trackers:
        tests = []
        for key, values in tracker.filters:
            attr = {"report": "report"}.get(key, key)
            tests.append(
                f"k[{KIND_FIELDS[attr]}] == {values[0]!r}"
                if len(values) == 1
                else f"k[{KIND_FIELDS[attr]}] in {values!r}"
            )
        tracker_tests.append("(" + " and ".join(tests) + ")")
    lines.extend(_scan_function(build.typed_rules))
    kept = _kept_aggregates("\n".join(lines), bool(ctx.attr_types))
    feed = _absorb_lines(kept)
    for index, test in enumerate(tracker_tests):
        feed.append(f"    if {test}:")
        feed.append("        if type(s.cnt) is tuple:  # the pack's shared zeros: own them now")
        feed.append("            s.cnt, s.firsts = list(s.cnt), list(s.firsts)")
        feed.append("            s.lasts = list(s.lasts)")
        feed.append(f"        s.cnt[{index}] += 1")
        feed.append(f"        if s.firsts[{index}] is None:")
        feed.append(f"            s.firsts[{index}] = n")
        feed.append(f"        s.lasts[{index}] = n")

    lines.extend(_scan_function(build.typed_rules, "__absorb(s, e, f, p, n)", feed))
    source = "\n".join(lines)
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<logix-pack {build.name}-{digest}>"
    namespace: dict[str, Any] = dict(RUNTIME_GLOBALS)
    namespace["_NOEV"] = NO_EVENT
    namespace.update(_ORDER=_STAGE_RANK, _FINAL=_FINAL_STATUSES, _fallback_stage=_fallback_stage)
    namespace.update(_fmt=_fmt, _fmt_dt=_fmt_dt, _fmt_dur=_fmt_dur, _iso=_iso, _dur_text=_dur_text)
    namespace["__name__"] = f"logix_pack_{re.sub(r'[^a-zA-Z0-9_]', '_', build.name)}"
    # Registered so tracebacks and debuggers show the generated lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)

    rules = []
    for index, entry in enumerate(plan):
        rule = entry["rule"]
        steps = []
        for i, sp in enumerate(entry["steps"]):
            step = sp["step"]
            remedy = None
            if step["remedy"]:
                remedy = RemedySpec(
                    step["remedy"]["code"],
                    step["remedy"]["text"],
                    tuple(
                        RemedyItemSpec(
                            item["code"],
                            namespace[fn] if fn else None,
                            item["amount"].source if item["amount"] else None,
                            item["borne_by"],
                            _reads_now(item["amount"]),
                        )
                        for item, fn in zip(step["remedy"]["items"], sp["items"], strict=True)
                    ),
                )
            steps.append(
                Step(
                    index=i,
                    after=namespace[sp["after"]] if sp["after"] else None,
                    after_source=step["after"].source if step["after"] else None,
                    when=namespace[sp["when"]] if sp["when"] else None,
                    when_source=step["when"].source if step["when"] else None,
                    severity=step["severity"].name,
                    rank=step["severity"].rank,
                    remedy=remedy,
                    deadlines=tuple((name, namespace[fn]) for name, fn in sp["deadlines"]),
                    explain=namespace[sp["explain"]] if sp.get("explain") else None,
                    uses_now=any(
                        _reads_now(part)
                        for part in [
                            *(i["amount"] for i in (step["remedy"] or {}).get("items", [])),
                            *(step["explain"] or []),
                        ]
                    ),
                    deadline_sources=tuple((name, d.source) for name, d in step["deadlines"]),
                )
            )
        doc = rule["doc"]
        rules.append(
            Rule(
                index=index,
                id=rule["id"],
                kind=rule["kind"],
                title=rule["title"],
                when=namespace[entry["when"]],
                when_source=rule["when"].source,
                anchor=namespace[entry["anchor"]] if entry["anchor"] else None,
                anchor_source=rule["anchor"].source if rule["anchor"] else None,
                steps=tuple(steps),
                values=namespace[entry["values"]],
                file=doc.file,
                line=doc.marks.get(rule["path"], (0, 0))[0],
            )
        )
    kinds = tuple(dict.fromkeys(r.kind for r in rules))
    build.pack = Pack(
        name=build.name,
        description=build.description,
        file=build.root.file,
        params=types.MappingProxyType(dict(build.params)),
        severities=types.MappingProxyType(dict(build.severities)),
        rules=tuple(rules),
        kinds=kinds,
        trackers=tuple(ctx.trackers),
        scan=namespace["__rules"],
        absorb=namespace["__absorb"],
        aggregates=kept,
        attr_types=types.MappingProxyType({k: v.base for k, v in ctx.attr_types.items()}),
        fingerprint=_fingerprint(source, build),
        selectors=tuple(dict.fromkeys(by for p in build.params.values() for by in p.by or ())),
        extends=tuple(d.file for d in build.docs[:-1]),
        module_source=source,
    )


def _fingerprint(source: str, build: _Build) -> str:
    """Identifies what the pack computes: its code, param figures and severity windows.

    The generated module reads params at run time, so they are hashed too; its header
    line names the file, which does not change what the pack does, so it is left out.
    """
    body = source.split("\n", 1)[1]
    params = sorted(
        (p.name, p.type, repr(p.default), p.by, sorted((k, repr(v)) for k, v in p.values.items()))
        for p in build.params.values()
    )
    levels = [attrs.astuple(level) for level in build.severities.values()]
    material = repr((body, params, levels)).encode()
    return hashlib.sha256(material).hexdigest()[:16]


def _reads_now(part: Any) -> bool:
    return isinstance(part, CompiledExpr) and any(code == "n" for _, code, _ in part.leaves)


# Aggregates of the state that are kept only by packs that read them; the rest (the
# latest event, counts of events, status, stage, reason and when they began) always are.
OPTIONAL_AGGREGATES = frozenset(
    {
        "first_event",
        "n_scans",
        "first_scan",
        "last_scan",
        "delivered_at",
        "after_delivery",
        "regressions",
        "attr_values",
    }
)
_STATE_READ = re.compile(r"\bs\.([a-z_]+)")
_STAGE_RANK = {stage.value: rank for stage, rank in STAGE_ORDER.items()}
_FINAL_STATUSES = frozenset(s.value for s in FINAL_STATUSES)


def _fallback_stage(status: str, reason: str | None) -> str:
    return default_stage(Status(status), Reason(reason) if reason else None).value


def _kept_aggregates(source: str, has_attrs: bool) -> frozenset[str]:
    """The optional aggregates that generated ``source`` reads (and those they need)."""
    kept = set(_STATE_READ.findall(source)) & OPTIONAL_AGGREGATES
    if "after_delivery" in kept:
        kept.add("delivered_at")
    if has_attrs:
        kept.add("attr_values")
    return frozenset(kept)


def _absorb_lines(kept: frozenset[str]) -> list[str]:
    """How the new event ``e`` at ``n`` (in time order) moves the state's aggregates.

    This is where the meaning of the state names (``STATE_NAMES``) is implemented;
    ``docs/engine.md`` states it.  An aggregate in ``OPTIONAL_AGGREGATES`` that the
    pack never reads is not kept, so its update is not even generated.
    """

    def opt(name: str, *code: str) -> list[str]:
        return list(code) if name in kept else []

    return [
        "    # absorb the event e at n into the aggregates the pack keeps",
        f"    k = e[{KIND}]  # what the event says (see _records)",
        "    s.n_events += 1",
        *opt("first_event", "    if s.first_event is None:", "        s.first_event = n"),
        "    s.last_event = n",
        "    s.latest = e",
        *opt(
            "attr_values",
            f"    if k[{ATTRS}]:  # its attributes",
            "        values = s.attr_values",
            "        if type(values) is not dict:  # the state's shared empty mapping",
            "            values = s.attr_values = {}",
            f"        for name, value in k[{ATTRS}]:",
            "            if value is not None:",
            "                values[name] = value",
        ),
        f"    if not k[{REPORT}]:  # reports by people never move status, stage or scan clock",
        *opt("n_scans", "        s.n_scans += 1"),
        *opt("first_scan", "        if s.first_scan is None:", "            s.first_scan = n"),
        *opt("last_scan", "        s.last_scan = n"),
        f"        status = k[{STATUS}]",
        "        if status != 'unknown':  # activity that says nothing of position",
        f"            stage = k[{STAGE}]",
        *opt(
            "after_delivery",
            "            if (",
            "                s.delivered_at is not None",
            "                and status != 'delivered'",
            "                and status not in ('returning', 'returned')",
            "                and stage != 'return'",
            "            ):",
            "                s.after_delivery += 1",
        ),
        "            if stage is not None:",
        "                was = s.stage",
        "                if stage != was:",
        *opt(
            "regressions",
            "                    if _ORDER.get(stage, 99) < _ORDER.get(was, -1):",
            "                        s.regressions += 1",
        ),
        "                    s.stage = stage",
        "                    s.stage_entered = n",
        "            elif s.stage is None:  # only a fallback stage: where it was, if known",
        f"                s.stage = _fallback_stage(status, k[{REASON}])",
        "                s.stage_entered = n",
        "            if status != s.status:",
        "                s.status = status",
        "                s.status_entered = n",
        f"            s.reason = k[{REASON}]",
        "            s.final = status in _FINAL",
        *opt(
            "delivered_at",
            "            if status == 'delivered' and s.delivered_at is None:",
            "                s.delivered_at = n",
        ),
        "    # feed the event to the pack's trackers it matches",
    ]


def _scan_function(
    rules: list[dict[str, Any]], signature: str = "__rules(s, f, p, n)", prelude: Sequence[str] = ()
) -> list[str]:
    """One straight-line function evaluating every rule of the pack at instant ``n``.

    It returns the (rule index, rung) pairs that hold, or None when none does, and the
    earliest due time still ahead.  The per-rule functions above stay for evidence and
    explanations; the kernel's hot path calls only this one, with the ``prelude`` lines
    that absorb the event at ``n`` first (``__absorb``).
    """
    out = [
        f"def {signature}:",
        *prelude,
        "    # which rules hold at n, as (rule, rung), and the next instant one becomes due",
        "    hits = None",
        "    pending = None",
    ]
    for index, rule in enumerate(rules):
        when_text = " ".join(rule["when"].source.split())  # one comment line, whatever the YAML
        out.append(f"    # rules[{index}] {rule['id']}: {when_text}")
        out.append(f"    if {rule['when'].code}:")
        if rule["anchor"] is None:
            out.append("        if hits is None:")
            out.append("            hits = []")
            out.append(f"        hits.append(({index}, 0))")
            continue
        out.append(f"        a = {rule['anchor'].code}")
        out.append("        if a is not None:")
        out.append("            active = -1")
        for rung, step in enumerate(rule["steps"]):
            after = step["after"].code if step["after"] is not None else "0"
            out.append(f"            d = {after}")
            out.append("            if d is not None:")
            out.append("                d += a")
            out.append("                if d <= n:")
            if step["when"] is not None:
                out.append(f"                    if {step['when'].code}:")
                out.append(f"                        active = {rung}")
            else:
                out.append(f"                    active = {rung}")
            out.append("                elif pending is None or d < pending:")
            out.append("                    pending = d")
        out.append("            if active >= 0:")
        out.append("                if hits is None:")
        out.append("                    hits = []")
        out.append(f"                hits.append(({index}, active))")
    out.append("    return hits, pending")
    out.append("")
    return out


def _event_code(attr: str) -> str:
    where = f"[{T}]" if attr == "t" else f"[{KIND}][{KIND_FIELDS[attr]}]"
    return f"(s.latest or _NOEV){where}"


def _shipment_code(name: str) -> str:
    # The tracking number is the state's own: facts are shared by parcels without OMS facts.
    return "s.tracking_number" if name == "tracking_number" else f"f.{name}"


def _fmt(value: Any) -> str:
    """How a value appears inside an explanation sentence."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def _fmt_dt(value: int | None) -> str:
    return "unknown" if value is None else from_micros(value).strftime("%Y-%m-%d %H:%MZ")


def _fmt_dur(value: int | None) -> str:
    return "unknown" if value is None else format_duration(value)


def _iso(value: int | None) -> str | None:
    return None if value is None else from_micros(value).isoformat().replace("+00:00", "Z")


def _dur_text(value: int | None) -> str | None:
    return None if value is None else format_duration(value)


_FORMATTERS = {"datetime": "_fmt_dt", "duration": "_fmt_dur"}
_VALUE_FORMATTERS = {"datetime": "_iso", "duration": "_dur_text"}


def amount(value: Any) -> Decimal | None:
    """A computed remedy amount as money: a Decimal rounded half-up to cents."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


# -- probes: parts of a compiled pack's expressions, compiled on demand --------------------
@attrs.frozen
class Probe:
    """One expression (a sub-condition or an operand) compiled against a pack.

    ``fn(state, facts, params, now)`` evaluates it on a kernel state exactly as the
    pack's generated code would; ``type`` is its static type (``type.base`` says how
    to show the value: datetimes and durations are integers of microseconds).
    """

    source: str
    fn: Callable[..., Any]
    type: Ty


def expression_context(pack: Pack) -> ExprContext:
    """The namespace ``pack``'s expressions were compiled against.

    Its trackers and attribute types are the pack's own, in the same order, so an
    expression taken from one of the pack's rules compiles to the same state slots.
    """
    attr_types = {name: ATTR_TYPES.get(base, ANY) for name, base in pack.attr_types.items()}
    return ExprContext(
        names={name: (ty, code) for name, (ty, code, _) in STATE_NAMES.items()},
        objects={
            "shipment": {name: (ty, _shipment_code(name)) for name, ty in SHIPMENT_FIELDS.items()},
            "params": {name: (_param_type(p), f"p.{name}") for name, p in pack.params.items()},
            "event": {name: (ty, _event_code(attr)) for name, (ty, attr) in EVENT_FIELDS.items()},
        },
        enums=ENUMS,
        tracker_fields=TRACKER_FIELDS,
        trackers=list(pack.trackers),
        attr_types=attr_types,
    )


def compile_probe(pack: Pack, source: str, *, want: str | None = None) -> Probe:
    """Compile ``source`` (normally a part of one of ``pack``'s expressions) to a ``Probe``.

    Raises ``ExprError`` when the text is not a valid expression of this pack.
    """
    ctx = expression_context(pack)
    known = len(ctx.trackers)
    compiled = compile_expr(source, ctx, want=want, allow_now=True)
    if len(ctx.trackers) != known:
        # A history aggregate the pack does not keep has no slot in the state.
        raise ExprError(
            ErrorCode.BAD_ARGUMENTS,
            f"'{source.strip()}' uses a count/seen/first/last filter that no rule of "
            f"pack {pack.name!r} uses",
            input=source,
        )
    missing = set(_STATE_READ.findall(compiled.code)) & (OPTIONAL_AGGREGATES - pack.aggregates)
    if missing:
        raise ExprError(
            ErrorCode.BAD_ARGUMENTS,
            f"'{source.strip()}' reads {', '.join(sorted(missing))}, which no rule of "
            f"pack {pack.name!r} reads, so the pack does not keep it",
            input=source,
        )
    namespace: dict[str, Any] = dict(RUNTIME_GLOBALS)
    namespace["_NOEV"] = NO_EVENT
    code = f"def probe(s, f, p, n):\n    return {compiled.code}\n"
    exec(compile(code, f"<logix-probe {pack.name}>", "exec"), namespace)
    return Probe(compiled.source, namespace["probe"], compiled.type)


STAGES: tuple[tuple[str, Callable[[_Build], None]], ...] = (
    ("parse", _parse),
    ("validate", _validate),
    ("resolve", _resolve),
    ("typecheck", _typecheck),
    ("compile", _codegen),
)
"""The compiler stages in order; each adds its issues to the build."""


def loads_pack(text: str, *, file: str = "<string>") -> Pack:
    """Compile a pack from YAML text.  Raises ``PackError`` listing every problem."""
    build = _Build(text=text, file=file)
    for name, stage in STAGES:
        stage(build)
        if name == "parse" and build.root is None:
            # Nothing later can run without a document: report what parsing found.
            raise PackError(
                build.issues or [PackIssue(ErrorCode.YAML_SYNTAX, "the pack is empty", file=file)]
            )
    if build.issues or build.pack is None:
        raise PackError(build.issues)
    return build.pack


_CACHE: dict[tuple[str, float], Pack] = {}


def load_pack(pack: str | Path) -> Pack:
    """Load a built-in pack by name (``"default"``) or a pack file by path.

    Raises ``PackError`` with every problem found, each with file:line:column.
    Built-in packs are compiled once per process.
    """
    ref = str(pack)
    if ref in BUILTIN_PACKS:
        cached = _CACHE.get((ref, 0.0))
        if cached is None:
            source = _read_source(ref, None)
            assert source is not None
            cached = _CACHE[(ref, 0.0)] = loads_pack(source[0], file=source[1])
        return cached
    path = Path(ref)
    if not path.is_file():
        hint = f"Built-in packs: {', '.join(BUILTIN_PACKS)}."
        raise PackError(
            [
                PackIssue(
                    ErrorCode.FILE_NOT_FOUND
                    if path.suffix in (".yaml", ".yml") or "/" in ref
                    else ErrorCode.UNKNOWN_PACK,
                    f"no pack file {ref!r}.{suggest(ref, BUILTIN_PACKS)}",
                    file=ref,
                    input=ref,
                    hint=hint,
                )
            ]
        )
    return loads_pack(path.read_text("utf-8"), file=str(path))
