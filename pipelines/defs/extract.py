"""Extract stage: the `gazetteer`, `places` and `place_mentions`, and the `sources`, `claims` and `claim_places` tables."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.resources import SitrepConfig
from pipelines.extraction import attribute, locate
from pipelines.places.gazetteer import FEATURE_SCHEMA, Gazetteer
from pipelines.places.sources import load_gazetteer_frames
from pipelines.schemas import ClaimPlaces, Claims, PlaceMentions, Places, Sources, table_schema


@dg.asset(group_name="extract")
def gazetteer(context: dg.AssetExecutionContext, sitrep: SitrepConfig) -> pl.DataFrame:
    """Gazetteer features (GeoNames dumps per SITREP_GEONAMES plus seeds/places.csv) with every spelling to look up."""
    loaded = load_gazetteer_frames(tuple(sitrep.geonames), sitrep.geonames_cache)
    features = pl.concat([*loaded.frames], how="vertical").cast(FEATURE_SCHEMA)
    context.add_output_metadata(
        {"gazetteer": loaded.source, "features": features.height, "warnings": dg.MetadataValue.json(loaded.warnings)}
    )
    return features


@dg.multi_asset(
    group_name="extract",
    outs={
        "places": dg.AssetOut(description=Places.__doc__, metadata={"dagster/column_schema": table_schema(Places)}),
        "place_mentions": dg.AssetOut(description=PlaceMentions.__doc__, metadata={"dagster/column_schema": table_schema(PlaceMentions)}),
    },
)
def locate_places(context: dg.AssetExecutionContext, sitrep: SitrepConfig, reports: pl.DataFrame, gazetteer: pl.DataFrame):
    """Recognise place names in every new report and resolve each to a gazetteer feature or a derived point."""
    places, mentions, stats = locate(reports, Gazetteer.from_features(gazetteer, source="staged"), Path(sitrep.cache_dir), sitrep.workers)
    context.log.info("places: %d mentions of %d places; %s", mentions.height, places.height, stats)
    yield dg.Output(places, output_name="places", metadata={"by_gazetteer": dg.MetadataValue.json(dict(places.group_by("gazetteer").len().iter_rows()))})
    yield dg.Output(
        mentions,
        output_name="place_mentions",
        metadata={"by_method": dg.MetadataValue.json(dict(mentions.group_by("method").len().iter_rows())), **stats.as_metadata()},
    )


@dg.multi_asset(
    group_name="extract",
    outs={
        "sources": dg.AssetOut(description=Sources.__doc__, metadata={"dagster/column_schema": table_schema(Sources)}),
        "claims": dg.AssetOut(description=Claims.__doc__, metadata={"dagster/column_schema": table_schema(Claims)}),
        "claim_places": dg.AssetOut(description=ClaimPlaces.__doc__, metadata={"dagster/column_schema": table_schema(ClaimPlaces)}),
    },
)
def attribute_claims(context: dg.AssetExecutionContext, sitrep: SitrepConfig, reports: pl.DataFrame, place_mentions: pl.DataFrame):
    """Find who claimed what in every new report: claimants, event types, sides, dates, quantities, places and evidence."""
    sources, claims, claim_places, stats = attribute(reports, place_mentions, Path(sitrep.cache_dir), sitrep.workers)
    context.log.info("claims: %d claims, %d claim places, %d sources; %s", claims.height, claim_places.height, sources.height, stats)
    yield dg.Output(sources, output_name="sources", metadata={"by_origin": dg.MetadataValue.json(dict(sources.group_by("origin").len().iter_rows()))})
    yield dg.Output(
        claims,
        output_name="claims",
        metadata={"by_event_type": dg.MetadataValue.json(dict(claims.group_by("event_type").len().iter_rows())), **stats.as_metadata()},
    )
    yield dg.Output(claim_places, output_name="claim_places", metadata={"by_role": dg.MetadataValue.json(dict(claim_places.group_by("role").len().iter_rows()))})
