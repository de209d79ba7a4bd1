"""Every benchmark script runs at its smoke size and ends with a RESULT line.

No timing is asserted: this only keeps the scripts from rotting.  Each script also
checks its own results (the ingest contenders must agree, advance must fire exactly
the due shipments...) and exits non-zero when they are wrong.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = [
    "ingest.py",
    "time_rules.py",
    "memory.py",
    "evaluate.py",
    "demo.py",
    "classify.py",
    "store.py",
    "state.py",
    "run_jsonl.py",
    "gc_share.py",
    "late_events.py",
    "plain_breakdown.py",
    "intake_cv.py",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_at_tiny_size(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--tiny"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"RESULT( [a-z0-9_]+=\S+)+", last), last


def test_readme_names_every_script() -> None:
    readme = (BENCHMARKS / "README.md").read_text("utf-8")
    for script in SCRIPTS:
        assert f"benchmarks/{script}" in readme
