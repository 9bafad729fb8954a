"""Extract stage: the `gazetteer`, `places` and `place_mentions`, and the `sources`, `claims` and `claim_places` tables.

Sources and claims have their full contract schema so that SQL users, BI tools and the integrity checks
can rely on them; they stay empty until claim extraction lands.
"""

import dagster as dg
import polars as pl

from pipelines.defs.resources import SitrepConfig
from pipelines.places.extract import extract_places
from pipelines.places.gazetteer import FEATURE_SCHEMA, Gazetteer
from pipelines.places.sources import load_gazetteer_frames
from pipelines.schemas import ClaimPlaces, Claims, PlaceMentions, Places, Sources, Table, empty_frame, table_schema, validated


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
def locate_places(context: dg.AssetExecutionContext, reports: pl.DataFrame, gazetteer: pl.DataFrame):
    """Recognise place names in every report and resolve each to a gazetteer feature or a derived point."""
    places, mentions = extract_places(reports, Gazetteer.from_features(gazetteer, source="staged"))
    context.log.info("places: %d mentions of %d places", mentions.height, places.height)
    yield dg.Output(places, output_name="places", metadata={"by_gazetteer": dg.MetadataValue.json(dict(places.group_by("gazetteer").len().iter_rows()))})
    yield dg.Output(mentions, output_name="place_mentions", metadata={"by_method": dg.MetadataValue.json(dict(mentions.group_by("method").len().iter_rows()))})


def _table_asset(name: str, model: type[Table], deps: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        name=name,
        group_name="extract",
        description=model.__doc__,
        ins={dep: dg.AssetIn(dep) for dep in deps},
        metadata={"dagster/column_schema": table_schema(model)},
    )
    def _asset(**_upstream: pl.DataFrame) -> pl.DataFrame:
        return validated(model, empty_frame(model))

    return _asset


sources = _table_asset("sources", Sources, ["reports"])
claims = _table_asset("claims", Claims, ["reports", "sources", "place_mentions"])
claim_places = _table_asset("claim_places", ClaimPlaces, ["claims", "places"])
