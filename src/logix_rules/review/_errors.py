"""The review's typed errors: a stable code, where, what was wrong, the input
(truncated) and what to do."""

from __future__ import annotations

from ..core._errors import CodedError

__all__ = ["ReviewError"]


class ReviewError(CodedError):
    """A report could not be made as asked: ``bad_review_period`` (a period or kind
    that is not one) or ``review_extra_missing`` (HTML charts need the ``review``
    extra).  See docs/errors.md."""

    def _line(self) -> str:
        return f"{self.loc}: {super()._line()}"
