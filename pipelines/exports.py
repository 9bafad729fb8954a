"""Exports of the `claim_facts` mart for tools outside SQL: Parquet partitioned by month, CSV, and GeoJSON.

The exports are kept day by day (the day of claim_date; "undated" last): each day's CSV rows and GeoJSON features
are a piece under exports/.pieces, from which the single CSV and GeoJSON files are put together in day order.
Only the days whose rows changed since the last export are looked at again, and within them only the rows that
changed are read and encoded: every other row's CSV line and feature is cut from the day's previous piece (a
table of row hashes and encoded lengths, .pieces/rows-<schema>.parquet, says where), and a month's Parquet
partition is rewritten from its previous file, less the rows that changed or went, plus the changed rows. Each file is
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
_EXPORT_ORDER = "order by claim_date, claim_id, place_id nulls first"


def month_of(day: str) -> str:
    return UNDATED if day == UNDATED else day[:7]


def _schema(connection: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """A digest of claim_facts' columns and types, and the column list to hash its rows by."""
    described = connection.execute("describe claim_facts").fetchall()
    schema = hashlib.sha256(repr([(row[0], row[1]) for row in described]).encode()).hexdigest()[:16]
    return schema, ", ".join(f'"{row[0]}"' for row in described)


def day_digests(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per day, a digest of its claim_facts rows (a sum of row hashes and the count: order does not matter),
    and of the columns and their types, so that pieces encoded under another schema are encoded again."""
    schema, columns = _schema(connection)
    rows = connection.execute(f"select {_DAY} as day, sum(hash({columns}))::varchar || '/' || count(*) from claim_facts group by day").fetchall()
    return {day: f"{schema}/{digest}" for day, digest in rows}


def row_hashes(connection: duckdb.DuckDBPyConnection, columns: str, days: list[str]) -> pl.DataFrame:
    """Each claim_facts row of these days as its day, key (claim_id, place_id) and hash (of `columns`), in export order."""
    return connection.execute(
        f"select {_DAY} as day, claim_id, place_id, hash({columns}) as h from claim_facts where {_DAY} in (select unnest($days)) {_EXPORT_ORDER}",
        {"days": days},
    ).pl()


def read_rows(connection: duckdb.DuckDBPyConnection, columns: str, days: list[str], hashes: list[int]) -> pl.DataFrame:
    """The claim_facts rows of these days with these hashes (of `columns`), with their day and hash, in export order."""
    return connection.execute(
        f"select *, {_DAY} as day, hash({columns}) as h from claim_facts "
        f"where {_DAY} in (select unnest($days)) and hash({columns}) in (select unnest($hashes)) {_EXPORT_ORDER}",
        {"days": days, "hashes": hashes},
    ).pl()


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}")


def write_parquet_month(fresh: pl.DataFrame, kept_keys: pl.DataFrame, changed_days: set[str], out_dir: Path, month: str) -> None:
    """One Hive-style partition (month=2022-03/00000000.parquet), readable by DuckDB, polars, pandas and Spark:
    the month's previous rows of the days that did not change and those of the changed days that stayed the
    same (kept_keys: their claim_id and place_id), with the fresh rows, in export order."""
    target = out_dir / PARQUET_DIR / f"month={month}" / PARQUET_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = fresh.drop("day", "h").with_columns(month=pl.lit(month))
    if target.exists():
        previous = pl.read_parquet(target)
        in_changed_day = pl.col("claim_date").cast(pl.String).fill_null(UNDATED).is_in(list(changed_days))
        kept = pl.concat([
            previous.filter(~in_changed_day),
            previous.filter(in_changed_day).join(kept_keys, on=["claim_id", "place_id"], how="semi", nulls_equal=True, maintain_order="left"),
        ])
        rows = pl.concat([kept, rows]).sort(ORDER, nulls_last=False, maintain_order=True)
    staged = _staged(target)
    rows.write_parquet(staged)
    staged.replace(target)


def _flat(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows for a text format: no month, day or hash column; lists (evidence URLs) become space-separated text."""
    return rows.drop("day", "month", "h", strict=False).with_columns(
        pl.col(c).list.join(" ") for c, dtype in rows.schema.items() if isinstance(dtype, pl.List)
    )


def csv_header(rows: pl.DataFrame) -> str:
    return _flat(rows.clear()).write_csv(include_header=True)


# Ends every CSV line when rows are encoded together, to cut them apart again (a value holding it is
# caught by the count and its rows are encoded one by one).
_ROW_END = "\x1e"


def csv_lines(rows: pl.DataFrame) -> list[bytes]:
    """Each row as its CSV line, newline included, encoded by polars in one go."""
    if rows.is_empty():
        return []
    lines = _flat(rows).write_csv(include_header=False, line_terminator="\n" + _ROW_END).split(_ROW_END)[:-1]
    if len(lines) != rows.height:
        lines = [_flat(rows[i : i + 1]).write_csv(include_header=False) for i in range(rows.height)]
    return [line.encode() for line in lines]


_FEATURE_SEPARATOR = ",\n"


def geojson_features(rows: pl.DataFrame) -> list[bytes]:
    """Each row as one GeoJSON point feature, its properties the other columns, encoded by polars (a Python
    loop over rows is ten times slower); b"" for a row without coordinates. JSON escapes its own newlines,
    so features are one line each."""
    plain = rows.drop("day", "month", "h", strict=False)
    properties = [c for c in plain.columns if c not in ("lat", "lon")]
    feature = pl.struct(
        pl.lit("Feature").alias("type"),
        pl.struct(pl.lit("Point").alias("type"), pl.concat_list("lon", "lat").alias("coordinates")).alias("geometry"),
        pl.struct(properties).alias("properties"),
    ).struct.json_encode()
    located = pl.col("lat").is_not_null() & pl.col("lon").is_not_null()
    encoded = plain.select(pl.when(located).then(feature).otherwise(pl.lit("")))
    return [f.encode() for f in encoded.to_series().to_list()]


def _cut(piece: bytes, lengths: list[int], separator: bytes = b"") -> list[bytes]:
    """The pieces' rows again from their encoded lengths (0 for a row not in the piece), in order."""
    parts, position = [], 0
    for length in lengths:
        if not length:
            parts.append(b"")
            continue
        parts.append(piece[position : position + length])
        position += length + len(separator)
    return parts


def encoded_rows(rows: pl.DataFrame) -> dict[int, tuple[bytes, bytes]]:
    """Each row's CSV line and GeoJSON feature by its hash, encoded by polars in one go."""
    return dict(zip(rows["h"].to_list(), zip(csv_lines(rows), geojson_features(rows), strict=True), strict=True))


def assemble_day(
    pieces: Path, day: str, hashes: list[int], encoded: dict[int, tuple[bytes, bytes]], previous: tuple[list[int], list[int], list[int]] | None
) -> tuple[list[int], list[int]]:
    """Write the day's CSV and GeoJSON pieces, its rows (hashes, in export order) cut from its previous pieces
    where they were there (previous: hashes and encoded lengths in piece order) and taken from encoded
    otherwise. Returns the rows' encoded lengths."""
    reused: dict[int, tuple[bytes, bytes]] = {}
    if previous is not None:
        old_hashes, csv_lengths, geo_lengths = previous
        csv_parts = _cut((pieces / f"{day}.csv").read_bytes(), csv_lengths)
        geo_parts = _cut((pieces / f"{day}.geojson").read_bytes(), geo_lengths, _FEATURE_SEPARATOR.encode())
        reused = dict(zip(old_hashes, zip(csv_parts, geo_parts, strict=True), strict=True))
    rows = [reused.get(h) or encoded[h] for h in hashes]
    (pieces / f"{day}.csv").write_bytes(b"".join(line for line, _ in rows))
    (pieces / f"{day}.geojson").write_bytes(_FEATURE_SEPARATOR.encode().join(feature for _, feature in rows if feature))
    return [len(line) for line, _ in rows], [len(feature) for _, feature in rows]


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


ROWS_PREFIX = "rows-"
# Per exported row, in piece order: its day, hash, and the lengths in bytes of its CSV line and GeoJSON feature.
_ROWS_SCHEMA = pl.DataFrame(schema={"day": pl.String, "h": pl.UInt64, "csv_len": pl.UInt32, "geo_len": pl.UInt32})


def _recorded_rows(path: Path) -> pl.DataFrame:
    try:
        return pl.read_parquet(path).select(_ROWS_SCHEMA.columns).cast(_ROWS_SCHEMA.schema)
    except Exception:  # noqa: BLE001 - missing or unreadable: every changed day is encoded whole
        return _ROWS_SCHEMA.clear()


def _write_rows(path: Path, rows: pl.DataFrame) -> None:
    staged = _staged(path)
    rows.write_parquet(staged)
    staged.replace(path)


def _reusable(recorded: pl.DataFrame, changed: list[str], whole: set[str], pieces: Path) -> pl.DataFrame:
    """The recorded rows of the changed days whose pieces can be cut up again: not in a month exported whole,
    and with lengths that add up to the pieces' sizes (anything else is encoded again)."""
    candidates = recorded.filter(pl.col("day").is_in([d for d in changed if month_of(d) not in whole]))
    separator = len(_FEATURE_SEPARATOR)
    sizes = candidates.group_by("day").agg(
        csv=pl.col("csv_len").cast(pl.Int64).sum(),
        geo=pl.col("geo_len").cast(pl.Int64).sum() + separator * (pl.col("geo_len").gt(0).cast(pl.Int64).sum() - 1).clip(lower_bound=0),
    )
    valid = []
    for day, csv_size, geo_size in sizes.iter_rows():
        try:
            if (pieces / f"{day}.csv").stat().st_size == csv_size and (pieces / f"{day}.geojson").stat().st_size == geo_size:
                valid.append(day)
        except OSError:
            pass
    return candidates.filter(pl.col("day").is_in(valid))


def _lists_by_day(rows: pl.DataFrame, columns: list[str]) -> dict[str, tuple[list, ...]]:
    """Per day, the values of these columns as lists, in row order."""
    grouped = rows.group_by("day", maintain_order=True).agg(columns)
    return {row[0]: tuple(row[1:]) for row in grouped.iter_rows()}


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
        schema, columns = _schema(connection)
        # A month without its Parquet file (a first export, or one deleted) takes all its days from the warehouse.
        whole = {m for m in map(month_of, digests) if not (targets["parquet"] / f"month={m}" / PARQUET_FILE).exists()}
        changed = sorted(
            d for d, digest in digests.items()
            if exported.get(d) != digest or month_of(d) in whole or not (pieces / f"{d}.csv").exists() or not (pieces / f"{d}.geojson").exists()
        )
        gone = set(exported) - set(digests)
        current = row_hashes(connection, columns, changed)
        rows_path = pieces / f"{ROWS_PREFIX}{schema}.parquet"
        recorded = _recorded_rows(rows_path) if exported else _ROWS_SCHEMA.clear()
        previous = _reusable(recorded, changed, whole, pieces)
        known = current.join(previous, on=["day", "h"], how="semi", maintain_order="left")
        new = current.join(previous, on=["day", "h"], how="anti", maintain_order="left")
        fresh = read_rows(connection, columns, new["day"].unique().to_list(), new["h"].to_list())
        header = csv_header(connection.execute("select * from claim_facts limit 0").pl())
    # The manifest goes first, so that a run stopped halfway encodes these days again.
    manifest_path.unlink(missing_ok=True)
    months = {month_of(d) for d in digests}
    touched = sorted(months & {month_of(d) for d in [*changed, *gone]})
    hashes_of = _lists_by_day(current, ["h"])
    previous_of = _lists_by_day(previous, ["h", "csv_len", "geo_len"])
    lengths: dict[str, tuple[list[int], list[int]]] = {}

    def encode_month(month: str) -> None:
        days = sorted(d for d in [*changed, *gone] if month_of(d) == month)
        in_month = pl.col("day").is_in(days)
        month_fresh = fresh.filter(in_month)
        encoded = encoded_rows(month_fresh)
        for day in days:
            if day in hashes_of:
                lengths[day] = assemble_day(pieces, day, hashes_of[day][0], encoded, previous_of.get(day))
        write_parquet_month(month_fresh, known.filter(in_month).select("claim_id", "place_id"), set(days), out_dir, month)

    # polars encodes a JSON column on one thread and releases the GIL: months side by side use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(encode_month, touched))
    unchanged = recorded.filter(pl.col("day").is_in(list(digests)) & ~pl.col("day").is_in(changed))
    new_rows = pl.DataFrame(
        {
            "day": [d for d in changed for _ in hashes_of[d][0]],
            "h": [h for d in changed for h in hashes_of[d][0]],
            "csv_len": [n for d in changed for n in lengths[d][0]],
            "geo_len": [n for d in changed for n in lengths[d][1]],
        },
        schema=_ROWS_SCHEMA.schema,
    )
    _write_rows(rows_path, pl.concat([unchanged, new_rows]))
    # Pieces and partitions of days and months that no longer have rows (or of an older layout) go.
    wanted = {f"{d}{suffix}" for d in digests for suffix in (".csv", ".geojson")} | {rows_path.name}
    for path in pieces.iterdir():
        if path.name not in wanted:
            path.unlink()
    for path in targets["parquet"].glob("month=*"):
        if path.name.removeprefix("month=") not in months:
            shutil.rmtree(path)
    days = sorted(digests)
    # The kernel copies the pieces (the GIL released): both files at once.
    with ThreadPoolExecutor(max_workers=2) as pool:
        joined = [
            pool.submit(_write_joined, targets["csv"], header, [pieces / f"{d}.csv" for d in days], "", ""),
            pool.submit(
                _write_joined, targets["geojson"], '{"type": "FeatureCollection", "features": [\n', [pieces / f"{d}.geojson" for d in days], _FEATURE_SEPARATOR, "\n]}"
            ),
        ]
        for write in joined:
            write.result()
    manifest_path.write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")
    if content is not None:
        marker.write_text(content)
    return targets, touched
