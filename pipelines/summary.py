"""The run summary printed by `make run`: what was ingested, duplicated and rejected, and the rows per table and mart."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.publish import load_marts

FIRST_QUERY = "select outlet, count(*) as reports, min(published_at) as first, max(published_at) as last from reports group by outlet order by reports desc limit 10"
TABLES = (
    "reports",
    "rejected_reports",
    "report_inputs",
    "sources",
    "places",
    "place_mentions",
    "claims",
    "claim_places",
    "enumerations",
)


def warehouse_summary(path: Path, max_rejections: int = 20) -> str:
    """Describe a published warehouse, read through a read-only connection so that it never blocks a run."""
    with duckdb.connect(str(path), read_only=True) as connection:
        inputs, duplicates = connection.execute(
            "select count(*), count(*) filter (where status = 'duplicate') from report_inputs"
        ).fetchone()
        counts = {table: connection.execute(f'select count(*) from "{table}"').fetchone()[0] for table in TABLES}
        marts = {mart.name: connection.execute(f'select count(*) from "{mart.name}"').fetchone()[0] for mart in load_marts()}
        reasons = connection.execute(
            "select reason, count(*) as n from rejected_reports group by reason order by n desc, reason"
        ).fetchall()
        rejections = connection.execute(
            "select source_uri, reason, detail from rejected_reports order by source_uri limit ?", [max_rejections]
        ).fetchall()
    lines = [
        f"Warehouse published: {path}",
        f"Inputs seen: {inputs:,} = {counts['reports']:,} reports + {duplicates:,} duplicates + {counts['rejected_reports']:,} rejected",
    ]
    if reasons:
        lines.append("Rejected by reason: " + ", ".join(f"{reason} {n:,}" for reason, n in reasons))
        lines += [f"  {uri}: {reason}: {detail}" for uri, reason, detail in rejections]
        if counts["rejected_reports"] > len(rejections):
            lines.append(f"  ... {counts['rejected_reports'] - len(rejections):,} more in the table rejected_reports")
    lines.append("Rows per table: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    lines.append("Rows per mart: " + ", ".join(f"{mart} {n:,}" for mart, n in marts.items()))
    lines += [
        "Try a first query (read-only, safe while a run is in progress):",
        f'  make query SQL="{FIRST_QUERY}"',
    ]
    return "\n".join(lines)
