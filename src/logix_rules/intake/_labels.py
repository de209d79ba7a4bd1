"""A wrong item told as a form: "Ordered: size M, green. Received: size S, yellow."

A customer who lists what was ordered and what came, each after a label and a colon,
reports a wrong item whatever the values are; the two labels are often sentences of
their own ("Bestellt: Pullover Gr. M. Gekommen: Gr. S."), which no lexicon phrase
reaches across.  The labels are the lexicon's ``ordered_cues`` and ``received_cues``
(the words the counts rule reads), each followed by a colon.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._kinds import ReportKind
from ._lexicon import Role, Term
from ._matching import Found, Match

__all__ = ["may_label", "ordered_received_labels"]

_LABEL_ROLES = (Role.ORDERED, Role.RECEIVED)


def may_label(text: str) -> bool:
    """Whether ``text`` may hold a label (a colon): else its cues need not be found."""
    return ":" in text


def _is_label(text: str, match: Match) -> bool:
    return text[match.end : match.end + 3].lstrip(" ").startswith(":")


def ordered_received_labels(
    text: str, fields: Sequence[Match], language: str, found: Sequence[Found]
) -> list[Found]:
    """``found`` with a wrong-item finding when an ordered label and a received label
    both stand in ``text`` (and no missing item was found: "Ordered: 3. Got: 2" is
    the counts rule's)."""
    labels = [m for m in fields if m.term.role in _LABEL_ROLES and _is_label(text, m)]
    if any(m.term.language == language for m in labels):
        labels = [m for m in labels if m.term.language == language]
    if len({m.term.role for m in labels}) < 2:
        return list(found)
    if any(f.match.term.kind is ReportKind.MISSING_ITEMS and not f.negated for f in found):
        return list(found)
    last = max(labels, key=lambda m: m.start)
    term = Term("ordered: .. received:", language, Role.COMPLAINT, ReportKind.WRONG_ITEM)
    return [*found, Found(Match(term, last.start, last.end))]
