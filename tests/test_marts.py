"""The SQL marts: facts per claim and place, contested and corroborated claims, latest status, activity."""

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.gold import GEONAMES_UA, SHARED_DIR
from pipelines.publish import build_marts, load_marts, write_tables
from pipelines.schemas import TABLE_MODELS, empty_frame, polars_schema

DAY = dt.date(2022, 5, 7)


def claim(claim_id, source_id, event_type, actor_side, place_id, polarity="asserted", day=DAY, report_id="r1"):
    return {
        "claim": {
            "claim_id": claim_id,
            "report_id": report_id,
            "source_id": source_id,
            "cue": "claimed" if source_id else None,
            "event_type": event_type,
            "actor_side": actor_side,
            "polarity": polarity,
            "text": "t",
            "char_start": 0,
            "char_end": 1,
            "event_date": day,
            "date_precision": "day",
            "date_text": None,
            "quantity": None,
            "quantity_unit": None,
            "evidence_urls": None,
        },
        "place": {"claim_id": claim_id, "place_id": place_id, "role": "location", "char_start": 0, "char_end": 1},
    }


def warehouse(tmp_path: Path, claims: list[dict], more_mentions: list[dict] = ()) -> duckdb.DuckDBPyConnection:
    tables = {name: empty_frame(model) for name, model in TABLE_MODELS.items()}
    tables["reports"] = pl.DataFrame(
        [
            {"report_id": r, "source_uri": r, "title": None, "outlet": "Outlet " + r, "url": None,
             "published_at": dt.datetime(2022, 5, 8, tzinfo=dt.timezone.utc), "language": "en", "text": "t",
             "ingested_at": dt.datetime(2022, 5, 8, tzinfo=dt.timezone.utc)}
            for r in ("r1", "r2")
        ]
        + [
            # Reports with no publication date: their undated claims are compared within the report only.
            {"report_id": r, "source_uri": r, "title": None, "outlet": "Outlet " + r, "url": None, "published_at": None,
             "language": "en", "text": "t", "ingested_at": dt.datetime(2022, 5, 8, tzinfo=dt.timezone.utc)}
            for r in ("r3", "r4")
        ],
        schema=polars_schema(TABLE_MODELS["reports"]),
    )
    tables["sources"] = pl.DataFrame(
        [
            {"source_id": s, "name": s.upper(), "aliases": None, "source_type": "official_military", "affiliation": side, "url": None, "origin": "registry"}
            for s, side in (("ru_mod", "RU"), ("ru_blog", "RU"), ("ua_gs", "UA"), ("ua_unit", "UA"))
        ],
        schema=polars_schema(TABLE_MODELS["sources"]),
    )
    tables["places"] = pl.DataFrame(
        [{"place_id": p, "name": p.title(), "aliases": None, "feature_type": "village", "admin1": "Donetsk", "country_code": "UA",
          "lat": 48.0, "lon": 37.0, "geonameid": None, "precision": "gazetteer", "population": 0, "gazetteer": "seeds",
          "anchor_place_id": None, "distance_km": None, "bearing_deg": None} for p in ("popasna", "vodiane", "kreminna")],
        schema=polars_schema(TABLE_MODELS["places"]),
    )
    tables["claims"] = pl.DataFrame([c["claim"] for c in claims], schema=polars_schema(TABLE_MODELS["claims"]))
    tables["claim_places"] = pl.DataFrame([c["place"] for c in claims] + list(more_mentions), schema=polars_schema(TABLE_MODELS["claim_places"]))
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_tables(connection, tables)
    build_marts(connection, load_marts(), {"window_days": 3})
    return connection


def test_a_place_named_twice_in_a_claim_is_one_row_of_claim_facts(tmp_path):
    # c1 names Popasna again for reference and Vodiane for reference only; c2 names Popasna twice as a target.
    mentions = [
        {"claim_id": "c1", "place_id": "popasna", "role": "reference", "char_start": 5, "char_end": 9},
        {"claim_id": "c1", "place_id": "vodiane", "role": "reference", "char_start": 10, "char_end": 14},
        {"claim_id": "c2", "place_id": "popasna", "role": "target", "char_start": 5, "char_end": 9},
    ]
    c2 = claim("c2", "ru_mod", "strike", "RU", "popasna")
    c2["place"]["role"] = "target"
    connection = warehouse(tmp_path, [claim("c1", "ru_mod", "capture", "RU", "popasna"), c2], mentions)
    rows = connection.execute("select claim_id, place_id, place_role, locates_event from claim_facts order by all").fetchall()
    assert rows == [
        ("c1", "popasna", "location", True),
        ("c1", "vodiane", "reference", False),
        ("c2", "popasna", "target", True),
    ]


def test_conflicting_claims_about_a_place_are_contested(tmp_path):
    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ua_gs", "holding", "UA", "popasna", day=DAY + dt.timedelta(days=2)),
            claim("c3", "ru_blog", "capture", "RU", "vodiane"),
            claim("c4", "ua_unit", "assault", "RU", "vodiane"),
            claim("c5", "ru_mod", "capture", "RU", "kreminna"),
            claim("c6", "ua_gs", "holding", "UA", "kreminna", day=DAY + dt.timedelta(days=10)),
        ],
    )
    rows = connection.execute("select place_id, conflict, claim_id_a, claim_id_b from contested_claims order by place_id").fetchall()
    assert rows == [("popasna", "gain against defence", "c1", "c2"), ("vodiane", "capture against ongoing fighting", "c3", "c4")]


def test_the_window_holds_its_last_day_and_undated_claims_meet_only_within_their_report(tmp_path):
    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna", day=None, report_id="r3"),
            claim("c2", "ua_gs", "holding", "UA", "popasna", day=None, report_id="r3"),
            claim("c3", "ru_mod", "capture", "RU", "vodiane", day=None, report_id="r3"),
            claim("c4", "ua_gs", "holding", "UA", "vodiane", day=None, report_id="r4"),
            claim("c5", "ru_mod", "capture", "RU", "kreminna"),
            claim("c6", "ua_gs", "holding", "UA", "kreminna", day=DAY - dt.timedelta(days=3)),
            claim("c7", "ua_unit", "holding", "UA", "kreminna", day=DAY + dt.timedelta(days=4)),
            claim("c8", "ru_blog", "capture", "RU", "kreminna", day=DAY + dt.timedelta(days=3), report_id="r2"),
        ],
    )
    contested = connection.execute("select claim_id_a, claim_id_b from contested_claims order by all").fetchall()
    assert contested == [("c1", "c2"), ("c5", "c6"), ("c8", "c7")]
    corroborated = connection.execute("select claim_id, corroborating_claimants from corroborated_claims order by all").fetchall()
    assert corroborated == [("c5", ["RU_BLOG"]), ("c8", ["RU_MOD"])]


def test_independent_claimants_corroborate_but_a_report_does_not_corroborate_what_it_cites(tmp_path):
    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ua_gs", "capture", "RU", "popasna", day=DAY + dt.timedelta(days=1), report_id="r2"),
            claim("c3", "ru_blog", "strike", "RU", "vodiane"),
            claim("c4", None, "strike", "RU", "vodiane"),
        ],
    )
    rows = connection.execute("select claim_id, corroborations, cross_side, corroborated_later from corroborated_claims order by claim_id").fetchall()
    assert rows == [("c1", 1, True, True), ("c2", 1, True, False)]
    activity = dict(connection.execute("select source_id, share_corroborated from source_activity where source_id is not null").fetchall())
    assert activity == {"ru_mod": 1.0, "ua_gs": 1.0, "ru_blog": 0.0}


def test_latest_status_and_daily_counts(tmp_path):
    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ua_gs", "repelled", "UA", "popasna", day=DAY + dt.timedelta(days=1)),
            claim("c3", "ua_gs", "strike", "RU", "popasna", day=DAY + dt.timedelta(days=1)),
        ],
    )
    assert connection.execute("select place_id, latest_event_type, latest_claimant from place_status_latest").fetchall() == [("popasna", "repelled", "UA_GS")]
    daily = connection.execute("select day, event_type, ru_source_claims, ua_source_claims from place_daily order by day, event_type").fetchall()
    assert daily == [(DAY, "capture", 1, 0), (DAY + dt.timedelta(days=1), "repelled", 0, 1), (DAY + dt.timedelta(days=1), "strike", 0, 1)]


def test_marts_are_read_in_dependency_order_with_parameters_only():
    marts = load_marts()
    names = [m.name for m in marts]
    for mart in marts:
        assert all(names.index(d) < names.index(mart.name) for d in mart.depends if d in names)
        assert "{" not in mart.sql, "values reach mart SQL as $parameters, not by formatting"
    assert names.index("source_activity") > names.index("contested_claims")


@pytest.mark.skipif(not GEONAMES_UA.exists(), reason="needs the GeoNames extract in ../shared")
def test_the_seed_report_is_contested_where_the_analyst_says(settings, monkeypatch):
    from pipelines.run import main

    report = SHARED_DIR / "examples" / "vuhledar-report.txt"
    (settings.reports_dir / report.name).write_text(report.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("SITREP_GEONAMES", str(GEONAMES_UA))
    monkeypatch.setenv("SITREP_MAX_REPORT_CHARS", "100000")
    assert main() == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        contested = {row[0] for row in connection.execute("select place_name from contested_claims").fetchall()}
    assert {"Vodiane", "South Donbas Coal Mine No. 1", "Kurakhove"} <= contested


def test_claim_facts_exports_open_with_standard_readers(tmp_path):
    import csv
    import json

    from pipelines.exports import export_claim_facts

    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ua_gs", "repelled", "UA", "vodiane", day=dt.date(2022, 6, 1)),
        ],
    )
    connection.close()
    written, months_encoded = export_claim_facts(tmp_path / "w.duckdb", tmp_path / "exports")
    assert months_encoded == ["2022-05", "2022-06"]
    months = sorted(p.name for p in written["parquet"].iterdir())
    assert months == ["month=2022-05", "month=2022-06"]
    parquet = duckdb.execute(
        "select claim_id, month from read_parquet(?, hive_partitioning = true) order by claim_id", [f"{written['parquet']}/*/*.parquet"]
    ).fetchall()
    assert parquet == [("c1", "2022-05"), ("c2", "2022-06")]
    with written["csv"].open(newline="", encoding="utf-8") as handle:
        assert [row["claim_id"] for row in csv.DictReader(handle)] == ["c1", "c2"]
    collection = json.loads(written["geojson"].read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert [f["geometry"]["coordinates"] for f in collection["features"]] == [[37.0, 48.0], [37.0, 48.0]]
    assert collection["features"][0]["properties"]["claim_date"] == "2022-05-07"
    # A second export of the same rows encodes no month again, and leaves no staging files behind.
    assert export_claim_facts(tmp_path / "w.duckdb", tmp_path / "exports")[1] == []
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [".pieces", "claim_facts.csv", "claim_facts.geojson", "claim_facts_parquet"]
    assert sorted(p.name for p in written["parquet"].iterdir()) == months


def test_exports_encode_only_the_rows_that_changed_and_equal_a_fresh_export(tmp_path, monkeypatch):
    import json

    from pipelines import exports
    from pipelines.exports import export_claim_facts

    encoded = []
    encode = exports.encoded_rows
    monkeypatch.setattr(exports, "encoded_rows", lambda rows: encoded.extend(rows["claim_id"].to_list()) or encode(rows))

    claims = [
        claim("c1", "ru_mod", "capture", "RU", "popasna"),
        claim("c2", "ua_gs", "repelled", "UA", "vodiane", day=dt.date(2022, 6, 1)),
        claim("c3", "ua_gs", "strike", "UA", "vodiane", day=dt.date(2022, 7, 1)),
        claim("c6", "ru_blog", "strike", "RU", "kreminna", day=dt.date(2022, 5, 20)),
    ]
    warehouse(tmp_path, claims).close()
    out = tmp_path / "exports"
    export_claim_facts(tmp_path / "w.duckdb", out)
    june = out / "claim_facts_parquet" / "month=2022-06" / "00000000.parquet"
    june_written = june.stat().st_mtime_ns
    # May gains a claim, July loses its only one, August is new; June is left alone.
    (tmp_path / "w.duckdb").unlink()
    # May's other day (c6) is taken from the previous Parquet file, not from the warehouse.
    claims = [claims[0], claim("c4", "ru_blog", "advance", "RU", "popasna"), claims[3], claims[1], claim("c5", "ua_gs", "holding", "UA", "popasna", day=dt.date(2022, 8, 3))]
    warehouse(tmp_path, claims).close()
    encoded.clear()
    assert export_claim_facts(tmp_path / "w.duckdb", out)[1] == ["2022-05", "2022-08"]
    # c1 shares its day with the new c4 but is cut from the day's previous pieces.
    assert sorted(encoded) == ["c4", "c5"]
    assert june.stat().st_mtime_ns == june_written
    assert sorted(p.name for p in (out / "claim_facts_parquet").iterdir()) == ["month=2022-05", "month=2022-06", "month=2022-08"]
    fresh = tmp_path / "fresh"
    export_claim_facts(tmp_path / "w.duckdb", fresh)
    for name in ("claim_facts.csv", "claim_facts.geojson"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()
    assert [row["properties"]["claim_id"] for row in json.loads((out / "claim_facts.geojson").read_text())["features"]] == ["c1", "c4", "c6", "c2", "c5"]
    for month in ("2022-05", "2022-06", "2022-08"):
        patched, anew = (pl.read_parquet(d / "claim_facts_parquet" / f"month={month}" / "00000000.parquet") for d in (out, fresh))
        assert patched.equals(anew), month
    assert pl.read_parquet(out / "claim_facts_parquet" / "month=2022-05" / "00000000.parquet")["claim_id"].to_list() == ["c1", "c4", "c6"]
    # A row that changes within a day is encoded again, alone; its day's other row is kept.
    (tmp_path / "w.duckdb").unlink()
    claims[0] = claim("c1", "ru_mod", "advance", "RU", "popasna")
    warehouse(tmp_path, claims).close()
    encoded.clear()
    assert export_claim_facts(tmp_path / "w.duckdb", out)[1] == ["2022-05"]
    assert encoded == ["c1"]
    fresh = tmp_path / "fresh-again"
    export_claim_facts(tmp_path / "w.duckdb", fresh)
    for name in ("claim_facts.csv", "claim_facts.geojson"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()
    patched, anew = (pl.read_parquet(d / "claim_facts_parquet" / "month=2022-05" / "00000000.parquet") for d in (out, fresh))
    assert patched.equals(anew)
    assert patched.filter(pl.col("claim_id") == "c1")["event_type"].to_list() == ["advance"]


def test_the_overview_is_one_self_contained_page(tmp_path):
    from pipelines.overview import chromium, write_overview

    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ua_gs", "holding", "UA", "popasna", day=DAY + dt.timedelta(days=2)),
            claim("c3", "ru_blog", "strike", "RU", "vodiane", day=DAY + dt.timedelta(days=9)),
        ],
    )
    connection.close()
    written = write_overview(tmp_path / "w.duckdb", tmp_path / "exports")
    page = written["html"].read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "Popasna" in page and "gain against defence" in page
    assert "http" not in page and "<script" not in page, "the page needs no network and no scripts"
    assert ("png" in written) == (chromium() is not None)
    if "png" in written:
        assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_claimant_claim_carried_by_two_reports_counts_once(tmp_path):
    connection = warehouse(
        tmp_path,
        [
            claim("c1", "ru_mod", "capture", "RU", "popasna"),
            claim("c2", "ru_mod", "capture", "RU", "popasna", report_id="r2"),
            claim("c3", None, "capture", "RU", "popasna", report_id="r2"),
        ],
    )
    assert connection.execute("select count(distinct statement_id) from claim_facts").fetchone() == (2,)
    assert connection.execute("select claims, reports from place_daily").fetchall() == [(2, 2)]
    assert connection.execute("select claims, reports from source_activity where source_id = 'ru_mod'").fetchall() == [(1, 2)]


def test_every_documented_query_runs_with_its_parameters(tmp_path):
    from pipelines.publish import load_queries
    from pipelines.query import run_named

    connection = warehouse(tmp_path, [claim("c1", "ru_mod", "capture", "RU", "popasna"), claim("c2", "ua_gs", "holding", "UA", "popasna")])
    queries = load_queries()
    assert len(queries) >= 5
    results = {q.name: run_named(connection, q, {"place": "Popasna"}) for q in queries}
    assert results["place_claims"]["claimant"].to_list() == ["RU_MOD", "UA_GS"]
    assert results["contested_this_week"].height == 1
    with pytest.raises(ValueError, match="place="):
        run_named(connection, next(q for q in queries if q.name == "place_claims"), {})
