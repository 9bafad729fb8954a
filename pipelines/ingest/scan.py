"""Ingest a whole reports folder: every input read, de-duplicated by content hash and accounted for in
three frames, `reports`, `rejected_reports` and the `report_inputs` ledger."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.ingest.formats import Limits, Outcome, read_input
from pipelines.ingest.mappings import RecordMapping
from pipelines.ingest.text import report_id
from pipelines.schemas import RejectedReports, ReportInputs, Reports, polars_schema, validated


@dataclass(frozen=True)
class IngestResult:
    reports: pl.DataFrame
    rejected_reports: pl.DataFrame
    report_inputs: pl.DataFrame

    def summary(self) -> dict[str, object]:
        """Counts for run metadata and the run summary: inputs = reports + duplicates + rejected."""
        statuses = Counter(self.report_inputs["status"].to_list())
        return {
            "inputs_seen": self.report_inputs.height,
            "reports": self.reports.height,
            "duplicates": statuses["duplicate"],
            "rejected": self.rejected_reports.height,
            "rejected_by_reason": dict(sorted(Counter(self.rejected_reports["reason"].to_list()).items())),
        }


def list_inputs(reports_dir: Path) -> list[Path]:
    """Files below the folder in a stable order; hidden files and folders (.git, .DS_Store) are not inputs.

    Anything that is not a folder counts, broken links included, so that an unreadable entry is rejected, not skipped.
    """
    if not reports_dir.is_dir():
        raise FileNotFoundError(f"reports folder {reports_dir} does not exist (set SITREP_REPORTS_DIR)")
    return sorted(
        path
        for path in reports_dir.rglob("*")
        if not path.is_dir() and not any(part.startswith(".") for part in path.relative_to(reports_dir).parts)
    )


def ingest_folder(
    reports_dir: Path, limits: Limits, mappings: Sequence[RecordMapping], now: dt.datetime
) -> IngestResult:
    outcomes: list[Outcome] = []
    for path in list_inputs(reports_dir):
        outcomes.extend(read_input(path, path.relative_to(reports_dir).as_posix(), limits, mappings))
    return build_frames(outcomes, now)


def build_frames(outcomes: Sequence[Outcome], now: dt.datetime) -> IngestResult:
    """The first input with a given text becomes the report; later ones are recorded as its duplicates."""
    reports: dict[str, dict[str, object]] = {}
    rejected: list[dict[str, object]] = []
    ledger: list[dict[str, object]] = []
    for outcome in outcomes:
        if outcome.document is None:
            assert outcome.rejection is not None
            rejected.append(
                {
                    "source_uri": outcome.source_uri,
                    "reason": outcome.rejection.reason,
                    "detail": outcome.rejection.detail,
                    "rejected_at": now,
                }
            )
            ledger.append({"source_uri": outcome.source_uri, "status": "rejected", "report_id": None, "format": outcome.format})
            continue
        doc = outcome.document
        rid = report_id(doc.text)
        status = "duplicate" if rid in reports else "ingested"
        ledger.append({"source_uri": outcome.source_uri, "status": status, "report_id": rid, "format": outcome.format})
        if status == "ingested":
            reports[rid] = {
                "report_id": rid,
                "source_uri": outcome.source_uri,
                "title": doc.title,
                "outlet": doc.outlet,
                "url": doc.url,
                "published_at": doc.published_at,
                "language": doc.language,
                "text": doc.text,
                "ingested_at": now,
            }
    return IngestResult(
        reports=validated(Reports, pl.DataFrame(list(reports.values()), schema=polars_schema(Reports))),
        rejected_reports=validated(RejectedReports, pl.DataFrame(rejected, schema=polars_schema(RejectedReports))),
        report_inputs=validated(ReportInputs, pl.DataFrame(ledger, schema=polars_schema(ReportInputs))),
    )

