"""An estimate of ``classify`` on new authors that does not spend the blind set (issue 17).

Leave-one-part-out cross-validation over the authored parts of
tests/intake/eval_set.yaml (``dev``, ``heldout1`` ... ``heldout9``, ``extra10``: each
written by another author or batch).  For each part, the statistical model is trained
(``benchmarks/intake_model_study.py``'s training) on every other part and the intake
tests' probes, and the part is classified by the lexicon and that model.  The
held-out results are pooled and printed as precision / recall per kind and language,
per kind, per language, the count of kind x language cells with both at least 0.9, and
the confusion matrix, for the lexicon alone and with the fold's model.

What this does and does not hold out: the model never sees the part it scores, but
the lexicon (1.8.0) was built against every part except the fair ones
(``FAIR_PARTS``: ``extra10``, ``extra11``, ``extra12``, ``heldout11``, ``heldout12``), so the pooled
figures flatter the lexicon (and punish a model that speaks where it found nothing, or drops what it
found: on those parts the lexicon was tuned to be right).  ``extra10``'s fold is the
fair one the sessions compare; its figures are printed apart (``fair_*`` in the
RESULT line).  Each fold's model is trained on every other part, whatever ``--parts``
holds out.

The decision (``--thresholds decision``, shipped since the tenth session): each part
is classified by the stacked decision (``intake_decision.py``) trained on the other
fair parts' out-of-fold scores (extra10's on extra11, extra12, heldout11 and heldout12), with the
shipped threshold, fill and keep (``--decision-threshold nan``, ``--decision-fill
nan``: chosen by leaving one of those parts out).  The ninth session's rules
(``--thresholds``): ``fair`` chooses them on the fair
parts' out-of-fold scores: each of a fair part's two halves (en, pt, es / de, fr,
zh: extra10's two authors) takes those chosen on its other half and the other fair
parts, every other part those chosen on all the fair parts; ``others`` chooses each
part's on every other held-out part's out-of-fold scores (the rule of the seventh
session, with ``--fill-precision 0.9``).  Nothing here reads tests/intake/blind.

    python benchmarks/intake_cv.py               # every fold (13 trainings)
    python benchmarks/intake_cv.py --parts dev,heldout1   # some folds (and the fair ones)
    python benchmarks/intake_cv.py --quick       # the fair folds only, 120 steps
    python benchmarks/intake_cv.py --tiny        # the smoke size (40 steps, extra10 alone)

``--quick`` and ``--tiny`` train fewer steps and check that the simulated pair (the
lexicon's kinds, what ``Model.dropped`` drops and what ``Model.added`` adds) is what
``classify`` returns with the fold's model (for extra10).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
import intake_model_study as study_module
from _common import fail, result_line, table
from intake_decision import Stacked, reading_of
from intake_decision import choose as choose_decision
from intake_decision import decide as decide_stacked
from intake_model_study import FAIR_PARTS, KINDS, LANGUAGES, Scored, Study, choose, shipped

from logix_rules.intake import ReportKind, classify
from logix_rules.intake._evaluation import NONE, Evaluation, Labelled, Tally
from logix_rules.intake._model import Model as ShippedModel

#: The part the sessions compare, neither the lexicon nor the model built against
#: it, and its authors' languages (W1 and W2 in eval_set.yaml's header): the halves
#: of every fair part.
FAIR = "extra10"
AUTHORS = (("en", "pt", "es"), ("de", "fr", "zh"))
ALL_KINDS = tuple(ReportKind)


def combined(
    model: ShippedModel, scored: Scored, stacked: Stacked | None = None
) -> frozenset[ReportKind]:
    """The kinds ``classify`` reports: with a decision, what it chooses on
    ``stacked`` (the message's scores by ``model`` and the lexicon's reading); else
    the lexicon's less what ``model`` drops, and what it adds to them."""
    if model.decision is not None:
        assert stacked is not None
        return decide_stacked(model.decision, stacked)
    scores, _, lexicon, blocked = scored
    found = [k for k in KINDS if k in lexicon]
    dropped = model.dropped(scores, found)
    kept = [k for k in found if k not in dropped]
    added = model.added(scores, kept, blocked | frozenset(dropped))
    out = frozenset(kept) | frozenset(added)
    return out or frozenset({ReportKind.OTHER})


def tally(entries: Sequence[Labelled], got: Sequence[frozenset[ReportKind]]) -> Evaluation:
    """``_evaluation.evaluate``'s figures for kinds already found."""
    out = Evaluation()
    for entry, kinds in zip(entries, got, strict=True):
        out.add(entry, kinds)
    return out


def cells(result: Evaluation) -> int:
    """Kind x language cells with precision and recall both at least 0.9."""
    return sum(
        1
        for t in result.by_kind_language.values()
        if (t.precision or 0) >= 0.9 and (t.recall or 0) >= 0.9
    )


def _f(value: float | None) -> str:
    return "na" if value is None else f"{value:.2f}"


def report(name: str, result: Evaluation) -> None:
    p, r = result.macro(result.by_kind.values())
    print(f"\n## {name}: {result.messages} messages, macro {_f(p)}/{_f(r)}, ", end="")
    print(f"{cells(result)}/{len(result.by_kind_language)} cells >= 0.9, exact {result.exact}")
    print("\nprecision/recall per kind and language (support):\n")
    rows = []
    for kind in ALL_KINDS:
        row: list[str] = [kind.value]
        for lang in LANGUAGES:
            t = result.by_kind_language.get((kind, lang))
            row.append("-" if t is None else f"{_f(t.precision)}/{_f(t.recall)} ({t.support})")
        k = result.by_kind.get(kind)
        row.append("-" if k is None else f"{_f(k.precision)}/{_f(k.recall)}")
        rows.append(row)
    per_language = ["macro"]
    for lang in LANGUAGES:
        lp, lr = result.macro(t for (_, lg), t in result.by_kind_language.items() if lg == lang)
        per_language.append(f"{_f(lp)}/{_f(lr)}")
    rows.append([*per_language, f"{_f(p)}/{_f(r)}"])
    table(["kind", *LANGUAGES, "all"], rows)
    print("\nconfusion (rows: expected, columns: predicted; - = none):\n")
    names = [k.value for k in ALL_KINDS] + [NONE]
    table(
        ["", *[n[:8] for n in names]],
        [[row, *[result.confusion.get((row, col), 0) or "" for col in names]] for row in names],
    )


Decided = list[tuple[ShippedModel, list[int]]]


def run_folds(
    study: Study,
    held_out: Sequence[str],
    thresholds: str,
    fair_parts: Sequence[str] = FAIR_PARTS,
    decision_fill: float | None = study_module.FILL,
    decision_threshold: float | None = study_module.THRESHOLD,
) -> dict[str, tuple[list[Scored], Decided]]:
    """Per held-out part, its fold's scores there and the fold's model with
    thresholds set, with the entries (indices into the part) each classifies.

    ``fair``: a fair part's halves each take thresholds chosen on the other half's
    out-of-fold scores and the other fair parts'; every other part those chosen on
    all the fair parts'.  ``others``: each part those chosen on every other held-out
    part's.
    """
    fair = [p for p in fair_parts if p in study.parts]
    extra = [] if thresholds == "others" else [p for p in fair if p not in held_out]
    folds = study.folds([*held_out, *extra])
    stacked = {p: study.stacked(p, folds[p][1]) for p in fair}
    out: dict[str, tuple[list[Scored], Decided]] = {}
    for part in held_out:
        model, scored = folds[part]
        everyone = list(range(len(scored)))
        decided: Decided = []
        if thresholds == "decision":
            others = {p: stacked[p] for p in fair if p != part}
            decision = choose_decision(others, KINDS, study_module.KEEP, decision_fill)
            if decision_threshold is not None:
                decision = attrs.evolve(decision, threshold=decision_threshold)
            decided.append((shipped(model, decision=decision), everyone))
        elif thresholds == "others":
            others = [c for p, (_, s) in folds.items() if p != part for c in s]
            decided.append((shipped(model, *choose(others, "decision")), everyone))
        elif part in fair:
            entries = study.parts[part]
            elsewhere = [c for p in fair if p != part for c in folds[p][1]]
            for languages in AUTHORS:
                mine = [i for i, e in enumerate(entries) if e.lang in languages]
                rest = [scored[i] for i, e in enumerate(entries) if e.lang not in languages]
                decided.append((shipped(model, *choose(rest + elsewhere, "decision")), mine))
        else:
            every_fair = [c for p in fair for c in folds[p][1]]
            decided.append((shipped(model, *choose(every_fair, "decision")), everyone))
        out[part] = (scored, decided)
    return out


def merge(results: Iterable[Evaluation]) -> Evaluation:
    out = Evaluation()
    for r in results:
        out.messages += r.messages
        out.exact += r.exact
        for mine, theirs in (
            (out.by_kind, r.by_kind),
            (out.by_kind_language, r.by_kind_language),
            (out.by_language, r.by_language),
        ):
            for key, t in theirs.items():
                m = mine.setdefault(key, Tally())  # type: ignore[attr-defined]
                m.tp, m.fp, m.fn = m.tp + t.tp, m.fp + t.fp, m.fn + t.fn
        for key, n in r.confusion.items():
            out.confusion[key] = out.confusion.get(key, 0) + n
        for lang, confusion in r.confusion_by_language.items():
            mine_lang = out.confusion_by_language.setdefault(lang, {})
            for key, n in confusion.items():
                mine_lang[key] = mine_lang.get(key, 0) + n
    return out


def check_against_classify(
    model: ShippedModel, entries: Sequence[Labelled], got: Sequence[frozenset[ReportKind]]
) -> None:
    """The simulated combination is what ``classify`` does with ``model``."""
    for entry, kinds in zip(entries, got, strict=True):
        real = frozenset(classify(entry.text, model=model).kinds)
        if real != kinds:
            fail(f"{entry.id}: classify says {sorted(real)}, the study {sorted(kinds)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the fair folds only, fewer steps")
    size.add_argument("--tiny", action="store_true", help="the smoke test's size")
    parser.add_argument(
        "--thresholds",
        choices=("decision", "fair", "others"),
        default="decision",
        help="the stacked decision trained on the other fair parts (shipped), or the ninth"
        " session's thresholds chosen on the fair parts' out-of-fold scores, or on the"
        " other parts'",
    )
    parser.add_argument(
        "--fill-precision",
        type=float,
        default=study_module.FILL_PRECISION,
        help="the precision target of fill (the shipped rule's)",
    )
    parser.add_argument("--parts", default=None, help="held-out parts (default: every part)")
    parser.add_argument(
        "--decision-fill",
        type=float,
        default=study_module.FILL,
        help="the decision's fill (shipped: 1.1, never; nan: chosen with the threshold)",
    )
    parser.add_argument(
        "--decision-threshold",
        type=float,
        default=study_module.THRESHOLD,
        help="the decision's threshold (shipped: 0.5; nan: chosen by the rule)",
    )
    parser.add_argument(
        "--fixed",
        default=None,
        metavar="FILL,ADD",
        help="with --thresholds fair: fill and add as given (the ninth session's -1,0.75),"
        " drop still chosen",
    )
    args = parser.parse_args(argv)
    started = time.process_time()
    study_module.FILL_PRECISION = args.fill_precision
    if args.tiny or args.quick:
        study_module.STEPS = 40 if args.tiny else 120
    study = Study()
    if args.parts:
        held_out = args.parts.split(",")
    elif args.tiny or args.quick:
        held_out = [FAIR]
    else:
        held_out = list(study.parts)
    # the smoke size of the ninth session's rule chooses extra10's thresholds on its own
    # halves (one training); the decision needs the other fair parts
    alone = args.tiny and args.thresholds != "decision"
    fill = None if math.isnan(args.decision_fill) else args.decision_fill
    threshold = None if math.isnan(args.decision_threshold) else args.decision_threshold
    fair_parts = [FAIR] if alone else FAIR_PARTS
    folds = run_folds(study, held_out, args.thresholds, fair_parts, fill, threshold)
    if args.fixed:
        fill, add = (float(x) for x in args.fixed.split(","))
        for _, decided in folds.values():
            decided[:] = [(attrs.evolve(m, fill=fill, add=add), i) for m, i in decided]
    rows: list[list[object]] = []
    lexicon_results, results = [], []
    fair: Evaluation | None = None
    for part in held_out:
        scored, decided = folds[part]
        entries = study.parts[part]
        alone = tally(entries, [s[2] or frozenset({ReportKind.OTHER}) for s in scored])
        got = [frozenset({ReportKind.OTHER})] * len(entries)
        for model, indices in decided:
            for i in indices:
                # the decision reads the shipped (rounded) model's scores, as classify does
                item = Stacked(
                    entries[i],
                    model.scores(study.features[entries[i].id]),
                    reading_of(*study.lexicon[entries[i].id]),
                )
                got[i] = combined(model, scored[i], item)
            if args.tiny or args.quick:
                checked = indices[:30] if args.tiny else indices
                check_against_classify(
                    model, [entries[i] for i in checked], [got[i] for i in checked]
                )
        both = tally(entries, got)
        lexicon_results.append(alone)
        results.append(both)
        if part == FAIR:
            fair = both
        chosen = ", ".join(
            f"fill/add/drop {m.fill:g}/{m.add:g}/{m.drop:g}"
            if m.decision is None
            else f"decision {m.decision.threshold:g}/{m.decision.fill:g}"
            for m, _ in decided
        )
        for name, r in (("lexicon", alone), (f"+model ({chosen})", both)):
            p, rec = r.macro(r.by_kind.values())
            rows.append(
                [
                    part if name == "lexicon" else "",
                    name,
                    f"{_f(p)}/{_f(rec)}",
                    cells(r),
                    f"{r.exact}/{r.messages}",
                ]
            )
    print("## leave-one-part-out folds (macro P/R over the kinds)\n")
    table(["held out", "run", "macro P/R", "cells >= 0.9", "exact"], rows)
    pooled, pooled_lexicon = merge(results), merge(lexicon_results)
    report("pooled held-out parts, lexicon alone", pooled_lexicon)
    report("pooled held-out parts, lexicon + fold model", pooled)
    if fair is not None and len(held_out) > 1:
        report(f"{FAIR} (built without by lexicon and model)", fair)
    p, r = pooled.macro(pooled.by_kind.values())
    lp, lr = pooled_lexicon.macro(pooled_lexicon.by_kind.values())
    fp, fr = fair.macro(fair.by_kind.values()) if fair is not None else (None, None)
    print(f"\ncpu {time.process_time() - started:.0f} s")
    print(
        result_line(
            folds=len(held_out),
            messages=pooled.messages,
            macro_p=round(p or 0, 3),
            macro_r=round(r or 0, 3),
            cells=cells(pooled),
            exact=pooled.exact,
            lexicon_macro_p=round(lp or 0, 3),
            lexicon_macro_r=round(lr or 0, 3),
            lexicon_cells=cells(pooled_lexicon),
            fair_macro_p=round(fp or 0, 3),
            fair_macro_r=round(fr or 0, 3),
            fair_cells=cells(fair) if fair is not None else 0,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
