"""The service's typed errors: a code, where, what was wrong, and what to do."""

from __future__ import annotations

from ..core._errors import CodedError

__all__ = ["ServiceError"]


class ServiceError(CodedError):
    """The service cannot start or do what it was asked (see docs/errors.md)."""
