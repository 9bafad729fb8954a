"""Exports stage: `claim_facts` as Parquet (by month), CSV and GeoJSON, and the visual overview, beside the published warehouse."""

from pathlib import Path

import dagster as dg

from pipelines.defs.resources import SitrepConfig
from pipelines.exports import export_claim_facts
from pipelines.overview import write_overview


@dg.asset(
    group_name="exports",
    deps=["claim_facts"],
    description="claim_facts for QGIS, kepler.gl, spreadsheets and data frames: Parquet partitioned by month, CSV, GeoJSON (warehouse/exports).",
)
def claim_facts_exports(context: dg.AssetExecutionContext, sitrep: SitrepConfig) -> dg.MaterializeResult:
    warehouse = Path(sitrep.warehouse_path)
    written, months = export_claim_facts(warehouse, warehouse.parent / "exports")
    context.log.info("exports %s: %s", "already up to date" if months is None else f"written, {len(months)} months encoded again", written)
    metadata = {"written": months is not None, "months_encoded": len(months or [])}
    return dg.MaterializeResult(metadata=metadata | {kind: dg.MetadataValue.path(str(path)) for kind, path in written.items()})


@dg.asset(
    group_name="exports",
    deps=["claim_facts", "contested_claims"],
    description="A self-contained HTML overview (timeline by side, most contested places, map), and a PNG of it when Chromium is installed.",
)
def overview(context: dg.AssetExecutionContext, sitrep: SitrepConfig) -> dg.MaterializeResult:
    warehouse = Path(sitrep.warehouse_path)
    written = write_overview(warehouse, warehouse.parent / "exports")
    if "png" not in written:
        context.log.warning("no Chromium on PATH: overview.png not rendered")
    return dg.MaterializeResult(metadata={kind: dg.MetadataValue.path(str(path)) for kind, path in written.items()})
