"""Ingest stage: the `reports`, `rejected_reports` and `report_inputs` tables from the reports folder."""

import datetime as dt
from pathlib import Path

import dagster as dg

from pipelines.defs.resources import SitrepConfig
from pipelines.ingest.scan import first_seen, ingest_folder
from pipelines.schemas import RejectedReports, ReportInputs, Reports, table_schema

INGEST_TABLES = {"reports": Reports, "rejected_reports": RejectedReports, "report_inputs": ReportInputs}


@dg.multi_asset(
    group_name="ingest",
    outs={
        name: dg.AssetOut(
            description=model.__doc__,
            metadata={"dagster/column_schema": table_schema(model)},
        )
        for name, model in INGEST_TABLES.items()
    },
)
def ingest(context: dg.AssetExecutionContext, sitrep: SitrepConfig):
    """Read every input below SITREP_REPORTS_DIR; each becomes a report, a duplicate or a rejection."""
    result = ingest_folder(
        reports_dir=Path(sitrep.reports_dir),
        limits=sitrep.limits,
        mappings=sitrep.mappings(),
        now=dt.datetime.now(dt.timezone.utc),
        cache_dir=Path(sitrep.cache_dir) / "ingest",
        first_seen=first_seen(Path(sitrep.warehouse_path)),
    )
    summary = result.summary()
    context.log.info("ingest: %s", summary)
    metadata = {
        "inputs_seen": summary["inputs_seen"],
        "duplicates": summary["duplicates"],
        "rejected": summary["rejected"],
        "rejected_by_reason": dg.MetadataValue.json(summary["rejected_by_reason"]),
        "reports_dir": sitrep.reports_dir,
    }
    yield dg.Output(result.reports, output_name="reports", metadata=metadata)
    yield dg.Output(result.rejected_reports, output_name="rejected_reports")
    yield dg.Output(result.report_inputs, output_name="report_inputs")

