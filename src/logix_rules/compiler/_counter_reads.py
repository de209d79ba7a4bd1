"""How a pack reads the state's counts, so a late event can stop replaying early.

A late event moves counts (``n_events``, ``n_scans``...) for good: the replay after
it never meets the stored history's state again, only one that differs by a constant
shift in some counts (``runtime/_replay.py``).  The stored tail can be kept, its counts
shifted, when nothing the tail computed depended on the shift:

* a read ``s.<count> OP constant`` (a *threshold*) gives the same answer on both sides
  once both are above every such constant, and counts never go down;
* a read of a count in what an incident keeps, taken from its leading rule, is
  *kept* when it is one of its evidence's values as such (``{'scans': s.n_scans}``:
  the replay keeps the stored incident only if that value is below the count where
  the replay stopped, so it was taken before), and *captured* anywhere else (an
  explanation, remedy amounts and items): the replay then keeps no stored incident
  that rule leads;
* any other read (arithmetic, a comparison with a parameter, a deadline, a rule's
  condition passing it to a function) *blocks* the shift of that count.

The analysis reads the pack's generated module (``Pack.module_source``): every
expression of the pack, the absorber and the scan function are there, and the runtime
reads no count but ``n_events``, as the length of the absorbed history (consistent
under the shift).  Anchors matter too: an incident's evidence lists the events at its
anchor's instant, so a late event at that instant would change it; the shortcut needs
every anchor to be a plain field (``s.last_scan``, ``f.shipped_at``), whose value the
replay can compare with the late events' instants.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Iterable

import attrs

__all__ = ["COUNTS", "CounterReads", "counter_reads"]

COUNTS = ("n_events", "n_scans", "regressions", "after_delivery")

# What an incident keeps, by the generated function's name (``<rule>__<role>``).
_CAPTURED = re.compile(
    r"^(?P<rule>.+?)__(?P<role>values|explain_\d+|amount_\d+_\d+|fast_track_\d+|item_when_\d+_\d+)$"
)
_ANCHOR = re.compile(r"^(?P<rule>.+?)__anchor$")


@attrs.frozen
class CounterReads:
    """Per count: the largest threshold constant (-inf: none), the rules whose
    evidence keeps it (rule id -> the evidence's key), the rules that capture it
    otherwise, and whether some read blocks its shift.  ``plain_anchors``: every
    rule's anchor is a plain field of the state (or of the facts)."""

    bound: dict[str, float]
    kept_by: dict[str, dict[str, str]]
    captured_by: dict[str, frozenset[str]]
    blocked: frozenset[str]
    plain_anchors: bool

    def shiftable(self, count: str, low: int) -> bool:
        """Whether ``count`` may differ, the lower of its two values being ``low``."""
        return count not in self.blocked and low > self.bound[count]


def counter_reads(source: str, rule_ids: Iterable[str]) -> CounterReads:
    """Analyse a pack's generated module (see the module docstring)."""
    return _analyse(source, frozenset(rule_ids))


@functools.lru_cache(maxsize=32)
def _analyse(source: str, rules: frozenset[str]) -> CounterReads:
    """Once per pack, not per kernel (an engine's): only the functions that name a
    count, or are anchors, are parsed (the whole module takes ~60 ms)."""
    bound = dict.fromkeys(COUNTS, -math.inf)
    kept: dict[str, dict[str, str]] = {c: {} for c in COUNTS}
    captured: dict[str, set[str]] = {c: set() for c in COUNTS}
    blocked: set[str] = set()
    plain_anchors = True
    for chunk in _functions(source):
        try:
            tree = ast.parse(chunk)
        except SyntaxError:  # a part split where it should not be: no shortcut at all
            none = {c: frozenset[str]() for c in COUNTS}
            return CounterReads(bound, {c: {} for c in COUNTS}, none, frozenset(COUNTS), False)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            anchor = _ANCHOR.match(fn.name)
            if anchor is not None and anchor["rule"] in rules and not _plain_return(fn):
                plain_anchors = False
            capture = _CAPTURED.match(fn.name)
            owner = capture["rule"] if capture is not None and capture["rule"] in rules else None
            role = capture["role"] if owner is not None and capture is not None else None
            for node in ast.walk(fn):
                count, use = _count_use(node, parents.get(node))
                if count is None or use == "inc":
                    continue
                limit = _threshold(node, parents.get(node)) if use == "read" else None
                if limit is not None:
                    bound[count] = max(bound[count], limit)
                elif use == "read" and owner is not None:
                    key = _evidence_key(node, parents.get(node)) if role == "values" else None
                    if key is not None and kept[count].get(owner, key) == key:
                        kept[count][owner] = key
                    else:
                        captured[count].add(owner)
                else:
                    blocked.add(count)
    for count in COUNTS:  # captured anywhere: what the evidence keeps does not help
        for owner in captured[count]:
            kept[count].pop(owner, None)
    return CounterReads(
        bound,
        kept,
        {c: frozenset(r) for c, r in captured.items()},
        frozenset(blocked),
        plain_anchors,
    )


def _evidence_key(node: ast.AST, parent: ast.AST | None) -> str | None:
    """The key under which the evidence dict holds ``node`` itself, or None."""
    if not isinstance(parent, ast.Dict):
        return None
    for key, value in zip(parent.keys, parent.values, strict=True):
        if value is node and isinstance(key, ast.Constant) and type(key.value) is str:
            return key.value
    return None


def _functions(source: str) -> list[str]:
    """The module's top-level parts that name a count or define an anchor."""
    parts = re.split(r"(?m)^(?=def |class |[A-Za-z_][A-Za-z0-9_]* *=)", source)
    return [
        part
        for part in parts
        if _NAMES.search(part) is not None or _ANCHOR_DEF.match(part) is not None
    ]


_NAMES = re.compile(r"\b(?:" + "|".join(COUNTS) + r")\b")
_ANCHOR_DEF = re.compile(r"def [A-Za-z0-9_]+__anchor\(")


def _count_use(node: ast.AST, parent: ast.AST | None) -> tuple[str | None, str]:
    """The count ``node`` names and how: ``read`` (``s.<count>`` loaded), ``inc`` (the
    absorber's ``s.<count> += 1``: the same on both sides), or ``other`` (anything
    else: another object's attribute of that name, a bare name, an assignment)."""
    if isinstance(node, ast.Name) and node.id in COUNTS:
        return node.id, "other"
    if not isinstance(node, ast.Attribute) or node.attr not in COUNTS:
        return None, ""
    if not (isinstance(node.value, ast.Name) and node.value.id == "s"):
        return node.attr, "other"
    if isinstance(node.ctx, ast.Load):
        return node.attr, "read"
    if (
        isinstance(parent, ast.AugAssign)
        and parent.target is node
        and isinstance(parent.op, ast.Add)
        and isinstance(parent.value, ast.Constant)
        and type(parent.value.value) is int
        and parent.value.value >= 0
    ):
        return node.attr, "inc"
    return node.attr, "other"


def _threshold(node: ast.AST, parent: ast.AST | None) -> float | None:
    """The largest constant of the comparison ``node`` is an operand of, when every
    other operand is a number constant; else None."""
    if not isinstance(parent, ast.Compare):
        return None
    operands = [parent.left, *parent.comparators]
    limits: list[float] = []
    for operand in operands:
        if operand is node:
            continue
        try:
            value = ast.literal_eval(operand)
        except ValueError:
            return None
        if type(value) not in (int, float) or not math.isfinite(value):
            return None
        limits.append(float(value))
    if not limits or sum(operand is node for operand in operands) != 1:
        return None
    return max(limits)


def _plain_return(fn: ast.FunctionDef) -> bool:
    """``return s.<field>``, ``return f.<field>`` or ``return s.firsts[i]``/``lasts``."""
    body = [stmt for stmt in fn.body if not isinstance(stmt, ast.Expr)]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    value = body[0].value
    if isinstance(value, ast.Subscript):
        if not isinstance(value.slice, ast.Constant):
            return False
        value = value.value
        if not (isinstance(value, ast.Attribute) and value.attr in ("firsts", "lasts")):
            return False
    return (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Name)
        and value.value.id in ("s", "f")
        and value.attr not in ("attr_values", "latest")
    )
