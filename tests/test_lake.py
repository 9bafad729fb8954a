"""Publishing to a lake: every table and mart as Parquet at SITREP_LAKE, and a DuckDB catalogue of views reading it."""

import boto3
import duckdb
import pytest
from moto.server import ThreadedMotoServer

from pipelines.definitions import defs
from pipelines.lake import LAKE_CATALOGUE, lake_reader
from pipelines.run import main
from tests.inputs import write_good_inputs
from tests.test_pipeline import query


def test_without_a_lake_there_is_no_lake_asset():
    assert "lake" not in {key.to_user_string() for key in defs().resolve_asset_graph().get_all_asset_keys()}


def test_the_lake_holds_every_table_and_the_catalogue_reads_it(settings, tmp_path, monkeypatch):
    lake = tmp_path / "object store" / "sitrep"
    monkeypatch.setenv("SITREP_LAKE", f"file://{lake}")
    write_good_inputs(settings.reports_dir)
    lake.mkdir(parents=True)
    (lake / "dropped_mart.parquet").write_bytes(b"a table the warehouse no longer has")
    assert main() == 0
    names = [r[0] for r in query(settings.warehouse_path, "select table_name from duckdb_tables() where schema_name = 'main' order by 1")]
    assert sorted(p.stem for p in lake.glob("*.parquet")) == names
    assert not list(lake.glob(".*")), "no partial files are left behind"
    catalogue = settings.warehouse_path.with_name(LAKE_CATALOGUE)
    with duckdb.connect(str(catalogue), read_only=True) as connection:
        for name in ("claims", "claim_facts", "reports"):
            assert connection.execute(f"select count(*) from {name}").fetchone() == query(settings.warehouse_path, f"select count(*) from {name}")[0]
    # The lake is read by address, so a later run's objects are what the same catalogue sees.
    (settings.reports_dir / "more.txt").write_text("Russian forces shelled Kherson overnight, the regional head said.")
    assert main() == 0
    with duckdb.connect(str(catalogue), read_only=True) as connection:
        assert connection.execute("select count(*) from reports").fetchone() == query(settings.warehouse_path, "select count(*) from reports")[0]


@pytest.fixture
def object_store(monkeypatch):
    """An S3-compatible store on localhost (moto's server) with an empty bucket `lake`; no AWS, no network."""
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="lake")
    yield endpoint
    server.stop()


def test_an_s3_lake_is_written_through_the_s3_api_and_read_by_the_catalogue(settings, object_store, monkeypatch):
    monkeypatch.setenv("SITREP_LAKE", "s3://lake/sitrep")
    monkeypatch.setenv("SITREP_LAKE_S3_ENDPOINT", object_store)
    write_good_inputs(settings.reports_dir)
    assert main() == 0
    listed = boto3.client("s3", endpoint_url=object_store).list_objects_v2(Bucket="lake", Prefix="sitrep/")
    names = [r[0] for r in query(settings.warehouse_path, "select table_name from duckdb_tables() where schema_name = 'main' order by 1")]
    assert sorted(o["Key"] for o in listed["Contents"]) == [f"sitrep/{n}.parquet" for n in names]
    with duckdb.connect(str(settings.warehouse_path.with_name(LAKE_CATALOGUE)), read_only=True) as connection:
        # A reader brings its own access to the store: here the lake's own reader (elsewhere DuckDB's httpfs).
        connection.register_filesystem(lake_reader("s3://lake/sitrep", object_store))
        assert connection.execute("select count(*) from claims").fetchone() == query(settings.warehouse_path, "select count(*) from claims")[0]
