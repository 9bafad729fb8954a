"""Place-name keys and spelling variants.

Two keys find a place however it is spelt: `fold` (case, accents and apostrophes removed) for exact
matches, and `loose_key`, which also merges the systematic differences between romanisations
(seeds/spelling_rules.csv: kh/h, y/i, ia/ya, g/h, final vowels ...). Cyrillic names are romanised with
the Ukrainian national system and Russian BGN/PCGN, and Ukrainian names get their Russian forms from
seeds/toponym_endings.csv (Михайлівка → Михайловка → Mikhaylovka), so no place needs a hand list.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata

import iuliia
from translitua import UkrainianBGN, UkrainianKMU, translit

from pipelines.settings import SEEDS_DIR


@functools.lru_cache(maxsize=100_000)
def english_zipf(text: str) -> float:
    """How common the text is as English (wordfreq's Zipf scale: 7 for "the", under 3 for rare words).
    wordfreq is imported on first use: a run with nothing new to extract never needs it (a third of a second).
    Kept per text: the same capitalised words come back in every report, and wordfreq tokenises each call."""
    from wordfreq import zipf_frequency

    return zipf_frequency(text, "en")


@functools.lru_cache(maxsize=100_000)
def word_zipf(text: str) -> float:
    """`english_zipf` in the text's own language: Ukrainian or Russian for Cyrillic ("Серед", "Россия",
    "Тарас" are common words and names there), English otherwise."""
    if not is_cyrillic(text):
        return english_zipf(text)
    from wordfreq import zipf_frequency

    if _UKRAINIAN_LETTERS.search(text):
        return zipf_frequency(text, "uk")
    if _RUSSIAN_LETTERS.search(text):
        return zipf_frequency(text, "ru")
    return max(zipf_frequency(text, "uk"), zipf_frequency(text, "ru"))

_APOSTROPHES = re.compile(r"['’ʼ`\"]")
_SPACES = re.compile(r"[\s\-–—]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _spelling_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(row["pattern"]), row["replacement"] or "") for row in _read_csv("spelling_rules.csv"))


# A declined name keeps at least this many letters of its stem ("Бучі" → "Буч-").
MIN_DECLINED_STEM = 3


@functools.cache
def _ending_rules() -> tuple[tuple[str, str], ...]:
    return tuple((row["ukrainian"], row["russian"]) for row in _read_csv("toponym_endings.csv"))


@functools.cache
def _case_endings() -> tuple[tuple[str, str], ...]:
    return tuple((row["ending"], row["nominative"]) for row in _read_csv("cyrillic_case_endings.csv"))


def nominatives(word: str) -> list[str]:
    """Nominative forms a declined Cyrillic place name may come from (Чернігова → Чернігів, Маріуполі →
    Маріуполь), most specific ending first; seeds/cyrillic_case_endings.csv holds the endings."""
    lower = word.casefold()
    return [
        word[: len(word) - len(ending)] + nominative
        for ending, nominative in _case_endings()
        if lower.endswith(ending) and len(word) - len(ending) >= MIN_DECLINED_STEM
    ]


@functools.cache
def _letter_map() -> dict[int, str]:
    return {ord(row["ukrainian"]): row["russian"] for row in _read_csv("cyrillic_letters.csv")}


@functools.lru_cache(maxsize=200_000)
def fold(name: str) -> str:
    """Lower case, no accents, no apostrophes, single spaces: 'Sélydové' and 'selydove' are one key."""
    if name.isascii():
        return _SPACES.sub(" ", _APOSTROPHES.sub("", name.lower())).strip()
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u0306")
    # Keep й/ї (breve/diaeresis on Cyrillic) intact by recomposing before lowering.
    text = unicodedata.normalize("NFC", stripped).casefold()
    text = _APOSTROPHES.sub("", text)
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=500_000)
def loose_key(name: str) -> str:
    """The key that merges systematic spelling variants of one Latin-script name."""
    key = fold(name)
    if _CYRILLIC.search(key):
        key = fold(translit(key, UkrainianKMU))
    key = key.encode("ascii", "ignore").decode()
    for pattern, replacement in _spelling_rules():
        key = pattern.sub(replacement, key)
    return key


def is_cyrillic(name: str) -> bool:
    return bool(_CYRILLIC.search(name))


def russian_forms(ukrainian: str) -> list[str]:
    """Russian Cyrillic forms of a Ukrainian name by its ending and letters (Курахове → Курахово), in rule order."""
    forms = []
    lower = ukrainian.casefold()
    for uk_end, ru_end in _ending_rules():
        if lower.endswith(uk_end):
            stem = ukrainian[: len(ukrainian) - len(uk_end)]
            forms.append((stem + ru_end).translate(_letter_map()))
    forms.append(ukrainian.translate(_letter_map()))
    return list(dict.fromkeys(forms))


def romanisations(cyrillic: str) -> list[str]:
    """Latin forms of a Cyrillic name: Ukrainian national (KMU) and BGN, and Russian BGN/PCGN of its Russian forms,
    in that order (an order, not a set: which spelling is kept for the gazetteer must not vary run to run)."""
    forms: list[str] = []
    ukrainian = bool(_UKRAINIAN_LETTERS.search(cyrillic))
    russian = bool(_RUSSIAN_LETTERS.search(cyrillic))
    if not russian:
        forms.append(translit(cyrillic, UkrainianKMU))
        forms.append(translit(cyrillic, UkrainianBGN))
        forms += [iuliia.BGN_PCGN.translate(form) for form in russian_forms(cyrillic)]
    if not ukrainian:
        forms.append(iuliia.BGN_PCGN.translate(cyrillic))
        forms.append(iuliia.WIKIPEDIA.translate(cyrillic))
    return [f for f in dict.fromkeys(forms) if f]
