"""Quiet hours: a daily window in the user's own timezone when non-urgent email, SMS and push
wait. Pure functions, no I/O.

A window is `start`..`end` in minutes after local midnight; `start > end` spans midnight
(22:00..07:00). `start == end` is refused (an empty or a whole-day window is surely a mistake).
Daylight-saving gaps and folds resolve as `zoneinfo` does (fold=0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
MINUTES_PER_DAY = 24 * 60


def parse_clock(raw: str) -> int:
    """`HH:MM` (24-hour) -> minutes after midnight; ValueError otherwise."""
    match = _CLOCK.match(raw.strip())
    if match is None:
        raise ValueError(f"{raw!r} is not a time of day in HH:MM (00:00 to 23:59)")
    return int(match.group(1)) * 60 + int(match.group(2))


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_timezone(raw: str) -> ZoneInfo:
    """An IANA timezone name (`Europe/Paris`, `UTC`); ValueError otherwise."""
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{raw!r} is not an IANA timezone name (e.g. Europe/Paris)") from error


@dataclass(frozen=True, slots=True)
class QuietWindow:
    start_minute: int
    end_minute: int
    timezone: ZoneInfo

    def __post_init__(self) -> None:
        for minute in (self.start_minute, self.end_minute):
            if not 0 <= minute < MINUTES_PER_DAY:
                raise ValueError("quiet hours must lie within one day")
        if self.start_minute == self.end_minute:
            raise ValueError("quiet hours must start and end at different times")

    def _contains(self, minute: int) -> bool:
        if self.start_minute < self.end_minute:
            return self.start_minute <= minute < self.end_minute
        return minute >= self.start_minute or minute < self.end_minute

    def ends_after(self, now: datetime) -> datetime | None:
        """When the window holding `now` ends (UTC), or None when `now` is outside it."""
        local = now.astimezone(self.timezone)
        minute = local.hour * 60 + local.minute
        if not self._contains(minute):
            return None
        day = local.date()
        if self.start_minute > self.end_minute and minute >= self.start_minute:
            day = day + timedelta(days=1)
        naive_end = datetime(day.year, day.month, day.day) + timedelta(minutes=self.end_minute)
        # A wall time in a DST gap resolves past the gap (zoneinfo's fold=0), never before it.
        return naive_end.replace(tzinfo=self.timezone).astimezone(UTC)
