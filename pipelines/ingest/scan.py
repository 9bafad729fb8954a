"""Ingest a whole reports folder: every input read, de-duplicated by content hash and accounted for in
three frames, `reports`, `rejected_reports` and the `report_inputs` ledger."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.collector import unpickled
from pipelines.incremental import code_version, digest, library_versions
from pipelines.ingest.formats import Limits, Outcome, read_input
from pipelines.ingest.mappings import RecordMapping
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
    reports_dir: Path,
    limits: Limits,
    mappings: Sequence[RecordMapping],
    now: dt.datetime,
    cache_dir: Path | None = None,
    first_seen: FirstSeen | None = None,
) -> IngestResult:
    """Every input read (with a cache_dir, unchanged files are taken from what an earlier run read of them); a
    report or rejection already published (first_seen) keeps its time, a new one gets now."""
    reader = InputReader(limits, mappings, cache_dir)
    outcomes: list[Outcome] = []
    for path in list_inputs(reports_dir):
        outcomes.extend(reader.read(path, path.relative_to(reports_dir).as_posix()))
    reader.forget_unused()
    return build_frames(outcomes, now, first_seen)


# Libraries whose answers ingest keeps: main-text extraction, date parsing, encoding detection.
INGEST_LIBRARIES = ("trafilatura", "dateparser", "charset-normalizer", "pyyaml")


class InputReader:
    """read_input, remembering each input's outcomes by its path, size and time and by the ingest rules
    (code, limits, mappings): a run over a folder with 1% new files reads 1% of them."""

    def __init__(self, limits: Limits, mappings: Sequence[RecordMapping], cache_dir: Path | None):
        self.limits = limits
        self.mappings = mappings
        self.cache_dir = cache_dir
        self.rules = digest([code_version(("pipelines/ingest",)), *library_versions(INGEST_LIBRARIES), repr(limits), repr(list(mappings))])
        self.used: set[str] = set()

    def read(self, path: Path, uri: str) -> list[Outcome]:
        if self.cache_dir is None:
            return read_input(path, uri, self.limits, self.mappings)
        try:
            stat = path.stat()
        except OSError:
            return read_input(path, uri, self.limits, self.mappings)
        # The absolute path, inode and change time too: a copy that keeps size and mtime, or a chmod, is news.
        facts = [str(path.absolute()), uri, str(stat.st_size), str(stat.st_mtime_ns), str(stat.st_ino), str(stat.st_ctime_ns)]
        entry = self.cache_dir / f"{digest([self.rules, *facts])}.pickle"
        self.used.add(entry.name)
        try:
            return unpickled(entry.read_bytes())
        except Exception:  # noqa: BLE001 - a cache entry that cannot be read back is only a file to read again
            pass
        outcomes = read_input(path, uri, self.limits, self.mappings)
        if any(o.rejection is not None and o.rejection.reason == "unreadable" for o in outcomes):
            return outcomes  # a read error may pass (permissions, a mount): try again next run
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            partial = entry.with_name(f".{entry.name}.{uuid.uuid4().hex}")
            partial.write_bytes(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(partial, entry)
        except OSError:
            pass  # not cached: the next run reads the file again
        return outcomes

    def forget_unused(self) -> None:
        if self.cache_dir is None or not self.cache_dir.is_dir():
            return
        for entry in self.cache_dir.glob("*.pickle"):
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)


@dataclass(frozen=True)
class FirstSeen:
    """When the published warehouse first read each of its reports (by report_id) and first rejected each of
    its rejected inputs (by source_uri and reason): a run keeps these times, so that rows it did not change
    stay the same."""

    ingested_at: Mapping[str, dt.datetime]
    rejected_at: Mapping[tuple[str, str], dt.datetime]


def first_seen(warehouse: Path) -> FirstSeen:
    """The times the published warehouse holds; none when there is no warehouse to read."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            reports = dict(connection.sql("select report_id, ingested_at from reports").pl().iter_rows())
            rejected = {(uri, reason): at for uri, reason, at in connection.sql("select source_uri, reason, rejected_at from rejected_reports").pl().iter_rows()}
            return FirstSeen(reports, rejected)
    except duckdb.Error:
        return FirstSeen({}, {})


def build_frames(outcomes: Sequence[Outcome], now: dt.datetime, first_seen: FirstSeen | None = None) -> IngestResult:
    """The first input with a given text becomes the report; later ones are recorded as its duplicates."""
    seen = first_seen or FirstSeen({}, {})
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
                    "rejected_at": seen.rejected_at.get((outcome.source_uri, outcome.rejection.reason), now),
                }
            )
            ledger.append({"source_uri": outcome.source_uri, "status": "rejected", "report_id": None, "format": outcome.format})
            continue
        doc = outcome.document
        rid = doc.report_id
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
                "ingested_at": seen.ingested_at.get(rid, now),
            }
    return IngestResult(
        reports=validated(Reports, pl.DataFrame(list(reports.values()), schema=polars_schema(Reports))),
        rejected_reports=validated(RejectedReports, pl.DataFrame(rejected, schema=polars_schema(RejectedReports))),
        report_inputs=validated(ReportInputs, pl.DataFrame(ledger, schema=polars_schema(ReportInputs))),
    )

