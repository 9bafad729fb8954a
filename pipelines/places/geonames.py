"""Reading GeoNames country dumps (`XX.zip` or `XX.txt`, tab-separated, no header) into a polars frame."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl

COLUMNS = {
    "geonameid": pl.Int64,
    "name": pl.String,
    "asciiname": pl.String,
    "alternatenames": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "feature_class": pl.String,
    "feature_code": pl.String,
    "country_code": pl.String,
    "cc2": pl.String,
    "admin1_code": pl.String,
    "admin2_code": pl.String,
    "admin3_code": pl.String,
    "admin4_code": pl.String,
    "population": pl.Int64,
    "elevation": pl.Int64,
    "dem": pl.Int64,
    "timezone": pl.String,
    "modified": pl.String,
}


def _dump_bytes(path: Path) -> bytes:
    if path.suffix.lower() != ".zip":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n.lower()]
        if len(names) != 1:
            raise ValueError(f"{path}: expected one data file in the archive, found {names}")
        return archive.read(names[0])


def read_geonames(path: Path) -> pl.DataFrame:
    """All features of one dump, with the oblast (ADM1) name of each feature in `admin1`."""
    frame = pl.read_csv(
        io.BytesIO(_dump_bytes(path)),
        separator="\t",
        has_header=False,
        new_columns=list(COLUMNS),
        schema_overrides=COLUMNS,
        quote_char=None,
    )
    admin1 = (
        frame.filter(pl.col("feature_code") == "ADM1")
        .select("country_code", "admin1_code", pl.col("name").alias("admin1"))
        .unique(["country_code", "admin1_code"], keep="first")
    )
    return frame.join(admin1, on=["country_code", "admin1_code"], how="left")
