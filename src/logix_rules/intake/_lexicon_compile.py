"""Compiling a read ``Draft`` into a ``Lexicon``: terms folded and parsed into words.

A term is words, ``stem*``, ``#`` (a number), ``..``/``...`` (a gap) and a trailing
``$`` or ``?`` anchor, or a run of Chinese characters.  Problems join the draft's
issues; any issue raises one ``LexiconError`` with all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..compiler._suggest import suggest
from ..core._errors import ErrorCode, PackIssue
from ._errors import LexiconError
from ._kinds import MissingField, ReportKind
from ._lexicon import LanguageWords, Lexicon, Role, Settings, Term, Word, WordKind
from ._lexicon_draft import MAX_TERMS, Draft, RawTerm
from ._text import fold_term, is_han, latin_tokens

__all__ = ["compile_draft"]


def _split_anchor(folded: str) -> tuple[str, str]:
    """``folded`` without a trailing ``$`` or ``?``, and that anchor ('' if none)."""
    body = folded.rstrip()
    if len(body) > 1 and body[-1] in "$?":
        return body[:-1].rstrip(), body[-1]
    return body, ""


def _phrase(text: str, folded: str) -> tuple[tuple[Word, ...], str, str]:
    """The words of a phrase, its anchor, and a problem ('' if none)."""
    body, anchor = _split_anchor(folded)
    words: list[Word] = []
    for piece in body.split():
        if piece == "#":
            words.append(Word("", WordKind.NUMBER))
            continue
        if piece in ("..", "..."):
            words.append(Word("", WordKind.GAP if piece == ".." else WordKind.SENTENCE_GAP))
            continue
        prefix = piece.endswith("*")
        tokens = latin_tokens(piece.rstrip("*"))
        if not tokens or (prefix and "*" in piece.rstrip("*")):
            return (), "", f"{piece!r} is not a word"
        for index, token in enumerate(tokens):
            is_stem = prefix and index == len(tokens) - 1
            if is_stem and len(token.text) < 3:
                return (), "", f"the stem {token.text!r}* is shorter than 3 letters"
            words.append(Word(token.text, WordKind.PREFIX if is_stem else WordKind.EXACT))
    gaps = (WordKind.GAP, WordKind.SENTENCE_GAP)
    if not words or all(w.kind in gaps for w in words):
        return (), "", f"{text!r} has no word to match"
    if words[0].kind in gaps or words[-1].kind in gaps:
        return (), "", "'..' goes between two words ('...' too)"
    return tuple(words), anchor, ""


def _compile_term(draft: Draft, raw: RawTerm, han: Mapping[str, str]) -> Term | None:
    folded = fold_term(raw.text, han)
    if any(is_han(c) for c in folded) or not latin_tokens(folded.replace("#", "")):
        body, anchor = _split_anchor(folded)
        chars = "".join(body.split())
        if not chars.replace("#", ""):
            draft.issue(raw.doc, raw.at, f"{raw.text!r} has nothing to match", "", raw.text)
            return None
        return Term(
            raw.text, raw.language, raw.role, raw.kind, raw.weight, chars=chars, anchor=anchor
        )
    words, anchor, problem = _phrase(raw.text, folded)
    if problem:
        draft.issue(
            raw.doc,
            raw.at,
            problem,
            "A term is words, 'stem*', '#' (a number), '..' or '...' (a gap), and '$' or '?' "
            "at the end.",
            raw.text,
        )
        return None
    return Term(raw.text, raw.language, raw.role, raw.kind, raw.weight, words=words, anchor=anchor)


def compile_draft(draft: Draft) -> Lexicon:
    han = MappingProxyType(dict(draft.han_fold))
    declared = set(draft.scripts)
    terms: list[Term] = []
    seen: set[tuple[str, str, Role, ReportKind | None]] = set()
    for raw in draft.terms:
        if raw.language not in declared:
            draft.issue(
                raw.doc,
                raw.at,
                f"language {raw.language!r} is not declared under 'languages'"
                + suggest(raw.language, sorted(declared)),
                "Declare it (languages: {xx: {markers: [...], negations: [...]}}).",
                raw.language,
            )
            continue
        term = _compile_term(draft, raw, han)
        if term is None:
            continue
        key = (term.language, raw.text.casefold(), term.role, term.kind)
        if key not in seen:
            seen.add(key)
            terms.append(term)
    if len(terms) > MAX_TERMS:
        draft.issues.append(
            PackIssue(
                ErrorCode.BAD_LEXICON,
                f"{len(terms):,} terms, more than {MAX_TERMS:,}",
                file=draft.files[-1] if draft.files else "<lexicon>",
                hint="Keep the terms that matter.",
            )
        )

    def words(language: str, field: str) -> frozenset[str]:
        return frozenset(
            fold_term(word, han).strip() for word, _, _ in draft.words.get((language, field), [])
        )

    languages = {
        language: LanguageWords(
            script=script,
            markers=words(language, "markers"),
            negations=words(language, "negations"),
            breaks=words(language, "breaks"),
            numbers=words(language, "numbers"),
        )
        for language, script in draft.scripts.items()
    }
    if draft.issues:
        raise LexiconError(draft.issues)
    return Lexicon(
        name=draft.name,
        version=draft.version,
        settings=Settings(**draft.settings),  # type: ignore[arg-type]
        languages=MappingProxyType(languages),
        terms=tuple(terms),
        requires=MappingProxyType(
            {kind: draft.requires.get(kind, (MissingField.TRACKING_NUMBER,)) for kind in ReportKind}
        ),
        han_fold=han,
        files=tuple(draft.files),
    )
