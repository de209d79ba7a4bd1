"""Where a character of a YAML scalar's value is written in the file.

YAML rewrites a scalar on its way to the value: quotes and escapes go, indentation
goes, and line breaks fold into spaces (plain, quoted and ``>`` scalars) or stay
(``|``).  A problem found at a character of a condition must still be reported at
the line and column the author sees, so the value is walked alongside the source: a
character that matches is where the value's character came from; indentation,
quotes and escape backslashes are skipped; an end of line stands for a folded or
kept line break.  Anything else (``\\x41``, ``\\t``...) gives up: ``None``.
"""

from __future__ import annotations

__all__ = ["value_position"]

_SKIPPED = frozenset(" \t'\"\\")


def value_position(
    lines: list[str], line: int, column: int, value: str, index: int
) -> tuple[int, int] | None:
    """1-based line and column of ``value[index]``, for a scalar whose node starts at
    ``line``:``column`` (1-based, at its quote or block indicator), or ``None``."""
    if not 0 <= index < len(value) or not 0 < line <= len(lines):
        return None
    indicator = lines[line - 1][column - 1 : column]
    if indicator in ("|", ">"):
        row, col = line, 0  # the content starts on the next line (0-based row)
    elif indicator in ("'", '"'):
        row, col = line - 1, column
    else:
        row, col = line - 1, column - 1
    for position, char in enumerate(value):
        found = None
        while found is None:
            if row >= len(lines):
                return None
            text = lines[row]
            if col >= len(text):  # a line break: folded to a space, or kept
                if char in (" ", "\n"):
                    found = (row, col)
                row, col = row + 1, 0
            elif text[col] == char:
                found = (row, col)
                col += 1
            elif text[col] in _SKIPPED:
                col += 1
            else:
                return None
        if position == index:
            return found[0] + 1, found[1] + 1
    return None
