"""Shared test configuration: Hypothesis profiles.

``dev`` (the default) explores more; ``ci`` bounds the example count so the whole
suite stays within CI's budget on 2 cores.  ``.ci/run`` selects ``ci``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from browser import Browser, browser_artifacts, chromium  # noqa: F401  (shared fixtures)

# Data-generation speed depends on machine load (CI shares 2 cores), not on correctness.
settings.register_profile(
    "dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

settings.register_profile(
    "thorough", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
