"""PostgreSQL array parameters sent in binary: a column of values as the bytes the
server's ``array_recv`` reads.

A unit merges its rows into a table by one ``INSERT ... SELECT * FROM unnest($1, $2,
...) ... ON CONFLICT`` whose parameters are the rows' columns, each one array
(``_postgres.PostgresDatabase.insert``).  psycopg adapts a Python list element by
element in Python (~6 µs each: half a second for the ~80,000 values of a
2,000-shipment ingest); here each column is packed by ``struct`` in one pass, and the
server reads it without parsing text.

The format (PostgreSQL's ``array_send``, all integers big-endian): the number of
dimensions (1), a has-NULLs flag, the element type's OID, then for the one dimension
its length and lower bound (1); then each element as its byte length (-1 for NULL)
followed by its bytes in the element type's binary form: ``text`` as UTF-8, ``bytea``
as is, ``bigint`` and ``integer`` as 8- and 4-byte two's complement.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # psycopg is optional: imported when a PostgreSQL store connects
    from psycopg.adapt import AdaptersMap, Dumper

__all__ = ["ARRAY_TYPES", "BinaryArray", "binary_array", "register_array_dumpers"]

_LENGTH = struct.Struct(">i").pack
_BIGINT = struct.Struct(">iq").pack  # (8, value): the element's length, then it
_INTEGER = struct.Struct(">ii").pack  # (4, value)
_HEADER = struct.Struct(">iiiii").pack  # dimensions, has-NULLs, element OID, length, base
_NULL = _LENGTH(-1)


class BinaryArray:
    """One array parameter: its bytes, and (by its class) its SQL type."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class _TextArray(BinaryArray):
    __slots__ = ()


class _ByteaArray(BinaryArray):
    __slots__ = ()


class _BigintArray(BinaryArray):
    __slots__ = ()


class _IntegerArray(BinaryArray):
    __slots__ = ()


def _text(element: int, values: Sequence[Any]) -> bytes:
    parts = [b""]  # the header, once the NULLs are known
    append = parts.append
    nulls = 0
    for value in values:
        if value is None:
            nulls = 1
            append(_NULL)
        else:
            data = value.encode()
            append(_LENGTH(len(data)))
            append(data)
    parts[0] = _HEADER(1, nulls, element, len(values), 1)
    return b"".join(parts)


def _bytea(element: int, values: Sequence[Any]) -> bytes:
    parts = [b""]
    append = parts.append
    nulls = 0
    for value in values:
        if value is None:
            nulls = 1
            append(_NULL)
        else:
            append(_LENGTH(len(value)))
            append(value)
    parts[0] = _HEADER(1, nulls, element, len(values), 1)
    return b"".join(parts)


def _bigint(element: int, values: Sequence[Any]) -> bytes:
    count = len(values)
    try:
        numbers = array("q", values)
    except (TypeError, OverflowError):  # a NULL among them (or a bad value: raised below)
        return b"".join(
            [
                _HEADER(1, 1 if None in values else 0, element, count, 1),
                *[_NULL if value is None else _BIGINT(8, value) for value in values],
            ]
        )
    # No NULL: each element is its length (8) and the value, 12 bytes, laid out by
    # slices (one C loop each) instead of one struct call per value.
    if sys.byteorder == "little":
        numbers.byteswap()
    data = numbers.tobytes()
    out = bytearray(_HEADER(1, 0, element, count, 1)) + bytes(12 * count)
    out[20 + 3 :: 12] = b"\x08" * count
    for byte in range(8):
        out[20 + 4 + byte :: 12] = data[byte::8]
    return bytes(out)


def _integer(element: int, values: Sequence[Any]) -> bytes:
    header = _HEADER(1, 1 if None in values else 0, element, len(values), 1)
    return header + b"".join([_NULL if value is None else _INTEGER(4, value) for value in values])


#: Per column type: the element's OID, the array's OID, its parameter class, its packer.
_TYPES: dict[str, tuple[int, int, type[BinaryArray], Callable[[int, Sequence[Any]], bytes]]] = {
    "text": (25, 1009, _TextArray, _text),
    "bytea": (17, 1001, _ByteaArray, _bytea),
    "bigint": (20, 1016, _BigintArray, _bigint),
    "integer": (23, 1007, _IntegerArray, _integer),
}
#: The column types ``binary_array`` packs.
ARRAY_TYPES = frozenset(_TYPES)


def binary_array(kind: str, values: Sequence[Any]) -> BinaryArray:
    """``values`` (``str``, ``bytes``, ``int`` or None, as ``kind`` says) as one
    ``kind[]`` parameter.  A value of the wrong type or out of range raises
    (``AttributeError``, ``TypeError``, ``struct.error``): nothing is sent."""
    element, _, cls, pack = _TYPES[kind]
    return cls(pack(element, values))


def _dumper(array_oid: int) -> type[Dumper]:
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class ArrayDumper(Dumper):
        format = Format.BINARY
        oid = array_oid

        def dump(self, obj: Any) -> bytes:
            data: bytes = obj.data
            return data

    return ArrayDumper


def register_array_dumpers(adapters: AdaptersMap) -> None:
    """Make ``adapters`` (a connection's) send each ``BinaryArray`` as its bytes,
    typed as its array type, in binary."""
    for _, array_oid, cls, _ in _TYPES.values():
        adapters.register_dumper(cls, _dumper(array_oid))
