"""A store holding a few weeks of replayed demo history, shared by the review tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from logix_rules import Engine
from logix_rules.demo._history import History, generate_history, replay_history
from logix_rules.store import open_store


@pytest.fixture(scope="session")
def small_history() -> History:
    return generate_history(seed=3, weeks=4, per_week=40)


@pytest.fixture(scope="session")
def history_store(tmp_path_factory: pytest.TempPathFactory, small_history: History) -> str:
    """The URL of a SQLite store the small history was replayed into."""
    path = Path(tmp_path_factory.mktemp("review")) / "history.db"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        replay_history(small_history, Engine("default", store=store), seed=3)
    return url
