"""A lexicon arranged for matching, and how one word of a term matches one word of a
message (exactly, as a stem, as a number, or with one typo).  ``_matching`` finds whole
terms with it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import attrs

from ._lexicon import Lexicon, Role, Term, Word, WordKind

__all__ = [
    "HAN_GAP_MARK",
    "KNOWN_CACHE_SIZE",
    "NOTHING",
    "Candidate",
    "Index",
    "index_of",
    "is_known",
    "is_number",
    "within_one",
    "word_match",
]

_HAN_NUMBER: Final = "[0-9一二三四五六七八九十百千两兩半几幾多]+"
#: ``...`` in a Chinese term: a few characters of the same sentence ("没签收...退回",
#: a refusal told as not signing, then sending it back).
HAN_GAP_MARK: Final = "..."
_HAN_GAP: Final = "[^。.!?\n]{0,12}?"
#: An ordinal written with digits ("4th", "28th", "2nd", "3º" folded to "3o", "2e",
#: "3ème"): a number for ``#`` ("for the 4th day in a row", "today is the 28th").
_ORDINAL: Final = re.compile(r"[0-9]{1,4}(?:st|nd|rd|th|o|a|e|er|re|eme|ieme)")
KNOWN_CACHE_SIZE: Final = 50_000


def within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one edit (swaps of neighbours count one)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


NOTHING: Final[frozenset[str]] = frozenset()
#: A candidate term with the words it needs (``Index.needs``), ready for the loop.
Candidate = tuple[Term, frozenset[str], frozenset[str]]


@attrs.frozen(eq=False)
class Index:
    """A lexicon arranged for matching (built once per lexicon by ``index_of``)."""

    lexicon: Lexicon
    exact: dict[str, list[Term]]
    stems: dict[str, list[Term]]
    stem_lengths: tuple[int, ...]
    numbered: list[Term]
    fuzzy: dict[str, list[tuple[Word, Term]]]
    chars: dict[str, list[tuple[re.Pattern[str], Term]]]
    known: frozenset[str]
    numbers: frozenset[str]
    order_cues: tuple[str, ...]
    tracking_cues: tuple[str, ...]
    #: ``_known``'s answers for words outside ``known`` (bounded).
    known_cache: dict[str, bool] = attrs.field(factory=dict)
    #: ``_first_candidates``' and ``_typo_candidates``' answers (bounded).
    first_cache: dict[str, tuple[Candidate, ...]] = attrs.field(factory=dict)
    typo_cache: dict[tuple[str, str], tuple[Candidate, ...]] = attrs.field(factory=dict)
    #: Per phrase of several words (by ``id``): the exact words after its first that a
    #: message must hold for it to match, without typos and with them (the words too
    #: short to be typo-corrected).  Checking them first spares most ``_follow`` calls.
    needs: dict[int, tuple[frozenset[str], frozenset[str]]] = attrs.field(factory=dict)


def _cue_text(term: Term) -> str:
    return term.chars or " ".join(w.text for w in term.words)


@lru_cache(maxsize=32)
def index_of(lexicon: Lexicon) -> Index:
    """The matching index of ``lexicon``."""
    settings = lexicon.settings
    exact: dict[str, list[Term]] = {}
    stems: dict[str, list[Term]] = {}
    numbered: list[Term] = []
    fuzzy: dict[str, list[tuple[Word, Term]]] = {}
    chars: dict[str, list[tuple[re.Pattern[str], Term]]] = {}
    known: set[str] = set()
    for words in lexicon.languages.values():
        known |= words.markers | words.negations | words.breaks | words.numbers
    for term in lexicon.terms:
        if term.chars:
            pattern = _HAN_GAP.join(
                "".join(_HAN_NUMBER if c == "#" else re.escape(c) for c in part)
                for part in term.chars.split(HAN_GAP_MARK)
            )
            # Filed under a character it needs: a text without it cannot hold the term.
            key = next((c for c in term.chars if c != "#"), "#")
            chars.setdefault(key, []).append((re.compile(pattern), term))
            continue
        known.update(w.text for w in term.words if w.kind is WordKind.EXACT)
        first = term.words[0]
        if first.kind is WordKind.NUMBER:
            numbered.append(term)
            continue
        (stems if first.kind is WordKind.PREFIX else exact).setdefault(first.text, []).append(term)
        stem_extra = 1 if first.kind is WordKind.PREFIX else 0
        if len(first.text) >= settings.fuzzy_min_length + stem_extra:
            fuzzy.setdefault(first.text[0], []).append((first, term))
    numbers = frozenset().union(*(w.numbers for w in lexicon.languages.values()))
    needs: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    for term in lexicon.terms:
        if len(term.words) > 1:
            rest = [w.text for w in term.words[1:] if w.kind is WordKind.EXACT]
            short = [w for w in rest if len(w) < settings.fuzzy_min_length]
            needs[id(term)] = (frozenset(rest), frozenset(short))
    return Index(
        lexicon,
        exact,
        stems,
        tuple(sorted({len(s) for s in stems})),
        numbered,
        fuzzy,
        chars,
        frozenset(known),
        numbers,
        tuple(sorted({_cue_text(t) for t in lexicon.terms_of(Role.ORDER_CUE)})),
        tuple(sorted({_cue_text(t) for t in lexicon.terms_of(Role.TRACKING_CUE)})),
        needs=needs,
    )


def is_known(index: Index, token: str) -> bool:
    """Whether ``token`` is a word the lexicon knows as it is (a word of a term, a
    marker, or a word a term's stem starts): such a word is never read as a typo
    of another ("verzögertt" is a delay, not a typo of "verbog*")."""
    if token in index.known:
        return True
    cache = index.known_cache
    known = cache.get(token)
    if known is None:
        known = any(
            token[:size] in index.stems for size in index.stem_lengths if size <= len(token)
        )
        if len(cache) >= KNOWN_CACHE_SIZE:
            cache.clear()
        cache[token] = known
    return known


def is_number(index: Index, token: str) -> bool:
    """Whether ``token`` is what ``#`` matches: digits, an ordinal, a number word."""
    return (
        token.isdigit()
        or token in index.numbers
        or (token[0].isdigit() and _ORDINAL.fullmatch(token) is not None)
    )


def word_match(index: Index, word: Word, token: str, fuzzy: bool = True) -> int:
    """0: no match, 1: exact, 2: with one typo (only when ``fuzzy``)."""
    kind = word.kind
    if kind is WordKind.NUMBER:
        return 1 if is_number(index, token) else 0
    if kind is WordKind.PREFIX:
        if token.startswith(word.text):
            return 1
    elif token == word.text:
        return 1
    settings = index.lexicon.settings
    stem_extra = 1 if kind is WordKind.PREFIX else 0
    if (
        not fuzzy
        or len(token) < settings.fuzzy_min_length
        or len(word.text) < settings.fuzzy_min_length + stem_extra
        or token[0] != word.text[0]
        or not token.isalpha()
        or is_known(index, token)
    ):
        return 0
    if kind is WordKind.PREFIX:
        size = len(word.text)
        return 2 if any(within_one(token[:k], word.text) for k in (size - 1, size, size + 1)) else 0
    return 2 if within_one(token, word.text) else 0
