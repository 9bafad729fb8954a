"""Exports of the `claim_facts` mart for tools outside SQL: Parquet partitioned by month, CSV, and GeoJSON.

Each export is written beside its final name and renamed into place, so a reader never sees half a file;
the Parquet folder is swapped as a whole. Exports already written from a warehouse of the same content are
left as they are.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
import uuid
from pathlib import Path

import duckdb
import polars as pl

from pipelines.publish import published_content

PARQUET_DIR = "claim_facts_parquet"
CSV_FILE = "claim_facts.csv"
GEOJSON_FILE = "claim_facts.geojson"


def read_claim_facts(warehouse: Path) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select * from claim_facts order by claim_date, claim_id").pl()


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}")


def _swap(staged: Path, target: Path) -> None:
    if target.is_dir():
        retired = _staged(target)
        target.rename(retired)
        staged.rename(target)
        shutil.rmtree(retired)
    else:
        staged.replace(target)


def write_parquet(facts: pl.DataFrame, out_dir: Path) -> Path:
    """Hive-style month partitions (month=2022-03/...), readable by DuckDB, polars, pandas and Spark."""
    target = out_dir / PARQUET_DIR
    staged = _staged(target)
    monthly = facts.with_columns(pl.col("claim_date").dt.strftime("%Y-%m").fill_null("undated").alias("month"))
    monthly.write_parquet(staged, partition_by="month", mkdir=True)
    _swap(staged, target)
    return target


def write_csv(facts: pl.DataFrame, out_dir: Path) -> Path:
    """One flat file; lists (evidence URLs) become space-separated text."""
    target = out_dir / CSV_FILE
    staged = _staged(target)
    flat = facts.with_columns(pl.col(c).list.join(" ") for c, dtype in facts.schema.items() if isinstance(dtype, pl.List))
    flat.write_csv(staged)
    _swap(staged, target)
    return target


GEOJSON_BATCH_ROWS = 20_000


def geojson_chunks(facts: pl.DataFrame) -> Iterator[str]:
    """A FeatureCollection with one point per located claim and place, its properties the other columns, as
    pieces of text: encoded by polars a batch of rows at a time (a Python loop over rows is ten times slower,
    and the whole collection as one string would hold the file in memory several times over)."""
    located = facts.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    properties = [c for c in located.columns if c not in ("lat", "lon")]
    feature = pl.struct(
        pl.lit("Feature").alias("type"),
        pl.struct(pl.lit("Point").alias("type"), pl.concat_list("lon", "lat").alias("coordinates")).alias("geometry"),
        pl.struct(properties).alias("properties"),
    ).struct.json_encode()
    yield '{"type": "FeatureCollection", "features": [\n'
    for index, batch in enumerate(located.iter_slices(GEOJSON_BATCH_ROWS)):
        yield ("" if index == 0 else ",\n") + batch.select(feature.str.join(",\n")).item()
    yield "\n]}"


def write_geojson(facts: pl.DataFrame, out_dir: Path) -> Path:
    target = out_dir / GEOJSON_FILE
    staged = _staged(target)
    with staged.open("w", encoding="utf-8") as out:
        out.writelines(geojson_chunks(facts))
    _swap(staged, target)
    return target


# The content digest (pipelines.publish) of the warehouse the exports were last written from.
EXPORTED_FROM = ".exported_from"


def export_claim_facts(warehouse: Path, out_dir: Path) -> tuple[dict[str, Path], bool]:
    """Write the exports, unless they were written from a warehouse of the same content; returns where they
    are and whether they were written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {"parquet": out_dir / PARQUET_DIR, "csv": out_dir / CSV_FILE, "geojson": out_dir / GEOJSON_FILE}
    content = published_content(warehouse)
    marker = out_dir / EXPORTED_FROM
    if content is not None and all(p.exists() for p in targets.values()) and marker.exists() and marker.read_text() == content:
        return targets, False
    marker.unlink(missing_ok=True)
    facts = read_claim_facts(warehouse)
    written = {"parquet": write_parquet(facts, out_dir), "csv": write_csv(facts, out_dir), "geojson": write_geojson(facts, out_dir)}
    if content is not None:
        marker.write_text(content)
    return written, True
