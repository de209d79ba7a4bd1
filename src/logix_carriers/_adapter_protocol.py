"""What an adapter is: the :class:`CarrierAdapter` protocol and its :class:`Capabilities`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import SecretStr

from ._http_pacing import RateLimit
from ._model import TrackingEvent
from ._settings import AdapterSettings
from ._track_result import TrackResult

__all__ = ["AuthKind", "Capabilities", "CarrierAdapter", "chunked"]

AuthKind = Literal["none", "api_key", "oauth2", "basic"]


@dataclass(frozen=True)
class Capabilities:
    """What a carrier's API offers and allows.

    ``batch_size`` is how many numbers one request may carry; ``rate_limit`` the
    documented request limit the adapter's token bucket follows; ``auth`` how it
    authenticates (shown by ``logix carriers``).
    """

    batch_size: int = 1
    webhooks: bool = False
    signs_webhooks: bool = False
    rate_limit: RateLimit | None = None
    auth: AuthKind = "none"

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("Capabilities.batch_size must be at least 1")
        if self.signs_webhooks and not self.webhooks:
            raise ValueError("signs_webhooks=True needs webhooks=True")

    def describe(self) -> str:
        """One line such as ``batch 40, 3 requests/s, api_key, signed webhooks``."""
        parts = [f"batch {self.batch_size}"]
        parts.append(self.rate_limit.describe() if self.rate_limit else "no documented limit")
        parts.append(f"auth {self.auth}")
        if self.webhooks:
            parts.append("signed webhooks" if self.signs_webhooks else "unsigned webhooks")
        return ", ".join(parts)


@runtime_checkable
class CarrierAdapter(Protocol):
    """What the rest of logix needs from a carrier adapter.

    ``code``, ``name``, ``settings_model`` and ``capabilities`` are readable on the
    class as well (the registry lists adapters without instantiating them).
    """

    @property
    def code(self) -> str:
        """Lower-case identifier, e.g. ``"dhl"``; also the ``carrier`` of its events."""
        ...

    @property
    def name(self) -> str:
        """Human name, e.g. ``"DHL Shipment Tracking - Unified"``."""
        ...

    @property
    def settings_model(self) -> type[AdapterSettings]: ...

    @property
    def capabilities(self) -> Capabilities: ...

    def track(self, numbers: Iterable[str]) -> TrackResult:
        """Fetch and normalize the events of ``numbers``; per-number failures are problems."""
        ...

    async def atrack(self, numbers: Iterable[str]) -> TrackResult:
        """The async twin of :meth:`track`."""
        ...

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        """Normalize one decoded tracking response; pure, no I/O, no credentials needed."""
        ...

    def parse_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret: str | SecretStr | None = None,
    ) -> list[TrackingEvent]:
        """Verify and normalize a webhook delivery; :class:`WebhookError` when rejected."""
        ...


def chunked(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
