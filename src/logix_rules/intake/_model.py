"""The statistical second opinion ``classify`` consults after the lexicon (issue 17).

Per kind, a logistic regression over a message's folded text: words and word pairs
(a word after a negation of any language, up to the end of its clause, is marked,
``n``, instead of ``w``; until ``intake-model 5`` only the next three words were),
character 4-grams inside words, Chinese character 1-3-grams; the sum of the weights
of the features present is scaled by one over the square root of their number.  The
weights are data (``model.json``, written by ``benchmarks/intake_model_study.py
--write``; see docs/intake.md) and are read here in plain Python.

With a ``decision`` (``_decision.Decision``, the shipped file's), that decides the
kinds from the model's scores and the lexicon's reading together.  Without one (a file
of the ninth session's layout), fixed thresholds do: the model drops the lexicon's
kinds it scores below ``drop`` (a keyword read out of its situation: "the box was
fine" is no damage), then adds: when the lexicon found nothing (or the model dropped
all it found), each kind whose score reaches ``fill``; next to the lexicon's kinds,
each kind whose score reaches ``add``.  It adds nothing where the lexicon has its own
word: on a message with a negated complaint ("not damaged") or an ``ignore`` phrase
(refunds, colour changes...), and for a kind the lexicon saw but found too weak, or
that the model itself dropped.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence, Set
from itertools import pairwise
from typing import Final

import attrs

from ._decision import Decision, decision_from_json
from ._kinds import ReportKind
from ._lexicon_load import default_lexicon
from ._text import BOUNDARY, Token

__all__ = ["FORMAT", "MODEL_FILE", "Model", "default_model", "features", "model_from_json"]

#: The version of ``model.json``'s layout this module reads.
FORMAT: Final = 1
MODEL_FILE: Final = "model.json"
CHAR_N: Final = 4
#: A run of CJK ideographs (``_text.is_han``'s ranges).
_HAN_RUN: Final = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")


@functools.cache
def _negations() -> frozenset[str]:
    # The built-in lexicon's: the model was trained with them, whatever lexicon a
    # caller passes.
    return frozenset().union(*(w.negations for w in default_lexicon().languages.values()))


def features(folded: str, tokens: Sequence[Token]) -> set[str]:
    """The model's features of a folded message and its latin tokens."""
    negations = _negations()
    out: set[str] = set()
    words: list[str] = []
    # a negation reaches the rest of its clause (intake-model 6; the next three words
    # before: on the fair folds the clause is 5 more exact kind sets of 2,767)
    negated = False
    previous_end = 0
    for token in tokens:
        word = token.text
        if not BOUNDARY.isdisjoint(folded[previous_end : token.start]):
            negated = False
            words.append("|")
        previous_end = token.end
        if any(c.isdigit() for c in word):
            word = "#"
        elif len(word) >= CHAR_N - 1:
            padded = f"<{word}>"
            out.update("c" + padded[i : i + CHAR_N] for i in range(len(padded) - CHAR_N + 1))
        if word in negations:
            out.add("w" + word)
            negated = True
        elif negated:
            out.add("n" + word)
        else:
            out.add("w" + word)
        words.append(word)
    out.update(f"b{a} {b}" for a, b in pairwise(words) if "|" not in (a, b))
    for found in _HAN_RUN.finditer(folded):
        run = found.group()
        for n in (1, 2, 3):
            out.update("h" + run[i : i + n] for i in range(len(run) - n + 1))
    return out


@attrs.frozen
class Model:
    """Weights per feature (one per kind of ``kinds``), biases, and either a
    ``decision`` or thresholds (absent from the file: ``fill`` and ``add`` infinity,
    adding nothing; ``drop`` minus infinity, dropping nothing)."""

    label: str
    kinds: tuple[ReportKind, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    fill: float = math.inf
    add: float = math.inf
    drop: float = -math.inf
    decision: Decision | None = None

    def scores(self, found: Collection[str]) -> dict[ReportKind, float]:
        """Each kind's score (a logit) for a message's features."""
        get = self.weights.get
        rows = [row for feature in found if (row := get(feature)) is not None]
        if not rows:
            return dict(zip(self.kinds, self.bias, strict=True))
        sums = [sum(column) for column in zip(*rows, strict=True)]
        scale = 1 / math.sqrt(len(found))
        return {k: b + s * scale for k, b, s in zip(self.kinds, self.bias, sums, strict=True)}

    def dropped(
        self, scores: Mapping[ReportKind, float], found: Sequence[ReportKind]
    ) -> list[ReportKind]:
        """The lexicon's kinds (``found``) the model scores below ``drop``."""
        return [k for k in found if k in scores and scores[k] < self.drop]

    def added(
        self,
        scores: Mapping[ReportKind, float],
        found: Sequence[ReportKind],
        blocked: Set[ReportKind],
    ) -> list[ReportKind]:
        """The kinds the model adds to the lexicon's ``found``, highest score first.

        ``blocked`` are the kinds the lexicon has its own word on (see ``classify``).
        """
        threshold = self.add if found else self.fill
        return sorted(
            (
                k
                for k, s in scores.items()
                if s >= threshold and k not in found and k not in blocked
            ),
            key=lambda k: -scores[k],
        )


def model_from_json(text: str) -> Model:
    """A ``Model`` from the text of a ``model.json``."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError(f"model format {data.get('format')!r}, this logix reads {FORMAT}")
    scale = data["scale"]
    kinds = tuple(ReportKind(k) for k in data["kinds"])
    return Model(
        label=data["label"],
        kinds=kinds,
        bias=tuple(b / scale for b in data["bias"]),
        weights={f: tuple(w / scale for w in row) for f, row in data["weights"].items()},
        fill=data.get("fill", math.inf),
        add=data.get("add", math.inf),
        drop=data.get("drop", -math.inf),
        decision=decision_from_json(data["decision"], kinds) if "decision" in data else None,
    )


@functools.cache
def default_model() -> Model:
    """The built-in model (``src/logix_rules/intake/model.json``), loaded once."""
    resource = importlib.resources.files("logix_rules").joinpath("intake", MODEL_FILE)
    return model_from_json(resource.read_text(encoding="utf-8"))
