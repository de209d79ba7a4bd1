"""The whole-engine dump: what ``Engine.dump`` writes and ``Engine.load`` reads.

A dump is one header line, then the body: a JSON line (pack, clock, count) and the
shipment states as ``Kernel.dumps`` writes them, each after its length (4 bytes,
little-endian).  The header carries the body's digest, so a flipped byte anywhere is
a ``StateError`` instead of a different engine.  Version 1 was one JSON document
holding each state as a JSON object, with no digest; it still loads.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core._durations import to_micros
from ._kernel import StateError
from ._state import ShipmentState

__all__ = ["ENGINE_DUMP_VERSION", "read_dump", "states_of", "write_atomically", "write_dump"]

ENGINE_DUMP_VERSION = 2
_MAGIC = b"logix-engine-dump"
_MIN_US = to_micros(datetime(1970, 1, 1, tzinfo=UTC))
_MAX_US = to_micros(datetime(2200, 1, 1, tzinfo=UTC))


def _length(record: bytes) -> bytes:
    return len(record).to_bytes(4, "little")


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def write_dump(*, pack: str, pack_name: str, now: int | None, records: Sequence[bytes]) -> bytes:
    """A version-2 dump: the pack's fingerprint and name, the clock, and the states'
    ``records`` (``Kernel.dumps`` bytes, each with its own checksum)."""
    doc = {"v": ENGINE_DUMP_VERSION, "pack": pack, "pack_name": pack_name, "now": now}
    doc["count"] = len(records)
    head = json.dumps(doc, separators=(",", ":")).encode()
    body = b"".join([head, b"\n", *(b for r in records for b in (_length(r), r))])
    return b"%s %d blake2b=%s\n%s" % (_MAGIC, ENGINE_DUMP_VERSION, _digest(body).encode(), body)


def read_dump(data: bytes) -> dict[str, Any]:
    """The body of an engine dump, checked: its header, digest and JSON shape.  Its
    ``shipments`` are the states' bytes (version 2) or JSON objects (version 1)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise StateError(f"an engine dump is bytes, not {type(data).__name__}")
    data = bytes(data)
    if data.startswith(b"{"):  # version 1: plain JSON, no digest
        body, version = data, 1
    else:
        header, _, body = data.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) != 3 or parts[0] != _MAGIC or not parts[2].startswith(b"blake2b="):
            raise StateError("not an engine dump (Engine.dump writes one; see docs/engine.md)")
        if parts[1] != str(ENGINE_DUMP_VERSION).encode():
            raise StateError(
                f"engine dump version {parts[1][:10]!r} is not one this logix reads "
                f"(it reads 1 and {ENGINE_DUMP_VERSION})"
            )
        if parts[2][len(b"blake2b=") :] != _digest(body).encode():
            raise StateError("corrupt engine dump: its checksum does not match its content")
        version = ENGINE_DUMP_VERSION
    records: list[bytes] = []
    if version > 1:
        body, _, rest = body.partition(b"\n")
        view, at = memoryview(rest), 0
        while at < len(rest):  # the states, each after its length
            size = int.from_bytes(view[at : at + 4], "little")
            if size < 4 or at + 4 + size > len(rest):
                raise StateError("corrupt engine dump: a state runs past the end of the dump")
            records.append(rest[at + 4 : at + 4 + size])
            at += 4 + size
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise StateError(f"not an engine dump: {str(exc)[:200]}") from exc
    if not isinstance(doc, dict) or doc.get("v") not in (1, version):
        raise StateError("not an engine dump of a version this logix reads")
    if version > 1:
        if doc.get("count") != len(records) or "shipments" in doc:
            raise StateError("corrupt engine dump: it does not hold the states it lists")
        doc["shipments"] = records
    return doc


def states_of(
    doc: dict[str, Any], loads: Callable[[bytes], ShipmentState]
) -> tuple[int | None, dict[str, ShipmentState]]:
    """The clock and the states of a dump ``read_dump`` gave, each read by ``loads``
    (``Kernel.loads``); any malformed part is a ``StateError`` that says which."""
    now, shipments = doc.get("now"), doc.get("shipments", [])
    if now is not None and (type(now) is not int or not _MIN_US <= now <= _MAX_US):
        raise StateError(f"corrupt engine dump: 'now' is {str(now)[:40]!r}")
    if not isinstance(shipments, list):
        raise StateError("corrupt engine dump: 'shipments' is not a list")
    states: dict[str, ShipmentState] = {}
    for index, raw in enumerate(shipments):
        try:
            # A version-1 dump holds each state as a JSON object.
            state = loads(json.dumps(raw).encode() if type(raw) is dict else raw)
        except StateError:
            raise
        except Exception as exc:  # any malformed blob is the dump's fault, typed
            raise StateError(f"corrupt engine dump: shipment {index}: {exc!r}"[:300]) from exc
        if state.tracking_number in states:
            raise StateError(
                f"corrupt engine dump: shipment {state.tracking_number[:60]!r} is listed "
                "twice; a dump holds each parcel once"
            )
        states[state.tracking_number] = state
    return now, states


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder,
    flushed to disk, then renamed over ``path``.  A crash at any instant leaves either
    the old file or the new one, never a torn one."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
