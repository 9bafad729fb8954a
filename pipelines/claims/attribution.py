"""Who is speaking in a sentence: attribution cues, their claimants, and the stretch of text each one governs.

A cue is a reporting verb ("reported", "claimed", "denied" ...) or "according to" (seeds/claim_cues.csv).
Its claimant sits in a slot: the words before a verb back to the clause start ("The Ukrainian General
Staff reported"), the words after "according to" or a passive "by", or, at the end of a sentence, the
words after the last comma (", Lviv regional governor says"). A slot is read against the registry, then
against abbreviations the report defines ("Army General Staff (AGS)"); a pronoun or "the statement"
refers back to the paragraph's last claimant; otherwise a named person or outlet, or a role phrase,
becomes a new source typed by its role words ("milblogger X", "Luhansk Oblast Head X").
A cue followed by content governs the text after it; a cue that closes the sentence governs the text
before its slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace


from pipelines.claims.lexicon import PASSIVE_AUXILIARY, Lexicon
from pipelines.claims.registry import GENERIC_PREFIX, UNSIDED, UNTYPED, Source, SourceRegistry, source_key
from pipelines.places.names import english_zipf

# Words between a slot and its verb that are not part of the claimant.
_SLOT_TAIL = re.compile(
    r"(?:\s+(?:(?-i:[a-z]+ly)|also|additionally|previously|further|later|repeatedly|officially|again|separately|similarly|then|"
    r"falsely|first|reportedly|has|have|had|was|were|is|are|recently|initially|likewise|subsequently|"
    r"on \w+(?: \d{1,2})?|in a statement|in an interview|late|early|today|yesterday|over the weekend|this week|last week|"
    r"at [\d:]+ ?(?:am|pm)?(?: local time)?))+\s*$",
    re.IGNORECASE,
)
# Clause starts a subject slot cannot reach past.
_SLOT_BOUNDARY = re.compile(r"[;:“”\"(]|,\s|\b(?:that|while|but|which|(?-i:[Ww]ho)|after|when|before|though|although|however|because|since|whereas|as(?! well))\b", re.IGNORECASE)
_REFERENCE = re.compile(
    r"^(?:it|he|she|they|this|we|the (?:statement|report|ministry|same source|source|sources|agency|channel|governor|"
    r"official|officials|milblogger|mayor|spokesperson|spokesman|head|command|department|service|post|update|"
    r"release|press release|briefing|general staff|ministry of defense|mod|brigade|regiment|administration))$",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?:[A-Z\u0400-\u042f][\w'’.\-]*|\d+(?:st|nd|rd|th))(?:\s+(?:[A-Z\u0400-\u042f][\w'’.\-]*|of|the|de|al|(?:\d+(?:st|nd|rd|th))))*")
# "Ministry of Culture and Information Policy of Ukraine": "and" only between capitalised words of one name.
_OF_PHRASE = re.compile(r"((?:[A-Z][\w'’.\-]*|head|mayor|governor|commander|chief|spokesperson|spokesman|deputy|advisor|adviser|press service)(?:\s+(?:[A-Z][\w'’.\-]*|and(?=\s+[A-Z])|in|of|to|the|head|mayor|governor|commander|chief|spokesperson|spokesman|deputy|advisor|adviser|press service))*)\s+of\s+(?:the\s+)?$")
_BRACKETED_TAIL = re.compile(r"\s*\([^()]*\)$")
_LEADING_TITLE = re.compile(
    r"^(?:(?:Head|Mayor|Governor|Commander|Chief|Deputy|Spokesperson|Spokesman|Minister|President|Colonel|General|"
    r"Major|Lieutenant|Captain|Sergeant|Adviser|Advisor|Secretary|Director|Chairman|Ombudsman|Ambassador|Senator|Prosecutor|Speaker|Chancellor|Prime Minister|Lt\.|Gen\.|Col\.|Maj\.)\s+)+(?=[A-Z])"
)
_NAME_CONNECTORS = frozenset({"of", "the", "and", "for", "on", "in", "de"})
_NEGATED_CUE = re.compile(r"\b(?:cannot|can't|could not|unable to|did not|does not|do not|has not|have not|not)\s+(?:\w+\s+)?$", re.IGNORECASE)
_ADJECTIVE_CUE = re.compile(r"\b(?:any|the|a|an|no|several|many|some|all|these|those|unconfirmed|widely)\s+$", re.IGNORECASE)
# "despite the false claims", "these latest reports": a determiner and lowercase words before a noun-or-verb cue
# (not an infinitive: "the first to publish").
_DETERMINED_NOUN = re.compile(r"\b(?i:any|the|a|an|no|several|many|some|all|these|those|such|his|her|their|its|our)\s+(?:(?!to\b|will\b|would\b)[a-z][\w-]*\s+){0,2}$")
_PARENTHETICAL_SPEAKER = re.compile(r",\s+(?:he|she|they|it|officials|the (?:official|governor|mayor|head|ministry|spokesperson|spokesman))\s+(?:\w+ly\s+)?$", re.IGNORECASE)
# Words a title may take before the name it introduces.
MAX_TITLE_WORDS = 8
_INCLUDING = re.compile(r"\bincluding\s+([^,;()]+?),\s*$")
_HEADLINE_COLON = re.compile(r"\s*([^:\n]{2,100}?):\s")
# "... the Drama Theatre — Mariupol mayor's adviser Petro Andriushchenko": a dash before the speaker closes the sentence.
_CLOSING_SPEAKER = re.compile(r"\s([—–])\s+([^—–\n]{3,120}?)[\s.!]*$")
# "Putin and Defense Minister Sergey Shoigu": a title may open the second name.
_COORDINATION = re.compile(
    r"^(?:and|as well as|followed by|along with)(?: (?:the|other|several|some|many|various|also))?"
    r"(?: (?:[a-z]+ ){0,2}(?:minister|president|head|chief|commander|governor|mayor|spokesperson|spokesman|adviser|advisor|ombudsman|secretary)"
    # "and Head of the Luhansk Regional State Administration Serhiy Haidai": the title's body comes with it.
    r"(?: of (?:the )?[\w'’-]+(?: [\w'’-]+){0,5})?)?$"
)
_WORD = re.compile(r"[\w'’.\-]+")
# A name that locates a claimant rather than naming it: "officials in Kryvyi Rih", "authorities in the occupied
# cities of Berdyansk and Melitopol".
_PLACE_NAMES = r"[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*)*"
_LOCATING = re.compile(rf"\b(?:in|of|from|near|for)\s+(?:{_PLACE_NAMES}(?:,\s*|\s+and\s+))*$")
# The same after a generic claimant closing the slot: "Ukrainian officials in Kryvyi Rih".
_LOCATED_TAIL = re.compile(
    rf"\s+(?:in|from|of)\s+(?:the\s+)?(?:(?:occupied|Russian-occupied|city|cities|town|towns|region|oblast)\s+(?:of\s+)?)*"
    rf"{_PLACE_NAMES}(?:(?:,\s*|\s+and\s+){_PLACE_NAMES})*\s*"
)
# A further claimant joined to a registered one: "The Ukrainian General Staff and local Kharkiv authorities".
_CONJUNCT = re.compile(r"\s*,?\s*(?:and|as well as)\s+(?=\S)")
# Where the claimant after "according to" or a passive "by" ends.
_SLOT_AFTER_END = re.compile(r"[,;:)](?:\s|$)|(?<!\b(?-i:[A-Z]))\.(?:\s|$)|\bthat\b|\bon (?:\w+day|[A-Z][a-z]+ \d)|\[\d", re.IGNORECASE)
# How far before an abbreviation's spelt-out words a registered name may begin ("Russian", "Ukrainian Air Force").
MAX_QUALIFIER_CHARS = 40
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_CAPITALISED = re.compile(r"[A-Z][\w'’.\-]*")
# "The Mayor of Irpin, Oleksandr Markushin, stated": a name and its title, set off by commas, open the sentence.
_APPOSITIVE = re.compile(r"\s*([^,;:“”\"()\[\]\n]{3,70}),\s+([^,;:“”\"()\[\]\n]{3,80}),\s*$")
# What may follow a cue that ends its sentence.
_CLOSES_SENTENCE = re.compile(r"[\s.!?]*")
# A cue right after the words it reports: ", said", '," said', '," - said'.
_INVERTED_CUE = re.compile(r"[,\"”»]\s*(?:[-–—]\s*)?$")
# The circumstances of a saying, after its cue: "X said on Thursday after a cabinet meeting", "... in a statement".
_CIRCUMSTANCE_OPENS = re.compile(
    r"\s*(?:on|in|at|during|after|before|while|when|late|early|earlier|later|yesterday|today|tonight|this|last|via|through|below|above)\b",
    re.IGNORECASE,
)
_FOLLOWING_CONTENT = re.compile(r"[\w\u0400-\u04ff]+")
_TIME_ONLY = re.compile(
    r"^[\s,]*(?:(?:on|late on|early on|in|over|this|last|the|earlier|later)\s+)?(?:\w+day|\w+ \d{1,2}|morning|evening|night|week|weekend|today|yesterday)?[\s.,\]\[\d]*$",
    re.IGNORECASE,
)
_SHARED_NOUN = re.compile(
    r"\b((?:local |pro-)?[A-Z][\w-]+) and ((?:local |pro-)?[A-Z][\w-]+) (sources|reports|media|officials|outlets|authorities|milbloggers)"
)
_ELIDED_SUBJECT = re.compile(r"\b(?:and|but)$")
_PARTICIPLE_CUE = re.compile(r"^\w+ing$")
_HAS_WORD = re.compile(r"[^\W_]")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S)", re.IGNORECASE)
SINGULAR_ARTICLE = re.compile(r"^(?:a|an|one)\s", re.IGNORECASE)
_POSSESSIVE = re.compile(r"[’']s\b")
# A person's name: two or three capitalised words ("Vitaliy Kim", "Oleksiy Gromov").
_PERSON_NAME = re.compile(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2}")
_SURNAME = re.compile(r"[A-Z][\w'’-]+")
MAX_SLOT_WORDS = 14
MAX_NAME_WORDS = 8
MAX_GAP_WORDS = 4
PRONOUN_REACH = 600
# Words naming the claimant's statement rather than someone else: "X official statements claimed".
_STATEMENT_WORDS = frozenset(
    "official statement statements report reports situation daily press release service channel telegram "
    "spokesperson spokesman representatives representative sources source post posts update briefing account".split()
)
COMMON_WORD_ZIPF = 4.5


@dataclass(frozen=True)
class Claimant:
    """A source named in a slot: a registered source id, or a source the text introduces."""

    source_id: str
    start: int
    end: int
    surface: str
    singular: bool = False
    # Carried over from an earlier cue ("it said", "and claimed"), not named in this slot.
    carried: bool = False


@dataclass
class Attribution:
    claimants: list[Claimant]
    cue: str
    polarity: str
    slot: tuple[int, int]
    cue_span: tuple[int, int]
    forward: bool


@dataclass
class ReportSources:
    """Sources found in one report that the registry lacks, and the abbreviations the report defines."""

    discovered: dict[str, Source] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)


def defined_abbreviations(text: str, end: int, registry: SourceRegistry | None = None) -> dict[str, str]:
    """Abbreviation -> long form, for "Army General Staff (AGS)" and "Ministry of Emergency Situations (UMES)".

    "The Russian Ministry of Defense (MoD)": the initials spell only "Ministry of Defense", but a registered
    name ending at the bracket is the long form, so that "the MoD" later names the Russian one."""
    found = {}
    for match in _ABBREVIATION.finditer(text, 0, end):
        abbreviation = match.group(1)
        letters = [c for c in abbreviation if c.isupper()]
        words = list(_CAPITALISED.finditer(text, max(0, match.start() - 120), match.start()))
        # Walk back over capitalised words until their initials spell the abbreviation.
        position = len(letters) - 1
        first = None
        for word in reversed(words):
            if position >= 0 and word.group()[0] == letters[position]:
                position -= 1
                first = word
                if position < 0:
                    break
        if first is not None and position < 0:
            long_form = text[first.start() : match.start()].strip()
            words = _WORD.findall(long_form)
            if len(long_form) <= 80 and all(w[0].isupper() or w in _NAME_CONNECTORS for w in words):
                registered = registry.find(text, max(0, first.start() - MAX_QUALIFIER_CHARS), match.start()) if registry else []
                if registered and registered[-1].start <= first.start() and not text[registered[-1].end : match.start()].strip():
                    long_form = text[registered[-1].start : registered[-1].end]
                found[abbreviation] = long_form
    return found


def _is_name(phrase: str) -> bool:
    """A name has a word that is not everyday English ("Chapai", "Motuzyanyk"), or several capitalised words."""
    words = _WORD.findall(phrase)
    return len(words) > 1 or any(english_zipf(w.lower()) < COMMON_WORD_ZIPF for w in words)


def _slug(name: str) -> str:
    # \W, not [^a-z0-9]: a name in Cyrillic keeps its letters ("text:генштаб", not "text:").
    return re.sub(r"\W+", "_", source_key(name)).strip("_")


class Attributor:
    """Finds attributions sentence by sentence, remembering the last claimant of the paragraph."""

    def __init__(self, registry: SourceRegistry, lexicon: Lexicon, sources: ReportSources):
        self.registry = registry
        self.lexicon = lexicon
        self.sources = sources
        self.last: list[Claimant] = []
        # "Kim stated ..." after "Mykolaiv Oblast Governor Vitaliy Kim said ...": in one report a person's
        # surname alone names the person named in full before (a bare "Kim" is no alias of any one source).
        self.surnames: dict[str, str] = {}

    def attributions(self, text: str, start: int, end: int) -> list[Attribution]:
        found: list[Attribution] = []
        headline = self._headline_speaker(text, start, end)
        if headline:
            found.append(headline)
            self.last = headline.claimants
        for cue in self.lexicon.cues.finditer(text, start, end):
            attribution = self._attribution(text, start, end, cue, earlier=bool(found))
            if attribution is None:
                continue
            # Overlapping slots ("Video published by X ... showed") name one claim.
            if found and attribution.slot[0] < found[-1].cue_span[1] and attribution.claimants == found[-1].claimants:
                found[-1].cue_span = (found[-1].cue_span[0], attribution.cue_span[1])
                found[-1].forward = attribution.forward
                continue
            found.append(attribution)
            self.last = attribution.claimants
        if not found:
            closing = self._closing_speaker(text, start, end)
            if closing:
                found.append(closing)
                self.last = closing.claimants
        for attribution in found:
            self._remember_surnames(attribution.claimants)
        return found

    def _closing_speaker(self, text: str, start: int, end: int) -> Attribution | None:
        """ "<claim> — Mariupol mayor's adviser Petro Andriushchenko": a registered source ending the sentence
        after a dash, with at most the person's title around it, said what came before the dash."""
        dash = _CLOSING_SPEAKER.search(text, start, end)
        if not dash or not self._has_event(text, start, dash.start()):
            return None
        # "— the Minister of Energy of Ukraine, Herman Halushchenko": the name after its title speaks.
        comma = text.rfind(", ", dash.start(2), dash.end(2))
        titled = self._named_part(text, [(comma + 2, dash.end(2)), (dash.start(2), comma)]) if comma > 0 else None
        if titled:
            return Attribution([titled], dash.group(1), "asserted", dash.span(2), dash.span(1), False)
        matches = self.registry.find(text, dash.start(2), dash.end(2))
        # The name ends the sentence, or its title follows it after a comma ("Oleh Syniehubov, head of ...").
        named = [m for m in matches if m.end == dash.end(2) or text.startswith(",", m.end)]
        if not named:
            return None
        claimant = Claimant(named[0].source_id, named[0].start, named[0].end, text[named[0].start : named[0].end])
        return Attribution([claimant], dash.group(1), "asserted", dash.span(2), dash.span(1), False)

    def _remember_surnames(self, claimants: list[Claimant]) -> None:
        for claimant in claimants:
            source = self.registry.sources.get(claimant.source_id) or self.sources.discovered.get(claimant.source_id)
            if source is not None and _PERSON_NAME.fullmatch(source.name):
                self.surnames.setdefault(source.name.split()[-1], claimant.source_id)

    def _headline_speaker(self, text: str, start: int, end: int) -> Attribution | None:
        """ "Zelensky: our forces repelled ...": a registered source before a colon opening the sentence speaks for it."""
        colon = _HEADLINE_COLON.match(text, start, end)
        if not colon:
            return None
        matches = self.registry.find(text, colon.start(1), colon.end(1))
        # Only emoji and punctuation may come before the name ("⚡️ BBC: ..."), and after it only the
        # person's title ("Serhii Haidai, head of the Luhansk Regional state administration: ...").
        # Or the person's title comes first and the name closes the phrase ("Commander-in-Chief General Valerii
        # Zaluzhnyi: ...").
        if not matches:
            return None
        named = matches[0]
        rest = text[named.end : colon.end(1)].strip(" ’'s")
        if _HAS_WORD.search(text, colon.start(1), named.start) or (rest and not rest.startswith(",")):
            named = matches[-1]
            # The words before the name are a title ("Commander-in-Chief General", "Головнокомандувач ЗС України
            # генерал"), not an English sentence ending in a name ("Four letters can help Ukraine: ...").
            titled = (
                named.end == colon.end(1)
                and len(_WORD.findall(text, colon.start(1), named.start)) <= MAX_TITLE_WORDS
                and not self._has_event(text, colon.start(1), named.start)
                and not any(w.isascii() and w[0].islower() and w not in _NAME_CONNECTORS for w in _WORD.findall(text, colon.start(1), named.start))
            )
            if not titled:
                return None
        claimant = Claimant(named.source_id, named.start, named.end, text[named.start : named.end])
        return Attribution([claimant], ":", "asserted", colon.span(1), (colon.end(1), colon.end()), True)

    def _attribution(self, text: str, start: int, end: int, cue: re.Match[str], earlier: bool = False) -> Attribution | None:
        row = self.lexicon.cue_of(cue)
        phrase, kind = row.phrase, row.kind
        # "ISW cannot confirm ...", "did not report": a negated cue attributes nothing; nor does a participle
        # used as an adjective ("any confirmed ground attacks", "the reported capture").
        if _NEGATED_CUE.search(text, max(start, cue.start() - 30), cue.start()) or _ADJECTIVE_CUE.search(text, max(start, cue.start() - 12), cue.start()):
            return None
        if kind == "noun_or_verb" and _DETERMINED_NOUN.search(text, max(start, cue.start() - 40), cue.start()):
            return None
        after = text[cue.end() : end]
        # "Most shelling was recorded near Avdiivka": a passive cue without "by" names no claimant.
        if kind == "verb" and not after.startswith(" by ") and PASSIVE_AUXILIARY.search(text, max(start, cue.start() - 30), cue.start()):
            return None
        if kind == "according" or after.startswith(" by "):
            slot_start = cue.end() + (4 if after.startswith(" by ") else 0)
            slot = self._slot_after(text, slot_start, end)
            claimants = self._claimants(text, *slot)
            # "According to X, ..." and "On May 1, according to X, ..." govern what follows; "..., according
            # to X." governs what came before.
            leads_event = self._has_event(text, start, cue.start())
            forward = self._has_content(text, slot[1], end) and (kind != "according" or not leads_event)
        else:
            slot = self._slot_before(text, start, cue.start())
            including = _INCLUDING.search(text, start, cue.start()) if slot[0] == slot[1] else None
            if including:
                # "Ukrainian sources, including the General Staff and Serhiy Haidai, noted": the named ones speak.
                slot = including.span(1)
            claimants = []
            if not earlier and slot[0] == slot[1] and _PARTICIPLE_CUE.match(phrase) and text[: cue.start()].rstrip().endswith(","):
                # "X expanded on this call, stating ...": the participle's subject is the clause's (after an
                # earlier cue of the sentence, it is that cue's claimant, carried).
                subject = self._clause_subject(text, start, cue.start())
                claimants = self._claimants(text, *subject) if subject else []
                slot = subject if claimants else slot
            # "..., Ambassador Bartosz Cichocki claims.": a noun-or-verb cue closing its sentence is the verb.
            as_verb = kind != "noun_or_verb" or _CLOSES_SENTENCE.fullmatch(text, cue.end(), end) is not None
            claimants = claimants or self._claimants(text, *slot, discover=as_verb)
            forward = self._has_content(text, cue.end(), end)
            if all(c.carried for c in claimants) and kind == "verb" and slot[0] == slot[1]:
                appositive = self._appositive(text, start, cue.start())
                if appositive:
                    claimants, slot = appositive
            if all(c.carried for c in claimants) and kind == "verb" and _INVERTED_CUE.search(text, max(start, cue.start() - 4), cue.start()):
                # "..., said Governor Oleh Syniehubov." and '"...," - said X': the speaker follows the cue and
                # the saying is what came before it (a name there wins over the claimant an empty slot carries).
                inverted = self._slot_after(text, cue.end(), end)
                # "..., denying X's claims that ...": a possessive names whose words are meant, not the speaker.
                # The claimant carried in speaks.
                if not _POSSESSIVE.search(text, inverted[0], inverted[1] + 2):
                    claimants = self._claimants(text, *inverted)
                    if claimants:
                        slot, forward = inverted, False
            # "Russian forces attempted to land, he reported, but failed": a cue set off by commas speaks for the
            # sentence around it.
            if forward and text.startswith(",", cue.end()) and _PARENTHETICAL_SPEAKER.search(text, start, cue.start()):
                forward = False
            # "A was hit, X said on Thursday after a cabinet meeting": when the event comes before the speaker and
            # none after the cue, the words after are the saying's circumstances, not what was said.
            if forward and _CIRCUMSTANCE_OPENS.match(after) and self._has_event(text, start, slot[0]) and not self._has_event(text, cue.end(), end):
                forward = False
        if not claimants:
            return None
        if all(c.carried for c in claimants):
            # A claimant carried over from an earlier cue ("it said", "and claimed"): the slot words are
            # not a name, and the text before the cue belongs to whoever governed it.
            slot = (cue.start(), cue.start())
        return Attribution(claimants, phrase, row.polarity, slot, (cue.start(), cue.end()), forward)

    def _appositive(self, text: str, start: int, cue_start: int) -> tuple[list[Claimant], tuple[int, int]] | None:
        """The claimant of "The Mayor of Irpin, Oleksandr Markushin, stated" and "Petro Andryushenko, an advisor to
        Mariupol's mayor, reported": the part the registry names whole, else the part that is a name, typed by
        its title; the name after its title first."""
        match = _APPOSITIVE.match(text, start, cue_start)
        if not match or self._has_event(text, match.start(1), match.end(2)):
            return None
        claimant = self._named_part(text, [match.span(2), match.span(1)])
        return ([claimant], (match.start(1), match.end(2))) if claimant else None

    def _named_part(self, text: str, parts: list[tuple[int, int]]) -> Claimant | None:
        """Of a name and its title, the part the registry names whole, else the part that is a person's name,
        typed by the title; parts in order of preference."""
        surface = text[min(s for s, _ in parts) : max(e for _, e in parts)]
        for part_start, part_end in parts:
            found = self.registry.find(text, part_start, part_end)
            part = _LEADING_ARTICLE.sub("", text[part_start:part_end])
            if len(found) == 1 and text[found[0].start : found[0].end] == part:
                return Claimant(found[0].source_id, found[0].start, found[0].end, part)
        for part_start, part_end in parts:
            part = text[part_start:part_end]
            if _PERSON_NAME.fullmatch(part) and _is_name(part) and not self._only_side_words(part):
                source = self._discovered_source(part, surface, None)
                return Claimant(source.source_id, part_start, part_end, part)
        return None

    def _has_event(self, text: str, start: int, end: int) -> bool:
        return next(self.lexicon.trigger_matches(text, start, end), None) is not None

    @staticmethod
    def _has_content(text: str, position: int, end: int) -> bool:
        rest = text[position:end]
        return not _TIME_ONLY.match(rest) and len(_FOLLOWING_CONTENT.findall(rest)) >= 2

    @staticmethod
    def _slot_before(text: str, start: int, cue_start: int) -> tuple[int, int]:
        window_start = start
        for boundary in _SLOT_BOUNDARY.finditer(text, start, cue_start):
            # "The Internal Ministry of the Luhansk People's Republic (LNR) stated": a bracket closed before the
            # cue is part of the name.
            if boundary.group() == "(" and ")" in text[boundary.end() : cue_start]:
                continue
            window_start = boundary.end()
        words = list(_WORD.finditer(text, window_start, cue_start))[-MAX_SLOT_WORDS:]
        # "..., with Kharkiv Oblast civilian leadership reporting that", "..., and other local government sources
        # reported": the conjunction opens the clause, not the name.
        if words and words[0].group().lower() in {"with", "and"}:
            words = words[1:]
        if not words:
            return cue_start, cue_start
        # A handle's "@" is part of the name ("@mod_russia reports").
        slot_start = words[0].start() - (text[words[0].start() - 1 : words[0].start()] == "@")
        tail = _SLOT_TAIL.search(text, slot_start, cue_start)
        slot_end = len(text[: tail.start() if tail else cue_start].rstrip())
        # "X reported ... and later stated": the subject is elided, and the words before "and" belong to
        # another clause.
        if _ELIDED_SUBJECT.search(text, slot_start, slot_end):
            return cue_start, cue_start
        return slot_start, slot_end

    @staticmethod
    def _clause_subject(text: str, start: int, comma: int) -> tuple[int, int] | None:
        """The name opening the clause before a comma: its capitalised words up to the first lowercase one."""
        comma = len(text[:comma].rstrip()) - 1
        window_start = start
        for boundary in _SLOT_BOUNDARY.finditer(text, start, comma):
            window_start = boundary.end()
        words = list(_WORD.finditer(text, window_start, comma))
        name = []
        for word in words:
            if word.group()[0].isupper() or (name and word.group() in _NAME_CONNECTORS):
                name.append(word)
            else:
                break
        if not name or len(name) == len(words) or len(name) > MAX_SLOT_WORDS:
            return None
        return name[0].start(), name[-1].end()

    @staticmethod
    def _slot_after(text: str, slot_start: int, end: int) -> tuple[int, int]:
        # The full stop of an initialism ("a senior U.S. defense official") does not end the slot.
        stop = _SLOT_AFTER_END.search(text, slot_start, end)
        slot_end = stop.start() if stop else end
        return slot_start + len(text[slot_start:slot_end]) - len(text[slot_start:slot_end].lstrip()), slot_end

    def _claimants(self, text: str, slot_start: int, slot_end: int, discover: bool = True) -> list[Claimant]:
        surface = text[slot_start:slot_end].strip()
        if not surface:
            return self._carried()
        if _REFERENCE.match(surface):
            registered = self.registry.lookup(surface)
            if registered:
                return [Claimant(registered, slot_start, slot_end, surface)]
            return self._carried() or self._named_before(text, slot_start)
        if _SURNAME.fullmatch(surface) and surface in self.surnames and not self.registry.lookup(surface):
            return [Claimant(self.surnames[surface], slot_start, slot_end, surface)]
        singular = bool(SINGULAR_ARTICLE.match(surface))
        split = self._coordinated_generics(text, slot_start, slot_end) if discover else []
        if split:
            return split
        matches = self.registry.find(text, slot_start, slot_end)
        claimants = [Claimant(m.source_id, m.start, m.end, text[m.start : m.end], singular) for m in matches]
        abbreviated = self._abbreviated(text, slot_start, slot_end)
        claimants = sorted(
            [*claimants, *[c for c in abbreviated if not any(c.start < m.end and m.start < c.end for m in claimants)]],
            key=lambda c: c.start,
        )
        # "the Luhansk People's Republic (LNR)": an abbreviation in brackets repeats the name before it, and
        # the name's span takes it in.
        merged: list[Claimant] = []
        for claimant in claimants:
            if merged and merged[-1].source_id == claimant.source_id and text[merged[-1].end : claimant.start].strip() == "(":
                closing = text.find(")", claimant.end, slot_end)
                merged[-1] = replace(merged[-1], end=closing + 1 if closing >= 0 else claimant.end)
                merged[-1] = self._bracketed_body(text, merged[-1], claimant, slot_end)
            else:
                merged.append(claimant)
        claimants = merged
        if claimants:
            claimants[0] = self._organ_of(text, slot_start, claimants[0])
            # "X repelled attacks and claimed ...": X is the subject of the event verb, and the cue's own
            # subject is elided; it is the paragraph's last claimant when there is one.
            if next(self.lexicon.trigger_matches(text, claimants[-1].end, slot_end), None):
                return self._carried()
            # "Ukrainian officials in Kryvyi Rih": a generic claimant the text locates is a claimant of its own;
            # "a Ukrainian official in Kherson" stays generic, for its evidence URL to name.
            last = claimants[-1]
            if discover and last.source_id.startswith(GENERIC_PREFIX) and _LOCATED_TAIL.fullmatch(text, last.end, slot_end):
                return [last] if singular else [self._located(text, slot_start, slot_end, last)]
            # The claimant is the subject right before the verb ("X were the first to publish"), not a
            # name deep inside a longer subject ("Russia's capture of ... was widely confirmed").
            gap = [w for w in _WORD.findall(text, claimants[-1].end, slot_end) if w.lower() not in _STATEMENT_WORDS]
            if len(gap) > MAX_GAP_WORDS:
                return []
            # "Russian milblogger Ivan Petrovskiy": the name after a generic description is the claimant.
            named = _NAME.search(text, claimants[-1].end, slot_end)
            if discover and gap and named and named.end() >= slot_end - 1 and _is_name(named.group()) and not self._only_side_words(named.group()):
                source = self._discovered_source(named.group(), text[slot_start:slot_end].strip(), None)
                return [Claimant(source.source_id, named.start(), named.end(), named.group())]
            conjunct = _CONJUNCT.match(text, claimants[-1].end, slot_end)
            if discover and conjunct and self.lexicon.roles.search(text, conjunct.end(), slot_end):
                joined = self._discover(text, conjunct.end(), slot_end)
                if joined:
                    return [*self._adjacent(text, claimants, slot_end), joined]
            return self._adjacent(text, claimants, slot_end)
        if not discover:
            return []
        discovered = self._discover(text, slot_start, slot_end)
        return [discovered] if discovered else []

    def _bracketed_body(self, text: str, named: Claimant, abbreviation: Claimant, slot_end: int) -> Claimant:
        """ "the Luhansk People's Republic (LNR) militia": a body named after the bracket is the registered
        "LNR militia" when there is one, else the name stands."""
        tail = text[named.end : slot_end].strip()
        if not tail or len(tail.split()) > 3:
            return named
        bracket = text.find(" (", named.start, named.end)
        for head in (text[abbreviation.start : abbreviation.end], text[named.start : bracket if bracket >= 0 else named.end]):
            source_id = self.registry.lookup(f"{head} {tail}")
            if source_id:
                return Claimant(source_id, named.start, slot_end, text[named.start : slot_end], named.singular)
        return named

    def _coordinated_generics(self, text: str, slot_start: int, slot_end: int) -> list[Claimant]:
        """ "Multiple Ukrainian and Western reports": two generic claimants sharing their noun."""
        shared = _SHARED_NOUN.search(text, slot_start, slot_end)
        # "Russian and Ukrainian sources" is registered as one claimant (the worked example's convention).
        if not shared or shared.end() != slot_end or self.registry.lookup(shared.group()):
            return []
        claimants = []
        for group in (1, 2):
            source_id = self.registry.lookup(f"{shared.group(group)} {shared.group(3)}")
            if source_id is None:
                return []
            claimants.append(Claimant(source_id, shared.start(group), shared.end(3), text[shared.start(group) : shared.end(3)]))
        return claimants

    def _organ_of(self, text: str, slot_start: int, claimant: Claimant) -> Claimant:
        """ "Internal Ministry of the LNR", "Head of the Donetsk Oblast Military Administration": a role or body of
        a registered source is a claimant of its own, on the registered source's side."""
        before = _OF_PHRASE.search(text, slot_start, claimant.start)
        if not before or not self.lexicon.roles.search(before.group(1)):
            return claimant
        parent = self.registry.sources.get(claimant.source_id) or self.sources.discovered.get(claimant.source_id)
        if parent is None:
            return claimant
        name = _BRACKETED_TAIL.sub("", text[before.start(1) : claimant.end])
        source = self._discovered_source(name, name, None)
        if source.affiliation == UNSIDED:
            source = Source(source.source_id, source.name, source.aliases, source.source_type, parent.affiliation, None)
            self.sources.discovered[source.source_id] = source
        return Claimant(source.source_id, before.start(1), claimant.end, name, claimant.singular)

    def _located(self, text: str, slot_start: int, slot_end: int, generic: Claimant) -> Claimant:
        surface = text[slot_start:slot_end].strip()
        name = surface
        parent = self.registry.sources[generic.source_id]
        source = self._discovered_source(name, surface, None)
        source = Source(source.source_id, source.name, source.aliases, parent.source_type, parent.affiliation, None)
        self.sources.discovered[source.source_id] = source
        return Claimant(source.source_id, slot_start, slot_end, surface)

    def _carried(self) -> list[Claimant]:
        return [replace(c, carried=True) for c in self.last]

    def _named_before(self, text: str, position: int) -> list[Claimant]:
        """The registered source named last before a pronoun with no claimant to refer to ("Zelensky spoke ... he said")."""
        found = self.registry.find(text, max(0, position - PRONOUN_REACH), position)
        return [Claimant(found[-1].source_id, found[-1].start, found[-1].end, text[found[-1].start : found[-1].end])] if found else []

    def _adjacent(self, text: str, claimants: list[Claimant], slot_end: int) -> list[Claimant]:
        """The claimants ending the slot: the last one, and those joined to it by "and", "," or "followed by".

        A name right after a title or description is one claimant ("Russian Telegram channel Rybar",
        "Luhansk Oblast Administration Head Serhiy Haidai"): the later, more specific name stands.
        """
        chosen = [claimants[-1]]
        for earlier in reversed(claimants[:-1]):
            raw_gap = text[earlier.end : chosen[0].start]
            gap = raw_gap.strip(" ,").lower()
            if not raw_gap.strip() or gap in {"head", "chief", "spokesperson", "spokesman", "commander", "governor", "mayor"}:
                continue
            if _COORDINATION.match(gap):
                chosen.insert(0, earlier)
            else:
                break
        return list({c.source_id: c for c in chosen}.values())

    def _abbreviated(self, text: str, slot_start: int, slot_end: int) -> list[Claimant]:
        found = []
        for word in _WORD.finditer(text, slot_start, slot_end):
            long_form = self.sources.abbreviations.get(word.group().strip("."))
            if long_form:
                source_id = self.registry.lookup(long_form) or self._discovered_source(long_form, long_form, word.group()).source_id
                found.append(Claimant(source_id, word.start(), word.end(), word.group()))
        return found

    def _discover(self, text: str, slot_start: int, slot_end: int) -> Claimant | None:
        """A source the registry lacks: a name or role phrase closing the slot, typed by its role words."""
        surface = text[slot_start:slot_end].strip()
        roles = [m.group().casefold() for m in self.lexicon.roles.finditer(surface)]
        names = [m for m in _NAME.finditer(surface) if not self._only_side_words(m.group()) and _is_name(m.group())]
        if not names and not roles:
            return None
        # A name after "in"/"of" ("officials in Kryvyi Rih") locates the claimant; it does not name it.
        location = _LOCATING.search(surface, 0, names[-1].start()) if names else None
        if names and names[-1].end() >= len(surface) - 1 and not (location and roles):
            name = names[-1].group()
        elif roles:
            name = surface
        else:
            return None
        if len(name.split()) > (MAX_SLOT_WORDS if location else MAX_NAME_WORDS) or self._only_side_words(name):
            return None
        source = self._discovered_source(name, surface, None, roles)
        return Claimant(source.source_id, slot_start, slot_end, surface, bool(SINGULAR_ARTICLE.match(surface)))

    def _only_side_words(self, phrase: str) -> bool:
        rest = self.lexicon.sides.sub("", phrase)
        return not re.sub(r"\b(?:forces|troops|the|and|units|army|military|proxy)\b", "", rest, flags=re.IGNORECASE).strip(" ,.'’s-")

    def _discovered_source(self, name: str, surface: str, abbreviation: str | None, roles: list[str] | None = None) -> Source:
        # "Head Yaroslav Yanushevych" names Yaroslav Yanushevych; the title stays in the alias.
        name = _LEADING_TITLE.sub("", _LEADING_ARTICLE.sub("", name)) or name
        source_id = f"text:{_slug(name)}"
        known = self.sources.discovered.get(source_id)
        aliases = tuple(dict.fromkeys(a for a in (*(known.aliases if known else ()), surface, abbreviation) if a and a != name))
        if known:
            source = Source(source_id, known.name, aliases, known.source_type, known.affiliation, None)
        else:
            roles = roles if roles is not None else [m.group().casefold() for m in self.lexicon.roles.finditer(surface)]
            sides = {self.lexicon.side_of[m.group()] for m in self.lexicon.sides.finditer(surface)}
            source_type = self.lexicon.role_type[roles[-1]] if roles else UNTYPED
            affiliation = sides.pop() if len(sides) == 1 else UNSIDED
            source = Source(source_id, name, aliases, source_type, affiliation, None)
        self.sources.discovered[source_id] = source
        return source
