"""The service's counters and histograms, written out in Prometheus's text format.

Counters and histograms are per process (each process is scraped on its own); the
gauges (due backlog, feed lag) are read from the store when scraped, so every process
reports the same figure for them.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Mapping
from typing import Final

__all__ = ["BUCKETS", "Metrics"]

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
    "logix_request_duration_seconds": (
        "histogram",
        "HTTP requests answered, by route, method and status, and how long each took.",
    ),
}

#: Upper bounds (seconds) of the histograms' buckets: a desk page or an API read
#: answers in milliseconds, a webhook batch or a claim page in tenths, a stalled
#: store in seconds; the last finite bound is where a balancer gives up.
BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


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
        # Per bucket (not cumulative, one more for +Inf), then the sum of the values.
        self._histograms: dict[tuple[str, Labels], list[float]] = {}

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0.0) + amount

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Count ``value`` (seconds) in histogram ``name``."""
        key = (name, tuple(sorted(labels.items())))
        slot = bisect_left(BUCKETS, value)
        with self._lock:
            counts = self._histograms.get(key)
            if counts is None:
                counts = self._histograms[key] = [0.0] * (len(BUCKETS) + 2)
            counts[slot] += 1
            counts[-1] += value

    def count(self, name: str, **labels: str) -> int:
        """How many values histogram ``name`` holds over every label set that
        includes ``labels``."""
        with self._lock:
            return int(
                sum(
                    sum(counts[:-1])
                    for (key, have), counts in self._histograms.items()
                    if key == name and set(labels.items()) <= set(have)
                )
            )

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
            histograms = {key: list(values) for key, values in self._histograms.items()}
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
            if kind == "histogram":
                lines.extend(_histogram_lines(name, histograms))
            for labels, value in sorted(found):
                lines.append(f"{name}{_labels(labels)} {value:g}")
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, histograms: Mapping[tuple[str, Labels], list[float]]) -> list[str]:
    """``name``'s cumulative ``_bucket`` series, ``_sum`` and ``_count``, per label set."""
    lines = []
    for (key, labels), counts in sorted(histograms.items()):
        if key != name:
            continue
        total = 0.0
        for bound, count in zip((*BUCKETS, None), counts[:-1], strict=True):
            total += count
            le = "+Inf" if bound is None else f"{bound:g}"
            lines.append(f"{name}_bucket{_labels((*labels, ('le', le)))} {total:g}")
        lines.append(f"{name}_sum{_labels(labels)} {counts[-1]:.6g}")
        lines.append(f"{name}_count{_labels(labels)} {total:g}")
    return lines
