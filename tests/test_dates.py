import datetime as dt

import pytest

from pipelines.ingest.dates import parse_published
from pipelines.ingest.errors import Rejected

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-09-03", dt.datetime(2024, 9, 3, tzinfo=UTC)),
        ("2024-09-03T18:30:00+03:00", dt.datetime(2024, 9, 3, 15, 30, tzinfo=UTC)),
        ("2024-09-03T15:30:00Z", dt.datetime(2024, 9, 3, 15, 30, tzinfo=UTC)),
        ("3 September 2024 10:05", dt.datetime(2024, 9, 3, 10, 5, tzinfo=UTC)),
        ("вівторок, 3 вересня 2024", dt.datetime(2024, 9, 3, tzinfo=UTC)),
        (dt.date(2024, 9, 3), dt.datetime(2024, 9, 3, tzinfo=UTC)),
        (1725350400, dt.datetime(2024, 9, 3, 8, tzinfo=UTC)),
        (1725350400000, dt.datetime(2024, 9, 3, 8, tzinfo=UTC)),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


def test_explicit_format_and_zone():
    parsed = parse_published("2/24/2022 05:45", date_format="%m/%d/%Y %H:%M", timezone="Europe/Kyiv")
    assert parsed == dt.datetime(2022, 2, 24, 3, 45, tzinfo=UTC)


@pytest.mark.parametrize("value", ["Tuesday", "September 2024", "sometime soon", "2024-13-45", True, ["2024-09-03"]])
def test_incomplete_or_impossible_dates_are_rejected(value):
    with pytest.raises(Rejected) as caught:
        parse_published(value)
    assert caught.value.reason == "bad_date"
