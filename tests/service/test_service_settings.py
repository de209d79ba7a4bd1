"""ServiceSettings.from_env: each variable read, defaults kept, bad values refused."""

from __future__ import annotations

import pytest

from logix_rules import LogixError
from logix_rules.service import ServiceSettings


def test_the_environment_sets_every_number() -> None:
    settings = ServiceSettings.from_env(
        {
            "LOGIX_API_TOKENS": "a, b,,",
            "LOGIX_CLOCK_INTERVAL": "2.5",
            "LOGIX_DB_POOL": "3",
            "LOGIX_RELAY_MAX_ATTEMPTS": "4",
            "LOGIX_DESK_REFRESH": "0",
            "LOGIX_UPS_POLL_INTERVAL": "30",
        },
        carriers=("ups", "dhl"),
    )
    assert [t.get_secret_value() for t in settings.api_tokens] == ["a", "b"]
    assert settings.clock_interval == 2.5
    assert settings.pool_size == 3
    assert settings.relay_max_attempts == 4
    assert settings.desk_refresh == 0
    assert settings.poll_interval("ups") == 30
    assert settings.poll_interval("dhl") == 600


def test_unset_variables_keep_their_defaults() -> None:
    settings = ServiceSettings.from_env({})
    assert settings == ServiceSettings()
    assert settings.desk_refresh == 60


@pytest.mark.parametrize("raw", ["-1", "soon", "nan"])
def test_a_bad_number_is_refused_with_its_name(raw: str) -> None:
    with pytest.raises(LogixError) as caught:
        ServiceSettings.from_env({"LOGIX_DESK_REFRESH": raw})
    error = caught.value
    assert error.code == "bad_service_setting"
    assert "LOGIX_DESK_REFRESH" in str(error)
    assert "unset it for the default 60" in str(error)
