"""Warehouse stage: the published DuckDB file, built from every table asset, checked, then swapped in atomically."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.resources import SitrepConfig
from pipelines.publish import PublishError, load_checks, publish
from pipelines.schemas import TABLE_MODELS, enumerations

CHECKS = load_checks()


def _check_result(result) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=result.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failing_rows": result.failing_rows, "sample": dg.MetadataValue.json(result.sample)},
    )


@dg.asset(
    group_name="warehouse",
    ins={table: dg.AssetIn(table) for table in TABLE_MODELS},
    check_specs=[
        dg.AssetCheckSpec(name=check.name, asset="warehouse", description=check.description, blocking=True)
        for check in CHECKS
    ],
    description="The published DuckDB warehouse (SITREP_WAREHOUSE): every contract table plus the enumerations lookup.",
)
def warehouse(context: dg.AssetExecutionContext, sitrep: SitrepConfig, **tables: pl.DataFrame):
    path = Path(sitrep.warehouse_path)
    try:
        result = publish(path, tables, {"enumerations": enumerations()}, CHECKS)
    except PublishError as error:
        for check_result in error.check_results:
            yield _check_result(check_result)
        raise dg.Failure(description=str(error)) from error
    context.log.info("published %s: %s", path, result.row_counts)
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "row_counts": dg.MetadataValue.json(result.row_counts),
            "dagster/row_count": result.row_counts["reports"],
        }
    )
    for check_result in result.check_results:
        yield _check_result(check_result)
