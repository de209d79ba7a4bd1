"""docs/store.md: its Python examples run as written, in order, in an empty folder
(they use SQLite; the PostgreSQL parts of the page are prose)."""

from __future__ import annotations

import contextlib
import io
import linecache
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "store.md"


def test_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), re.S)
    assert len(blocks) >= 4
    output = io.StringIO()
    for number, block in enumerate(blocks, 1):
        name = f"docs/store.md example {number}"
        linecache.cache[name] = (len(block), None, block.splitlines(keepends=True), name)
        with contextlib.redirect_stdout(output):
            exec(compile(block, name, "exec"), {"__name__": "docs_store"})
    printed = output.getvalue()
    assert "(1, 'opened')" in printed
    assert "parcels purged" in printed


def test_the_page_names_every_table_of_the_schema() -> None:
    from logix_rules.store._schema import MIGRATIONS

    text = PAGE.read_text("utf-8")
    columns: dict[str, list[str]] = {}
    for migration in MIGRATIONS:
        for statement in migration.statements:
            found = re.match(r"\s*CREATE TABLE (\w+) \((.*)\)\s*$", statement, re.S)
            if found:
                parts = re.split(r",(?![^(]*\))", found.group(2))
                names = [part.split()[0] for part in parts]
                columns[found.group(1)] = [n for n in names if n != "PRIMARY"]
            added = re.match(r"\s*ALTER TABLE (\w+) ADD COLUMN (\w+)", statement)
            if added:
                columns[added.group(1)].append(added.group(2))
    assert {"shipments", "incidents", "actions", "feed", "consumers", "meta"} <= set(columns)
    assert "cause" in columns["actions"]  # added by migration 4
    for table, names in columns.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{table}` |"))
        for name in names:
            assert f"`{name}`" in row, f"docs/store.md: {table}.{name} is not described"
