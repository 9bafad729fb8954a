"""Atomic publishing: a failed build leaves the published file as it was; readers in other processes neither block nor
break a publish; a patched file equals one built from the same tables."""

import datetime as dt
import json
import time

import duckdb
import polars as pl
import pytest

from pipelines import trash
from pipelines.extraction import attribute, locate
from pipelines.ingest.formats import Limits
from pipelines.ingest.mappings import load_mappings
from pipelines.ingest.scan import ingest_folder
from pipelines.places.gazetteer import Gazetteer
from pipelines.places.sources import packaged_features
from pipelines.publish import Check, PublishError, create_table_sql, load_checks, load_marts, publish
from pipelines.schemas import TABLE_MODELS, Sources, empty_frame, enumerations
from pipelines.settings import SEEDS_DIR
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


# A patched warehouse: the published file copied and brought up to new tables report by report.

STORIES = [
    "Russian forces shelled Kherson overnight, the regional head said.",
    "Ukrainian forces repelled an assault near Bakhmut on Tuesday, the General Staff reported.",
    "The Russian MoD claimed that Russian forces captured Soledar.",
    "Ukrainian officials said a missile strike hit Kharkiv.",
    "Rybar claimed that Wagner Group fighters advanced near Bakhmut.",
    "The Ukrainian General Staff reported that Russian forces did not conduct offensive operations near Izium.",
]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_features(packaged_features(), source="packaged")


def extracted_tables(folder, texts: dict[str, str], gazetteer) -> dict[str, pl.DataFrame]:
    """The contract tables the pipeline would publish for these reports (file name -> text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingested = ingest_folder(folder, Limits(10**6, 10**6), load_mappings([SEEDS_DIR / "record_mappings.yaml"]), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    places, mentions, _ = locate(ingested.reports, gazetteer, None, workers=1)
    sources, claims, claim_places, _ = attribute(ingested.reports, mentions, None, workers=1)
    frames = {"reports": ingested.reports, "rejected_reports": ingested.rejected_reports, "report_inputs": ingested.report_inputs,
              "sources": sources, "places": places, "place_mentions": mentions, "claims": claims, "claim_places": claim_places}
    return {name: frames[name] for name in TABLE_MODELS}


def publish_all(path, frames, window_days=3):
    return publish(path, frames, {"enumerations": enumerations()}, load_checks(), load_marts(), {"window_days": window_days})


def contents(path) -> dict[str, list]:
    """Every table and mart of a warehouse, rows sorted (a patch appends the rows it replaces)."""
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [r[0] for r in connection.execute("select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
        return {name: connection.execute(f'select * from "{name}" order by all').fetchall() for name in names}


def test_a_patched_warehouse_equals_one_built_from_the_same_tables(tmp_path, gazetteer):
    texts = {f"r{i}.txt": f"{STORIES[i % len(STORIES)]} Report {i}." for i in range(16)}
    path = tmp_path / "w" / "sitrep.duckdb"
    assert publish_all(path, extracted_tables(tmp_path / "in", texts, gazetteer)).mode == "built"
    # One report removed, one rewritten with other places and claimants, one added.
    del texts["r3.txt"]
    texts["r4.txt"] = "Russian milblogger WarGonzo claimed that Russian forces captured Vuhledar and Marinka on Monday."
    texts["new.txt"] = "The Ukrainian General Staff said Ukrainian forces repelled attacks near Avdiivka and Lyman."
    frames = extracted_tables(tmp_path / "in", texts, gazetteer)
    patched = publish_all(path, frames)
    # A rewritten text is another report (report_id is its hash): the old one goes, the new one comes.
    assert (patched.mode, patched.patched_reports) == ("patched", 4)
    assert {patched.changes[m] for m in ("claim_facts", "contested_claims", "corroborated_claims", "place_daily")} == {"patched"}
    fresh = publish_all(tmp_path / "fresh" / "sitrep.duckdb", frames)
    assert fresh.mode == "built"
    assert patched.row_counts == fresh.row_counts
    assert contents(path) == contents(fresh.path)
    assert [p.name for p in path.parent.iterdir()] == ["sitrep.duckdb"]


DATED_STORIES = [
    "The Russian MoD claimed that Russian forces captured Soledar.",
    "The Ukrainian General Staff reported that Ukrainian forces repelled Russian assaults near Soledar.",
    "Rybar claimed that Wagner Group fighters advanced near Bakhmut.",
    "Ukrainian officials said Ukrainian forces repelled an assault near Bakhmut.",
    "WarGonzo claimed that Russian forces captured Soledar.",
    "The Ukrainian General Staff said Ukrainian forces held their positions in Bakhmut.",
]


def dated_reports(days: dict[str, int]) -> dict[str, str]:
    """One JSON Lines file of reports (id -> day of March 2023), each telling one of the dated stories."""
    lines = [json.dumps({"id": rid, "date": f"2023-03-{day:02d}", "source": "wire", "title": rid, "url": None,
                         "text": f"{DATED_STORIES[int(rid[1:]) % len(DATED_STORIES)]} Report {rid}."}) for rid, day in days.items()]
    return {"reports.jsonl": "\n".join(lines) + "\n"}


def test_window_patched_marts_equal_those_built_anew_however_the_days_fall(tmp_path, gazetteer):
    # Reports a few days apart: a changed report's claims pair with claims inside the window and not beyond.
    days = {f"r{i}": 1 + (i * 5) % 13 for i in range(18)}
    path = tmp_path / "w" / "sitrep.duckdb"
    publish_all(path, extracted_tables(tmp_path / "in", dated_reports(days), gazetteer))
    for change in ({"r20": 9, "r18": 6}, {"r21": 2, "r5": 14}, {"r22": 17}):
        days = {rid: day for rid, day in days.items() if rid not in ("r4", "r7")} | change
        frames = extracted_tables(tmp_path / "in", dated_reports(days), gazetteer)
        patched = publish_all(path, frames)
        assert patched.mode == "patched", patched
        assert {patched.changes[m] for m in ("contested_claims", "corroborated_claims", "place_daily")} == {"patched"}, patched.changes
        fresh = publish_all(tmp_path / f"fresh-{len(days)}" / "sitrep.duckdb", frames)
        assert fresh.row_counts["contested_claims"] and fresh.row_counts["corroborated_claims"]
        assert contents(path) == contents(fresh.path)


def test_nothing_changed_publishes_nothing_and_other_sql_or_parameters_build_anew(tmp_path, gazetteer):
    frames = extracted_tables(tmp_path / "in", {f"r{i}.txt": STORIES[i] for i in range(4)}, gazetteer)
    path = tmp_path / "sitrep.duckdb"
    built = publish_all(path, frames)
    before = path.stat()
    again = publish_all(path, frames)
    assert again.mode == "unchanged" and again.row_counts == built.row_counts
    assert all(r.passed for r in again.check_results)
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Another window is another build: every mart computed afresh.
    assert publish_all(path, frames, window_days=5).mode == "built"


def test_a_patch_that_breaks_a_check_on_a_changed_report_is_not_published(tmp_path, gazetteer):
    texts = {f"r{i}.txt": f"{STORIES[i % len(STORIES)]} Report {i}." for i in range(8)}
    path = tmp_path / "sitrep.duckdb"
    publish_all(path, extracted_tables(tmp_path / "in", texts, gazetteer))
    before = path.read_bytes()
    texts["new.txt"] = STORIES[2]
    frames = extracted_tables(tmp_path / "in", texts, gazetteer)
    new_report = frames["reports"].filter(pl.col("source_uri") == "new.txt")["report_id"].item()
    frames["claims"] = frames["claims"].with_columns(
        char_end=pl.when(pl.col("report_id") == new_report).then(pl.col("char_end") + 10_000).otherwise(pl.col("char_end"))
    )
    with pytest.raises(PublishError, match="offsets_in_text"):
        publish_all(path, frames)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["sitrep.duckdb"]


def test_a_mart_reads_no_column_beyond_those_it_declares(tmp_path):
    """A patch keeps a mart's rows when only undeclared columns of what it reads changed; so the declaration
    must be complete: the mart's SQL runs against tables cut down to the declared columns."""
    declaring = [mart for mart in load_marts() if mart.reads]
    assert declaring, "claim_facts declares what it reads of sources and places"
    with duckdb.connect() as connection:
        for table in TABLE_MODELS:
            connection.execute(create_table_sql(table).replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "full_{table}"', 1))
        for mart in declaring:
            for table in TABLE_MODELS:
                columns = ", ".join(f'"{c}"' for c in mart.reads[table]) if table in mart.reads else "*"
                connection.execute(f'CREATE OR REPLACE VIEW "{table}" AS SELECT {columns} FROM "full_{table}"')
            connection.execute(f"SELECT * FROM ({mart.sql}\n) LIMIT 0", {p: 1 for p in mart.parameters})
            undeclared = next(c for c in Sources.to_schema().columns if c not in mart.reads["sources"])
            connection.execute(f'CREATE OR REPLACE VIEW sources AS SELECT "{undeclared}" FROM full_sources')
            with pytest.raises(duckdb.BinderException):
                connection.execute(f"SELECT * FROM ({mart.sql}\n) LIMIT 0", {p: 1 for p in mart.parameters})


def test_a_change_to_what_a_patched_mart_reads_of_a_small_table_replaces_the_reports_naming_it(tmp_path, gazetteer):
    texts = {f"r{i}.txt": f"{STORIES[i % len(STORIES)]} Report {i}." for i in range(8)}
    path = tmp_path / "sitrep.duckdb"
    frames = extracted_tables(tmp_path / "in", texts, gazetteer)
    publish_all(path, frames)
    # A column claim_facts does not read: nothing of it changes.
    relinked = frames | {"sources": frames["sources"].with_columns(url=pl.lit("https://example.org/other"))}
    unread = publish_all(path, relinked)
    assert (unread.changes["sources"], unread.changes["claim_facts"], unread.patched_reports) == ("changed", "same", 0)
    # One it reads: the reports whose claims name that source are replaced, and only those.
    named = frames["claims"].filter(pl.col("source_id").is_not_null())
    source = named["source_id"].value_counts(sort=True).row(-1)[0]
    naming = set(named.filter(pl.col("source_id") == source)["report_id"])
    retyped = relinked | {"sources": relinked["sources"].with_columns(
        affiliation=pl.when(pl.col("source_id") != source).then(pl.col("affiliation")).when(pl.col("affiliation") == "UA").then(pl.lit("RU")).otherwise(pl.lit("UA")))}
    patched = publish_all(path, retyped)
    assert (patched.mode, patched.changes["claim_facts"], patched.patched_reports) == ("patched", "patched", len(naming))
    assert contents(path) == contents(publish_all(tmp_path / "fresh.duckdb", retyped).path)


def _emptied(folder, timeout=10.0):
    deadline = time.monotonic() + timeout
    while (folder / trash.TRASH).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return not (folder / trash.TRASH).exists()


def test_a_large_file_replaced_is_held_in_the_trash_and_freed_later_while_its_readers_keep_it(tmp_path, monkeypatch):
    monkeypatch.setattr(trash, "MIN_BYTES", 1)
    emptied = []
    monkeypatch.setattr(trash, "empty_later", emptied.append)
    target, staged = tmp_path / "big.csv", tmp_path / ".big.csv.new"
    target.write_text("old")
    staged.write_text("new")
    with target.open() as reader:
        trash.replace(staged, target)
        assert reader.read() == "old"
    assert target.read_text() == "new"
    assert emptied == [tmp_path / trash.TRASH]
    assert [p.read_text() for p in emptied[0].iterdir()] == ["old"]
    trash._empty(emptied[0])
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]


def test_publishing_over_a_large_warehouse_leaves_only_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setattr(trash, "MIN_BYTES", 1)
    path = tmp_path / "sitrep.duckdb"
    publish_reports(path, ["a"])
    publish_reports(path, ["a", "b"])
    assert report_ids_in(path) == ["a", "b"]
    assert _emptied(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["sitrep.duckdb"]
