"""Incremental extraction: reports already extracted come from the cache, new ones are extracted (in worker
processes when there are many), and the tables are the same as a run from scratch would give."""

import pickle

import polars as pl
import pytest

import pipelines.incremental as incremental
from pipelines.extraction import attribute, locate
from pipelines.incremental import StageCache, extract_incrementally, map_in_workers
from pipelines.places.gazetteer import Gazetteer
from pipelines.places.names import loose_key
from pipelines.places.sources import packaged_features
from pipelines.definitions import defs
from tests.inputs import write_good_inputs
from tests.test_pipeline import query

SENTENCES = [
    "Russian forces shelled Kherson overnight, the regional head said.",
    "Ukrainian forces repelled an assault near Bakhmut, the General Staff reported.",
    "The Russian MoD claimed that Russian forces captured Soledar.",
    "Ukrainian officials said a missile strike hit Kharkiv on Tuesday.",
]


def letters(items: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """A toy extraction: one row per letter of each report's text; records which reports it saw."""
    letters.seen += items["report_id"].to_list()
    rows = [{"report_id": rid, "letter": ch} for rid, text in items.select("report_id", "text").iter_rows() for ch in text]
    return {"letters": pl.DataFrame(rows, schema={"report_id": pl.String, "letter": pl.String})}


def run_letters(texts: dict[str, str], cache: StageCache) -> pl.DataFrame:
    letters.seen = []
    items = pl.DataFrame({"report_id": list(texts), "text": list(texts.values())})
    tables, _stats = extract_incrementally(items, list(texts.values()), ["letters"], letters, cache, workers=1)
    return tables["letters"]


def test_only_new_or_changed_reports_are_extracted_and_tables_match_a_fresh_run(tmp_path):
    cache = StageCache(tmp_path / "stage", "v1")
    first = {"a": "xy", "b": "pqr"}
    assert run_letters(first, cache)["letter"].to_list() == list("xypqr")
    assert letters.seen == ["a", "b"]
    assert run_letters(first, cache)["letter"].to_list() == list("xypqr") and letters.seen == []
    # A new report, a changed one (same id, new key) and a removed one, in a new order.
    second = {"c": "mn", "a": "xz"}
    incremental_tables = run_letters(second, cache)
    assert sorted(letters.seen) == ["a", "c"]
    assert incremental_tables.equals(run_letters(second, StageCache(None, "v1")))
    assert incremental_tables["letter"].to_list() == list("mnxz")
    # The removed report is gone from the cache too: adding it back extracts it again.
    run_letters({**second, "b": "pqr"}, cache)
    assert letters.seen == ["b"]


def test_added_reports_are_kept_as_a_part_of_their_own_and_the_parts_are_joined_when_reports_go(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MAX_PARTS", 3)
    folder = tmp_path / "stage"

    def parts() -> list[str]:
        (generation,) = folder.glob("g-*")
        return sorted(p.name for p in generation.glob("letters.*.parquet"))

    texts = {"a": "xy"}
    run_letters(texts, StageCache(folder, "v1"))
    first_part = next(folder.glob("g-*/letters.0.parquet")).stat().st_ino
    for report, text in [("b", "pq"), ("c", "mn")]:
        texts[report] = text
        incremental_tables = run_letters(texts, StageCache(folder, "v1"))
        assert letters.seen == [report]
        assert incremental_tables.equals(run_letters(texts, StageCache(None, "v1")))
    assert parts() == ["letters.0.parquet", "letters.1.parquet", "letters.2.parquet"]
    # The earlier parts are the same files, linked into each new generation, not copies.
    assert next(folder.glob("g-*/letters.0.parquet")).stat().st_ino == first_part
    assert run_letters(texts, StageCache(folder, "v1"))["letter"].to_list() == list("xypqmn") and letters.seen == []
    # Past MAX_PARTS the parts are written again as one; a report gone rewrites them too.
    texts["d"] = "k"
    run_letters(texts, StageCache(folder, "v1"))
    assert parts() == ["letters.0.parquet"] and letters.seen == ["d"]
    texts["e"] = "j"
    run_letters(texts, StageCache(folder, "v1"))
    del texts["b"]
    assert run_letters(texts, StageCache(folder, "v1"))["letter"].to_list() == list("xymnkj")
    assert parts() == ["letters.0.parquet"] and letters.seen == []


def test_a_new_extraction_version_or_a_damaged_cache_extracts_everything_again(tmp_path):
    texts = {"a": "xy", "b": "pq"}
    run_letters(texts, StageCache(tmp_path / "stage", "v1"))
    run_letters(texts, StageCache(tmp_path / "stage", "v2"))
    assert letters.seen == ["a", "b"]
    assert len(list((tmp_path / "stage").glob("g-*"))) == 1  # the old version's generation is removed
    for part in (tmp_path / "stage").glob("g-*/letters.*.parquet"):
        part.write_bytes(b"not parquet")
    assert run_letters(texts, StageCache(tmp_path / "stage", "v2"))["letter"].to_list() == list("xypq")
    assert letters.seen == ["a", "b"]


def test_no_reports_give_empty_tables_of_the_right_shape(tmp_path):
    tables = run_letters({}, StageCache(tmp_path / "stage", "v1"))
    assert tables.height == 0 and tables.columns == ["report_id", "letter"]


def square(number: int) -> int:
    import os

    return number * number, os.getpid()


def test_worker_processes_return_results_in_task_order():
    results = map_in_workers(square, list(range(6)), workers=2)
    assert [r[0] for r in results] == [n * n for n in range(6)]
    import os

    assert {pid for _, pid in results} - {os.getpid()}, "the tasks ran in this process, not in workers"


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_features(packaged_features(), source="packaged")


def reports_frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "report_id": [f"r{i}" for i in range(len(texts))],
            "text": texts,
            "published_at": [None] * len(texts),
            "outlet": [None] * len(texts),
            "url": [None] * len(texts),
        },
        schema={"report_id": pl.String, "text": pl.String, "published_at": pl.Datetime("us", "UTC"), "outlet": pl.String, "url": pl.String},
    )


def test_extraction_in_worker_processes_gives_the_same_tables_as_in_one(gazetteer, monkeypatch):
    reports = reports_frame([SENTENCES[i % len(SENTENCES)] + f" Report {i}." for i in range(12)])
    serial = locate(reports, gazetteer, None, workers=1)
    monkeypatch.setattr(incremental, "MIN_PARALLEL_REPORTS", 2)
    parallel = locate(reports, gazetteer, None, workers=2)
    assert parallel[2].workers == 2
    assert all(a.equals(b) for a, b in zip(serial[:2], parallel[:2]))
    assert serial[1].height >= 12
    claims_serial = attribute(reports, serial[1], None, workers=1)
    claims_parallel = attribute(reports, serial[1], None, workers=2)
    assert claims_parallel[3].workers == 2
    assert all(a.equals(b) for a, b in zip(claims_serial[:3], claims_parallel[:3]))
    assert claims_serial[1].height >= 4


def test_claims_are_extracted_again_when_a_reports_places_change(gazetteer, tmp_path):
    reports = reports_frame(SENTENCES)
    _places, mentions, _ = locate(reports, gazetteer, tmp_path, workers=1)
    attribute(reports, mentions, tmp_path, workers=1)
    moved = mentions.with_columns(pl.when(pl.col("report_id") == "r0").then(pl.lit("gn:other")).otherwise("place_id").alias("place_id"))
    _sources, _claims, claim_places, stats = attribute(reports, moved, tmp_path, workers=1)
    assert (stats.reused, stats.extracted) == (len(SENTENCES) - 1, 1)
    assert "gn:other" in claim_places["place_id"].to_list()


TABLES = ("reports", "claims", "claim_places", "place_mentions", "places", "sources")


def snapshot(path) -> dict[str, list]:
    return {t: query(path, f"select * exclude (ingested_at) from {t} order by all" if t == "reports" else f"select * from {t} order by all") for t in TABLES}


def extraction_counts() -> dict[str, tuple[int, int]]:
    """(reports reused, reports extracted) of each extraction step in one run of the job."""
    result = defs().resolve_job_def("materialize_all").execute_in_process()
    assert result.success
    counts = {}
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "reports_reused" in metadata:
            counts[event.asset_key.to_user_string()] = (metadata["reports_reused"].value, metadata["reports_extracted"].value)
    return counts


def test_a_new_report_is_the_only_one_extracted_and_removing_it_restores_the_warehouse(settings):
    write_good_inputs(settings.reports_dir)
    # Enough reports that one more stays within the density's drift (DENSITY_DRIFT): only it is located.
    for i in range(12):
        (settings.reports_dir / f"filler-{i}.txt").write_text(f"{SENTENCES[i % len(SENTENCES)]} Filler {i}.")
    first = extraction_counts()
    reports = query(settings.warehouse_path, "select count(*) from reports")[0][0]
    assert first == {"place_mentions": (0, reports), "claims": (0, reports)}
    before = snapshot(settings.warehouse_path)
    (settings.reports_dir / "new.txt").write_text(SENTENCES[2])
    assert extraction_counts() == {"place_mentions": (reports, 1), "claims": (reports, 1)}
    assert query(settings.warehouse_path, "select count(*) > 0 from claims where text like '%Soledar%'") == [(True,)]
    (settings.reports_dir / "new.txt").unlink()
    assert extraction_counts() == {"place_mentions": (reports, 0), "claims": (reports, 0)}
    assert snapshot(settings.warehouse_path) == before


def test_the_reporting_density_is_counted_again_once_the_reports_drift_past_the_threshold(gazetteer, tmp_path):
    many = reports_frame([f"{SENTENCES[i % len(SENTENCES)]} Report {i}." for i in range(21)])
    locate(many.head(20), gazetteer, tmp_path, workers=1)
    assert locate(many, gazetteer, tmp_path, workers=1)[2].extracted == 1  # 1 in 20 new: the density holds
    few = many.head(4)
    locate(few, gazetteer, tmp_path, workers=1)
    assert locate(many.head(5), gazetteer, tmp_path, workers=1)[2].extracted == 5  # 1 in 4: counted again


def test_the_extraction_version_follows_code_and_rule_seeds_but_not_gold_files(tmp_path, monkeypatch):
    for path, text in {"pipelines/places/resolve.py": "A = 1", "pipelines/claims/events.py": "B = 1", "pipelines/schemas.py": "",
                       "pipelines/extraction.py": "", "pipelines/incremental.py": "",
                       "seeds/event_triggers.csv": "trigger\ncaptured", "seeds/gold/dev/a.json": "{}", "seeds/reports/r.txt": "x"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.setattr(incremental, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(incremental, "SEEDS_DIR", tmp_path / "seeds")
    version = incremental.rules_version()
    (tmp_path / "seeds/gold/dev/a.json").write_text('{"claims": []}', encoding="utf-8")
    (tmp_path / "seeds/reports/r.txt").write_text("y", encoding="utf-8")
    assert incremental.rules_version() == version
    (tmp_path / "seeds/event_triggers.csv").write_text("trigger\ncaptured\nseized", encoding="utf-8")
    assert incremental.rules_version() != version
    version = incremental.rules_version()
    (tmp_path / "pipelines/places/resolve.py").write_text("A = 2", encoding="utf-8")
    assert incremental.rules_version() != version


def test_a_text_changed_only_in_case_or_spacing_is_located_again(gazetteer, tmp_path):
    # The report_id ignores case and white space; the offsets do not.
    before = reports_frame(["Russian forces shelled Kherson overnight."])
    locate(before, gazetteer, tmp_path, workers=1)
    after = before.with_columns(pl.lit("RUSSIAN  FORCES SHELLED KHERSON OVERNIGHT.").alias("text"))
    _places, mentions, stats = locate(after, gazetteer, tmp_path, workers=1)
    assert stats.extracted == 1
    start, end = mentions.row(0, named=True)["char_start"], mentions.row(0, named=True)["char_end"]
    assert after["text"][0][start:end] == "KHERSON"


def test_the_gazetteer_name_indexes_are_kept_and_read_back_and_a_damaged_file_is_rebuilt(tmp_path):
    features = packaged_features()
    first = Gazetteer.from_features(features, source="packaged")
    first.keep_indexes(tmp_path / "gazetteer", "key")
    assert first.lookup("Kharkiv")[0], "a lookup builds the indexes"
    kept = tmp_path / "gazetteer" / "key.pickle"
    assert kept.exists()
    second = Gazetteer.from_features(features, source="packaged")
    second.keep_indexes(tmp_path / "gazetteer", "key")
    second._build_indexes = None  # reading the kept file must not build them again
    assert second.lookup("Kharkiv") == first.lookup("Kharkiv") and second.loose == first.loose
    assert second.primary_keys == [loose_key(name) for name in second.names]
    # A file kept by an earlier version (the two name indexes without the primary keys) is built again.
    kept.write_bytes(pickle.dumps(first._indexes[:2]))
    earlier = Gazetteer.from_features(features, source="packaged")
    earlier.keep_indexes(tmp_path / "gazetteer", "key")
    assert earlier.primary_keys == second.primary_keys
    kept.write_bytes(b"damaged")
    third = Gazetteer.from_features(features, source="packaged")
    third.keep_indexes(tmp_path / "gazetteer", "key")
    assert third.lookup("Kharkiv") == first.lookup("Kharkiv")
    # Another key (other features or rules) replaces the kept file.
    fourth = Gazetteer.from_features(features, source="packaged")
    fourth.keep_indexes(tmp_path / "gazetteer", "other")
    fourth.lookup("Kharkiv")
    assert [p.name for p in (tmp_path / "gazetteer").iterdir()] == ["other.pickle"]


def step_metadata() -> dict[str, dict]:
    """The metadata of each asset materialised by one run of the job."""
    result = defs().resolve_job_def("materialize_all").execute_in_process()
    assert result.success
    return {e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()} for e in result.get_asset_materialization_events()}


def test_a_run_with_nothing_new_publishes_and_exports_nothing_and_a_new_report_is_patched_in(settings):
    write_good_inputs(settings.reports_dir)
    # A rejected input keeps the time it was first rejected, so it changes nothing either.
    (settings.reports_dir / "blank.txt").write_text("   \n")
    for i in range(12):
        (settings.reports_dir / f"filler-{i}.txt").write_text(f"{SENTENCES[i % len(SENTENCES)]} Filler {i}.")
    first = step_metadata()
    assert first["warehouse"]["publish_mode"] == "built" and first["claim_facts_exports"]["written"]
    published = settings.warehouse_path.stat()
    csv = settings.warehouse_path.parent / "exports" / "claim_facts.csv"
    exported = csv.stat()
    ingested_at = query(settings.warehouse_path, "select report_id, ingested_at from reports order by 1")
    again = step_metadata()
    assert (again["warehouse"]["publish_mode"], again["claim_facts_exports"]["written"]) == ("unchanged", False)
    assert settings.warehouse_path.stat().st_mtime_ns == published.st_mtime_ns and csv.stat().st_mtime_ns == exported.st_mtime_ns
    (settings.reports_dir / "new.txt").write_text(SENTENCES[2] + " A new one.")
    grown = step_metadata()
    assert (grown["warehouse"]["publish_mode"], grown["warehouse"]["reports_patched"], grown["claim_facts_exports"]["written"]) == ("patched", 1, True)
    # Reports already published keep the time they were first read.
    assert set(ingested_at) < set(query(settings.warehouse_path, "select report_id, ingested_at from reports order by 1"))
