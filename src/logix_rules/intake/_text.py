"""Folding a message for matching, with a way back to the original's offsets.

A message is folded one character at a time: NFKC (full-width ``ＬＸ`` becomes ``LX``),
case folding, accents dropped (``não`` matches ``nao``, ``beschädigt`` matches
``beschadigt``), a few ligatures spelled out, and traditional Chinese characters
mapped to simplified ones through the lexicon's table.  Each folded character
remembers the original character it came from, so every match is reported as a span
of the text the customer wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

import attrs

__all__ = ["BOUNDARY", "Folded", "Token", "fold", "fold_term", "is_han", "latin_tokens"]

_SPELLED: Final = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "ð": "d"}
_APOSTROPHES: Final = frozenset("’‘`´ʼ")
#: Characters that end a clause: a negation does not reach across them.
BOUNDARY: Final = frozenset('.,;:!?¡¿…\n\r\t()[]{}"/|<>«»—–，。；：！？、（）【】「」『』～')
_LATIN_TOKEN: Final = re.compile(r"[^\W_\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")


def is_han(char: str) -> bool:
    """True for a CJK ideograph (the script Chinese is matched in, character by character)."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    folded = unicodedata.normalize("NFKC", char).casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_SPELLED.get(c, c) for c in plain)


@attrs.frozen
class Folded:
    """``text`` folded; ``origin[i]`` is the index in ``original`` of folded char ``i``."""

    original: str
    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` of the folded ``text[start:end]``."""
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str, han: Mapping[str, str]) -> Folded:
    """Fold ``text`` for matching (see the module docstring)."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if han:
            folded = "".join(han.get(c, c) for c in folded)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return Folded(text, "".join(pieces), tuple(origin))


def fold_term(term: str, han: Mapping[str, str]) -> str:
    """A lexicon entry folded the way messages are."""
    return fold(term, han).text


@attrs.frozen
class Token:
    """A word of a Latin-script language: its folded text and folded offsets."""

    text: str
    start: int
    end: int


def latin_tokens(folded: str) -> list[Token]:
    """The words of ``folded`` outside Chinese (and Japanese) script runs."""
    return [Token(m.group(), m.start(), m.end()) for m in _LATIN_TOKEN.finditer(folded)]
