"""The service's typed errors: a code, where, what was wrong, and what to do."""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode, LogixError, clip_input

__all__ = ["ServiceError"]


class ServiceError(LogixError, ValueError):
    """The service cannot start or do what it was asked (see docs/errors.md)."""

    def __init__(
        self, code: ErrorCode, loc: str, msg: str, *, input: Any = None, hint: str = ""
    ) -> None:
        self.code = code
        self.loc = loc
        self.msg = msg
        self.input = clip_input(input)
        self.hint = hint
        super().__init__(f"{code.value}: {msg}{f' ({hint})' if hint else ''}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "loc": self.loc,
            "msg": self.msg,
            "input": self.input,
            "hint": self.hint,
        }
