"""Date expressions in a clause, resolved to calendar dates against the report's publication date.

find_dates() returns every date expression of a sentence or clause as a DateMention: its span, the
resolved date and how precise that date is ("day", "week", "month", "year", or "unknown" when it cannot
be resolved). Absolute dates ("March 2, 2022", "24.02.2022", "2022-02-24") resolve on their own;
everything else needs the publication date. Month, weekday and relative words come from
seeds/date_words.csv; this module compiles them into regular expressions once, at import.

Conventions (published = the report's publication date):
- "March 2" without a year: the latest March 2 on or before published + 1 day (a report dated in the
  evening in Washington already speaks of the next morning in Kyiv).
- Ranges ("February 26-27", "February 28-March 1", "between March 1 and 3"): the first day, "week";
  night forms ("the night of April 18", "overnight on March 3-4"): the first day, "day".
- "Tuesday": the latest Tuesday on or before published; "last Tuesday" strictly before, "next Tuesday"
  strictly after.
- "yesterday", "today", "last night" ...: published plus the offset in the lexicon, "day".
- "this week" / "last week" / "next week": the Monday of that week, "week".
- "over the weekend": the latest Saturday on or before published, "week".
- Windows ("in the past 24 hours", "over the last week", "in recent days", "in 3 days", "within 2 or 3
  days"): the first day of a window that ends at publication, published - N (at least one day back);
  followed by "(as of <date>)" the window ends at that date instead. A plural unit without a count
  ("recent days") counts as "few" (3). Forward windows ("in the coming days", "over the next week")
  start at publication. Precision grows with the window: up to a day "day", up to two weeks "week",
  up to two months "month", then "year". "N days ago": published - N days.
- "in late August", "in mid-April", "the March siege": the 20th / 10th / 1st (part words in the lexicon)
  of the latest such month that began on or before published, "month". "May" stands alone only after a
  cue ("in May", "of May", "late May"); a lowercase "may" or "march" is never a date.
- "March 2022": the 1st, "month"; "in 2022", "since 2014", "mid-2022": January 1st, "year" (a bare year
  needs a cue or a part word, and must lie in 1990-2039).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelines.claims.quantities import NUMBER, number_value

_LEXICON_PATH = Path(__file__).resolve().parents[2] / "seeds" / "date_words.csv"
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets into the text passed in
    end: int
    text: str  # text[start:end]
    date: dt.date | None
    precision: str  # one of "day", "week", "month", "year", "unknown"


@dataclass(frozen=True)
class _Resolved:
    date: dt.date | None
    precision: str
    # Days a backward window reaches before its end, so that "(as of <date>)" can move the end.
    back_days: int | None = None


_UNKNOWN = _Resolved(None, "unknown")
# start, end, pattern order (the tie-breaker between equally long mentions), resolution
_Candidate = tuple[int, int, int, _Resolved]
_Resolver = Callable[[re.Match[str], "dt.date | None"], "_Resolved | None"]


def _load_lexicon() -> dict[str, dict[str, int]]:
    words: dict[str, dict[str, int]] = defaultdict(dict)
    with _LEXICON_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            words[row["kind"]][" ".join(row["word"].lower().split())] = int(row["value"])
    return dict(words)


_WORDS = _load_lexicon()
_MONTH_OF = {w: v for kind in ("month", "month_cued", "month_abbr") for w, v in _WORDS[kind].items()}
_WEEKDAY_OF = _WORDS["weekday"]
_PART_DAY = _WORDS["part"]
_UNIT_HOURS = _WORDS["window_unit"]
_FEW = _WORDS["vague_count"]["few"]


def _phrase(word: str) -> str:
    return r"\s+".join(re.escape(part) for part in word.split())


def _any_case(words: Iterable[str]) -> str:
    """Case-insensitive alternation of lexicon phrases, longest first."""
    return "(?i:" + "|".join(_phrase(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _cased(words: Iterable[str]) -> str:
    """Lexicon phrases as text writes them (lower case, capitalised, upper case), longest first.

    Case-sensitive alternations are what make the anchors fast: the regex engine can then skip ahead to
    the possible first letters instead of trying every position.
    """
    forms = {form for w in words for form in (w, w.capitalize(), w.upper())}
    return "(?:" + "|".join(_phrase(w) for w in sorted(forms, key=len, reverse=True)) + ")"


def _capitalised(words: Iterable[str]) -> str:
    # Month and weekday names count only capitalised ("March 2", "MARCH 2"): "the march on Kyiv" and
    # "forces may attack" are no dates.
    forms = {form for w in words for form in (w.capitalize(), w.upper())}
    return "(?:" + "|".join(_phrase(w) for w in sorted(forms, key=len, reverse=True)) + ")"


def _month(name: str, kinds: tuple[str, ...] = ("month", "month_cued", "month_abbr")) -> str:
    words = [w for kind in kinds for w in _WORDS[kind]]
    return rf"(?<![\w.])(?P<{name}>{_capitalised(words)})(?![^\W\d_])"


def _day(name: str) -> str:
    # Not followed by more digits, a decimal or thousands part ("March 2,500"), or a time ("2:30").
    return rf"(?P<{name}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\w]|[.,:]\d)"


def _year(name: str) -> str:
    return rf"(?P<{name}>(?:19|20)\d\d)(?![\w])"


_WEEKDAY = rf"(?<![\w])(?:{_capitalised(_WEEKDAY_OF)})(?![^\W\d_])"
_NIGHT = _any_case(_WORDS["night"])
_PART = rf"(?<![\w-])(?:(?i:the)\s+)?{_any_case(_PART_DAY)}"
_CUE = rf"(?<![\w-]){_any_case(_WORDS['cue'])}"
_COUNT = rf"(?:{_any_case(_WORDS['vague_count'])}|(?i:{NUMBER})|(?i:an?))"
_RANGE_SEPARATOR = r"(?:\s*[-–—]\s*|\s+(?i:to|through|until|till|into)\s+|(?(between)\s+(?i:and)\s+|(?!)))"
_AS_OF = re.compile(r"\s*[(\[,]?\s*as\s+of\b[^()\[\]]{0,60}$", re.IGNORECASE)

_MONTH_DAY = re.compile(
    rf"(?<![\w])(?:(?P<night>{_NIGHT})\s+)?(?:(?P<between>(?i:between))\s+|(?i:from)\s+)?"
    rf"(?:{_WEEKDAY},?\s+(?:(?i:the)\s+)?)?"
    rf"{_month('m')}\s+{_day('d')}"
    rf"(?:{_RANGE_SEPARATOR}(?:{_month('m2')}\s+)?{_day('d2')})?"
    rf"(?:,?\s+{_year('y')})?"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w])(?:(?P<night>{_NIGHT})\s+)?(?:{_WEEKDAY},?\s+)?(?:(?i:the)\s+)?"
    rf"(?<![\w.,:/\[-]){_day('d')}(?:\s*[-–—]\s*{_day('d2')})?\s+(?:(?i:of)\s+)?{_month('m')}"
    rf"(?:,?\s+{_year('y')})?"
)
_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?:(?P<part>{_PART})(?:\s*-\s*|\s+))?{_month('m')}(?:\s+(?i:of))?,?\s+{_year('y')}"
)
_BARE_MONTH = re.compile(
    rf"(?<![\w])(?:(?P<lead>{_CUE}\s+(?:(?i:the)\s+)?))?(?:(?P<part>{_PART})(?:\s*-\s*|\s+))?"
    rf"{_month('m', ('month', 'month_cued'))}(?!\s*\d)"
)
_BARE_YEAR = re.compile(
    rf"(?<![\w])(?:(?P<lead>{_CUE}\s+))?(?:(?P<part>{_PART})(?:\s*-\s*|\s+))?"
    # Not part of another number: "24.02.2022", "2022-02-24"; a year range "2014-2022" is fine.
    r"(?<![\w.,/:\[])(?P<y>199\d|20[0-3]\d)(?![\w]|[.,/:]\d|[-–]\d\d[-–/.])"
)
_ISO = re.compile(
    r"(?<![\w.\-/])(?P<y>(?:19|20)\d\d)-(?P<mo>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])(?!\d)"
)
_DOTTED = re.compile(
    r"(?<![\w.\-/])(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<mo>0?[1-9]|1[0-2])\.(?P<y>(?:19|20)\d\d)(?!\d|\.\d)"
)
_SLASHED = re.compile(r"(?<![\w.\-/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d\d)(?!\d|/\d)")
_WEEKDAY_MENTION = re.compile(
    rf"(?<![\w])(?:(?P<mod>(?i:late|early)(?:\s+(?i:on))?)\s+|(?P<night>{_NIGHT})\s+)?"
    rf"(?:(?P<rel>(?i:last|next|this|past))\s+)?"
    rf"(?P<w>{_WEEKDAY})(?:['’]s)?(?:\s+{_any_case(_WORDS['daypart'])}(?![\w]))?"
)
_DAY_WORD = re.compile(rf"(?<![\w])(?P<word>{_cased(_WORDS['day'])})(?![\w])")
_WEEK_WORD = re.compile(rf"(?<![\w])(?P<word>{_cased(_WORDS['week'])})(?![\w])")
_WEEKEND = re.compile(
    rf"(?i:(?<![\w])(?:(?:over|at|during|on|throughout)\s+)?(?:the|this|last|past)\s+)"
    rf"(?P<word>{_cased(_WORDS['weekend'])})(?![\w])"
)
_WINDOW = re.compile(
    rf"(?<![\w])(?P<prep>(?i:in|over|during|within|for|throughout))\s+(?:(?i:the)\s+)?"
    rf"(?:(?P<dir>{_any_case(_WORDS['window_dir'])})\s+)?"
    rf"(?:(?P<n>{_COUNT})(?:\s*(?:-|–|(?i:or|to))\s*(?i:{NUMBER}))?\s+)?"
    rf"(?P<unit>{_cased(_UNIT_HOURS)})(?![\w])"
)
_AGO = re.compile(rf"(?<![\w])(?:(?P<n>{_COUNT})\s+)?(?P<unit>{_cased(_UNIT_HOURS)})\s+(?:ago|AGO)(?![\w])")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _recent(month: int, day: int, published: dt.date) -> dt.date | None:
    """The latest month/day on or before published + 1 day (a February 29 may be years back)."""
    limit = published + _ONE_DAY
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= limit:
            return candidate
    return None


def _month_year(month: int, published: dt.date) -> int:
    return published.year if month <= published.month else published.year - 1


def _calendar_date(year: int, month: int, day: int, precision: str) -> _Resolved | None:
    try:
        return _Resolved(dt.date(year, month, day), precision)
    except ValueError:
        return None


def _month_day(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    month, day = _MONTH_OF[_key(match["m"])], int(match["d"])
    month2 = _MONTH_OF[_key(match["m2"])] if match.groupdict().get("m2") else month
    ranged = match["d2"] is not None
    if ranged and month2 == month and int(match["d2"]) <= day:
        ranged = False  # "March 27 - 3 killed" is no range
    precision = "week" if ranged and not match["night"] else "day"
    if match["y"]:
        # "December 31-January 1, 2023": the year is the second date's.
        year = int(match["y"]) - (1 if ranged and month2 < month else 0)
        return _calendar_date(year, month, day, precision)
    if published is None:
        return _UNKNOWN
    found = _recent(month, day, published)
    return _Resolved(found, precision) if found else None


def _month_and_year(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    day = _PART_DAY[_key(match["part"]).removeprefix("the ")] if match["part"] else 1
    return _calendar_date(int(match["y"]), _MONTH_OF[_key(match["m"])], day, "month")


def _bare_month(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    word = _key(match["m"])
    if word in _WORDS["month_cued"] and not (match["lead"] or match["part"]):
        return None
    if published is None:
        return _UNKNOWN
    month = _MONTH_OF[word]
    day = _PART_DAY[_key(match["part"]).removeprefix("the ")] if match["part"] else 1
    return _Resolved(dt.date(_month_year(month, published), month, day), "month")


def _bare_year(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if not (match["lead"] or match["part"]):
        return None
    return _Resolved(dt.date(int(match["y"]), 1, 1), "year")


def _numeric(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    return _calendar_date(int(match["y"]), int(match["mo"]), int(match["d"]), "day")


def _slashed(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    first, second = int(match["a"]), int(match["b"])
    # American month/day unless the first number cannot be a month ("24/02/2022").
    month, day = (second, first) if first > 12 else (first, second)
    return _calendar_date(int(match["y"]), month, day, "day")


def _weekday(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if published is None:
        return _UNKNOWN
    back = (published.weekday() - _WEEKDAY_OF[_key(match["w"])]) % 7
    relation = _key(match["rel"] or "")
    if relation in ("last", "past") and back == 0:
        back = 7
    elif relation == "next":
        back -= 7
    return _Resolved(published - dt.timedelta(days=back), "day")


def _day_word(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if published is None:
        return _UNKNOWN
    return _Resolved(published + dt.timedelta(days=_WORDS["day"][_key(match["word"])]), "day")


def _week_word(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if published is None:
        return _UNKNOWN
    monday = published - dt.timedelta(days=published.weekday())
    return _Resolved(monday + dt.timedelta(days=_WORDS["week"][_key(match["word"])]), "week")


def _weekend(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if published is None:
        return _UNKNOWN
    back = (published.weekday() - _WORDS["weekend"][_key(match["word"])]) % 7
    return _Resolved(published - dt.timedelta(days=back), "week")


def _hours(match: re.Match[str]) -> float:
    unit = _key(match["unit"])
    count = match["n"]
    if count is None:
        count_value = _FEW if unit.endswith("s") else 1
    else:
        key = _key(count)
        count_value = _WORDS["vague_count"].get(key) or (1 if key in ("a", "an") else number_value(count))
    return count_value * _UNIT_HOURS[unit]


def _window_precision(hours: float) -> str:
    days = hours / 24
    return "day" if days <= 1 else "week" if days <= 14 else "month" if days <= 62 else "year"


def _window(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    direction = _WORDS["window_dir"][_key(match["dir"])] if match["dir"] else 0
    # "in 3 days" and "within 2 or 3 days" need their count; "for days", "during the day" and the idiom
    # "in a day" say nothing.
    if not direction and (
        match["n"] is None or _key(match["n"]) in ("a", "an") or _key(match["prep"]) not in ("in", "within", "over")
    ):
        return None
    hours = _hours(match)
    precision = _window_precision(hours)
    if published is None:
        return _UNKNOWN
    if direction > 0:
        return _Resolved(published, precision)
    back = max(1, math.ceil(hours / 24))
    return _Resolved(published - dt.timedelta(days=back), precision, back_days=back)


def _ago(match: re.Match[str], published: dt.date | None) -> _Resolved | None:
    if published is None:
        return _UNKNOWN
    hours = _hours(match)
    precision = _window_precision(_UNIT_HOURS[_key(match["unit"])])
    return _Resolved(published - dt.timedelta(days=int(hours // 24)), precision)


# The full patterns, with their optional prefixes, try many alternatives at every position and are
# slow; but each needs one word of a cheap, case-sensitive anchor (a year, a month, a weekday, a
# relative word), so it runs only in windows around the anchor's matches. A window reaches further than
# any prefix before the anchor ("on the night of Wednesday, the") and any range, year or suffix after it.
_BEFORE_ANCHOR = 48
_AFTER_ANCHOR = 40
_FAMILIES: tuple[tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], _Resolver], ...]], ...] = (
    (
        re.compile(r"(?:19|20)\d\d"),
        ((_ISO, _numeric), (_DOTTED, _numeric), (_SLASHED, _slashed), (_BARE_YEAR, _bare_year)),
    ),
    (
        re.compile(_capitalised(_MONTH_OF)),
        (
            (_MONTH_DAY, _month_day),
            (_DAY_MONTH, _month_day),
            (_MONTH_YEAR, _month_and_year),
            (_BARE_MONTH, _bare_month),
        ),
    ),
    (re.compile(_capitalised(_WEEKDAY_OF)), ((_WEEKDAY_MENTION, _weekday),)),
    (re.compile(_cased(_UNIT_HOURS)), ((_WINDOW, _window), (_AGO, _ago))),
    (re.compile(_cased(_WORDS["weekend"])), ((_WEEKEND, _weekend),)),
    (re.compile(_cased(_WORDS["week"])), ((_WEEK_WORD, _week_word),)),
    (re.compile(_cased(_WORDS["day"])), ((_DAY_WORD, _day_word),)),
)


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Every date expression in `text`, resolved against the report's publication date, in text order, non-overlapping (longest wins)."""
    if isinstance(published, dt.datetime):
        published = published.date()
    candidates: list[_Candidate] = []
    order = 0  # on a tie in length, the earlier pattern of _FAMILIES wins
    for anchor, patterns in _FAMILIES:
        windows = _windows(anchor, text)
        for pattern, resolve in patterns:
            order += 1
            for low, high in windows:
                for match in pattern.finditer(text, low, high):
                    resolved = resolve(match, published)
                    if resolved is not None:
                        start = match.end("lead") if "lead" in pattern.groupindex and match["lead"] else match.start()
                        candidates.append((start, match.end(), order, resolved))
    chosen = _longest_first(candidates)
    _anchor_windows(text, chosen)
    return [DateMention(start, end, text[start:end], r.date, r.precision) for start, end, _, r in chosen]


def _windows(anchor: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Merged stretches of text around the anchor's matches."""
    windows: list[tuple[int, int]] = []
    for match in anchor.finditer(text):
        low, high = max(0, match.start() - _BEFORE_ANCHOR), min(len(text), match.end() + _AFTER_ANCHOR)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _longest_first(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, longer before shorter, returned in text order."""
    starts: list[int] = []
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c[0] - c[1], c[2], c[0])):
        start, end = candidate[0], candidate[1]
        index = bisect.bisect_left(starts, start)
        if index > 0 and chosen[index - 1][1] > start:
            continue
        if index < len(chosen) and chosen[index][0] < end:
            continue
        starts.insert(index, start)
        chosen.insert(index, candidate)
    return chosen


def _anchor_windows(text: str, chosen: list[_Candidate]) -> None:
    # "in the past 24 hours (as of 5:00 pm on March 3)": the window ends at the stated date, not at publication.
    for index, (start, end, order, resolved) in enumerate(chosen[:-1]):
        following = chosen[index + 1]
        if resolved.back_days is None or following[3].date is None:
            continue
        if _AS_OF.match(text, end, following[0]):
            date = following[3].date - dt.timedelta(days=resolved.back_days)
            chosen[index] = (start, end, order, _Resolved(date, resolved.precision, resolved.back_days))
