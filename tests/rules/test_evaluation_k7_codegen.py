"""The generated tracker filters test an event's status or reason before its flags
(``compiler/_codegen_scan.tracker_lines``): most events then fail at the first test."""

from __future__ import annotations

from logix_rules.compiler._codegen_scan import tracker_lines
from logix_rules.core._records import KIND_FIELDS


def test_a_flag_is_tested_after_the_status_it_comes_with() -> None:
    lines = tracker_lines([[("report", [False]), ("status", ["attempt_failed"])]])
    status, report = KIND_FIELDS["status"], KIND_FIELDS["report"]
    assert lines[0] == f"    if (k[{status}] == 'attempt_failed' and k[{report}] is False):"


def test_tests_without_flags_keep_their_order() -> None:
    lines = tracker_lines([[("reason", ["wismo"]), ("system", ["customer"])]])
    reason, system = KIND_FIELDS["reason"], KIND_FIELDS["system"]
    assert lines[1] == f"        if (k[{reason}] == 'wismo' and k[{system}] == 'customer'):"
