"""The reports folder in, reports, rejections and the ledger out: every input accounted for."""

import datetime as dt

import polars as pl
import pytest

from pipelines.ingest.formats import split_front_matter, telegram_text
from pipelines.ingest.mappings import parse_mappings
from pipelines.ingest.scan import ingest_folder, list_inputs
from tests.inputs import ENGLISH, UKRAINIAN, write_broken_inputs, write_good_inputs

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def ingested(tmp_path, limits, mappings):
    good = write_good_inputs(tmp_path)
    broken = write_broken_inputs(tmp_path)
    return good, broken, ingest_folder(tmp_path, limits, mappings, NOW)


def test_each_broken_input_is_rejected_once_with_its_reason(ingested):
    _, broken, result = ingested
    rejected = dict(zip(result.rejected_reports["source_uri"], result.rejected_reports["reason"]))
    assert rejected == broken
    assert result.rejected_reports["detail"].str.len_chars().min() > 10


def test_every_good_input_is_ingested_or_a_duplicate(ingested):
    good, broken, result = ingested
    ledger = dict(zip(result.report_inputs["source_uri"], result.report_inputs["status"]))
    expected = {**good, **{uri: "rejected" for uri in broken}, "broken/records.jsonl#ok": "ingested"}
    assert ledger == expected
    summary = result.summary()
    assert summary["inputs_seen"] == summary["reports"] + summary["duplicates"] + summary["rejected"]
    assert summary["duplicates"] == 1


def test_duplicate_points_at_the_first_report(ingested):
    _, _, result = ingested
    inputs = result.report_inputs
    original = inputs.filter(pl.col("source_uri") == "later/same-text.txt")["report_id"].item()
    assert original == result.reports.filter(pl.col("source_uri") == "front.md")["report_id"].item()


def test_metadata_of_each_format(ingested):
    _, _, result = ingested
    reports = {row["source_uri"]: row for row in result.reports.to_dicts()}
    front = reports["front.md"]
    assert (front["title"], front["outlet"], front["url"], front["language"]) == ("Vuhledar update", "Test desk", "https://example.org/a", "en")
    assert front["published_at"] == dt.datetime(2024, 9, 3, 15, 30, tzinfo=dt.timezone.utc)
    assert front["text"] == ENGLISH
    assert reports["cp1251.txt"]["text"] == UKRAINIAN
    assert reports["cp1251.txt"]["language"] == "uk"
    assert reports["feed.jsonl#r2"]["outlet"] == "Feed"
    page = reports["page.html"]
    assert page["title"] == "Strike on Kharkiv"
    assert "guided bombs" in page["text"] and "Copyright" not in page["text"] and "Home | News" not in page["text"]
    assert page["published_at"] == dt.datetime(2024, 9, 2, 11, 10, tzinfo=dt.timezone.utc)
    telegram = reports["tg/result.json#7"]
    assert telegram["text"] == "Zaporizhzhia: Russian MoD claims gains near Robotyne."
    assert telegram["url"] == "https://t.me/c/1234567890/7"
    assert telegram["published_at"] == dt.datetime(2024, 9, 1, 9, 15, tzinfo=dt.timezone.utc)


def test_same_folder_twice_gives_the_same_reports(tmp_path, limits, mappings):
    write_good_inputs(tmp_path)
    first = ingest_folder(tmp_path, limits, mappings, NOW)
    second = ingest_folder(tmp_path, limits, mappings, NOW)
    assert first.reports.equals(second.reports)


def test_unchanged_inputs_come_from_the_cache_and_changed_ones_are_read_again(tmp_path, limits, mappings, monkeypatch):
    import pipelines.ingest.scan as scan

    folder, cache = tmp_path / "reports", tmp_path / "cache"
    write_good_inputs(folder)
    write_broken_inputs(folder)
    fresh = ingest_folder(folder, limits, mappings, NOW)
    assert ingest_folder(folder, limits, mappings, NOW, cache).reports.equals(fresh.reports)
    read = []
    real = scan.read_input
    monkeypatch.setattr(scan, "read_input", lambda path, *args: read.append(path.name) or real(path, *args))
    again = ingest_folder(folder, limits, mappings, NOW, cache)
    # Only what cannot be looked at (a broken link) is read again, to be rejected again.
    unreadable = sorted(p.name for p in folder.rglob("*") if not p.exists())
    assert read == unreadable and again.reports.equals(fresh.reports) and again.rejected_reports.equals(fresh.rejected_reports)
    changed = next(p for p in sorted(folder.rglob("*.txt")))
    changed.write_text("Ukrainian forces repelled an assault near Bakhmut, the General Staff said.", encoding="utf-8")
    (folder / "gone.txt").write_text("Russian forces shelled Kherson overnight.", encoding="utf-8")
    result = ingest_folder(folder, limits, mappings, NOW, cache)
    assert sorted(read) == sorted([*unreadable, *unreadable, changed.name, "gone.txt"])
    assert result.reports["text"].str.contains("Bakhmut").any()
    (folder / "gone.txt").unlink()
    ingest_folder(folder, limits, mappings, NOW, cache)
    assert len(list(cache.glob("*.pickle"))) == len(list_inputs(folder)) - len(unreadable)


def test_missing_folder_is_a_configuration_error(tmp_path, limits, mappings):
    with pytest.raises(FileNotFoundError, match="SITREP_REPORTS_DIR"):
        ingest_folder(tmp_path / "nowhere", limits, mappings, NOW)


def test_hidden_files_are_not_inputs(tmp_path, limits, mappings):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    assert ingest_folder(tmp_path, limits, mappings, NOW).report_inputs.height == 0


def test_front_matter_is_split_from_the_body():
    meta, body = split_front_matter("---\ntitle: A\npublished: 2024-09-03\n---\nBody text\n")
    assert meta == {"title": "A", "published": dt.date(2024, 9, 3)}
    assert body == "Body text\n"
    assert split_front_matter("No front matter ---\n") == ({}, "No front matter ---\n")


def test_telegram_text_joins_entity_fragments():
    assert telegram_text(["a ", {"type": "link", "text": "https://x"}, " b", 7]) == "a https://x b"
    assert telegram_text(None) == ""


def test_a_user_mapping_reads_a_new_record_shape(tmp_path, limits, mappings):
    custom = parse_mappings(
        {"mappings": [{"name": "feed", "match": ["body", "stamp"], "text": ["headline", "body"], "title": "headline", "published": "stamp", "published_format": "%d.%m.%Y"}]},
        "test",
    )
    (tmp_path / "feed.jsonl").write_text('{"headline": "Strike on Sumy", "body": "Two injured.", "stamp": "03.09.2024"}\n')
    result = ingest_folder(tmp_path, limits, [*custom, *mappings], NOW)
    row = result.reports.row(0, named=True)
    assert row["text"] == "Strike on Sumy\n\nTwo injured."
    assert row["published_at"] == dt.datetime(2024, 9, 3, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "document",
    [{"maps": []}, {"mappings": [{"title": "t"}]}, {"mappings": [{"text": "t", "colour": "red"}]}, {"mappings": [{"text": 5}]}],
)
def test_malformed_mapping_files_are_refused(document):
    with pytest.raises(ValueError):
        parse_mappings(document, "test")
