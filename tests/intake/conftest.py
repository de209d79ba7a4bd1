"""Fixtures shared by the intake tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` loaded as a module (the benchmarks folder on the path
    meanwhile, for the modules it imports from beside it)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.fixture(scope="module")
def study() -> ModuleType:
    """``benchmarks/intake_model_study.py`` (the model's training script), loaded as a
    module; skipped where numpy, its training-time dependency, is missing."""
    pytest.importorskip("numpy")
    return _load("intake_model_study")


@pytest.fixture(scope="module")
def cv(study: ModuleType) -> ModuleType:
    """``benchmarks/intake_cv.py`` (the leave-one-part-out estimate), loaded as a module;
    it trains with ``study``'s code, so it is skipped where that is."""
    return _load("intake_cv")


@pytest.fixture(scope="module")
def stacking(study: ModuleType) -> ModuleType:
    """``benchmarks/intake_decision.py`` (the decision's training), loaded as a module;
    numpy too, so skipped where ``study`` is."""
    return _load("intake_decision")
