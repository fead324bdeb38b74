"""Quiet-hour windows in the user's own timezone (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from subgraphs.support.quiet_hours import QuietWindow, format_clock, parse_clock, parse_timezone

PARIS = ZoneInfo("Europe/Paris")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_window_across_midnight_ends_the_next_morning_local_time():
    window = QuietWindow(parse_clock("22:00"), parse_clock("07:00"), PARIS)
    # 23:30 in Paris (winter, UTC+1) -> 07:00 Paris next day = 06:00 UTC.
    assert window.ends_after(at("2026-01-10T23:30:00+01:00")) == at("2026-01-11T06:00:00+00:00")
    # 01:00 in Paris: the same morning.
    assert window.ends_after(at("2026-01-11T01:00:00+01:00")) == at("2026-01-11T06:00:00+00:00")
    assert window.ends_after(at("2026-01-11T07:00:00+01:00")) is None
    assert window.ends_after(at("2026-01-11T12:00:00+01:00")) is None


def test_a_daytime_window_and_summer_time():
    window = QuietWindow(parse_clock("12:00"), parse_clock("14:00"), PARIS)
    assert window.ends_after(at("2026-07-01T12:30:00+02:00")) == at("2026-07-01T12:00:00+00:00")
    assert window.ends_after(at("2026-07-01T11:59:00+02:00")) is None


def test_the_window_ending_on_a_daylight_saving_change_ends_in_real_time():
    # Paris springs forward on 2026-03-29 at 02:00 -> 03:00: a 22:00-07:00 night is an hour
    # shorter; the end is still 07:00 local, now UTC+2.
    window = QuietWindow(parse_clock("22:00"), parse_clock("07:00"), PARIS)
    assert window.ends_after(at("2026-03-28T23:00:00+01:00")) == at("2026-03-29T05:00:00+00:00")


@pytest.mark.parametrize("raw", ["24:00", "7:00", "07:60", "noon", ""])
def test_clock_times_are_hh_mm(raw: str):
    with pytest.raises(ValueError):
        parse_clock(raw)


def test_clock_round_trip_and_timezones():
    assert format_clock(parse_clock("07:05")) == "07:05"
    assert parse_timezone("Asia/Tokyo").key == "Asia/Tokyo"
    with pytest.raises(ValueError):
        parse_timezone("Nowhere/Special")
    with pytest.raises(ValueError):
        QuietWindow(60, 60, PARIS)
