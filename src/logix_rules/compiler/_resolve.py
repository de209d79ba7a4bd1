"""Stage 3, ``resolve``: merge the base packs and the pack, parse params (their types,
values and overrides) and durations, and number the severities."""

from __future__ import annotations

import re
from keyword import iskeyword
from typing import Any

from ..core._errors import ErrorCode
from ._build import _IDENT, _Build, _check_keys, _Doc
from ._limits import (
    DURATION_HINT,
    NUMBER_HINT,
    DurationOutOfRange,
    bounded_duration,
    number_problem,
)
from ._model import PARAM_TYPES, SELECTORS, Param, Severity, _check_selector_key
from ._money_checks import check_money
from ._suggest import suggest

_PARAM_KEYS = ("type", "default", "by", "values", "doc")


class _OutOfRange(ValueError):
    """A value of the right kind outside the limits (``out_of_range``)."""

    def __init__(self, msg: str, *, duration: bool = False) -> None:
        super().__init__(msg)
        self.duration = duration


def _parse_value(ptype: str, raw: Any) -> tuple[Any, str | None]:
    """A param value of ``ptype`` from YAML, within the limits.

    Raises ``ValueError`` with what to write (``_OutOfRange`` when out of range).
    """
    if ptype == "duration":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a duration; write it with a unit, e.g. '24h' or '7d'")
        try:
            return bounded_duration(raw), None
        except DurationOutOfRange as exc:
            raise _OutOfRange(str(exc), duration=True) from None
    value, currency = _parse_plain(ptype, raw)
    for number in value if isinstance(value, tuple) else (value,):
        problem = number_problem(number)
        if problem:
            raise _OutOfRange(problem)
    return value, currency


def _parse_plain(ptype: str, raw: Any) -> tuple[Any, str | None]:
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
            if not isinstance(name, str) or not _IDENT.fullmatch(name) or iskeyword(name):
                build.issue(
                    doc,
                    path,
                    ErrorCode.BAD_IDENTIFIER,
                    f"param name {name!r} must be snake_case"
                    if not iskeyword(name)
                    else f"param name {name!r} is a word of the condition language",
                    value=name,
                )
                continue
            if not isinstance(spec, dict) or "type" not in spec:
                _new_param_without_type(build, doc, path, name, list(raw_params))
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
                    windows[key] = bounded_duration(str(raw))
                except ValueError as exc:
                    build.issue(
                        doc,
                        ("severities", level, key),
                        _value_code(exc, ErrorCode.BAD_DURATION),
                        str(exc),
                        value=raw,
                        hint=_value_hint(exc),
                    )
            # A level with a bad window still exists (with zero windows), so the rules
            # naming it are not also reported; the build fails on the issue above.
            windows = {key: windows.get(key, 0) for key in ("respond", "resolve", "escalate_after")}
            names = list(build.severities)
            rank = names.index(str(level)) if str(level) in names else len(names)
            target = spec.get("target")
            if target is not None and (not isinstance(target, str) or not _IDENT.fullmatch(target)):
                build.issue(
                    doc,
                    ("severities", level, "target"),
                    ErrorCode.BAD_IDENTIFIER,
                    f"escalation target {target!r} must be snake_case",
                    value=target,
                    hint="e.g. 'target: department_head'",
                )
                target = None
            build.severities[str(level)] = Severity(
                str(level), rank, label=str(spec.get("label", "")), target=target, **windows
            )
        _resolve_rules(build, doc, data)

    for name, (doc, spec, overrides) in raw_params.items():
        _resolve_param(build, name, doc, spec, overrides)
    check_money(build)


def _selectors(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], name: str, spec: dict[str, Any]
) -> tuple[tuple[str, ...] | None, bool]:
    """The ``by`` of a param declaration or override (``None`` without one), and
    whether it is valid (each problem reported)."""
    raw_by = spec.get("by")
    if raw_by is None:
        return None, True
    by = tuple(raw_by) if isinstance(raw_by, list) else (raw_by,)
    if not by:
        build.issue(
            doc,
            (*path, "by"),
            ErrorCode.BAD_PARAM,
            f"param {name!r} has an empty 'by'",
            hint="Name a selector (" + ", ".join(SELECTORS) + ") or remove 'by'.",
        )
        return None, False
    for selector in by:
        if selector not in SELECTORS:
            build.issue(
                doc,
                (*path, "by"),
                ErrorCode.BAD_PARAM,
                f"param {name!r} cannot vary by {selector!r}." + suggest(str(selector), SELECTORS),
                hint="Selectors: " + ", ".join(SELECTORS) + " (or a list of them, tried in order).",
                value=selector,
            )
            return None, False
    return by, True


def _by_text(by: tuple[str, ...]) -> str:
    return by[0] if len(by) == 1 else "[" + ", ".join(by) + "]"


def _new_param_without_type(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], name: str, known: list[str]
) -> None:
    """A param seen first without a 'type': in an extending pack most likely a misspelt
    override, so say the base has no such param and name the closest one."""
    near = suggest(name, known)
    if doc is not build.docs[0] and known:
        msg = (
            f"the base pack has no param {name!r} to override.{near} "
            "(A new param needs a 'type' and a 'default'.)"
        )
        hint = "e.g. {type: duration, default: 24h}"
    else:
        msg = f"param {name!r} is new here, so it needs a 'type' and a 'default'.{near}"
        hint = "e.g. {type: duration, default: 24h}"
    build.issue(doc, path, ErrorCode.BAD_PARAM, msg, hint=hint, value=name)


def _value_code(exc: ValueError, otherwise: ErrorCode) -> ErrorCode:
    out_of_range = isinstance(exc, _OutOfRange | DurationOutOfRange)
    return ErrorCode.OUT_OF_RANGE if out_of_range else otherwise


def _value_hint(exc: ValueError) -> str:
    if isinstance(exc, DurationOutOfRange) or (isinstance(exc, _OutOfRange) and exc.duration):
        return DURATION_HINT
    return NUMBER_HINT if isinstance(exc, _OutOfRange) else ""


def _section(data: dict[str, Any], key: str, kind: type[Any]) -> Any:
    """A top-level section, or an empty one when absent or malformed (validate reported it)."""
    value = data.get(key)
    return value if isinstance(value, kind) else kind()


def _resolve_rules(build: _Build, doc: _Doc, data: dict[str, Any]) -> None:
    disable: list[Any] = _section(data, "disable", list)
    known = {rule.get("id"): i for i, (_, _, rule) in enumerate(build.rule_docs)}
    disabled: set[str] = set()
    for index, rule_id in enumerate(disable):
        if not isinstance(rule_id, str):
            build.issue(
                doc,
                ("disable", index),
                ErrorCode.WRONG_TYPE,
                f"'disable' lists rule ids, not a {type(rule_id).__name__}",
                value=rule_id,
            )
        elif rule_id not in known:
            build.issue(
                doc,
                ("disable", index),
                ErrorCode.UNKNOWN_RULE,
                f"cannot disable {rule_id!r}: no such rule in the base pack."
                + suggest(rule_id, [str(k) for k in known]),
                value=rule_id,
            )
        disabled.add(str(rule_id))
    build.rule_docs = [entry for entry in build.rule_docs if entry[2].get("id") not in disabled]
    # Where each base rule is, so a child's rule of the same id replaces it in place.
    positions = {rule.get("id"): i for i, (_, _, rule) in enumerate(build.rule_docs)}
    rules: list[Any] = _section(data, "rules", list)
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or id(rule) in build.broken_rules:
            continue
        entry = (doc, ("rules", index), rule)
        position = positions.get(rule.get("id"))
        if position is None:
            positions[rule.get("id")] = len(build.rule_docs)
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
    by, ok = _selectors(build, doc, path, name, spec)
    if not ok:
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
    # Each layer with the selectors in force there: an override may widen a scalar
    # param into one that varies (the base value stays the default), never re-key one.
    layers: list[tuple[_Doc, tuple[str | int, ...], Any, tuple[str, ...] | None]] = [
        (doc, path, spec, by)
    ]
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
            if "by" in o_spec:
                o_by, ok = _selectors(build, o_doc, path, name, o_spec)
                if not ok:
                    continue
                if by is not None and o_by is not None and o_by != by:
                    build.issue(
                        o_doc,
                        (*path, "by"),
                        ErrorCode.PARAM_TYPE_CHANGED,
                        f"param {name!r} varies by {_by_text(by)} in the base pack; "
                        f"an override cannot make it vary by {_by_text(o_by)}",
                        hint="Add entries to its 'values' instead, keyed as the base "
                        "pack keys them.",
                    )
                    continue
                by = by if o_by is None else o_by
            _check_keys(build, o_doc, path, o_spec, _PARAM_KEYS, f"param {name!r}")
            layers.append((o_doc, path, o_spec, by))
        else:  # shorthand: a bare value overrides the default
            layers.append((o_doc, path, {"default": o_spec}, by))
    default: Any = None
    currency = None
    currencies: dict[str, str] = {}  # a money value's own currency, per key
    values: dict[str, Any] = {}
    doc_text = ""
    for l_doc, l_path, layer, l_by in layers:
        doc_text = str(layer.get("doc", doc_text))
        if "default" in layer:
            try:
                default, given = _parse_value(ptype, layer["default"])
                currency = given or currency  # '800' overriding '500 CNY' stays in CNY
            except ValueError as exc:
                build.issue(
                    l_doc,
                    (*l_path, "default") if (*l_path, "default") in l_doc.marks else l_path,
                    _value_code(
                        exc, ErrorCode.BAD_DURATION if ptype == "duration" else ErrorCode.BAD_PARAM
                    ),
                    f"param {name!r}: {exc}",
                    value=layer["default"],
                    hint=_value_hint(exc),
                )
        layer_values = layer.get("values")
        if layer_values is not None:
            if l_by is None:
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
                problems = [_check_selector_key(selector, key) for selector in l_by]
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
                    values[key], given = _parse_value(ptype, raw)
                    if given:
                        currencies[key] = given
                    else:
                        currencies.pop(key, None)
                except ValueError as exc:
                    build.issue(
                        l_doc,
                        (*l_path, "values", key),
                        _value_code(
                            exc,
                            ErrorCode.BAD_DURATION if ptype == "duration" else ErrorCode.BAD_PARAM,
                        ),
                        f"param {name!r}[{key}]: {exc}",
                        value=raw,
                        hint=_value_hint(exc),
                    )
    # A param with a bad value still exists, so rules that use it are not also
    # reported as using an unknown name; the build fails on the issue above.
    build.params[name] = Param(
        name, ptype, default, by, values, doc_text, currency, currencies=currencies
    )
    build.param_docs[name] = (doc, path)
