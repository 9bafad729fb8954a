"""The Dagster job end to end, as `make run` runs it, on temporary folders."""

import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines.claims.registry import SourceRegistry
from pipelines.definitions import defs
from pipelines.run import main
from tests.inputs import write_broken_inputs, write_good_inputs
from tests.reader import ReaderProcess


def query(path, sql):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_run_publishes_every_input_and_prints_the_summary(settings, capsys):
    good = write_good_inputs(settings.reports_dir)
    broken = write_broken_inputs(settings.reports_dir)
    assert main() == 0
    out = capsys.readouterr().out
    inputs = len(good) + len(broken) + 1  # + the good record inside broken/records.jsonl
    reports = inputs - len(broken) - 1
    assert f"Inputs seen: {inputs} = {reports} reports + 1 duplicates + {len(broken)} rejected" in out
    assert "bad_front_matter 2" in out and "make query" in out and str(settings.warehouse_path) in out
    assert "Rows per mart: claim_facts" in out
    assert f"Reports this run: place_mentions {reports} extracted, 0 reused; claims {reports} extracted, 0 reused" in out
    path = settings.warehouse_path
    assert query(path, "select count(*) from reports") == [(reports,)]
    assert dict(query(path, "select source_uri, reason from rejected_reports")) == broken
    registry = SourceRegistry.from_seeds().sources
    assert query(path, "select count(*) from sources where origin = 'registry'") == [(len(registry),)]
    assert query(path, "select count(*) from claims c anti join reports r using (report_id)") == [(0,)]
    # Places come from the packaged fallback gazetteer here (no GeoNames dump is configured in tests).
    located = dict(query(path, "select m.mention_text, p.name from place_mentions m join places p using (place_id)"))
    assert located["Kharkiv"] == "Kharkiv"
    assert query(path, "select count(*) from places where lat is null and feature_type not in ('road', 'river', 'region')") == [(0,)]


def test_failed_run_leaves_the_published_warehouse_as_it_was(settings, capsys):
    write_good_inputs(settings.reports_dir)
    assert main() == 0
    before = settings.warehouse_path.read_bytes()
    shutil.rmtree(settings.reports_dir)
    assert main() == 1
    assert "unchanged" in capsys.readouterr().err
    assert settings.warehouse_path.read_bytes() == before


def test_asset_checks_are_reported_on_the_warehouse(settings):
    write_good_inputs(settings.reports_dir)
    result = defs().resolve_job_def("materialize_all").execute_in_process()
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {"enumerations_valid", "foreign_keys", "inputs_accounted", "offsets_in_text", "report_inputs_resolve"}
    assert all(e.passed for e in evaluations)


@pytest.mark.parametrize("driver", ["duckdb", "sqlalchemy"])
def test_bi_reader_holding_the_warehouse_does_not_block_a_run(settings, driver):
    (settings.reports_dir / "one.txt").write_text("Russian forces shelled Kherson overnight, the regional head said.")
    assert main() == 0
    with ReaderProcess(settings.warehouse_path, driver) as reader:
        assert reader.count_reports() == 1
        write_good_inputs(settings.reports_dir)
        assert main() == 0
        assert reader.count_reports() == 1
        assert reader.close() == 0
    assert query(settings.warehouse_path, "select count(*) > 1 from reports") == [(True,)]
    if driver == "sqlalchemy":
        import sqlalchemy

        engine = sqlalchemy.create_engine(f"duckdb:///{settings.warehouse_path}", connect_args={"read_only": True})
        with engine.connect() as connection:
            facts = connection.execute(sqlalchemy.text("select count(*) from claim_facts where claim_text is not null")).scalar()
        assert facts > 0


def test_asset_keys_and_groups_snapshot():
    definitions = defs()
    groups = {}
    for assets_def in definitions.assets:
        for key in assets_def.keys:
            groups[key.to_user_string()] = assets_def.group_names_by_key[key]
    assert groups == {
        "reports": "ingest",
        "rejected_reports": "ingest",
        "report_inputs": "ingest",
        "sources": "extract",
        "gazetteer": "extract",
        "places": "extract",
        "place_mentions": "extract",
        "claims": "extract",
        "claim_places": "extract",
        "warehouse": "warehouse",
        "claim_facts": "marts",
        "place_daily": "marts",
        "contested_claims": "marts",
        "corroborated_claims": "marts",
        "place_status_latest": "marts",
        "source_activity": "marts",
        "claim_facts_exports": "exports",
        "overview": "exports",
    }


def test_every_table_asset_shows_its_column_schema():
    """Tables declare their columns up front; marts report theirs when built (SQL decides them)."""
    definitions = defs()
    for assets_def in definitions.assets:
        for key in assets_def.keys:
            if assets_def.group_names_by_key[key] in {"ingest", "extract"} and key.to_user_string() != "gazetteer":
                schema = assets_def.specs_by_key[key].metadata["dagster/column_schema"]
                assert all(column.description for column in schema.columns)


def test_importing_the_code_location_has_no_side_effects(tmp_path):
    target = tmp_path / "never" / "sitrep.duckdb"
    code = "import pipelines.definitions as d; import dagster as dg; assert not isinstance(d.defs, dg.Definitions)"
    subprocess.run([sys.executable, "-c", code], check=True, env={"SITREP_WAREHOUSE": str(target), "PATH": ""})
    assert not (tmp_path / "never").exists()
