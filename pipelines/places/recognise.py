"""Recognition of place names in report text, with character offsets.

Capitalised word sequences are looked up in the gazetteer's name indexes (longest match first).
The words around a match (seeds/place_context.csv) say what kind of feature it is ("Donetsk Oblast",
"Dnipro River"), whether it is a directional reference ("north of Izium", "Bakhmut direction"), or not a
place at all ("Donetsk People's Republic", "Luhansk Oblast Head"). Capitals standing for governments
(seeds/metonyms.csv: "Kyiv said", "Moscow's offensive") are places only after a locative word.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field


from pipelines.places.gazetteer import Gazetteer
from pipelines.places.names import fold, is_cyrillic, word_zipf
from pipelines.settings import SEEDS_DIR

# Single words this common in English ("Mine", "Ukraine", "Victory") are not read as village names; nor are
# Cyrillic words this common in Ukrainian or Russian ("Серед", "Россия", "Тарас"), except the names of towns
# and oblasts, which that frequency counts ("Харків", "Маріуполі").
COMMON_WORD_ZIPF = 4.0
WIDELY_KNOWN_POPULATION = 10_000
_CYRILLIC_CAPITAL = re.compile(r" [А-ЯІЇЄҐ][а-яіїєґ'’]")
# Where only a place can follow: a misspelt name there is looked up by edit distance.
_MISSPELLING_SLOT = re.compile(
    r"\b(?:near|outskirts of|settlements? of|villages? of|towns? of|city of|vicinity of|direction of|(?:north|south|east|west)(?:east|west)? of|toward|towards)\s+$",
    re.IGNORECASE,
)
MIN_FUZZY_LENGTH = 6
_POSSESSIVE = re.compile(r"['’]s\b")
_PREVIOUS_WORD = re.compile(r"\b([A-Z][a-z]+) $")
RARE_WORD_ZIPF = 2.5
# "генерал Валерій Залужний": in Cyrillic, where adjectives are lower case, a capitalised word inside the
# sentence right before a one-word name is a first name, and the name a surname.
_CYRILLIC_FIRST_NAME = re.compile(r"[а-яіїєґ,'’]\s+[А-ЯІЇЄҐ][а-яіїєґ'’]{2,}\s+$")
# Only capitalised words and numbers can be (part of) a name; a lower-case word between two of them
# leaves a gap that ends the name.
# Hyphens split words, so "Bakhmut-Lysychansk highway" yields both cities and "Huliai-Pole" still joins up.
_WORD = re.compile(r"[A-ZÀ-ÞĀ-ŽА-ЯІЇЄҐ0-9][\w’'ʼ.]*", re.UNICODE)
MAX_NAME_TOKENS = 7
# "Donetsk and Luhansk Oblasts", "у Донецькій та Луганській областях": a plural type word types the whole list.
_PLURAL_TYPES = ("oblasts", "regions", "raions", "областях", "областей", "районах", "районів")
_LIST_JOINS = frozenset({",", "and", ", and", "or", "та", ", та", "і", "й", "и", ", и", "або"})


@dataclass
class Mention:
    start: int
    end: int
    text: str
    rows: list[int]
    how: str
    type_hint: str | None = None
    relation: str | None = None
    not_place: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    after: dict[str, tuple[str, str]]
    before: dict[str, tuple[str, str]]
    metonyms: frozenset[str]
    locatives: frozenset[str]
    given_names: frozenset[str]
    after_pattern: re.Pattern[str]
    before_pattern: re.Pattern[str]


@functools.cache
def context_rules() -> Context:
    after: dict[str, tuple[str, str]] = {}
    before: dict[str, tuple[str, str]] = {}
    with (SEEDS_DIR / "place_context.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            target = after if row["position"] == "after" else before
            target[row["phrase"]] = (row["effect"], row["value"])
    with (SEEDS_DIR / "metonyms.csv").open(encoding="utf-8", newline="") as handle:
        metonyms = frozenset(fold(row["name"]) for row in csv.DictReader(handle))
    locatives, given_names = (_word_list(name) for name in ("locative_words.txt", "first_names.txt"))
    # Longest phrase first; a phrase must not run into a letter or digit.
    after_pattern = re.compile(rf"(?:{_alternation(after)})(?![^\W_])")
    before_pattern = re.compile(rf"(?<![^\W_])(?:{_alternation(before)})$")
    return Context(after, before, metonyms, locatives, given_names, after_pattern, before_pattern)


def _word_list(name: str) -> frozenset[str]:
    lines = (SEEDS_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _clean_token(token: str) -> tuple[str, int]:
    """A token without trailing punctuation or possessive, and how many characters were cut."""
    stripped = token.rstrip(".-’'")
    for suffix in ("’s", "'s", "ʼs"):
        if stripped.endswith(suffix):
            stripped = stripped[: -len(suffix)]
    return stripped, len(token) - len(stripped)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    tokens = []
    for match in _WORD.finditer(text):
        word, cut = _clean_token(match.group())
        if word:
            tokens.append((match.start(), match.end() - cut, word))
    return tokens


def _alternation(phrases: dict[str, tuple[str, str]]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def _phrase_after(text: str, end: int, rules: Context) -> tuple[str, tuple[str, str]] | None:
    """The longest context phrase right after a name ("Oblast", "direction")."""
    match = rules.after_pattern.match(text[end : end + 40].lstrip(" ,"))
    return (match.group(), rules.after[match.group()]) if match else None


def _phrase_before(text: str, start: int, rules: Context) -> tuple[str, tuple[str, str]] | None:
    """The longest context phrase right before a name ("north of", "Oblast Head")."""
    match = rules.before_pattern.search(text[max(0, start - 30) : start].rstrip())
    return (match.group(), rules.before[match.group()]) if match else None


def recognise(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Every gazetteer name in the text, longest first, with its context."""
    rules = context_rules()
    tokens = _tokens(text)
    mentions: list[Mention] = []
    index = 0
    while index < len(tokens):
        start, _, word = tokens[index]
        if not word[0].isupper():
            index += 1
            continue
        found = None
        parts: list[str] = []
        for length in range(1, MAX_NAME_TOKENS + 1):
            if index + length > len(tokens):
                break
            t_start, t_end, t_word = tokens[index + length - 1]
            if length > 1 and (t_start - tokens[index + length - 2][1] > 1 or not (t_word[0].isupper() or t_word[0].isdigit())):
                break
            parts.append(t_word)
            rows, how = gazetteer.lookup(" ".join(parts))
            if rows:
                found = (length, rows, how, t_end)
        if (
            found is None
            and len(word) >= MIN_FUZZY_LENGTH
            and _MISSPELLING_SLOT.search(text, max(0, start - 30), start)
            and word_zipf(word) < RARE_WORD_ZIPF
        ):
            # "the outskirts of Huliapole", "shelled the settlement of Zaluznychne": a rare word where only a
            # place can stand is a misspelt place when one name lies within a small edit distance.
            rows = gazetteer.fuzzy_lookup(word)
            if rows:
                found = (1, rows, "fuzzy", tokens[index][1])
        if found is None:
            index += 1
            continue
        length, rows, how, end = found
        mention = Mention(start=start, end=end, text=text[start:end], rows=rows, how=how)
        _apply_context(text, mention, rules, gazetteer)
        mentions.append(mention)
        index += length
    _propagate_plural_types(text, mentions)
    _drop_countries_beside_places(text, mentions, gazetteer)
    return mentions


def _given_name_before(text: str, start: int, rules: Context) -> bool:
    previous = _PREVIOUS_WORD.search(text, max(0, start - 20), start)
    return bool(previous) and previous.group(1) in rules.given_names


def _drop_countries_beside_places(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> None:
    """A country is the place of a sentence only when the sentence names no place inside it ("drones shot down
    over Ukraine", but not "Russian forces in Ukraine shelled Kharkiv")."""
    countries = [m for m in mentions if m.not_place is None and any(gazetteer.feature_types[r] == "country" for r in m.rows)]
    for country in countries:
        start = max(text.rfind(". ", 0, country.start), text.rfind("\n", 0, country.start)) + 1
        ends = [e for e in (text.find(". ", country.end), text.find("\n", country.end)) if e >= 0]
        end = min(ends) if ends else len(text)
        if any(m is not country and m.not_place is None and start <= m.start < end and m not in countries for m in mentions):
            country.not_place = "country_beside_places"


def _widely_known(rows: list[int], gazetteer: Gazetteer) -> bool:
    return any(gazetteer.population[r] >= WIDELY_KNOWN_POPULATION or gazetteer.feature_types[r] in {"oblast", "region", "raion"} for r in rows)


def _apply_context(text: str, mention: Mention, rules: Context, gazetteer: Gazetteer) -> None:
    after = _phrase_after(text, mention.end, rules)
    if after:
        effect, value = after[1]
        if effect == "type":
            mention.type_hint = value
        elif effect == "relation":
            mention.relation = value
        elif effect == "not_place":
            mention.not_place = value
    before = _phrase_before(text, mention.start, rules)
    if before:
        effect, value = before[1]
        if effect == "not_place":
            mention.not_place = value
        elif mention.relation is None:
            mention.relation = value
    if mention.type_hint is None and mention.not_place is None and " " not in mention.text:
        cyrillic = is_cyrillic(mention.text)
        # Asked only of common words: the candidates' populations are looked at for few mentions.
        if word_zipf(mention.text) >= COMMON_WORD_ZIPF and not (fold(mention.text) in rules.metonyms or (cyrillic and _widely_known(mention.rows, gazetteer))):
            mention.not_place = "common_word"
        elif (
            re.match(r" [A-Z][a-z]", text[mention.end : mention.end + 3])
            or _given_name_before(text, mention.start, rules)
            or (cyrillic and (_CYRILLIC_CAPITAL.match(text, mention.end) or _CYRILLIC_FIRST_NAME.search(text, max(0, mention.start - 30), mention.start)))
        ):
            # "Volodymyr Zelensky", "Oleksandr Syrsky": a one-word name run on by another capitalised word is a person.
            mention.not_place = "person_or_organisation"
    if fold(mention.text) in rules.metonyms and mention.type_hint is None and mention.relation is None and mention.not_place is None:
        # One word ("strikes on Kyiv") or two ("the outskirts of Kyiv", but not "the mayor of Kyiv").
        previous = re.search(r"(?:([\w-]+)\s+)?([\w-]+)\W*$", text[max(0, mention.start - 40) : mention.start])
        words = [w.lower() for w in previous.groups() if w] if previous else []
        # A country's possessive names the state or qualifies another place ("Russia's invasion", "Ukraine's
        # eastern Donbas"): the country is a place only when it is one itself ("strikes in Ukraine").
        possessive = _POSSESSIVE.match(text, mention.end) and any(gazetteer.feature_types[r] == "country" for r in mention.rows)
        if possessive or not (words and (words[-1] in rules.locatives or " ".join(words) in rules.locatives)):
            mention.not_place = "metonymy"


def _propagate_plural_types(text: str, mentions: list[Mention]) -> None:
    """'Donetsk and Luhansk Oblasts': the plural suffix types every name of the list before it."""
    for position, mention in enumerate(mentions):
        if mention.type_hint is None:
            continue
        suffix = text[mention.end : mention.end + 12].lstrip()
        if not suffix.lower().startswith(_PLURAL_TYPES):
            continue
        cursor = position - 1
        while cursor >= 0:
            previous = mentions[cursor]
            gap = text[previous.end : mentions[cursor + 1].start]
            if gap.strip() not in _LIST_JOINS:
                break
            previous.type_hint = mention.type_hint
            cursor -= 1
