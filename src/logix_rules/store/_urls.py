"""Reading a store URL: ``sqlite:///relative.db``, ``sqlite:////absolute/path.db`` and
``postgresql://user:pw@host:port/db``, as SQLAlchemy writes them."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import attrs

from ..core._errors import ErrorCode
from ._errors import StoreError

__all__ = ["StoreURL", "mask_password", "parse_store_url"]

_EXAMPLES = "sqlite:///ops.db, sqlite:////var/lib/logix/ops.db or postgresql://user@host:5432/db"
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@attrs.frozen
class StoreURL:
    """A parsed store URL: ``backend`` is ``"sqlite"`` or ``"postgresql"``; ``target``
    is the database file's path or the libpq connection string."""

    backend: str
    target: str


def mask_password(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _bad(url: str, msg: str, hint: str = f"write e.g. {_EXAMPLES}") -> StoreError:
    return StoreError(ErrorCode.BAD_STORE_URL, "url", msg, input=mask_password(url), hint=hint)


def parse_store_url(url: str) -> StoreURL:
    """The backend and target of ``url``; a ``StoreError`` (``bad_store_url``) otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise _bad(str(url), "a store URL is needed")
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise _bad(text, f"{mask_password(text)!r} is not a URL (no scheme://)")
    scheme = scheme.lower()
    if scheme == "sqlite":
        return StoreURL("sqlite", _sqlite_path(text, rest))
    if scheme in _POSTGRES_SCHEMES:
        return StoreURL("postgresql", _postgres_dsn(text))
    raise _bad(
        text,
        f"unknown store scheme {scheme!r}",
        hint=f"logix stores on sqlite or postgresql; write e.g. {_EXAMPLES}",
    )


def _sqlite_path(url: str, rest: str) -> str:
    # sqlite:///ops.db -> rest "/ops.db" (relative); sqlite:////abs.db -> "//abs.db".
    if not rest.startswith("/"):
        raise _bad(
            url,
            "a SQLite URL has no host: it needs three slashes before a relative path "
            "and four before an absolute one",
        )
    path = rest[1:]
    path = path.split("?", 1)[0]
    if not path or path.endswith("/"):
        raise _bad(url, "the SQLite URL names no database file")
    if path == ":memory:":
        raise _bad(
            url,
            "an in-memory SQLite database cannot be shared or kept",
            hint="use Engine(pack) without store= for an in-memory engine, or name a file",
        )
    return str(Path(path))


def _postgres_dsn(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise _bad(url, "the port is not a number") from None
    del port
    if not parts.path.strip("/"):
        raise _bad(
            url,
            "the PostgreSQL URL names no database",
            hint="add /DBNAME, e.g. postgresql://user@host:5432/logix",
        )
    # libpq reads postgresql:// URLs itself; a SQLAlchemy driver suffix it does not.
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))
