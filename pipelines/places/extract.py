"""The `places` and `place_mentions` tables for a set of reports."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.places.gazetteer import Gazetteer, ReportingDensity
from pipelines.places.recognise import recognise
from pipelines.places.resolve import SETTLEMENT_TYPES, _candidates, resolve_text
from pipelines.schemas import PlaceMentions, Places, polars_schema, validated

MAX_PLACE_ALIASES = 25


def reporting_density(texts: list[str], gazetteer: Gazetteer) -> ReportingDensity:
    """Density of the settlements named unambiguously (one candidate) anywhere in the reports."""
    rows = [
        rows[0]
        for text in texts
        for mention in recognise(text, gazetteer)
        if mention.not_place is None
        for rows in [_candidates(gazetteer, mention)]
        if len(rows) == 1 and gazetteer.feature_types[rows[0]] in SETTLEMENT_TYPES
    ]
    index = np.array(rows, dtype=int)
    return ReportingDensity(gazetteer.lat[index], gazetteer.lon[index])


def extract_places(reports: pl.DataFrame, gazetteer: Gazetteer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every place mention of every report, and the places they resolve to (gazetteer features and derived points)."""
    texts = reports["text"].to_list()
    gazetteer.set_density(reporting_density(texts, gazetteer))
    mentions: list[dict] = []
    used_rows: set[int] = set()
    derived: dict[str, dict] = {}
    for report_id, text in zip(reports["report_id"].to_list(), texts):
        for resolved in resolve_text(text, gazetteer):
            mention = resolved.mention
            if resolved.row is not None:
                place_id = gazetteer.place_ids[resolved.row]
                used_rows.add(resolved.row)
            else:
                place_id = resolved.derived["place_id"]
                derived[place_id] = resolved.derived
            mentions.append(
                {
                    "report_id": report_id,
                    "place_id": place_id,
                    "mention_text": mention.text,
                    "char_start": mention.start,
                    "char_end": mention.end,
                    "relation": mention.relation,
                    "method": resolved.method,
                    "confidence": resolved.confidence,
                }
            )
    places = _places_frame(gazetteer, sorted(used_rows), derived)
    mentions_frame = pl.DataFrame(mentions, schema=polars_schema(PlaceMentions))
    return validated(Places, places), validated(PlaceMentions, mentions_frame)


def _places_frame(gazetteer: Gazetteer, rows: list[int], derived: dict[str, dict]) -> pl.DataFrame:
    features = gazetteer.features[rows] if rows else gazetteer.features.clear()
    from_gazetteer = features.select(
        "place_id",
        "name",
        pl.col("aliases").list.head(MAX_PLACE_ALIASES),
        "feature_type",
        "admin1",
        "country_code",
        "lat",
        "lon",
        "geonameid",
        "precision",
        "population",
        pl.when(pl.col("place_id").str.starts_with("seed:")).then(pl.lit("seeds")).otherwise(pl.lit("geonames")).alias("gazetteer"),
        pl.lit(None, pl.String).alias("anchor_place_id"),
        pl.lit(None, pl.Float64).alias("distance_km"),
        pl.lit(None, pl.Float64).alias("bearing_deg"),
    )
    derived_rows = [
        {
            "place_id": place_id,
            "name": point["name"],
            "aliases": None,
            "feature_type": "point",
            "admin1": point["admin1"],
            "country_code": "UA",
            "lat": point["lat"],
            "lon": point["lon"],
            "geonameid": None,
            "precision": "derived",
            "population": None,
            "gazetteer": "derived",
            "anchor_place_id": point["anchor_place_id"],
            "distance_km": point["distance_km"],
            "bearing_deg": point["bearing_deg"],
        }
        for place_id, point in derived.items()
    ]
    schema = polars_schema(Places)
    frames = [from_gazetteer.cast(dict(schema))]
    if derived_rows:
        frames.append(pl.DataFrame(derived_rows, schema=schema))
    return pl.concat(frames, how="vertical").unique("place_id", keep="first", maintain_order=True)
