"""The standing blind sets (tests/intake/blind/): their shape, and floors.

heldout10 was written by two authors who never saw the classifier, its lexicon, its
tests, docs or any earlier message (B1: en, pt, es; B2: de, fr, zh; commits 887c444 and
39c9f22), told to describe the situation instead of the obvious keyword in at least half
of each kind's messages and to write hard negatives.  Unlike earlier blind parts it is
not moved into the eval set after its measurement: it stays here, kept from every tuner
and from the model's training, and each lexicon version is measured on it once
(docs/intake.md, "How well it works").  Measured once on 1.7.0 with its model (52d6f7b):
macro 0.80/0.78; once on 1.8.0 with the retrained model (6e871b3): 0.81/0.79 (lexicon
alone 0.79/0.76, then 0.80/0.77); once more after the model was trained on extra10 as
well: 0.81/0.80; once more after the model's thresholds were chosen on extra10
(benchmarks/intake_cv.py): 0.81/0.82; once more after the model learnt to drop the
lexicon's kinds it scores very low and was trained on extra11 and extra12: 0.84/0.81;
once more with the stacked decision of intake-model 3 (8fcbab5): 0.854/0.824.

heldout11 (691 messages, two more new authors, commit 68a4c0e) was measured once with
intake-model 2 (0.827/0.803; lexicon alone 0.777/0.781) and once with intake-model 3:
0.854/0.820; then (eleventh session) it was moved unchanged into eval_set.yaml, and its
floor here with it (its in-sample floor is test_intake_eval_set.py's).  heldout10 was
measured once more with intake-model 4 (e7b0bdd, trained on heldout11 too): 0.857/0.833.

heldout12 (720 messages, two more new authors of the eleventh session, from the same
brief with other voices: pasted carrier notifications, gift recipients, contact forms,
public posts, survey replies, senders abroad, screen-reader and dictation users, short
in-thread replies) was committed after intake-model 4 was frozen.  It was measured once
with intake-model 3 (96d9128: 0.886/0.824, 9 of 54 cells, 544 of 720 exact; lexicon
alone 0.817/0.796) and once with intake-model 4 (0.890/0.845, 15 cells, 551 exact);
then (twelfth session) it was moved unchanged into eval_set.yaml, and its floor here with
it (its in-sample floor is test_intake_eval_set.py's).  heldout13 (722 messages, twelfth
session) and heldout10 were measured once with intake-model 5 (0.861/0.841, 0.864/0.836)
and once with intake-model 6 (thirteenth session: 0.861/0.844, 0.863/0.836), and once
with intake-model 7 (fourteenth session, L2 1e-6: 0.871/0.849, 0.861/0.845), and once
(fifteenth session) with a lexicon 1.9.0 written against the fair parts' errors and
its retrained decision, not shipped as heldout10 fell (0.871/0.852, 0.857/0.845;
docs/intake.md).  The floors sit just below the shipped model's measurements.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from logix_rules.intake import ReportKind, classify
from logix_rules.intake._evaluation import Evaluation, evaluate, read_labelled
from logix_rules.intake._tracking import _identify

BLIND = Path(__file__).with_name("blind")
FILES = sorted(BLIND.glob("*.yaml"))
ENTRIES = [entry for path in FILES for entry in read_labelled(path)]
TRAINING = Path(__file__).with_name("eval_set.yaml")

#: part -> ((macro precision, macro recall) with the model, the same for the lexicon alone)
FLOORS = {
    "heldout10": ((0.85, 0.84), (0.79, 0.76)),
    "heldout13": ((0.86, 0.84), (0.79, 0.78)),
}


def test_every_blind_part_has_a_floor_and_is_large() -> None:
    parts = Counter(e.part for e in ENTRIES)
    assert set(parts) == set(FLOORS)
    assert min(parts.values()) >= 600
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)
    for part in parts:
        for language in ("en", "pt", "es", "de", "fr", "zh"):
            found = Counter(
                k for e in ENTRIES if e.part == part and e.lang == language for k in e.kinds
            )
            assert set(found) == set(ReportKind), (part, language)
            assert min(found.values()) >= 12, (part, language)


def test_no_blind_message_is_in_the_training_set() -> None:
    trained = {e.text for e in read_labelled(TRAINING)}
    assert not trained & {e.text for e in ENTRIES}
    assert not {e.part for e in read_labelled(TRAINING)} & set(FLOORS)


def test_the_labelled_tracking_numbers_are_valid_and_found() -> None:
    for entry in ENTRIES:
        for number in entry.tracking:
            assert _identify(number) is not None, (entry.id, number)
    result = evaluate(ENTRIES)
    assert (result.tracking.precision or 0) >= 0.98
    assert (result.tracking.recall or 0) >= 0.98
    assert result.language_right / result.messages >= 0.98


@pytest.fixture(scope="module")
def results() -> dict[tuple[str, bool], Evaluation]:
    return {
        (part, model): evaluate(
            [e for e in ENTRIES if e.part == part],
            functools.partial(classify, model=model),
        )
        for part in FLOORS
        for model in (True, False)
    }


@pytest.mark.parametrize("model", [True, False], ids=["with_model", "lexicon_alone"])
@pytest.mark.parametrize("part", sorted(FLOORS))
def test_macro_figures_stay_above_their_floor(
    part: str, model: bool, results: dict[tuple[str, bool], Evaluation]
) -> None:
    result = results[part, model]
    precision, recall = result.macro(result.by_kind.values())
    floor_p, floor_r = FLOORS[part][0 if model else 1]
    assert precision is not None
    assert recall is not None
    assert precision >= floor_p, (part, model, precision)
    assert recall >= floor_r, (part, model, recall)
