"""Classification of customer reports against the labelled evaluation set.

``logix_rules.intake.classify`` over ``tests/intake/eval_set.yaml`` (messages in six
languages written for this purpose: ``dev``, which the lexicon was built against;
``heldout1``, written after lexicon 1.0.0 was frozen (its blind test); ``heldout2``,
written after 1.1.0 was frozen (its blind test); ``heldout3``, written after 1.2.0 and
committed before 1.3.0 was built against the other three (its blind test); ``heldout4``,
written by another author, who never saw the lexicon, and committed before 1.4.0 was
frozen (its blind test); ``heldout5``, written the same way and committed before 1.5.0
was frozen (its blind test)).  Prints
precision and recall per kind, per kind and language, per language and per messiness
tag, the confusion matrix, the tracking numbers found and the languages detected, for
each part, a summary line per part, and the classification throughput.  ``--show-wrong``
lists every message classified wrongly; ``--confusion-by-language`` adds each language's
confusion matrix; ``--parts dev,heldout1`` runs some parts only.
``--blind`` runs the standing blind sets of ``tests/intake/blind/`` instead (written by
authors who never saw the classifier, kept from every tuner: measure each lexicon
version on them once, and never study their messages).

``classify`` consults its statistical model by default (docs/intake.md, "The
statistical second opinion"); the summary and the timing are printed twice, for the
lexicon alone (``model=False``) and with the model, so the two can be compared on a
new part.  ``--model off`` (or ``on``) reports one of them only; the detailed tables
are those of the model, unless it is off.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, result_line, settle, table, timed

from logix_rules.intake import Classification, ReportKind, classify
from logix_rules.intake._evaluation import NONE, Evaluation, Labelled, evaluate, read_labelled

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "intake" / "eval_set.yaml"
BLIND = EVAL_SET.with_name("blind")
LANGUAGES = ("en", "pt", "es", "de", "fr", "zh")
KINDS = list(ReportKind)
RUNS: dict[str, Callable[[str], Classification]] = {
    "lexicon alone": functools.partial(classify, model=False),
    "lexicon + model": classify,
}


def _figure(value: float | None) -> str:
    return "na" if value is None else f"{value:.2f}"


def _confusion(confusion: dict[tuple[str, str], int]) -> None:
    labels = [k.value for k in KINDS] + [NONE]
    rows = [[row, *[confusion.get((row, col), 0) or "." for col in labels]] for row in labels]
    table(["expected", *[label[:6] for label in labels]], rows)


def _report(
    name: str, entries: Sequence[Labelled], result: Evaluation, by_language: bool = False
) -> None:
    print(f"\n## {name}: {result.messages} messages")
    print("\nper kind (all languages):\n")
    rows = []
    for kind in KINDS:
        tally = result.by_kind.get(kind)
        if tally is None:
            continue
        rows.append([kind.value, tally.support, _figure(tally.precision), _figure(tally.recall)])
    table(["kind", "support", "precision", "recall"], rows)
    print("\nprecision / recall per kind and language (support in brackets):\n")
    rows = []
    for kind in KINDS:
        cells = []
        for lang in LANGUAGES:
            tally = result.by_kind_language.get((kind, lang))
            cells.append(
                "-"
                if tally is None
                else f"{_figure(tally.precision)}/{_figure(tally.recall)} ({tally.support})"
            )
        rows.append([kind.value, *cells])
    table(["kind", *LANGUAGES], rows)
    print("\nper language (micro over kinds; macro over kinds):\n")
    rows = []
    for lang in LANGUAGES:
        tally = result.by_language.get(lang)
        if tally is None:
            continue
        macro = result.macro(t for (_, lg), t in result.by_kind_language.items() if lg == lang)
        count = sum(1 for e in entries if e.lang == lang)
        rows.append(
            [
                lang,
                count,
                _figure(tally.precision),
                _figure(tally.recall),
                _figure(macro[0]),
                _figure(macro[1]),
            ]
        )
    table(["language", "messages", "precision", "recall", "macro P", "macro R"], rows)
    print("\nper messiness tag:\n")
    rows = [
        [tag, tally.support, _figure(tally.precision), _figure(tally.recall)]
        for tag, tally in sorted(result.by_tag.items())
    ]
    table(["tag", "support", "precision", "recall"], rows)
    print(f"\nconfusion (rows: expected kind, columns: predicted; {NONE} = none):\n")
    _confusion(result.confusion)
    if by_language:
        for lang in LANGUAGES:
            if lang in result.confusion_by_language:
                print(f"\nconfusion, {lang}:\n")
                _confusion(result.confusion_by_language[lang])
    macro_p, macro_r = result.macro(result.by_kind.values())
    worst_p, worst_r = result.worst()
    print(
        f"\nmacro precision {_figure(macro_p)}, macro recall {_figure(macro_r)}; "
        f"lowest per kind and language: precision {_figure(worst_p)}, recall {_figure(worst_r)}"
    )
    print(
        f"exact kind sets {result.exact}/{result.messages}, first kind right "
        f"{result.top_right}/{result.messages}, language right "
        f"{result.language_right}/{result.messages}; tracking numbers "
        f"precision {_figure(result.tracking.precision)} recall {_figure(result.tracking.recall)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="the same set, one timed run")
    group.add_argument("--tiny", action="store_true", help="the same set, one timed run")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs (the best counts)")
    parser.add_argument(
        "--eval-set",
        type=Path,
        action="append",
        default=None,
        help="a labelled set (again for several files; default: tests/intake/eval_set.yaml)",
    )
    parser.add_argument(
        "--blind",
        action="store_true",
        help="the standing blind sets of tests/intake/blind/ instead (measure once per lexicon)",
    )
    parser.add_argument("--show-wrong", action="store_true", help="list the misclassified")
    parser.add_argument(
        "--confusion-by-language",
        action="store_true",
        help="also print each language's confusion matrix (per part)",
    )
    parser.add_argument(
        "--parts", default=None, help="comma-separated parts to run (default: every part)"
    )
    parser.add_argument(
        "--model",
        choices=("both", "on", "off"),
        default="both",
        help="the lexicon alone (off), with the model (on), or both (the default)",
    )
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    repeat = args.repeat or (1 if mode != "full" else 5)
    files = sorted(BLIND.glob("*.yaml")) if args.blind else (args.eval_set or [EVAL_SET])
    entries = [entry for path in files for entry in read_labelled(path)]
    if args.parts:
        wanted = set(args.parts.split(","))
        entries = [e for e in entries if e.part in wanted]
    if not entries:
        fail(f"no labelled messages in {', '.join(map(str, files))}")
    order = [
        "dev",
        "heldout1",
        "heldout2",
        "heldout3",
        "heldout4",
        "heldout5",
        "heldout6",
        "heldout7",
        "heldout8",
        "heldout9",
        "extra10",
        "extra11",
        "extra12",
        "heldout11",
        "heldout12",
        "heldout10",
    ]
    parts = sorted(
        {e.part for e in entries}, key=lambda p: (order.index(p) if p in order else len(order), p)
    )
    header(
        "classify customer reports",
        _Size(mode, len(entries), repeat),
        f"{len(entries)} labelled messages ({', '.join(parts)}), best of {repeat}",
    )
    runs = {
        name: run
        for name, run in RUNS.items()
        if args.model == "both" or (args.model == "on") == (name == "lexicon + model")
    }
    shown = list(runs)[-1]
    every: dict[str, dict[str, Evaluation]] = {}
    for name, run in runs.items():
        every[name] = {
            part: evaluate([e for e in entries if part in ("all", e.part)], run)
            for part in [*parts, "all"]
        }
    results = every[shown]
    print(f"\ndetailed tables: {shown}")
    for part in [*parts, "all"]:
        chosen = [e for e in entries if part in ("all", e.part)]
        _report(part, chosen, results[part], args.confusion_by_language)
        if args.show_wrong:
            print()
            for entry, got in results[part].wrong:
                numbers = sorted(t.number for t in got.tracking_numbers)
                added = f" model added {[k.value for k in got.added]}" if got.added else ""
                print(
                    f"  {entry.id}: expected {sorted(k.value for k in entry.kinds)} "
                    f"{sorted(entry.tracking)}, got {[k.value for k in got.kinds]} {numbers} "
                    f"({got.language}){added} | {entry.text}"
                )
    for name, evaluations in every.items():
        _summary(name, entries, evaluations)
    texts = [e.text for e in entries]
    figures: dict[str, float | int | str | None] = {"messages": len(entries)}
    for name, run in runs.items():
        best = best_cpu = float("inf")
        for _ in range(repeat):
            settle()
            cpu = time.process_time()
            seconds, _ = timed(lambda run=run: [run(t) for t in texts])
            best_cpu = min(best_cpu, time.process_time() - cpu)
            best = min(best, seconds)
        rate = len(texts) / best
        cpu_rate = len(texts) / best_cpu if best_cpu > 0 else float("inf")
        # CPU time is the figure to compare on a loaded machine; wall time shares it.
        print(
            f"\nclassify, {name}: {rate:,.0f} messages/s wall "
            f"({best * 1e6 / len(texts):.0f} µs each), "
            f"{cpu_rate:,.0f} messages/s CPU ({best_cpu * 1e6 / len(texts):.0f} µs each)"
        )
        prefix = "lexicon_" if name == "lexicon alone" else ""
        for part, result in every[name].items():
            macro_p, macro_r = result.macro(result.by_kind.values())
            worst_p, worst_r = result.worst()
            figures[f"{prefix}{part}_macro_p"] = None if macro_p is None else round(macro_p, 3)
            figures[f"{prefix}{part}_macro_r"] = None if macro_r is None else round(macro_r, 3)
            figures[f"{prefix}{part}_worst_p"] = None if worst_p is None else round(worst_p, 3)
            figures[f"{prefix}{part}_worst_r"] = None if worst_r is None else round(worst_r, 3)
            figures[f"{prefix}{part}_cells"] = _cells(result)
        figures[f"{prefix}messages_per_s"] = round(rate)
        figures[f"{prefix}messages_per_cpu_s"] = round(cpu_rate)
    print(result_line(**figures))
    return 0


def _cells(result: Evaluation) -> int:
    """The kind x language cells with precision and recall both at 0.9 or more."""
    return sum(
        1
        for t in result.by_kind_language.values()
        if (t.precision or 0) >= 0.9 and (t.recall or 0) >= 0.9
    )


def _summary(name: str, entries: Sequence[Labelled], results: dict[str, Evaluation]) -> None:
    """One line per part: macro figures overall and per language, and the lowest cell."""
    print(f"\n## summary per part, {name} (macro precision / recall over the kinds)\n")
    rows = []
    for part, result in results.items():
        macro_p, macro_r = result.macro(result.by_kind.values())
        worst_p, worst_r = result.worst()
        cells = []
        for lang in LANGUAGES:
            tallies = [t for (_, lg), t in result.by_kind_language.items() if lg == lang]
            lp, lr = result.macro(tallies)
            cells.append("-" if not tallies else f"{_figure(lp)}/{_figure(lr)}")
        count = sum(1 for e in entries if part in ("all", e.part))
        rows.append(
            [
                part,
                count,
                f"{_figure(macro_p)}/{_figure(macro_r)}",
                *cells,
                f"{_figure(worst_p)}/{_figure(worst_r)}",
                f"{_cells(result)}/{len(result.by_kind_language)}",
                f"{result.exact}/{result.messages}",
            ]
        )
    columns = ["part", "messages", "all", *LANGUAGES, "lowest cell", "cells >= 0.9", "exact sets"]
    table(columns, rows)


class _Size:
    def __init__(self, mode: str, n: int, repeat: int) -> None:
        self.mode, self.n, self.repeat = mode, n, repeat


if __name__ == "__main__":
    sys.exit(main())
