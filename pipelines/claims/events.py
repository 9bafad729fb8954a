"""What a stretch of text claims happened: event triggers with their type, polarity and acting side.

Triggers come from seeds/event_triggers.csv (first matching row wins at a position). These rules turn
raw matches into events:
- an object is not an event of its own: in "repelled a Russian assault" or "halted Russian advances"
  the noun after the verb, separated only by articles, numbers and side words, belongs to the verb;
- a participle describing a noun ("tanks advancing from Pavlopil") yields to the clause's main verb;
- a forecast, condition or purpose earlier in the clause ("will likely attack", "in order to capture")
  claims nothing, nor does what the report says it cannot confirm;
- a negation just before the trigger ("did not", "have not", "no") makes the event denied.
The acting side is the first side word of the clause before the trigger (its subject), else a side word
after it; the trigger row says whether that word names the actor or the opposite side ("repelled a
Russian assault": Ukrainian actor; "Russian losses": Ukrainian actor).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipelines.claims.lexicon import PASSIVE_AUXILIARY, Lexicon, StemmedPattern

_OBJECT_FILLER = re.compile(
    r"^(?:\s|,(?=\s\w+ and))*(?:(?:a|an|the|several|many|multiple|numerous|repeated|further|limited|attempted|heavy|major|"
    r"large|small|any|all|some|its|their|his|her|of|enemy|proxy|ground|renewed|new|continued|unsuccessful|failed|"
    r"intense|massive|entire|\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty[\w-]*|dozens|"
    r"russian|ukrainian|lnr|dnr|and proxy|and lnr|and dnr|and russian|and ukrainian)\s+)*$",
    re.IGNORECASE,
)
# A forecast, condition or purpose anywhere earlier in the clause: "will likely continue to attack",
# "If Russian forces have captured", "seek to advance", "in order to encircle".
_MODALS = StemmedPattern(
    [
        r"will|would|could|might|may|if|unless|unlikely|must|aimed at|in response to|in retaliation for|in preparation for",
        # "grouping forces for future counteroffensive operations", "in anticipation of potential advances".
        r"in anticipation of|for (?:future|potential|possible)|(?:potential|possible) (?:\w+ )?(?:advances?|attacks?|assaults?|offensives?|counteroffensives?|counter-offensives?|strikes?|breakthroughs?)",
        # "as opposed to continuing attacks on Izyum", "rather than attacking": what is set aside did not happen.
        r"as opposed to|rather than|instead of",
        r"(?:likely|expected|intends?|intended|plans?|planned|planning|prepares?|preparing|seeks?|seeking|aim(?:s|ing)?|need|order(?:ed)?) to",
        r"(?:prepares?|preparing|prepared) for",
        r"in order to|in an? (?:effort|attempt)s? to|to prevent|ability to|capable of|unable to",
        r"(?:operations?|efforts?|campaign|bid|drive|push|aim) to",
        # "continued to set conditions to resume offensive operations", "do not have enough manpower to encircle".
        r"(?:set|sets|setting) (?:the )?(?:\w+ )?conditions|(?:enough|sufficient) (?:\w+ ){0,2}to",
    ]
)
# A hedge or forecast right after an event noun: "reinforcements are unlikely to enable", "the advance may be part of".
_FORECAST_AFTER = re.compile(
    r"(?:\s+(?!and\b|but\b)[\w-]+){0,3}?\s+(?:(?:are|is|were|was|remain|remains)\s+(?:un)?likely to|"
    r"(?:may|might|could|would|will)\s+(?:\w+\s+)?(?:be|have|prove|become|allow|enable|place|put|give|force|leave|threaten|cut|sever|make|open|bring)\b)",
    re.IGNORECASE,
)
# "continued efforts to advance on X and made marginal gains", "attempted to resume offensive operations but did not
# advance": a finite verb joined by "and" or "but" starts a predicate of its own, outside the purpose before it.
_NEW_PREDICATE = re.compile(
    r"\band\s+that\b|\b(?:and|but)\s+(?:did|could|have|has|had)\s+not\b|\band\s+(?:\w+ly\s+)?(?:made|secured|gained|captured|seized|took|advanced|reached|entered|achieved|conducted|"
    r"launched|suffered|lost|retook|liberated|cleared|repelled|struck|shelled)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without)\s+(?:\w+\s+){0,1}$|n't\s+$",
    re.IGNORECASE,
)
# What the report says it cannot confirm is not claimed by anyone.
_UNCONFIRMED = re.compile(r"\b(?:cannot|can't|could not|unable to|did not|has not|have not) (?:\w+ )?(?:confirm|verify|assess|determine|establish)(?: \w+){0,8}\s+$", re.IGNORECASE)
# Ukrainian and Russian past forms end in -ли, -ла, -ло, -в, participles in -то ("відбили атаку", "отбито").
_VERB_FORM = re.compile(r"(?:ed|ing|repel|halt|ли|ла|ло|в|то)$", re.IGNORECASE)
# "The strike killed ...": a trigger noun that is the subject of the next trigger repeats that event.
_SUBJECT_ARTICLE = re.compile(r"\b(?:the|this|that)\s+$", re.IGNORECASE)
_CLAUSE_BOUNDARY = re.compile(r"[,;:()—]|\bwhile\b|\bwhereas\b|\band that\b")
# Where the words after a trigger stop naming its actor: "control of Mariupol as Ukrainian fighters surrendered".
_CLAUSE_END = re.compile(r"[,;:()—]|\b(?:while|whereas|as(?! well)|after|before|when|because|since)\b")
OPPOSITE = {"RU": "UA", "UA": "RU"}
SUFFERED_EVENTS = frozenset({"civilian_harm"})
# Governments, civil agencies and local media report the strikes that fall on their side ("the explosions took
# place in the city centre, the mayor said"); militaries and milbloggers report their own side's.
STRIKES_SUFFERED_BY = frozenset({"government", "head_of_state", "civil_agency", "occupation_official", "local_media"})
_FIRST_WORD = re.compile(r"[\w-]+")
_PREVIOUS_WORD = re.compile(r"([\w,'’-]+)\s+$")
# Words after which an -ing form is a verb ("were attempting", "continued shelling", "by shelling").
_VERB_LEAD = frozenset(
    "is are was were be been being am continued continue continues began begin begins started start starts kept keep keeps "
    "resumed resume stopped while after before by of in on for from without also and or that which who then still now "
    "reportedly likely again further actively repeatedly successfully unsuccessfully".split()
)
_DETERMINERS = frozenset("the a an several many some its their his her these those this that two three any".split())
# "have been struck by Russian air strikes": the agent after a passive verb acts, whatever the subject is.
_BY_AGENT = re.compile(r"\s*by(?:\s+(?:the|a|an))?\s*$", re.IGNORECASE)
# Between a side word and the trigger noun it modifies: "a Russian attack", "Russian ground assaults".
_ADJACENT_MODIFIER = re.compile(r"(?:\s+(?:forces|troops|units|ground|air|artillery|army|military|proxy|and proxy))?\s+")
# Between a trigger and the side it is aimed at: "strikes against Ukrainian positions".
_TARGET_PREPOSITION = re.compile(r"(?:^|\s)(?:against|on|at|targeting|into)(?:\s+(?:the|a|an))?$")
# Between a trigger and a side's country or territory where it happened: "explosions in Ukraine", "drones shot
# down over Ukraine".
_LOCATIVE_PREPOSITION = re.compile(r"(?:^|\s)(?:in|over|across|throughout|inside|within)(?:\s+(?:the|a|an))?(?:\s+(?:south|north|east|west)\w*)?$")
# "the port city that Russian troops destroyed": a relative clause opening with its own subject.
_RELATIVE_CLAUSE = re.compile(r"\b(?:that|which|whom)\s+", re.IGNORECASE)
# "the occupiers who tried to kill her": the side word a relative clause hangs on is the subject of its verb.
_RELATIVE_SUBJECT = re.compile(r"\s+(?:who|which|that)\s+(?:[\w'’-]+\s+){0,6}$", re.IGNORECASE)
# A claimant speaking of its own side: "its forces", "they had gained ground", "our units".
_OWN_FORCES = re.compile(r"\s*(?:that\s+)?(?:its|their|they|we|our|his)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    event_type: str
    polarity: str
    actor_side: str | None
    start: int
    end: int
    modifier: bool = False


def events(
    text: str,
    start: int,
    end: int,
    lexicon: Lexicon,
    skip: list[tuple[int, int]] = (),
    speaker_side: str | None = None,
    sufferer_side: str | None = None,
    suffered: frozenset[str] = SUFFERED_EVENTS,
) -> list[Event]:
    """Events claimed in text[start:end], in text order; spans in `skip` (claimant names) are ignored.

    `speaker_side` is the claimant's side, the actor when the claimant speaks of "its forces" or "we";
    `sufferer_side` the side that the `suffered` events (harm to civilians) befall when no actor is named (the
    claimant's, else the report author's)."""
    found: list[Event] = []
    previous_start = previous_end = None
    # Clause boundaries and forecast words of the stretch, found once at the first trigger: each trigger looks
    # back to its clause start.
    boundaries: list[int] | None = None
    modals: list[int] = []
    for match in lexicon.trigger_matches(text, start, end):
        if boundaries is None:
            boundaries = _clause_boundaries(text, start, end)
            modals = [m.start() for m in _MODALS.finditer(text, start, end)]
        if any(s < match.end() and match.start() < e for s, e in skip):
            continue
        trigger = lexicon.trigger_of(match)
        gap = text[previous_end : match.start()] if previous_end is not None else None
        # "repelled attacks" (verb + object) but not "counterattack pushed" (subject + verb).
        is_object = gap is not None and _OBJECT_FILLER.match(gap) and (gap.strip() != "" or _VERB_FORM.search(text, previous_start, previous_end))
        previous_start, previous_end = match.start(), match.end()
        if trigger.event_type == "ignore" or is_object:
            continue
        modifier = _modifies_a_noun(text, start, match)
        # Negation may sit before the stretch's start ("ISW cannot confirm | any Ukrainian gains").
        before = text[max(0, match.start() - 100) : match.start()]
        if _UNCONFIRMED.search(before):
            continue
        clause_start = _clause_start(boundaries, start, match.start())
        if any(clause_start <= m < match.start() and not _NEW_PREDICATE.search(text, m, match.start()) for m in modals):
            continue
        if not match.group().endswith("ed") and _FORECAST_AFTER.match(text, match.end(), end):
            continue
        polarity = "denied" if trigger.polarity == "denied" or _NEGATION.search(before) else "asserted"
        # An official source reporting its own side's action seldom names it ("claimed to have destroyed ten tanks");
        # harm to civilians is reported by the side that suffers it.
        unnamed = OPPOSITE.get(sufferer_side or speaker_side) if trigger.event_type in suffered else speaker_side
        side = _actor_side(text, clause_start, end, match, trigger.side_before, trigger.side_after, lexicon, speaker_side) or unnamed
        # "Russians bombed the town, killing many civilians": an event whose clause names no actor shares the
        # actor of the event before it.
        side = side or (found[-1].actor_side if found else None)
        if found and _SUBJECT_ARTICLE.search(text, max(start, found[-1].start - 6), found[-1].start) and not text[found[-1].end : match.start()].strip():
            found.pop()
        found.append(Event(trigger.event_type, polarity, side, match.start(), match.end(), modifier))
    # A participle describing a noun is secondary to a main verb, but may be all there is ("an infantryman
    # waving a Russian flag").
    main = [e for e in found if not e.modifier]
    return main or found


def _modifies_a_noun(text: str, start: int, match: re.Match[str]) -> bool:
    """A participle used as an adjective describes, it does not claim: "tanks advancing from Pavlopil",
    "forces attempting to maneuver", "the destroyed bridge", "several destroyed and abandoned vehicles"."""
    first = _FIRST_WORD.match(match.group())
    word = first.group().lower() if first else ""
    previous = _PREVIOUS_WORD.search(text, max(start, match.start() - 30), match.start())
    before = previous.group(1).lower() if previous else ""
    if word.endswith("ing"):
        return bool(previous) and before not in _VERB_LEAD and not before.endswith(("ly", ",")) and before.isalpha()
    if word.endswith("ed"):
        return before in _DETERMINERS
    return False


def _clause_boundaries(text: str, start: int, end: int) -> list[int]:
    """Where clauses start in text[start:end]: after each boundary mark, except that a parenthesis is an
    insertion: after it closes, the clause it interrupted goes on ("elements of the 4th Tank Division (likely
    withdrawn from Sumy) were observed in Belgorod")."""
    boundaries: list[int] = []
    opened: list[int] = []
    for mark in _CLAUSE_BOUNDARY.finditer(text, start, end):
        if mark.group() == "(":
            opened.append(len(boundaries))
        elif mark.group() == ")" and opened:
            del boundaries[opened.pop() :]
            continue
        boundaries.append(mark.end())
    return boundaries


def _clause_start(boundaries: list[int], start: int, position: int) -> int:
    """The end of the last clause boundary before `position`, else the stretch's start."""
    index = bisect_right(boundaries, position) - 1
    return boundaries[index] if index >= 0 else start


def _actor_side(text: str, clause_start: int, end: int, match: re.Match[str], before_rule: str, after_rule: str, lexicon: Lexicon, speaker_side: str | None) -> str | None:
    boundary = _CLAUSE_END.search(text, match.end(), end)
    clause_end = boundary.start() if boundary else end
    following = lexicon.sides.search(text, match.end(), clause_end)
    if (
        following
        and _BY_AGENT.fullmatch(text, match.end(), following.start())
        and PASSIVE_AUXILIARY.search(text, max(clause_start, match.start() - 30), match.start())
    ):
        return lexicon.side_of[following.group()]
    if speaker_side and _OWN_FORCES.match(text, clause_start, match.start()):
        return speaker_side if before_rule == "same" else OPPOSITE[speaker_side]
    before = list(lexicon.sides.finditer(text, clause_start, match.start()))
    # "Ukrainian forces inflicted heavy losses on a Russian attack": a side word right before the trigger noun
    # is its actor; otherwise the clause's subject (the first side word) is.
    adjacent = before and (
        _ADJACENT_MODIFIER.fullmatch(text, before[-1].end(), match.start()) or _RELATIVE_SUBJECT.fullmatch(text, before[-1].end(), match.start())
    )
    relative = [m.end() for m in _RELATIVE_CLAUSE.finditer(text, clause_start, match.start())]
    opened = [b for b in before if relative and b.start() >= relative[-1]]
    subject = before[-1] if adjacent else (opened or before or [None])[0]
    if subject:
        side = lexicon.side_of[subject.group()]
        return side if before_rule == "same" else OPPOSITE[side]
    if following:
        side = lexicon.side_of[following.group()]
        gap = text[match.end() : following.start()].strip().lower()
        if _LOCATIVE_PREPOSITION.search(gap):
            # Where it happened is the target's ground ("explosions in Ukraine"), or the ground its own forces
            # hold ("drones shot down over Ukraine").
            return side if after_rule == "opposite" else OPPOSITE[side]
        if after_rule == "same" and _TARGET_PREPOSITION.search(gap):
            # "missile strikes against Ukrainian positions": the side after is the target.
            return OPPOSITE[side]
        return side if after_rule == "same" or gap.endswith("by") else OPPOSITE[side]
    return None
