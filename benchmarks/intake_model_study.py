"""A statistical second opinion for ``classify``: the leave-one-part-out study (issue 17).

Studied and NOT shipped (docs/intake.md, "A statistical second opinion: studied, not
shipped").  The model: one-vs-rest logistic regression per kind over a message's
folded text (words and word pairs, with a negation mark on the words a negation of
any language reaches; character 4-grams inside words; Chinese character 1-3-grams),
features scaled by one over the square root of their number, fitted by full-batch
Adam (400 steps from zero, L2 1e-5; numpy, deterministic).  Combined with the lexicon:
when the lexicon finds nothing, each kind whose score reaches ``fill``; next to the
lexicon's kinds, each kind whose score reaches ``add``.

Leave one part out: for each part of tests/intake/eval_set.yaml, the model is trained
on the other seven, the thresholds are chosen by leave-one-part-out inside those seven
(never on the held-out part), and lexicon alone and lexicon + model are scored on the
held-out part.  Two threshold rules:

- ``model`` (``--rule model``): the lowest score at which the model's own precision
  over the out-of-fold scores reaches 0.9 (``fill``) and 0.95 (``add``);
- ``decision`` (the default): the same targets, but the precision of the decisions
  the combination takes: the model's kinds on the messages where the lexicon found
  nothing (``fill``), the kinds the lexicon did not find in the others (``add``).

Only heldout7's fold is a fair comparison: lexicon 1.7.0 was built against the other
seven parts, so on them it is nearly always right and a second opinion can only lose.

    python benchmarks/intake_model_study.py [--rule decision|model] [--parts heldout7]

Slow: 8 trainings per fold, each ~8 s CPU.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path

import attrs
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table

from logix_rules.intake import Classification, ReportKind, classify, default_lexicon
from logix_rules.intake._classify import MAX_TEXT_CHARS
from logix_rules.intake._evaluation import Evaluation, Labelled, evaluate, read_labelled
from logix_rules.intake._text import BOUNDARY, fold, is_han, latin_tokens

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "intake" / "eval_set.yaml"
LANGUAGES = ("en", "pt", "es", "de", "fr", "zh")
KINDS = tuple(k for k in ReportKind if k is not ReportKind.OTHER)
NEGATION_REACH = 3
CHAR_N = 4
MIN_COUNT = 2
L2, RATE, BETA1, BETA2, STEPS = 1e-5, 0.05, 0.9, 0.999, 400
FILL_PRECISION, ADD_PRECISION = 0.9, 0.95
GRID = tuple(x / 4 for x in range(-16, 17))
NEVER = 99.0

Example = tuple[set[str], frozenset[ReportKind]]
Scores = dict[ReportKind, float]


def features_of(text: str) -> set[str]:
    """The model's features of a message (see the module docstring)."""
    lex = default_lexicon()
    negations = frozenset().union(*(w.negations for w in lex.languages.values()))
    folded = fold(text[:MAX_TEXT_CHARS], lex.han_fold).text
    out: set[str] = set()
    words: list[str] = []
    reach = previous_end = 0
    for token in latin_tokens(folded):
        word = token.text
        if any(c in BOUNDARY for c in folded[previous_end : token.start]):
            reach = 0
            words.append("|")
        previous_end = token.end
        if any(c.isdigit() for c in word):
            word = "#"
        elif len(word) >= CHAR_N - 1:
            padded = f"<{word}>"
            out.update("c" + padded[i : i + CHAR_N] for i in range(len(padded) - CHAR_N + 1))
        if word in negations:
            out.add("w" + word)
            reach = NEGATION_REACH
        elif reach:
            out.add("n" + word)
            reach -= 1
        else:
            out.add("w" + word)
        words.append(word)
    out.update(f"b{a} {b}" for a, b in pairwise(words) if "|" not in (a, b))
    run = ""
    for char in folded + " ":
        if is_han(char):
            run += char
            continue
        for n in (1, 2, 3):
            out.update("h" + run[i : i + n] for i in range(len(run) - n + 1))
        run = ""
    return out


@attrs.frozen
class Model:
    weights: Mapping[str, Sequence[float]]
    bias: Sequence[float]

    def scores(self, features: set[str]) -> Scores:
        sums = [0.0] * len(KINDS)
        for feature in features:
            for i, w in enumerate(self.weights.get(feature, ())):
                sums[i] += w
        scale = 1 / math.sqrt(len(features)) if features else 0.0
        return {k: b + s * scale for k, b, s in zip(KINDS, self.bias, sums, strict=True)}


def train(examples: Sequence[Example]) -> Model:
    """One-vs-rest logistic regression (see the module docstring)."""
    seen: Counter[str] = Counter()
    for features, _ in examples:
        seen.update(features)
    vocabulary = sorted(f for f, n in seen.items() if n >= MIN_COUNT)
    column = {f: i for i, f in enumerate(vocabulary)}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for r, (features, _) in enumerate(examples):
        known = sorted(column[f] for f in features if f in column)
        rows += [r] * len(known)
        cols += known
        values += [1 / math.sqrt(len(features)) if features else 0.0] * len(known)
    row, col = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    val = np.array(values)[:, None]
    n, width, k = len(examples), len(vocabulary), len(KINDS)
    row_starts = np.minimum(np.searchsorted(row, np.arange(n)), len(row))
    empty = np.bincount(row, minlength=n) == 0
    by_col = np.argsort(col, kind="stable")
    col_starts = np.searchsorted(col[by_col], np.arange(width))
    targets = np.array([[kind in kinds for kind in KINDS] for _, kinds in examples], float)
    weights, bias = np.zeros((width, k)), np.zeros(k)
    moments = [np.zeros((width, k)), np.zeros((width, k)), np.zeros(k), np.zeros(k)]
    padded = np.zeros((len(row) + 1, k))
    for step in range(1, STEPS + 1):
        padded[:-1] = weights[col] * val
        logits = np.add.reduceat(padded, row_starts)
        logits[empty] = 0.0
        error = (1 / (1 + np.exp(-(logits + bias))) - targets) / n
        grad_w = np.add.reduceat((error[row] * val)[by_col], col_starts) + L2 * weights
        for param, grad, m, v in (
            (weights, grad_w, moments[0], moments[1]),
            (bias, error.sum(axis=0), moments[2], moments[3]),
        ):
            m *= BETA1
            m += (1 - BETA1) * grad
            v *= BETA2
            v += (1 - BETA2) * grad * grad
            param -= RATE * (m / (1 - BETA1**step)) / (np.sqrt(v / (1 - BETA2**step)) + 1e-8)
    return Model({f: tuple(weights[i]) for f, i in column.items()}, tuple(bias))


def choose(
    scored: Sequence[tuple[Scores, frozenset[ReportKind], frozenset[ReportKind]]], rule: str
) -> tuple[float, float]:
    """``(fill, add)`` from out-of-fold ``(scores, labelled kinds, lexicon kinds)``."""
    chosen = []
    for target, alone in ((FILL_PRECISION, True), (ADD_PRECISION, False)):
        cases = [c for c in scored if rule == "model" or (not c[2]) == alone]
        pick = NEVER
        for threshold in GRID:
            right = wrong = 0
            for scores, kinds, lexicon in cases:
                for kind, score in scores.items():
                    if score >= threshold and (rule == "model" or kind not in lexicon):
                        right += kind in kinds
                        wrong += kind not in kinds
            if right + wrong and right / (right + wrong) >= target:
                pick = threshold
                break
        chosen.append(pick)
    return chosen[0], chosen[1]


def combine(lexicon: Classification, scores: Scores, fill: float, add: float) -> Classification:
    found = [k for k in lexicon.kinds if k is not ReportKind.OTHER]
    threshold = add if found else fill
    extra = sorted(
        (k for k, s in scores.items() if s >= threshold and k not in found),
        key=lambda k: -scores[k],
    )
    return attrs.evolve(lexicon, kinds=tuple(found + extra) or (ReportKind.OTHER,))


def _cells(result: Evaluation) -> int:
    return sum(
        1
        for t in result.by_kind_language.values()
        if (t.precision or 0) >= 0.9 and (t.recall or 0) >= 0.9
    )


def _f(value: float | None, digits: int = 3) -> str:
    return "na" if value is None else f"{value:.{digits}f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rule", choices=("decision", "model"), default="decision")
    parser.add_argument("--parts", default=None, help="held-out parts (default: every part)")
    args = parser.parse_args(argv)
    entries: list[Labelled] = read_labelled(EVAL_SET)
    lexicon = {e.id: classify(e.text) for e in entries}
    features = {e.id: features_of(e.text) for e in entries}
    parts: dict[str, list[Labelled]] = {}
    for entry in entries:
        parts.setdefault(entry.part, []).append(entry)
    held_out: Iterable[str] = args.parts.split(",") if args.parts else list(parts)
    rows = []
    for held in held_out:
        inner = [p for p in parts if p != held]
        scored = []
        for j in inner:
            model = train([(features[e.id], e.kinds) for p in inner if p != j for e in parts[p]])
            for e in parts[j]:
                found = frozenset(k for k in lexicon[e.id].kinds if k is not ReportKind.OTHER)
                scored.append((model.scores(features[e.id]), e.kinds, found))
        fill, add = choose(scored, args.rule)
        model = train([(features[e.id], e.kinds) for p in inner for e in parts[p]])
        both = {
            e.text: combine(lexicon[e.id], model.scores(features[e.id]), fill, add)
            for e in parts[held]
        }
        alone = {e.text: lexicon[e.id] for e in parts[held]}
        for name, runs in (("lexicon", alone), (f"+model ({fill:g}, {add:g})", both)):
            result = evaluate(parts[held], runs.__getitem__)
            p, r = result.macro(result.by_kind.values())
            per_language = []
            for lang in LANGUAGES:
                lp, lr = result.macro(
                    t for (_, lg), t in result.by_kind_language.items() if lg == lang
                )
                per_language.append(f"{_f(lp, 2)}/{_f(lr, 2)}")
            rows.append(
                [
                    held if name == "lexicon" else "",
                    name,
                    f"{_f(p)}/{_f(r)}",
                    *per_language,
                    f"{_cells(result)}/{len(result.by_kind_language)}",
                    f"{result.exact}/{result.messages}",
                ]
            )
        print(f"  {held} done", file=sys.stderr, flush=True)
    print(f"## leave-one-part-out, threshold rule '{args.rule}' (macro P/R over the kinds)\n")
    table(["held out", "run (fill, add)", "all", *LANGUAGES, "cells >= 0.9", "exact"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
