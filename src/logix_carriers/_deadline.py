"""Overall deadlines: how long one request, or one ``track()`` call, may take in all.

httpx's timeouts bound each operation (a connect, one read, one write).  A server
that sends one byte every half second never trips a one-second read timeout and
can hold a call for as long as it likes.  A :class:`Deadline` bounds the whole:

* the session checks it before every attempt and pause, and between the chunks of
  a streamed body (on the injected :class:`~logix_carriers._http_pacing.Clock`);
* async calls run each attempt inside ``asyncio.timeout``;
* sync calls cannot be interrupted from outside, so :func:`arm` wraps the socket
  layer of an ``httpx.Client``: while :func:`bounded_by` is active in the calling
  thread, every connect, read and write waits at most until the deadline, then
  fails with a timeout.  That is what stops a server trickling its headers.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from ._http_pacing import Clock

__all__ = ["Deadline", "arm", "bounded_by"]


@dataclass(frozen=True)
class Deadline:
    """A point on ``clock``'s monotonic scale; ``label`` names it in messages."""

    at: float
    clock: Clock
    label: str

    @classmethod
    def after(cls, seconds: float, clock: Clock, label: str) -> Deadline:
        return cls(clock.monotonic() + seconds, clock, label)

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock.monotonic())

    def expired(self) -> bool:
        return self.clock.monotonic() >= self.at

    def sooner(self, other: Deadline) -> Deadline:
        return other if other.at < self.at else self


# The real-time (time.monotonic) deadline of the request the current thread or task
# is sending; None outside HttpSession calls, where armed sockets behave as usual.
_ACTIVE: ContextVar[float | None] = ContextVar("logix_carriers_deadline", default=None)


@contextmanager
def bounded_by(deadline: Deadline) -> Iterator[None]:
    """Make armed sockets used inside the block give up when ``deadline`` passes."""
    token = _ACTIVE.set(time.monotonic() + deadline.remaining())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _clip(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the active deadline."""
    at = _ACTIVE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the overall deadline of the request passed")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A socket stream whose every wait ends at the active deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        clipped = _clip(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, clipped))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    """Opens :class:`_BoundedStream` sockets through the wrapped backend."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        clipped = _clip(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, clipped, local_address, socket_options)
        return _BoundedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        clipped = _clip(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._backend.connect_unix_socket(path, clipped, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def arm(client: httpx.Client) -> bool:
    """Wrap the socket layer of ``client``'s httpcore pools; True when any was armed.

    httpx offers no public hook for the network backend of its default transport,
    so this reaches for the pool's backend attribute.  Transports that are not
    httpcore pools (``httpx.MockTransport``, custom ones) are left alone: for them
    the deadline is checked between body chunks only.  The wrapping does nothing
    outside :func:`bounded_by`, so arming a client the caller also uses elsewhere
    changes nothing there.
    """
    mounts = getattr(client, "_mounts", {})
    transports = [getattr(client, "_transport", None), *mounts.values()]
    armed = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _BoundedBackend):
            armed = True
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]
            armed = True
    return armed
