"""Exports of the `claim_facts` mart for tools outside SQL: Parquet partitioned by month, CSV, and GeoJSON.

Every export is cut by month (the month of claim_date; "undated" last), and only the months whose rows changed
since the last export are encoded again: each month's Parquet partition is rewritten, and its CSV rows and
GeoJSON features are kept as pieces under exports/.pieces, from which the single CSV and GeoJSON files are put
together in month order. Each file is written beside its final name and renamed into place, so a reader never
sees half a file. Exports already written from a warehouse of the same content are left as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

from pipelines.publish import published_content

PARQUET_DIR = "claim_facts_parquet"
CSV_FILE = "claim_facts.csv"
GEOJSON_FILE = "claim_facts.geojson"
PIECES_DIR = ".pieces"
# The content digest (pipelines.publish) of the warehouse the exports were last written from.
EXPORTED_FROM = ".exported_from"
UNDATED = "undated"
_MONTH = f"coalesce(strftime(claim_date, '%Y-%m'), '{UNDATED}')"


def month_digests(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per month, a digest of its claim_facts rows (a sum of row hashes and the count: order does not matter),
    and of the columns and their types, so that pieces encoded under another schema are encoded again."""
    described = connection.execute("describe claim_facts").fetchall()
    schema = hashlib.sha256(repr([(row[0], row[1]) for row in described]).encode()).hexdigest()[:16]
    columns = ", ".join(f'"{row[0]}"' for row in described)
    rows = connection.execute(f"select {_MONTH} as month, sum(hash({columns}))::varchar || '/' || count(*) from claim_facts group by month").fetchall()
    return {month: f"{schema}/{digest}" for month, digest in rows}


def read_months(connection: duckdb.DuckDBPyConnection, months: list[str]) -> pl.DataFrame:
    """The claim_facts rows of these months, with their month, in export order."""
    return connection.execute(
        f"select *, {_MONTH} as month from claim_facts where {_MONTH} in (select unnest($months)) order by claim_date, claim_id, place_id nulls first",
        {"months": months},
    ).pl()


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


def write_parquet_month(rows: pl.DataFrame, out_dir: Path, month: str) -> None:
    """One Hive-style partition (month=2022-03/00000000.parquet), readable by DuckDB, polars, pandas and Spark."""
    target = out_dir / PARQUET_DIR / f"month={month}"
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = _staged(target)
    staged.mkdir()
    rows.write_parquet(staged / "00000000.parquet")
    _swap(staged, target)


def _flat(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows for a text format: no month column; lists (evidence URLs) become space-separated text."""
    return rows.drop("month", strict=False).with_columns(
        pl.col(c).list.join(" ") for c, dtype in rows.schema.items() if isinstance(dtype, pl.List)
    )


def csv_header(rows: pl.DataFrame) -> str:
    return _flat(rows.clear()).write_csv(include_header=True)


def write_csv_piece(rows: pl.DataFrame, path: Path) -> None:
    """The rows as CSV lines without a header, written by polars straight to the file."""
    _flat(rows).write_csv(path, include_header=False)


_FEATURE_SEPARATOR = ",\n"


def write_geojson_piece(rows: pl.DataFrame, path: Path) -> None:
    """One GeoJSON point feature per located row, its properties the other columns, separated by ",\\n":
    encoded and written by polars (a Python loop over rows is ten times slower). Each feature is one CSV
    "line" ending in the separator, unquoted (JSON escapes its own newlines); the last separator is cut off."""
    located = rows.drop("month", strict=False).filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    properties = [c for c in located.columns if c not in ("lat", "lon")]
    feature = pl.struct(
        pl.lit("Feature").alias("type"),
        pl.struct(pl.lit("Point").alias("type"), pl.concat_list("lon", "lat").alias("coordinates")).alias("geometry"),
        pl.struct(properties).alias("properties"),
    ).struct.json_encode()
    located.select(feature).write_csv(path, include_header=False, quote_style="never", line_terminator=_FEATURE_SEPARATOR)
    size = path.stat().st_size
    os.truncate(path, max(0, size - len(_FEATURE_SEPARATOR)))


def _write_joined(target: Path, head: str, pieces: list[Path], separator: str, tail: str) -> Path:
    """head, then the non-empty pieces with separator between them, then tail, renamed into place. The pieces
    are UTF-8 already and are copied by the kernel (copy_file_range), never through Python."""
    staged = _staged(target)
    with staged.open("wb") as out:
        out.write(head.encode())
        first = True
        for piece, size in [(p, p.stat().st_size) for p in pieces]:
            if not size:
                continue
            if not first:
                out.write(separator.encode())
            out.flush()
            with piece.open("rb") as source:
                _copy_all(source.fileno(), out.fileno(), size)
            first = False
        out.write(tail.encode())
    _swap(staged, target)
    return target


def _copy_all(source: int, out: int, size: int) -> None:
    copied = 0
    while copied < size:
        try:
            step = os.copy_file_range(source, out, size - copied)
        except OSError:
            # Not every file system copies between files in the kernel; sendfile does on Linux.
            step = os.sendfile(out, source, None, size - copied)
        if step == 0:
            break
        copied += step


def export_claim_facts(warehouse: Path, out_dir: Path) -> tuple[dict[str, Path], list[str] | None]:
    """Bring the exports up to the warehouse, encoding only the months that changed; returns where they are and
    the months encoded again (None when the exports were already up to date)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {"parquet": out_dir / PARQUET_DIR, "csv": out_dir / CSV_FILE, "geojson": out_dir / GEOJSON_FILE}
    content = published_content(warehouse)
    marker = out_dir / EXPORTED_FROM
    if content is not None and all(p.exists() for p in targets.values()) and marker.exists() and marker.read_text() == content:
        return targets, None
    marker.unlink(missing_ok=True)
    pieces = out_dir / PIECES_DIR
    pieces.mkdir(exist_ok=True)
    manifest_path = pieces / "months.json"
    try:
        exported = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        exported = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        digests = month_digests(connection)
        changed = sorted(m for m, d in digests.items() if exported.get(m) != d or not (pieces / f"{m}.csv").exists() or not (pieces / f"{m}.geojson").exists())
        facts = read_months(connection, changed)
        header = csv_header(connection.execute("select * from claim_facts limit 0").pl())
    # The manifest goes first, so that a run stopped halfway encodes these months again.
    manifest_path.unlink(missing_ok=True)
    by_month = facts.partition_by("month", as_dict=True, maintain_order=True)

    def encode(month: str) -> None:
        rows = by_month.get((month,), facts.clear())
        write_parquet_month(rows, out_dir, month)
        write_csv_piece(rows, pieces / f"{month}.csv")
        write_geojson_piece(rows, pieces / f"{month}.geojson")

    # polars encodes a JSON column on one thread and releases the GIL: months side by side use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(encode, changed))
    for month in set(exported) - set(digests):
        shutil.rmtree(out_dir / PARQUET_DIR / f"month={month}", ignore_errors=True)
        for suffix in (".csv", ".geojson"):
            (pieces / f"{month}{suffix}").unlink(missing_ok=True)
    months = sorted(digests)
    _write_joined(targets["csv"], header, [pieces / f"{m}.csv" for m in months], "", "")
    _write_joined(targets["geojson"], '{"type": "FeatureCollection", "features": [\n', [pieces / f"{m}.geojson" for m in months], _FEATURE_SEPARATOR, "\n]}")
    targets["parquet"].mkdir(exist_ok=True)
    manifest_path.write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")
    if content is not None:
        marker.write_text(content)
    return targets, changed
