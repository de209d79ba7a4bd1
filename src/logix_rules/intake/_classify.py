"""``classify``: what a customer's message reports, and what it still lacks."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import attrs

from ._decision import Reading
from ._kinds import MissingField, ReportKind
from ._labels import may_label, ordered_received_labels
from ._language import detect_language, primary_language
from ._lexicon import Lexicon, Role
from ._lexicon_load import default_lexicon, load_lexicon
from ._match_index import index_of
from ._matching import Found, Match, find_matches, negation
from ._model import Model, default_model, features
from ._quantities import fewer_than_ordered, may_count
from ._text import Folded, Token, fold, han_count, latin_tokens
from ._tracking import TrackingNumber, find_tracking_numbers

__all__ = ["MAX_TEXT_CHARS", "Classification", "EvidenceSpan", "classify"]

#: Only the first this many characters of a message are read (a long e-mail thread
#: says what it is about early; the cost of matching grows with the length).
MAX_TEXT_CHARS: Final = 20_000


@attrs.frozen
class EvidenceSpan:
    """A lexicon term found in the message.

    ``start``/``end`` index the message as given; ``text`` is what it says there.
    ``kind`` is the kind the term reports and ``language`` the list it came from;
    ``term`` the entry as the lexicon writes it.  A ``negated`` span ("not damaged")
    was found but counts for nothing; ``fuzzy`` marks a match with a typo.
    """

    start: int
    end: int
    text: str
    kind: ReportKind
    language: str
    term: str
    negated: bool = False
    fuzzy: bool = False


@attrs.frozen
class Classification:
    """What ``classify`` found in one message.

    ``kinds`` are every kind reported, most confident first (``other`` alone when
    none is), with their ``scores`` (0..1, a ranking figure rather than a
    probability); ``confidence`` is the first kind's.  ``missing`` lists the fields
    the kinds require (per the lexicon) that the message does not carry.
    """

    text: str
    kinds: tuple[ReportKind, ...]
    scores: tuple[tuple[ReportKind, float], ...]
    confidence: float
    evidence: tuple[EvidenceSpan, ...]
    language: str
    tracking_numbers: tuple[TrackingNumber, ...]
    missing: tuple[MissingField, ...]
    has_photos: bool
    lexicon: str
    added: tuple[ReportKind, ...] = ()
    model: str | None = None
    dropped: tuple[ReportKind, ...] = ()

    @property
    def kind(self) -> ReportKind:
        """The most confident kind."""
        return self.kinds[0]


def _score_to_confidence(score: float) -> float:
    return round(1 - math.exp(-score), 3)


def _as_lexicon(lexicon: Lexicon | str | os.PathLike[str] | None) -> Lexicon:
    if lexicon is None:
        return default_lexicon()
    if isinstance(lexicon, Lexicon):
        return lexicon
    return load_lexicon(lexicon)


def _word_count(text: str, tokens: Sequence[str]) -> float:
    return sum(1 for t in tokens if t.isalpha()) + han_count(text) / 2


def classify(
    text: str,
    *,
    lang: str | None = None,
    attachments: Sequence[str] = (),
    lexicon: Lexicon | str | os.PathLike[str] | None = None,
    model: bool | Model = True,
) -> Classification:
    """Classify a customer's message.

    ``lang`` (``"pt-BR"``, ``"zh-Hant"``...) is reported as the language instead of
    the detected one; matching always uses every language (messages mix them).
    ``attachments`` (file names, any non-empty list) counts as photos.  ``lexicon`` is
    a ``Lexicon``, a lexicon file, or None for the built-in one.  ``model``: whether
    the built-in statistical model may add kinds the lexicon did not find (``False``:
    the lexicon alone; a ``Model`` is used instead of the built-in one).
    """
    if not isinstance(text, str):
        raise TypeError(f"classify() needs the message text (str), not {type(text).__name__}")
    lex = _as_lexicon(lexicon)
    index = index_of(lex)
    folded = fold(text[:MAX_TEXT_CHARS], lex.han_fold)
    tokens = latin_tokens(folded.text)
    # the count fields are also the labels of "Ordered: X. Received: Y."
    counts = may_count(folded.text, tokens) or may_label(folded.text)
    matches = find_matches(index, folded.text, tokens, counts=counts)
    language = (
        primary_language(lang)
        if lang
        else detect_language(folded.text, tokens, [m for m in matches.selected if m.term.kind], lex)
    )
    if language in lex.languages and lex.languages[language].script == "latin":
        # Again, now correcting typos towards the message's language.
        matches = find_matches(index, folded.text, tokens, language, matches, counts)
    selected, fields, clause = matches.selected, matches.fields, matches.clause
    covered = bytearray(len(folded.text))
    owner: list[ReportKind | None] = [None] * len(folded.text)
    for match in selected:
        covered[match.start : match.end] = b"\x01" * (match.end - match.start)
        if match.term.kind is not None:
            owner[match.start : match.end] = [match.term.kind] * (match.end - match.start)

    def negated(match: Match) -> int:
        return negation(
            match,
            text=folded.text,
            tokens=tokens,
            clause=clause,
            covered=covered,
            languages=(match.term.language, language),
            lexicon=lex,
            owner=owner,
        )

    found = _negate(selected, negated, covered)
    found = fewer_than_ordered(folded.text, tokens, fields, language, found)
    found = ordered_received_labels(folded.text, fields, language, found)
    scores, first_seen, evidence = _weigh(found, folded, text, language, lex)
    reported = sorted(
        (k for k, s in scores.items() if s >= lex.settings.threshold),
        key=lambda k: (-scores[k], first_seen[k]),
    )
    ranked = tuple((k, _score_to_confidence(scores[k])) for k in reported)
    added: tuple[tuple[ReportKind, float], ...] = ()
    dropped: tuple[ReportKind, ...] = ()
    used = None
    if model is not False:
        used = default_model() if model is True else model
        ignored = any(m.term.role is Role.IGNORE for m in selected)
        dropped, added = _second_opinion(
            used, folded.text, tokens, reported, evidence, ranked, ignored, language
        )
        ranked = tuple(r for r in ranked if r[0] not in dropped) + added
    if not ranked:
        ranked = ((ReportKind.OTHER, 0.5),)
    present = dict.fromkeys((Role.GOODS, Role.PHOTOS), False)
    for match in fields:
        if match.term.role in present and negated(match) < 0:
            present[match.term.role] = True
    numbers = find_tracking_numbers(
        folded, order_cues=index.order_cues, tracking_cues=index.tracking_cues
    )
    has_photos = present[Role.PHOTOS] or any(attachments)
    have = {
        MissingField.TRACKING_NUMBER: bool(numbers),
        MissingField.GOODS: present[Role.GOODS],
        MissingField.DESCRIPTION: _word_count(folded.text, [t.text for t in tokens])
        >= lex.settings.description_min_words,
        MissingField.PHOTOS: has_photos,
    }
    needed = {f for kind, _ in ranked for f in lex.requires.get(kind, ())}
    return Classification(
        text=text,
        kinds=tuple(k for k, _ in ranked),
        scores=ranked,
        confidence=ranked[0][1],
        evidence=tuple(evidence),
        language=language,
        tracking_numbers=numbers,
        missing=tuple(f for f in MissingField if f in needed and not have[f]),
        has_photos=has_photos,
        lexicon=lex.label,
        added=tuple(k for k, _ in added),
        model=None if used is None else used.label,
        dropped=dropped,
    )


def _second_opinion(
    model: Model,
    folded: str,
    tokens: Sequence[Token],
    reported: Sequence[ReportKind],
    evidence: Sequence[EvidenceSpan],
    ranked: Sequence[tuple[ReportKind, float]],
    ignored: bool,
    language: str,
) -> tuple[tuple[ReportKind, ...], tuple[tuple[ReportKind, float], ...]]:
    """The lexicon's kinds the model drops, and the kinds it adds with their confidence.

    With a decision (the shipped model's), it chooses the kinds from the model's scores
    and the lexicon's reading; the lexicon's kinds it does not choose are dropped.
    Without one, a kind the lexicon reported that the model scores very low is dropped (a keyword
    out of its situation); then, where the lexicon has its own word, the model has
    none: a message with a negated complaint ("not damaged") or an ``ignore`` phrase
    ("change the colour") gets nothing from it, and a kind the lexicon saw but found
    too weak ("customs" alone), or that was just dropped, is not added.  The
    confidence is the model's probability, at most the confidence of the kind before
    it (``kinds`` stay ordered).
    """
    scores = model.scores(features(folded, tokens))
    silenced = ignored or any(e.negated for e in evidence)
    if model.decision is not None:
        reading = Reading(
            confidence=dict(ranked),
            seen=frozenset(e.kind for e in evidence if not e.negated),
            negated=frozenset(e.kind for e in evidence if e.negated),
            language=language,
            silenced=silenced,
        )
        probabilities = model.decision.probabilities(scores, reading)
        chosen = model.decision.chosen(probabilities, reading)
        dropped = [k for k in reported if k not in chosen]
        new = [k for k in chosen if k not in reported]
        return tuple(dropped), _ceiled(new, probabilities, ranked, dropped)
    dropped = model.dropped(scores, reported)
    kept = [k for k in reported if k not in dropped]
    if silenced:
        blocked: set[ReportKind] = set(ReportKind)
    else:
        blocked = {e.kind for e in evidence} - set(kept)
    added = model.added(scores, kept, blocked)
    probabilities = {k: 1 / (1 + math.exp(-scores[k])) for k in added}
    return tuple(dropped), _ceiled(added, probabilities, ranked, dropped)


def _ceiled(
    added: Sequence[ReportKind],
    probabilities: Mapping[ReportKind, float],
    ranked: Sequence[tuple[ReportKind, float]],
    dropped: Sequence[ReportKind],
) -> tuple[tuple[ReportKind, float], ...]:
    """The added kinds with their probability as confidence, each at most the one
    before it (the lexicon's kept kinds come first: ``kinds`` stay ordered)."""
    out: list[tuple[ReportKind, float]] = []
    before = [c for k, c in ranked if k not in dropped]
    ceiling = before[-1] if before else 1.0
    for kind in added:
        ceiling = min(ceiling, round(probabilities[kind], 3))
        out.append((kind, ceiling))
    return tuple(out)


def _negate(
    selected: Sequence[Match], negated: Callable[[Match], int], covered: bytearray
) -> list[Found]:
    """Each complaint or negated-term match with its negation.

    Negated terms go first: a negation that makes one a complaint ("não chegou") is
    used up and does not also negate what follows ("não chegou até agora").
    """
    out: list[Found] = []
    for match in selected:
        if match.term.role is Role.NEGATED:
            found = Found(match, negated(match))
            out.append(found)
            if found.negated:
                covered[found.cue : match.start] = b"\x01" * (match.start - found.cue)
    out += [Found(m, negated(m)) for m in selected if m.term.role is Role.COMPLAINT]
    return sorted(out, key=lambda f: (f.match.start, f.match.end))


def _weigh(
    found: Sequence[Found], folded: Folded, text: str, language: str, lex: Lexicon
) -> tuple[dict[ReportKind, float], dict[ReportKind, int], list[EvidenceSpan]]:
    """Each kind's score, where it was first seen, and the evidence.

    A word several languages list for one kind ("arrive", "arrivé") is one piece of
    evidence, negated when a negation of any of those languages stands before it.
    """
    groups: dict[tuple[int, int, ReportKind | None, Role], list[Found]] = {}
    for item in found:
        m = item.match
        groups.setdefault((m.start, m.end, m.term.kind, m.term.role), []).append(item)
    scores: dict[ReportKind, float] = {}
    first_seen: dict[ReportKind, int] = {}
    evidence: list[EvidenceSpan] = []
    for (_, end, kind, role), group in groups.items():
        if kind is None:
            continue
        best = next((f for f in group if f.match.term.language == language), group[0])
        cues = [f.cue for f in group if f.negated]
        cue = min(cues) if cues else -1
        if role is Role.NEGATED and cue < 0:
            continue  # "arrived" on its own says nothing
        counts = (cue >= 0) == (role is Role.NEGATED)
        match, term = best.match, best.match.term
        first, last = folded.span(cue if role is Role.NEGATED else match.start, end)
        evidence.append(
            EvidenceSpan(
                first,
                last,
                text[first:last],
                kind,
                term.language,
                term.text,
                negated=not counts,
                fuzzy=match.fuzzy,
            )
        )
        if counts:
            weight = term.weight * (lex.settings.fuzzy_weight if match.fuzzy else 1.0)
            scores[kind] = scores.get(kind, 0.0) + weight
            first_seen.setdefault(kind, match.start)
    return scores, first_seen, evidence
