"""docs/service.md: its Python examples run as written, in order, in an empty folder;
every metric and route it documents exists, and every setting it names is read."""

from __future__ import annotations

import contextlib
import io
import linecache
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "service.md"
TEXT = PAGE.read_text("utf-8")


def test_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LOGIX_POLL_CARRIERS", raising=False)
    blocks = re.findall(r"```python\n(.*?)```", TEXT, re.S)
    assert len(blocks) >= 3
    output = io.StringIO()
    for number, block in enumerate(blocks, 1):
        name = f"docs/service.md example {number}"
        linecache.cache[name] = (len(block), None, block.splitlines(keepends=True), name)
        with contextlib.redirect_stdout(output):
            exec(compile(block, name, "exec"), {"__name__": "docs_service"})
    printed = output.getvalue()
    assert "['S0', 'S1'] 2" in printed
    assert "relay signature checks" in printed


def test_every_metric_is_documented() -> None:
    from logix_rules.service._metrics import _HELP

    for name in _HELP:
        assert f"`{name}`" in TEXT, f"docs/service.md does not document {name}"


def test_every_api_route_is_documented() -> None:
    from logix_rules.service._openapi import OPENAPI

    for path in OPENAPI["paths"]:
        assert path.split("?")[0] in TEXT, f"docs/service.md does not document {path}"


def test_every_setting_read_is_documented() -> None:
    source = "".join(
        p.read_text("utf-8")
        for p in (Path(__file__).resolve().parents[2] / "src/logix_rules/service").glob("_*.py")
    )
    read = set(re.findall(r'"(LOGIX_[A-Z_]+)"', source))
    for name in read:
        assert name in TEXT, f"docs/service.md does not document {name}"
