"""The statistical second opinion ``classify`` consults (``model.json``, issue 17).

It adds kinds to the lexicon's and drops some, says which (``added``, ``dropped``,
``model``), keeps quiet where the lexicon has its own word (with thresholds; the
shipped decision weighs that word instead: tests/intake/test_intake_decision.py), can
be turned off (``model=False`` is the lexicon alone, as measured blind before the model
shipped), runs without numpy, and the shipped weights are what
``benchmarks/intake_model_study.py --write`` trains.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from logix_rules.intake import ReportKind, classify, loads_lexicon, report_to_event
from logix_rules.intake._evaluation import evaluate, read_labelled
from logix_rules.intake._model import default_model, model_from_json

K = ReportKind
ROOT = Path(__file__).resolve().parents[2]
ENTRIES = read_labelled(Path(__file__).with_name("eval_set.yaml"))


def _model(
    weights: dict[str, list[int]], fill: float = 0.0, add: float = 1.0, drop: float | None = None
) -> str:
    head: dict[str, object] = {
        "format": 1,
        "label": "test-model",
        "kinds": [k.value for k in K if k is not K.OTHER],
        "scale": 1,
        "fill": fill,
        "add": add,
    }
    if drop is not None:
        head["drop"] = drop
    return json.dumps(head | {"bias": [-5] * 8, "weights": weights})


# "teapot" is damaged, "zorbo" where is my parcel: strong enough to fill and add
TOY = model_from_json(_model({"wteapot": [40, 0, 0, 0, 0, 0, 0, 0], "wzorbo": [0] * 7 + [40]}))


def test_the_model_fills_what_the_lexicon_leaves_as_other_and_says_so() -> None:
    alone = classify("my teapot", model=False)
    assert (alone.kinds, alone.added, alone.model) == ((K.OTHER,), (), None)
    result = classify("my teapot", model=TOY)
    assert (result.kinds, result.added, result.model) == ((K.DAMAGED,), (K.DAMAGED,), "test-model")
    assert result.evidence == ()  # no lexicon term: nothing to point at
    (kind, confidence) = result.scores[0]
    assert kind is K.DAMAGED
    assert 0.5 < confidence == result.confidence <= 1


def test_added_kinds_come_after_the_lexicons_with_no_higher_confidence() -> None:
    result = classify("The teapot arrived late, zorbo", model=TOY)
    assert result.kinds[0] is K.DELAYED
    assert set(result.added) == {K.DAMAGED, K.WISMO}
    assert result.kinds[1:] == result.added
    confidences = [c for _, c in result.scores]
    assert confidences == sorted(confidences, reverse=True)
    assert {e.kind for e in result.evidence} == {K.DELAYED}
    events = report_to_event(
        result, tracking_number="LX123456785CN", carrier="china-post", at="2026-03-02T08:00:00Z"
    )
    assert [e.source.code for e in events] == [k.value for k in result.kinds]


def test_below_add_the_model_adds_nothing_next_to_the_lexicon() -> None:
    quiet = model_from_json(_model({"wteapot": [40, 0, 0, 0, 0, 0, 0, 0]}, add=99))
    assert classify("The teapot arrived late", model=quiet).kinds == (K.DELAYED,)
    assert classify("my teapot", model=quiet).kinds == (K.DAMAGED,)


@pytest.mark.parametrize(
    "text",
    [
        "The teapot is not damaged.",  # a negated complaint
        "Can I change the colour of the teapot?",  # an ignore phrase
    ],
)
def test_the_model_is_silent_where_the_lexicon_has_its_word(text: str) -> None:
    result = classify(text, model=TOY)
    assert (result.kinds, result.added) == ((K.OTHER,), ())


def test_the_model_drops_a_lexicon_kind_it_scores_below_drop_and_says_so() -> None:
    # "teapot" says it is no delay (a keyword out of its situation), "zorbo" wismo
    weights = {"wteapot": [0, 0, -40, 0, 0, 0, 0, 0], "wzorbo": [0] * 7 + [40]}
    dropping = model_from_json(_model(weights, drop=-10))
    alone = classify("The teapot arrived late", model=False)
    result = classify("The teapot arrived late", model=dropping)
    assert (alone.kinds, result.kinds, result.dropped) == ((K.DELAYED,), (K.OTHER,), (K.DELAYED,))
    assert result.evidence == alone.evidence  # the lexicon's reading is still shown
    # with all the lexicon's kinds dropped, the model fills; a dropped kind never returns
    result = classify("The teapot arrived late, zorbo", model=dropping)
    assert (result.kinds, result.added, result.dropped) == ((K.WISMO,), (K.WISMO,), (K.DELAYED,))
    # a file without "drop" drops nothing
    keeping = model_from_json(_model(weights))
    result = classify("The teapot arrived late", model=keeping)
    assert (result.kinds, result.dropped) == ((K.DELAYED,), ())


def test_a_kind_the_lexicon_found_too_weak_is_not_added() -> None:
    customs = model_from_json(_model({"wzoll": [0] * 7 + [40]}))
    result = classify("Mein Paket liegt beim Zoll.", model=customs)
    assert K.WISMO in {e.kind for e in result.evidence}  # a weak cue alone
    assert result.kinds == (K.OTHER,)


def test_an_extended_lexicon_works_with_the_model() -> None:
    shop = loads_lexicon(
        "format: 1\nname: shop\nversion: '1'\nextends: default\n"
        "kinds: {damaged: {terms: {en: ['caved in']}}}\n"
    )
    result = classify("The box caved in", lexicon=shop)
    assert (result.kinds, result.added, result.model) == (
        (K.DAMAGED,),
        (),
        default_model().label,
    )
    assert classify("The box caved in", lexicon=shop, model=TOY).kinds == (K.DAMAGED,)


def test_model_false_is_the_lexicon_alone_as_docs_intake_md_reports_it() -> None:
    # lexicon 1.8.0 alone on heldout8 (docs/intake.md; 1.7.0's blind figures were 552,
    # 0.841/0.833); each lexicon version updates these
    heldout8 = [e for e in ENTRIES if e.part == "heldout8"]
    result = evaluate(heldout8, lambda text: classify(text, model=False))
    p, r = result.macro(result.by_kind.values())
    assert (result.exact, round(p or 0, 3), round(r or 0, 3)) == (669, 0.919, 0.961)


def test_with_the_model_the_lexicons_kept_findings_stay_and_come_first() -> None:
    for entry in ENTRIES:
        alone = classify(entry.text, model=False)
        both = classify(entry.text)
        assert (alone.added, alone.dropped, alone.model) == ((), (), None)
        assert both.model == default_model().label
        assert both.evidence == alone.evidence
        found = tuple(k for k in alone.kinds if k is not K.OTHER)
        assert set(both.dropped) <= set(found)
        assert not set(both.dropped) & set(both.added)
        kept = tuple(k for k in found if k not in both.dropped)
        assert both.kinds == (kept + both.added or (K.OTHER,)), entry.id
        assert both.scores[: len(kept)] == tuple(s for s in alone.scores if s[0] in kept)


def test_the_model_runs_without_numpy() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "from logix_rules.intake import classify\n"
        "print(classify('Where is my parcel?').model)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == default_model().label


def test_the_shipped_file_is_small_and_of_the_known_format() -> None:
    resource = importlib.resources.files("logix_rules").joinpath("intake", "model.json")
    assert len(resource.read_bytes()) < 1_000_000
    with pytest.raises(ValueError, match="model format 2"):
        model_from_json(json.dumps({"format": 2}))


def test_the_shipped_weights_are_what_the_training_script_writes(study: ModuleType) -> None:
    # one training on every labelled part and the tests' probes (about a minute of
    # CPU); the decision, trained on three more trainings' out-of-fold scores, is
    # taken as shipped (tests/intake/test_intake_decision.py trains one on fixtures)
    shipped = study.MODEL_PATH.read_text(encoding="utf-8")
    decision = default_model().decision
    assert decision is not None
    text = study.build(decision)
    assert hashlib.sha256(text.encode()).hexdigest() == hashlib.sha256(shipped.encode()).hexdigest()
