"""The store's typed errors: each carries a stable code, where it was found, what was
wrong, the offending input (truncated) and what to do."""

from __future__ import annotations

from typing import Any

from ..core._errors import CodedError

__all__ = ["StoreError", "truncate"]

_MAX_INPUT = 200


def truncate(value: Any) -> Any:
    """``value`` cut to a printable size (URLs, notes and ids can be long)."""
    if isinstance(value, str) and len(value) > _MAX_INPUT:
        return value[: _MAX_INPUT - 3] + "..."
    return value


class StoreError(CodedError):
    """A store could not be opened or used as asked.

    ``code`` says which problem (see docs/errors.md), ``loc`` where (``"url"``,
    ``"schema"``, ``"purge"``...), ``msg`` what was wrong, ``input`` what was given
    (truncated; a password in a URL is masked) and ``hint`` what to do.
    """

    def _clip(self, value: Any) -> Any:
        return truncate(value)
