"""The claim lexicons of seeds/, compiled once: attribution cues, event triggers, side words and source roles.

Every word list is data (a CSV in seeds/ with a `why` column where a choice needs one); this module only
turns them into regular expressions, longest phrase first so that "according to" wins over "per" and
"Russian Federation" over "Russian".
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from re import _constants as sre_constants
from re import _parser as sre_parser

from pipelines.settings import SEEDS_DIR


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def phrase_pattern(phrases: list[str], flags: int = 0) -> re.Pattern[str]:
    """One alternation of literal phrases, longest first, bounded so that no phrase matches inside a word."""
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    body = "|".join(re.escape(p) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", flags)


STEM_LENGTH = 2
MAX_STEM_LENGTH = 8


def _stems(items: list, need: int = MAX_STEM_LENGTH) -> set[str] | None:
    """Every way a parsed pattern can begin, as its literal first characters (lower case, at most `need`);
    a character class or wildcard ends a stem. None when the pattern can begin without any literal."""
    current = {""}
    for op, av in items:
        if all(len(c) >= need for c in current):
            break
        if op is sre_constants.LITERAL:
            options = {chr(av).lower()}
        elif op is sre_constants.SUBPATTERN:
            options = _stems(list(av[3]), need)
        elif op is sre_constants.BRANCH:
            branches = [_stems(list(alt), need) for alt in av[1]]
            options = None if any(b is None for b in branches) else set().union(*branches)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            body = _stems(list(av[2]), need)
            options = None if body is None else body | ({""} if av[0] == 0 else set())
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT):
            continue
        else:
            options = None
        if options is None:
            # What is known so far is the stem; a stem ends where the literal text does.
            return current if all(current) else None
        current = {(c + o)[:need] if len(c) < need else c for c in current for o in options}
    return current


def leading_stems(patterns: list[str]) -> frozenset[str]:
    """The first characters any of the patterns can match, for a cheap test before running them."""
    stems: set[str] = set()
    for pattern in patterns:
        found = _stems(list(sre_parser.parse(pattern)))
        if found is None or any(len(s) < STEM_LENGTH for s in found):
            raise ValueError(f"pattern {pattern!r} must begin with at least {STEM_LENGTH} literal characters")
        stems |= found
    return frozenset(stems)


class StemmedPattern:
    """Several regular expressions searched as one, leftmost first and not overlapping; a match says
    which of them matched (`index`).

    Python's regex engine tries every alternative at every character, which is slow for a few dozen
    long alternations. Here a trie of the patterns' first three letters finds the candidate word starts,
    and at each only the patterns that can begin with those letters are tried, in their given order."""

    def __init__(self, patterns: list[str]):
        self.patterns = patterns
        stems_of = [leading_stems([pattern]) for pattern in patterns]
        all_stems = sorted(set().union(*stems_of))
        self.starts = re.compile(r"(?<![\w-])(?=(" + _trie(all_stems) + "))", re.IGNORECASE)
        # The trie matches the longest stem at a position; every pattern with a stem that is a prefix of it
        # may match there, tried one by one in their given order (what an alternation of them would do).
        # Looked up by the stem's prefixes, not by testing every pattern's stems against every stem: the
        # triggers have over a thousand stems, and the pairwise test took half a second a process.
        patterns_of: dict[str, set[int]] = defaultdict(set)
        for i, stems in enumerate(stems_of):
            for s in stems:
                patterns_of[s].add(i)
        self.rows_of: dict[str, tuple[int, ...]] = {
            stem: tuple(sorted(set().union(*(patterns_of.get(stem[:n], ()) for n in range(1, len(stem) + 1))))) for stem in all_stems
        }
        # Each pattern compiled alone, when a text first needs it: compiling the alternations of every
        # stem's patterns instead compiled each trigger about four times over (a third of a second a process).
        self._compiled: list[re.Pattern[str] | None] = [None] * len(patterns)

    def _pattern(self, i: int) -> re.Pattern[str]:
        pattern = self._compiled[i]
        if pattern is None:
            pattern = self._compiled[i] = re.compile(rf"(?P<p{i}>{self.patterns[i]})(?![\w-])", re.IGNORECASE)
        return pattern

    @staticmethod
    def index(match: re.Match[str]) -> int:
        return int(match.lastgroup[1:])

    def finditer(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        position = start
        for candidate in self.starts.finditer(text, start, end):
            at = candidate.start()
            if at < position:
                continue
            for i in self.rows_of[candidate.group(1).lower()]:
                match = self._pattern(i).match(text, at, end)
                if match:
                    position = match.end()
                    yield match
                    break


def _trie(words: list[str]) -> str:
    """A regex alternation of words, nested by shared first letters so that the engine branches once per letter."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    parts = []
    for letter, rests in sorted(groups.items()):
        longer = [r for r in rests if r]
        optional = "?" if len(longer) < len(rests) else ""
        parts.append(re.escape(letter) + (f"(?:{_trie(longer)}){optional}" if longer else ""))
    return "|".join(parts)


# A passive auxiliary right before a verb ("was recorded", "have been struck"): the cue names no claimant
# without "by", and the agent after "by" is the acting side.
PASSIVE_AUXILIARY = re.compile(r"\b(?:was|were|is|are|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Trigger:
    event_type: str
    polarity: str
    side_before: str
    side_after: str


@dataclass(frozen=True)
class Cue:
    phrase: str
    kind: str
    polarity: str


@dataclass(frozen=True)
class Lexicon:
    cues: StemmedPattern
    cue_rows: tuple[Cue, ...]
    triggers: StemmedPattern
    trigger_rows: tuple[Trigger, ...]
    sides: re.Pattern[str]
    side_of: dict[str, str]
    roles: re.Pattern[str]
    role_type: dict[str, str]

    def trigger_of(self, match: re.Match[str]) -> Trigger:
        return self.trigger_rows[StemmedPattern.index(match)]

    def cue_of(self, match: re.Match[str]) -> Cue:
        return self.cue_rows[StemmedPattern.index(match)]

    def trigger_matches(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        return self.triggers.finditer(text, start, end)


@functools.cache
def lexicon() -> Lexicon:
    cue_rows = read_seed("claim_cues.csv")
    trigger_rows = read_seed("event_triggers.csv")
    # Triggers keep their file order: the first row that matches at a position wins, so specific
    # phrases (denials, attempts) come before the bare verbs they contain. Cues are tried longest first.
    cue_rows.sort(key=lambda row: len(row["phrase"]), reverse=True)
    side_rows = read_seed("side_words.csv")
    role_rows = read_seed("source_roles.csv")
    return Lexicon(
        cues=StemmedPattern([re.escape(row["phrase"]) for row in cue_rows]),
        cue_rows=tuple(Cue(row["phrase"], row["kind"], row["polarity"]) for row in cue_rows),
        triggers=StemmedPattern([row["pattern"] for row in trigger_rows]),
        trigger_rows=tuple(Trigger(r["event_type"], r["polarity"], r["side_before"], r["side_after"]) for r in trigger_rows),
        sides=phrase_pattern([row["phrase"] for row in side_rows]),
        side_of={row["phrase"]: row["side"] for row in side_rows},
        roles=phrase_pattern([row["phrase"] for row in role_rows], re.IGNORECASE),
        role_type={row["phrase"].casefold(): row["source_type"] for row in role_rows},
    )
