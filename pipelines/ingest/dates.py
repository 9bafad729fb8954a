"""Publication dates from metadata: ISO strings, YAML dates, Unix times, explicit formats and the free
forms news sites use ("3 September 2024 10:05"), all as timezone-aware UTC datetimes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dateparser

from pipelines.ingest.errors import Rejected

_DATEPARSER_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
    # A publication date must be complete; "September" or "Tuesday" alone is not a date here.
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}
# Unix times beyond this many seconds are taken to be milliseconds.
_MAX_UNIX_SECONDS = 10**11


def parse_published(
    value: object, *, date_format: str | None = None, timezone: str = "UTC"
) -> dt.datetime | None:
    """Turn a metadata value into a UTC datetime; None for a missing value, Rejected('bad_date') otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    zone = ZoneInfo(timezone)
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        stamp = dt.datetime.combine(value, dt.time())
    elif isinstance(value, bool):
        raise Rejected("bad_date", f"not a date: {value!r}")
    elif isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) > _MAX_UNIX_SECONDS else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise Rejected("bad_date", f"Unix time out of range: {value!r}") from exc
    elif isinstance(value, str):
        stamp = _parse_string(value.strip(), date_format, timezone)
    else:
        raise Rejected("bad_date", f"not a date: {value!r}")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=zone)
    return stamp.astimezone(dt.timezone.utc)


def _parse_string(value: str, date_format: str | None, timezone: str) -> dt.datetime:
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format)
        except ValueError as exc:
            raise Rejected("bad_date", f"{value!r} does not match the format {date_format!r}") from exc
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    parsed = dateparser.parse(value, settings={**_DATEPARSER_SETTINGS, "TIMEZONE": timezone})
    if parsed is None:
        raise Rejected("bad_date", f"cannot read a complete date (day, month, year) in {value!r}")
    return parsed
