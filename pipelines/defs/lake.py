"""Lake stage: the warehouse as Parquet at SITREP_LAKE and the DuckDB catalogue of views over it (only where a lake is set)."""

from pathlib import Path

import dagster as dg

from pipelines.defs.resources import SitrepConfig
from pipelines.publish import load_marts
from pipelines.settings import Settings


def lake_asset() -> dg.AssetsDefinition:
    """Built on demand: a module-level asset would be loaded whether a lake is set or not."""

    @dg.asset(
        group_name="exports",
        deps=["warehouse", *(mart.name for mart in load_marts())],
        description="Every table and mart as Parquet at SITREP_LAKE (a folder, s3://, gs://), and sitrep-lake.duckdb: views that read it.",
    )
    def lake(context: dg.AssetExecutionContext, sitrep: SitrepConfig) -> dg.MaterializeResult:
        # Imported here: fsspec and pyarrow's filesystems cost every run a tenth of a second, most runs have no lake.
        from pipelines.lake import publish_lake

        result = publish_lake(Path(sitrep.warehouse_path), sitrep.lake, sitrep.lake_s3_endpoint or None)
        context.log.info("lake: %d objects at %s", len(result.objects), result.location)
        return dg.MaterializeResult(
            metadata={"location": result.location, "objects": len(result.objects), "catalogue": dg.MetadataValue.path(str(result.catalogue))}
        )

    return lake


@dg.definitions
def lake_defs() -> dg.Definitions:
    """The lake asset exists only where SITREP_LAKE names a lake."""
    return dg.Definitions(assets=[lake_asset()] if Settings.from_env().lake else [])
