"""The Python examples of docs/spark.md run as written (those that need no JVM; the
others are ``text`` blocks marked *not executed*)."""

from __future__ import annotations

import pathlib
import re

import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'logix[spark]')")

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "spark.md"


def test_python_examples_run() -> None:
    text = PAGE.read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"spark.md example {number}", "exec"), {"__name__": "docs"})


def test_examples_that_need_a_jvm_say_so() -> None:
    text = PAGE.read_text("utf-8")
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        if "spark" in block and "import" in block:
            assert block.startswith("# not executed"), block[:80]


def test_the_quick_start_is_two_commands() -> None:
    text = PAGE.read_text("utf-8")
    first = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first is not None
    assert first.group(1).strip().splitlines() == [
        'pip install "logix[spark]"',
        "python -m logix_rules.spark",
    ]
