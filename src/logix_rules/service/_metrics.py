"""The service's counters, written out in Prometheus's text format.

Counters are per process (each process is scraped on its own); the gauges (due
backlog, feed lag) are read from the store when scraped, so every process reports
the same figure for them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

__all__ = ["Metrics"]

Labels = tuple[tuple[str, str], ...]

_HELP = {
    "logix_events_ingested_total": ("counter", "Tracking events ingested, by carrier and source."),
    "logix_webhooks_total": ("counter", "Webhook deliveries answered, by carrier and outcome."),
    "logix_webhooks_rejected_total": (
        "counter",
        "Webhook deliveries rejected, by carrier and reason.",
    ),
    "logix_polls_total": ("counter", "Carrier tracking requests made by the poller."),
    "logix_polled_parcels_total": ("counter", "Parcels polled, by carrier."),
    "logix_advances_total": ("counter", "Clock ticks (advance calls) run."),
    "logix_relay_deliveries_total": ("counter", "Relay deliveries, by outcome."),
    "logix_due_backlog": ("gauge", "Parcels whose timers are due and not yet fired."),
    "logix_feed_lag": ("gauge", "Changes recorded beyond each consumer's committed seq."),
}


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels
    )
    return "{" + inner.replace("\n", "\\n") + "}"


class Metrics:
    """Thread-safe counters by name and labels."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, Labels], float] = {}

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0.0) + amount

    def value(self, name: str, **labels: str) -> float:
        """The sum of ``name`` over every label set that includes ``labels``."""
        with self._lock:
            return sum(
                count
                for (key, have), count in self._counts.items()
                if key == name and set(labels.items()) <= set(have)
            )

    def render(self, gauges: Mapping[str, Mapping[Labels, float]]) -> str:
        """Every counter and the given gauges, in the text exposition format."""
        with self._lock:
            counts = dict(self._counts)
        series: dict[str, list[tuple[Labels, float]]] = {name: [] for name in _HELP}
        for (name, labels), value in counts.items():
            series.setdefault(name, []).append((labels, value))
        for name, values in gauges.items():
            series.setdefault(name, []).extend(values.items())
        lines = []
        for name, found in series.items():
            kind, text = _HELP.get(name, ("untyped", name))
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")
            if not found and kind == "counter":
                found = [((), 0.0)]
            for labels, value in sorted(found):
                lines.append(f"{name}{_labels(labels)} {value:g}")
        return "\n".join(lines) + "\n"
