"""Exports of the `claim_facts` mart for tools outside SQL: Parquet partitioned by month, CSV, and GeoJSON.

The exports are kept day by day (the day of claim_date; "undated" last), and only the days whose rows changed
since the last export are read and encoded again: their CSV rows and GeoJSON features are pieces under
exports/.pieces, from which the single CSV and GeoJSON files are put together in day order, and a month's
Parquet partition is rewritten from its previous file, less the changed days, plus their new rows. Each file is
written beside its final name and renamed into place, so a reader never sees half a file. Exports already
written from a warehouse of the same content are left as they are.
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

from pipelines import trash
from pipelines.publish import published_content

PARQUET_DIR = "claim_facts_parquet"
PARQUET_FILE = "00000000.parquet"
CSV_FILE = "claim_facts.csv"
GEOJSON_FILE = "claim_facts.geojson"
PIECES_DIR = ".pieces"
MANIFEST = "days.json"
# The content digest (pipelines.publish) of the warehouse the exports were last written from.
EXPORTED_FROM = ".exported_from"
UNDATED = "undated"
_DAY = f"coalesce(strftime(claim_date, '%Y-%m-%d'), '{UNDATED}')"
# The export order; claim_facts has one row per claim and place.
ORDER = ("claim_date", "claim_id", "place_id")


def month_of(day: str) -> str:
    return UNDATED if day == UNDATED else day[:7]


def day_digests(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per day, a digest of its claim_facts rows (a sum of row hashes and the count: order does not matter),
    and of the columns and their types, so that pieces encoded under another schema are encoded again."""
    described = connection.execute("describe claim_facts").fetchall()
    schema = hashlib.sha256(repr([(row[0], row[1]) for row in described]).encode()).hexdigest()[:16]
    columns = ", ".join(f'"{row[0]}"' for row in described)
    rows = connection.execute(f"select {_DAY} as day, sum(hash({columns}))::varchar || '/' || count(*) from claim_facts group by day").fetchall()
    return {day: f"{schema}/{digest}" for day, digest in rows}


def read_days(connection: duckdb.DuckDBPyConnection, days: list[str]) -> pl.DataFrame:
    """The claim_facts rows of these days, with their day, in export order."""
    return connection.execute(
        f"select *, {_DAY} as day from claim_facts where {_DAY} in (select unnest($days)) order by claim_date, claim_id, place_id nulls first",
        {"days": days},
    ).pl()


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}")


def write_parquet_month(new_rows: pl.DataFrame, changed_days: set[str], out_dir: Path, month: str) -> None:
    """One Hive-style partition (month=2022-03/00000000.parquet), readable by DuckDB, polars, pandas and Spark:
    the month's previous rows, less those of the changed days, with the new rows of those days, in export order."""
    target = out_dir / PARQUET_DIR / f"month={month}" / PARQUET_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = new_rows.drop("day").with_columns(month=pl.lit(month))
    if target.exists():
        kept = pl.read_parquet(target).filter(~pl.col("claim_date").cast(pl.String).fill_null(UNDATED).is_in(list(changed_days)))
        rows = pl.concat([kept, rows]).sort(ORDER, nulls_last=False, maintain_order=True)
    staged = _staged(target)
    rows.write_parquet(staged)
    staged.replace(target)


def _flat(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows for a text format: no month column; lists (evidence URLs) become space-separated text."""
    return rows.drop("day", "month", strict=False).with_columns(
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
    located = rows.drop("day", "month", strict=False).filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
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
    trash.replace(staged, target)
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
    """Bring the exports up to the warehouse, encoding only the days that changed; returns where they are and
    the months whose Parquet partition was written again (None when the exports were already up to date)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {"parquet": out_dir / PARQUET_DIR, "csv": out_dir / CSV_FILE, "geojson": out_dir / GEOJSON_FILE}
    content = published_content(warehouse)
    marker = out_dir / EXPORTED_FROM
    if content is not None and all(p.exists() for p in targets.values()) and marker.exists() and marker.read_text() == content:
        return targets, None
    marker.unlink(missing_ok=True)
    pieces = out_dir / PIECES_DIR
    pieces.mkdir(exist_ok=True)
    targets["parquet"].mkdir(exist_ok=True)
    manifest_path = pieces / MANIFEST
    try:
        exported = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        exported = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        digests = day_digests(connection)
        # A month without its Parquet file (a first export, or one deleted) takes all its days from the warehouse.
        whole = {m for m in map(month_of, digests) if not (targets["parquet"] / f"month={m}" / PARQUET_FILE).exists()}
        changed = sorted(
            d for d, digest in digests.items()
            if exported.get(d) != digest or month_of(d) in whole or not (pieces / f"{d}.csv").exists() or not (pieces / f"{d}.geojson").exists()
        )
        gone = set(exported) - set(digests)
        facts = read_days(connection, changed)
        header = csv_header(connection.execute("select * from claim_facts limit 0").pl())
    # The manifest goes first, so that a run stopped halfway encodes these days again.
    manifest_path.unlink(missing_ok=True)
    by_day = facts.partition_by("day", as_dict=True, maintain_order=True)
    day_rows = {d: by_day.get((d,), facts.clear()) for d in changed}
    months = {month_of(d) for d in digests}
    touched = sorted(months & {month_of(d) for d in [*changed, *gone]})

    def encode_day(day: str) -> None:
        write_csv_piece(day_rows[day], pieces / f"{day}.csv")
        write_geojson_piece(day_rows[day], pieces / f"{day}.geojson")

    def encode_month(month: str) -> None:
        days = sorted(d for d in [*changed, *gone] if month_of(d) == month)
        new = [day_rows[d] for d in days if d in day_rows]
        write_parquet_month(pl.concat(new) if new else facts.clear(), set(days), out_dir, month)

    # polars encodes a JSON column on one thread and releases the GIL: days and months side by side use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(encode_month, touched))
        list(pool.map(encode_day, changed))
    # Pieces and partitions of days and months that no longer have rows (or of an older layout) go.
    current = {f"{d}{suffix}" for d in digests for suffix in (".csv", ".geojson")}
    for path in pieces.iterdir():
        if path.name not in current:
            path.unlink()
    for path in targets["parquet"].glob("month=*"):
        if path.name.removeprefix("month=") not in months:
            shutil.rmtree(path)
    days = sorted(digests)
    _write_joined(targets["csv"], header, [pieces / f"{d}.csv" for d in days], "", "")
    _write_joined(targets["geojson"], '{"type": "FeatureCollection", "features": [\n', [pieces / f"{d}.geojson" for d in days], _FEATURE_SEPARATOR, "\n]}")
    manifest_path.write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")
    if content is not None:
        marker.write_text(content)
    return targets, touched
