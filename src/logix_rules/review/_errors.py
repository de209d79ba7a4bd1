"""The review's typed errors: a stable code, where, what was wrong, the input
(truncated) and what to do."""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode, LogixError, clip_input

__all__ = ["ReviewError"]


class ReviewError(LogixError, ValueError):
    """A report could not be made as asked: ``bad_review_period`` (a period or kind
    that is not one) or ``review_extra_missing`` (HTML charts need the ``review``
    extra).  See docs/errors.md."""

    def __init__(
        self, code: ErrorCode, loc: str, msg: str, *, input: Any = None, hint: str = ""
    ) -> None:
        self.code = code
        self.loc = loc
        self.msg = msg
        self.input = clip_input(input)
        self.hint = hint
        super().__init__(f"{loc}: {code.value}: {msg}{f' ({hint})' if hint else ''}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "loc": self.loc,
            "msg": self.msg,
            "input": self.input,
            "hint": self.hint,
        }
