"""The parameters of a review: grade thresholds, KPI targets, what counts as a delay,
a claim or a contact, and the reporting currency.  Every figure here is a default
that a caller may replace (``attrs.evolve`` or the constructors)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

__all__ = ["GRADES", "GradeBounds", "ReviewSettings", "Target"]

#: The grades, best first; a carrier that meets no bounds gets the last.
GRADES = ("A", "B", "C", "D")


@attrs.frozen
class GradeBounds:
    """What a grade asks of a carrier: every bound must hold.  A figure that is
    undefined for the carrier (no parcels promised in the period, say) is not held
    against it."""

    max_exception_rate: float
    min_on_time_rate: float
    min_rectification_rate: float


def _default_bounds() -> Mapping[str, GradeBounds]:
    return MappingProxyType(
        {
            "A": GradeBounds(0.05, 0.95, 0.90),
            "B": GradeBounds(0.10, 0.90, 0.80),
            "C": GradeBounds(0.18, 0.80, 0.65),
        }
    )


@attrs.frozen
class Target:
    """A KPI target: ``at_most`` or ``at_least`` ``value`` (in the figure's unit)."""

    op: str
    value: float

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.value if self.op == "at_most" else value >= self.value

    @property
    def better(self) -> str:
        """Which way is better: ``down`` for an ``at_most`` target, else ``up``."""
        return "down" if self.op == "at_most" else "up"

    def to_dict(self) -> dict[str, object]:
        return {"op": self.op, "value": self.value}


def _default_targets() -> Mapping[str, Target]:
    # POLICY §5, the targets seen in practice.
    return MappingProxyType(
        {
            "first_contact_resolution": Target("at_least", 0.85),
            "mean_handling_time": Target("at_most", 4.0),
            "complaint_rate": Target("at_most", 0.005),
            "exception_rate": Target("at_most", 0.05),
            "handling_cycle": Target("at_most", 3.0),
        }
    )


@attrs.frozen
class ReviewSettings:
    """Everything a review can be tuned by.

    * ``grades``: the bounds of grades A, B and C (D: the rest); ``replace_grades``:
      the grades whose carriers are named replacement candidates; a figure with a
      denominator under ``grade_min_sample`` is shown but does not count for the grade
      (one late parcel out of two says little).
    * ``targets``: the KPI targets by KPI name.
    * ``delay_kinds``: the incident kinds that count as delays (lane flags, heat map);
      ``recurring_delays``: a lane with at least this many delay incidents in the 30
      days up to the end of the period is flagged.
    * ``exclude_kinds``: incident kinds that are advisories, not parcel exceptions
      (a missing insurance): left out of every figure.
    * ``claim_deadline`` and ``claim_actions``: an incident's deadline that a claim
      must meet, and the follow-up actions that file it.
    * ``passive_actions``: actions that are not a contact (first-contact resolution
      counts the others).
    * ``customer_sources``: evidence sources that make an incident a customer report.
    * ``base_currency`` and ``fx_rates`` (units of the base per unit of a currency):
      when given, money is reported in the base currency; otherwise per currency.
    """

    grades: Mapping[str, GradeBounds] = attrs.field(factory=_default_bounds)
    replace_grades: tuple[str, ...] = ("D",)
    grade_min_sample: int = 5
    targets: Mapping[str, Target] = attrs.field(factory=_default_targets)
    delay_kinds: tuple[str, ...] = (
        "pickup_delay",
        "tracking_stall",
        "transit_delay",
        "customs_hold",
        "delivery_delay",
    )
    recurring_delays: int = 10
    exclude_kinds: tuple[str, ...] = ("insurance_missing",)
    claim_deadline: str = "claim"
    claim_actions: tuple[str, ...] = ("claim_filed",)
    passive_actions: tuple[str, ...] = ("acknowledged",)
    customer_sources: tuple[str, ...] = ("customer",)
    base_currency: str | None = None
    fx_rates: Mapping[str, Decimal] | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "grades": {
                grade: attrs.asdict(bounds) for grade, bounds in sorted(self.grades.items())
            },
            "replace_grades": list(self.replace_grades),
            "grade_min_sample": self.grade_min_sample,
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
            "delay_kinds": list(self.delay_kinds),
            "recurring_delays": self.recurring_delays,
            "exclude_kinds": list(self.exclude_kinds),
            "claim_deadline": self.claim_deadline,
            "claim_actions": list(self.claim_actions),
            "passive_actions": list(self.passive_actions),
            "customer_sources": list(self.customer_sources),
            "base_currency": self.base_currency,
            "fx_rates": None
            if self.fx_rates is None
            else {cur: str(rate) for cur, rate in sorted(self.fx_rates.items())},
        }
