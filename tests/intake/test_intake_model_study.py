"""benchmarks/intake_model_study.py (the statistical second opinion of issue 17, which
trains ``model.json``): its features, probes, training and threshold rules do what
docs/intake.md says, so the figures there can be reproduced."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from logix_rules.intake import ReportKind

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_features_mark_the_words_a_negation_reaches(study: ModuleType) -> None:
    features = study.features_of("The box is not damaged, the mug is broken. Order 12345")
    assert {"wnot", "ndamaged", "wbroken", "w#", "c<bro", "bmug is"} <= features
    assert "wdamaged" not in features  # reached by "not"
    assert "bdamaged the" not in features  # no word pair across a clause
    assert {"h破", "h破损", "h包裹破"} <= study.features_of("包裹破损了")


def test_a_negation_reaches_the_end_of_its_clause(study: ModuleType) -> None:
    # intake-model 6: the rest of the clause, however long (the next three words before)
    features = study.features_of("It did not come to my new flat in Lyon at all; it is late")
    assert {"nflat", "nlyon", "nall", "wlate", "wit"} <= features
    assert not {"wflat", "wlyon", "nlate"} & features


def _fixture(study: ModuleType) -> list[tuple[set[str], frozenset[ReportKind], float]]:
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
    return [(study.features_of(text), frozenset({kind}), 1.0) for text, kind in texts]


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
        ({d: 3.0, w: -5.0}, frozenset({d}), frozenset({d}), none),  # the lexicon found it
        ({d: 2.0, w: -5.0}, frozenset({d}), none, none),
        ({d: 1.0, w: -5.0}, frozenset({w}), none, none),
        ({d: 0.0, w: -5.0}, frozenset({d}), none, none),
        ({d: 5.0, w: -5.0}, frozenset({w}), none, frozenset({d})),  # blocked: no decision
    ]
    # the model's own precision: 3/4 from 1.25 up (3 and 2 right, 5 wrong)...
    assert study.choose(scored, "model") == (study.NEVER, study.NEVER, study.NEVER_DROP)
    # ...1 without the blocked message
    assert study.choose(scored[:-1], "model") == (1.25, 1.25, study.NEVER_DROP)
    # the decisions: where the lexicon found nothing, 1 from 1.25 up; next to the
    # lexicon's kinds the model never adds anything, so it never speaks there; the
    # lexicon's one kind is right, so nothing is dropped
    assert study.choose(scored, "decision") == (1.25, study.NEVER, study.NEVER_DROP)


def test_drop_is_the_highest_score_below_which_the_lexicon_is_wrong_often_enough(
    study: ModuleType,
) -> None:
    d, w = ReportKind.DAMAGED, ReportKind.WISMO
    none: frozenset[ReportKind] = frozenset()
    lexicon_d = frozenset({d})
    scored = [
        ({d: -4.0, w: -5.0}, frozenset({w}), lexicon_d, none),  # the lexicon wrong
        ({d: -3.0, w: -5.0}, frozenset({w}), lexicon_d, none),
        ({d: -2.0, w: -5.0}, frozenset({d}), lexicon_d, none),  # right
        ({d: 2.0, w: -5.0}, frozenset({d}), lexicon_d, none),
    ]
    # below -2 the two kinds dropped are wrong ones; from -1.75 up one in three is right
    assert study.dropping(scored) == -2.0
    # what is dropped is no longer the lexicon's: the first two messages leave it
    # nothing, so "fill" decides there (w at -5 is never right: NEVER)
    assert study.choose(scored, "decision") == (study.NEVER, study.NEVER, -2.0)


def test_the_probes_are_read_from_the_tests(study: ModuleType) -> None:
    probes = dict(study.probes())
    assert len(probes) > 1500
    # a parametrized expectation, a probe, a message the tests pass to classify
    assert probes["Não recebi minha encomenda."] == {ReportKind.NOT_RECEIVED}
    assert probes["Je n'ai toujours pas reçu mon remboursement."] == frozenset()
    assert probes["The box caved in"] == frozenset()  # with the default lexicon


def test_the_gate_reports_what_classify_blocks(study: ModuleType) -> None:
    result, blocked = study.lexicon_alone("The box is not damaged.")
    assert result.kinds == (ReportKind.OTHER,)
    assert blocked == frozenset(ReportKind)  # a negated complaint: the model is silent
    result, blocked = study.lexicon_alone("The mug arrived broken")
    assert (result.kinds, blocked) == ((ReportKind.DAMAGED,), frozenset())


def test_the_json_is_rounded_pruned_and_read_back(study: ModuleType) -> None:
    model = study.Model({"wbroken": (2.0,) * 8, "wthe": (0.001,) * 8}, (-1.0,) * 8)
    text = study.to_json(model, -0.5, 0.25, -2.5)
    shipped = study.model_from_json(text)
    assert set(shipped.weights) == {"wbroken"}
    assert (shipped.fill, shipped.add, shipped.drop, shipped.bias[0]) == (-0.5, 0.25, -2.5, -1.0)
    assert shipped.scores({"wbroken"}) == model.scores({"wbroken"})
