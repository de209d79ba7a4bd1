"""The lexicon: the words and phrases classification looks for, as data.

A ``Lexicon`` is built from YAML (``lexicon.yaml`` in this package is the default;
``load_lexicon`` reads yours, usually extending it).  Each entry is a ``Term``: a phrase
of words (``broken``, ``never arrived``) matched word by word, or a run of Chinese
characters (``破损``) matched inside the text.  Lexicon syntax in a phrase:

- ``stem*``: any word that starts with ``stem`` (``danific*``: danificado, danificou);
- ``#``: a number, in digits or as a word the language lists (``# weeks``);
- ``..``: up to ``settings.gap_words`` words of the same clause (``ordered .. got``);
- ``...``: up to twice as many words of the same sentence, across commas
  (``mailbox ... empty``: "the mailbox, I checked twice, is empty");
- ``$`` at the end: the phrase must close its clause (``没有$``);
- ``?`` at the end: the phrase must be in a question (``when .. arrive ?``).

A term's role says what a match means: ``complaint`` (the kind, unless negated),
``negated`` (the kind only when negated: ``não chegou``), ``ignore`` (hides the terms
inside it: ``完好无损``, ``能不能``), ``goods`` or ``photos`` (the fields a report must
carry), ``order_cue`` or ``tracking_cue`` (what a nearby number is), ``ordered``,
``received``, ``size_cue`` or ``measure`` (what a nearby count is: ``_quantities``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

import attrs

from ._kinds import MissingField, ReportKind

__all__ = ["LanguageWords", "Lexicon", "Role", "Settings", "Term", "Word", "WordKind"]


class Role(StrEnum):
    """What a match of a term means."""

    COMPLAINT = "complaint"
    NEGATED = "negated"
    IGNORE = "ignore"
    GOODS = "goods"
    PHOTOS = "photos"
    ORDER_CUE = "order_cue"
    TRACKING_CUE = "tracking_cue"
    ORDERED = "ordered"
    RECEIVED = "received"
    SIZE_CUE = "size_cue"
    MEASURE = "measure"


class WordKind(StrEnum):
    """One position of a phrase."""

    EXACT = "exact"
    PREFIX = "prefix"
    NUMBER = "number"
    GAP = "gap"
    SENTENCE_GAP = "sentence_gap"


@attrs.frozen
class Word:
    """A folded word of a phrase (``text`` is empty for ``#`` and ``..``)."""

    text: str
    kind: WordKind = WordKind.EXACT


@attrs.frozen
class Term:
    """One lexicon entry.

    ``text`` is the entry as written, ``language`` the list it came from.  A phrase has
    ``words``; a Chinese (or symbol) term has ``chars``, folded, where ``#`` stands for
    a run of number characters.  ``weight`` is what a match adds to its kind's score;
    ``anchor`` is ``$`` (the match must end its clause), ``?`` (its sentence must be a
    question) or empty.
    """

    text: str
    language: str
    role: Role
    kind: ReportKind | None = None
    weight: float = 1.0
    words: tuple[Word, ...] = ()
    chars: str = ""
    anchor: str = ""


@attrs.frozen
class Settings:
    """The figures of matching and scoring (all in the lexicon's ``settings``)."""

    #: A kind is reported when its matches weigh at least this.
    threshold: float = 0.5
    #: Words shorter than this are never typo-corrected.
    fuzzy_min_length: int = 5
    #: What a typo-corrected match weighs, relative to an exact one.
    fuzzy_weight: float = 0.8
    #: How many words before a term a negation reaches (same clause).
    negation_window: int = 3
    #: How many characters before a Chinese term a negation reaches (same clause).
    han_negation_window: int = 4
    #: How many words a ``..`` in a phrase may skip.
    gap_words: int = 6
    #: A message with fewer words than this has no description (Chinese: 2 characters
    #: count as a word).
    description_min_words: int = 5


#: The settings' names, types and bounds, for loading.
SETTING_BOUNDS: Final[Mapping[str, tuple[type, float, float]]] = {
    "threshold": (float, 0.01, 100.0),
    "fuzzy_min_length": (int, 3, 50),
    "fuzzy_weight": (float, 0.0, 1.0),
    "negation_window": (int, 0, 20),
    "han_negation_window": (int, 0, 20),
    "gap_words": (int, 0, 20),
    "description_min_words": (int, 0, 1000),
}


@attrs.frozen
class LanguageWords:
    """The function words of one language.

    ``markers`` are common words: they tell the language and are never typo-corrected.
    ``negations`` negate a term that follows them; ``breaks`` ("but") end their reach.
    ``numbers`` are the number words ``#`` matches.  ``script`` is ``latin`` or ``han``.
    """

    script: str = "latin"
    markers: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()
    breaks: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()


@attrs.frozen(eq=False)
class Lexicon:
    """A compiled lexicon.  Build it with ``load_lexicon``/``loads_lexicon``.

    ``name`` and ``version`` say which lexicon (and revision) classified a message;
    ``files`` lists the files it was read from, base first.
    """

    name: str
    version: str
    settings: Settings
    languages: Mapping[str, LanguageWords]
    terms: tuple[Term, ...]
    requires: Mapping[ReportKind, tuple[MissingField, ...]]
    han_fold: Mapping[str, str]
    files: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``name@version``, as classifications and events record it."""
        return f"{self.name}@{self.version}"

    def terms_of(self, role: Role) -> tuple[Term, ...]:
        """The terms with one role."""
        return tuple(term for term in self.terms if term.role is role)
