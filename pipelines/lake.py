"""The warehouse as Parquet on an object store (or any folder), and a DuckDB catalogue of views that reads it.

`publish_lake` copies every table and mart of the published warehouse to `<lake>/<name>.parquet`, where
`<lake>` is what SITREP_LAKE names: a local folder, `file://...`, `s3://bucket/prefix` or `gs://...`
(written through pyarrow's filesystems, with credentials from the environment as pyarrow and the cloud SDKs
read them). Each object is written whole by one put (in a folder: written beside its name, then renamed), so
a reader sees a table's old or new version, never half of one; tables are replaced one after another, so a
reader during a publish can see some tables of the new run beside others of the previous one. It then builds `sitrep-lake.duckdb` beside the warehouse: the same table names as views over
those Parquet objects, so DuckDB (and BI tools through it) query the lake with the warehouse's SQL.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from fsspec.implementations.arrow import ArrowFSWrapper

LAKE_CATALOGUE = "sitrep-lake.duckdb"


@dataclass(frozen=True)
class LakeResult:
    location: str
    objects: dict[str, str]
    catalogue: Path


def lake_filesystem(location: str, s3_endpoint: str | None = None) -> tuple[pafs.FileSystem, str, str]:
    """The pyarrow filesystem, its base path and the prefix DuckDB reads objects by, for a lake location;
    s3_endpoint (http://host:port) points S3 at a compatible store (MinIO, a test server) instead of AWS."""
    location = location.rstrip("/")
    if location.startswith("s3://") and s3_endpoint:
        scheme, _, address = s3_endpoint.rpartition("://")
        filesystem = pafs.S3FileSystem(endpoint_override=address, scheme=scheme or "https", allow_bucket_creation=False)
        return filesystem, location.removeprefix("s3://"), location
    if "://" not in location or location.startswith("file://"):
        base = str(Path(location.removeprefix("file://")).expanduser().resolve())
        return pafs.LocalFileSystem(), base, base
    filesystem, base = pafs.FileSystem.from_uri(location)
    return filesystem, base, location


class _S3Reader(ArrowFSWrapper):
    protocol = ("s3", "s3a")


class _GCSReader(ArrowFSWrapper):
    protocol = ("gs", "gcs")


_READERS = {"s3": _S3Reader, "gs": _GCSReader}


def lake_reader(location: str, s3_endpoint: str | None = None):
    """An fsspec filesystem over the lake's pyarrow filesystem that DuckDB can read `s3://` or `gs://` objects
    through (`connection.register_filesystem(...)`), with no DuckDB extension; None for a folder."""
    protocol = location.split("://", 1)[0] if "://" in location else "file"
    if protocol not in _READERS:
        return None
    return _READERS[protocol](lake_filesystem(location, s3_endpoint)[0])


def object_names(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in connection.execute("select table_name from duckdb_tables() where schema_name = 'main' order by table_name").fetchall()]


def publish_lake(warehouse: Path, location: str, s3_endpoint: str | None = None) -> LakeResult:
    """Copy every table and mart of the published warehouse to the lake, then rebuild the catalogue of views."""
    filesystem, base, prefix = lake_filesystem(location, s3_endpoint)
    if isinstance(filesystem, pafs.LocalFileSystem):
        # Only a folder needs making: on an object store it would be an empty marker object.
        filesystem.create_dir(base, recursive=True)
    local = isinstance(filesystem, pafs.LocalFileSystem)
    objects = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name in object_names(connection):
            table = connection.execute(f'select * from "{name}"').to_arrow_table()
            target = f"{base}/{name}.parquet"
            if local:
                # A file is written beside its name and renamed over it: readers never see half of one.
                partial = f"{base}/.{name}.parquet.{uuid.uuid4().hex}"
                pq.write_table(table, partial, filesystem=filesystem)
                filesystem.move(partial, target)
            else:
                pq.write_table(table, target, filesystem=filesystem)
            objects[name] = f"{prefix}/{name}.parquet"
    # A table or mart the warehouse no longer has leaves the lake too.
    for info in filesystem.get_file_info(pafs.FileSelector(base)):
        if info.base_name.endswith(".parquet") and info.base_name.removesuffix(".parquet") not in objects:
            filesystem.delete_file(info.path)
    catalogue = warehouse.with_name(LAKE_CATALOGUE)
    building = catalogue.with_name(f".{catalogue.name}.{uuid.uuid4().hex}")
    try:
        with duckdb.connect(str(building)) as connection:
            # Creating a view reads its object's schema: DuckDB reaches the store through the same pyarrow
            # filesystem that wrote it (its own httpfs extension cannot be installed offline).
            reader = lake_reader(location, s3_endpoint)
            if reader is not None:
                connection.register_filesystem(reader)
            for name, address in objects.items():
                # DDL takes no parameters: the address (ours, from SITREP_LAKE) is written as a quoted literal.
                literal = "'" + address.replace("'", "''") + "'"
                connection.execute(f'create view "{name}" as select * from read_parquet({literal})')
        os.replace(building, catalogue)
    finally:
        building.unlink(missing_ok=True)
    return LakeResult(location=location, objects=objects, catalogue=catalogue)
