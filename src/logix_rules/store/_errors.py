"""The store's typed errors: each carries a stable code, where it was found, what was
wrong, the offending input (truncated) and what to do."""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode, LogixError

__all__ = ["StoreError", "truncate"]

_MAX_INPUT = 200


def truncate(value: Any) -> Any:
    """``value`` cut to a printable size (URLs, notes and ids can be long)."""
    if isinstance(value, str) and len(value) > _MAX_INPUT:
        return value[: _MAX_INPUT - 3] + "..."
    return value


class StoreError(LogixError, ValueError):
    """A store could not be opened or used as asked.

    ``code`` says which problem (see docs/errors.md), ``loc`` where (``"url"``,
    ``"schema"``, ``"purge"``...), ``msg`` what was wrong, ``input`` what was given
    (truncated; a password in a URL is masked) and ``hint`` what to do.
    """

    def __init__(
        self, code: ErrorCode, loc: str, msg: str, *, input: Any = None, hint: str = ""
    ) -> None:
        self.code = code
        self.loc = loc
        self.msg = msg
        self.input = truncate(input)
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
