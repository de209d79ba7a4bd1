"""Fewer than ordered: a count received below the count ordered.

"Ordered 3 packs, got 1", "the order was for 6, you shipped 5", "De los 5 libros que
compré, llegaron 4", "买了四个碗，到手三个": a number beside an ordering word (the
lexicon's ``ordered_cues``) and a smaller one beside a receiving word
(``received_cues``), in either order, report missing items however the sentence is
built.  What is not a count is left out: a number in a date, time or range
("12/03", "2-3"), one followed by a unit (``measure_words``: "3 weeks", "64 GB"), one
after a singular article ("a 7", "o 39": a size), and every number of a sentence that
names a size (``size_cues``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from ._kinds import ReportKind
from ._lexicon import Role, Term, WordKind
from ._matching import Found, Match
from ._text import Token, is_han

__all__ = ["fewer_than_ordered", "may_count"]

#: Count words (the ``#`` number words that name one value; "few" names none).
_WORD_VALUES: Final = {
    **dict.fromkeys(("one", "um", "uma", "un", "uno", "una", "une", "ein", "eine", "einen"), 1),
    **dict.fromkeys(("two", "pair", "dois", "duas", "par", "dos", "deux", "paire", "zwei"), 2),
    **dict.fromkeys(("three", "tres", "trois", "drei"), 3),
    **dict.fromkeys(("four", "quatro", "cuatro", "quatre", "vier"), 4),
    **dict.fromkeys(("five", "cinco", "cinq", "funf"), 5),
    **dict.fromkeys(("six", "seis", "sechs"), 6),
    **dict.fromkeys(("seven", "sete", "siete", "sept", "sieben"), 7),
    **dict.fromkeys(("eight", "oito", "ocho", "huit", "acht"), 8),
    **dict.fromkeys(("nine", "nove", "nueve", "neuf", "neun"), 9),
    **dict.fromkeys(("ten", "dez", "diez", "dix", "zehn"), 10),
    **dict.fromkeys(("twelve", "doze", "doce", "douze", "zwolf"), 12),
}
_HAN_DIGITS: Final = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
#: A Chinese numeral counts only before a measure word (一直, 一下 are no counts).
_HAN_COUNT: Final = re.compile(
    "([一二两三四五六七八九十]{1,3})[个件条只双套盒瓶本张支台块片包箱份袋]"
)
#: An article or "in" before a bare number makes it a size or a date ("a 7", "o 39",
#: "le 3", "en 38").
_SIZE_ARTICLES: Final = frozenset(
    [
        "a",
        "an",
        "um",
        "uma",
        "o",
        "un",
        "una",
        "el",
        "la",
        "lo",
        "le",
        "du",
        "une",
        "ein",
        "eine",
        "einen",
        "der",
        "das",
        "den",
        "dem",
        "in",
        "en",
        "em",
    ]
)
_SENTENCE_END: Final = frozenset(".!?…\n。！？")
_WORD: Final = re.compile(r"[^\W_]+")
#: The most words (or Chinese characters) between a count and its cue: a cue after
#: the count may follow its noun ("5 libros que compré"), one before it hardly
#: anything ("ordered 3", "bought a 3-pack"; not "pedí un iphone 13", a model).
_REACH_AFTER: Final = 3
_REACH_BEFORE: Final = 1
_MAX_COUNT: Final = 50
_GAPS: Final = (WordKind.GAP, WordKind.SENTENCE_GAP)


@attrs.frozen
class _Count:
    value: int
    start: int
    end: int


#: Count words above one (a count ordered is one of them, or digits).
_MANY: Final = frozenset(word for word, value in _WORD_VALUES.items() if value > 1)


def may_count(text: str, tokens: Sequence[Token]) -> bool:
    """Whether ``text`` may hold a count ordered (a short number, a count word above
    one, a Chinese numeral before a measure word): else no cue need be looked for."""
    return (
        any((t.text.isdigit() and len(t.text) <= 3) or t.text in _MANY for t in tokens)
        or _HAN_COUNT.search(text) is not None
    )


def _han_value(run: str) -> int | None:
    if "十" not in run:
        return _HAN_DIGITS.get(run) if len(run) == 1 else None
    tens, _, units = run.partition("十")
    high = _HAN_DIGITS.get(tens, 0) if tens else 1
    low = _HAN_DIGITS.get(units, 0) if units else 0
    return high * 10 + low if (not tens or high) and (not units or low) else None


def _in_figure(text: str, start: int, end: int) -> bool:
    """Part of a date, time, range or decimal: 12:30, 12/03, 2-3, 1.5."""
    before = text[start - 2 : start]
    after = text[end : end + 2]
    return (len(before) == 2 and before[1] in ":/.-" and before[0].isdigit()) or (
        len(after) == 2 and after[0] in ":/.-" and after[1].isdigit()
    )


def _counts(text: str, tokens: Sequence[Token]) -> list[_Count]:
    out: list[_Count] = []
    for i, token in enumerate(tokens):
        word = token.text
        value = int(word) if word.isdigit() and len(word) <= 3 else _WORD_VALUES.get(word)
        if value is None or _in_figure(text, token.start, token.end):
            continue
        if not word.isdigit() and i + 1 < len(tokens) and tokens[i + 1].text.isdigit():
            continue  # "un 12": an article before a number
        if (
            word.isdigit()
            and i
            and tokens[i - 1].text in _SIZE_ARTICLES
            and not text[tokens[i - 1].end : token.start].strip()
            and text[token.end : token.end + 1] != "-"  # "a 3-pack" is a count
        ):
            continue
        out.append(_Count(value, token.start, token.end))
    for found in _HAN_COUNT.finditer(text):
        value = _han_value(found.group(1))
        if value is not None:
            out.append(_Count(value, found.start(1), found.end(1)))
    return out


def _cost(between: str) -> int | None:
    """Words (a Chinese character counting one) between two spans; None across a
    sentence end."""
    if any(c in _SENTENCE_END for c in between):
        return None
    return sum(len(w) if is_han(w[0]) else 1 for w in _WORD.findall(between))


def _role_of(count: _Count, cues: Iterable[Match], text: str) -> Role | None:
    """The role of the cue nearest ``count`` (one before it on a tie), if any is near."""
    best: tuple[int, int, Role] | None = None
    for cue in cues:
        if cue.end <= count.start:
            cost, after = _cost(text[cue.end : count.start]), 0
        elif count.end <= cue.start:
            cost, after = _cost(text[count.end : cue.start]), 1
        else:
            continue
        if cost is None or cost > (_REACH_AFTER if after else _REACH_BEFORE):
            continue
        if best is None or (cost, after) < best[:2]:
            best = (cost, after, cue.term.role)
    return None if best is None else best[2]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for i, char in enumerate(text):
        if char in _SENTENCE_END:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return spans


def fewer_than_ordered(
    text: str,
    tokens: Sequence[Token],
    fields: Sequence[Match],
    language: str,
    found: Sequence[Found],
) -> list[Found]:
    """``found`` with a missing-items finding when a count received is below a count
    ordered; a wrong-item phrase with a gap over the count ordered ("comprei ..
    chegou" over "comprei 2 kits e chegou 1") is then that count, and goes."""
    # the message's language only (French "que", only, is Spanish "que", that), or
    # every language when it is not told
    cues = [m for m in fields if m.term.role in (Role.ORDERED, Role.RECEIVED)]
    if any(m.term.language == language for m in cues):
        cues = [m for m in cues if m.term.language == language]
    roles = {m.term.role for m in cues}
    if len(roles) < 2:
        return list(found)  # the usual case: no ordering and receiving words both
    measures = [m for m in fields if m.term.role is Role.MEASURE]
    sizes = [m for m in fields if m.term.role is Role.SIZE_CUE]
    blocked = [(s, e) for s, e in _sentence_spans(text) if any(s <= m.start < e for m in sizes)]
    ordered: list[_Count] = []
    received: list[_Count] = []
    for count in _counts(text, tokens):
        if any(s <= count.start < e for s, e in blocked):
            continue
        if any(m.start >= count.end and not text[count.end : m.start].strip() for m in measures):
            continue  # "3 weeks", "64 gb"
        if any(m.start < count.end and count.start < m.end for m in cues):
            continue  # the "一" of "一套"
        role = _role_of(count, cues, text)
        if role is Role.ORDERED and count.value <= _MAX_COUNT:
            ordered.append(count)
        elif role is Role.RECEIVED:
            received.append(count)
    for got in received:
        wanted = [want for want in ordered if got.value < want.value]
        if wanted:
            term = Term("fewer than ordered", language, Role.COMPLAINT, ReportKind.MISSING_ITEMS)
            kept = [
                f
                for f in found
                if not (
                    f.match.term.kind is ReportKind.WRONG_ITEM
                    and any(w.kind in _GAPS for w in f.match.term.words)
                    and any(f.match.start <= w.start < f.match.end for w in wanted)
                )
            ]
            return [*kept, Found(Match(term, got.start, got.end))]
    return list(found)
