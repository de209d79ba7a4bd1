"""Scoring ``classify`` on a labelled set of messages: precision, recall, confusion.

The labelled set is YAML: top-level parts (``dev``, ``heldout``...) each a list of
``{id, lang, text, kinds, tracking, tags}``.  A message may report several kinds, so
each (message, kind) pair is one decision: a kind both expected and predicted is a
true positive, predicted only a false positive, expected only a false negative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import attrs
import yaml

from ._classify import Classification, classify
from ._kinds import ReportKind

__all__ = ["NONE", "Evaluation", "Labelled", "Tally", "evaluate", "read_labelled"]

#: The confusion matrix's row and column for "no kind" (nothing missed, nothing extra).
NONE = "-"


@attrs.frozen
class Labelled:
    """One labelled message."""

    id: str
    part: str
    lang: str
    text: str
    kinds: frozenset[ReportKind]
    tracking: frozenset[str]
    tags: tuple[str, ...] = ()


def read_labelled(path: str | Path) -> list[Labelled]:
    """Every message of a labelled set, in file order."""
    data = yaml.safe_load(Path(path).read_text("utf-8"))
    out = []
    for part, entries in data.items():
        for entry in entries or ():
            out.append(
                Labelled(
                    id=str(entry["id"]),
                    part=part,
                    lang=str(entry["lang"]),
                    text=str(entry["text"]),
                    kinds=frozenset(ReportKind(k) for k in entry["kinds"]),
                    tracking=frozenset(str(t) for t in entry.get("tracking", ())),
                    tags=tuple(entry.get("tags", ())),
                )
            )
    return out


@attrs.define
class Tally:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def support(self) -> int:
        return self.tp + self.fn


@attrs.define
class Evaluation:
    """The figures of one run over a labelled set."""

    messages: int = 0
    by_kind: dict[ReportKind, Tally] = attrs.Factory(dict)
    by_kind_language: dict[tuple[ReportKind, str], Tally] = attrs.Factory(dict)
    by_language: dict[str, Tally] = attrs.Factory(dict)
    by_tag: dict[str, Tally] = attrs.Factory(dict)
    confusion: dict[tuple[str, str], int] = attrs.Factory(dict)
    #: The confusion matrix of each language's messages (the same cells as ``confusion``).
    confusion_by_language: dict[str, dict[tuple[str, str], int]] = attrs.Factory(dict)
    exact: int = 0
    top_right: int = 0
    language_right: int = 0
    tracking: Tally = attrs.Factory(Tally)
    wrong: list[tuple[Labelled, Classification]] = attrs.Factory(list)

    def add(self, entry: Labelled, got: AbstractSet[ReportKind]) -> None:
        """Count the kinds found for ``entry`` against its labels: the message, an exact
        match, each kind's tallies (by kind, kind and language, language, tag) and the
        confusion matrix (``NONE``: a kind expected and none found, or the reverse)."""
        want = entry.kinds
        self.messages += 1
        self.exact += got == want
        for kind in got | want:
            for tally in (
                _count(self.by_kind, kind),
                _count(self.by_kind_language, (kind, entry.lang)),
                _count(self.by_language, entry.lang),
                *(_count(self.by_tag, tag) for tag in entry.tags),
            ):
                if kind in got and kind in want:
                    tally.tp += 1
                elif kind in got:
                    tally.fp += 1
                else:
                    tally.fn += 1
        cells = [(kind.value, kind.value) for kind in got & want]
        missed = [k.value for k in want - got] or [NONE]
        extra = [k.value for k in got - want] or [NONE]
        cells += [(r, c) for r in missed for c in extra if r != NONE or c != NONE]
        language = self.confusion_by_language.setdefault(entry.lang, {})
        for key in cells:
            self.confusion[key] = self.confusion.get(key, 0) + 1
            language[key] = language.get(key, 0) + 1

    def macro(self, pairs: Iterable[Tally]) -> tuple[float | None, float | None]:
        """The mean precision and recall of ``pairs`` (undefined ones left out)."""
        tallies = list(pairs)
        ps = [p for t in tallies if (p := t.precision) is not None]
        rs = [r for t in tallies if (r := t.recall) is not None]
        return (sum(ps) / len(ps) if ps else None, sum(rs) / len(rs) if rs else None)

    def worst(self, min_support: int = 1) -> tuple[float | None, float | None]:
        """The lowest precision and recall over (kind, language) cells."""
        cells = [t for t in self.by_kind_language.values() if t.tp + t.fp + t.fn >= min_support]
        ps = [p for t in cells if (p := t.precision) is not None]
        rs = [r for t in cells if (r := t.recall) is not None]
        return (min(ps) if ps else None, min(rs) if rs else None)


def _count(tallies: dict[Any, Tally], key: Any) -> Tally:
    return tallies.setdefault(key, Tally())


def evaluate(
    entries: Sequence[Labelled], run: Callable[[str], Classification] = classify
) -> Evaluation:
    """Classify every message with ``run`` and tally the results."""
    out = Evaluation()
    for entry in entries:
        result = run(entry.text)
        got = set(result.kinds)
        want = set(entry.kinds)
        out.add(entry, got)
        out.top_right += result.kind in want
        out.language_right += result.language == entry.lang
        numbers = {t.number for t in result.tracking_numbers}
        out.tracking.tp += len(numbers & entry.tracking)
        out.tracking.fp += len(numbers - entry.tracking)
        out.tracking.fn += len(entry.tracking - numbers)
        if got != want or numbers != entry.tracking:
            out.wrong.append((entry, result))
    return out
