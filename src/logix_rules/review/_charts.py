"""The report's charts, drawn by matplotlib (Agg, SVG output) and inlined in the HTML.

Text stays text (``svg.fonttype: none``) in a generic sans-serif stack, so a chart
needs no font file and renders offline.  Colours darken with severity and every
series also has a hatch or a label, so a greyscale print still reads.  Each chart's
ids get a prefix of their own: several SVGs share one HTML document.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core._errors import ErrorCode
from ._errors import ReviewError
from ._lanes import HeatCell, LaneTransitSample
from ._stats import Week

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = ["heatmap_chart", "loss_chart", "require_matplotlib", "transit_chart", "weekly_chart"]

#: Series colours, light to dark (their greyscale lightness falls in this order too).
SERIES = ("#fde0a6", "#f9b36b", "#ee7c44", "#d14b33", "#9e2a2b", "#5c1a1b", "#8e8e8e")
HATCHES = ("", "//", "..", "\\\\")
#: Shades per severity, darkest first: P1 reds, P2 oranges, P3 ambers (their lightness
#: falls with severity, so a greyscale print keeps the order).
_SHADES = (
    ("#5c1a1b", "#7f1d1d", "#9e2a2b"),
    ("#c2410c", "#d9622b", "#ee7c44"),
    ("#f9b36b", "#fbd38d", "#fde0a6", "#fef0cc"),
)
#: Every chart is drawn this wide (inches) and shown at the page's width.
WIDTH = 10.0
INK = "#222222"
GRID = "#d0d0d0"

_STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "logix-review",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
    "hatch.color": "#00000059",
}


def require_matplotlib() -> Any:
    """matplotlib's pyplot on the Agg backend, or a typed error naming the extra."""
    try:
        import matplotlib
    except ImportError:
        raise ReviewError(
            ErrorCode.REVIEW_EXTRA_MISSING,
            "format",
            "HTML reports draw their charts with matplotlib, which is not installed",
            input="html",
            hint="pip install 'logix[review]', or ask for --format md, json or csv",
        ) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def _figure(width: float, height: float) -> Iterator[MplFigure]:
    plt = require_matplotlib()
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        figure = plt.figure(figsize=(width, height))
        try:
            yield figure
        finally:
            plt.close(figure)


_ID = re.compile(r'id="([^"]+)"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SIZE = re.compile(r'(<svg[^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def _svg(figure: MplFigure, name: str, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and doctype: inline SVG
    text = _METADATA.sub("", text, count=1)  # the RDF block: names only, never fetched
    for ident in set(_ID.findall(text)):
        text = text.replace(f'id="{ident}"', f'id="{name}-{ident}"')
        text = text.replace(f"#{ident})", f"#{name}-{ident})")
        text = text.replace(f'href="#{ident}"', f'href="#{name}-{ident}"')
    label = title.replace("&", "&amp;").replace('"', "&quot;")
    text = text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)
    # The figure's size in inches becomes a width the page may shrink (printing on A4).
    return _SIZE.sub(_responsive, text, count=1)


def _responsive(match: re.Match[str]) -> str:
    head, width, height = match.group(1), float(match.group(2)), float(match.group(3))
    return f'{head} width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto"'


def _severity_styles(kinds: Sequence[str], severity: Mapping[str, str]) -> list[tuple[str, str]]:
    """A colour and hatch per kind from its severity: the first severity name (P1)
    darkest reds, the next oranges, the rest light ambers; the kinds of one severity
    take its shades, and from the second on a hatch, so greyscale tells them apart."""
    names = sorted(set(severity.values()))
    seen: Counter[str] = Counter()
    out = []
    for kind in kinds:
        level = severity.get(kind)
        group = _SHADES[min(names.index(level), 2)] if level in names else _SHADES[2]
        n = seen[level or ""]
        out.append((group[n % len(group)], HATCHES[n % len(HATCHES)]))
        seen[level or ""] += 1
    return out


def weekly_chart(
    weeks: Sequence[Week], severity: Mapping[str, str] | None = None, *, top: int = 7
) -> str:
    """Incidents opened per week, stacked by kind (the ``top`` kinds, most severe at
    the bottom, then "other"), coloured by each kind's usual severity."""
    severity = severity or {}
    totals: Counter[str] = Counter()
    for week in weeks:
        totals.update(week.by_kind)
    names = sorted(set(severity.values()))
    kinds = [kind for kind, _ in totals.most_common(top)]
    kinds.sort(key=lambda k: (names.index(severity[k]) if k in severity else 99, -totals[k], k))
    styles = _severity_styles(kinds, severity)
    rest = [kind for kind in totals if kind not in kinds]
    with _figure(WIDTH, 3.0) as figure:
        axes = figure.add_subplot()
        labels = [f"{w.period.since:%d %b}" for w in weeks]
        bottoms = [0] * len(weeks)
        series = [(kind, [w.by_kind.get(kind, 0) for w in weeks]) for kind in kinds]
        if rest:
            series.append(("other", [sum(w.by_kind.get(k, 0) for k in rest) for w in weeks]))
        for i, (kind, counts) in enumerate(series):
            colour, hatch = (SERIES[-1], "") if kind == "other" else styles[i]
            level = f" ({severity[kind]})" if kind in severity else ""
            axes.bar(
                labels,
                counts,
                bottom=bottoms,
                label=kind.replace("_", " ") + level,
                color=colour,
                hatch=hatch,
                edgecolor="white",
                linewidth=0.6,
            )
            bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
        for x, total in enumerate(bottoms):
            axes.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=8)
        axes.set_ylabel("incidents opened")
        axes.set_ylim(0, max([*bottoms, 1]) * 1.15)
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        if series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        else:
            axes.text(0.5, 0.5, "no incidents", transform=axes.transAxes, ha="center")
        return _svg(figure, "weekly", "Incidents opened per week, by kind")


def heatmap_chart(cells: Sequence[HeatCell]) -> str:
    """Lane × carrier delay rate; cells without parcels are blank and say n/a."""
    import numpy as np

    lanes = sorted({c.lane for c in cells})
    carriers = sorted({c.carrier for c in cells})
    grid = np.full((max(len(lanes), 1), max(len(carriers), 1)), np.nan)
    for cell in cells:
        if cell.rate.value is not None:
            grid[lanes.index(cell.lane), carriers.index(cell.carrier)] = cell.rate.value
    height = 1.0 + 0.3 * max(len(lanes), 1)
    with _figure(WIDTH, height) as figure:
        axes = figure.add_subplot()
        plt = require_matplotlib()
        cmap = plt.get_cmap("OrRd").with_extremes(bad="#f4f4f4")
        # A mesh of rectangles stays vector (imshow would embed a bitmap).
        image = axes.pcolormesh(
            np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=0.5, edgecolors="white", lw=1.5
        )
        axes.set_xticks([i + 0.5 for i in range(len(carriers))], carriers)
        axes.set_yticks([i + 0.5 for i in range(len(lanes))], lanes)
        axes.invert_yaxis()
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        for (row, column), value in np.ndenumerate(grid):
            if not lanes or not carriers:
                continue
            known = any(c.lane == lanes[row] and c.carrier == carriers[column] for c in cells)
            if np.isnan(value):
                text, colour = ("n/a" if known else "–"), "#666666"
            else:
                text, colour = f"{value * 100:.0f}%", "white" if value > 0.3 else INK
            axes.text(column + 0.5, row + 0.5, text, ha="center", va="center", color=colour)
        # Ten steps: few enough that matplotlib keeps the colour bar vector too.
        steps = [i / 20 for i in range(11)]
        bar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02, boundaries=steps)
        bar.ax.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f}%")
        bar.set_label("delay rate")
        return _svg(figure, "heatmap", "Delay rate by lane and carrier")


def transit_chart(samples: Sequence[LaneTransitSample]) -> str:
    """Transit days per lane as box plots (whiskers at p10 and p90)."""
    shown = [s for s in samples if s.days]
    with _figure(WIDTH, 1.0 + 0.3 * max(len(shown), 1)) as figure:
        axes = figure.add_subplot()
        if shown:
            axes.boxplot(
                [list(s.days) for s in shown],
                orientation="horizontal",
                whis=(10, 90),
                widths=0.55,
                patch_artist=True,
                boxprops={"facecolor": SERIES[1], "edgecolor": INK, "linewidth": 0.7},
                medianprops={"color": INK, "linewidth": 1.4},
                whiskerprops={"color": INK, "linewidth": 0.7},
                capprops={"color": INK, "linewidth": 0.7},
                flierprops={"marker": ".", "markersize": 3, "markeredgecolor": "#666666"},
                tick_labels=[f"{s.lane} (n={len(s.days)})" for s in shown],
            )
            axes.invert_yaxis()
        else:
            axes.text(0.5, 0.5, "no deliveries", transform=axes.transAxes, ha="center")
            axes.set_yticks([])
        axes.set_xlabel("days from first carrier scan to delivery")
        axes.grid(axis="x", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        return _svg(figure, "transit", "Transit time per lane")


def loss_chart(by_cause: dict[str, dict[str, Decimal]]) -> str:
    """Remedy amounts by cause: one panel per currency (amounts in different
    currencies never share an axis), largest first."""
    currencies = sorted({currency for amounts in by_cause.values() for currency in amounts})
    panels = [
        (
            currency,
            sorted(
                ((cause, float(amounts[currency])) for cause, amounts in by_cause.items()
                 if currency in amounts),
                key=lambda row: (-row[1], row[0]),
            ),
        )
        for currency in currencies
    ]  # fmt: skip
    bars = sum(len(rows) for _, rows in panels)
    height = 0.5 + 0.26 * max(bars, 1) + 0.55 * max(len(panels), 1)
    with _figure(WIDTH, height) as figure:
        if not panels:
            axes = figure.add_subplot()
            axes.text(0.5, 0.5, "no remedy amounts", transform=axes.transAxes, ha="center")
            axes.set_xticks([])
            axes.set_yticks([])
            return _svg(figure, "loss", "Loss by cause")
        grid = figure.add_gridspec(len(panels), 1, height_ratios=[len(r) + 1 for _, r in panels])
        for i, (currency, rows) in enumerate(panels):
            axes = figure.add_subplot(grid[i])
            values = [amount for _, amount in rows]
            drawn = axes.barh(
                [cause for cause, _ in rows],
                values,
                color=SERIES[3 + i % 3],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor=INK,
                lw=0.5,
            )
            axes.bar_label(drawn, labels=[f"{v:,.2f}" for v in values], padding=3, fontsize=8)
            axes.invert_yaxis()
            axes.set_xlim(0, max(values) * 1.2 or 1)
            axes.set_xlabel(f"remedy amount ({currency})", fontsize=8)
            axes.grid(axis="x", color=GRID, linewidth=0.5)
            axes.set_axisbelow(True)
        figure.tight_layout()
        return _svg(figure, "loss", "Loss by cause")
