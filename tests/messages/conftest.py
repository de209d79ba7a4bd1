"""Shared pieces of the message tests: the samples and the built-in template files."""

from __future__ import annotations

from pathlib import Path

import pytest

from logix_rules.messages import BUILTIN_TEMPLATES, sample_incidents
from logix_rules.messages._samples import Sample


def builtin_templates() -> list[tuple[str, str, str]]:
    """``(lang, audience, scenario)`` of every built-in scenario template."""
    found = []
    for path in sorted(BUILTIN_TEMPLATES.glob("*/*/*.j2")):
        if path.name.startswith("_"):
            continue
        lang, audience = path.parent.parent.name, path.parent.name
        found.append((lang, audience, path.name.removesuffix(".j2")))
    return found


@pytest.fixture(scope="session")
def samples() -> dict[str, Sample]:
    return dict(sample_incidents())


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder
