"""Fixtures shared by the intake tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def study() -> ModuleType:
    """``benchmarks/intake_model_study.py`` (the model's training script), loaded as a
    module; skipped where numpy, its training-time dependency, is missing."""
    pytest.importorskip("numpy")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "intake_model_study", BENCHMARKS / "intake_model_study.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module
