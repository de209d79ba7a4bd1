"""Stage 5, ``compile``: generate one Python module per pack, registered in ``linecache``
so tracebacks and debuggers show its lines, and build the ``Pack`` from it.

Besides a function per expression (kept for evidence and explanations) the module has
the two the kernel calls on its hot path: ``__rules`` (which rules hold at an instant)
and ``__absorb`` (take one event into the state, then the same scan).
"""

from __future__ import annotations

import hashlib
import linecache
import re
import types
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import attrs

from logix_carriers import FINAL_STATUSES, STAGE_ORDER, Reason, Status, default_stage

from ..core._durations import format_duration, from_micros
from ..core._helpers import RUNTIME_GLOBALS
from ..core._instant_text import iso_text, minute_text
from ..core._records import ATTRS, KIND, NO_EVENT, REASON, REPORT, STAGE, STATUS
from ._build import _Build
from ._codegen_scan import _comment, scan_function, tracker_lines
from ._codegen_step import step_function
from ._expr_types import CompiledExpr
from ._model import Pack, RemedyItemSpec, RemedySpec, Revisit, Rule, Step
from ._namespace import ESTIMATE

__all__ = ["OPTIONAL_AGGREGATES"]


def _codegen(build: _Build) -> None:
    if build.issues or build.ctx is None or build.root is None:
        return
    ctx = build.ctx
    # Text from the pack reaches the module only through repr() or _comment(); names
    # (rule ids, deadline and param names) are identifiers checked with fullmatch.
    lines = [f"# logix: generated code for pack {build.name!r} ({build.root.file!r})", ""]

    def emit(fname: str, comment: str, body: str) -> str:
        lines.append(f"def {fname}(s, f, p, n):")
        for text in comment.splitlines() or [""]:
            lines.append(f"    # {_comment(text)}")
        lines.append(f"    return {body}")
        lines.append("")
        return fname

    money = _money_codes(build)
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
                for j, (name, d) in enumerate(step["deadlines"]["within"])
            ]
            sp["deadline_from"] = [
                (name, emit(f"{rid}__deadline_from_{i}_{j}", f"{name} from: {d.source}", d.code))
                for j, (name, d) in enumerate(step["deadlines"]["from"])
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
                sp["terms"] = _remedy_terms(emit, rid, i, step["remedy"])
            if step["explain"]:
                pieces = [
                    repr(p)
                    if isinstance(p, str)
                    else f"{_formatter(p.code, p.type.base, money, _FORMATTERS, '_fmt')}({p.code})"
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
                f"{text!r}: {_formatter(code, base, money, _VALUE_FORMATTERS, '')}({code})"
                for text, (code, base) in leaves.items()
            )
            + "}"
        )
        entry["values"] = emit(
            f"{rid}__values", "the operands of the rule, for evidence", values_body
        )
        plan.append(entry)

    lifecycle = build.lifecycle
    revisit_fn = (
        emit(
            "__revisit_after",
            f"revisit after: {lifecycle.revisit[0].source}",
            lifecycle.revisit[0].code,
        )
        if lifecycle.revisit is not None
        else None
    )
    lines.extend(scan_function(build.typed_rules))
    kept = _kept_aggregates("\n".join(lines), bool(ctx.attr_types))
    feed = _absorb_lines(kept)
    feed.extend(tracker_lines([tracker.filters for tracker in ctx.trackers]))
    absorb = scan_function(build.typed_rules, "__absorb(s, e, f, p, n)", feed)
    lines.extend(absorb)
    # The step loop's copy, with the due instants the facts and params fix computed
    # once per batch (not in the module: its text is the fingerprint).
    batch: list[str] = []
    batched = scan_function(build.typed_rules, "__absorb(s, e, f, p, n)", feed, batch)
    source = "\n".join(lines)
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<logix-pack {_SAFE_NAME.sub('_', build.name)[:60]}-{digest}>"
    namespace: dict[str, Any] = dict(RUNTIME_GLOBALS)
    namespace["_NOEV"] = NO_EVENT
    namespace["_ZEROS"] = (0,) * len(ctx.trackers)  # the counts before any tracker matched
    namespace.update(_ORDER=_STAGE_RANK, _FINAL=_FINAL_STATUSES, _fallback_stage=_fallback_stage)
    namespace.update(_fmt=_fmt, _fmt_dt=_fmt_dt, _fmt_dur=_fmt_dur, _iso=_iso, _dur_text=_dur_text)
    namespace.update(_fmt_money=_fmt_money, _money_text=_money_text)
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
                fast_fn, when_fns = sp["terms"]
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
                            bearer=item["bearer"],
                            when=namespace[when_fn] if when_fn else None,
                            when_source=item["when"].source if item["when"] else None,
                            causes=item["causes"],
                        )
                        for item, fn, when_fn in zip(
                            step["remedy"]["items"], sp["items"], when_fns, strict=True
                        )
                    ),
                    fast_track=namespace[fast_fn] if fast_fn else None,
                    fast_track_source=(
                        step["remedy"]["fast_track"].source
                        if step["remedy"]["fast_track"]
                        else None
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
                    deadline_sources=tuple(
                        (name, d.source) for name, d in step["deadlines"]["within"]
                    ),
                    deadline_from=tuple((name, namespace[fn]) for name, fn in sp["deadline_from"]),
                    deadline_from_sources=tuple(
                        (name, d.source) for name, d in step["deadlines"]["from"]
                    ),
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
        attr_types=types.MappingProxyType(
            {k: v.base for k, v in ctx.attr_types.items()}
            | ({ESTIMATE: "datetime"} if repr(ESTIMATE) in source else {})
        ),
        fingerprint=_fingerprint(source, build),
        selectors=tuple(dict.fromkeys(by for p in build.params.values() for by in p.by or ())),
        extends=tuple(d.file for d in build.docs[:-1]),
        module_source=source,
        # Compiled by the kernel (runtime/_step_loop.py); not in the fingerprint: it
        # computes what __absorb and the kernel's bookkeeping do.
        step_source="\n".join(step_function(absorb, batched, batch)),
        supersedes=types.MappingProxyType(dict(lifecycle.supersedes)),
        deadline_actions=types.MappingProxyType(dict(lifecycle.actions)),
        revisit=None
        if lifecycle.revisit is None or revisit_fn is None
        else Revisit(namespace[revisit_fn], lifecycle.revisit[0].source, lifecycle.revisit[1]),
    )


def _remedy_terms(
    emit: Callable[[str, str, str], str], rid: str, step: int, remedy: dict[str, Any]
) -> tuple[str | None, list[str | None]]:
    """The generated functions of a remedy's ``fast_track`` and of its items' ``when``."""
    fast = remedy["fast_track"]
    fast_fn = (
        emit(f"{rid}__fast_track_{step}", f"fast_track: {fast.source}", fast.code) if fast else None
    )
    when_fns = [
        emit(f"{rid}__item_when_{step}_{j}", f"item when: {item['when'].source}", item["when"].code)
        if item["when"]
        else None
        for j, item in enumerate(remedy["items"])
    ]
    return fast_fn, when_fns


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
    life = build.lifecycle
    lifecycle = (
        sorted(life.supersedes.items()),
        sorted(life.actions.items()),
        None if life.revisit is None else life.revisit[1],
    )
    material = repr((body, params, levels, lifecycle)).encode()
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
        "    s.scan_memo = None  # the rules' last scan no longer holds",
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


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def _fmt(value: Any) -> str:
    """How a value appears inside an explanation sentence."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


# Explanations and evidence spell the same instants and durations again and again (a
# promised date at every escalation of a late parcel): each text is made once and kept,
# in a table cleared when it is full (keeping it is a saving, not a need).
_TEXTS: dict[tuple[str, int], str] = {}
_TEXTS_LIMIT = 1 << 14


def _text_of(how: str, value: int) -> str:
    key = (how, value)
    text = _TEXTS.get(key)
    if text is None:
        if how == "dt":
            if type(value) is int:
                text = minute_text(value)
            else:  # (a float: the datetime's own spelling, as minute_text mirrors)
                text = from_micros(value).strftime("%Y-%m-%d %H:%MZ")
        elif how == "iso":
            if type(value) is int:
                text = iso_text(value)
            else:
                text = from_micros(value).isoformat().replace("+00:00", "Z")
        else:
            text = format_duration(value)
        if type(value) is int:  # a float equal to an int would share its key
            if len(_TEXTS) >= _TEXTS_LIMIT:
                _TEXTS.clear()
            _TEXTS[key] = text
    return text


def _fmt_dt(value: int | None) -> str:
    return "unknown" if value is None else _text_of("dt", value)


def _fmt_dur(value: int | None) -> str:
    return "unknown" if value is None else _text_of("dur", value)


def _iso(value: int | None) -> str | None:
    return None if value is None else _text_of("iso", value)


def _dur_text(value: int | None) -> str | None:
    return None if value is None else _text_of("dur", value)


# Money reads as the remedy shows it, a Decimal string to cents ("899.00", not 899.0).
_MONEY_FIELDS = ("declared_value", "freight_cost", "insured_value")
_CENT = Decimal("0.01")
_WIDE = Context(prec=400, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)


def _money_codes(build: _Build) -> frozenset[str]:
    """The generated code of every money operand: shipment amounts and money params."""
    fields = {f"f.{name}" for name in _MONEY_FIELDS}
    params = {f"p.{name}" for name, param in build.params.items() if param.type == "money"}
    return frozenset(fields | params)


def _formatter(
    code: str, base: str, money: frozenset[str], formatters: dict[str, str], plain: str
) -> str:
    if code in money:
        return "_fmt_money" if plain == "_fmt" else "_money_text"
    return formatters.get(base, plain)


def _money_text(value: Any) -> str | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return None
    return str(number.quantize(_CENT, context=_WIDE))


def _fmt_money(value: Any) -> str:
    text = _money_text(value)
    return _fmt(value) if text is None else text


_FORMATTERS = {"datetime": "_fmt_dt", "duration": "_fmt_dur"}
_VALUE_FORMATTERS = {"datetime": "_iso", "duration": "_dur_text"}
