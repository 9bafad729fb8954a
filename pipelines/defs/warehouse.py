"""Warehouse stage: the published DuckDB file, built from every table asset, checked, then swapped in atomically."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.resources import SitrepConfig
from pipelines.publish import PublishError, load_checks, load_marts, publish
from pipelines.schemas import TABLE_MODELS, enumerations

CHECKS = load_checks()
MARTS = load_marts()
MART_NAMES = {mart.name for mart in MARTS}


def _mart_spec(mart) -> dg.AssetSpec:
    return dg.AssetSpec(
        mart.name,
        group_name="marts",
        description=mart.description,
        deps=[dg.AssetKey(d) for d in mart.depends],
        metadata={"sql": dg.MetadataValue.md(f"```sql\n{mart.sql}\n```")},
    )


def _check_result(result) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=result.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failing_rows": result.failing_rows, "sample": dg.MetadataValue.json(result.sample)},
    )


@dg.multi_asset(
    ins={table: dg.AssetIn(table) for table in TABLE_MODELS},
    specs=[
        dg.AssetSpec(
            "warehouse",
            group_name="warehouse",
            deps=list(TABLE_MODELS),
            description="The published DuckDB warehouse (SITREP_WAREHOUSE): every contract table, the enumerations lookup and the marts.",
        ),
        *[_mart_spec(mart) for mart in MARTS],
    ],
    check_specs=[
        dg.AssetCheckSpec(name=check.name, asset="warehouse", description=check.description, blocking=True)
        for check in CHECKS
    ],
)
def warehouse(context: dg.AssetExecutionContext, sitrep: SitrepConfig, **tables: pl.DataFrame):
    """Build tables and marts in a new file, check it, and publish it in one step: marts are never out of step with the tables."""
    path = Path(sitrep.warehouse_path)
    try:
        result = publish(path, tables, {"enumerations": enumerations()}, CHECKS, MARTS, {"window_days": sitrep.window_days})
    except PublishError as error:
        for check_result in error.check_results:
            yield _check_result(check_result)
        raise dg.Failure(description=str(error)) from error
    context.log.info("%s %s (%d reports patched): %s", result.mode, path, result.patched_reports, result.row_counts)
    yield dg.MaterializeResult(
        asset_key="warehouse",
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "row_counts": dg.MetadataValue.json(result.row_counts),
            # built: a new file; patched: the published file with the changed reports replaced; unchanged: nothing new
            "publish_mode": result.mode,
            "reports_patched": result.patched_reports,
            "changes": dg.MetadataValue.json(result.changes),
            "dagster/row_count": result.row_counts["reports"],
        },
    )
    for mart in MARTS:
        columns = dg.TableSchema(columns=[dg.TableColumn(name, type) for name, type in result.mart_columns[mart.name]])
        yield dg.MaterializeResult(
            asset_key=mart.name,
            metadata={"dagster/row_count": result.row_counts[mart.name], "dagster/column_schema": columns},
        )
    for check_result in result.check_results:
        yield _check_result(check_result)
