"""docs/security.md states the limits the code enforces, with the code's own values."""

from __future__ import annotations

import pathlib

from logix_carriers import AdapterSettings
from logix_rules.compiler import _limits

PAGE = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text("utf-8")


def test_pack_limits_are_the_compilers() -> None:
    assert _limits.MAX_PACK_BYTES == 512 * 1024
    assert "512 KiB" in PAGE
    assert f"{_limits.MAX_EXTENDS_DEPTH} packs above" in PAGE
    assert f"{_limits.MAX_YAML_DEPTH} levels" in PAGE
    assert f"{_limits.MAX_YAML_NODES:,}" in PAGE
    assert _limits.MAX_YAML_CHARS == 2 * 1024 * 1024
    assert "2 MiB" in PAGE
    assert f"{_limits.MAX_EXPR_CHARS:,} characters, {_limits.MAX_EXPR_NODES:,}" in PAGE
    assert f"{_limits.MAX_EXPR_DEPTH} levels deep" in PAGE
    assert f"{_limits.MAX_STRING_LITERAL:,} characters" in PAGE
    assert _limits.MAX_NUMBER == 1e15
    assert "≤ 1e15" in PAGE
    assert _limits.MAX_DURATION == 36_500 * 86_400 * 1_000_000
    assert "36,500 days" in PAGE


def test_http_defaults_are_the_settings() -> None:
    fields = AdapterSettings.model_fields
    assert fields["timeout"].default == 20
    assert "| `timeout` | 20 s |" in PAGE
    assert fields["request_deadline"].default == 60
    assert "| `request_deadline` | 60 s |" in PAGE
    assert fields["track_deadline"].default == 600
    assert "| `track_deadline` | 600 s |" in PAGE
    assert fields["max_body_bytes"].default == 10 * 1024 * 1024
    assert "| `max_body_bytes` | 10 MiB |" in PAGE


def test_every_error_code_the_page_names_exists() -> None:
    from logix_rules import ErrorCode

    for code in ("pack_too_large", "not_a_pack", "extends_cycle", "yaml_too_complex"):
        assert f"`{code}`" in PAGE
        assert ErrorCode(code)
    for code in ("expr_too_complex", "out_of_range"):
        assert ErrorCode(code)


def test_service_limits_are_the_services() -> None:
    from logix_rules.service import _api, _desk, _desk_session, _desk_throttle, _users
    from logix_rules.service._feed_out import MAX_CHANGES
    from logix_rules.service._settings import DEFAULT_MAX_BODY

    assert DEFAULT_MAX_BODY == 1024 * 1024
    assert "| a webhook body | 1 MiB" in PAGE
    assert f"{_api.MAX_PAGE} / {MAX_CHANGES:,} items" in PAGE
    assert f"{_api.MAX_SHIPMENTS:,} shipments" in PAGE
    assert _desk.MAX_FORM_BYTES == 64 * 1024
    assert f"a note {_desk._NOTE_MAX:,} characters" in PAGE
    assert (_desk_throttle.LIMIT, _desk_throttle.ADDRESS_LIMIT) == (10, 100)
    assert _desk_throttle.WINDOW_S == 15 * 60
    assert "10 per user name, 100 per client address, in 15 minutes" in PAGE
    assert _desk_session.MAX_AGE_S == 12 * 3600
    assert (_users._N, _users._R, _users._P) == (2**14, 8, 1)
    assert f"{_users._MIN_PASSWORD} to {_users._MAX_PASSWORD:,} characters" in PAGE
