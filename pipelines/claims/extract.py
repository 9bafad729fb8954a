"""The `sources`, `claims` and `claim_places` tables for a set of reports and their place mentions.

Each sentence is split into stretches governed by one claimant (or by the report itself); every event
type found in a stretch is one claim per claimant, carrying the stretch's places (else the sentence's, the
paragraph's last, or the claimant's), its first date and quantity, and the endnote URLs its citation markers
point to. A claimant's statement about a place with no known event is kept as `other`. A claimant named
only as "a Russian source" takes the name of the registered source its cited link belongs to; the report's
own author is the null source; a claim restated in the headline or its paragraph is kept once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

import polars as pl

from pipelines.claims.attribution import Attribution, Attributor, Claimant, ReportSources, defined_abbreviations
from pipelines.claims.dates import DateMention, find_dates
from pipelines.claims.events import STRIKES_SUFFERED_BY, SUFFERED_EVENTS, Event, events
from pipelines.claims.lexicon import Lexicon, lexicon
from pipelines.claims.quantities import find_quantities
from pipelines.claims.registry import GENERIC_PREFIX, UNSIDED, UNTYPED, Source, SourceRegistry, source_key
from pipelines.claims.sentences import Sentence, endnotes, endnotes_start, sentences
from pipelines.schemas import ClaimPlaces, Claims, Sources, polars_schema, validated

_MARKER = re.compile(r"\[(\d+)\]")
# Where a coordinated clause may begin: ", and", ", while", "; ".
_CLAUSE_SPLIT = re.compile(r"(?:,\s+(?:and|but|while|whereas)|;)\s+")
_TARGET_BEFORE = re.compile(r"\b(?:toward|towards|on|against|at|into|to|direction of|approaches to)\s+(?:the\s+)?(?:city of\s+|village of\s+|town of\s+)?$", re.IGNORECASE)
_TRIM = " \t,;:.—–-\"“”'’"
_LEADING_THAT = re.compile(r"(?:that|and|but)\s+", re.IGNORECASE)
MAX_WRITTEN_ALIASES = 40
REPORT_COLUMNS = ("report_id", "text", "published_at", "outlet", "url")
_ANAPHOR = re.compile(
    r"\b(?:the|that|this) (?:plant|city|town|village|settlement|area|mine|bridge|airport|base|port|factory|region|oblast|"
    r"direction|axis|front|sector|highway|road|river|line|theatre|theater|hospital|school|station|building|mall|shopping center|shelter|strike|attack)\b|\bthere\b",
    re.IGNORECASE,
)
# A restatement within this many characters (a headline and its body) is the same claim, not a new one.
RESTATEMENT_WINDOW = 1500
# Where an attributed statement gives way to the report's own voice: a hedged contrast ("X claimed A,
# but ISW cannot confirm ..."; "... but have likely not entered"), a concession ("X declared victory, though
# some forces remain") or an inference (", indicating ...").
_CONTRAST = re.compile(
    r"(?:,? but|;|, however)(?=[^.;]{0,60}\b(?:ISW|likely|cannot|can't|unable|no evidence|"
    r"unconfirmed|unverified|unclear|false|we)\b)|, (?:though|although|whereas|indicating|suggesting|which (?:suggests|indicates))\b",
    re.IGNORECASE,
)
# "The Russian troops fired again": a new event like the one before, not its restatement.
_REPEATED = re.compile(r"\b(?:again|once more|another|a second|a new|later)\b", re.IGNORECASE)
_QUOTE = re.compile(r"“[^”]{12,}”|\"[^\"\n]{12,}\"")
_DENIED_REFERENCE = re.compile(
    r"\s*(?:(?:these|those|the|such|this|that)\s+(?:claims?|reports?|allegations?|accusations?|statements?|assertions?)|these|those|them|it|this)"
    r"(?=\s*(?:$|[,.;]|and\b|as\b|on\b))",
    re.IGNORECASE,
)
# A reported clause ("stated that ...") is content of its own, even when the lexicon finds no event in it.
_THAT = re.compile(r"\bthat\b", re.IGNORECASE)


def paragraphs(all_sentences: list[Sentence]) -> list[list[Sentence]]:
    grouped: dict[int, list[Sentence]] = {}
    for sentence in all_sentences:
        grouped.setdefault(sentence.paragraph, []).append(sentence)
    return list(grouped.values())


def governing(attribution: Attribution, sentence: Sentence, polarity: str | None = None) -> Attribution:
    """The attribution extended over the whole of another sentence, with its own polarity unless one is given."""
    return Attribution(attribution.claimants, attribution.cue, polarity or attribution.polarity, (sentence.end, sentence.end), (sentence.end, sentence.end), False)


def quoted_speakers(text: str, paragraph: list[Sentence], said: list[list[Attribution]]) -> list[list[Attribution]]:
    """Sentences inside a direct quote speak for whoever the quote is attributed to, before or after it
    (“... positions,” he said. / Zelensky said: “...”)."""
    if not paragraph:
        return said
    result = [list(a) for a in said]
    for quote in _QUOTE.finditer(text, paragraph[0].start, paragraph[-1].end):
        speaker = None
        for attributions in said:
            for attribution in attributions:
                after = 0 <= attribution.slot[0] - quote.end() <= 4 or 0 <= attribution.cue_span[0] - quote.end() <= 4
                before = 0 <= quote.start() - attribution.cue_span[1] <= 3
                if after or before:
                    speaker = attribution
        if speaker is None:
            continue
        for index, sentence in enumerate(paragraph):
            if quote.start() <= sentence.start and sentence.end <= quote.end() + 1 and not said[index]:
                result[index] = [governing(speaker, sentence)]
    return result


@dataclass(frozen=True)
class PlaceRef:
    start: int
    end: int
    place_id: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    attribution: Attribution | None


@dataclass(frozen=True)
class SeenClaim:
    """A claim kept, as the restatement check compares later ones with it."""

    claim_id: str
    start: int
    paragraph: int
    source_id: str | None
    places: frozenset[str]
    evidence: frozenset[str]
    quantity: float | None


@dataclass
class ReportClaims:
    claims: list[dict] = field(default_factory=list)
    claim_places: list[dict] = field(default_factory=list)
    sources: ReportSources = field(default_factory=ReportSources)
    # How each claimant was written in this report: registered sources gain these as aliases.
    surfaces: dict[str, set[str]] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)


def claim_id(report_id: str, start: int, end: int, event_type: str, source_id: str | None) -> str:
    key = f"{report_id}:{start}:{end}:{event_type}:{source_id or ''}"
    return hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


def segments(text: str, sentence: Sentence, attributions: list[Attribution]) -> list[Segment]:
    """The sentence cut into stretches, each governed by one attribution or by the report's own voice."""
    result = []
    cursor = sentence.start
    for index, attribution in enumerate(attributions):
        slot_start = min(attribution.slot[0], attribution.cue_span[0])
        said_end = max(attribution.slot[1], attribution.cue_span[1])
        if attribution.forward:
            following = attributions[index + 1] if index + 1 < len(attributions) else None
            # A denial covers what it denies, including a claim it quotes ("denying X's claims that ...").
            end = sentence.end if following is None or attribution.polarity == "denied" else max(said_end, min(following.slot[0], following.cue_span[0]))
            # "X claimed A, but B": B is the report's own voice again.
            contrast = _CONTRAST.search(text, said_end, end)
            end = contrast.start() if contrast else end
            if slot_start > cursor:
                result.append(Segment(cursor, slot_start, None))
            result.append(Segment(said_end, end, attribution))
            cursor = max(cursor, end)
        else:
            result.append(Segment(cursor, slot_start, attribution))
            cursor = max(cursor, said_end)
    if cursor < sentence.end:
        result.append(Segment(cursor, sentence.end, None))
    return [s for s in result if s.end > s.start]


class ReportExtractor:
    """Claims of one report."""

    def __init__(
        self,
        report_id: str,
        text: str,
        published: dt.date | None,
        mentions: list[PlaceRef],
        registry: SourceRegistry,
        lex: Lexicon,
        author: str | None = None,
    ):
        self.report_id = report_id
        # The report's own author (ISW in an ISW report, Zelensky on his own account) is the null source.
        self.author = author
        self.text = text
        self.published = published
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.mention_starts = [m.start for m in self.mentions]
        self.registry = registry
        self.lexicon = lex
        self.result = ReportClaims()
        self.dated_sentence = -1
        self.sentence_dates: list[DateMention] = []
        self.last_event: Event | None = None
        self.paragraph_actor: str | None = None
        self.seen: dict[tuple[str, str], list[SeenClaim]] = {}

    def run(self) -> ReportClaims:
        prose_end = endnotes_start(self.text)
        notes = endnotes(self.text, prose_end)
        self.result.sources.abbreviations = defined_abbreviations(self.text, prose_end, self.registry)
        attributor = Attributor(self.registry, self.lexicon, self.result.sources)
        last_places: list[PlaceRef] = []
        lead_in: Attribution | None = None
        for paragraph in paragraphs(sentences(self.text, prose_end)):
            self.paragraph_actor = None
            said = [attributor.attributions(self.text, s.start, s.end) for s in paragraph]
            said = quoted_speakers(self.text, paragraph, said)
            for index, (sentence, attributions) in enumerate(zip(paragraph, said)):
                led = not attributions and lead_in is not None
                if led:
                    # What a denial denies is in its own sentence; the next sentence is the claimant's assertion.
                    attributions = [governing(lead_in, sentence, "asserted")]
                claims_before = len(self.result.claims)
                urls = [url for number in _MARKER.findall(self.text, sentence.start, sentence.end) for url in notes.get(int(number), [])]
                sentence_places = self._places_in(sentence.start, sentence.end)
                # Earlier paragraphs lend their places only to an anaphor ("the plant", "the city").
                carried = last_places if index > 0 or _ANAPHOR.search(self.text, sentence.start, sentence.end) else []
                for segment in segments(self.text, sentence, attributions):
                    last_places = self._segment_claims(sentence, segment, urls, carried, sentence_places) or last_places
                    carried = last_places
                named = [m for m in sentence_places if not any(c.start <= m.start < c.end for a in attributions for c in a.claimants)]
                last_places = named or last_places
                # "X reported about positive results of air defence. A Russian plane was shot down near Y": a
                # claimant whose own words hold no event and no place introduces the next sentence.
                own = len(attributions) == 1 and all(c.start >= sentence.start for c in attributions[0].claimants)
                # A place in the claimant's title ("the head of the Chernihiv administration") is not what it says.
                spoken = [m for m in named if not any(a.slot[0] <= m.start < a.slot[1] for a in attributions)]
                silent = own and not spoken and len(self.result.claims) == claims_before and self._contentless(sentence)
                # "X reported on the situation in the city. S1. S2.": the claimant speaks on until a sentence names
                # a claimant of its own.
                lead_in = attributions[0] if silent else lead_in if led else None
            # Only a paragraph that says no more than who speaks introduces the next paragraph.
            if len(paragraph) > 1:
                lead_in = None
        return self.result

    def _contentless(self, sentence: Sentence) -> bool:
        """No event word at all, hedged or not, no reported clause ("reported that ..."), no quote and no
        citation marker (a cited sentence is a whole statement)."""
        start, end = sentence.start, sentence.end
        if _THAT.search(self.text, start, end) or _QUOTE.search(self.text, start, end) or _MARKER.search(self.text, start, end):
            return False
        return next(self.lexicon.trigger_matches(self.text, start, end), None) is None

    def _segment_claims(self, sentence: Sentence, segment: Segment, urls: list[str], last_places: list[PlaceRef], sentence_places: list[PlaceRef]) -> list[PlaceRef]:
        claimants: list[Claimant | None] = list(segment.attribution.claimants) if segment.attribution else [None]
        skip = [(c.start, c.end) for c in claimants if c is not None]
        speaker_side = self._side_of(claimants[0])
        # In the report's own voice, harm to civilians is reported by the side of the report's author.
        sufferer = speaker_side or (self._source_side(self.author) if claimants[0] is None else None)
        speaker = self._source(claimants[0].source_id if claimants[0] is not None else self.author)
        suffered = SUFFERED_EVENTS | ({"strike"} if speaker is not None and speaker.source_type in STRIKES_SUFFERED_BY else set())
        found = events(self.text, segment.start, segment.end, self.lexicon, skip, speaker_side, sufferer, suffered)
        # "MLRS attacks and reconnaissance operations": beside an event of a known type, an "other" one adds nothing.
        if any(e.event_type != "other" for e in found):
            found = [e for e in found if e.event_type != "other"]
        if not found and segment.attribution is not None and segment.attribution.polarity == "denied" and self.last_event is not None:
            # "..., but social media users denied these claims": a denial of what was just claimed is a claim of
            # the same event, denied.
            if _DENIED_REFERENCE.match(self.text, segment.start, segment.end):
                found = [Event(self.last_event.event_type, "asserted", self.last_event.actor_side, segment.start, segment.end)]
        if not found and segment.attribution is not None and self._places_in(segment.start, segment.end):
            # A claimant says something about a place in words the lexicon does not know: keep it as "other",
            # so that who said what about where is not lost.
            found = [Event("other", "asserted", None, segment.start, segment.end)]
        if not found:
            return []
        # "Several rockets were fired at a residential quarter. 20 people died.": harm whose actor goes unnamed was
        # done by the actor of the paragraph's last event that had one.
        found = [replace(e, actor_side=self.paragraph_actor) if e.actor_side is None and e.event_type in suffered else e for e in found]
        self.paragraph_actor = next((e.actor_side for e in reversed(found) if e.actor_side), self.paragraph_actor)
        self.last_event = found[-1]
        outside_names = [m for m in sentence_places if not any(s <= m.start < e for s, e in skip)]
        in_segment = [m for m in outside_names if segment.start <= m.start < segment.end]
        # With no place of its own a claim takes the sentence's, then the claimant's ("officials in Kryvyi Rih
        # reported attacks", "Lviv regional governor says ..."), then the paragraph's last places.
        segment_places = in_segment or outside_names or [m for s, e in skip for m in self._places_in(s, e)] or last_places
        date = self._date(segment, sentence)
        denied_by_cue = segment.attribution is not None and segment.attribution.polarity == "denied"
        clauses = self._clauses(segment, found)
        # What a claim cites: its citation markers ("[17]" and "[20]" are two statements, even of one source).
        evidence = frozenset(_MARKER.findall(self.text, sentence.start, sentence.end))
        by_type: dict[tuple[str, str, int], list[Event]] = {}
        for event in found:
            polarity = "denied" if denied_by_cue else event.polarity
            clause = bisect_right([c[0] for c in clauses], event.start) - 1
            by_type.setdefault((event.event_type, polarity, clause), []).append(event)
        for (event_type, polarity, clause), typed in by_type.items():
            side = next((e.actor_side for e in typed if e.actor_side), None)
            # "Russian artillery shelled the city, and Russian aircraft conducted strikes near it": each clause
            # with an actor of its own is a claim, placed by its own places where it names any.
            start, end = self._trimmed(*clauses[clause])
            places = [m for m in in_segment if start <= m.start < end] if len(clauses) > 1 else []
            places = places or segment_places
            quantity = next(iter(find_quantities(self.text[start:end])), None)
            repeated = bool(_REPEATED.search(self.text, start, end))
            for claimant in claimants:
                source_id = self._source_id(claimant, urls)
                if source_id is not None and claimant is not None and source_id == claimant.source_id:
                    self.result.surfaces.setdefault(source_id, set()).add(claimant.surface)
                identifier = claim_id(self.report_id, start, end, event_type, source_id)
                if self._restated(identifier, source_id, event_type, polarity, places, start, sentence, repeated, evidence, quantity.value if quantity else None):
                    continue
                self.result.claims.append(
                    {
                        "claim_id": identifier,
                        "report_id": self.report_id,
                        "source_id": source_id,
                        "cue": segment.attribution.cue if segment.attribution else None,
                        "event_type": event_type,
                        "actor_side": side,
                        "polarity": polarity,
                        "text": self.text[start:end],
                        "char_start": start,
                        "char_end": end,
                        "event_date": date.date if date else None,
                        "date_precision": date.precision if date else "unknown",
                        "date_text": date.text if date else None,
                        "quantity": quantity.value if quantity else None,
                        "quantity_unit": quantity.unit if quantity else None,
                        "evidence_urls": urls or None,
                    }
                )
                self.result.claim_places.extend(self._claim_place(identifier, place) for place in places)
        return places

    def _restated(
        self, identifier: str, source_id: str | None, event_type: str, polarity: str, refs: list[PlaceRef], start: int, sentence: Sentence, repeated: bool, evidence: frozenset[str],
        quantity: float | None,
    ) -> bool:
        """Whether a claim repeats one made just before, in the headline or the same paragraph: same event,
        places and claimant, or the report's own voice repeating a claimant. A summary's claim restated in
        a later section is kept: each carries its own context and citations; so is one of the same paragraph
        that cites other evidence or counts what the earlier one did not (a topic sentence and the detail
        after it: "... strikes on the city. At least 53 people were killed"). A body that places the
        headline's claim more precisely, in the same voice, replaces it; in the report's own voice, it lends
        the headline's claim its places."""
        places = frozenset(p.place_id for p in refs)
        paragraph = sentence.paragraph
        seen = self.seen.setdefault((event_type, polarity), [])
        for earlier in list(seen):
            earlier_id, earlier_start, earlier_paragraph, earlier_source, earlier_places = (
                earlier.claim_id, earlier.start, earlier.paragraph, earlier.source_id, earlier.places
            )
            if earlier_start >= sentence.start:
                # Another clause of this sentence: split on purpose.
                continue
            if earlier_paragraph == paragraph and evidence and earlier.evidence and not evidence & earlier.evidence:
                continue
            if earlier_paragraph == paragraph and quantity is not None and quantity != earlier.quantity:
                continue
            # A headline's places may be fewer or more than its body's, and its body may drop the claimant;
            # within a paragraph both must agree.
            headline = earlier_paragraph == 0 and earlier_paragraph != paragraph
            same_places = places == earlier_places or (headline and (places <= earlier_places or earlier_places <= places))
            same_source = source_id == earlier_source or (headline and source_id is None)
            # Within a paragraph, "fired again" is a new event; a headline's body may still say "again".
            if start - earlier_start <= RESTATEMENT_WINDOW and (headline or (earlier_paragraph == paragraph and not repeated)) and same_source and same_places:
                if not (headline and earlier_places < places):
                    return True
                if source_id != earlier_source:
                    added = [p for p in refs if p.place_id not in earlier_places]
                    self.result.claim_places.extend(self._claim_place(earlier_id, p) for p in added)
                    seen[seen.index(earlier)] = replace(earlier, places=places)
                    return True
                seen.remove(earlier)
                self.result.claims = [c for c in self.result.claims if c["claim_id"] != earlier_id]
                self.result.claim_places = [c for c in self.result.claim_places if c["claim_id"] != earlier_id]
        seen.append(SeenClaim(identifier, start, paragraph, source_id, places, evidence, quantity))
        return False

    def _side_of(self, claimant: Claimant | None) -> str | None:
        return self._source_side(claimant.source_id) if claimant is not None else None

    def _source(self, source_id: str | None) -> Source | None:
        return self.registry.sources.get(source_id) or self.result.sources.discovered.get(source_id)

    def _source_side(self, source_id: str | None) -> str | None:
        source = self._source(source_id)
        return source.affiliation if source and source.affiliation in ("RU", "UA") else None

    def _source_id(self, claimant: Claimant | None, urls: list[str]) -> str | None:
        if claimant is None or claimant.source_id == self.author:
            return None
        if claimant.singular and claimant.source_id.startswith(GENERIC_PREFIX):
            generic = self.registry.sources[claimant.source_id]
            named = {self.registry.from_url(url) for url in urls} - {None}
            named = {s for s in named if self.registry.sources[s].affiliation == generic.affiliation}
            if len(named) == 1:
                return named.pop()
        return claimant.source_id

    def _places_in(self, start: int, end: int) -> list[PlaceRef]:
        index = bisect_left(self.mention_starts, start)
        found = []
        while index < len(self.mentions) and self.mentions[index].start < end:
            found.append(self.mentions[index])
            index += 1
        return found

    def _claim_place(self, claim: str, place: PlaceRef) -> dict:
        return {"claim_id": claim, "place_id": place.place_id, "role": self._role(place), "char_start": place.start, "char_end": place.end}

    def _role(self, place: PlaceRef) -> str:
        opened = self.text.rfind("(", max(0, place.start - 60), place.start)
        if opened != -1 and self.text.find(")", opened, place.start) == -1:
            return "reference"
        if _TARGET_BEFORE.search(self.text, max(0, place.start - 40), place.start):
            return "target"
        return "location"

    def _clauses(self, segment: Segment, found: list[Event]) -> list[tuple[int, int]]:
        """The segment cut where a new clause with an actor of its own begins (", and Russian aircraft ...",
        "; Ukrainian forces ..."), when events lie on both sides; not inside a list of places ("Izium, and Popasna")."""
        clauses = [(segment.start, segment.end)]
        for split in _CLAUSE_SPLIT.finditer(self.text, segment.start, segment.end):
            next_word = split.end()
            if self._places_in(next_word, next_word + 1) or not self.lexicon.sides.match(self.text, next_word):
                continue
            if any(clauses[-1][0] <= e.start < split.start() for e in found) and any(e.start >= split.end() for e in found):
                clauses[-1] = (clauses[-1][0], split.start())
                clauses.append((split.end(), segment.end))
        return clauses

    def _trimmed(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.text[start] in _TRIM:
            start += 1
        that = _LEADING_THAT.match(self.text, start, end)
        start = that.end() if that else start
        while end > start and (self.text[end - 1] in _TRIM or self.text[end - 1] in "[]0123456789"):
            # Drop trailing citation markers too: they are evidence, not claim text.
            if self.text[end - 1] in "0123456789" and "[" not in self.text[max(start, end - 6) : end]:
                break
            end -= 1
        return start, end

    def _date(self, segment: Segment, sentence: Sentence) -> DateMention | None:
        """The first date in the claim's own stretch, else the first in its sentence."""
        if self.dated_sentence != sentence.start:
            self.dated_sentence = sentence.start
            self.sentence_dates = [
                DateMention(d.start + sentence.start, d.end + sentence.start, d.text, d.date, d.precision)
                for d in find_dates(self.text[sentence.start : sentence.end], self.published)
            ]
        inside = [d for d in self.sentence_dates if segment.start <= d.start < segment.end]
        return (inside or self.sentence_dates or [None])[0]


# What claim_rows gives per report: its claims and their places, and what it says about sources (the
# sources it introduces, and how it wrote each claimant).
CLAIM_TABLES = ("claims", "claim_places", "discovered_sources", "source_surfaces")
DISCOVERED_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "source_id": pl.String,
        "name": pl.String,
        "aliases": pl.List(pl.String),
        "source_type": pl.String,
        "affiliation": pl.String,
    }
)
SURFACES_SCHEMA = pl.Schema({"report_id": pl.String, "source_id": pl.String, "surface": pl.String})


def claim_rows(reports: pl.DataFrame, place_mentions: pl.DataFrame, registry: SourceRegistry, lex: Lexicon) -> dict[str, pl.DataFrame]:
    """Each report's claims, claim places (with their report_id), introduced sources and claimant surfaces."""
    mentions_by_report: dict[str, list[PlaceRef]] = {}
    for report_id, start, end, place_id in place_mentions.select("report_id", "char_start", "char_end", "place_id").iter_rows():
        mentions_by_report.setdefault(report_id, []).append(PlaceRef(start, end, place_id))
    claims: list[dict] = []
    claim_places: list[dict] = []
    discovered: list[dict] = []
    surfaces: list[dict] = []
    for report_id, text, published, outlet, url in reports.select(*REPORT_COLUMNS).iter_rows():
        day = published.date() if published is not None else None
        author = (registry.lookup(outlet) if outlet else None) or (registry.from_url(url) if url else None)
        result = ReportExtractor(report_id, text, day, mentions_by_report.get(report_id, []), registry, lex, author).run()
        claims += result.claims
        claim_places += [{**row, "report_id": report_id} for row in result.claim_places]
        surfaces += [{"report_id": report_id, "source_id": s, "surface": w} for s, written in result.surfaces.items() for w in sorted(written)]
        discovered += [
            {"report_id": report_id, "source_id": source.source_id, "name": source.name, "aliases": list(source.aliases),
             "source_type": source.source_type, "affiliation": source.affiliation}
            for source in result.sources.discovered.values()
        ]
    return {
        "claims": pl.DataFrame(claims, schema=polars_schema(Claims)),
        "claim_places": pl.DataFrame(claim_places, schema={**polars_schema(ClaimPlaces), "report_id": pl.String}),
        "discovered_sources": pl.DataFrame(discovered, schema=DISCOVERED_SCHEMA),
        "source_surfaces": pl.DataFrame(surfaces, schema=SURFACES_SCHEMA),
    }


def claim_tables(registry: SourceRegistry, rows: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The sources, claims and claim_places tables from every report's claim_rows, in report order."""
    discovered: dict[str, Source] = {}
    # The first report naming a source names it, and the first to type it (or give its side) types it: reports
    # added later change a source only to say what earlier ones left open, so appending reports rarely touches
    # the rows (and the published claims) of reports already in the warehouse.
    for _, source_id, name, aliases, source_type, affiliation in rows["discovered_sources"].iter_rows():
        known = discovered.get(source_id)
        if known is not None:
            aliases = [*known.aliases, *(aliases or ())]
            name = known.name
            source_type = source_type if known.source_type == UNTYPED else known.source_type
            affiliation = affiliation if known.affiliation == UNSIDED else known.affiliation
        discovered[source_id] = Source(source_id, name, tuple(dict.fromkeys(aliases or ())), source_type, affiliation, None)
    surfaces: dict[str, set[str]] = {}
    for _, source_id, surface in rows["source_surfaces"].iter_rows():
        surfaces.setdefault(source_id, set()).add(surface)
    claims = rows["claims"].unique("claim_id", keep="first", maintain_order=True)
    claim_places = rows["claim_places"].drop("report_id").unique(maintain_order=True)
    return validated(Sources, sources_frame(registry, discovered.values(), surfaces)), validated(Claims, claims), validated(ClaimPlaces, claim_places)


def extract_claims(reports: pl.DataFrame, place_mentions: pl.DataFrame, registry: SourceRegistry | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Claims and claim places of every report, and the sources table (the registry plus sources the texts introduce)."""
    registry = registry or SourceRegistry.from_seeds()
    return claim_tables(registry, claim_rows(reports, place_mentions, registry, lexicon()))


def sources_frame(registry: SourceRegistry, discovered, surfaces: dict[str, set[str]]) -> pl.DataFrame:
    """The registry and the sources the texts introduce; every form a text used for a source becomes one of its aliases."""
    rows = [
        {
            "source_id": source.source_id,
            "name": source.name,
            "aliases": _with_surfaces(source, surfaces.get(source.source_id, set())) or None,
            "source_type": source.source_type,
            "affiliation": source.affiliation,
            "url": source.url,
            "origin": origin,
        }
        for origin, group in (("registry", registry.sources.values()), ("text", discovered))
        for source in group
    ]
    return pl.DataFrame(rows, schema=polars_schema(Sources))


def _with_surfaces(source: Source, written: set[str]) -> list[str]:
    known = {source_key(a) for a in (source.name, *source.aliases)}
    extra = sorted({w for w in written if source_key(w) not in known}, key=lambda w: (len(w), w))[:MAX_WRITTEN_ALIASES]
    return [*source.aliases, *extra]
