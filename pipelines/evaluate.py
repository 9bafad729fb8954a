"""`make eval`: score a warehouse against gold files (format of ../shared/examples/vuhledar-gold.json).

    python -m pipelines.evaluate WAREHOUSE GOLD_DIR_OR_FILE ...

The warehouse must hold the gold reports with source_uri `<corpus>/<report>` relative to ../shared, as a
run with SITREP_REPORTS_DIR=../shared gives (what `make eval` does). Places are scored now; sources and
claims join when claim extraction lands.
- mentions: predicted place mentions against gold mention spans (overlap), precision / recall / F1;
- places: distinct places of each excerpt; a predicted place is right when one of its mentions overlaps a
  gold mention of a gold place it matches (same GeoNames id, within the gold tolerance, or the same name for
  lines such as roads);
- within tolerance: share of matched mentions whose resolved point lies within the gold tolerance.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import duckdb

from pipelines.gold import gold_corpus, load_gold
from pipelines.places.gazetteer import distance_km
from pipelines.places.names import loose_key


def _gold_spans(gold: dict, text: str, start: int, end: int) -> dict[str, list[tuple[int, int]]]:
    """Gold mention spans per place key; found by the place's names in the text when the file gives none."""
    spans = {}
    for place in gold.get("places", []):
        if place.get("mentions"):
            spans[place["key"]] = [tuple(s) for s in place["mentions"]]
            continue
        found = []
        for name in {place["name"], *place.get("aliases", [])}:
            found += [(m.start(), m.end()) for m in re.finditer(rf"\b{re.escape(name)}\b", text[start:end])]
        spans[place["key"]] = sorted({(s + start, e + start) for s, e in found})
    return spans


def _matches(place: dict, predicted: dict) -> bool:
    if place.get("geonameid") and predicted["geonameid"] == place["geonameid"]:
        return True
    if place.get("lat") is not None and predicted["lat"] is not None:
        return float(distance_km(place["lat"], place["lon"], predicted["lat"], predicted["lon"])) <= (place.get("tolerance_km") or 6)
    names = {loose_key(n) for n in [place["name"], *place.get("aliases", [])]}
    return bool(names & {loose_key(predicted["name"]), loose_key(predicted["mention_text"])})


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_places(connection: duckdb.DuckDBPyConnection, gold_files: list[tuple[Path, dict]]) -> dict[str, float]:
    totals = defaultdict(int)
    for _path, gold in gold_files:
        uri = f"{gold_corpus(gold)}/{gold['report']}"
        row = connection.execute("select report_id, text from reports where source_uri = ?", [uri]).fetchone()
        if row is None:
            totals["missing_reports"] += 1
            continue
        report_id, text = row
        excerpt = gold.get("excerpt") or {}
        start, end = excerpt.get("char_start", 0), excerpt.get("char_end", len(text))
        predicted = [
            dict(zip(("char_start", "char_end", "mention_text", "place_id", "name", "lat", "lon", "geonameid"), r))
            for r in connection.execute(
                "select m.char_start, m.char_end, m.mention_text, m.place_id, p.name, p.lat, p.lon, p.geonameid "
                "from place_mentions m join places p using (place_id) "
                "where m.report_id = ? and m.char_start >= ? and m.char_end <= ?",
                [report_id, start, end],
            ).fetchall()
        ]
        places = {p["key"]: p for p in gold.get("places", [])}
        spans = _gold_spans(gold, text, start, end)
        all_gold_spans = [(span, key) for key, key_spans in spans.items() for span in key_spans]
        # Mentions.
        totals["mentions_predicted"] += len(predicted)
        totals["mentions_gold"] += len(all_gold_spans)
        hit_gold = set()
        correct_place_ids, found_keys = set(), set()
        for mention in predicted:
            span = (mention["char_start"], mention["char_end"])
            overlapping = [(g, key) for g, key in all_gold_spans if _overlaps(span, g)]
            if overlapping:
                totals["mentions_matched"] += 1
                hit_gold.update(g for g, _ in overlapping)
                right = [key for _, key in overlapping if _matches(places[key], mention)]
                if right:
                    totals["mentions_within_tolerance"] += 1
                    correct_place_ids.add(mention["place_id"])
                    found_keys.update(right)
        totals["gold_mentions_found"] += len(hit_gold)
        totals["places_predicted"] += len({m["place_id"] for m in predicted})
        totals["places_correct"] += len(correct_place_ids)
        totals["places_gold"] += len(places)
        totals["places_found"] += len(found_keys)
    return _figures(totals)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _figures(t: dict[str, int]) -> dict[str, float]:
    mp, mr = _ratio(t["mentions_matched"], t["mentions_predicted"]), _ratio(t["gold_mentions_found"], t["mentions_gold"])
    pp, pr = _ratio(t["places_correct"], t["places_predicted"]), _ratio(t["places_found"], t["places_gold"])
    return {
        "mention_precision": mp,
        "mention_recall": mr,
        "mention_f1": _f1(mp, mr),
        "place_precision": pp,
        "place_recall": pr,
        "place_f1": _f1(pp, pr),
        "within_tolerance": _ratio(t["mentions_within_tolerance"], t["mentions_matched"]),
        "gold_places": t["places_gold"],
        "missing_reports": t["missing_reports"],
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    warehouse = Path(argv[0])
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        print(f"Evaluation of {warehouse}")
        print(f"  {'gold set':<34} {'files':>5}  {'mention P/R/F1':>18}  {'place P/R/F1':>18}  {'in tol.':>7}")
        for target in argv[1:]:
            files = load_gold([Path(target)])
            f = score_places(connection, files)
            print(
                f"  {target:<34} {len(files):>5}  {f['mention_precision']:.2f}/{f['mention_recall']:.2f}/{f['mention_f1']:.2f}      "
                f"{f['place_precision']:.2f}/{f['place_recall']:.2f}/{f['place_f1']:.2f}      {f['within_tolerance']:.2f}"
                + (f"  ({f['missing_reports']} reports missing)" if f["missing_reports"] else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
