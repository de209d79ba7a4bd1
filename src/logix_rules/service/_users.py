"""Desk users in the store: names and ``hashlib.scrypt`` password hashes.

A hash is stored as ``scrypt$n$r$p$salt$hash`` (hex), so the cost can be raised later
without invalidating the hashes already kept.  Checking a password takes the same
time whether the user exists or not (an unknown name is checked against a dummy hash).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from ..core._errors import ErrorCode
from ..store._db import wall_micros
from ..store._store import Store
from ._errors import ServiceError

__all__ = ["add_user", "delete_user", "hash_password", "list_users", "verify_user"]

#: scrypt's cost: 16 MiB of memory and about 50 ms per check on a laptop.
_N, _R, _P = 2**14, 8, 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_MIN_PASSWORD = 8
_MAX_PASSWORD = 1024


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The scrypt hash of ``password`` in the stored form."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _check(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
            maxmem=2**26,
        )
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


_DUMMY = hash_password("not a password", salt=b"\0" * 16)


def _bad(loc: str, msg: str, value: object, hint: str) -> ServiceError:
    return ServiceError(ErrorCode.BAD_USER, loc, msg, input=value, hint=hint)


def add_user(store: Store, name: str, password: str) -> bool:
    """Store ``name`` with a hash of ``password``; True when new, False when its
    password was replaced."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _bad(
            "name",
            f"a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', got {name!r}",
            name,
            "choose a name such as ana or ana.lopez",
        )
    if not isinstance(password, str) or not _MIN_PASSWORD <= len(password) <= _MAX_PASSWORD:
        raise _bad(
            "password",
            f"a password has {_MIN_PASSWORD} to {_MAX_PASSWORD} characters",
            None,  # never echo a password
            "give a longer password on standard input",
        )
    stored = hash_password(password)
    now = wall_micros()
    db = store.db
    with db.transaction(write=True):
        existed = bool(db.execute("SELECT 1 FROM users WHERE name = ?", (name,)))
        db.execute(
            "INSERT INTO users (name, password, created, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET password = excluded.password, "
            "updated = excluded.updated",
            (name, stored, now, now),
        )
    return not existed


def verify_user(store: Store, name: str, password: str) -> bool:
    """Whether ``name`` is a user whose password is ``password``."""
    db = store.db
    with db.transaction(write=False):
        rows = db.execute("SELECT password FROM users WHERE name = ?", (name,))
    if not rows:
        _check(password, _DUMMY)  # the same work, so timing does not tell who exists
        return False
    return _check(password, str(rows[0][0]))


def list_users(store: Store) -> list[str]:
    db = store.db
    with db.transaction(write=False):
        return [str(name) for (name,) in db.execute("SELECT name FROM users ORDER BY name")]


def delete_user(store: Store, name: str) -> bool:
    db = store.db
    with db.transaction(write=True):
        found = bool(db.execute("SELECT 1 FROM users WHERE name = ?", (name,)))
        db.execute("DELETE FROM users WHERE name = ?", (name,))
    return found
