"""benchmarks/intake_cv.py (the leave-one-part-out estimate of issue 17's classifier on
new authors): it runs at its smoke size, checks its simulated lexicon + model pair
against ``classify``, and pools folds as ``_evaluation.evaluate`` counts them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from logix_rules.intake import ReportKind
from logix_rules.intake._evaluation import Labelled, evaluate

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
K = ReportKind


def _entry(i: int, lang: str, kinds: set[ReportKind]) -> Labelled:
    return Labelled(str(i), "p", lang, f"message {i}", frozenset(kinds), frozenset())


def test_tally_and_merge_count_as_evaluate_does(cv: ModuleType) -> None:
    entries = [
        _entry(1, "en", {K.DAMAGED}),
        _entry(2, "en", {K.DAMAGED, K.DELAYED}),
        _entry(3, "pt", {K.OTHER}),
    ]
    got = [frozenset({K.DAMAGED}), frozenset({K.DELAYED}), frozenset({K.WISMO})]
    by_text = {e.text: g for e, g in zip(entries, got, strict=True)}

    class Result:  # what evaluate() reads of a Classification
        def __init__(self, text: str) -> None:
            self.kinds = tuple(by_text[text])
            self.kind = self.kinds[0]
            self.language = "en"
            self.tracking_numbers = ()

    expected = evaluate(entries, Result)  # type: ignore[arg-type]
    mine = cv.tally(entries, got)
    assert mine.by_kind_language == expected.by_kind_language
    assert mine.confusion == expected.confusion
    assert mine.exact == expected.exact == 1
    both = cv.merge([cv.tally(entries[:1], got[:1]), cv.tally(entries[1:], got[1:])])
    assert both.by_kind == mine.by_kind
    assert both.confusion == mine.confusion
    assert both.confusion_by_language == mine.confusion_by_language
    assert mine.confusion_by_language["pt"] == {("other", "wismo"): 1}
    # delayed/en is found once of once; damaged/en misses one of two
    assert cv.cells(mine) == 1


def test_the_script_runs_at_its_smoke_size(tmp_path: Path) -> None:
    # one fold (extra10, 40 training steps); the script fails when its simulated pair
    # is not what classify() returns with the fold's model
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "intake_cv.py"), "--tiny"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"RESULT( [a-z0-9_]+=\S+)+", last), last
    assert "folds=1 messages=668 " in last
