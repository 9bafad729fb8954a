"""Exports stage: `claim_facts` as Parquet (by month), CSV and GeoJSON beside the published warehouse."""

from pathlib import Path

import dagster as dg

from pipelines.defs.resources import SitrepConfig
from pipelines.exports import export_claim_facts


@dg.asset(
    group_name="exports",
    deps=["claim_facts"],
    description="claim_facts for QGIS, kepler.gl, spreadsheets and data frames: Parquet partitioned by month, CSV, GeoJSON (warehouse/exports).",
)
def claim_facts_exports(context: dg.AssetExecutionContext, sitrep: SitrepConfig) -> dg.MaterializeResult:
    warehouse = Path(sitrep.warehouse_path)
    written = export_claim_facts(warehouse, warehouse.parent / "exports")
    context.log.info("exports: %s", written)
    return dg.MaterializeResult(metadata={kind: dg.MetadataValue.path(str(path)) for kind, path in written.items()})
