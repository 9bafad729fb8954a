"""Publishing to a lake: every table and mart as Parquet at SITREP_LAKE, and a DuckDB catalogue of views reading it."""

import duckdb

from pipelines.definitions import defs
from pipelines.lake import LAKE_CATALOGUE
from pipelines.run import main
from tests.inputs import write_good_inputs
from tests.test_pipeline import query


def test_without_a_lake_there_is_no_lake_asset():
    assert "lake" not in {key.to_user_string() for key in defs().resolve_asset_graph().get_all_asset_keys()}


def test_the_lake_holds_every_table_and_the_catalogue_reads_it(settings, tmp_path, monkeypatch):
    lake = tmp_path / "object store" / "sitrep"
    monkeypatch.setenv("SITREP_LAKE", f"file://{lake}")
    write_good_inputs(settings.reports_dir)
    assert main() == 0
    names = [r[0] for r in query(settings.warehouse_path, "select table_name from duckdb_tables() order by 1")]
    assert sorted(p.stem for p in lake.glob("*.parquet")) == names
    catalogue = settings.warehouse_path.with_name(LAKE_CATALOGUE)
    with duckdb.connect(str(catalogue), read_only=True) as connection:
        for name in ("claims", "claim_facts", "reports"):
            assert connection.execute(f"select count(*) from {name}").fetchone() == query(settings.warehouse_path, f"select count(*) from {name}")[0]
    # The lake is read by address, so a later run's objects are what the same catalogue sees.
    (settings.reports_dir / "more.txt").write_text("Russian forces shelled Kherson overnight, the regional head said.")
    assert main() == 0
    with duckdb.connect(str(catalogue), read_only=True) as connection:
        assert connection.execute("select count(*) from reports").fetchone() == query(settings.warehouse_path, "select count(*) from reports")[0]
