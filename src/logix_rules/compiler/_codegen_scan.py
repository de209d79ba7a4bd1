"""The generated hot path: ``__rules`` (which rules hold at an instant) and the tracker
part of ``__absorb``, written so an event or a timer runs as little as the compiler can
prove is enough, with the same result as evaluating every test (issue 15).

What the compiler decides, so the runtime does not:

* a tracker whose filter names reasons cannot match an event with no reason (most
  scans): those trackers sit behind one test of the reason; a flag (``report``) is
  tested with ``is``;
* a run of consecutive rules that each start with ``seen(...)`` (a tracker's count
  above zero) cannot hold while no tracker has matched: one test of the counts skips
  the run (the rules stay in their order, so ``hits`` comes out the same);
* a null-safe comparison (``_gt``...) of two plain operands is False when either is
  None: an operand read from the state's aggregates is tested inline before the call
  (an unset ``last(...)``, a parcel not delivered yet), so the call is made only when
  it can be True;
* in the step loop's copy only, a rule whose due instants depend on the shipment's
  facts and params alone (``delivery_late``: ``promised_at``, ``promised_at +
  sla_grace``...) has them computed once per batch, not added up again per event;
* a field of the state that several rules read (``final``, ``stage``, ``status``...) is
  read once into a local before the rules (the scan changes nothing of the state), and
  a rung with no ``after`` is due at its anchor itself, with no arithmetic or test.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from ..core._records import KIND_FIELDS, REASON
from ._counter_reads import COUNTS

__all__ = ["null_checked", "scan_function", "tracker_lines"]

# Each is False when either operand is None (core/_helpers.py), whatever else happens.
_NULL_FALSE = frozenset({"_lt", "_le", "_gt", "_ge"})


def tracker_lines(filters: Sequence[Sequence[tuple[str, Sequence[Any]]]]) -> list[str]:
    """The lines of ``__absorb`` feeding event kind ``k`` at ``n`` to the trackers it
    matches; ``filters`` are each tracker's (field, values) tests, all of which must hold."""
    plain: list[str] = []
    by_reason: list[str] = []
    reasoned_trackers = 0
    for index, tests in enumerate(filters):
        code = []
        reasoned = False
        # A flag (``report``) holds for most events, a status or reason for few: test
        # the flags last, so most events fail at the first test (the tests are pure).
        for key, values in sorted(tests, key=_flag_last):
            field = KIND_FIELDS[key]
            if len(values) != 1:
                code.append(f"k[{field}] in {values!r}")
            elif type(values[0]) is bool:
                # A flag of a kind is a bool, never another value equal to one: ``is``
                # is a pointer test where ``==`` compares two bools the slow way.
                code.append(f"k[{field}] is {values[0]!r}")
            else:
                code.append(f"k[{field}] == {values[0]!r}")
            reasoned = reasoned or (field == REASON and None not in values)
        body = [
            f"    if ({' and '.join(code)}):",
            "        if type(s.cnt) is tuple:  # the pack's shared zeros: own them now",
            "            s.cnt, s.firsts = list(s.cnt), list(s.firsts)",
            "            s.lasts = list(s.lasts)",
            f"        s.cnt[{index}] += 1",
            f"        if s.firsts[{index}] is None:",
            f"            s.firsts[{index}] = n",
            f"        s.lasts[{index}] = n",
        ]
        # Trackers are independent of each other, so their order does not matter.
        (by_reason if reasoned else plain).extend(body)
        reasoned_trackers += reasoned
    if reasoned_trackers:
        # Most events have no reason, and ``None == 'damaged'`` fails only after both
        # sides' comparisons decline (~250 instructions; ``is not None``: ~60): one
        # test of the reason first pays even for a single such tracker.
        lines = [f"    if k[{REASON}] is not None:  # trackers that need a reason"]
        lines += ["    " + line for line in by_reason]
        return lines + plain
    return by_reason + plain


def _flag_last(test: tuple[str, Sequence[Any]]) -> bool:
    return all(type(value) is bool for value in test[1])


def scan_function(
    rules: list[dict[str, Any]],
    signature: str = "__rules(s, f, p, n)",
    prelude: Sequence[str] = (),
    batch: list[str] | None = None,
) -> list[str]:
    """One straight-line function evaluating every rule of the pack at instant ``n``.

    It returns the (rule index, rung) pairs that hold, or None when none does, and the
    earliest due time still ahead.  The per-rule functions stay for evidence and
    explanations; the kernel's hot path calls only this one, with the ``prelude`` lines
    that absorb the event at ``n`` first (``__absorb``).

    With ``batch`` (the step loop's copy, ``_codegen_step.py``), a rule whose anchor
    and every ``after`` read only the shipment's facts and params (``f``, ``p``:
    neither changes while a shipment steps) has its due instants computed once per
    batch: their lines go to ``batch``, and the rule compares the locals they leave
    with ``n`` (``_batched`` says which rules).
    """
    seen = [_needs_tracker(rule["when"].code) for rule in rules]
    local = _hoisted([rule for rule, guarded in zip(rules, seen, strict=True) if not guarded])
    out = [
        f"def {signature}:",
        *prelude,
        "    # which rules hold at n, as (rule, rung), and the next instant one becomes due",
        "    hits = None",
        "    pending = None",
        *(f"    {name} = s.{field}" for field, name in local.items()),
    ]
    index = 0
    while index < len(rules):
        end = index
        while end < len(rules) and seen[end]:
            end += 1
        if end - index >= 2:
            # No tracker has matched yet: none of these rules can hold.
            out.append("    if s.cnt != _ZEROS:  # rules that each need a tracker's match")
            for at in range(index, end):
                lines = _rule_lines(at, rules[at], local, batch)
                out.extend("    " + line for line in lines)
            index = end
        else:
            out.extend(_rule_lines(index, rules[index], local, batch))
            index += 1
    out.append("    return hits, pending")
    out.append("")
    return out


def _rule_lines(
    index: int, rule: dict[str, Any], local: dict[str, str], batch: list[str] | None = None
) -> list[str]:
    when_text = " ".join(rule["when"].source.split())  # one comment line, whatever the YAML
    out = [
        f"    # rules[{index}] {rule['id']}: {_comment(when_text)}",
        f"    if {_read_locals(null_checked(rule['when'].code), local)}:",
    ]
    if rule["anchor"] is None:
        out.append("        if hits is None:")
        out.append("            hits = []")
        out.append(f"        hits.append(({index}, 0))")
        return out
    if batch is not None and _batched(rule):
        return out + _batched_rungs(index, rule, local, batch)
    out.append(f"        a = {_read_locals(rule['anchor'].code, local)}")
    out.append("        if a is not None:")
    out.append("            active = -1")
    for rung, step in enumerate(rule["steps"]):
        constant = _int_constant(step["after"].code) if step["after"] is not None else 0
        if constant is not None:
            # A constant offset (none: 0) from the anchor, which is set: never None.
            pad = "            "
            out.append(f"{pad}d = a" if constant == 0 else f"{pad}d = {constant!r} + a")
        else:
            out.append(f"            d = {_read_locals(step['after'].code, local)}")
            out.append("            if d is not None:")
            out.append("                d += a")
            pad = "                "
        _rung_lines(out, pad, "d", step, local, rung)
    _hit_lines(out, index)
    return out


def _batched(rule: dict[str, Any]) -> bool:
    """Whether ``rule``'s anchor and every ``after`` are the batch's constants, and no
    rung's condition reads the scan's ``a`` or ``d`` (which the batched rule leaves unset)."""
    steps = rule["steps"]
    if not _batch_constant(rule["anchor"].code) or not all(
        step["after"] is None or _batch_constant(step["after"].code) for step in steps
    ):
        return False
    return not any(
        isinstance(node, ast.Name) and node.id in ("a", "d")
        for step in steps
        if step["when"] is not None
        for node in ast.walk(ast.parse(step["when"].code, mode="eval"))
    )


def _batched_rungs(
    index: int, rule: dict[str, Any], local: dict[str, str], batch: list[str]
) -> list[str]:
    """The rungs of a rule whose due instants are all the batch's constants: each is
    computed once (into ``batch``), as the plain scan computes it per event, and the
    rule only compares them with ``n``."""
    at = f"at{index}"
    batch.append(f"{at} = {rule['anchor'].code}")
    out = [f"        if {at} is not None:", "            active = -1"]
    for rung, step in enumerate(rule["steps"]):
        constant = _int_constant(step["after"].code) if step["after"] is not None else 0
        pad = "            "
        if constant == 0:
            due = at  # due at the anchor itself, which is set
        else:
            due = f"due{index}_{rung}"
            batch.append(f"{due} = None")
            batch.append(f"if {at} is not None:")
            if constant is not None:
                batch.append(f"    {due} = {constant!r} + {at}")
            else:
                batch.append(f"    {due} = {step['after'].code}")
                batch.append(f"    if {due} is not None:")
                batch.append(f"        {due} += {at}")
                out.append(f"{pad}if {due} is not None:")
                pad += "    "
        _rung_lines(out, pad, due, step, local, rung)
    _hit_lines(out, index)
    return out


def _rung_lines(
    out: list[str], pad: str, due: str, step: dict[str, Any], local: dict[str, str], rung: int
) -> None:
    """A time rung's test once its due instant is in ``due``: active when due (and its
    ``when`` holds), else the earliest pending instant."""
    out.append(f"{pad}if {due} <= n:")
    if step["when"] is not None:
        when = _read_locals(null_checked(step["when"].code), local)
        out.append(f"{pad}    if {when}:")
        out.append(f"{pad}        active = {rung}")
    else:
        out.append(f"{pad}    active = {rung}")
    out.append(f"{pad}elif pending is None or {due} < pending:")
    out.append(f"{pad}    pending = {due}")


def _hit_lines(out: list[str], index: int) -> None:
    out.append("            if active >= 0:")
    out.append("                if hits is None:")
    out.append("                    hits = []")
    out.append(f"                hits.append(({index}, active))")


# What a batch constant may be made of: reads of the facts' and params' fields,
# literals and arithmetic (no call: a helper might read something else).
_BATCH_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Attribute,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.USub,
    ast.UAdd,
)


def _batch_constant(code: str) -> bool:
    """Whether ``code`` reads nothing but the shipment's facts and params (``f.x``,
    ``p.x``), literals and ``+ - *`` of them: the same value for every event of a
    batch.  It may still raise (``None + 1``); the step loop then runs its plain copy,
    which raises it where the scan would."""
    if not code:
        return False
    tree = ast.parse(code, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _BATCH_NODES):
            return False
        if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id in ("f", "p")
        ):
            return False
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name)]
    attributes = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    # Every name is the base of a field read (no bare ``f`` or ``p``).
    return len(names) == len(attributes)


def _hoisted(rules: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The state fields that ``rules`` (those the scan always reaches) read more than
    once, each with the local it is read into first.  Counts stay ``s.<count>``: the
    late-event analysis (``_counter_reads``) reads them in the generated text."""
    reads: dict[str, int] = {}
    for rule in rules:
        codes = [rule["when"].code]
        if rule["anchor"] is not None:
            codes.append(rule["anchor"].code)
            for step in rule["steps"]:
                codes.extend(part.code for part in (step["after"], step["when"]) if part)
        for code in codes:
            for node in ast.walk(ast.parse(code, mode="eval")):
                if _is_state_read(node):
                    assert isinstance(node, ast.Attribute)
                    reads[node.attr] = reads.get(node.attr, 0) + 1
    return {
        field: f"s_{field}"
        for field, times in sorted(reads.items())
        if times >= 2 and field not in COUNTS
    }


def _read_locals(code: str, local: dict[str, str]) -> str:
    """``code`` reading the fields of ``local`` from their locals; ``code`` itself when
    it reads none of them, or defines a function or comprehension (whose body would
    then close over the scan's locals)."""
    if not local or "s." not in code:
        return code
    tree = ast.parse(code, mode="eval")
    if any(isinstance(node, ast.Lambda | ast.comprehension) for node in ast.walk(tree)):
        return code
    changed = _Locals(local)
    tree = changed.visit(tree)
    return ast.unparse(tree) if changed.count else code


class _Locals(ast.NodeTransformer):
    def __init__(self, local: dict[str, str]) -> None:
        self.local = local
        self.count = 0

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if _is_state_read(node) and node.attr in self.local:
            self.count += 1
            return ast.copy_location(ast.Name(self.local[node.attr], ast.Load()), node)
        self.generic_visit(node)
        return node


def _int_constant(code: str) -> int | None:
    """The int ``code`` is a literal of, else None."""
    body = ast.parse(code, mode="eval").body
    if isinstance(body, ast.Constant) and type(body.value) is int:
        return body.value
    return None


def _is_state_read(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.value, ast.Name)
        and node.value.id == "s"
    )


def _needs_tracker(code: str) -> bool:
    """Whether condition ``code`` starts with ``s.cnt[i] > 0`` (``seen``): False while
    every count is zero, before anything else of it is evaluated."""
    body = ast.parse(code, mode="eval").body
    first = (
        body.values[0] if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else body
    )
    return (
        isinstance(first, ast.Compare)
        and len(first.ops) == 1
        and isinstance(first.ops[0], ast.Gt)
        and _is_constant(first.comparators[0], 0)
        and isinstance(first.left, ast.Subscript)
        and isinstance(first.left.slice, ast.Constant)
        and type(first.left.slice.value) is int
        and _is_state_field(first.left.value, "cnt")
    )


def null_checked(code: str) -> str:
    """``code`` with each null-safe comparison of two plain operands (names, fields,
    constant subscripts: reading them twice is reading the same value) tested for None
    inline before the call; ``code`` itself when there is none."""
    tree = ast.parse(code, mode="eval")
    if any(isinstance(node, ast.Lambda | ast.comprehension) for node in ast.walk(tree)):
        return code
    changed = _NullChecks()
    tree = changed.visit(tree)
    return f"({ast.unparse(tree)})" if changed.count else code


class _NullChecks(ast.NodeTransformer):
    count = 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in _NULL_FALSE
            and len(node.args) == 2
            and not node.keywords
            and all(_plain(arg) for arg in node.args)
        ):
            # Only the state's aggregates: they are often unset (a shipment's facts
            # and params seldom are, and testing those would cost more than it saves).
            checks: list[ast.expr] = [
                ast.Compare(arg, [ast.IsNot()], [ast.Constant(None)])
                for arg in node.args
                if _root(arg) == "s"
            ]
            if checks:
                self.count += 1
                return ast.BoolOp(ast.And(), [*checks, node])
        return node


def _plain(node: ast.AST) -> bool:
    """A value read without side effects: a name, a constant, a field or constant index of one."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return _plain(node.value)
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and _plain(node.value)
    return False


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_constant(node: ast.AST, value: int) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == value


def _is_state_field(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == name
        and isinstance(node.value, ast.Name)
        and node.value.id == "s"
    )


def _comment(text: str) -> str:
    """Pack text made safe for one comment line (see ``_codegen._comment``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
