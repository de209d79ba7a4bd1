"""The labelled evaluation set: its shape, and floors the classifier must stay above.

The floors sit a little below the figures the lexicon reaches (see
benchmarks/classify.py and docs/intake.md); they guard against regressions, and are
raised, never lowered.  Lexicon 1.5.0 was built against dev and heldout1 to heldout4
(heldout4 read after 1.4.0's one measurement on it), so their figures are not blind.
heldout5 was written by another author, who never saw the lexicon, and committed
before 1.5.0 was frozen; 1.5.0 was measured on it once (0.88/0.85 macro precision and
recall), and its floor was set after that measurement, without changing the lexicon.
The earlier blind figures were 0.85/0.75 (1.0.0 on heldout1), 0.86/0.66 (1.1.0 on
heldout2), 0.97/1.00 (1.3.0 on heldout3, whose author also wrote 1.3.0) and 0.90/0.87
(1.4.0 on heldout4, written by another author).  Lexicon 1.6.0 was then built against
every part, heldout5 included (studied after that one measurement), so no floor here
is blind; 1.6.0 reaches 0.99/0.99 or more on dev to heldout4 and 0.99/0.99 on heldout5.
heldout6, by a fourth author who never saw the lexicon, was committed before 1.6.0 was
frozen and measured on it once (0.91/0.90); its floor was set after that measurement.
heldout7, by two new authors, was committed before 1.7.0 was frozen and measured on it
once (0.86/0.84); its floor too was set after that measurement.
heldout8, by two more new authors, was committed while 1.7.0 stood unchanged and measured
on it once (0.84/0.83); its floor too was set after that measurement.
heldout9, by two more new authors, was measured once with 1.7.0 and the shipped model
(0.90/0.87; the lexicon alone 0.89/0.85); its floor was set after that measurement.
Lexicon 1.8.0 was then built against every part, heldout7 to heldout9 studied, and the
model retrained on them: 0.94/0.98, 0.92/0.96 and 0.98/0.98 on heldout7, heldout8 and
heldout9 (the lexicon alone; not blind), so their floors were raised to a little below.
extra10, by two more new authors, was measured once with 1.8.0 and its model (0.77/0.75;
the lexicon alone 0.75/0.73), then added and the model retrained: 0.80/0.81 (not blind).
extra11 and extra12, by the ninth session's intake helper, were measured once with 1.8.0
and that model (0.85/0.86 and 0.74/0.75), then added; the model, retrained on all
thirteen parts and dropping the lexicon's kinds it scores very low, reaches 0.87/0.86
(extra10), 0.92/0.92, 0.83/0.86 and 0.97/0.98, 0.95/0.97, 0.98/0.99 on heldout7 to
heldout9 (not blind), so their floors were raised to a little below.
The floors hold ``classify`` as it runs by default, with the model.
The tenth session's decision (the model's scores and the lexicon's reading weighed
together, trained on the fair parts alone) adds a kind to three heldout1 messages
(h-en-02 wismo, h-en-20 refused, h-pt-20 not_received) and misses one (h-de-12
delayed): heldout1's precision floor is 0.98 (0.985 measured), the one floor lowered,
for a fair-fold gain (extra10: 5 -> 14 cells at 0.9; docs/intake.md).
heldout11, by two more new authors, was measured blind (tests/intake/blind/) with
intake-model 2 (0.83/0.80) and once with intake-model 3 (0.854/0.820), then moved here
unchanged (eleventh session).  intake-model 4, trained on all fourteen parts, its
decision on the four fair ones (extra10 to extra12, heldout11) with threshold 0.55 (at
0.5 heldout1's precision falls to 0.979), reaches 0.91/0.91 (extra10), 0.95/0.96,
0.88/0.94 and 0.91/0.92 (heldout11) in-sample, so those floors were raised to a little
below; every other floor holds.
heldout12, by two more new authors, was measured blind with intake-model 3 (0.886/0.824)
and once with intake-model 4 (0.890/0.845), then moved here unchanged (twelfth
session).  intake-model 5, trained on all fifteen parts, its decision on the five fair
ones (heldout12 added), threshold 0.55, reaches 0.939/0.922 on heldout12 in-sample (not
blind): its floor sits just below; every other floor holds.
intake-model 6 (thirteenth session: a negation's mark reaches the end of its clause)
holds every floor (heldout1 0.991/0.995); the decision's fill at 0.4, a fair-fold gain
of 15 exact kind sets of 2,767, would cost heldout1 and heldout2 theirs, so it stays off.
intake-model 7 (fourteenth session: L2 1e-6, pruned at 1.2) holds every floor
(heldout1 1.000/1.000, extra10 0.94/0.95, heldout11 0.93/0.95, heldout12 0.96/0.96).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from logix_rules.intake import ReportKind
from logix_rules.intake._evaluation import Evaluation, evaluate, read_labelled
from logix_rules.intake._tracking import _identify

EVAL_SET = Path(__file__).with_name("eval_set.yaml")
ENTRIES = read_labelled(EVAL_SET)
LANGUAGES = {"en", "pt", "es", "de", "fr", "zh"}

#: part -> (macro precision, macro recall) floors over the kinds.
FLOORS = {
    "dev": (0.99, 0.99),
    "heldout1": (0.98, 0.99),
    "heldout2": (0.99, 0.99),
    "heldout3": (0.99, 0.99),
    "heldout4": (0.99, 0.99),
    "heldout5": (0.98, 0.98),
    "heldout6": (0.9, 0.89),
    "heldout7": (0.96, 0.98),
    "heldout8": (0.95, 0.97),
    "heldout9": (0.98, 0.98),
    "extra10": (0.9, 0.89),
    "extra11": (0.94, 0.95),
    "extra12": (0.87, 0.92),
    "heldout11": (0.9, 0.9),
    "heldout12": (0.93, 0.92),
}


def test_the_set_is_large_and_covers_every_language_and_kind() -> None:
    assert len(ENTRIES) >= 300
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)
    per_language = Counter(e.lang for e in ENTRIES)
    assert set(per_language) == LANGUAGES
    assert min(per_language.values()) >= 50
    for language in LANGUAGES:
        kinds = {k for e in ENTRIES if e.lang == language for k in e.kinds}
        assert kinds == set(ReportKind), language
    tags = Counter(t for e in ENTRIES for t in e.tags)
    for tag in ("emoji", "order_number", "mixed", "sarcasm", "typo", "traditional", "negation"):
        assert tags[tag] >= 5, tag
    assert sum(len(e.kinds) > 1 for e in ENTRIES) >= 60


def test_the_labelled_tracking_numbers_are_valid_ones() -> None:
    for entry in ENTRIES:
        for number in entry.tracking:
            assert _identify(number) is not None, (entry.id, number)


@pytest.fixture(scope="module")
def results() -> dict[str, Evaluation]:
    parts = sorted({e.part for e in ENTRIES})
    return {part: evaluate([e for e in ENTRIES if e.part == part]) for part in parts}


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_macro_precision_and_recall_stay_above_their_floor(
    part: str, results: dict[str, Evaluation]
) -> None:
    precision, recall = results[part].macro(results[part].by_kind.values())
    assert precision is not None
    assert recall is not None
    floor_p, floor_r = FLOORS[part]
    assert precision >= floor_p, f"{part}: macro precision {precision:.3f} < {floor_p}"
    assert recall >= floor_r, f"{part}: macro recall {recall:.3f} < {floor_r}"


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_tracking_numbers_and_languages_stay_above_their_floor(
    part: str, results: dict[str, Evaluation]
) -> None:
    result = results[part]
    assert (result.tracking.precision or 0) >= 0.98
    assert (result.tracking.recall or 0) >= 0.98
    assert result.language_right / result.messages >= 0.95


def test_the_scorer_counts_a_missed_and_an_extra_kind() -> None:
    from logix_rules.intake._evaluation import Labelled

    entry = Labelled(
        "x", "t", "en", "The mug is broken", frozenset({ReportKind.MISSING_ITEMS}), frozenset()
    )
    result = evaluate([entry])
    assert result.by_kind[ReportKind.DAMAGED].fp == 1
    assert result.by_kind[ReportKind.MISSING_ITEMS].fn == 1
    assert result.confusion[("missing_items", "damaged")] == 1
    assert result.confusion_by_language == {"en": {("missing_items", "damaged"): 1}}
    assert result.exact == 0
