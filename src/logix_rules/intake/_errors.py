"""``LexiconError``: a lexicon file that cannot be used, with every problem located."""

from __future__ import annotations

from collections.abc import Sequence

from ..core._errors import ErrorCode, LogixError, PackIssue

__all__ = ["LexiconError"]


class LexiconError(LogixError, ValueError):
    """A lexicon could not be loaded; ``issues`` holds every problem found, sorted.

    Each issue is located (``file:line:column``) and says what to do.  Its code is
    ``bad_lexicon``, or ``yaml_syntax``/``yaml_too_complex`` when the file is not YAML
    the loader accepts.
    """

    code = ErrorCode.BAD_LEXICON

    def __init__(self, issues: Sequence[PackIssue]) -> None:
        self.issues: list[PackIssue] = sorted(issues, key=PackIssue.sort_key)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in lexicon"
        super().__init__("\n".join([head, *(f"  {issue}" for issue in self.issues)]))
