"""The end-to-end Spark tests start a JVM and a streaming query (30-90 s on 2 cores):
CI runs them once, in their own step, so a plain ``pytest`` skips them unless they
are asked for with ``-m spark_e2e`` (or ``LOGIX_SPARK_E2E=1``)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = "spark_e2e" in (config.getoption("markexpr", "") or "")
    if asked or os.environ.get("LOGIX_SPARK_E2E") == "1":
        return
    skip = pytest.mark.skip(reason="end-to-end Spark run: select it with -m spark_e2e")
    for item in items:
        if "spark_e2e" in item.keywords:
            item.add_marker(skip)
