"""Looking source status codes up in the tables of :mod:`logix_carriers._status_maps`.

The rows are indexed once, at import: :data:`TABLES` spelled as each system
documents its codes, and case-folded indexes for :func:`map_code`, which ignores
case and surrounding whitespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._status_maps import ROWS, SYSTEMS, Mapped
from ._taxonomy import Reason, Stage, Status, default_stage

__all__ = [
    "TABLES",
    "UnknownSystemError",
    "map_code",
    "resolve_code",
    "system_key",
]


class UnknownSystemError(ValueError):
    """A status lookup named a tracking system that has no table."""


def _fold(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(
            f"{what} must be a string or None, got {type(value).__name__} {value!r}; "
            "pass the code exactly as the tracking system sent it"
        )
    folded = value.strip().casefold()
    return folded or None


def _build() -> tuple[
    Mapping[str, Mapping[tuple[str, str | None], Mapped]],
    Mapping[str, Mapping[tuple[str, str | None], Mapped]],
    Mapping[str, Mapping[str, Mapped]],
]:
    tables: dict[str, Mapping[tuple[str, str | None], Mapped]] = {}
    folded: dict[str, Mapping[tuple[str, str | None], Mapped]] = {}
    by_subcode: dict[str, Mapping[str, Mapped]] = {}
    for system in SYSTEMS:
        table: dict[tuple[str, str | None], Mapped] = {}
        index: dict[tuple[str, str | None], Mapped] = {}
        owners: dict[str, set[str]] = {}
        subs: dict[str, Mapped] = {}
        for row in ROWS[system]:
            code = _fold(row.code, "code")
            assert code is not None  # table codes are never blank
            key = (code, _fold(row.subcode, "subcode"))
            if key in index:
                raise RuntimeError(f"{system}: duplicate entry for {row.code!r}/{row.subcode!r}")
            table[(row.code, row.subcode)] = row.mapped
            index[key] = row.mapped
            if key[1] is not None:
                owners.setdefault(key[1], set()).add(code)
                subs[key[1]] = row.mapped
        tables[system] = MappingProxyType(table)
        folded[system] = MappingProxyType(index)
        # A subcode alone identifies an entry only when a single code owns it.
        by_subcode[system] = MappingProxyType(
            {sub: mapped for sub, mapped in subs.items() if len(owners[sub]) == 1}
        )
    return MappingProxyType(tables), MappingProxyType(folded), MappingProxyType(by_subcode)


#: system -> (code, subcode or None) -> Mapped, spelled as each system documents it.
TABLES: Mapping[str, Mapping[tuple[str, str | None], Mapped]]
_FOLDED: Mapping[str, Mapping[tuple[str, str | None], Mapped]]
_BY_SUBCODE: Mapping[str, Mapping[str, Mapped]]
TABLES, _FOLDED, _BY_SUBCODE = _build()


def system_key(system: str) -> str:
    key = _fold(system, "system")
    if key is None or key not in _FOLDED:
        raise UnknownSystemError(
            f"no status table for tracking system {system!r}; "
            f"use one of {', '.join(SYSTEMS)} (the source.system of the payload)"
        )
    return key


def map_code(system: str, code: str | None, subcode: str | None = None) -> Mapped | None:
    """The canonical mapping of a source status code, or ``None`` when it is unknown.

    Looks up ``(code, subcode)`` first, then ``(code, None)``, so a subcode newer
    than the table still gets its code's meaning.  With ``code`` missing, a subcode
    that belongs to exactly one code is enough.  Case and surrounding whitespace
    are ignored: no system distinguishes two codes by case.  Raises
    :class:`UnknownSystemError` for a system without a table.
    """
    key = system_key(system)
    folded_code = _fold(code, "code")
    folded_sub = _fold(subcode, "subcode")
    index = _FOLDED[key]
    if folded_code is None:
        return _BY_SUBCODE[key].get(folded_sub) if folded_sub is not None else None
    if folded_sub is not None:
        found = index.get((folded_code, folded_sub))
        if found is not None:
            return found
    return index.get((folded_code, None))


def resolve_code(
    system: str, code: str | None, subcode: str | None = None
) -> tuple[Stage, Status, Reason | None, bool]:
    """The canonical ``(stage, status, reason, known)`` of a source status code.

    ``known`` is False when the code has no entry: the result is then status
    ``unknown`` without a reason, at the default stage of ``unknown`` (``line_haul``),
    and never ``in_transit``.  Keep the raw codes in ``EventSource`` either way.
    """
    mapped = map_code(system, code, subcode)
    if mapped is None:
        return default_stage(Status.UNKNOWN), Status.UNKNOWN, None, False
    return mapped.effective_stage, mapped.status, mapped.reason, True
