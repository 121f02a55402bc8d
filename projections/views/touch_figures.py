"""A customer's touch figures in the 360 summary: counted as each touchpoint is recorded, taken
back when it is retracted.

A retraction must be able to say what the latest remaining touch is without reading the log,
so each summary keeps its ``RECENT`` latest touches (``recent_touches``: ``[time, id]``,
newest first). Retracting more than that many latest touches in a row leaves the last touch as
the oldest of them (the summary cannot see further back); the count and the channels stay
exact. Corrections change nothing here: the figures count touches as first recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

RECENT = 20
_KEY = "%Y-%m-%dT%H:%M:%S.%f%z"  # one fixed width: the keys sort as the instants do


def earliest(a: Any, b: Any) -> Any:
    return min(x for x in (a, b) if x is not None) if a is not None or b is not None else None


def latest(a: Any, b: Any) -> Any:
    return max(x for x in (a, b) if x is not None) if a is not None or b is not None else None


def merged_recent(a: list[list[str]], b: list[list[str]]) -> list[list[str]]:
    """The ``RECENT`` latest of two lists of recent touches."""
    return sorted(a + b, reverse=True)[:RECENT]


def _recent_with(recent: list[list[str]], key: str, touchpoint_id: str) -> list[list[str]]:
    if not recent or key >= recent[0][0]:  # the usual case: touches arrive in time order
        return [[key, touchpoint_id], *recent[:RECENT - 1]]
    return merged_recent(recent, [[key, touchpoint_id]])  # a back-filled touch


def with_touch(row: dict[str, Any], channel: str, at: datetime, touchpoint_id: str) -> dict[str, Any]:
    """The summary's changes once it counts a touch on ``channel`` at ``at``."""
    by_channel = {**row["touches_by_channel"]}
    by_channel[channel] = by_channel.get(channel, 0) + 1
    last = latest(row["last_touch_at"], at)
    return {"touches": row["touches"] + 1, "touches_by_channel": by_channel,
            "first_touch_at": earliest(row["first_touch_at"], at), "last_touch_at": last,
            "last_contact_at": latest(row["last_contact_at"], last),
            "recent_touches": _recent_with(row["recent_touches"] or [], at.strftime(_KEY), touchpoint_id)}


def without_touch(row: dict[str, Any], channel: str, at: datetime, touchpoint_id: str) -> dict[str, Any]:
    """The summary's changes once it no longer counts that touch (retracted)."""
    by_channel = {**row["touches_by_channel"]}
    if by_channel.get(channel, 0) > 1:
        by_channel[channel] -= 1
    else:
        by_channel.pop(channel, None)
    touches = max(row["touches"] - 1, 0)
    recent = [t for t in row["recent_touches"] or [] if t[1] != touchpoint_id]
    last = row["last_touch_at"]
    if touches == 0:
        last = None
    elif last is not None and at >= last and recent:
        last = datetime.strptime(recent[0][0], _KEY)
    return {"touches": touches, "touches_by_channel": by_channel, "recent_touches": recent, "last_touch_at": last,
            "first_touch_at": row["first_touch_at"] if touches else None,
            "last_contact_at": latest(last, row["last_record_at"])}
