"""The carrier SDK's error hierarchy.

Every failure talking to a carrier is a ``CarrierError``; callers that do not care
why a carrier failed catch that one class.  Errors name the carrier and, where it
helps, the tracking number, the HTTP status and what to do next.  They never carry
credentials: messages are built from URLs without query strings, and whatever
came from the carrier passes through the adapter's
:class:`~logix_carriers._secrets.Scrubber` (:meth:`CarrierError.scrub`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from ._secrets import Scrubber

__all__ = [
    "AuthError",
    "CarrierError",
    "CarrierUnavailable",
    "ConfigError",
    "DeadlineExceeded",
    "NotFound",
    "RateLimited",
    "ResponseFormatError",
    "ResponseTooLarge",
    "WebhookError",
    "redact",
]

_SNIPPET = 300


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-trivial secret, and its encoded forms, replaced by ``***``.

    Secrets shorter than four characters are left alone: replacing them would
    mangle ordinary words without protecting anything.
    """
    return Scrubber(secrets).text(text)


class CarrierError(Exception):
    """A carrier could not give an answer.

    ``carrier`` is the adapter code, ``status_code`` the HTTP status when there was
    a response.  ``str(error)`` is the full message; ``repr`` stays short.
    """

    def __init__(
        self,
        message: str,
        *,
        carrier: str | None = None,
        status_code: int | None = None,
        tracking_number: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.carrier = carrier
        self.status_code = status_code
        self.tracking_number = tracking_number

    def __str__(self) -> str:
        prefix = f"{self.carrier}: " if self.carrier else ""
        return prefix + self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def scrub(self, scrubber: Scrubber) -> Self:
        """Remove secrets from the message and arguments, in place; returns ``self``."""
        if scrubber:
            self.message = scrubber.text(self.message)
            self.args = tuple(scrubber.value(arg) for arg in self.args)
        return self


class AuthError(CarrierError):
    """The carrier rejected the credentials (401/403, or the token endpoint refused)."""


class RateLimited(CarrierError):
    """The carrier kept answering 429; ``retry_after`` is its last hint in seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        carrier: str | None = None,
        status_code: int | None = 429,
        tracking_number: str | None = None,
    ) -> None:
        super().__init__(
            message, carrier=carrier, status_code=status_code, tracking_number=tracking_number
        )
        self.retry_after = retry_after


class NotFound(CarrierError):
    """The carrier does not know the tracking number (or the endpoint)."""


class CarrierUnavailable(CarrierError):
    """The carrier could not be reached or kept failing (timeouts, connect errors, 5xx)."""


class DeadlineExceeded(CarrierUnavailable):
    """A call ran out of time as a whole (``request_deadline`` or ``track_deadline``).

    Per-operation timeouts bound each connect, read and write; a server that sends
    one byte at a time never trips them, the overall deadline does.
    """


class ResponseFormatError(CarrierError):
    """The carrier answered something that is not what its API documents.

    ``raw`` keeps the payload (decoded JSON when it decoded, text otherwise) so the
    caller can log or file it; it is not part of the message or the repr.
    """

    def __init__(
        self,
        message: str,
        *,
        raw: Any = None,
        carrier: str | None = None,
        status_code: int | None = None,
        tracking_number: str | None = None,
    ) -> None:
        super().__init__(
            message, carrier=carrier, status_code=status_code, tracking_number=tracking_number
        )
        self.raw = raw

    def scrub(self, scrubber: Scrubber) -> Self:
        super().scrub(scrubber)
        if scrubber:
            self.raw = scrubber.value(self.raw)
        return self


class ResponseTooLarge(ResponseFormatError):
    """The answer's body, once decompressed, is larger than ``max_body_bytes``.

    Reading stops at the limit, so a compression bomb costs no more memory than
    the limit; ``raw`` is None.
    """


class ConfigError(CarrierError):
    """A setting is missing or invalid; ``variable`` names the environment variable."""

    def __init__(
        self, message: str, *, variable: str | None = None, carrier: str | None = None
    ) -> None:
        super().__init__(message, carrier=carrier)
        self.variable = variable


class WebhookError(CarrierError):
    """A webhook delivery was rejected: bad or missing signature, stale or malformed body."""


def snippet(text: str, secrets: Iterable[str] = ()) -> str:
    """A short, redacted excerpt of a response body for error messages."""
    text = redact(text, secrets).strip()
    if len(text) > _SNIPPET:
        text = text[:_SNIPPET] + "…"
    return text
