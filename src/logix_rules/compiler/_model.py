"""The compiled pack: ``Pack``, ``Rule``, ``Step``, ``Param``, ``Severity`` and remedies;
and what the pack format fixes (its version, the built-in packs, the param types, the
selectors a param can vary by).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import attrs

from logix_carriers._countries import is_country_code

from ..core._durations import format_duration
from ._currencies import is_currency
from ._expr_types import Tracker
from ._money_params import MoneyPlan, money_plan
from ._param_values import param_values
from ._suggest import suggest

__all__ = [
    "BEARERS",
    "BUILTIN_PACKS",
    "FORMAT_VERSION",
    "PARAM_TYPES",
    "SELECTORS",
    "Pack",
    "Param",
    "RemedyItemSpec",
    "RemedySpec",
    "Revisit",
    "Rule",
    "Severity",
    "Step",
    "amount",
]

FORMAT_VERSION = 1
#: Who bears a remedy item's amount.
BEARERS = ("merchant", "carrier", "insurer")
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
    "currency",
)
_LANE = re.compile(r"[A-Z]{2}-[A-Z]{2}")
_CENT = Decimal("0.01")


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
    currency: str | None = None  # a money param's: that of its default
    # a money param's per-key currencies, where a value names its own
    currencies: Mapping[str, str] = attrs.field(factory=dict)

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
    target: str | None = None  # whom the ``escalate`` escalation goes to


@attrs.frozen
class RemedyItemSpec:
    code: str
    amount: Callable[..., Any] | None
    amount_source: str | None
    borne_by: str | None
    uses_now: bool = False  # the amount reads `now`: computed when a snapshot is taken
    bearer: str = "merchant"  # who bears it: merchant, carrier or insurer
    when: Callable[..., Any] | None = None  # the item applies only while this holds
    when_source: str | None = None
    causes: tuple[str, ...] | None = None  # ... and only for incidents of these causes


@attrs.frozen
class RemedySpec:
    code: str
    text: str
    items: tuple[RemedyItemSpec, ...] = ()
    fast_track: Callable[..., Any] | None = None  # paid on the fast track while this holds
    fast_track_source: str | None = None


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
    # Deadlines that count from an instant of their own (``from:``), not from opened_at.
    deadline_from: tuple[tuple[str, Callable[..., int | None]], ...] = ()
    deadline_from_sources: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Revisit:
    """The pack's revisit: ``after`` a resolution (a duration of the shipment's params,
    or a constant), a ``revisit_due`` change unless ``action`` was recorded first."""

    after: Callable[..., int | None]
    after_source: str
    action: str


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
    # Kernel.step_many for this pack, its __absorb written in (compiler/_codegen_step.py)
    step_source: str = ""
    selectors: tuple[str, ...] = ()  # every `by` the params use, in a fixed order
    # kind -> the kinds it supersedes on the same parcel (see docs/packs.md)
    supersedes: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    # deadline name -> the follow-up action that meets it (the name itself by default)
    deadline_actions: Mapping[str, str] = attrs.field(factory=dict)
    revisit: Revisit | None = None
    _param_cache: dict[tuple[Any, ...], Any] = attrs.field(factory=dict, repr=False)
    # What events said, shared by every kernel of this pack (see Kernel.group).
    _said: dict[tuple[Any, ...], Any] = attrs.field(factory=dict, repr=False, eq=False)
    # Whether a rung's snapshot recomputes its remedy at the instant, by (rule, step):
    # filled by the runtime's snapshots on first use.
    _moving: dict[tuple[int, int], bool] = attrs.field(factory=dict, repr=False, eq=False)

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
        plan = self._money_plan
        currency = None if plan is None else getattr(facts, "currency", None)
        key = (*(_selector_value(by, facts) for by in self.selectors), currency)
        cached = self._param_cache.get(key)
        if cached is None:
            values = {}
            keys: dict[str, str | None] = {}
            for p in self.params.values():
                values[p.name] = p.default
                for by in p.by or ():
                    chosen = _selector_value(by, facts)
                    if chosen is not None and chosen in p.values:
                        values[p.name] = p.values[chosen]
                        keys[p.name] = chosen
                        break
            if plan is not None:  # money params in the shipment's currency
                plan.convert(values, keys, currency)
            cached = param_values(values)
            self._param_cache[key] = cached
        return cached

    @property
    def actions(self) -> frozenset[str]:
        """The follow-up actions ``Engine.record`` accepts: each deadline's and the
        revisit's."""
        named = set(self.deadline_actions.values())
        if self.revisit is not None:
            named.add(self.revisit.action)
        return frozenset(named)

    @functools.cached_property
    def _money_plan(self) -> MoneyPlan | None:
        return money_plan(self.params)

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


def _check_selector_key(by: str, key: str) -> str | None:
    if by == "scope" and key not in ("domestic", "cross_border"):
        return f"{key!r} is not a scope; use 'domestic' or 'cross_border'"
    if by in ("destination_country", "origin_country") and not is_country_code(key):
        return f"{key!r} is not an ISO-3166 alpha-2 country code"
    if by == "currency" and not is_currency(key):
        return f"{key!r} is not an ISO 4217 currency code in use, e.g. 'USD'"
    if by == "lane" and not _LANE.fullmatch(key):
        return f"{key!r} is not a lane; write 'ORIGIN-DESTINATION', e.g. 'CN-US'"
    return None


def amount(value: Any) -> Decimal | None:
    """A computed remedy amount as money: a Decimal rounded half-up to cents."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
