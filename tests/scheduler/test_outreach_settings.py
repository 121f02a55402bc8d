"""The outreach settings: read from the configuration, a bad value named, the link key derived
from SECRET_KEY (none without one: then no survey or offer is sent)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.settings import SchedulerSettings


def test_the_outreach_settings_come_from_the_configuration() -> None:
    settings = SchedulerSettings.from_config({"SURVEY_DELAY_HOURS": "2", "WINBACK_QUIET_DAYS": "60",
                                              "WINBACK_PERIOD_DAYS": "30", "UNSUBSCRIBE_LINK_DAYS": "7",
                                              "SECRET_KEY": "s"})
    assert (settings.survey_delay, settings.winback_quiet_days, settings.winback_period, settings.link_valid_for) \
        == (timedelta(hours=2), 60, timedelta(days=30), timedelta(days=7))


@pytest.mark.parametrize("key", ["SURVEY_DELAY_HOURS", "WINBACK_QUIET_DAYS", "WINBACK_PERIOD_DAYS",
                                 "UNSUBSCRIBE_LINK_DAYS"])
@pytest.mark.parametrize("value", ["soon", "0", "-1"])
def test_a_bad_value_is_refused_naming_its_variable(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"TOUCHLINE_{key}"):
        SchedulerSettings.from_config({key: value})


def test_the_link_key_is_derived_from_the_secret_key_and_empty_without_one() -> None:
    first = SchedulerSettings.from_config({"SECRET_KEY": "one"}).link_key
    assert len(first) == 32 and first != b"one"
    assert SchedulerSettings.from_config({"SECRET_KEY": "one"}).link_key == first
    assert SchedulerSettings.from_config({"SECRET_KEY": "two"}).link_key != first
    assert SchedulerSettings.from_config({}).link_key == b""
