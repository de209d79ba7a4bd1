"""The outbound relay: POST each change to a configured URL, signed, in seq order.

Each delivery is a JSON body (the change as the feed gives it) with the headers
``X-Logix-Timestamp`` (Unix seconds) and ``X-Logix-Signature: sha256=<hex>``, the
HMAC-SHA256 under the relay secret of ``<timestamp>.<body>``; ``verify_relay`` checks
one on the receiving side.  A failed delivery (no answer, or not 2xx) is retried with
exponential backoff and jitter; after ``max_attempts`` failures it goes to the dead
letters (shown on the desk and at ``/api/v1/dead-letters``) and the relay moves on.
Only one process relays at a time (a lease in the store); its cursor is the feed
consumer ``logix-relay``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import httpx

from ..runtime._incidents import Change
from ..store._codec import moment
from ..store._db import wall_micros
from ..store._feed import ChangeFeed
from ..store._store import Store
from ._leases import take_lease
from ._metrics import Metrics

__all__ = [
    "RELAY_CONSUMER",
    "DeadLetter",
    "Relay",
    "dead_letters",
    "sign_relay",
    "verify_relay",
]

log = logging.getLogger("logix.service.relay")

RELAY_CONSUMER = "logix-relay"
_LEASE = 30.0  # seconds a relay holds its lease between renewals


def sign_relay(secret: str | bytes, body: bytes, timestamp: int) -> str:
    """The ``X-Logix-Signature`` of ``body`` sent at ``timestamp``."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_relay(
    secret: str | bytes,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """Whether a relayed delivery is authentic and fresh (for the receiving OMS)."""
    if not timestamp.isdigit():
        return False
    sent = int(timestamp)
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign_relay(secret, body, sent), signature.strip())


@attrs.frozen
class DeadLetter:
    """A change the relay gave up on: its seq, id, attempts and last error."""

    seq: int
    change_id: str
    attempts: int
    last_error: str
    failed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "change_id": self.change_id,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "failed_at": self.failed_at.isoformat().replace("+00:00", "Z"),
        }


def dead_letters(store: Store, *, limit: int = 100) -> list[DeadLetter]:
    """The relay's dead letters, newest first."""
    db = store.db
    with db.transaction(write=False):
        rows = db.execute(
            "SELECT seq, change_id, attempts, last_error, failed_at FROM relay_dead_letters "
            "ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
    return [
        DeadLetter(int(seq), str(cid), int(n), str(err), moment(int(at)))
        for seq, cid, n, err, at in rows
    ]


class Relay:
    """Delivers the feed to ``url``; ``step`` does one round and says when to call
    it again (seconds).  ``client`` is the httpx seam (a ``MockTransport`` in tests)."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        max_attempts: int = 8,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        metrics: Metrics | None = None,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._secret = secret.encode()
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.client = client if client is not None else httpx.Client(timeout=timeout)
        self.metrics = metrics if metrics is not None else Metrics()
        self.holder = uuid.uuid4().hex
        self._attempts: dict[int, int] = {}
        self._jitter = jitter
        self._now = now

    def __repr__(self) -> str:  # never the secret
        return f"<Relay to {self.url!r}>"

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: doubling, capped, with jitter
        (between half and all of it, so retries of many relays spread out)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (attempts - 1))
        return delay * (0.5 + self._jitter() / 2)

    def deliver(self, change: Change) -> str | None:
        """POST one change; None when the receiver took it, else why not."""
        body = json.dumps(change.to_dict(mask=False), separators=(",", ":")).encode()
        stamp = int(self._now())
        headers = {
            "content-type": "application/json",
            "x-logix-timestamp": str(stamp),
            "x-logix-signature": sign_relay(self._secret, body, stamp),
            "x-logix-change-id": change.id,
        }
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {str(exc)[:200]}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def step(self, store: Store, *, batch: int = 100) -> float:
        """Deliver what is pending, in seq order; the seconds to wait before the next
        step (a backoff after a failure, a short pause when idle)."""
        if not take_lease(store.db, "relay", self.holder, _LEASE):
            return _LEASE / 3
        feed = ChangeFeed(store, RELAY_CONSUMER)
        changes = feed.poll(limit=batch)
        for change in changes:
            seq = change.seq or 0
            problem = self.deliver(change)
            if problem is None:
                self._attempts.pop(seq, None)
                feed.commit(seq)
                self.metrics.inc("logix_relay_deliveries_total", outcome="delivered")
                continue
            attempts = self._attempts.get(seq, 0) + 1
            self._attempts[seq] = attempts
            self.metrics.inc("logix_relay_deliveries_total", outcome="failed")
            log.warning("relay: change seq %d failed (attempt %d): %s", seq, attempts, problem)
            if attempts < self.max_attempts:
                return self.backoff(attempts)
            self._bury(store, change, attempts, problem)
            self._attempts.pop(seq, None)
            feed.commit(seq)
            self.metrics.inc("logix_relay_deliveries_total", outcome="dead_letter")
        return 0.0 if len(changes) == batch else 0.5

    def _bury(self, store: Store, change: Change, attempts: int, problem: str) -> None:
        db = store.db
        with db.transaction(write=True):
            db.execute(
                "INSERT INTO relay_dead_letters (seq, change_id, attempts, last_error, "
                "failed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
                (change.seq, change.id, attempts, problem[:500], wall_micros()),
            )

    def close(self) -> None:
        self.client.close()
