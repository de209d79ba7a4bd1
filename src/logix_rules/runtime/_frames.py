"""Checksummed bytes: what ``Kernel.dumps`` and ``Engine.dump`` write.

A frame is a 4-byte magic (what it holds and its version), a checksum of the body,
and the body.  A shipment state (read for every parcel a batch touches) carries a
CRC-32, which catches every change of up to four consecutive bytes and any other with
odds of 1 in 4 billion; a whole engine dump carries a 16-byte BLAKE2b digest.  A damaged
dump or state is refused (``StateError``), never read into something else.  Neither is
a signature: they guard against damage, not against someone who can write the bytes
(who can write any state they like anyway).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable

from ._state import StateError

__all__ = [
    "DAMAGED",
    "ENGINE_MAGIC",
    "STATE3_MAGIC",
    "STATE_MAGIC",
    "seal",
    "stored_crc",
    "unseal",
]

DAMAGED = "the state is damaged: its checksum does not match its content"
STATE_MAGIC = b"LXS\x02"  # a shipment state, version 2
STATE3_MAGIC = b"LXS\x03"  # a shipment state, version 3 (what Kernel.dumps writes)
ENGINE_MAGIC = b"LXE\x02"  # a whole engine, version 2

#: ``stored_crc(data, 4)[0]``: the CRC-32 a state's frame holds, as an int (what
#: ``Kernel.loads`` compares ``zlib.crc32`` of the body with, inline).
stored_crc = struct.Struct("<I").unpack_from


def _crc32(body: bytes) -> bytes:
    return zlib.crc32(body).to_bytes(4, "little")


def _blake2b(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


_SUMS: dict[bytes, tuple[int, Callable[[bytes], bytes]]] = {
    STATE_MAGIC: (4, _crc32),
    STATE3_MAGIC: (4, _crc32),
    ENGINE_MAGIC: (16, _blake2b),
}


def seal(magic: bytes, body: bytes) -> bytes:
    return magic + _SUMS[magic][1](body) + body


def unseal(magic: bytes, data: bytes, what: str) -> bytes | None:
    """The body of a frame of ``magic``; None when ``data`` does not start with it."""
    if data[:4] != magic:
        return None
    size, checksum = _SUMS[magic]
    head = 4 + size
    body = data[head:]
    if len(data) < head or checksum(body) != data[4:head]:
        raise StateError(DAMAGED.replace("state", what, 1))
    return body
