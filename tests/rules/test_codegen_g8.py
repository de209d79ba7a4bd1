"""The generated tracker filters (``compiler/_codegen_scan.tracker_lines``) count
exactly the events their tests admit, however the tests are arranged: the reason
tested first for every tracker that needs one, flags tested with ``is``."""

from __future__ import annotations

import itertools
from typing import Any

from logix_rules.compiler._codegen_scan import tracker_lines
from logix_rules.core._records import KIND_FIELDS

FILTERS: list[list[tuple[str, tuple[Any, ...]]]] = [
    [("reason", ("damaged",))],
    [("reason", ("address_issue",)), ("report", (False,))],
    [("status", ("attempt_failed",)), ("report", (False,))],
    [("reason", (None, "damaged"))],
    [("report", (True,))],
    [("status", ("exception",)), ("reason", ("lost", "damaged"))],
]


class _State:
    def __init__(self, trackers: int) -> None:
        self.cnt: Any = (0,) * trackers
        self.firsts: Any = (None,) * trackers
        self.lasts: Any = (None,) * trackers


def _kind(status: str, reason: str | None, report: bool) -> tuple[Any, ...]:
    kind: list[Any] = [None] * 9
    kind[KIND_FIELDS["status"]] = status
    kind[KIND_FIELDS["reason"]] = reason
    kind[KIND_FIELDS["report"]] = report
    return tuple(kind)


def _admits(tests: list[tuple[str, tuple[Any, ...]]], kind: tuple[Any, ...]) -> bool:
    return all(kind[KIND_FIELDS[key]] in values for key, values in tests)


def test_the_generated_filters_count_what_their_tests_admit() -> None:
    for size in range(1, len(FILTERS) + 1):
        filters = FILTERS[:size]
        source = "def feed(s, k, n):\n" + "\n".join(tracker_lines(filters)) + "\n    return s\n"
        namespace: dict[str, Any] = {}
        exec(source, namespace)
        kinds = [
            _kind(status, reason, report)
            for status, reason, report in itertools.product(
                ("in_transit", "exception", "attempt_failed"),
                (None, "damaged", "address_issue", "lost"),
                (False, True),
            )
        ]
        state = _State(size)
        for n, kind in enumerate(kinds):
            namespace["feed"](state, kind, n)
        for index, tests in enumerate(filters):
            admitted = [n for n, kind in enumerate(kinds) if _admits(tests, kind)]
            assert state.cnt[index] == len(admitted), (index, source)
            assert state.firsts[index] == (admitted[0] if admitted else None)
            assert state.lasts[index] == (admitted[-1] if admitted else None)


def test_a_flag_equal_to_a_bool_but_not_one_is_not_admitted() -> None:
    # Kinds hold real bools (Kernel._share, the state reader refuses others): the
    # ``is`` test relies on it, and would not count a 0 as False.
    lines = tracker_lines([[("report", (False,))]])
    assert lines[0] == f"    if (k[{KIND_FIELDS['report']}] is False):"
