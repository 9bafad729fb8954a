"""Resolution of recognised place names to one feature each, and points derived from relative locations.

Each mention's candidates are scored on: the oblast named beside it ("Terny, Donetsk Oblast") or elsewhere
in the report, distance to the report's unambiguous places (the paragraph's first), a relative anchor
("Yahidne (27km northwest of Svatove)": the candidate must lie about there), feature class and population.
The method and a confidence travel with every choice. "Some seven kilometers north-east of Vuhledar"
with no named feature before it becomes a derived point with its anchor, distance and bearing.
"""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from pipelines.places.gazetteer import OBLAST_TYPE_WORDS, ConfidentSenses, Gazetteer, distance_km, offset_point
from pipelines.places.names import loose_key
from pipelines.places.recognise import Mention, recognise
from pipelines.settings import SEEDS_DIR

SETTLEMENT_TYPES = {"city", "town", "village", "city_district"}
TYPE_HINTS = {
    "oblast": {"oblast"},
    "raion": {"raion"},
    "settlement": SETTLEMENT_TYPES,
    "river": {"river"},
    "reservoir": {"reservoir"},
    "road": {"road"},
}
# Distance to the report's other places matters most, on a log scale: 5 km against 50 km counts as much
# as 50 km against 500 km.
PROXIMITY_SCALE_KM = 10.0
PROXIMITY_CAP_KM = 600.0
# A place in another paragraph is a weak anchor: a report's other front (Donetsk, say) must not outweigh a
# town beside it in the same paragraph (Vasylivka near Orikhiv).
OTHER_PARAGRAPH_FACTOR = 8.0
# Population says something only about towns and cities; GeoNames gives most villages 0.
POPULATION_FLOOR = 1000
# Weight of the reporting density around a candidate (log of unambiguous mentions within ~15 km).
DENSITY_WEIGHT = 0.3
# resolve_name (a town column): the oblast column's weight, and what a candidate named in the context text
# itself (with its oblast in the same sentence, or under a name only it has) outweighs, the column included.
GIVEN_OBLAST_WEIGHT = 3.0
NAMED_IN_CONTEXT_WEIGHT = 100.0
# resolve_names (a table's town column): the weight of the log of the times the table's rows with context
# chose a candidate in the months around, and the confidence a choice needs to count.
SENSE_WEIGHT = 1.0
SENSE_CONFIDENCE = 0.6
CONTEXT_METHODS = {"named_in_context", "proximity"}


@dataclass
class Resolved:
    """A mention and the feature chosen for it (row in the gazetteer, or a derived point)."""

    mention: Mention
    row: int | None
    method: str
    confidence: float
    derived: dict | None = None


@functools.cache
def _lexicon(name: str, value_type=float) -> dict[str, float]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return {row[0]: value_type(row[1]) for row in rows}


@functools.cache
def _relative_pattern() -> re.Pattern[str]:
    numbers = "|".join(sorted(map(re.escape, _lexicon("number_words.csv")), key=len, reverse=True))
    bearings = "|".join(sorted(map(re.escape, _lexicon("bearings.csv")), key=len, reverse=True))
    return re.compile(
        rf"(?:(?:some|about|around|approximately|roughly|nearly|over|under|up to)\s+)?"
        rf"(?P<num>\d+(?:\.\d+)?|{numbers})(?:\s*-\s*|\s+)?(?P<unit>km|kilometers?|kilometres?|mi|miles?)\b"
        rf"\s+(?:to\s+the\s+)?(?P<bearing>{bearings})(?P<of>\s+of\b)?",
        re.IGNORECASE,
    )


_UNIT = re.compile(r"(?i)km\b|kilomet|\bmi(?:les?)?\b")


def relative_expressions(text: str) -> list[dict]:
    """Every "N km <bearing> (of)" expression: distance in km, bearing in degrees, span, and whether an anchor follows."""
    numbers = _lexicon("number_words.csv")
    bearings = _lexicon("bearings.csv")
    found = []
    pattern = _relative_pattern()
    seen_end = -1
    # The full pattern is tried only around distance units, which are rare, not at every position of the text.
    for unit in _UNIT.finditer(text):
        window_start = max(0, unit.start() - 40, seen_end)
        match = next((m for m in pattern.finditer(text, window_start, unit.end() + 40) if m.start() <= unit.start() < m.end()), None)
        if match is None:
            continue
        seen_end = match.end()
        raw = match.group("num").lower()
        distance = float(raw) if raw[0].isdigit() else numbers[raw]
        if match.group("unit").lower().startswith("mi"):
            distance *= 1.609
        found.append(
            {
                "start": match.start(),
                "end": match.end(),
                "distance_km": distance,
                "bearing_deg": bearings[match.group("bearing").lower()],
                "has_anchor": bool(match.group("of")),
            }
        )
    return found


def _candidates(gazetteer: Gazetteer, mention: Mention) -> list[int]:
    rows = mention.rows
    # The type the text gives comes first: "Kharkiv region" is the oblast, though only the city bears the bare name.
    wanted = TYPE_HINTS.get(mention.type_hint or "")
    typed = [r for r in rows if gazetteer.feature_types[r] in wanted] if wanted else []
    rows = typed or rows
    # Features found under their own current name exclude those that only once bore it
    # (Oleksandrivka villages, not Donetsk, once Aleksandrovka); former names still resolve when nothing else does.
    key = loose_key(mention.text)
    current = [r for r in rows if gazetteer.primary_keys[r] == key]
    rows = current or rows
    if typed:
        return rows
    # A bare name is a settlement before it is a river, site, oblast or raion of the same name.
    for preferred_types in (SETTLEMENT_TYPES, None):
        preferred = [
            r for r in rows
            if (gazetteer.feature_types[r] in preferred_types if preferred_types else gazetteer.feature_types[r] not in {"oblast", "raion", "region"})
        ]
        if preferred:
            return preferred
    return rows


def _prior(gazetteer: Gazetteer, row: int, key: str | None = None, period: int | None = None) -> float:
    """What a candidate is worth before context: its current name matching, its rank and size, and the
    reporting around it in the report's period."""
    cached = gazetteer.prior_cache.get((row, key, period))
    if cached is None:
        cached = gazetteer.prior_cache[(row, key, period)] = _uncached_prior(gazetteer, row, key, period)
    return cached


def _uncached_prior(gazetteer: Gazetteer, row: int, key: str | None, period: int | None) -> float:
    code = gazetteer.feature_codes[row]
    population = gazetteer.population[row]
    score = 0.5 * math.log10(max(population, POPULATION_FLOOR) / POPULATION_FLOOR) + 0.1 * math.log10(min(population, POPULATION_FLOOR) + 1)
    if key is not None and gazetteer.primary_keys[row] == key:
        # Found under its own name, not a former or foreign one (Novoselivka is not Iverske, once Novoselivka).
        score += 1.5
    score += DENSITY_WEIGHT * gazetteer.density_prior(row, period)
    score += SENSE_WEIGHT * gazetteer.sense_prior(row, period)
    if code in {"PPLC", "PPLA", "PPLA2"}:
        score += 1.0
    if code in {"PPLH", "PPLQ", "PPLW"}:
        score -= 2.0
    if code == "PPLX":
        score -= 0.5
    if code == "SEED":
        score += 0.5
    return score


@dataclass
class _ReportLayout:
    """Paragraph and sentence of every mention, and the oblasts named in each sentence, computed once per report."""

    paragraph: list[int]
    sentence: list[int]
    sentence_oblasts: dict[int, set[str]]
    report_oblasts: set[str]


# A sentence ends at its full stop, or after the citation markers that follow it ("line.[26] Spokesperson").
# The break is placed at the stop, where no name starts (a lookbehind at every position cost more than the
# rest of the layout).
_SENTENCE_END = re.compile(r"[.!?](?:\[\d{1,3}\])?\s+|\n+")


def _layout(text: str, mentions: list[Mention], candidates: list[list[int]], gazetteer: Gazetteer) -> _ReportLayout:
    paragraph_breaks = [m.start() for m in re.finditer(r"\n\s*\n", text)]
    sentence_breaks = [m.start() for m in _SENTENCE_END.finditer(text)]
    paragraph = [bisect.bisect_right(paragraph_breaks, m.start) for m in mentions]
    sentence = [bisect.bisect_right(sentence_breaks, m.start) for m in mentions]
    sentence_oblasts: dict[int, set[str]] = defaultdict(set)
    report_oblasts: set[str] = set()
    for index, rows in enumerate(candidates):
        oblasts = [r for r in rows if gazetteer.feature_types[r] == "oblast"]
        if oblasts and (len(rows) == 1 or mentions[index].type_hint == "oblast"):
            names = {gazetteer.admin1[r] for r in oblasts}
            sentence_oblasts[sentence[index]] |= names
            report_oblasts |= names
    return _ReportLayout(paragraph, sentence, sentence_oblasts, report_oblasts)


def resolve_text(text: str, gazetteer: Gazetteer, period: int | None = None, recognised: list[Mention] | None = None) -> list[Resolved]:
    """Recognise (unless `recognised` holds the names already) and resolve every place in one report of that
    period (pipelines.places.extract.report_periods; None: undated)."""
    mentions = [m for m in (recognise(text, gazetteer) if recognised is None else recognised) if m.not_place is None]
    relatives = relative_expressions(text)
    candidates = [_candidates(gazetteer, m) for m in mentions]
    layout = _layout(text, mentions, candidates, gazetteer)
    chosen: list[int | None] = [rows[0] if len(rows) == 1 else None for rows in candidates]
    methods = ["unique" if c is not None else "" for c in chosen]
    confidence = [1.0 if c is not None else 0.0 for c in chosen]
    anchors_for = _relative_links(text, mentions, relatives, layout)
    ambiguous = [i for i, rows in enumerate(candidates) if len(rows) > 1]
    # Two passes: the first resolves from the unambiguous places, the second also from the first's choices.
    for final in (False, True):
        anchors = _Anchors(gazetteer, chosen, layout.paragraph)
        for index in ambiguous:
            rows = candidates[index]
            scores, method = _score(gazetteer, index, mentions, rows, chosen, layout, anchors, anchors_for.get(index), period)
            order = np.argsort(-scores)
            margin = float(scores[order[0]] - scores[order[1]])
            chosen[index] = rows[order[0]]
            methods[index] = method
            confidence[index] = round(1 / (1 + math.exp(-margin)), 3)

    resolved = [Resolved(m, chosen[i], methods[i], confidence[i]) for i, m in enumerate(mentions)]
    resolved += _derived_points(text, mentions, relatives, chosen, gazetteer)
    return sorted(resolved, key=lambda r: r.mention.start)


class _Anchors:
    """Coordinates and paragraphs of the mentions resolved so far that can anchor others (not oblasts or regions)."""

    def __init__(self, gazetteer: Gazetteer, chosen: list[int | None], paragraph: list[int]):
        keep = [
            i for i, row in enumerate(chosen)
            if row is not None and not np.isnan(gazetteer.lat[row]) and gazetteer.feature_types[row] not in {"oblast", "region", "raion"}
        ]
        self.mention_index = np.array(keep, dtype=int)
        rows = np.array([chosen[i] for i in keep], dtype=int)
        self.lat = gazetteer.lat[rows] if len(rows) else np.array([])
        self.lon = gazetteer.lon[rows] if len(rows) else np.array([])
        self.paragraph = np.array([paragraph[i] for i in keep], dtype=int)


def _relative_links(text: str, mentions: list[Mention], relatives: list[dict], layout: _ReportLayout) -> dict[int, tuple[int, dict]]:
    """Mention index -> (anchor mention index, relative expression) for "X (27km northwest of Y)" and "X (4km south)"."""
    links: dict[int, tuple[int, dict]] = {}
    starts = [m.start for m in mentions]
    last_anchor: int | None = None
    for relative in relatives:
        before = [i for i, s in enumerate(starts) if mentions[i].end <= relative["start"]]
        if not before:
            continue
        subject = before[-1]
        between = text[mentions[subject].end : relative["start"]]
        if len(between) > 12 or re.search(r"[.;]", between):
            continue
        if relative["has_anchor"]:
            after = [i for i, s in enumerate(starts) if s >= relative["end"] and s - relative["end"] <= 3]
            if not after:
                continue
            anchor = after[0]
            last_anchor = anchor
        elif last_anchor is not None and layout.paragraph[last_anchor] == layout.paragraph[subject]:
            anchor = last_anchor
        else:
            continue
        links[subject] = (anchor, relative)
    return links


def _score(gazetteer, index, mentions, rows, chosen, layout, anchors, link, period):
    mention = mentions[index]
    key = loose_key(mention.text)
    rows_array = np.array(rows)
    lat, lon = gazetteer.lat[rows_array], gazetteer.lon[rows_array]
    scores = np.array([_prior(gazetteer, r, key, period) for r in rows], dtype=float)
    methods = {"prior"}
    in_sentence = layout.sentence_oblasts.get(layout.sentence[index], set())
    for r_index, row in enumerate(rows):
        admin1 = gazetteer.admin1[row]
        if admin1 and admin1 in layout.report_oblasts:
            scores[r_index] += 1.0
            methods.add("oblast_in_report")
            if admin1 in in_sentence:
                scores[r_index] += 2.0
                methods.add("oblast_beside")
    others = anchors.mention_index != index
    if others.any():
        weights = np.where(anchors.paragraph[others] == layout.paragraph[index], 1.0, OTHER_PARAGRAPH_FACTOR)
        dist = distance_km(lat[:, None], lon[:, None], anchors.lat[others][None, :], anchors.lon[others][None, :])
        # fmin caps the distance and takes a missing one (no coordinates) as the cap.
        dist = np.fmin(dist, PROXIMITY_CAP_KM)
        nearest = np.min(dist * weights[None, :], axis=1)
        scores -= np.log1p(nearest / PROXIMITY_SCALE_KM)
        methods.add("proximity")
    if link is not None:
        anchor_index, relative = link
        anchor_row = chosen[anchor_index]
        if anchor_row is not None and not np.isnan(gazetteer.lat[anchor_row]):
            expected = offset_point(gazetteer.lat[anchor_row], gazetteer.lon[anchor_row], relative["distance_km"], relative["bearing_deg"])
            error = np.nan_to_num(distance_km(lat, lon, expected[0], expected[1]), nan=PROXIMITY_CAP_KM)
            scores -= error / 3.0
            methods.add("relative_anchor")
    return scores, "+".join(sorted(methods - {"prior"})) or "prior"


def _derived_points(text, mentions, relatives, chosen, gazetteer) -> list[Resolved]:
    """Relative expressions with an anchor but no named feature before them become derived points."""
    derived = []
    for relative in relatives:
        if not relative["has_anchor"]:
            continue
        anchor = next((i for i, m in enumerate(mentions) if 0 <= m.start - relative["end"] <= 3), None)
        if anchor is None or chosen[anchor] is None or np.isnan(gazetteer.lat[chosen[anchor]]):
            continue
        subject = [i for i, m in enumerate(mentions) if m.end <= relative["start"] and len(text[m.end : relative["start"]]) <= 12]
        if subject and not re.search(r"[.;]", text[mentions[subject[-1]].end : relative["start"]]):
            continue
        row = chosen[anchor]
        lat, lon = offset_point(gazetteer.lat[row], gazetteer.lon[row], relative["distance_km"], relative["bearing_deg"])
        # The derived mention covers the relative words only ("some seven kilometers north-east of"): the
        # anchor's name is a mention of the anchor itself.
        end = relative["end"]
        phrase = text[relative["start"] : end]
        key = f"{gazetteer.place_ids[row]}|{relative['distance_km']:g}|{relative['bearing_deg']:g}"
        mention = Mention(start=relative["start"], end=end, text=phrase, rows=[], how="relative")
        derived.append(
            Resolved(
                mention,
                None,
                "derived",
                0.8,
                derived={
                    "place_id": "derived:" + hashlib.sha256(key.encode()).hexdigest()[:12],
                    "name": f"{relative['distance_km']:g} km {_bearing_name(relative['bearing_deg'])} of {gazetteer.names[row]}",
                    "lat": lat,
                    "lon": lon,
                    "anchor_place_id": gazetteer.place_ids[row],
                    "distance_km": relative["distance_km"],
                    "bearing_deg": relative["bearing_deg"],
                    "admin1": gazetteer.admin1[row],
                },
            )
        )
    return derived


def _bearing_name(degrees: float) -> str:
    # The first word listed for a bearing is its name (north-east and northeast share 45 degrees).
    names = {v: k for k, v in reversed(list(_lexicon("bearings.csv").items()))}
    return names.get(degrees, f"{degrees:g}°")


def oblasts_named(text: str, gazetteer: Gazetteer) -> set[str]:
    """The oblasts (admin1 names) a province field names: "Sumy Oblast", "Kharkivs'ka oblast", "Oblast Kiev", a
    misspelling ("Donestk Oblast"), or a city standing for its oblast ("Mariupol")."""
    found: set[str] = set()
    for mention in recognise(text, gazetteer):
        found |= {gazetteer.admin1[r] for r in _candidates(gazetteer, mention) if gazetteer.feature_types[r] == "oblast"}
    if found:
        return found
    stem = OBLAST_TYPE_WORDS.sub(" ", text).strip(" ,")
    rows, _ = gazetteer.lookup(stem)
    oblasts = {gazetteer.admin1[r] for r in rows if gazetteer.feature_types[r] == "oblast"} or set(filter(None, [gazetteer.fuzzy_oblast(stem)]))
    if oblasts or stem != text.strip():
        return oblasts
    # A bare settlement name: the oblast of its largest namesake (Mariupol, not a hamlet of that name).
    settlements = [r for r in rows if gazetteer.feature_types[r] in SETTLEMENT_TYPES and gazetteer.admin1[r]]
    return {gazetteer.admin1[max(settlements, key=lambda r: gazetteer.population[r])]} if settlements else set()


def resolve_name(
    name: str, gazetteer: Gazetteer, admin1: str | None = None, context: str | None = None, period: int | None = None
) -> tuple[int | None, str, float]:
    """One place name given on its own (a table's town column), with an optional oblast, a context text and
    the period it was reported in."""
    rows, how = gazetteer.lookup(name)
    if not rows:
        rows, how = gazetteer.fuzzy_lookup(name), "fuzzy"
    if not rows:
        return None, "unresolved", 0.0
    mention = Mention(start=0, end=len(name), text=name, rows=rows, how=how)
    rows = _candidates(gazetteer, mention)
    if len(rows) == 1:
        return rows[0], how, 1.0
    key = loose_key(name)
    scores = np.array([_prior(gazetteer, r, key, period) for r in rows], dtype=float)
    methods = {how}
    if admin1:
        wanted = oblasts_named(admin1, gazetteer)
        matches = np.array([gazetteer.admin1[r] in wanted for r in rows])
        if matches.any():
            scores += GIVEN_OBLAST_WEIGHT * matches
            methods.add("oblast")
    if context:
        resolved = resolve_text(context, gazetteer, period)
        # The context naming a candidate with its oblast in the same sentence ("fire in Andriivka, Kharkiv
        # Oblast") or under a spelling only it has ("Lysychansk" for the column's "Lysytsjansk") says which it is,
        # over an oblast column that may be wrong (CIR puts Lysychansk in Donetsk Oblast). An oblast beside the
        # name decides only when the candidate is the one of its name in that oblast (Kherson Oblast has two Ivanivkas).
        per_oblast = Counter(gazetteer.admin1[r] for r in rows)
        named = {
            r.row
            for r in resolved
            if r.row in rows and (r.method == "unique" or ("oblast_beside" in r.method and per_oblast[gazetteer.admin1[r.row]] == 1))
        }
        if named:
            scores[[r not in named for r in rows]] -= NAMED_IN_CONTEXT_WEIGHT
            methods.add("named_in_context")
        anchors = [r.row for r in resolved if r.row is not None and loose_key(r.mention.text) != key]
        anchors = [a for a in anchors if gazetteer.feature_types[a] not in {"oblast", "region"} and not np.isnan(gazetteer.lat[a])]
        if anchors:
            rows_array = np.array(rows)
            dist = distance_km(
                gazetteer.lat[rows_array][:, None], gazetteer.lon[rows_array][:, None], gazetteer.lat[anchors][None, :], gazetteer.lon[anchors][None, :]
            )
            scores -= np.log1p(np.nan_to_num(np.min(np.minimum(dist, PROXIMITY_CAP_KM), axis=1), nan=PROXIMITY_CAP_KM) / PROXIMITY_SCALE_KM)
            methods.add("proximity")
    order = np.argsort(-scores)
    margin = float(scores[order[0]] - scores[order[1]])
    return rows[order[0]], "+".join(sorted(methods)), round(1 / (1 + math.exp(-margin)), 3)



def resolve_names(
    names: list[str], gazetteer: Gazetteer, admin1s: list[str | None], contexts: list[str | None], periods: list[int | None]
) -> list[tuple[int | None, str, float]]:
    """A table's town column (resolve_name on each row), in two passes: the rows whose context decided
    confidently then say which namesake the table means in their months (ConfidentSenses), for the rows
    that only give a name and an oblast."""
    rows = list(zip(names, admin1s, contexts, periods, strict=True))
    first = [resolve_name(name, gazetteer, admin1, context, period) for name, admin1, context, period in rows]
    confident = [
        (chosen, period)
        for (chosen, method, confidence), (_, _, _, period) in zip(first, rows, strict=True)
        if chosen is not None and confidence >= SENSE_CONFIDENCE and CONTEXT_METHODS & set(method.split("+"))
    ]
    previous = gazetteer.senses
    gazetteer.set_senses(ConfidentSenses([row for row, _ in confident], [period for _, period in confident]))
    try:
        second = [resolve_name(name, gazetteer, admin1, context, period) for name, admin1, context, period in rows]
    finally:
        gazetteer.set_senses(previous)
    return [
        (chosen, f"{method}+senses", confidence) if chosen != before[0] else before
        for before, (chosen, method, confidence) in zip(first, second, strict=True)
    ]
