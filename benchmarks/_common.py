"""Shared pieces of the benchmark scripts: sizes, timing, tables and the RESULT line.

Every script prints a small table, its ratios on the last lines, and finally one
machine-readable ``RESULT key=value ...`` line so figures can be tracked over time.
"""

from __future__ import annotations

import argparse
import gc
import importlib.resources
import importlib.util
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from logix_rules import Pack, loads_pack

T = TypeVar("T")


@dataclass(frozen=True)
class Size:
    """The workload of one run mode: the script decides what ``n`` and ``repeat`` mean."""

    mode: str
    n: int
    repeat: int


def parse_args(
    description: str, sizes: dict[str, tuple[int, int]], argv: Sequence[str] | None = None
) -> tuple[argparse.Namespace, Size]:
    """``--quick`` (< 30 s on 2 cores), ``--tiny`` (CI smoke) or the full size."""
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="a size that runs in < 30 s")
    group.add_argument("--tiny", action="store_true", help="a smoke-test size (a few seconds)")
    parser.add_argument("--n", type=int, default=None, help="override the main size")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per contender")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    n, repeat = sizes[mode]
    if args.n is not None:
        if args.n < 1:
            parser.error("--n must be at least 1")
        n = args.n
    if args.repeat is not None:
        if args.repeat < 1:
            parser.error("--repeat must be at least 1")
        repeat = args.repeat
    return args, Size(mode, n, repeat)


def settle() -> None:
    """Collect now, and move everything alive (the prepared input) out of the
    collector's sight, so a contender pays for its own garbage and no one else's."""
    gc.collect()
    gc.freeze()


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``fn()`` and its value."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {cores} cores"
    )


def header(title: str, size: Size, detail: str) -> None:
    print(f"# {title} [{size.mode}] {detail}")
    print(f"# machine: {machine()}")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table (first column left, the rest right)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        line = "  ".join(
            value.ljust(widths[i]) if i == 0 else value.rjust(widths[i])
            for i, value in enumerate(row)
        )
        print(line.rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value >= 1000:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def result_line(**figures: float | int | str | None) -> str:
    """``RESULT a=1.7 b=31.0``; a figure that could not be measured is ``na``."""
    parts = []
    for key, value in figures.items():
        if value is None:
            text = "na"
        elif isinstance(value, float):
            text = f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
        else:
            text = str(value)
        parts.append(f"{key}={text}")
    return "RESULT " + " ".join(parts)


def five_rules_pack() -> Pack:
    """The benchmarks' five-rule pack, shipped in ``logix_rules/packs/five_rules.yaml``."""
    resource = importlib.resources.files("logix_rules").joinpath("packs", "five_rules.yaml")
    return loads_pack(resource.read_text("utf-8"), file="<builtin>/five_rules.yaml")


def durable_available() -> bool:
    """Whether the durable-rules backend can run (its extra is installed)."""
    try:
        backend = importlib.util.find_spec("logix_rules.backends.durable")
    except ImportError:
        return False
    return backend is not None and importlib.util.find_spec("durable_rules_engine") is not None


def fail(message: str) -> None:
    """Stop loudly: a benchmark whose contenders disagree measures nothing."""
    bar = "!" * 78
    print(f"\n{bar}\n{message}\n{bar}", file=sys.stderr)
    print(f"\n{bar}\n{message}\n{bar}")
    sys.exit(1)
