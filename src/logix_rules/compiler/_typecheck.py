"""Stage 4, ``typecheck``: compile every expression of every rule against the namespace
(names, fields, types), and check that the rungs of a ladder come later and later."""

from __future__ import annotations

import re
from typing import Any

from ..core._durations import format_duration
from ..core._errors import ErrorCode
from ._build import _IDENT, _Build, _Doc
from ._expr import compile_expr
from ._expr_types import CompiledExpr, ExprContext, ExprError
from ._lifecycle import check_lifecycle
from ._limits import NUMBER_HINT, number_problem
from ._model import Severity
from ._namespace import (
    ENUMS,
    EVENT_FIELDS,
    SHIPMENT_FIELDS,
    STATE_NAMES,
    TRACKER_FIELDS,
    _event_code,
    _param_type,
    _shipment_code,
)
from ._suggest import suggest

Loc = tuple[str | int, ...]


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
            problem = number_problem(source)
            if problem:  # repr() would give 'inf' or 'nan', which read as names
                build.issue(
                    self.doc,
                    key_path,
                    ErrorCode.OUT_OF_RANGE,
                    problem,
                    hint=NUMBER_HINT,
                    rule_id=self.rid,
                    value=source,
                )
                return None
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
        written = source
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
                # a problem inside what the compiler wrapped around a bare value is at it
                offset=(1, shift) if source is not written else (1, shift + _index(written, exc)),
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
            when = None
            if "when" in item:
                when = self.expr((*key_path, "items", i, "when"), item["when"], "bool")
            causes = item.get("causes")
            items.append(
                {
                    "code": item["code"],
                    "amount": amount,
                    "borne_by": item.get("borne_by"),
                    "bearer": item.get("bearer", "merchant"),
                    "when": when,
                    "causes": None if causes is None else tuple(causes),
                }
            )
        fast = None
        if "fast_track" in spec:
            fast = self.expr((*key_path, "fast_track"), spec["fast_track"], "bool")
        return {
            "code": spec["code"],
            "text": str(spec.get("text", "")),
            "items": items,
            "fast_track": fast,
        }

    def deadlines(self, key_path: Loc, spec: Any) -> dict[str, Any]:
        """``within`` (name, duration), ``from`` (name, instant) and ``actions``
        (name -> action) of a rule's or step's deadlines."""
        within: list[tuple[str, CompiledExpr]] = []
        starts: list[tuple[str, CompiledExpr]] = []
        actions: dict[str, str] = {}
        for name, raw in (spec or {}).items():
            if not isinstance(name, str) or not _IDENT.fullmatch(name):
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
            where: Loc = (*key_path, name)
            action = name
            if isinstance(raw, dict):
                written = raw.get("action", name)
                if not isinstance(written, str) or not _IDENT.fullmatch(written):
                    self.build.issue(
                        self.doc,
                        (*where, "action"),
                        ErrorCode.BAD_IDENTIFIER,
                        f"deadline action {written!r} must be snake_case",
                        rule_id=self.rid,
                        value=written,
                        hint="e.g. 'action: claim_filed'",
                    )
                else:
                    action = written
                if "from" in raw:
                    start = self.expr((*where, "from"), raw["from"], "datetime")
                    if start is not None:
                        starts.append((name, start))
                raw, where = raw.get("within"), (*where, "within")
            compiled = self.expr(where, raw, "duration")
            if compiled is not None:
                within.append((name, compiled))
                actions[name] = action
        return {"within": within, "from": starts, "actions": actions}

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
    check_lifecycle(build, lambda doc: _RuleChecker(build, ctx, doc, ""))


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


def _index(written: str, exc: ExprError) -> int:
    """Where in ``written`` (the YAML value) a problem at ``exc.line``:``exc.col`` of
    the stripped expression is: what .strip() dropped, then the lines before."""
    rows = written.strip().split("\n")
    before = sum(len(row) + 1 for row in rows[: max(exc.line, 1) - 1])
    return len(written) - len(written.lstrip()) + before + exc.col
