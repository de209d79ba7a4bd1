"""Part of stage 4, ``typecheck``: what a pack says of incidents' lives.

* **Supersessions**: a kind that supersedes others on the same parcel, from a rule's
  ``supersedes: [...]`` and the pack-level ``supersessions:`` table (an extending pack
  replaces a kind's row).  Every kind named must be a kind of the pack's rules, and
  no kind may supersede itself, even through others (a cycle).
* **Deadline actions**: the follow-up that meets each kind-specific deadline; a
  deadline name means one action across the pack.
* **Revisit**: ``revisit: {after: duration, action: name}``, the follow-up due after
  a resolution.
"""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode
from ._build import _IDENT, _Build, _check_keys, _Doc
from ._suggest import suggest

__all__ = ["check_lifecycle"]

_REVISIT_KEYS = ("after", "action")


def check_lifecycle(build: _Build, checker: Any) -> None:
    """Fill ``build.lifecycle``; ``checker(doc)`` gives an expression checker for ``doc``."""
    present = {str(rule["kind"]) for rule in build.typed_rules}
    # A kind some pack of the chain declares is no typo, even when an extending pack
    # disabled its rules: its supersessions are then left out.
    declared = {
        rule["kind"]
        for doc in build.docs
        if isinstance(doc.data, dict) and isinstance(doc.data.get("rules"), list)
        for rule in doc.data["rules"]
        if isinstance(rule, dict) and isinstance(rule.get("kind"), str)
    }
    _supersessions(build, present, declared | present)
    _actions(build)
    _revisit(build, checker)


def _kind_list(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], raw: Any, known: set[str], rid: Any
) -> tuple[str, ...]:
    if not isinstance(raw, list):
        build.issue(
            doc,
            path,
            ErrorCode.WRONG_TYPE,
            "a supersession lists kinds, e.g. [tracking_stall, transit_delay]",
            rule_id=rid,
            value=raw,
        )
        return ()
    out: list[str] = []
    for index, kind in enumerate(raw):
        if _known_kind(build, doc, (*path, index), kind, known, rid):
            out.append(kind)
    return tuple(dict.fromkeys(out))


def _known_kind(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], kind: Any, known: set[str], rid: Any
) -> bool:
    if isinstance(kind, str) and kind in known:
        return True
    build.issue(
        doc,
        path,
        ErrorCode.UNKNOWN_KIND,
        f"no rule of the pack raises the kind {kind!r}."
        + (suggest(kind, sorted(known)) if isinstance(kind, str) else ""),
        rule_id=rid,
        value=kind,
        hint="Kinds: " + ", ".join(sorted(known)) + ".",
    )
    return False


def _supersessions(build: _Build, present: set[str], known: set[str]) -> None:
    table: dict[str, tuple[str, ...]] = {}
    where: dict[str, tuple[_Doc, tuple[str | int, ...]]] = {}
    for doc in build.docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        raw = data.get("supersessions")
        if raw is None:
            continue
        if not isinstance(raw, dict):
            build.issue(
                doc,
                ("supersessions",),
                ErrorCode.WRONG_TYPE,
                "'supersessions' must map a kind to the kinds it supersedes",
                value=raw,
            )
            continue
        for kind, superseded in raw.items():
            path: tuple[str | int, ...] = ("supersessions", kind)
            if _known_kind(build, doc, path, kind, known, None):
                table[kind] = _kind_list(build, doc, path, superseded, known, None)
                where[kind] = (doc, path)
    for rule_doc, rule_path, rule in build.rule_docs:
        if "supersedes" not in rule:
            continue
        kind, rid = str(rule["kind"]), rule.get("id")
        at = (*rule_path, "supersedes")
        listed = _kind_list(build, rule_doc, at, rule["supersedes"], known, rid)
        table[kind] = tuple(dict.fromkeys((*table.get(kind, ()), *listed)))
        where.setdefault(kind, (rule_doc, at))
    cycle = _cycle(table)
    if cycle:
        doc, path = where[cycle[0]]
        build.issue(
            doc,
            path,
            ErrorCode.SUPERSESSION_CYCLE,
            "kinds supersede each other in a circle: " + " -> ".join(cycle),
            value=cycle[0],
            hint="A later stage supersedes an earlier one, never the other way round.",
        )
        return
    build.lifecycle.supersedes = {
        kind: kept
        for kind, kinds in table.items()
        if kind in present and (kept := tuple(k for k in kinds if k in present))
    }


def _cycle(table: dict[str, tuple[str, ...]]) -> list[str]:
    """A circle of supersessions as [a, b, ..., a], or [] when there is none."""
    done: set[str] = set()

    def visit(kind: str, trail: list[str]) -> list[str]:
        if kind in trail:
            return [*trail[trail.index(kind) :], kind]
        if kind in done:
            return []
        for superseded in table.get(kind, ()):
            found = visit(superseded, [*trail, kind])
            if found:
                return found
        done.add(kind)
        return []

    for kind in sorted(table):
        found = visit(kind, [])
        if found:
            return found
    return []


def _actions(build: _Build) -> None:
    actions: dict[str, tuple[str, Any]] = {}
    for rule in build.typed_rules:
        for step in rule["steps"]:
            for name, action in step["deadlines"]["actions"].items():
                first = actions.get(name)
                if first is None:
                    actions[name] = (action, rule["id"])
                elif first[0] != action:
                    build.issue(
                        rule["doc"],
                        (*rule["path"], "deadlines", name),
                        ErrorCode.ACTION_CONFLICT,
                        f"deadline {name!r} is met by {action!r} here and by {first[0]!r} "
                        f"in rule {first[1]!r}",
                        rule_id=rule["id"],
                        value=action,
                        hint="One deadline name means one follow-up action across the pack.",
                    )
    build.lifecycle.actions = {name: action for name, (action, _) in actions.items()}


def _revisit(build: _Build, checker: Any) -> None:
    found: tuple[_Doc, Any] | None = None
    for doc in build.docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        if "revisit" in data:
            found = (doc, data["revisit"])
    if found is None:
        return
    doc, raw = found
    if raw is None:  # an extending pack turns the revisit off
        return
    if not _check_keys(build, doc, ("revisit",), raw, _REVISIT_KEYS, "the revisit"):
        return
    action = raw.get("action")
    if not isinstance(action, str) or not _IDENT.fullmatch(action):
        build.issue(
            doc,
            ("revisit", "action"),
            ErrorCode.MISSING_KEY if action is None else ErrorCode.BAD_IDENTIFIER,
            "the revisit needs an 'action' in snake_case",
            value=action,
            hint="e.g. 'revisit: {after: 24h, action: revisited}'",
        )
        return
    if "after" not in raw:
        build.issue(
            doc,
            ("revisit",),
            ErrorCode.MISSING_KEY,
            "the revisit needs 'after'",
            hint="e.g. 'revisit: {after: 24h, action: revisited}'",
        )
        return
    after = checker(doc).expr(("revisit", "after"), raw["after"], "duration")
    if after is not None:
        build.lifecycle.revisit = (after, action)
