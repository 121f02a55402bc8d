"""An SLA policy's targets as people read them: business minutes are never folded into 24-hour days."""

from __future__ import annotations

from web.admin.views.policy_terms import duration, target_lines


def test_calendar_minutes_read_in_days_and_business_minutes_in_hours() -> None:
    assert (duration(90), duration(2880), duration(3000)) == ("1 h 30 min", "2 d", "2 d 2 h")
    assert (duration(3000, business=True), duration(2400, business=True)) == ("50 h", "40 h")


def test_a_policys_targets_say_which_count_calendar_time() -> None:
    targets = {"normal": {"first_response": {"minutes": 60, "business_hours": False},
                          "resolution": {"minutes": 3000, "business_hours": True}}}
    assert target_lines(targets) == ["normal: first response 1 h (24x7), resolution 50 h"]
