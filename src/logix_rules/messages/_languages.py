"""Language tags: their normal spelling, the fallback chain, and the Babel locale.

A template is looked up for the tag asked for, then for each shorter tag
(``zh-Hant-TW`` → ``zh-Hant`` → ``zh``), then for the other variants of the same
language that have templates (``pt-PT`` → ``pt-BR``), then in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from babel import Locale, UnknownLocaleError

from ..core._errors import ErrorCode
from ._errors import MessageError

__all__ = ["FALLBACK", "formatting_locale", "language_chain", "normal_tag", "primary"]

#: The language every chain ends with: every scenario has an English template.
FALLBACK: Final = "en"

_TAG: Final = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def normal_tag(tag: str) -> str:
    """``tag`` spelled as BCP 47 writes it: ``pt_br`` → ``pt-BR``, ``zh-hant`` → ``zh-Hant``."""
    text = tag.strip() if isinstance(tag, str) else tag
    if not isinstance(text, str) or not _TAG.match(text):
        raise MessageError(
            ErrorCode.BAD_MESSAGE_OPTION,
            f"{tag!r} is not a language tag; write e.g. en, zh-CN, pt-BR, es, de or fr",
            loc="lang",
            input=tag,
        )
    first, *rest = text.replace("_", "-").split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())  # a script: Hant, Latn
        elif len(part) in (2, 3):
            parts.append(part.upper())  # a region: BR, 419
        else:
            parts.append(part.lower())
    return "-".join(parts)


def primary(tag: str) -> str:
    """The language of ``tag``: ``pt`` of ``pt-BR``."""
    return tag.split("-", 1)[0]


def language_chain(tag: str, available: Iterable[str] = ()) -> tuple[str, ...]:
    """The languages to look in, in order, for ``tag`` (see the module's docstring).

    ``available`` are the languages that have templates; only they can add variants.
    """
    tag = normal_tag(tag)
    parts = tag.split("-")
    chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    chain += sorted(lang for lang in available if primary(lang) == parts[0])
    chain.append(FALLBACK)
    return tuple(dict.fromkeys(chain))


@lru_cache(maxsize=64)
def formatting_locale(asked: str, found: str) -> Locale:
    """The Babel locale dates and amounts are written in.

    The recipient's own tag (``pt-PT``) when the template is in that language, so a
    Portuguese text shows Portugal's formats; otherwise the template's language, so
    an English fallback does not carry another language's month names.
    """
    for tag in (asked, found, FALLBACK) if primary(asked) == primary(found) else (found, FALLBACK):
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(FALLBACK)
