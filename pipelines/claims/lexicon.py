"""The claim lexicons of seeds/, compiled once: attribution cues, event triggers, side words and source roles.

Every word list is data (a CSV in seeds/ with a `why` column where a choice needs one); this module only
turns them into regular expressions, longest phrase first so that "according to" wins over "per" and
"Russian Federation" over "Russian".
"""

from __future__ import annotations

import csv
import functools
import re
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


STEM_LENGTH = 3
_WORD_START = re.compile(r"(?<![\w-])\w")


def _stems(items: list, need: int = STEM_LENGTH) -> set[str] | None:
    """Every way a parsed pattern can begin, as its first `need` characters (lower case); None if a
    character class or wildcard comes first, so that no literal start is known."""
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
            return None
        current = {(c + o)[:need] if len(c) < need else c for c in current for o in options}
    return current


def leading_stems(patterns: list[str]) -> frozenset[str]:
    """The first characters any of the patterns can match, for a cheap test before running them."""
    stems: set[str] = set()
    for pattern in patterns:
        found = _stems(list(sre_parser.parse(pattern)))
        if found is None or any(len(s) < STEM_LENGTH for s in found):
            raise ValueError(f"event trigger {pattern!r} must begin with at least {STEM_LENGTH} literal characters")
        stems |= found
    return frozenset(stems)


@dataclass(frozen=True)
class Trigger:
    event_type: str
    polarity: str
    side_before: str
    side_after: str


@dataclass(frozen=True)
class Lexicon:
    cues: re.Pattern[str]
    cue_polarity: dict[str, str]
    cue_kind: dict[str, str]
    triggers: re.Pattern[str]
    trigger_rows: tuple[Trigger, ...]
    trigger_stems: frozenset[str]
    sides: re.Pattern[str]
    side_of: dict[str, str]
    roles: re.Pattern[str]
    role_type: dict[str, str]

    def trigger_of(self, match: re.Match[str]) -> Trigger:
        return self.trigger_rows[int(match.lastgroup[1:])]

    def trigger_matches(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """Trigger matches in text[start:end], leftmost first, not overlapping.

        The combined pattern is tried only at word starts whose first letters can begin a trigger:
        ten times faster than letting the regex engine try every alternative at every character."""
        position = start
        stems = self.trigger_stems
        for word in _WORD_START.finditer(text, start, end):
            at = word.start()
            if at < position or text[at : at + STEM_LENGTH].lower() not in stems:
                continue
            match = self.triggers.match(text, at, end)
            if match:
                position = match.end()
                yield match


@functools.cache
def lexicon() -> Lexicon:
    cue_rows = read_seed("claim_cues.csv")
    trigger_rows = read_seed("event_triggers.csv")
    # Triggers keep their file order: the first row that matches at a position wins, so specific
    # phrases (denials, attempts) come before the bare verbs they contain.
    triggers = re.compile(
        "(?:" + "|".join(rf"(?P<t{i}>{row['pattern']})" for i, row in enumerate(trigger_rows)) + r")(?![\w-])",
        re.IGNORECASE,
    )
    side_rows = read_seed("side_words.csv")
    role_rows = read_seed("source_roles.csv")
    return Lexicon(
        cues=phrase_pattern([row["phrase"] for row in cue_rows], re.IGNORECASE),
        cue_polarity={row["phrase"]: row["polarity"] for row in cue_rows},
        cue_kind={row["phrase"]: row["kind"] for row in cue_rows},
        triggers=triggers,
        trigger_rows=tuple(Trigger(r["event_type"], r["polarity"], r["side_before"], r["side_after"]) for r in trigger_rows),
        trigger_stems=leading_stems([row["pattern"] for row in trigger_rows]),
        sides=phrase_pattern([row["phrase"] for row in side_rows]),
        side_of={row["phrase"]: row["side"] for row in side_rows},
        roles=phrase_pattern([row["phrase"] for row in role_rows], re.IGNORECASE),
        role_type={row["phrase"].casefold(): row["source_type"] for row in role_rows},
    )
