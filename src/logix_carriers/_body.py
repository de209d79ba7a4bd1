"""Reading a response body within a size limit and a deadline.

httpx decompresses a whole network chunk at once, and a layered encoding
(``Content-Encoding: gzip, gzip``) multiplies that: a few kilobytes on the wire
can ask for gigabytes.  :class:`BodyReader` therefore decodes the raw bytes
itself, a bounded step at a time through every layer, counts the decoded bytes
and stops at ``limit`` with :class:`ResponseTooLarge`.  The session feeds it raw
chunks and checks its deadline between them; the decoded body replaces the
stream in a fresh ``httpx.Response``, so adapters read ``.json()`` as before.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from typing import Final

import httpx

from ._errors import ResponseFormatError, ResponseTooLarge

__all__ = ["DEFAULT_MAX_BODY_BYTES", "BodyReader", "check_read_body", "declared_length"]

#: The default cap on a decoded response body: far above any tracking answer.
DEFAULT_MAX_BODY_BYTES: Final = 10 * 1024 * 1024
# Output of one decompression step; bounds the memory a single step can take.
_STEP: Final = 64 * 1024
# More stacked encodings than this is not a real server.
_MAX_LAYERS: Final = 4
_GZIP: Final = frozenset({"gzip", "x-gzip"})


class _Inflate:
    """One gzip or deflate layer, decoded at most ``_STEP`` bytes per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding in _GZIP else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)
        # "deflate" is meant to be zlib-wrapped, but some servers send it raw
        # (httpx accepts both, so does this).
        self._may_be_raw = encoding == "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, _STEP)
            except zlib.error:
                if not self._may_be_raw:
                    raise
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._may_be_raw = False
                continue
            self._may_be_raw = False
            data = self._z.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        # Called once all input is fed: what is left is at most one pending match.
        tail = self._z.flush()
        if tail:
            yield tail
        if not self._z.eof:
            raise zlib.error("the compressed stream is cut short")


def declared_length(response: httpx.Response) -> int | None:
    """The ``Content-Length`` the server announced, when it is a plain number."""
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() and len(value) < 20 else None


class BodyReader:
    """Decodes and collects one response body; raises past ``limit`` decoded bytes."""

    def __init__(self, response: httpx.Response, *, limit: int, what: str, carrier: str) -> None:
        self.limit = limit
        self.what = what
        self.carrier = carrier
        self.status_code = response.status_code
        header = response.headers.get("content-encoding", "")
        names = [n.strip().lower() for n in header.split(",") if n.strip()]
        # Encodings httpx cannot decode either (br without brotli, ...) are passed
        # through untouched, as httpx does; the parser then reports the bytes.
        known = [n for n in names if n in _GZIP or n == "deflate"]
        if len(known) > _MAX_LAYERS:
            raise ResponseFormatError(
                f"{what} answered with {len(known)} stacked content encodings; "
                f"at most {_MAX_LAYERS} are read",
                carrier=carrier,
                status_code=self.status_code,
            )
        self._layers = [_Inflate(n) for n in reversed(known)]
        self._parts: list[bytes] = []
        self._size = 0
        announced = declared_length(response)
        if not known and announced is not None and announced > limit:
            raise self._too_large(f"announces {announced} bytes")

    def feed(self, raw: bytes) -> None:
        """Decode one raw network chunk."""
        try:
            self._push(raw, 0)
        except zlib.error as exc:
            raise self._corrupt(exc) from exc

    def finish(self) -> bytes:
        """Flush every layer and return the decoded body."""
        try:
            for level, layer in enumerate(self._layers):
                for piece in layer.flush():
                    self._push(piece, level + 1)
        except zlib.error as exc:
            raise self._corrupt(exc) from exc
        return b"".join(self._parts)

    def _push(self, data: bytes, level: int) -> None:
        if level == len(self._layers):
            self._take(data)
            return
        for piece in self._layers[level].feed(data):
            self._push(piece, level + 1)

    def _take(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self.limit:
            raise self._too_large("is larger")
        self._parts.append(data)

    def _too_large(self, how: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"{self.what} answered a body that {how} than the limit of {self.limit} bytes "
            "(max_body_bytes); reading stopped there",
            carrier=self.carrier,
            status_code=self.status_code,
        )

    def _corrupt(self, exc: zlib.error) -> ResponseFormatError:
        encodings = ", ".join(layer.encoding for layer in reversed(self._layers))
        return ResponseFormatError(
            f"{self.what} answered a body that does not decompress as {encodings} ({exc})",
            carrier=self.carrier,
            status_code=self.status_code,
        )

    def response(self, original: httpx.Response, body: bytes) -> httpx.Response:
        """A copy of ``original`` (already closed) carrying the decoded ``body``."""
        headers = httpx.Headers(original.headers)
        for name in ("content-encoding", "content-length"):
            if name in headers:
                del headers[name]
        decoded = httpx.Response(
            original.status_code,
            headers=headers,
            content=body,
            request=original.request,
            extensions=original.extensions,
            history=original.history,
            default_encoding=original.default_encoding,
        )
        # Not measured when httpx never closed the stream itself.
        with contextlib.suppress(RuntimeError):
            decoded.elapsed = original.elapsed
        return decoded


def check_read_body(response: httpx.Response, *, limit: int, what: str, carrier: str) -> bool:
    """True when ``response`` was already read (mock transports); checks its size then."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return False
    if len(content) > limit:
        raise ResponseTooLarge(
            f"{what} answered a body of {len(content)} bytes, more than the limit of "
            f"{limit} bytes (max_body_bytes)",
            carrier=carrier,
            status_code=response.status_code,
        )
    return True
