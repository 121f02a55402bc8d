"""What a merge does to the customer 360 summary: the survivor's figures absorb the duplicate's."""

from __future__ import annotations

from typing import Any

from projections.views.touch_figures import earliest, latest, merged_recent


def _add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(a.keys() | b.keys())}


def fold_figures(survivor: dict[str, Any], duplicate: dict[str, Any]) -> dict[str, Any]:
    """The survivor's summary figures once it has absorbed the duplicate's."""
    summed = ("touches", "open_cases", "cases_total", "open_promises", "won_value", "csat_sum", "csat_count")
    return {
        **{k: survivor[k] + duplicate[k] for k in summed},
        "touches_by_channel": _add_counts(survivor["touches_by_channel"], duplicate["touches_by_channel"]),
        "deals_by_stage": _add_counts(survivor["deals_by_stage"], duplicate["deals_by_stage"]),
        "first_touch_at": earliest(survivor["first_touch_at"], duplicate["first_touch_at"]),
        "last_touch_at": latest(survivor["last_touch_at"], duplicate["last_touch_at"]),
        "last_contact_at": latest(survivor["last_contact_at"], duplicate["last_contact_at"]),
        "last_record_at": latest(survivor["last_record_at"], duplicate["last_record_at"]),
        "recent_touches": merged_recent(survivor["recent_touches"] or [], duplicate["recent_touches"] or []),
    }
