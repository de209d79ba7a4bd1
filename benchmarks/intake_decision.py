"""Training of the stacked decision of ``classify`` (``logix_rules.intake._decision``).

Input: for each message of the fair parts (``intake_model_study.FAIR_PARTS``, the parts
the lexicon was not built against), the word model's *out-of-fold* scores (the model
trained without that part), the lexicon's reading and the labelled kinds.  Output: one
logistic regression over every (message, kind) pair: the shared inputs of
``_decision.INPUTS``, a bias and a model-score slope per kind; fitted by Newton's
method (deterministic, L2 ``L2`` on everything but the common bias).

``threshold`` and ``fill`` come from leaving one fair part out inside the parts given:
each is scored by the decision trained on the others, and the pair of ``GRID`` with
the highest macro F1 over the kinds wins (ties: the first in ``GRID``).

    from intake_decision import Stacked, choose, fit
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

import attrs
import numpy as np

from logix_rules.intake import Classification, ReportKind
from logix_rules.intake._decision import INPUTS, Decision, Reading, inputs
from logix_rules.intake._evaluation import Evaluation, Labelled

L2 = 1.0
NEWTON_STEPS = 30
#: (threshold, fill) pairs tried; a fill above 1 never fills.
GRID = tuple((t, f) for t in (0.3, 0.35, 0.4, 0.45, 0.5) for f in (0.1, 0.2, 0.3, 1.1))
#: Decimals kept in model.json.
DIGITS = 4


@attrs.frozen
class Stacked:
    """One message as the decision sees it: the model's scores, the lexicon's reading,
    and (for training) the labelled entry."""

    entry: Labelled
    scores: Mapping[ReportKind, float]
    reading: Reading


def reading_of(result: Classification, blocked: AbstractSet[ReportKind]) -> Reading:
    """The lexicon's reading as ``classify`` builds it for the decision, from the
    lexicon's result and the kinds it blocks (``intake_model_study.lexicon_alone``:
    every kind on a silenced message)."""
    return Reading(
        confidence={k: c for k, c in result.scores if k is not ReportKind.OTHER},
        seen=frozenset(e.kind for e in result.evidence if not e.negated),
        negated=frozenset(e.kind for e in result.evidence if e.negated),
        language=result.language,
        silenced=set(ReportKind) <= set(blocked),
    )


def _design(items: Sequence[Stacked], kinds: Sequence[ReportKind]) -> tuple[np.ndarray, np.ndarray]:
    n = len(kinds)
    rows, targets = [], []
    for item in items:
        for i, kind in enumerate(kinds):
            x = inputs(kind, item.scores, item.reading)
            one_hot = [float(j == i) for j in range(n)]
            rows.append([*x, *one_hot, *(x[0] * h for h in one_hot), 1.0])
            targets.append(float(kind in item.entry.kinds))
    return np.array(rows), np.array(targets)


def fit(
    items: Sequence[Stacked], kinds: Sequence[ReportKind], threshold: float, fill: float
) -> Decision:
    """The decision trained on ``items``, with ``threshold`` and ``fill`` as given."""
    x, y = _design(items, kinds)
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * L2
    penalty[-1, -1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) + penalty @ beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        beta -= np.linalg.solve(hessian, gradient)
    shared, n = len(INPUTS), len(kinds)
    common = beta[-1]
    return Decision(
        kinds=tuple(kinds),
        weights=tuple(round(float(w), DIGITS) for w in beta[:shared]),
        bias=tuple(round(float(b + common), DIGITS) for b in beta[shared : shared + n]),
        slope=tuple(round(float(s), DIGITS) for s in beta[shared + n : shared + 2 * n]),
        threshold=threshold,
        fill=fill,
    )


def decide(decision: Decision, item: Stacked) -> frozenset[ReportKind]:
    """The kinds ``classify`` reports with ``decision`` (``other`` when none)."""
    chosen = decision.chosen(decision.probabilities(item.scores, item.reading), item.reading)
    return frozenset(chosen) or frozenset({ReportKind.OTHER})


def macro_f1(result: Evaluation) -> float:
    scores = []
    for t in result.by_kind.values():
        p, r = t.precision or 0.0, t.recall or 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / len(scores)


def choose(
    parts: Mapping[str, Sequence[Stacked]],
    kinds: Sequence[ReportKind],
    keep: float | None = None,
    fill: float | None = None,
) -> Decision:
    """The decision trained on every part of ``parts``, ``threshold`` and ``fill`` by
    leaving one of them out (see the module docstring; ``fill`` as given unless None),
    ``keep`` as given."""
    grid = [pair for pair in GRID if fill is None or pair[1] == fill] or [(0.5, fill or 1.1)]
    if len(parts) < 2:
        threshold, fill = grid[len(grid) // 2]
    else:
        held: list[tuple[Decision, Stacked]] = []
        for name, items in parts.items():
            rest = [s for other, group in parts.items() if other != name for s in group]
            trained = attrs.evolve(fit(rest, kinds, 0.5, 1.1), keep=keep)
            held += [(trained, s) for s in items]

        def quality(pair: tuple[float, float]) -> float:
            result = Evaluation()
            for trained, item in held:
                result.add(
                    item.entry, decide(attrs.evolve(trained, threshold=pair[0], fill=pair[1]), item)
                )
            return macro_f1(result)

        threshold, fill = max(grid, key=quality)
    trained = fit([s for group in parts.values() for s in group], kinds, threshold, fill)
    return attrs.evolve(trained, keep=keep)


def to_dict(decision: Decision) -> dict[str, object]:
    """The ``decision`` object of ``model.json``."""
    return {
        "inputs": list(INPUTS),
        "threshold": decision.threshold,
        "fill": decision.fill,
        "keep": decision.keep,
        "weights": list(decision.weights),
        "bias": list(decision.bias),
        "slope": list(decision.slope),
    }
