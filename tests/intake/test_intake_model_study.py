"""benchmarks/intake_model_study.py (the statistical second opinion studied for issue
17 and not shipped): its features, training and threshold rules do what docs/intake.md
says, so the figures there can be reproduced."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from logix_rules.intake import ReportKind, classify

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def study() -> ModuleType:
    pytest.importorskip("numpy")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "intake_model_study", BENCHMARKS / "intake_model_study.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_features_mark_the_words_a_negation_reaches(study: ModuleType) -> None:
    features = study.features_of("The box is not damaged, the mug is broken. Order 12345")
    assert {"wnot", "ndamaged", "wbroken", "w#", "c<bro", "bmug is"} <= features
    assert "wdamaged" not in features  # reached by "not"
    assert "bdamaged the" not in features  # no word pair across a clause
    assert {"h破", "h破损", "h包裹破"} <= study.features_of("包裹破损了")


def _fixture(study: ModuleType) -> list[tuple[set[str], frozenset[ReportKind]]]:
    texts = [
        ("the mug is broken", ReportKind.DAMAGED),
        ("my lamp arrived broken", ReportKind.DAMAGED),
        ("broken glass everywhere", ReportKind.DAMAGED),
        ("it is late again", ReportKind.DELAYED),
        ("so late, two weeks", ReportKind.DELAYED),
        ("late late late", ReportKind.DELAYED),
        ("thanks a lot", ReportKind.OTHER),
        ("thanks, all good", ReportKind.OTHER),
    ]
    return [(study.features_of(text), frozenset({kind})) for text, kind in texts]


def test_training_is_deterministic_and_learns(study: ModuleType) -> None:
    first = study.train(_fixture(study))
    assert first == study.train(_fixture(study))
    damaged = study.KINDS.index(ReportKind.DAMAGED)
    delayed = study.KINDS.index(ReportKind.DELAYED)
    assert first.weights["wbroken"][damaged] > 0.5 > first.weights["wbroken"][delayed]
    scores = first.scores(study.features_of("broken again"))
    assert max(scores, key=scores.__getitem__) is ReportKind.DAMAGED


def test_the_two_threshold_rules(study: ModuleType) -> None:
    d, w = ReportKind.DAMAGED, ReportKind.WISMO
    none: frozenset[ReportKind] = frozenset()
    scored = [
        ({d: 3.0, w: -5.0}, frozenset({d}), frozenset({d})),  # the lexicon found it
        ({d: 2.0, w: -5.0}, frozenset({d}), none),
        ({d: 1.0, w: -5.0}, frozenset({w}), none),
        ({d: 0.0, w: -5.0}, frozenset({d}), none),
    ]
    # the model's own precision: 1 from 1.25 up (3 and 2 right), 2/3 from 1 down
    assert study.choose(scored, "model") == (1.25, 1.25)
    # the decisions: where the lexicon found nothing, 1 from 1.25 up; next to the
    # lexicon's kinds the model never adds anything, so it never speaks there
    assert study.choose(scored, "decision") == (1.25, study.NEVER)


def test_the_combination_fills_an_empty_finding_and_adds_only_above_add(
    study: ModuleType,
) -> None:
    empty = classify("Thanks for everything")
    assert empty.kinds == (ReportKind.OTHER,)
    scores = dict.fromkeys(study.KINDS, -5.0) | {ReportKind.WISMO: 2.0}
    assert study.combine(empty, scores, 1.0, 3.0).kinds == (ReportKind.WISMO,)
    assert study.combine(empty, scores, 2.5, 3.0).kinds == (ReportKind.OTHER,)
    broken = classify("The mug arrived broken")
    assert study.combine(broken, scores, 1.0, 3.0).kinds == (ReportKind.DAMAGED,)
    both = study.combine(broken, scores, 1.0, 2.0).kinds
    assert both == (ReportKind.DAMAGED, ReportKind.WISMO)
