"""The evaluation of a warehouse against gold files: places, sources and claims on a tiny hand-built warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines import evaluate
from pipelines.gold import load_gold

TEXT = (
    "Russian forces captured Avdiivka on Monday, the Russian MoD claimed. "
    "The Ukrainian General Staff said Ukrainian forces repelled an assault near Marinka. "
    "Local residents said Russian forces shelled Avdiivka again. "
    "Outside the excerpt: Russian forces captured Marinka, the Russian MoD claimed."
)
EXCERPT_END = TEXT.index("Outside")
AVDIIVKA = {"place_id": "p-avdiivka", "name": "Avdiivka", "lat": 48.1394, "lon": 37.7497, "geonameid": 712423}
MARINKA = {"place_id": "p-marinka", "name": "Marinka", "lat": 47.9422, "lon": 37.5033, "geonameid": 702320}
QUOTES = [
    "Russian forces captured Avdiivka on Monday",
    "Ukrainian forces repelled an assault near Marinka",
    "Russian forces shelled Avdiivka again",
]

SCHEMA = """
create table reports (report_id varchar, source_uri varchar, text varchar, published_at timestamptz);
create table sources (source_id varchar, name varchar, aliases varchar[], source_type varchar, affiliation varchar, url varchar);
create table places (place_id varchar, name varchar, lat double, lon double, geonameid bigint);
create table place_mentions (report_id varchar, place_id varchar, mention_text varchar, char_start bigint, char_end bigint);
create table claims (claim_id varchar, report_id varchar, source_id varchar, cue varchar, event_type varchar,
    actor_side varchar, polarity varchar, text varchar, char_start bigint, char_end bigint, event_date date,
    date_precision varchar, date_text varchar, quantity double, quantity_unit varchar, evidence_urls varchar[]);
create table claim_places (claim_id varchar, place_id varchar, role varchar, char_start bigint, char_end bigint);
"""

SOURCES = {
    "s-mod": ("Russian Ministry of Defence", ["Russian MoD"]),
    "s-gs": ("Ukrainian General Staff", []),
    "s-residents": ("local residents", []),
    "s-wagner": ("Wagner Group", ["PMC Wagner"]),
}


def span(needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def place_mention(place: dict, nth: int = 0) -> tuple[int, int]:
    return span(place["name"], nth)


def gold_dict() -> dict:
    """Two sources (one matched only by alias), one optional source, two places, three claims (one optional)."""
    avdiivka = {**AVDIIVKA, "key": "avdiivka", "aliases": [], "tolerance_km": 6,
                "mentions": [list(place_mention(AVDIIVKA, 0)), list(place_mention(AVDIIVKA, 1))]}
    marinka = {**MARINKA, "key": "marinka", "aliases": ["Maryinka"], "tolerance_km": 6,
               "mentions": [list(place_mention(MARINKA))]}
    first = span(QUOTES[0])
    return {
        "report": "tiny.jsonl#1",
        "corpus": "test/corpus",
        "excerpt": {"char_start": 0, "char_end": EXCERPT_END},
        "sources": [
            {"key": "ru_mod", "name": "Ministry of Defence of the Russian Federation", "aliases": ["Russian MoD"],
             "source_type": "official_military", "affiliation": "RU"},
            {"key": "ua_gs", "name": "General Staff of the Armed Forces of Ukraine", "aliases": ["Ukrainian General Staff"],
             "source_type": "official_military", "affiliation": "UA"},
        ],
        "optional_sources": [
            {"key": "residents", "name": "Local residents", "aliases": [], "source_type": "unspecified", "affiliation": "unknown"},
        ],
        "places": [avdiivka, marinka],
        "claims": [
            {"source": "ru_mod", "event_type": "capture", "actor_side": "RU", "polarity": "asserted",
             "places": ["avdiivka"], "quote": QUOTES[0], "char_start": first[0], "char_end": first[1]},
            # No offsets: located by its quote inside the excerpt.
            {"source": "ua_gs", "event_type": "repelled", "actor_side": "UA", "places": ["marinka"], "quote": QUOTES[1]},
            {"source": "residents", "event_type": "strike", "actor_side": "RU", "polarity": "asserted",
             "places": ["avdiivka"], "quote": QUOTES[2], "optional": True},
        ],
    }


def perfect_claims() -> list[dict]:
    return [
        {"id": "c1", "source": "s-mod", "event_type": "capture", "side": "RU", "quote": QUOTES[0], "places": [(AVDIIVKA, 0)]},
        {"id": "c2", "source": "s-gs", "event_type": "repelled", "side": "UA", "quote": QUOTES[1], "places": [(MARINKA, 0)]},
    ]


def build(tmp_path: Path, claims: list[dict]) -> tuple[duckdb.DuckDBPyConnection, list]:
    """A warehouse holding the one report with every place mention right and the given claims; and the gold files."""
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(gold_dict()), encoding="utf-8")
    connection = duckdb.connect(str(tmp_path / "sitrep.duckdb"))
    connection.execute(SCHEMA)
    connection.execute("insert into reports values ('r1', 'test/corpus/tiny.jsonl#1', ?, null)", [TEXT])
    for source_id, (name, aliases) in SOURCES.items():
        connection.execute("insert into sources values (?, ?, ?, 'unspecified', 'unknown', null)", [source_id, name, aliases])
    for place in (AVDIIVKA, MARINKA):
        connection.execute("insert into places values (?, ?, ?, ?, ?)", [place["place_id"], place["name"], place["lat"], place["lon"], place["geonameid"]])
    for place, nth in ((AVDIIVKA, 0), (MARINKA, 0), (AVDIIVKA, 1), (MARINKA, 1)):
        start, end = place_mention(place, nth)
        connection.execute("insert into place_mentions values ('r1', ?, ?, ?, ?)", [place["place_id"], place["name"], start, end])
    for claim in claims:
        start, end = span(claim["quote"])
        connection.execute(
            "insert into claims (claim_id, report_id, source_id, event_type, actor_side, polarity, text, char_start, char_end, "
            "date_precision) values (?, 'r1', ?, ?, ?, ?, ?, ?, ?, 'unknown')",
            [claim["id"], claim["source"], claim["event_type"], claim["side"], claim.get("polarity", "asserted"), claim["quote"], start, end],
        )
        for place, nth in claim["places"]:
            connection.execute("insert into claim_places values (?, ?, 'location', ?, ?)", [claim["id"], place["place_id"], *place_mention(place, nth)])
    return connection, load_gold([gold_path])


def figures(tmp_path: Path, claims: list[dict]) -> dict:
    connection, files = build(tmp_path, claims)
    with connection:
        return evaluate.evaluate(connection, files)


SCORES = [
    "mention_precision", "mention_recall", "place_precision", "place_recall", "within_tolerance",
    "source_precision", "source_recall", "source_f1", "claim_precision", "claim_recall", "claim_f1",
    "event_type_accuracy", "actor_side_accuracy", "polarity_accuracy",
]


def test_perfect_prediction_scores_one_everywhere(tmp_path: Path) -> None:
    f = figures(tmp_path, perfect_claims())
    assert {name: f[name] for name in SCORES} == {name: 1.0 for name in SCORES}
    assert (f["gold_claims"], f["predicted_claims"], f["gold_sources"], f["missing_reports"]) == (2, 2, 2, 0)


def test_wrong_event_type_lowers_claims_and_accuracy(tmp_path: Path) -> None:
    claims = perfect_claims()
    claims[1]["event_type"] = "assault"
    f = figures(tmp_path, claims)
    assert (f["claim_precision"], f["claim_recall"], f["claim_f1"]) == (0.5, 0.5, 0.5)
    assert f["aligned_claims"] == 2
    assert f["event_type_accuracy"] == 0.5
    assert (f["actor_side_accuracy"], f["polarity_accuracy"]) == (1.0, 1.0)
    assert (f["source_precision"], f["source_recall"]) == (1.0, 1.0)


def test_wrong_side_and_polarity_count_on_aligned_pairs(tmp_path: Path) -> None:
    claims = perfect_claims()
    claims[0].update(side="UA", polarity="denied")
    f = figures(tmp_path, claims)
    assert (f["claim_precision"], f["claim_recall"], f["event_type_accuracy"]) == (1.0, 1.0, 1.0)
    assert (f["actor_side_accuracy"], f["polarity_accuracy"]) == (0.5, 0.5)


def test_claim_from_an_unmatched_source_is_a_false_positive(tmp_path: Path) -> None:
    claims = perfect_claims() + [
        {"id": "c4", "source": "s-wagner", "event_type": "capture", "side": "RU", "quote": QUOTES[0], "places": [(AVDIIVKA, 0)]},
    ]
    f = figures(tmp_path, claims)
    assert f["claim_precision"] == pytest.approx(2 / 3)
    assert f["claim_recall"] == 1.0
    assert f["claim_f1"] == pytest.approx(0.8)
    assert f["source_precision"] == pytest.approx(2 / 3)
    assert f["source_recall"] == 1.0
    assert f["event_type_accuracy"] == 1.0


def test_own_narration_does_not_match_an_attributed_claim(tmp_path: Path) -> None:
    claims = perfect_claims()
    claims[0]["source"] = None
    f = figures(tmp_path, claims)
    assert (f["claim_precision"], f["claim_recall"]) == (0.5, 0.5)
    assert (f["source_precision"], f["source_recall"]) == (1.0, 0.5)
    assert f["aligned_claims"] == 1


def test_wrong_place_or_no_overlap_is_no_match(tmp_path: Path) -> None:
    claims = perfect_claims()
    claims[0]["places"] = [(MARINKA, 0)]
    claims[1]["quote"] = "Local residents said"
    f = figures(tmp_path, claims)
    assert (f["claim_precision"], f["claim_recall"], f["aligned_claims"]) == (0.0, 0.0, 0)


def test_prediction_matching_the_optional_claim_is_not_penalised(tmp_path: Path) -> None:
    claims = perfect_claims() + [
        {"id": "c3", "source": "s-residents", "event_type": "strike", "side": "RU", "quote": QUOTES[2], "places": [(AVDIIVKA, 1)]},
    ]
    f = figures(tmp_path, claims)
    assert {name: f[name] for name in SCORES} == {name: 1.0 for name in SCORES}
    assert f["predicted_claims"] == 2


def test_optional_claim_missed_costs_nothing_but_a_wrong_one_is_a_false_positive(tmp_path: Path) -> None:
    claims = perfect_claims() + [
        {"id": "c3", "source": "s-residents", "event_type": "casualties", "side": "RU", "quote": QUOTES[2], "places": [(AVDIIVKA, 1)]},
    ]
    f = figures(tmp_path, claims)
    assert f["claim_precision"] == pytest.approx(2 / 3)
    assert f["claim_recall"] == 1.0
    assert f["source_precision"] == 1.0  # the source still matches the optional source


def test_source_matched_by_alias(tmp_path: Path) -> None:
    connection, files = build(tmp_path, perfect_claims())
    with connection:
        scopes, _ = evaluate.load_scopes(connection, files)
    gold_mod = files[0][1]["sources"][0]
    predicted_mod = scopes[0].claims[0]["source"]
    assert predicted_mod == {"name": "Russian Ministry of Defence", "aliases": ["Russian MoD"]}
    assert evaluate.same_source(gold_mod, predicted_mod)
    assert not evaluate.same_source(gold_mod, {"name": "Russian Ministry of Defence", "aliases": []})
    assert not evaluate.same_source(gold_mod, None)
    assert evaluate.same_source(None, None)


def test_claims_outside_the_excerpt_are_not_judged(tmp_path: Path) -> None:
    outside = "Russian forces captured Marinka, the Russian MoD claimed"
    claims = perfect_claims() + [
        {"id": "c5", "source": "s-mod", "event_type": "capture", "side": "RU", "quote": outside, "places": [(MARINKA, 1)]},
    ]
    f = figures(tmp_path, claims)
    assert (f["claim_precision"], f["predicted_claims"]) == (1.0, 2)
    assert (f["mention_precision"], f["place_precision"]) == (1.0, 1.0)


def test_missing_report_is_counted(tmp_path: Path) -> None:
    connection, files = build(tmp_path, perfect_claims())
    with connection:
        connection.execute("delete from reports")
        f = evaluate.evaluate(connection, files)
    assert (f["missing_reports"], f["files"], f["claim_recall"]) == (1, 1, 0.0)


def test_command_line_json_and_details(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = perfect_claims()
    claims[1]["event_type"] = "assault"
    connection, _ = build(tmp_path, claims)
    connection.close()
    warehouse, gold = str(tmp_path / "sitrep.duckdb"), str(tmp_path / "gold.json")

    assert evaluate.main(["--json", "--details", warehouse, gold]) == 0
    result = json.loads(capsys.readouterr().out)["gold_sets"][gold]
    assert result["figures"]["claim_recall"] == 0.5
    errors = result["details"][gold]
    assert [c["event_type"] for c in errors["false_negatives"]] == ["repelled"]
    assert errors["false_positives"] == [
        {"source": "Ukrainian General Staff", "event_type": "assault", "places": ["Marinka"], "text": QUOTES[1]},
    ]

    assert evaluate.main(["--details", warehouse, gold]) == 0
    out = capsys.readouterr().out
    assert "claim P/R/F1" in out and "0.50/0.50/0.50" in out
    assert f"extra  Ukrainian General Staff | assault | Marinka | {QUOTES[1]}" in out
    assert "missed General Staff of the Armed Forces of Ukraine | repelled | Marinka" in out


def test_details_name_the_missed_and_the_extra_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = perfect_claims()
    claims[0]["source"] = "s-wagner"
    connection, _ = build(tmp_path, claims)
    connection.close()
    warehouse, gold = str(tmp_path / "sitrep.duckdb"), str(tmp_path / "gold.json")

    assert evaluate.main(["--json", "--details", warehouse, gold]) == 0
    errors = json.loads(capsys.readouterr().out)["gold_sets"][gold]["details"][gold]
    assert errors["missed_sources"] == ["Ministry of Defence of the Russian Federation"]
    assert errors["extra_sources"] == ["Wagner Group"]

    assert evaluate.main(["--details", warehouse, gold]) == 0
    out = capsys.readouterr().out
    assert "missed source Ministry of Defence of the Russian Federation" in out and "extra source Wagner Group" in out


def test_a_named_gold_set_joins_paths_and_patterns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = perfect_claims()
    claims[1]["event_type"] = "assault"
    connection, _ = build(tmp_path, claims)
    connection.close()
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "copy-1.json").write_text((tmp_path / "gold.json").read_text(encoding="utf-8"), encoding="utf-8")
    warehouse = str(tmp_path / "sitrep.duckdb")

    argument = f"both={tmp_path / 'gold.json'}+{tmp_path / 'more' / 'copy-*.json'}"
    assert evaluate.main(["--json", warehouse, argument]) == 0
    both = json.loads(capsys.readouterr().out)["gold_sets"]["both"]["figures"]
    (tmp_path / "again").mkdir()
    single = figures(tmp_path / "again", claims)
    assert both["files"] == 2 * single["files"]
    assert both["claim_recall"] == single["claim_recall"] == 0.5
    with pytest.raises(SystemExit, match="matches no file"):
        evaluate.main([warehouse, f"none={tmp_path / 'nothing-*.json'}"])
