"""The service's settings, read from the environment once at start.

Secrets (API tokens, the session secret, the relay's key) are kept as ``SecretStr`` so
that no ``repr``, log line or error shows them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs
from pydantic import SecretStr

from ..core._errors import ErrorCode
from ._errors import ServiceError

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_POLL_INTERVAL", "ServiceSettings"]

#: Webhook bodies above this many bytes are refused with 413.
DEFAULT_MAX_BODY = 1024 * 1024
#: Seconds between two polls of one parcel of a carrier without push.
DEFAULT_POLL_INTERVAL = 600.0
#: The hosts ``--dev`` may bind without secrets: this machine only.
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _number(env: Mapping[str, str], name: str, default: float, *, least: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= least:  # also refuses nan
        raise ServiceError(
            ErrorCode.BAD_SERVICE_SETTING,
            name,
            f"{name} must be a number of at least {least:g}, got {raw[:40]!r}",
            hint=f"set {name} to a number, or unset it for the default {default:g}",
        )
    return value


@attrs.frozen
class ServiceSettings:
    """What the service needs to know that is not the store or the pack.

    ``from_env()`` reads ``LOGIX_API_TOKENS`` (comma-separated bearer tokens),
    ``LOGIX_SESSION_SECRET`` (signs the desk's cookies), ``LOGIX_WEBHOOK_MAX_BYTES``,
    ``LOGIX_CLOCK_INTERVAL`` (seconds between two ``advance`` calls),
    ``LOGIX_<CARRIER>_POLL_INTERVAL`` (seconds), ``LOGIX_POLL_CARRIERS`` (which
    carriers to poll; default: every configured one without push), ``LOGIX_RELAY_URL``,
    ``LOGIX_RELAY_SECRET``, ``LOGIX_RELAY_MAX_ATTEMPTS``, ``LOGIX_DB_POOL`` and
    ``LOGIX_DESK_REFRESH`` (seconds between two reloads of an idle desk queue; 0: never).
    """

    api_tokens: tuple[SecretStr, ...] = ()
    session_secret: SecretStr | None = None
    max_body: int = DEFAULT_MAX_BODY
    clock_interval: float = 5.0
    poll_intervals: Mapping[str, float] = attrs.field(factory=dict)
    poll_carriers: tuple[str, ...] | None = None
    relay_url: str | None = None
    relay_secret: SecretStr | None = None
    relay_max_attempts: int = 8
    long_poll_max: float = 30.0
    pool_size: int = 8
    desk_refresh: int = 60

    def poll_interval(self, carrier: str) -> float:
        return self.poll_intervals.get(carrier, DEFAULT_POLL_INTERVAL)

    def token_ok(self, token: str) -> bool:
        """Whether ``token`` is one of the API tokens (constant time for each)."""
        import hmac

        given = token.encode()
        found = False
        for known in self.api_tokens:
            found |= hmac.compare_digest(known.get_secret_value().encode(), given)
        return found

    def require_safe(self, host: str, *, dev: bool = False) -> None:
        """Refuse (``unsafe_service``) to serve without a session secret and an API
        token, unless bound only to the loopback interface with ``dev=True``."""
        missing = [
            name
            for name, absent in (
                ("LOGIX_SESSION_SECRET", self.session_secret is None),
                ("LOGIX_API_TOKENS", not self.api_tokens),
            )
            if absent
        ]
        if not missing or (dev and host in _LOOPBACK):
            return
        hint = f"set {' and '.join(missing)}"
        if host in _LOOPBACK:
            hint += ", or pass --dev to try it on this machine only"
        raise ServiceError(
            ErrorCode.UNSAFE_SERVICE,
            "serve",
            f"refusing to serve on {host} without {' and '.join(missing)}",
            input=host,
            hint=hint,
        )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, carriers: tuple[str, ...] = ()
    ) -> ServiceSettings:
        env = os.environ if environ is None else environ
        tokens = tuple(
            SecretStr(t.strip()) for t in env.get("LOGIX_API_TOKENS", "").split(",") if t.strip()
        )
        secret = env.get("LOGIX_SESSION_SECRET", "").strip()
        relay_secret = env.get("LOGIX_RELAY_SECRET", "").strip()
        intervals = {
            code: _number(
                env, f"LOGIX_{code.upper()}_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, least=1
            )
            for code in carriers
        }
        poll = env.get("LOGIX_POLL_CARRIERS")
        return cls(
            api_tokens=tokens,
            session_secret=SecretStr(secret) if secret else None,
            max_body=int(_number(env, "LOGIX_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BODY, least=1)),
            clock_interval=_number(env, "LOGIX_CLOCK_INTERVAL", 5.0, least=0.05),
            poll_intervals=intervals,
            poll_carriers=None
            if poll is None
            else tuple(c.strip().lower() for c in poll.split(",") if c.strip()),
            relay_url=env.get("LOGIX_RELAY_URL", "").strip() or None,
            relay_secret=SecretStr(relay_secret) if relay_secret else None,
            relay_max_attempts=int(_number(env, "LOGIX_RELAY_MAX_ATTEMPTS", 8, least=1)),
            pool_size=int(_number(env, "LOGIX_DB_POOL", 8, least=1)),
            desk_refresh=int(_number(env, "LOGIX_DESK_REFRESH", 60, least=0)),
        )
