"""Resolution of recognised place names to one feature each, and points derived from relative locations.

Each mention's candidates are scored on: the oblast named beside it ("Terny, Donetsk Oblast") or elsewhere
in the report, distance to the report's unambiguous places (the paragraph's first), a relative anchor
("Yahidne (27km northwest of Svatove)": the candidate must lie about there), feature class and population.
The method and a confidence travel with every choice. "Some seven kilometers north-east of Vuhledar"
with no named feature before it becomes a derived point with its anchor, distance and bearing.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import re
from dataclasses import dataclass

import numpy as np

from pipelines.places.gazetteer import Gazetteer, distance_km, offset_point
from pipelines.places.names import fold
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
# as 50 km against 500 km. Places in other paragraphs count as twice as far.
PROXIMITY_SCALE_KM = 10.0
PROXIMITY_CAP_KM = 600.0
OTHER_PARAGRAPH_FACTOR = 2.0
# Population says something only about towns and cities; GeoNames gives most villages 0.
POPULATION_FLOOR = 1000


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


def relative_expressions(text: str) -> list[dict]:
    """Every "N km <bearing> (of)" expression: distance in km, bearing in degrees, span, and whether an anchor follows."""
    numbers = _lexicon("number_words.csv")
    bearings = _lexicon("bearings.csv")
    found = []
    for match in _relative_pattern().finditer(text):
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


def _paragraph_of(text: str, position: int) -> int:
    return text.count("\n\n", 0, position)


def _candidates(gazetteer: Gazetteer, mention: Mention) -> list[int]:
    rows = mention.rows
    wanted = TYPE_HINTS.get(mention.type_hint or "")
    if wanted:
        typed = [r for r in rows if gazetteer.feature_types[r] in wanted]
        return typed or rows
    # A bare name is a settlement or a named site before it is an oblast or raion of the same name.
    preferred = [r for r in rows if gazetteer.feature_types[r] not in {"oblast", "raion", "region"}]
    return preferred or rows


def _prior(gazetteer: Gazetteer, row: int) -> float:
    code = gazetteer.feature_codes[row]
    score = 0.5 * math.log10(max(gazetteer.population[row], POPULATION_FLOOR) / POPULATION_FLOOR)
    if code in {"PPLC", "PPLA", "PPLA2"}:
        score += 1.0
    if code in {"PPLH", "PPLQ", "PPLW"}:
        score -= 2.0
    if code == "PPLX":
        score -= 0.5
    if code == "SEED":
        score += 0.5
    return score


def resolve_text(text: str, gazetteer: Gazetteer) -> list[Resolved]:
    """Recognise and resolve every place in one report."""
    mentions = [m for m in recognise(text, gazetteer) if m.not_place is None]
    relatives = relative_expressions(text)
    candidates = [_candidates(gazetteer, m) for m in mentions]
    named_oblasts = {
        gazetteer.admin1[r]
        for m, rows in zip(mentions, candidates)
        for r in rows
        if gazetteer.feature_types[r] == "oblast" and len(rows) == 1
    }
    chosen: list[int | None] = [rows[0] if len(rows) == 1 else None for rows in candidates]
    methods = ["unique" if c is not None else "" for c in chosen]
    confidence = [1.0 if c is not None else 0.0 for c in chosen]
    anchors_for = _relative_links(text, mentions, relatives)

    for _ in range(2):
        for index, (mention, rows) in enumerate(zip(mentions, candidates)):
            if len(rows) == 1 or (methods[index] and methods[index] != "pass1"):
                continue
            scores, method = _score(gazetteer, text, index, mentions, rows, chosen, named_oblasts, anchors_for.get(index))
            order = np.argsort(-scores)
            best = order[0]
            margin = float(scores[best] - scores[order[1]]) if len(order) > 1 else 5.0
            chosen[index] = rows[best]
            methods[index] = method if _ else "pass1"
            confidence[index] = round(1 / (1 + math.exp(-margin)), 3)

    resolved = [Resolved(m, chosen[i], methods[i], confidence[i]) for i, m in enumerate(mentions)]
    resolved += _derived_points(text, mentions, relatives, chosen, gazetteer)
    return sorted(resolved, key=lambda r: r.mention.start)


def _relative_links(text: str, mentions: list[Mention], relatives: list[dict]) -> dict[int, tuple[int, dict]]:
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
        elif last_anchor is not None and _paragraph_of(text, mentions[last_anchor].start) == _paragraph_of(text, relative["start"]):
            anchor = last_anchor
        else:
            continue
        links[subject] = (anchor, relative)
    return links


def _score(gazetteer, text, index, mentions, rows, chosen, named_oblasts, link):
    rows_array = np.array(rows)
    lat, lon = gazetteer.lat[rows_array], gazetteer.lon[rows_array]
    scores = np.array([_prior(gazetteer, r) for r in rows], dtype=float)
    methods = {"prior"}
    mention = mentions[index]
    sentence_start = max(text.rfind(". ", 0, mention.start), text.rfind("\n", 0, mention.start)) + 1
    sentence_end = min(x for x in (text.find(". ", mention.end), text.find("\n", mention.end), len(text)) if x != -1)
    sentence = text[sentence_start:sentence_end]
    for r_index, row in enumerate(rows):
        admin1 = gazetteer.admin1[row]
        if admin1 and admin1 in named_oblasts:
            scores[r_index] += 1.0
            methods.add("oblast_in_report")
            if fold(admin1.split()[0])[:5] in fold(sentence):
                scores[r_index] += 2.0
                methods.add("oblast_beside")
    paragraph = _paragraph_of(text, mention.start)
    others = [
        (chosen[j], 1.0 if _paragraph_of(text, mentions[j].start) == paragraph else OTHER_PARAGRAPH_FACTOR)
        for j in range(len(mentions))
        if j != index and chosen[j] is not None and not np.isnan(gazetteer.lat[chosen[j]])
        and gazetteer.feature_types[chosen[j]] not in {"oblast", "region"}
    ]
    if others:
        other_rows = np.array([o[0] for o in others])
        weights = np.array([o[1] for o in others])
        dist = distance_km(lat[:, None], lon[:, None], gazetteer.lat[other_rows][None, :], gazetteer.lon[other_rows][None, :])
        dist = np.nan_to_num(np.minimum(dist, PROXIMITY_CAP_KM), nan=PROXIMITY_CAP_KM)
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
        end = mentions[anchor].end
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
    names = {v: k for k, v in reversed(list(_lexicon("bearings.csv").items())) if "-" not in k or k.count("-") == 2}
    return names.get(degrees, f"{degrees:g}°")
