"""The extract stage's tables for the current reports, extracting only what the cache does not hold.

`locate` gives the places and place_mentions tables, `attribute` the sources, claims and claim_places
tables. Both key each report by what they read from it (places: the exact text; claims: the text, date,
outlet, address and the report's resolved place mentions) under an extraction version that changes with the
code, the seeds, the libraries and the gazetteer (see pipelines.incremental).

Place resolution also weighs the reporting density of the whole corpus, by month (a report is located
with the density of the months around its own, so its places' cache key holds its month). It is a snapshot: kept while
the reports differ from those it was counted on by at most DENSITY_DRIFT of them, counted again (and every
report located again) past that, so that 1% new reports cost 1% of the work. Within that drift a run can
differ from a run from scratch over the same reports in the choice among same-named places (the snapshot
was counted on the earlier reports); the same inputs with the same cache always give the same warehouse.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.claims.extract import CLAIM_TABLES, REPORT_COLUMNS, claim_rows, claim_tables
from pipelines.claims.lexicon import lexicon
from pipelines.claims.registry import SourceRegistry
from pipelines.incremental import (
    MIN_PARALLEL_REPORTS,
    CacheStats,
    StageCache,
    digest,
    extract_incrementally,
    frame_digest,
    map_in_workers,
    row_keys,
    rules_version,
)
from pipelines.places.extract import LOCATED_TABLES, density_of, density_points, locate_reports, places_table, report_periods, unambiguous_rows
from pipelines.places.gazetteer import Gazetteer
from pipelines.schemas import PlaceMentions, validated

# Share of reports added or removed since the density was counted past which it is counted again.
DENSITY_DRIFT = 0.1
DENSITY_CHUNKS_PER_WORKER = 2

# Set once in each worker process (and in this one when extracting in-process).
_worker: dict = {}


def _with_gazetteer(gazetteer: Gazetteer) -> None:
    _worker["gazetteer"] = gazetteer


def _with_registry() -> None:
    _worker["registry"] = SourceRegistry.from_seeds()
    _worker["lexicon"] = lexicon()


def _unambiguous(texts: list[str]) -> list[list[int]]:
    return unambiguous_rows(texts, _worker["gazetteer"])


def _locate(reports: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return locate_reports(reports, _worker["gazetteer"])


def _attribute(items: pl.DataFrame) -> dict[str, pl.DataFrame]:
    mentions = items.select("report_id", "mentions").explode("mentions").drop_nulls("mentions").unnest("mentions")
    return claim_rows(items.drop("mentions"), mentions, _worker["registry"], _worker["lexicon"])


def drift(counted: pl.Series, current: pl.Series) -> float:
    """Share of reports added or removed since the density was counted."""
    changed = len(set(counted.to_list()).symmetric_difference(current.to_list()))
    return changed / max(1, counted.len())


def _density_points(reports: pl.DataFrame, periods: list[int | None], gazetteer: Gazetteer, cache: StageCache, workers: int) -> pl.DataFrame:
    """The unambiguously named settlements the density counts: from the snapshot while it holds, else counted now."""
    snapshot = cache.load(["points"])
    if snapshot is not None and drift(snapshot[0]["report_id"], reports["report_id"]) <= DENSITY_DRIFT:
        return snapshot[1]["points"]
    texts = reports["text"].to_list()
    parts = max(1, workers * DENSITY_CHUNKS_PER_WORKER)
    size = max(1, -(-len(texts) // parts))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    parallel = workers if len(texts) >= MIN_PARALLEL_REPORTS else 1
    rows = [text_rows for part in map_in_workers(_unambiguous, chunks, parallel, _with_gazetteer, (gazetteer,)) for text_rows in part]
    points = density_points(rows, periods, gazetteer)
    cache.store(reports.select("report_id", pl.col("report_id").alias("input_key")), {"points": points})
    return points


def locate(reports: pl.DataFrame, gazetteer: Gazetteer, cache_dir: Path | None, workers: int) -> tuple[pl.DataFrame, pl.DataFrame, CacheStats]:
    """The places and place_mentions tables of the reports, and what was reused and extracted."""
    base = digest(["places", rules_version(), frame_digest(gazetteer.features)])
    if cache_dir is not None:
        gazetteer.keep_indexes(cache_dir / "gazetteer", base)
    periods = report_periods(reports)
    points = _density_points(reports, periods, gazetteer, StageCache(cache_dir and cache_dir / "density", base), workers)
    gazetteer.set_density(density_of(points))
    version = digest([base, frame_digest(points)])
    items = reports.select("report_id", "text", *(["published_at"] if "published_at" in reports.columns else []))
    keys = [digest([text, str(period)]) for text, period in zip(items["text"].to_list(), periods, strict=True)]
    tables, stats = extract_incrementally(
        items, keys, LOCATED_TABLES, _locate, StageCache(cache_dir and cache_dir / "places", version),
        workers, _with_gazetteer, (gazetteer,),
    )
    mentions = tables["place_mentions"]
    return places_table(gazetteer, mentions, tables["derived_points"]), validated(PlaceMentions, mentions), stats


def attribute(reports: pl.DataFrame, place_mentions: pl.DataFrame, cache_dir: Path | None, workers: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, CacheStats]:
    """The sources, claims and claim_places tables of the reports, and what was reused and extracted."""
    mentions = place_mentions.group_by("report_id", maintain_order=True).agg(
        pl.struct("char_start", "char_end", "place_id").alias("mentions")
    )
    items = reports.select(*REPORT_COLUMNS).join(mentions, on="report_id", how="left", maintain_order="left")
    keys = row_keys(items, ["report_id", "text", "published_at", "outlet", "url", "mentions"])
    tables, stats = extract_incrementally(
        items, keys, CLAIM_TABLES, _attribute, StageCache(cache_dir and cache_dir / "claims", digest(["claims", rules_version()])),
        workers, _with_registry,
    )
    return (*claim_tables(SourceRegistry.from_seeds(), tables), stats)
