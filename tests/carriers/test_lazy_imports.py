"""``logix_carriers`` imports its adapters and HTTP stack on first use only.

``logix run`` on a file never speaks HTTP, so starting it must not import ``httpx``,
``httpcore`` or ``trio`` (~0.3-0.5 CPU s); the public names stay the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import logix_carriers

_HEAVY = ("httpx", "httpcore", "trio", "logix_carriers._adapter", "logix_carriers._registry")


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {_HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_cli_starts_without_the_http_stack() -> None:
    assert _imported_after("import logix_carriers, logix_rules.cli._main") == []


def test_a_run_on_a_file_never_imports_the_http_stack(tmp_path: Path) -> None:
    from logix_rules import write_demo_files

    events = str(write_demo_files(tmp_path, seed=3, shipments=20)[0])
    for jobs in ("1", "2"):
        code = (
            "import contextlib, io\n"
            "from logix_rules.cli._main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), "
            "contextlib.redirect_stderr(io.StringIO()):\n"
            f"    assert main(['run', '--pack', 'default', '--events', {events!r}, "
            f"'--format', 'jsonl', '--jobs', '{jobs}']) == 0"
        )
        assert _imported_after(code) == []


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in logix_carriers.__all__:
        assert getattr(logix_carriers, name) is not None, name
    assert set(logix_carriers.__all__) <= set(dir(logix_carriers))


def test_lazy_names_are_the_modules_own_objects() -> None:
    from logix_carriers._adapter import BaseAdapter
    from logix_carriers._registry import get_adapter
    from logix_carriers.carriers._ups import UpsAdapter

    assert logix_carriers.BaseAdapter is BaseAdapter
    assert logix_carriers.get_adapter is get_adapter
    assert logix_carriers.UpsAdapter is UpsAdapter


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        logix_carriers.NoSuchThing  # noqa: B018
