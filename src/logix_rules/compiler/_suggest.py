"""``suggest``: the "Did you mean ...?" that error messages end with."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["suggest"]


def suggest(word: str, options: Iterable[str]) -> str:
    """``" Did you mean 'x'?"`` for the closest option, or ``""``."""
    choices = list(options)
    folded = [c for c in choices if c.casefold() == word.casefold()]
    match = folded or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""
