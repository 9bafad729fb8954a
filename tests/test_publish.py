"""Atomic publishing: a failed build leaves the published file as it was; readers in other processes neither block nor break a publish."""

import duckdb
import polars as pl
import pytest

from pipelines.publish import Check, PublishError, create_table_sql, load_checks, publish
from pipelines.schemas import TABLE_MODELS, empty_frame, enumerations
from tests.reader import ReaderProcess


def tables(report_ids: list[str]) -> dict[str, pl.DataFrame]:
    frames = {name: empty_frame(model) for name, model in TABLE_MODELS.items()}
    now = pl.lit("2026-01-01T00:00:00Z").str.to_datetime(time_zone="UTC")
    frames["reports"] = pl.DataFrame({"report_id": report_ids, "source_uri": report_ids, "text": ["some text"] * len(report_ids)}).with_columns(
        title=pl.lit(None, pl.String),
        outlet=pl.lit(None, pl.String),
        url=pl.lit(None, pl.String),
        published_at=pl.lit(None, pl.Datetime("us", "UTC")),
        language=pl.lit("en"),
        ingested_at=now,
    ).select(frames["reports"].columns)
    frames["report_inputs"] = pl.DataFrame(
        {"source_uri": report_ids, "status": ["ingested"] * len(report_ids), "report_id": report_ids, "format": ["text"] * len(report_ids)}
    )
    return frames


def publish_reports(path, report_ids, checks=None):
    return publish(path, tables(report_ids), {"enumerations": enumerations()}, load_checks() if checks is None else checks)


def report_ids_in(path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return [row[0] for row in connection.execute("select report_id from reports order by report_id").fetchall()]


def test_publish_writes_every_table_and_passes_the_checks(tmp_path):
    path = tmp_path / "sitrep.duckdb"
    result = publish_reports(path, ["a", "b"])
    assert report_ids_in(path) == ["a", "b"]
    assert result.row_counts["reports"] == 2
    assert result.row_counts["enumerations"] > 40
    assert {r.name for r in result.check_results} == {c.name for c in load_checks()}
    assert all(r.passed for r in result.check_results)
    assert [p.name for p in tmp_path.iterdir()] == ["sitrep.duckdb"]


def test_failed_check_leaves_the_published_file_untouched(tmp_path):
    path = tmp_path / "sitrep.duckdb"
    publish_reports(path, ["a"])
    before = path.read_bytes()
    broken = tables(["b", "c"])
    broken["report_inputs"] = broken["report_inputs"].head(1)
    with pytest.raises(PublishError, match="inputs_accounted") as caught:
        publish(path, broken, {"enumerations": enumerations()}, load_checks())
    assert {r.name for r in caught.value.check_results if not r.passed} >= {"inputs_accounted", "report_inputs_resolve"}
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sitrep.duckdb"]


def test_error_halfway_through_the_build_leaves_the_published_file_untouched(tmp_path):
    path = tmp_path / "sitrep.duckdb"
    publish_reports(path, ["a"])
    before = path.read_bytes()
    with pytest.raises(duckdb.Error):
        publish_reports(path, ["b"], checks=[Check("broken", "a query that cannot run", "select * from no_such_table")])
    assert path.read_bytes() == before
    assert report_ids_in(path) == ["a"]
    assert [p.name for p in tmp_path.iterdir()] == ["sitrep.duckdb"]


def test_enumeration_check_catches_values_outside_the_contract(tmp_path):
    frames = tables(["a"])
    frames["sources"] = pl.DataFrame(
        {"source_id": ["s"], "name": ["S"], "aliases": [None], "source_type": ["blogger"], "affiliation": ["RU"], "url": [None], "origin": ["registry"]},
        schema=frames["sources"].schema,
    )
    with pytest.raises(PublishError, match="enumerations_valid"):
        publish(tmp_path / "w.duckdb", frames, {"enumerations": enumerations()}, load_checks())


def test_reader_in_another_process_neither_blocks_nor_breaks_a_publish(tmp_path):
    path = tmp_path / "sitrep.duckdb"
    publish_reports(path, ["a"])
    with ReaderProcess(path) as reader:
        assert reader.count_reports() == 1
        publish_reports(path, ["a", "b", "c"])
        # The open connection keeps reading the warehouse it opened; it is not broken by the swap.
        assert reader.count_reports() == 1
        assert reader.close() == 0
    # A connection opened after the publish sees the new warehouse.
    assert report_ids_in(path) == ["a", "b", "c"]


def test_primary_keys_come_from_the_models():
    assert 'PRIMARY KEY ("report_id")' in create_table_sql("reports")
    assert 'PRIMARY KEY ("claim_id")' in create_table_sql("claims")
    assert "PRIMARY KEY" not in create_table_sql("claim_places")
    assert '"aliases" VARCHAR[]' in create_table_sql("places")
    assert '"published_at" TIMESTAMP WITH TIME ZONE' in create_table_sql("reports")
