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
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

import attrs

__all__ = [
    "BOUNDARY",
    "Folded",
    "Token",
    "fold",
    "fold_term",
    "han_count",
    "is_han",
    "latin_tokens",
]

_SPELLED: Final = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "ð": "d"}
_APOSTROPHES: Final = frozenset("’‘`´ʼ")
#: Characters that end a clause: a negation does not reach across them.
BOUNDARY: Final = frozenset('.,;:!?¡¿…\n\r\t()[]{}"/|<>«»—–，。；：！？、（）【】「」『』～')
_LATIN_TOKEN: Final = re.compile(r"[^\W_\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_HAN: Final = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
#: Per Chinese folding table (by identity, with the table kept alive): each
#: character's folded text, filled as characters are met.
_TABLES: dict[int, tuple[Mapping[str, str], dict[str, str], bool]] = {}
_MAX_TABLES: Final = 16


def is_han(char: str) -> bool:
    """True for a CJK ideograph (the script Chinese is matched in, character by character)."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF


def han_count(text: str) -> int:
    """How many CJK ideographs ``text`` holds."""
    return len(_HAN.findall(text))


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
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` of the folded ``text[start:end]``."""
        return self.origin[start], self.origin[end - 1] + 1


def _table(han: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """The folded text of each character met so far, and whether the Chinese table
    leaves ASCII alone (it always does unless a lexicon maps ASCII characters)."""
    entry = _TABLES.get(id(han))
    if entry is None or entry[0] is not han:
        if len(_TABLES) >= _MAX_TABLES:
            _TABLES.clear()
        entry = (han, {}, not any(key.isascii() for key in han))
        _TABLES[id(han)] = entry
    return entry[1], entry[2]


def fold(text: str, han: Mapping[str, str]) -> Folded:
    """Fold ``text`` for matching (see the module docstring)."""
    table, ascii_alone = _table(han)
    if ascii_alone and text.isascii() and "`" not in text:
        # NFKC and accents change no ASCII character: case folding is all there is.
        return Folded(text, text.lower(), range(len(text)))
    pieces: list[str] = []
    for char in text:
        folded = table.get(char)
        if folded is None:
            folded = _fold_char(char)
            if han:
                folded = "".join(han.get(c, c) for c in folded)
            table[char] = folded
        pieces.append(folded)
    joined = "".join(pieces)
    if len(joined) == len(text):
        return Folded(text, joined, range(len(text)))
    origin: list[int] = []
    for index, piece in enumerate(pieces):
        origin.extend([index] * len(piece))
    return Folded(text, joined, tuple(origin))


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
