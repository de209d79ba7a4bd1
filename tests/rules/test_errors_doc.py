"""docs/errors.md: one section per ``ErrorCode``, and every example in it is real.

A section may show a pack (a ```yaml block) and what the compiler says about it (the
```text block after it): the pack is compiled as ``pack.yaml`` and the text must be
exactly the printed issues.  Sections about files and run-time problems show ```python
examples instead, which are run.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
from pathlib import Path

import pytest

from logix_rules import ErrorCode, PackError, loads_pack

PAGE = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _sections() -> dict[str, str]:
    text = PAGE.read_text("utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    sections: dict[str, str] = {}
    for part in parts:
        heading, _, body = part.partition("\n")
        assert heading.strip() not in sections, f"errors.md has two sections {heading!r}"
        sections[heading.strip()] = body
    return sections


SECTIONS = _sections()


def test_one_section_per_error_code() -> None:
    assert set(SECTIONS) == {code.value for code in ErrorCode}


@pytest.mark.parametrize("code", sorted(SECTIONS))
def test_section_says_what_it_means_and_what_to_do(code: str) -> None:
    body = SECTIONS[code]
    meaning = body.strip().split("\n\n")[0]
    assert len(meaning) > 40, f"## {code} should open with what the code means"
    assert "**What to do:**" in body, f"## {code} should say what to do"
    blocks = [language for language, _ in FENCE.findall(body)]
    assert "python" in blocks or "yaml" in blocks, f"## {code} has no example"


YAML_SECTIONS = sorted(
    code
    for code, body in SECTIONS.items()
    if any(lang == "yaml" for lang, _ in FENCE.findall(body))
)


@pytest.mark.parametrize("code", YAML_SECTIONS)
def test_pack_example_gives_the_documented_output(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Relative paths in the example (extends: base.yaml) resolve in an empty folder.
    monkeypatch.chdir(tmp_path)
    blocks = FENCE.findall(SECTIONS[code])
    languages = [language for language, _ in blocks]
    assert languages == ["yaml", "text"], f"## {code}: expected a yaml block, then a text block"
    pack, expected = blocks[0][1], blocks[1][1]
    with pytest.raises(PackError) as caught:
        loads_pack(pack, file="pack.yaml")
    issues = caught.value.issues
    assert issues[0].code.value == code
    assert "\n".join(str(issue) for issue in issues) == expected.rstrip("\n")


PYTHON_SECTIONS = sorted(
    code
    for code, body in SECTIONS.items()
    if any(lang == "python" for lang, _ in FENCE.findall(body))
)


@pytest.mark.parametrize("code", PYTHON_SECTIONS)
def test_python_example_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    for number, (language, block) in enumerate(FENCE.findall(SECTIONS[code]), 1):
        if language != "python":
            continue
        filename = f"docs/errors.md ## {code} (block {number})"
        # So that a failing example shows its own line in the traceback.
        linecache.cache[filename] = (len(block), None, block.splitlines(keepends=True), filename)
        compiled = compile(block, filename, "exec")
        with contextlib.redirect_stdout(output):
            exec(compiled, {"__name__": "docs_errors"})
    # Each example prints the problem it provokes (and asserts on it).
    assert output.getvalue().strip(), f"## {code}: the example should print the problem"


def test_every_code_has_a_checked_example() -> None:
    assert set(YAML_SECTIONS) | set(PYTHON_SECTIONS) == set(SECTIONS)
