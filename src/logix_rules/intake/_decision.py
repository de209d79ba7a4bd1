"""The stacked decision: which kinds a message reports, from the lexicon's reading and
the model's scores together (issue 17, tenth session).

The lexicon and the word model are each right where the other is wrong: the lexicon
knows its keywords but not their situation, the model knows situations it was shown.
Instead of fixed thresholds on the model's score (``Model.fill``, ``add``, ``drop``),
a second logistic regression, trained on *out-of-fold* model scores of the parts the
lexicon was not built against (``benchmarks/intake_model_study.py``), weighs per kind:

- the model's score for the kind (a slope per kind) and its margin over the best other;
- whether the lexicon reported the kind, how strongly, found it only weakly, or found
  it negated; how many other kinds it reported, and whether it reported none;
- the message's language (a bias per language: the same score means more in one
  language than in another).

Each kind whose probability reaches ``threshold`` is reported, and each kind the
lexicon reported whose probability reaches ``keep`` (at most ``threshold``: a
keyword the model does not know, "damged", is not dropped for that alone); when none
is, the
most probable kind is reported if it reaches ``fill`` (a complaint the lexicon does
not know still gets its likeliest kind), else ``other``.  Where the lexicon has its
own word on the whole message (a negated complaint, "not damaged", or an ``ignore``
phrase, "a refund"), the decision keeps or drops the lexicon's kinds but adds none:
on the fair parts this costs nothing and keeps the lexicon's tested silences.  Every
weight is data in ``model.json``; this module is plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from ._kinds import ReportKind

__all__ = ["INPUTS", "LANGUAGES", "Decision", "Reading", "decision_from_json"]

#: The languages with a bias of their own (any other: none).
LANGUAGES: Final = ("en", "pt", "es", "de", "fr", "zh")
#: The inputs shared by every kind, in ``Decision.weights`` order.
INPUTS: Final = (
    "model",
    "found",
    "strength",
    "weak",
    "negated",
    "others_found",
    "margin",
    "nothing_found",
    "model_if_found",
    *(f"lang_{lang}" for lang in LANGUAGES),
)
#: Model scores are clipped to +-CLIP, lexicon strengths to STRENGTH_CAP.
CLIP: Final = 8.0
STRENGTH_CAP: Final = 3.0


@attrs.frozen
class Reading:
    """What the lexicon read in a message, as the decision weighs it.

    ``confidence``: each kind it reported with its confidence (``Classification``'s);
    ``seen``: the kinds with a counting evidence span; ``negated``: the kinds with a
    negated one; ``language``: the message's; ``silenced``: the message has a negated
    complaint or an ``ignore`` phrase (the decision then adds no kind of its own).
    """

    confidence: Mapping[ReportKind, float]
    seen: frozenset[ReportKind]
    negated: frozenset[ReportKind]
    language: str
    silenced: bool = False


def _clip(x: float, bound: float = CLIP) -> float:
    return max(-bound, min(bound, x))


def inputs(kind: ReportKind, scores: Mapping[ReportKind, float], reading: Reading) -> list[float]:
    """The shared inputs (``INPUTS``) of ``kind`` for a message."""
    score = _clip(scores[kind])
    best_other = max(s for k, s in scores.items() if k is not kind)
    found = kind in reading.confidence
    strength = (
        min(STRENGTH_CAP, -math.log(max(1e-9, 1 - reading.confidence[kind]))) if found else 0.0
    )
    return [
        score,
        float(found),
        strength,
        float(kind in reading.seen and not found),
        float(kind in reading.negated),
        float(len(reading.confidence) - found),
        _clip(score - best_other),
        float(not reading.confidence),
        score * found,
        *(float(reading.language == lang) for lang in LANGUAGES),
    ]


@attrs.frozen
class Decision:
    """Shared ``weights`` (one per ``INPUTS``), and per kind of ``kinds`` a bias and a
    slope on its model score; ``threshold``, ``fill`` and ``keep`` as the module says
    (``keep`` None: ``threshold``)."""

    kinds: tuple[ReportKind, ...]
    weights: tuple[float, ...]
    bias: tuple[float, ...]
    slope: tuple[float, ...]
    threshold: float
    fill: float
    keep: float | None = None

    def probabilities(
        self, scores: Mapping[ReportKind, float], reading: Reading
    ) -> dict[ReportKind, float]:
        """Each kind's probability of being reported."""
        out = {}
        for kind, bias, slope in zip(self.kinds, self.bias, self.slope, strict=True):
            x = inputs(kind, scores, reading)
            z = bias + slope * x[0] + sum(w * v for w, v in zip(self.weights, x, strict=True))
            out[kind] = 1 / (1 + math.exp(-_clip(z, 30.0)))
        return out

    def chosen(
        self, probabilities: Mapping[ReportKind, float], reading: Reading
    ) -> list[ReportKind]:
        """The kinds reported, most probable first (empty: ``other``); on a silenced
        message only among the lexicon's."""
        ranked = sorted(
            (k for k in probabilities if not reading.silenced or k in reading.confidence),
            key=lambda k: -probabilities[k],
        )
        keep = self.threshold if self.keep is None else min(self.keep, self.threshold)
        out = [
            k
            for k in ranked
            if probabilities[k] >= (keep if k in reading.confidence else self.threshold)
        ]
        if not out and ranked and probabilities[ranked[0]] >= self.fill:
            out = ranked[:1]
        return out


def decision_from_json(data: Mapping[str, Any], kinds: Sequence[ReportKind]) -> Decision:
    """The ``decision`` object of a ``model.json``."""
    if list(data["inputs"]) != list(INPUTS):
        raise ValueError(f"decision inputs {data['inputs']!r}, this logix reads {list(INPUTS)}")
    return Decision(
        kinds=tuple(kinds),
        weights=tuple(float(w) for w in data["weights"]),
        bias=tuple(float(b) for b in data["bias"]),
        slope=tuple(float(s) for s in data["slope"]),
        threshold=float(data["threshold"]),
        fill=float(data["fill"]),
        keep=None if data.get("keep") is None else float(data["keep"]),
    )
