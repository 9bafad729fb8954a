"""Extract stage: `sources`, `places`, `place_mentions`, `claims` and `claim_places`.
The tables exist with their full contract schema so that SQL users, BI tools and the integrity
checks can rely on them; they stay empty until the gazetteer and claim extraction fill them.
"""


import dagster as dg
import polars as pl

from pipelines.schemas import ClaimPlaces, Claims, PlaceMentions, Places, Sources, Table, empty_frame, table_schema, validated


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
places = _table_asset("places", Places, ["reports"])
place_mentions = _table_asset("place_mentions", PlaceMentions, ["reports", "places"])
claims = _table_asset("claims", Claims, ["reports", "sources", "place_mentions"])
claim_places = _table_asset("claim_places", ClaimPlaces, ["claims", "places"])
