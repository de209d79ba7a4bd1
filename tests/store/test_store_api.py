"""``logix_rules.store``: exactly these public names, sorted as ruff sorts them."""

from __future__ import annotations

import pytest

import logix_rules.store as public
from logix_rules import ErrorCode

STORE_API = {
    "DEFAULT_CACHE_SIZE",
    "SCHEMA_VERSION",
    "Action",
    "ChangeFeed",
    "IncidentRecord",
    "PostgresStore",
    "SQLiteStore",
    "ShipmentFacts",
    "Store",
    "StoreError",
    "StoreURL",
    "open_store",
    "parse_store_url",
}


def _ruff_sorted(names: list[str]) -> list[str]:
    # RUF022: SCREAMING_CASE, then CamelCase, then the rest.
    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        return (1, name) if name[:1].isupper() else (2, name)

    return sorted(names, key=key)


def test_exported_names() -> None:
    names = list(public.__all__)
    assert names == _ruff_sorted(names)
    assert set(names) == STORE_API
    for name in names:
        assert getattr(public, name) is not None


def test_store_urls() -> None:
    assert public.parse_store_url("sqlite:///ops.db") == public.StoreURL("sqlite", "ops.db")
    assert public.parse_store_url("sqlite:////var/lib/x.db").target == "/var/lib/x.db"
    parsed = public.parse_store_url("postgresql+psycopg://u:pw@db.example:5433/logix")
    assert parsed == public.StoreURL("postgresql", "postgresql://u:pw@db.example:5433/logix")
    assert public.parse_store_url("postgres://u@h/d").backend == "postgresql"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "needed"),
        ("ops.db", "not a URL"),
        ("mysql://u@h/d", "unknown store scheme"),
        ("sqlite://host/ops.db", "no host"),
        ("sqlite:///", "names no database file"),
        ("sqlite:///:memory:", "in-memory"),
        ("postgresql://u@h:port/d", "port"),
        ("postgresql://u:secret@h:5432", "names no database"),
    ],
)
def test_bad_store_urls_are_typed_errors(url: str, words: str) -> None:
    with pytest.raises(public.StoreError) as caught:
        public.parse_store_url(url)
    error = caught.value
    assert error.code is ErrorCode.BAD_STORE_URL
    assert words in error.msg
    assert error.hint
    assert "secret" not in str(error)
    assert "secret" not in str(error.input)
    assert error.to_dict()["code"] == "bad_store_url"


@pytest.mark.parametrize(
    "url", ["sqlite:///{tmp}/no/such/folder/ops.db", "postgresql://nobody@127.0.0.1:1/nothing"]
)
def test_a_store_that_cannot_be_opened_says_so(url: str, tmp_path: object) -> None:
    with pytest.raises(public.StoreError) as caught:
        public.open_store(url.format(tmp=tmp_path))
    assert caught.value.code is ErrorCode.STORE_UNAVAILABLE
    assert caught.value.hint
