"""The `places` and `place_mentions` tables for a set of reports."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.places.gazetteer import Gazetteer, ReportingDensity
from pipelines.places.recognise import Mention, recognise
from pipelines.places.resolve import SETTLEMENT_TYPES, _candidates, resolve_text
from pipelines.schemas import PlaceMentions, Places, polars_schema, validated

MAX_PLACE_ALIASES = 25


DERIVED_SCHEMA = pl.Schema(
    {
        "report_id": pl.String,
        "place_id": pl.String,
        "name": pl.String,
        "admin1": pl.String,
        "lat": pl.Float64,
        "lon": pl.Float64,
        "anchor_place_id": pl.String,
        "distance_km": pl.Float64,
        "bearing_deg": pl.Float64,
    }
)
# What locate_reports gives per report: its mentions, and the points derived from relative locations in it.
LOCATED_TABLES = ("place_mentions", "derived_points")


def report_periods(reports: pl.DataFrame) -> list[int | None]:
    """Each report's period for the reporting density: the month it was published in (year * 12 + month - 1),
    None when undated."""
    if "published_at" not in reports.columns:
        return [None] * reports.height
    at = pl.col("published_at")
    return reports.select(at.dt.year().cast(pl.Int32) * 12 + at.dt.month().cast(pl.Int32) - 1).to_series().to_list()


def unambiguous_rows(texts: list[str], gazetteer: Gazetteer) -> list[list[int]]:
    """For each text, the gazetteer rows of the settlements it names unambiguously (one candidate), one per mention."""
    return [unambiguous_of(recognise(text, gazetteer), gazetteer) for text in texts]


def unambiguous_of(mentions: list[Mention], gazetteer: Gazetteer) -> list[int]:
    """The gazetteer rows of the settlements among one text's recognised mentions that have one candidate."""
    return [
        rows[0]
        for mention in mentions
        if mention.not_place is None
        for rows in [_candidates(gazetteer, mention)]
        if len(rows) == 1 and gazetteer.feature_types[rows[0]] in SETTLEMENT_TYPES
    ]


def density_points(rows: list[list[int]], periods: list[int | None], gazetteer: Gazetteer) -> pl.DataFrame:
    """The points the reporting density counts (lat, lon, period): each text's unambiguous settlements."""
    index = np.array([row for text_rows in rows for row in text_rows], dtype=int)
    period = [period for text_rows, period in zip(rows, periods, strict=True) for _ in text_rows]
    return pl.DataFrame(
        {"lat": gazetteer.lat[index], "lon": gazetteer.lon[index], "period": period},
        schema={"lat": pl.Float64, "lon": pl.Float64, "period": pl.Int32},
    )


def density_of(points: pl.DataFrame) -> ReportingDensity:
    return ReportingDensity(points["lat"].to_numpy(), points["lon"].to_numpy(), points["period"].cast(pl.Float64).fill_null(np.nan).to_numpy())


def reporting_density(
    texts: list[str], gazetteer: Gazetteer, periods: list[int | None] | None = None, recognised: list[list[Mention]] | None = None
) -> ReportingDensity:
    """Density of the settlements named unambiguously (one candidate) anywhere in the reports, by the
    period of each (None: undated); `recognised` holds each text's names if they were recognised already."""
    recognised = recognised if recognised is not None else [recognise(text, gazetteer) for text in texts]
    rows = [unambiguous_of(names, gazetteer) for names in recognised]
    return density_of(density_points(rows, periods or [None] * len(texts), gazetteer))


def locate_reports(reports: pl.DataFrame, gazetteer: Gazetteer, recognised: list[list[Mention]] | None = None) -> dict[str, pl.DataFrame]:
    """Every place mention of each report (report_id, text, and published_at if known), resolved with the
    gazetteer's current density, and the points derived from relative locations; `recognised` holds each
    report's names if they were recognised already."""
    mentions: list[dict] = []
    derived: list[dict] = []
    recognised = recognised or [None] * reports.height
    for report_id, text, period, names in zip(reports["report_id"], reports["text"], report_periods(reports), recognised, strict=True):
        for resolved in resolve_text(text, gazetteer, period, names):
            mention = resolved.mention
            if resolved.row is not None:
                place_id = gazetteer.place_ids[resolved.row]
            else:
                place_id = resolved.derived["place_id"]
                derived.append({"report_id": report_id, **{k: resolved.derived[k] for k in DERIVED_SCHEMA.names() if k != "report_id"}})
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
    return {
        "place_mentions": pl.DataFrame(mentions, schema=polars_schema(PlaceMentions)),
        "derived_points": pl.DataFrame(derived, schema=DERIVED_SCHEMA),
    }


def places_table(gazetteer: Gazetteer, mentions: pl.DataFrame, derived: pl.DataFrame) -> pl.DataFrame:
    """The places the mentions resolve to: gazetteer features in gazetteer order, then derived points."""
    used = gazetteer.features["place_id"].is_in(mentions["place_id"].unique().implode())
    return validated(Places, _places_frame(gazetteer.features.filter(used), derived.unique("place_id", keep="last", maintain_order=True)))


def extract_places(reports: pl.DataFrame, gazetteer: Gazetteer) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every place mention of every report, and the places they resolve to (gazetteer features and derived points)."""
    # Each text is recognised once, for the density and for resolution.
    texts = reports["text"].to_list()
    recognised = [recognise(text, gazetteer) for text in texts]
    gazetteer.set_density(reporting_density(texts, gazetteer, report_periods(reports), recognised))
    located = locate_reports(reports, gazetteer, recognised)
    mentions = located["place_mentions"]
    return places_table(gazetteer, mentions, located["derived_points"]), validated(PlaceMentions, mentions)


def _places_frame(features: pl.DataFrame, derived: pl.DataFrame) -> pl.DataFrame:
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
    from_text = derived.select(
        "place_id",
        "name",
        pl.lit(None, pl.List(pl.String)).alias("aliases"),
        pl.lit("point").alias("feature_type"),
        "admin1",
        pl.lit("UA").alias("country_code"),
        "lat",
        "lon",
        pl.lit(None, pl.Int64).alias("geonameid"),
        pl.lit("derived").alias("precision"),
        pl.lit(None, pl.Int64).alias("population"),
        pl.lit("derived").alias("gazetteer"),
        "anchor_place_id",
        "distance_km",
        "bearing_deg",
    )
    schema = dict(polars_schema(Places))
    return pl.concat([from_gazetteer.cast(schema), from_text.cast(schema)], how="vertical").unique("place_id", keep="first", maintain_order=True)
