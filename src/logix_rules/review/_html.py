"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no
script, no external resource; laid out for a laptop screen and for A4 paper."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ._charts import heatmap_chart, loss_chart, require_matplotlib, transit_chart, weekly_chart
from ._figures import Figure
from ._kpis import Kpi
from ._review import Review
from ._scorecards import Scorecard
from ._stats import Breakdown

__all__ = ["render_html"]

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --paper: #ffffff;
  --good-bg: #dcefdc; --good-ink: #14532d; --bad-bg: #8f1d1d; --bad-ink: #ffffff;
  --warn-bg: #f6c46a; --warn-ink: #3b2500; --na-bg: #ffffff; --na-ink: #5f6368; }
* { box-sizing: border-box; }
html { background: #f3f3f5; }
body { margin: 0; color: var(--ink); background: #f3f3f5;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 40px; background: var(--paper); }
header h1 { font-size: 22px; margin: 0 0 2px; }
.meta { color: var(--muted); margin: 0 0 18px; }
h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 14px 0 6px; }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .name { font-size: 12px; color: var(--muted); }
.tile .value { font-size: 24px; font-weight: 650; margin: 2px 0; white-space: nowrap; }
.tile .trend { font-size: 16px; margin-left: 4px; }
.trend.better { color: #14532d; } .trend.worse { color: #8f1d1d; }
.trend.flat { color: var(--muted); }
.tile .target, .tile .basis { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px;
  font-weight: 600; border: 1px solid transparent; }
.met { background: var(--good-bg); color: var(--good-ink); border-color: #9cc79c; }
.missed { background: var(--bad-bg); color: var(--bad-ink); }
.na { background: var(--na-bg); color: var(--na-ink); border: 1px dashed var(--na-ink); }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
ol.moves { margin: 0; padding-left: 20px; } ol.moves li { margin: 2px 0; }
.up { color: #8f1d1d; font-weight: 600; } .down { color: #14532d; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13px;
  font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.num .sub { white-space: normal; }
td.name { white-space: nowrap; }
.sub { display: block; font-size: 11px; color: var(--muted); }
.grade { display: inline-block; min-width: 26px; text-align: center; border-radius: 4px;
  font-weight: 700; padding: 1px 6px; border: 1px solid #666; }
.grade-A { background: #ffffff; color: #14532d; }
.grade-B { background: #e6e6e6; color: #1d1d1f; }
.grade-C { background: #f6c46a; color: #3b2500; }
.grade-D { background: #8f1d1d; color: #ffffff; }
.grade-none { background: #ffffff; color: var(--muted); border-style: dashed; }
.flag { color: #8f1d1d; font-weight: 600; }
figure { margin: 6px 0 0; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 26px; font-size: 12px; color: var(--muted); }
@media screen and (max-width: 800px) {
  .tiles { grid-template-columns: repeat(2, 1fr); } .cols { grid-template-columns: 1fr; }
}
@page { size: A4; margin: 12mm; }
@media print {
  /* The weekly brief fits one A4 page: smaller type, tighter boxes. */
  html, body { background: #fff; font-size: 8.5pt; }
  main { max-width: none; padding: 0; }
  header h1 { font-size: 14pt; } .meta { margin-bottom: 6pt; }
  h2 { font-size: 10.5pt; margin: 9pt 0 4pt; padding-bottom: 2pt; break-after: avoid; }
  h3 { font-size: 9pt; margin: 6pt 0 3pt; }
  section, figure, tr, .tile { break-inside: avoid; }
  .tiles { grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 5pt; }
  .tile { padding: 4pt 6pt; } .tile .name, .tile .target, .tile .basis { font-size: 7pt; }
  .tile .value { font-size: 13pt; } .badge { font-size: 7pt; }
  .cols { gap: 12pt; }
  table { font-size: 7.5pt; } th { font-size: 7pt; } th, td { padding: 1.5pt 4pt; }
  .sub { font-size: 6pt; } .grade { padding: 0 4pt; min-width: 16pt; }
  .sub.why { display: none; }  /* n/a says it; the reasons are on screen and in the JSON */
  figure svg { width: 88%; } figcaption { font-size: 7pt; }
  footer { margin-top: 8pt; font-size: 7pt; }
  .monthly-part { break-before: page; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_ARROWS = {"up": "▲", "down": "▼", "flat": "▶"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _cell(figure: Figure, *, digits: int = 1) -> str:
    """A figure with its basis under it (and in its tooltip)."""
    basis = _e(figure.basis())
    kind = "sub" if figure.defined else "sub why"
    return (
        f'<td class="num" title="{basis}; {_e(figure.period)}">{_e(figure.shown(digits))}'
        f'<span class="{kind}">{basis}</span></td>'
    )


def _tile(kpi: Kpi) -> str:
    figure, target = kpi.figure, kpi.target
    met = kpi.met
    badge = (
        '<span class="badge na">– n/a</span>'
        if met is None
        else '<span class="badge met">✓ met</span>'
        if met
        else '<span class="badge missed">✗ missed</span>'
    )
    trend = kpi.trend
    arrow = ""
    if trend is not None:
        feel = {True: "better", False: "worse", None: "flat"}[kpi.improving]
        arrow = (
            f'<span class="trend {feel}" title="previous period: {_e(kpi.previous.shown())}">'
            f"{_ARROWS[trend]}</span>"
        )
    wanted = ""
    if target is not None:
        shown = Figure(target.value, figure.unit, None, None, figure.period).shown()
        wanted = f"target {'≤' if target.op == 'at_most' else '≥'} {_e(shown)}"
    return (
        f'<div class="tile" data-kpi="{_e(kpi.name)}"><div class="name">{_e(kpi.title)}</div>'
        f'<div class="value">{_e(figure.shown())}{arrow}</div>'
        f'<div class="target">{wanted} {badge}</div>'
        f'<div class="basis">{_e(figure.basis())} · before: {_e(kpi.previous.shown())}</div></div>'
    )


def _grade(card: Scorecard) -> str:
    if card.grade is None:
        return '<span class="grade grade-none" title="no graded figure">–</span>'
    return f'<span class="grade grade-{_e(card.grade)}">{_e(card.grade)}</span>'


def _carrier_table(cards: tuple[Scorecard, ...], *, full: bool) -> str:
    if not cards:
        return '<p class="empty">No carrier shipped or had an incident in the period.</p>'
    head = (
        "<tr><th>#</th><th>carrier</th><th>grade</th><th class=num>exception rate</th>"
        "<th class=num>on time</th><th class=num>rectified in time</th>"
        "<th class=num>claims in time</th><th class=num>ack median</th>"
        "<th class=num>ack p90</th><th></th></tr>"
    )
    rows = []
    for card in cards:
        note = '<span class="flag">replacement candidate</span>' if card.replace else ""
        rows.append(
            f'<tr data-carrier="{_e(card.carrier)}"><td>{card.rank}</td>'
            f'<td class="name"><strong>{_e(card.carrier)}</strong></td><td>{_grade(card)}</td>'
            f"{_cell(card.exception_rate)}{_cell(card.on_time_rate)}"
            f"{_cell(card.rectification_rate)}{_cell(card.claim_timeliness)}"
            f"{_cell(card.ack_median, digits=2)}{_cell(card.ack_p90, digits=2)}<td>{note}</td></tr>"
        )
        if full and card.transit:
            lanes = "; ".join(
                f"{_e(t.lane)}: mean {_e(t.mean.shown())}, p90 {_e(t.p90.shown())} "
                f"({_e(t.mean.basis())})"
                for t in card.transit
            )
            rows.append(
                f'<tr class="transit"><td></td><td colspan="9"><span class="sub">'
                f"transit per lane (first scan → delivery): {lanes}</span></td></tr>"
            )
    return f"<table class=carriers>{head}{''.join(rows)}</table>"


def _lanes(review: Review) -> str:
    flagged = review.flagged_lanes
    threshold = review.settings.recurring_delays
    if not flagged:
        return (
            f'<p class="empty">No lane reached {threshold} delay incidents in the 30 days '
            "up to the end of the period.</p>"
        )
    items = "".join(
        f'<li><span class="flag">⚑ {_e(flag.lane)}</span>: {flag.delays} delays '
        f"(threshold {flag.threshold}); by carrier: "
        f"{_e(', '.join(f'{c} {n}' for c, n in sorted(flag.by_carrier.items())))}</li>"
        for flag in flagged
    )
    return f"<ul class=lanes>{items}</ul>"


def _moves(review: Review) -> str:
    if not review.movements:
        return '<p class="empty">No change week over week.</p>'
    items = "".join(
        f"<li>{_e(m.dimension)} <strong>{_e(m.key)}</strong>: {m.last_week} → {m.this_week} "
        f'<span class="{"up" if m.change > 0 else "down"}">({m.change:+d})</span></li>'
        for m in review.movements
    )
    return f'<ol class="moves">{items}</ol>'


def _money(amounts: dict[str, Decimal]) -> str:
    if not amounts:
        return "–"
    return ", ".join(f"{amount:,.2f} {cur}" for cur, amount in sorted(amounts.items()))


def _loss(review: Review) -> str:
    loss = review.loss
    mode = (
        f"Amounts converted to {_e(loss.base_currency)} with the pack's FX table."
        if loss.base_currency
        else "The pack has no FX table: amounts are grouped per currency."
    )
    rates = "".join(
        f"<tr><td>{_e(cur)}</td>{_cell(fig, digits=2)}</tr>"
        for cur, fig in sorted(loss.loss_rate.items())
    )
    carriers = "".join(
        f"<tr><td>{_e(carrier)}</td><td class=num>{_e(_money(amounts))}</td></tr>"
        for carrier, amounts in sorted(loss.by_carrier.items())
    )
    kinds = "".join(
        f"<tr><td>{_e(kind)}</td><td class=num>{_e(_money(amounts))}</td></tr>"
        for kind, amounts in sorted(loss.by_kind.items())
    )
    apart = (
        f"<p>Not converted (no FX rate): {_e(_money(loss.unconverted))}</p>"
        if loss.unconverted
        else ""
    )
    return (
        f"<p>{mode} Total: <strong>{_e(_money(loss.total))}</strong> over "
        f"{loss.incidents_with_cost} incidents.</p>{apart}"
        f"<figure>{loss_chart(loss.by_cause)}<figcaption>Remedy amounts of the incidents "
        f"opened in the period, by cause.</figcaption></figure>"
        f'<div class="cols"><div><h3>Exception loss rate</h3><table><tr><th>currency</th>'
        f"<th class=num>cost / shipped declared value</th></tr>{rates}</table></div>"
        f"<div><h3>By carrier</h3><table>{carriers}</table><h3>By kind</h3>"
        f"<table>{kinds}</table></div></div>"
    )


def _breakdown(table: Breakdown) -> str:
    head = (
        f"<tr><th>{_e(table.dimension)}</th><th class=num>parcels shipped</th>"
        "<th class=num>exception rate</th><th class=num>incidents</th>"
        "<th class=num>last week</th><th class=num>this week</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{_e(row.key)}</td><td class=num>{row.shipped}</td>{_cell(row.rate)}"
        f"<td class=num>{row.incidents}</td><td class=num>{row.last_week}</td>"
        f"<td class=num>{row.this_week}</td></tr>"
        for row in (*table.rows, table.total)
    )
    return f"<h3>By {_e(table.dimension)}</h3><table>{head}{rows}</table>"


def render_html(review: Review) -> str:
    """The weekly brief (``kind="weekly"``) or the monthly review (otherwise: every
    section) as one HTML document."""
    require_matplotlib()
    total = review.breakdowns["kind"].total
    monthly = review.kind != "weekly"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(review.title)}</title><style>{_CSS}</style></head><body><main>",
        f"<header><h1>{_e(review.title)}</h1><p class=meta>{_e(review.period.label())} · "
        f"as of {review.as_of:%-d %b %Y %H:%M} UTC · {total.shipped} parcels shipped, "
        f"{total.excepted} with an exception, {total.incidents} incidents opened</p></header>",
        '<section><h2>Key figures</h2><div class="tiles">',
        *(_tile(kpi) for kpi in review.kpis),
        "</div></section>",
        '<section class="cols"><div><h2>Top 5 movements, week over week</h2>',
        _moves(review),
        "</div><div><h2>Lanes flagged for root-cause review</h2>",
        _lanes(review),
        "</div></section>",
        "<section><h2>Exceptions by kind, per week</h2><figure>",
        weekly_chart(review.weeks, review.kind_severity),
        "<figcaption>Incidents opened per 7-day week, the last one ending with the "
        "period, by kind.</figcaption></figure></section>",
        f"<section><h2>Carriers{' (full scorecards)' if monthly else ''}</h2>",
        _carrier_table(review.scorecards, full=monthly),
        "</section>",
    ]
    if monthly:
        parts += [
            '<section class="monthly-part"><h2>Delay rate by lane and carrier</h2><figure>',
            heatmap_chart(review.heatmap),
            "<figcaption>Parcels shipped in the period with a delay incident, over those "
            "shipped, per lane and carrier.</figcaption></figure></section>",
            "<section><h2>Transit time per lane</h2><figure>",
            transit_chart(review.transit),
            "<figcaption>First carrier scan to delivery, parcels delivered in the period; "
            "boxes: quartiles, line: median, whiskers: p10–p90.</figcaption></figure></section>",
            "<section><h2>Loss by cause</h2>",
            _loss(review),
            "</section><section><h2>Statistics</h2>",
            *(_breakdown(table) for table in review.breakdowns.values()),
            "</section>",
        ]
    parts += [
        "<footer>Every figure shows its numerator / denominator (n = sample size for "
        "medians and percentiles) and covers the period above; n/a means it cannot be "
        "computed (nothing to divide by), never zero. Definitions: docs/review.md. Made by "
        "logix.</footer></main></body></html>",
    ]
    return "\n".join(parts)
