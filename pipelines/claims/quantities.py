"""Counted things and distances in a clause: "advanced 14km", "twenty-two Russian tanks", "up to 20 BTGs".

find_quantities() returns every number that counts or measures something, with its value and a normalised
unit ("km", "tanks", "APCs", "BTGs", "people", "civilians", "attacks", "troops", "%" ...), in text order.
A range ("6-10km", "two to three kilometers") gives its first number. Number words come from
seeds/number_words.csv and unit words from seeds/quantity_units.csv; this module only compiles them.

Numbers that name rather than count are skipped: years ("in 2022"), days of a month ("March 2 Russian
tanks"), clock times ("4:00 pm"), citation markers ("[12]"), ordinals ("150th", "4th Guards Tank
Division") and model designations ("Su-30", "T-72").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

_SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float
    unit: str  # normalised unit


def _rows(name: str) -> list[dict[str, str]]:
    with (_SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _alternation(words: set[str] | list[str]) -> str:
    # Longest first, so that "battalion tactical groups" wins over "battalion" and "a dozen" over "dozen".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _spaced(phrase: str) -> str:
    # A phrase of the lexicon matches whatever white space separates its words in the text.
    return r"\s+".join(re.escape(part) for part in phrase.split())


# Fractions ("half") would turn "half the tanks" into a quantity; only whole numbers count things.
NUMBER_WORDS: dict[str, float] = {
    row["word"].lower(): float(row["value"]) for row in _rows("number_words.csv") if float(row["value"]) >= 1
}
_TENS = [w for w, v in NUMBER_WORDS.items() if 20 <= v < 100 and v % 10 == 0 and " " not in w and "-" not in w]
_ONES = [w for w, v in NUMBER_WORDS.items() if 1 <= v <= 9 and " " not in w]
_MULTIPLIERS = [w for w, v in NUMBER_WORDS.items() if v >= 100 and " " not in w]
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORD = (
    rf"(?:(?:{_alternation(_TENS)})-(?:{_alternation(_ONES)})"
    rf"|{'|'.join(_spaced(w) for w in sorted(NUMBER_WORDS, key=len, reverse=True))})(?![^\W\d_])"
)

# NUMBER is a pattern string (no groups, to be used case-insensitively) shared with the dates module.
NUMBER = rf"(?:(?:{_DIGITS}|{_WORD})(?:\s+(?:{_alternation(_MULTIPLIERS)}))?)"
_NUMBER_PART = re.compile(rf"{_DIGITS}|{_WORD}", re.IGNORECASE)


def number_value(text: str) -> float:
    """The value of a NUMBER match: "14" -> 14, "1,500" -> 1500, "twenty-two" -> 22, "two hundred" -> 200."""
    total = 0.0
    for part in _NUMBER_PART.finditer(text):
        raw = part.group().lower()
        value = float(raw.replace(",", "")) if raw[0].isdigit() else _word_value(raw)
        total = total * value if value >= 100 and total else total + value
    return total


def _word_value(raw: str) -> float:
    raw = " ".join(raw.split())
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    tens, ones = raw.split("-")
    return NUMBER_WORDS[tens] + NUMBER_WORDS[ones]


_UNIT_ROWS = _rows("quantity_units.csv")
_UNIT_OF = {" ".join(row["word"].lower().split()): row["unit"] for row in _UNIT_ROWS}
_NUMBER_OF = {" ".join(row["word"].lower().split()): row["grammatical_number"] for row in _UNIT_ROWS}
_UNITS = "|".join(_spaced(w) for w in sorted(_UNIT_OF, key=len, reverse=True))
# Words between a number and its unit ("22 Russian tanks", "15 T-72 tanks"): they start with a letter, so
# another number never counts as one.
_ADJECTIVE = r"[^\W\d_][\w'’-]*"

_QUANTITY = re.compile(
    # Not inside a word, a model name ("Su-30"), a decimal, a time ("4:00") or a citation marker ("[12]").
    rf"(?<![\w.,:/\[-])(?P<num>{NUMBER})(?![\d:]|[.,]\d)"
    rf"(?:(?:\s*[-–]\s*|\s+(?:to|or)\s+){NUMBER}(?![\d:]|[.,]\d))?"
    # Either the unit right after the number ("14km", "40 %", "two-kilometer"), or after white space
    # and up to two adjectives ("nine Russian APCs"); letters glued to the number that are no unit are
    # an ordinal ("150th"), and a hyphen makes a compound ("50-year-old guns"): neither takes adjectives.
    rf"(?:\s*[-–]?\s*(?P<unit>{_UNITS})|\s+(?:{_ADJECTIVE}\s+){{1,2}}?(?P<unit2>{_UNITS}))"
    r"(?![\w])",
    re.IGNORECASE,
)

_DATE_ROWS = _rows("date_words.csv")
_MONTHS = [row["word"] for row in _DATE_ROWS if row["kind"].startswith("month")]
# "March 2 Russian tanks": the number is a day of the month.
_AFTER_MONTH = re.compile(rf"(?<![\w.])(?:{_alternation([m.capitalize() for m in _MONTHS])})\.?\s+$")
# "in 2022 Russian troops", "spring 2023 conscripts": four digits without a thousands comma in the
# range of the dates module's years are a year; English reporting writes counts that large as "2,000".
_YEAR = re.compile(r"199\d|20[0-3]\d")
# "No one was killed".
_NEGATION = re.compile(r"(?<![\w])[Nn]o\s+$")
# How far back the month check looks: the longest month word and some white space.
_LOOKBACK = max(map(len, _MONTHS)) + 4


def find_quantities(text: str) -> list[Quantity]:
    """Counted things and distances in a clause, in text order."""
    found = []
    position = 0
    while (match := _QUANTITY.search(text, position)) is not None:
        quantity = _quantity(text, match)
        if quantity is None:
            # A rejected year or day may have swallowed a real count after it ("in 2022 three tanks").
            position = match.start() + 1
            continue
        found.append(quantity)
        position = match.end()
    return found


def _quantity(text: str, match: re.Match[str]) -> Quantity | None:
    start = match.start()
    before = text[max(0, start - _LOOKBACK) : start]
    number = match.group("num")
    if _AFTER_MONTH.search(before) or _YEAR.fullmatch(number) or _NEGATION.search(before):
        return None
    value = number_value(number)
    surface = " ".join((match.group("unit") or match.group("unit2")).lower().split())
    # "two Tank Armies" is no count of tanks, nor "one people" of people: a singular noun counts one thing
    # ("an entire BTG"), a plural noun anything else.
    if (_NUMBER_OF[surface] == "singular") != (value == 1) and _NUMBER_OF[surface] != "any":
        return None
    return Quantity(start, match.end(), match.group(), value, _UNIT_OF[surface])
