"""Stage 2, ``validate``: the document schema (keys, types, identifiers, duplicates).

A rule with a problem here is left out of the later stages, so they do not report
it a second time.
"""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode
from ._build import _IDENT, _Build, _check_keys, _Doc
from ._model import FORMAT_VERSION
from ._namespace import ANCHOR_NAMES
from ._remedy_terms import check_item_terms

_TOP_KEYS = (
    "format",
    "name",
    "description",
    "extends",
    "params",
    "severities",
    "rules",
    "disable",
    "supersessions",
    "revisit",
)
_SEVERITY_KEYS = ("respond", "resolve", "escalate_after", "label", "target")
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
    "supersedes",
)
_STEP_KEYS = ("after", "when", "severity", "remedy", "deadlines", "explain")
_REMEDY_KEYS = ("code", "text", "items", "fast_track")
_ITEM_KEYS = ("code", "amount", "borne_by", "bearer", "when", "causes")
_DEADLINE_KEYS = ("within", "action", "from")


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
        severities = data.get("severities")
        # A wrong-typed section was reported above; the rules are still checked, since
        # later stages rely on this stage for every rule they see.
        for level, spec in (severities if isinstance(severities, dict) else {}).items():
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
                elif not isinstance(value, str) or not _IDENT.fullmatch(value):
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
                        if isinstance(step, dict):
                            valid &= _validate_deadlines(build, doc, spath, step, rid)
            if "remedy" in rule:
                valid &= _validate_remedy(build, doc, (*path, "remedy"), rule["remedy"], rid)
            valid &= _validate_deadlines(build, doc, path, rule, rid)
            if not valid:
                build.broken_rules.add(id(rule))


def _validate_deadlines(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], spec: dict[str, Any], rid: str | None
) -> bool:
    """A rule's or a step's ``deadlines``, if any, map names to durations, or to a
    mapping ``{within: duration, action: name, from: instant}``."""
    if "deadlines" not in spec:
        return True
    deadlines = spec["deadlines"]
    if not isinstance(deadlines, dict):
        build.issue(
            doc,
            (*path, "deadlines"),
            ErrorCode.WRONG_TYPE,
            "'deadlines' must map names to durations",
            rule_id=rid,
        )
        return False
    ok = True
    for name, value in deadlines.items():
        if not isinstance(value, dict):
            continue
        where = (*path, "deadlines", name)
        ok &= _check_keys(build, doc, where, value, _DEADLINE_KEYS, "a deadline", rid)
        if "within" not in value:
            build.issue(
                doc,
                where,
                ErrorCode.MISSING_KEY,
                f"deadline {name!r} without 'within'",
                rule_id=rid,
                hint="e.g. 'claim: {within: claim_within, action: claim_filed}'",
            )
            ok = False
    return ok


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
        if isinstance(item, dict):
            ok &= check_item_terms(build, doc, (*path, "items", index), item, rid)
    return ok
