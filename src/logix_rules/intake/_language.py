"""Which language a message is in, from its script, common words and matched terms."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ._lexicon import Lexicon
from ._matching import Match
from ._text import Token, han_count

__all__ = ["UNDETERMINED", "detect_language", "primary_language"]

#: The BCP 47 code for a message with no words to tell its language by.
UNDETERMINED = "und"
#: What a matched term counts for its language, against one common word.
_TERM_VOTE = 2


def primary_language(tag: str) -> str:
    """``pt-BR`` -> ``pt``, ``zh_Hant`` -> ``zh``."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=64)
def _signs(markers: frozenset[str]) -> tuple[str, ...]:
    """The markers that are signs, not words."""
    return tuple(m for m in markers if not m.isalnum())


def detect_language(
    text: str, tokens: Sequence[Token], matches: Sequence[Match], lexicon: Lexicon
) -> str:
    """The lexicon language the message is most likely in, or ``und``.

    Chinese characters count two to a word: a message is in the Han-script language
    when they outweigh its other words.  Otherwise each Latin-script language scores
    one per common word of its own (``markers``; a marker that is a sign, such as ``¿``,
    per appearance) and two per matched term.
    """
    words = [t.text for t in tokens if t.text.isalpha()]
    han = han_count(text)
    han_languages = [k for k, v in lexicon.languages.items() if v.script == "han"]
    if han_languages and han and han / 2 >= len(words):
        return han_languages[0]
    scores: dict[str, int] = {}
    for language, entry in lexicon.languages.items():
        if entry.script != "latin":
            continue
        score = sum(1 for w in words if w in entry.markers)
        # Markers that are not words (Spanish ¿ and ¡) count where they appear.
        score += sum(text.count(m) for m in _signs(entry.markers))
        score += _TERM_VOTE * sum(1 for m in matches if m.term.language == language)
        scores[language] = score
    if not scores or max(scores.values()) == 0:
        return han_languages[0] if han_languages and han else UNDETERMINED
    return max(scores, key=lambda language: scores[language])
