"""The report as JSON (the versioned schema), Markdown and CSV (one figure per row)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import attrs

from ._figures import Figure
from ._review import Review

__all__ = ["render_csv", "render_json", "render_markdown"]


def render_json(review: Review) -> str:
    """The JSON document (schema ``logix.review`` version 1), indented, keys in order."""
    return json.dumps(review.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _md(figure: Figure) -> str:
    return f"{figure.shown()} ({figure.basis()})"


def render_markdown(review: Review) -> str:
    """The brief (or the full review) as Markdown tables."""
    total = review.breakdowns["kind"].total
    out = [
        f"# {review.title}",
        "",
        f"{review.period.label()}, as of {review.as_of:%-d %b %Y %H:%M} UTC: {total.shipped} "
        f"parcels shipped, {total.excepted} with an exception, {total.incidents} incidents.",
        "",
        "## Key figures",
        "",
        "| KPI | value (numerator / denominator) | target | met | previous period |",
        "|---|---|---|---|---|",
    ]
    for kpi in review.kpis:
        target = kpi.target
        sign = "≥" if target is not None and target.op == "at_least" else "≤"
        goal = None if target is None else attrs.evolve(kpi.figure, value=target.value)
        wanted = "" if goal is None else f"{sign} {goal.shown()}"
        met = {None: "n/a", True: "yes", False: "no"}[kpi.met]
        out.append(f"| {kpi.title} | {_md(kpi.figure)} | {wanted} | {met} | {_md(kpi.previous)} |")
    out += ["", "## Top 5 movements, week over week", ""]
    out += [f"{i}. {m}" for i, m in enumerate(review.movements, 1)] or ["No change."]
    out += [
        "",
        "## Carriers",
        "",
        "| rank | carrier | grade | exception rate | on time | rectified | claims in time | "
        "ack median | ack p90 | replace |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for card in review.scorecards:
        out.append(
            f"| {card.rank} | {card.carrier} | {card.grade or '–'} | {_md(card.exception_rate)} "
            f"| {_md(card.on_time_rate)} | {_md(card.rectification_rate)} "
            f"| {_md(card.claim_timeliness)} | {_md(card.ack_median)} | {_md(card.ack_p90)} "
            f"| {'yes' if card.replace else ''} |"
        )
    out += ["", "## Lanes flagged for root-cause review", ""]
    out += [
        f"- {flag.lane}: {flag.delays} delays (threshold {flag.threshold})"
        for flag in review.flagged_lanes
    ] or ["None."]
    if review.kind != "weekly":
        out += ["", "## Statistics"]
        for table in review.breakdowns.values():
            out += [
                "",
                f"### By {table.dimension}",
                "",
                "| group | shipped | exception rate | incidents | last week | this week |",
                "|---|---|---|---|---|---|",
            ]
            out += [
                f"| {row.key} | {row.shipped} | {_md(row.rate)} | {row.incidents} "
                f"| {row.last_week} | {row.this_week} |"
                for row in (*table.rows, table.total)
            ]
        loss = review.loss
        out += ["", "## Loss", ""]
        out.append(
            f"Reported in {loss.base_currency}."
            if loss.base_currency
            else "Grouped per currency (no FX table)."
        )
        for cause, amounts in sorted(loss.by_cause.items()):
            shown = ", ".join(f"{a:.2f} {c}" for c, a in sorted(amounts.items()))
            out.append(f"- {cause}: {shown}")
        for cur, figure in sorted(loss.loss_rate.items()):
            out.append(f"- loss rate ({cur}): {_md(figure)}")
    return "\n".join(out) + "\n"


_COLUMNS = (
    "section",
    "dimension",
    "key",
    "metric",
    "value",
    "unit",
    "numerator",
    "denominator",
    "since",
    "until",
    "undefined",
)


def _figures(review: Review) -> Iterator[tuple[str, str, str, str, Figure]]:
    for kpi in review.kpis:
        yield "kpi", "", kpi.name, "value", kpi.figure
        yield "kpi", "", kpi.name, "previous", kpi.previous
    for table in review.breakdowns.values():
        for row in (*table.rows, table.total):
            yield "statistics", table.dimension, row.key, "exception_rate", row.rate
    for card in review.scorecards:
        for metric, figure in (
            ("exception_rate", card.exception_rate),
            ("on_time_rate", card.on_time_rate),
            ("rectification_rate", card.rectification_rate),
            ("claim_timeliness", card.claim_timeliness),
            ("ack_median_hours", card.ack_median),
            ("ack_p90_hours", card.ack_p90),
        ):
            yield "carrier", "carrier", card.carrier, metric, figure
        for lane in card.transit:
            yield "carrier_transit", card.carrier, lane.lane, "mean_days", lane.mean
            yield "carrier_transit", card.carrier, lane.lane, "p90_days", lane.p90
    for cell in review.heatmap:
        yield "heatmap", cell.carrier, cell.lane, "delay_rate", cell.rate
    for sample in review.transit:
        yield "transit", "lane", sample.lane, "median_days", sample.median
        yield "transit", "lane", sample.lane, "p90_days", sample.p90
    for cur, figure in sorted(review.loss.loss_rate.items()):
        yield "loss", "currency", cur, "loss_rate", figure


def render_csv(review: Review) -> str:
    """Every figure of the review, one per row, with its basis and period."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for section, dimension, key, metric, figure in _figures(review):
        writer.writerow(
            (
                section,
                dimension,
                key,
                metric,
                "" if figure.value is None else repr(figure.value),
                figure.unit,
                "" if figure.numerator is None else figure.numerator,
                "" if figure.denominator is None else figure.denominator,
                figure.period.to_dict()["since"],
                figure.period.to_dict()["until"],
                figure.undefined or "",
            )
        )
    for section, groups in (
        ("loss_by_kind", review.loss.by_kind),
        ("loss_by_cause", review.loss.by_cause),
        ("loss_by_carrier", review.loss.by_carrier),
    ):
        for key, amounts in sorted(groups.items()):
            for cur, amount in sorted(amounts.items()):
                since, until = review.period.to_dict().values()
                writer.writerow(
                    (section, "currency", key, cur, str(amount), "money", "", "", since, until, "")
                )
    return buffer.getvalue()
