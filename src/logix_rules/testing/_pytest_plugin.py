"""pytest plugin: every case of a ``*.tests.yaml`` scenario file becomes a test item.

Registered through the ``pytest11`` entry point, so installing logix is enough:
``pytest tests/packs`` collects ``tests/packs/mypack.tests.yaml`` next to the
Python tests, runs each case against its pack and reports a failure with the
same difference and rule trace as ``logix test``.  Disable it with
``-p no:logix`` if a project has its own meaning for such files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..compiler._model import Pack
    from ._scenario_model import Case
    from ._scenario_runs import CaseResult

__all__ = ["ScenarioCaseItem", "ScenarioFileCollector", "pytest_collect_file"]

_SUFFIX = ".tests.yaml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(_SUFFIX):
        collector: ScenarioFileCollector = ScenarioFileCollector.from_parent(parent, path=file_path)
        return collector
    return None


class ScenarioFailure(AssertionError):
    """A case whose evaluation points did not match; carries the result to report."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.report())
        self.result = result


class ScenarioFileCollector(pytest.File):
    """One scenario file: loads it and its pack, yields one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        # Imported here so that merely having the plugin installed costs nothing.
        from ..core._errors import PackError
        from ._scenario_files import load_scenarios
        from ._scenario_model import ScenarioError

        try:
            scenarios = load_scenarios(self.path)
            pack = scenarios.load_pack()
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from None
        except PackError as exc:
            raise self.CollectError(f"the pack under test does not compile: {exc}") from None
        for case in scenarios.cases:
            yield ScenarioCaseItem.from_parent(self, name=case.name, case=case, pack=pack)


class ScenarioCaseItem(pytest.Item):
    """One case of a scenario file."""

    def __init__(self, *, case: Case, pack: Pack, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.pack = pack

    def runtest(self) -> None:
        from ._scenario_runs import run_case

        result = run_case(self.case, self.pack)
        if not result.passed:
            raise ScenarioFailure(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return excinfo.value.result.report()
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.case.line - 1, 0), f"scenario: {self.case.name}"
