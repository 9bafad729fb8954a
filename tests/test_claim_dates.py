from __future__ import annotations

import datetime as dt

import pytest

from pipelines.claims.dates import DateMention, find_dates

TUESDAY = dt.date(2024, 9, 3)
SUNDAY = dt.date(2022, 3, 27)


def only(text: str, published: dt.date | None) -> DateMention:
    mentions = find_dates(text, published)
    assert len(mentions) == 1, mentions
    mention = mentions[0]
    assert text[mention.start : mention.end] == mention.text
    return mention


@pytest.mark.parametrize(
    ("text", "published", "date", "precision"),
    [
        # Absolute days; without a year the latest on or before published + 1 day.
        ("Russian forces shelled Kharkiv on March 2.", SUNDAY, dt.date(2022, 3, 2), "day"),
        ("March 2", TUESDAY, dt.date(2024, 3, 2), "day"),
        ("the strike of Sept. 2", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("September 2", SUNDAY, dt.date(2021, 9, 2), "day"),
        ("on 2 September", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("September 4", TUESDAY, dt.date(2024, 9, 4), "day"),
        ("September 5", TUESDAY, dt.date(2023, 9, 5), "day"),
        ("Sep 5", TUESDAY, dt.date(2023, 9, 5), "day"),
        ("the 24th of February", SUNDAY, dt.date(2022, 2, 24), "day"),
        ("March 2, 2022", TUESDAY, dt.date(2022, 3, 2), "day"),
        ("On May 3, 2022, Russian forces", TUESDAY, dt.date(2022, 5, 3), "day"),
        ("24 February 2022", None, dt.date(2022, 2, 24), "day"),
        ("Tuesday, March 1", SUNDAY, dt.date(2022, 3, 1), "day"),
        # Ranges: the first day, a week's precision.
        ("on February 26-27", SUNDAY, dt.date(2022, 2, 26), "week"),
        ("March 26 - 27", SUNDAY, dt.date(2022, 3, 26), "week"),
        ("February 28-March 1", SUNDAY, dt.date(2022, 2, 28), "week"),
        ("between March 1 and 3", SUNDAY, dt.date(2022, 3, 1), "week"),
        ("December 31-January 1, 2023", None, dt.date(2022, 12, 31), "week"),
        # Nights: the first day, a day's precision.
        ("on the night of April 18", SUNDAY, dt.date(2021, 4, 18), "day"),
        ("overnight on March 3-4", SUNDAY, dt.date(2022, 3, 3), "day"),
        ("on the night of March 3 to 4", SUNDAY, dt.date(2022, 3, 3), "day"),
        # Weekdays: the latest on or before published.
        ("Russian forces attacked on Tuesday", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("late on Monday", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("Tuesday's strikes", SUNDAY, dt.date(2022, 3, 22), "day"),
        ("early on Tuesday morning", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("on Sunday", TUESDAY, dt.date(2024, 9, 1), "day"),
        ("last Tuesday", TUESDAY, dt.date(2024, 8, 27), "day"),
        # Relative days.
        ("yesterday", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("Today", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("this morning", SUNDAY, dt.date(2022, 3, 27), "day"),
        ("tonight", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("this night", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("during the day", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("drones struck Odesa overnight", TUESDAY, dt.date(2024, 9, 3), "day"),
        ("last night", TUESDAY, dt.date(2024, 9, 2), "day"),
        # The last 24 hours: the day before publication.
        ("in the past 24 hours", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("over the last 24 hours", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("in the past day", SUNDAY, dt.date(2022, 3, 26), "day"),
        ("over the previous 24 hours", TUESDAY, dt.date(2024, 9, 2), "day"),
        ("in the last day", TUESDAY, dt.date(2024, 9, 2), "day"),
        # Weeks and weekends.
        ("over the weekend", TUESDAY, dt.date(2024, 8, 31), "week"),
        ("at the weekend", SUNDAY, dt.date(2022, 3, 26), "week"),
        ("this weekend", TUESDAY, dt.date(2024, 8, 31), "week"),
        ("last week", TUESDAY, dt.date(2024, 8, 26), "week"),
        ("this week", TUESDAY, dt.date(2024, 9, 2), "week"),
        ("this week", SUNDAY, dt.date(2022, 3, 21), "week"),
        ("in recent days", TUESDAY, dt.date(2024, 8, 31), "week"),
        ("over the past week", TUESDAY, dt.date(2024, 8, 27), "week"),
        ("in 3 days", TUESDAY, dt.date(2024, 8, 31), "week"),
        ("within 2 or 3 days", TUESDAY, dt.date(2024, 9, 1), "week"),
        ("in the coming days", TUESDAY, dt.date(2024, 9, 3), "week"),
        ("two days ago", TUESDAY, dt.date(2024, 9, 1), "day"),
        # Months: the part's day of the latest such month begun on or before published.
        ("in late August", TUESDAY, dt.date(2024, 8, 20), "month"),
        ("in late August", SUNDAY, dt.date(2021, 8, 20), "month"),
        ("in early March", SUNDAY, dt.date(2022, 3, 1), "month"),
        ("in mid-April", TUESDAY, dt.date(2024, 4, 10), "month"),
        ("in August", TUESDAY, dt.date(2024, 8, 1), "month"),
        ("during the March siege", SUNDAY, dt.date(2022, 3, 1), "month"),
        ("in May", TUESDAY, dt.date(2024, 5, 1), "month"),
        ("at the end of May", TUESDAY, dt.date(2024, 5, 20), "month"),
        ("March 2022", TUESDAY, dt.date(2022, 3, 1), "month"),
        ("in March 2022", None, dt.date(2022, 3, 1), "month"),
        ("late March 2022", None, dt.date(2022, 3, 20), "month"),
        # Years.
        ("in 2022", TUESDAY, dt.date(2022, 1, 1), "year"),
        ("since 2014", None, dt.date(2014, 1, 1), "year"),
        ("by mid-2023", TUESDAY, dt.date(2023, 1, 1), "year"),
        # Starting points.
        ("since June 11", TUESDAY, dt.date(2024, 6, 11), "day"),
        ("as of May 28", TUESDAY, dt.date(2024, 5, 28), "day"),
        ("the offensive began on March 26", SUNDAY, dt.date(2022, 3, 26), "day"),
        # Numeric dates.
        ("24.02.2022", None, dt.date(2022, 2, 24), "day"),
        ("2022-02-24", None, dt.date(2022, 2, 24), "day"),
        ("2/24/2022", None, dt.date(2022, 2, 24), "day"),
        ("24/02/2022", None, dt.date(2022, 2, 24), "day"),
    ],
)
def test_resolution(text, published, date, precision):
    mention = only(text, published)
    assert (mention.date, mention.precision) == (date, precision)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Russian forces shelled Kharkiv on March 2.", "March 2"),
        ("overnight on March 3-4", "overnight on March 3-4"),
        ("in late August", "late August"),
        ("since 2014", "2014"),
        ("late on Monday", "late on Monday"),
        ("in the past 24 hours", "in the past 24 hours"),
    ],
)
def test_spans(text, span):
    assert only(text, SUNDAY).text == span


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("4:00 pm local time on February 25", dt.date(2022, 2, 25)),
        ("noon local time on March 3", dt.date(2022, 3, 3)),
        ("10am local time on February 27", dt.date(2022, 2, 27)),
    ],
)
def test_times_give_their_date(text, date):
    mention = only(text, SUNDAY)
    assert (mention.date, mention.precision) == (date, "day")
    assert mention.text.endswith(text.split(" on ")[1])


def test_as_of_moves_the_end_of_a_window():
    text = "Ukrainian forces repelled 12 attacks in the past 24 hours (as of 5:00 pm EST on March 3)."
    window, as_of = find_dates(text, SUNDAY)
    assert (window.text, window.date, window.precision) == ("in the past 24 hours", dt.date(2022, 3, 2), "day")
    assert as_of.date == dt.date(2022, 3, 3)


def test_several_mentions_in_text_order():
    text = "Russian forces attacked Izyum on March 24 and again yesterday, after a pause since mid-March."
    mentions = find_dates(text, SUNDAY)
    assert [(m.text, m.date) for m in mentions] == [
        ("March 24", dt.date(2022, 3, 24)),
        ("yesterday", dt.date(2022, 3, 26)),
        ("mid-March", dt.date(2022, 3, 10)),
    ]


def test_longest_expression_wins():
    mentions = find_dates("between March 1 and March 3, 2022 and in 2022-02-24 reports", None)
    assert [m.text for m in mentions] == ["between March 1 and March 3, 2022", "2022-02-24"]
    assert mentions[0].date == dt.date(2022, 3, 1)


@pytest.mark.parametrize(
    "text",
    ["yesterday", "on Tuesday", "last week", "over the weekend", "in late August", "March 2", "in the past 24 hours"],
)
def test_relative_dates_without_publication_are_unknown(text):
    mention = only(text, None)
    assert (mention.date, mention.precision) == (None, "unknown")


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces may attack Kharkiv.",
        "May attack",  # a modal at the start of a sentence
        "the march on Kyiv stalled",
        "Russia committed 20 BTGs to the Kyiv axis.[12]",
        "Ukrainian forces advanced 14km.",
        "elements of the 150th Motor Rifle Division and 4th Guards Tank Division",
        "Russian forces fired 2022 shells",  # four digits with no date cue
        "a Su-30 and a T-72 tank",
        "the offensive could fail in a day",
        "fighting continued for days",
    ],
)
def test_no_false_dates(text):
    assert find_dates(text, TUESDAY) == []


def test_mentions_are_frozen():
    mention = only("March 2", SUNDAY)
    with pytest.raises(AttributeError):
        mention.date = None  # type: ignore[misc]
