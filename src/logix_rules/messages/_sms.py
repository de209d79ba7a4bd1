"""SMS length: GSM-7 or UCS-2, and how many segments a text takes.

One SMS carries 160 GSM-7 characters (3GPP TS 23.038's default alphabet) or 70 UCS-2
code units.  A longer text is sent as concatenated segments of 153 and 67, since
each segment loses room to its header.  The extension table's characters
(``^{}\\[~]|€`` and form feed) take two septets, and neither an escape pair nor a
surrogate pair is split across segments.
"""

from __future__ import annotations

import unicodedata
from typing import Final, Literal

import attrs

__all__ = ["SmsCount", "count_sms", "fold_to_gsm", "is_gsm7"]

_GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION: Final = frozenset("^{}\\[~]|€\f")

SINGLE: Final = {"GSM-7": 160, "UCS-2": 70}
MULTI: Final = {"GSM-7": 153, "UCS-2": 67}

# Typography that has a plain GSM-7 twin: Babel's (narrow) no-break spaces, curly
# quotes, dashes and the ellipsis would otherwise turn a whole SMS into UCS-2.
_PLAIN: Final = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
    }
)


@attrs.frozen
class SmsCount:
    """How an SMS text is sent: its ``encoding``, its length in that encoding's
    units (septets or UTF-16 code units) and the number of ``segments``."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 alphabet or its extension."""
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text)


def count_sms(text: str) -> SmsCount:
    """The encoding, length and segment count of ``text`` sent as one SMS message."""
    if is_gsm7(text):
        sizes = [2 if ch in _GSM_EXTENSION else 1 for ch in text]
        encoding: Literal["GSM-7", "UCS-2"] = "GSM-7"
    else:
        sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        encoding = "UCS-2"
    units = sum(sizes)
    if units <= SINGLE[encoding]:
        return SmsCount(encoding, units, 1 if units else 0)
    room, segments, used = MULTI[encoding], 1, 0
    for size in sizes:  # greedy, never splitting a two-unit character
        if used + size > room:
            segments, used = segments + 1, 0
        used += size
    return SmsCount(encoding, units, segments)


def fold_to_gsm(text: str) -> str:
    """``text`` in GSM-7 where only typography and accents stand in the way.

    Curly quotes, dashes and no-break spaces become their plain twins, and letters
    GSM-7 lacks lose their accents (``ã`` → ``a``, ``ç`` → ``c``), but only when that
    makes the whole text GSM-7: a Chinese SMS is sent in UCS-2 as written, and so is
    any text with a character that has no GSM-7 form.
    """
    plain = text.translate(_PLAIN)
    if is_gsm7(plain):
        return plain
    folded = "".join(ch if ch in _GSM_BASIC or ch in _GSM_EXTENSION else _bare(ch) for ch in plain)
    return folded if is_gsm7(folded) else text


def _bare(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
