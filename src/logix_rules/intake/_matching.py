"""Finding a lexicon's terms in a folded message, and whether each is negated.

Phrases are matched word by word over the message's Latin-script words; a word may
also match with one typo (an insertion, deletion, substitution or swap of neighbours)
when both are at least ``fuzzy_min_length`` letters long, start with the same letter,
and the message's word is not itself a word the lexicon knows.  Chinese terms are
matched inside the text.  Where matches overlap the longest wins, so ``never arrived``
is one match and ``não chegou`` is never read as "not" + "arrived" twice.

A match is negated when a negation of its language (or of the message's) stands at
most ``negation_window`` words (Chinese: ``han_negation_window`` characters) before
it, in the same clause, not inside another match and not behind a "but".  A negation
reaches only the first kind after it: in "nenhum dano na caixa" it negates the damage,
not "na caixa" (which reports missing items when negated); "not damaged or broken"
negates both words, being of one kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from ._kinds import ReportKind
from ._lexicon import Lexicon, Role, Term, Word, WordKind
from ._match_index import (
    HAN_GAP_MARK,
    KNOWN_CACHE_SIZE,
    NOTHING,
    Candidate,
    Index,
    is_known,
    is_number,
    word_match,
)
from ._text import BOUNDARY, Token, is_han

__all__ = ["Found", "Match", "Matches", "find_matches", "negation"]

_SELECTED_ROLES: Final = frozenset({Role.COMPLAINT, Role.NEGATED, Role.IGNORE})
#: "and" in the latin-script languages: a negation before it does not reach a
#: negated-role term after it (see ``negation``).
_AND: Final = frozenset({"and", "e", "y", "und", "et"})
#: The fields only counts need: not looked for in a message without a count.
_COUNT_ROLES: Final = frozenset({Role.ORDERED, Role.RECEIVED, Role.SIZE_CUE, Role.MEASURE})


@attrs.frozen
class Match:
    """A term found at folded ``[start, end)``; ``first``/``last`` are its word
    indexes (-1 for a Chinese term); ``fuzzy`` when a word matched with a typo."""

    term: Term
    start: int
    end: int
    fuzzy: bool = False
    first: int = -1
    last: int = -1


@attrs.frozen
class Found:
    """A selected match and its negation: ``cue`` is the folded start of the negating
    word, or -1 when the match is not negated."""

    match: Match
    cue: int = -1

    @property
    def negated(self) -> bool:
        return self.cue >= 0


@attrs.frozen
class _Words:
    """The message's words and the clause and sentence each belongs to."""

    tokens: Sequence[Token]
    clause: Sequence[int]
    text: str
    sentence: Sequence[int] = ()


def clauses(text: str, tokens: Sequence[Token]) -> list[int]:
    """The clause number of each word: punctuation (or Chinese) between two words
    starts a new clause, except a slash between two words ("screws/bolts": or)."""
    out: list[int] = []
    current = 0
    for i, token in enumerate(tokens):
        if i:
            between = text[tokens[i - 1].end : token.start]
            if between != "/" and any(c in BOUNDARY or is_han(c) for c in between):
                current += 1
        out.append(current)
    return out


#: What ends a sentence (a ``...`` gap does not reach across it; commas it does).
_SENTENCE_END: Final = frozenset(".!?…\n。！？")


def sentences(text: str, tokens: Sequence[Token]) -> list[int]:
    """The sentence number of each word."""
    out: list[int] = []
    current = 0
    for i, token in enumerate(tokens):
        if i and any(c in _SENTENCE_END for c in text[tokens[i - 1].end : token.start]):
            current += 1
        out.append(current)
    return out


def _follow(
    index: Index, term: Term, w: int, seq: _Words, t: int, fuzzy: tuple[bool, bool]
) -> tuple[int, bool] | None:
    """Match ``term.words[w:]`` from word ``t`` on (``fuzzy``: typos allowed, one
    needed so far); the last word index matched and whether a typo was needed."""
    words = term.words
    allowed, needed = fuzzy
    clause = seq.clause[t - 1]
    if w == len(words):
        return t - 1, needed
    word = words[w]
    if word.kind in (WordKind.GAP, WordKind.SENTENCE_GAP):
        gap = index.lexicon.settings.gap_words
        scope = seq.clause
        if word.kind is WordKind.SENTENCE_GAP:
            gap, scope = 2 * gap, seq.sentence
        within = scope[t - 1]
        for skip in range(gap + 1):
            if t + skip >= len(seq.tokens) or scope[t + skip] != within:
                break
            found = _follow(index, term, w + 1, seq, t + skip, fuzzy)
            if found is not None:
                return found
        return None
    if t >= len(seq.tokens):
        return None
    if seq.clause[t] != clause and words[w - 1].kind is not WordKind.SENTENCE_GAP:
        return None
    how = word_match(index, word, seq.tokens[t].text, allowed)
    if not how:
        return None
    return _follow(index, term, w + 1, seq, t + 1, (allowed, needed or how == 2))


def _anchored(text: str, end: int, anchor: str) -> bool:
    """Whether a match ending at ``end`` satisfies its anchor: ``$``, the clause ends
    there (then only punctuation, a symbol or the end of the text); ``?``, the sentence
    it is in ends with a question mark."""
    if not anchor:
        return True
    if anchor == "?":
        stop = next((c for c in text[end:] if c in BOUNDARY and c not in ",;:"), "")
        return stop == "?"
    rest = text[end:].lstrip()
    return not rest or rest[0] in BOUNDARY or not (rest[0].isalnum() or is_han(rest[0]))


def _first_candidates(
    index: Index, token: str, only: str | None = None, counts: bool = True
) -> tuple[Candidate, ...]:
    """The terms whose first word ``token`` is, as written or by stem or number
    (``only``: of that language; not ``counts``: without the count fields),
    remembered per word: messages repeat their words."""
    cache = index.first_cache
    key = f"{only or ''}\0{int(counts)}\0{token}"
    found = cache.get(key)
    if found is None:
        terms = list(index.exact.get(token, ()))
        for size in index.stem_lengths:
            if size > len(token):
                break
            terms += index.stems.get(token[:size], ())
        if is_number(index, token):
            terms += index.numbered
        found = tuple(
            (t, *index.needs.get(id(t), (NOTHING, NOTHING)))
            for t in terms
            if (only is None or t.language == only) and (counts or t.role not in _COUNT_ROLES)
        )
        if len(cache) >= KNOWN_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _typo_candidates(index: Index, token: str, language: str) -> tuple[Candidate, ...]:
    """The terms of ``language`` whose first word ``token`` is with one typo."""
    key = (token, language)
    cache = index.typo_cache
    found = cache.get(key)
    if found is None:
        found = ()
        if (
            len(token) >= index.lexicon.settings.fuzzy_min_length
            and token.isalpha()
            and not is_known(index, token)
        ):
            found = tuple(
                (term, *index.needs.get(id(term), (NOTHING, NOTHING)))
                for word, term in index.fuzzy.get(token[0], ())
                if term.language == language and word_match(index, word, token) == 2
            )
        if len(cache) >= KNOWN_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _may_follow(word: Word, tokens: Sequence[Token], clause: Sequence[int], t: int) -> bool:
    """False when ``word``, a phrase's second, cannot match (without typos) after
    word ``t``; True when it may (then ``_follow`` decides)."""
    kind = word.kind
    if kind is WordKind.EXACT or kind is WordKind.PREFIX:
        if t + 1 >= len(tokens) or clause[t + 1] != clause[t]:
            return False
        text = tokens[t + 1].text
        return text == word.text if kind is WordKind.EXACT else text.startswith(word.text)
    return True


def _phrase_matches(
    index: Index,
    seq: _Words,
    fuzzy_language: str | None,
    only: str | None = None,
    counts: bool = True,
) -> list[Match]:
    """The phrase matches over the words (``only``: of that language's terms; not
    ``counts``: without the count fields)."""
    out: list[Match] = []
    tokens = seq.tokens
    present = {token.text for token in tokens}
    for t, token in enumerate(tokens):
        # A term is filed under one first word, so it comes at most once per word;
        # a word the lexicon knows is no typo, so none comes both ways.
        exact = _first_candidates(index, token.text, only, counts)
        typos = (
            () if fuzzy_language is None else _typo_candidates(index, token.text, fuzzy_language)
        )
        for how, candidates in ((1, exact), (2, typos)):
            for term, strict, short in candidates:
                allowed = term.language == fuzzy_language
                words = term.words
                if len(words) == 1:
                    found: tuple[int, bool] | None = (t, how == 2)
                else:
                    if not (short if allowed else strict) <= present:
                        continue  # a word it needs is nowhere in the message
                    if not allowed and not _may_follow(words[1], tokens, seq.clause, t):
                        continue  # the usual case, decided without a call
                    found = _follow(index, term, 1, seq, t + 1, (allowed, how == 2))
                if found is None:
                    continue
                last, fuzzy = found
                end = tokens[last].end
                if term.anchor and not _anchored(seq.text, end, term.anchor):
                    continue
                out.append(Match(term, token.start, end, fuzzy, t, last))
    return out


def _char_matches(index: Index, text: str) -> list[Match]:
    out: list[Match] = []
    for char in set(text):
        for pattern, term in index.chars.get(char, ()):
            for found in pattern.finditer(text):
                if not _anchored(text, found.end(), term.anchor):
                    continue
                out.append(Match(term, found.start(), found.end()))
    return out


def _has_gap(match: Match) -> bool:
    term = match.term
    return HAN_GAP_MARK in term.chars or any(
        w.kind in (WordKind.GAP, WordKind.SENTENCE_GAP) for w in term.words
    )


def _specificity(match: Match) -> int:
    """How much of a match its term spells out: its letters, one more per whole word
    and one for an anchor; a typo-corrected match spells out nothing."""
    if match.fuzzy:
        return 0
    term = match.term
    spelled = sum(len(w.text) + (w.kind is WordKind.EXACT) for w in term.words)
    chars = len(term.chars) - term.chars.count("#") - term.chars.count(".")
    return (spelled or chars) + bool(term.anchor)


def _most_specific(candidates: list[Match]) -> list[Match]:
    """Drop a match when another on the very same words spells more of them out.

    The lexicon's more specific entry is its word on those words: "recusei" is
    Portuguese ``recus*`` (refused), not French ``reçu*`` (received, which "não"
    would negate into a parcel not received); "perdido ?" (a question) is not the
    statement "perdido"; "depuis quelques jours" is not "depuis # jours".
    """
    spans: dict[tuple[int, int], list[Match]] = {}
    for m in candidates:
        spans.setdefault((m.start, m.end), []).append(m)
    if len(spans) == len(candidates):
        return candidates  # no two on the same words: the usual case
    dropped: set[int] = set()
    for group in spans.values():
        if len(group) > 1:
            most = max(_specificity(m) for m in group)
            dropped.update(id(m) for m in group if _specificity(m) < most)
    return [m for m in candidates if id(m) not in dropped]


def _skipped(match: Match, text: str) -> tuple[int, int]:
    """The part of a gap match between its first and last words (Chinese: between
    the first and last runs of characters its term spells)."""
    if match.term.chars:
        parts = match.term.chars.split(HAN_GAP_MARK)
        return match.start + len(parts[0]), match.end - len(parts[-1])
    head = match.start
    while head < match.end and text[head].isalnum():
        head += 1
    tail = match.end
    while tail > head and text[tail - 1].isalnum():
        tail -= 1
    return head, tail


def _select(candidates: list[Match], text: str) -> list[Match]:
    """The matches not hidden by a longer one: ``never arrived`` hides ``arrived``,
    an ignore term what it holds, ``地址填错`` (address) the ``错了`` (wrong item) it
    overlaps.  Matches of equal length that overlap are both kept (``五天没`` and
    ``没更新``); of two on one span reporting the same kind, one.

    A phrase with a gap is long only because of what it skips, so it loses to a
    heavier gapless match of another kind that it overlaps: in "pedi dois e só veio
    um" the ``só veio`` of missing items wins over the ``pedi .. veio`` of a wrong item.
    """
    candidates = _most_specific(candidates)
    gapless = [m for m in candidates if not _has_gap(m) and m.term.role is Role.COMPLAINT]
    candidates = [
        m
        for m in candidates
        if not _has_gap(m)
        or not any(
            o.start < m.end
            and m.start < o.end
            and o.term.kind != m.term.kind
            and o.term.weight > m.term.weight
            for o in gapless
        )
    ]
    order = sorted(
        candidates,
        key=lambda m: (
            -(m.end - m.start),
            m.term.role is not Role.IGNORE,
            -m.term.weight,
            m.start,
        ),
    )
    # A complaint with a gap does not hide a gapless match of another kind inside what
    # it skips, which may be a second complaint ("veio só 1 dos 2 ... eu pedi 41": a
    # missing item inside a wrong size); its own first and last words it keeps.
    skipped = {
        id(m): _skipped(m, text)
        for m in candidates
        if m.term.role is Role.COMPLAINT and _has_gap(m)
    }
    taken: list[Match] = []
    for match in order:
        size = match.end - match.start
        spared = id(match) not in skipped and match.term.role is not Role.IGNORE
        hidden = any(
            t.start < match.end
            and match.start < t.end
            and not (
                spared
                and id(t) in skipped
                and t.term.kind != match.term.kind
                and skipped[id(t)][0] <= match.start
                and match.end <= skipped[id(t)][1]
            )
            and (
                # inside a longer match, an ignore term, or the same kind's match
                (
                    t.start <= match.start
                    and match.end <= t.end
                    and (
                        t.end - t.start > size
                        or t.term.role is Role.IGNORE
                        or (
                            t.term.kind == match.term.kind
                            and t.term.language == match.term.language
                        )
                    )
                )
                # or across the edge of a longer match of another kind
                or (t.end - t.start > size and t.term.kind != match.term.kind)
            )
            for t in taken
        )
        if not hidden:
            taken.append(match)
    return sorted(taken, key=lambda m: m.start)


#: A stem shorter than this, from a language other than the message's, is too weak
#: to stand alone: French ``bris*`` is not "Bristol", ``cass*`` not "cassette".
_FOREIGN_STEM_MIN: Final = 5


def _short_foreign_stem(match: Match) -> bool:
    """A one-word match of another language's short stem (the caller knows the
    message's language)."""
    words = match.term.words
    return (
        len(words) == 1
        and words[0].kind is WordKind.PREFIX
        and len(words[0].text) < _FOREIGN_STEM_MIN
    )


@attrs.frozen
class Matches:
    """What ``find_matches`` found: the selected complaint/negated/ignore matches, the
    field matches (goods, photos, cues; they may overlap anything), each word's clause,
    and the Chinese (character) and phrase matches, which a second call passes back."""

    selected: list[Match]
    fields: list[Match]
    clause: list[int]
    chars: list[Match]
    phrases: list[Match]


def find_matches(
    index: Index,
    text: str,
    tokens: Sequence[Token],
    fuzzy_language: str | None = None,
    before: Matches | None = None,
    counts: bool = True,
) -> Matches:
    """The matches of the lexicon's terms in ``text``.  Typos are corrected only
    towards the terms of ``fuzzy_language`` (the message's): across languages a typo
    is too often another language's word ("cases", "cassé").  ``before``, the same
    text's matches without typos, saves the work that would give the same: only the
    terms of ``fuzzy_language`` are matched again.  ``counts``: False when the text
    holds no count, so the count fields need not be looked for."""
    seq = _Words(tokens, clauses(text, tokens), text, sentences(text, tokens))
    if before is None:
        chars = _char_matches(index, text)
        phrases = _phrase_matches(index, seq, fuzzy_language, counts=counts)
    else:
        chars = before.chars
        phrases = [
            m
            for m in before.phrases
            if m.term.language != fuzzy_language and not _short_foreign_stem(m)
        ]
        if fuzzy_language is not None:
            phrases += _phrase_matches(
                index, seq, fuzzy_language, only=fuzzy_language, counts=counts
            )
            phrases.sort(key=lambda m: m.first)
    everything = phrases + chars
    main = [m for m in everything if m.term.role in _SELECTED_ROLES]
    fields = [m for m in everything if m.term.role not in _SELECTED_ROLES]
    return Matches(_select(main, text), fields, list(seq.clause), chars, phrases)


def _is_duration(term: Term) -> bool:
    """A term that holds a number: "há # dias", "depuis # jours", "#天"."""
    return "#" in term.chars or any(w.kind is WordKind.NUMBER for w in term.words)


def negation(
    match: Match,
    *,
    text: str,
    tokens: Sequence[Token],
    clause: Sequence[int],
    covered: bytearray,
    languages: Iterable[str],
    lexicon: Lexicon,
    owner: Sequence[ReportKind | None] = (),
) -> int:
    """Where the negation of ``match`` starts (folded offset), or -1.

    ``owner`` gives, per folded character, the kind of the match covering it (if
    any): a match of another kind between the negation and ``match`` stops it.
    """
    kind = match.term.kind
    if kind is ReportKind.DELAYED and _is_duration(match.term):
        # time passing is not denied by a negation before it: "não mostra nada há 6
        # dias", "n'affiche rien depuis 6 jours" (nothing shown, for six days)
        return -1

    def other_kind_at(at: int) -> bool:
        return at < len(owner) and owner[at] is not None and owner[at] != kind

    words = [lexicon.languages[lang] for lang in languages if lang in lexicon.languages]
    settings = lexicon.settings
    own = lexicon.languages.get(match.term.language)
    own_cues = own.negations if own is not None else frozenset()
    if match.first >= 0:
        if any(w.text in own_cues for w in match.term.words):
            return -1  # "ce n'est pas la bonne": the term holds its own negation
        cues = frozenset().union(*(w.negations for w in words))
        breaks = frozenset().union(*(w.breaks for w in words))
        first = match.first
        for j in range(first - 1, max(-1, first - 1 - settings.negation_window), -1):
            token = tokens[j]
            if clause[j] != clause[first] or token.text in breaks or other_kind_at(token.start):
                return -1
            # two-word breaks: "and he" starts another statement ("I said no and he
            # took it back" does not negate "took it back")
            if f"{token.text} {tokens[j + 1].text}" in breaks:
                return -1
            # "não faltou nada e chegou no prazo": the negation denies what comes
            # before "e"; an on-time arrival after it is another statement, not a delay
            if match.term.role is Role.NEGATED and token.text in _AND:
                return -1
            if token.text in cues and not covered[token.start]:
                return token.start
        return -1
    if any(cue and cue in match.term.chars for cue in own_cues):
        return -1  # 没有$, 不对: the term holds its own negation
    low = max(0, match.start - settings.han_negation_window)
    segment_start = match.start
    while segment_start > low and text[segment_start - 1] not in BOUNDARY:
        segment_start -= 1
    segment = text[segment_start : match.start]
    for stop in frozenset().union(*(w.breaks for w in words)):
        at = segment.rfind(stop)
        if at >= 0 and is_han(stop[0]):
            segment_start += at + len(stop)
            segment = text[segment_start : match.start]
    best = -1
    for cue in frozenset().union(*(w.negations for w in words)):
        if not cue or not is_han(cue[0]):
            continue
        at = segment.find(cue)
        while at >= 0:
            start = segment_start + at
            between = range(start + len(cue), match.start)
            if not any(covered[start : start + len(cue)]) and not any(
                other_kind_at(k) for k in between
            ):
                best = start if best < 0 else min(best, start)
            at = segment.find(cue, at + 1)
    return best
