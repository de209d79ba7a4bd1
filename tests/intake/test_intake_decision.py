"""The stacked decision (``_decision.py``, trained by ``benchmarks/intake_decision.py``):
it decides the kinds from the model's scores and the lexicon's reading, ``classify``
reports its choice as ``dropped`` and ``added``, ``fill`` gives a complaint the lexicon
does not know its likeliest kind, and the training learns and round-trips through
``model.json``."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

from logix_rules.intake import ReportKind, classify
from logix_rules.intake._decision import INPUTS, Decision, Reading, inputs
from logix_rules.intake._evaluation import Labelled
from logix_rules.intake._model import default_model, model_from_json

K = ReportKind
KINDS = tuple(k for k in K if k is not K.OTHER)


def _reading(confidence: dict[ReportKind, float] | None = None, **kw: object) -> Reading:
    args: dict[str, object] = {
        "confidence": confidence or {},
        "seen": frozenset(confidence or {}),
        "negated": frozenset(),
        "language": "en",
    }
    return Reading(**(args | kw))  # type: ignore[arg-type]


def _decision(threshold: float = 0.5, fill: float = 1.1) -> Decision:
    # the probability follows the model's score alone (slope 1, bias 0)
    return Decision(KINDS, (0.0,) * len(INPUTS), (0.0,) * 8, (1.0,) * 8, threshold, fill)


def test_inputs_describe_the_lexicons_reading_of_the_kind() -> None:
    scores = dict.fromkeys(KINDS, -2.0) | {K.DAMAGED: 1.0, K.DELAYED: 0.5}
    reading = _reading(
        {K.DAMAGED: 0.632},
        seen=frozenset({K.DAMAGED, K.WISMO}),
        negated=frozenset({K.DELAYED}),
        language="de",
    )
    named = dict(zip(INPUTS, inputs(K.DAMAGED, scores, reading), strict=True))
    assert named["model"] == 1.0
    assert named["margin"] == 0.5
    assert (named["found"], named["nothing_found"], named["others_found"]) == (1.0, 0.0, 0.0)
    assert named["strength"] == pytest.approx(1.0, abs=1e-3)  # 1 - e^-1
    assert named["model_if_found"] == 1.0
    assert (named["lang_de"], named["lang_en"]) == (1.0, 0.0)
    wismo = dict(zip(INPUTS, inputs(K.WISMO, scores, reading), strict=True))
    assert (wismo["found"], wismo["weak"], wismo["others_found"]) == (0.0, 1.0, 1.0)
    assert dict(zip(INPUTS, inputs(K.DELAYED, scores, reading), strict=True))["negated"] == 1.0


def test_every_kind_above_the_threshold_else_the_likeliest_above_fill() -> None:
    probabilities = dict.fromkeys(KINDS, 0.05) | {K.WISMO: 0.6, K.DELAYED: 0.7}
    reading = _reading()
    assert _decision().chosen(probabilities, reading) == [K.DELAYED, K.WISMO]
    weak = dict.fromkeys(KINDS, 0.05) | {K.WISMO: 0.25}
    assert _decision(fill=1.1).chosen(weak, reading) == []  # other
    assert _decision(fill=0.2).chosen(weak, reading) == [K.WISMO]


def test_on_a_silenced_message_only_the_lexicons_kinds_may_stay() -> None:
    probabilities = dict.fromkeys(KINDS, 0.05) | {K.WISMO: 0.9, K.DELAYED: 0.7}
    silenced = _reading({K.DELAYED: 0.8}, silenced=True)
    assert _decision().chosen(probabilities, silenced) == [K.DELAYED]
    assert _decision(fill=0.0).chosen(probabilities, _reading(silenced=True)) == []


def test_classify_reports_the_decisions_choice_as_dropped_and_added() -> None:
    head = {
        "format": 1,
        "label": "test-decision",
        "kinds": [k.value for k in KINDS],
        "scale": 1,
        "bias": [-5] * 8,
        "decision": {
            "inputs": list(INPUTS),
            "threshold": 0.5,
            "fill": 1.1,
            "weights": [0.0] * len(INPUTS),
            "bias": [0.0] * 8,
            "slope": [1.0] * 8,
        },
    }
    # "teapot" scores damaged high and delayed low: the lexicon's delay goes
    weights = {"wteapot": [40, 0, -40, 0, 0, 0, 0, 0]}
    model = model_from_json(json.dumps(head | {"weights": weights}))
    assert classify("The teapot arrived late", model=False).kinds == (K.DELAYED,)
    result = classify("The teapot arrived late", model=model)
    assert (result.kinds, result.dropped, result.added) == (
        (K.DAMAGED,),
        (K.DELAYED,),
        (K.DAMAGED,),
    )
    assert result.model == "test-decision"
    assert 0.5 < result.confidence < 1
    with pytest.raises(ValueError, match="decision inputs"):
        model_from_json(json.dumps(head | {"weights": {}, "decision": {"inputs": ["x"]}}))


def test_the_shipped_model_decides_with_a_decision() -> None:
    decision = default_model().decision
    assert decision is not None
    assert decision.kinds == KINDS
    assert 0 < decision.threshold < 1


def _item(decision: ModuleType, i: int) -> object:
    # damaged when the model says so, whatever the lexicon; wismo when the lexicon does
    kind = K.DAMAGED if i % 2 else K.WISMO
    scores = dict.fromkeys(KINDS, -3.0) | {K.DAMAGED: 3.0 if i % 2 else -3.0}
    reading = _reading({K.WISMO: 0.8} if kind is K.WISMO else {K.DELAYED: 0.8})
    entry = Labelled(str(i), "p", "en", "x", frozenset({kind}), frozenset())
    return decision.Stacked(entry, scores, reading)


def test_the_decisions_training_learns_and_chooses_its_thresholds(stacking: ModuleType) -> None:
    decision = stacking
    parts = {p: [_item(decision, i) for i in range(n, n + 40)] for p, n in (("a", 0), ("b", 40))}
    trained = decision.choose(parts, KINDS)
    assert (trained.threshold, trained.fill) in decision.GRID
    for items in parts.values():
        for item in items:
            assert decision.decide(trained, item) == item.entry.kinds
    again = decision.choose(parts, KINDS)
    assert again == trained  # deterministic
    text = json.dumps(decision.to_dict(trained))
    head = {"format": 1, "label": "t", "kinds": [k.value for k in KINDS], "scale": 1}
    read = model_from_json(
        json.dumps(head | {"bias": [0] * 8, "weights": {}, "decision": json.loads(text)})
    )
    assert read.decision == trained
