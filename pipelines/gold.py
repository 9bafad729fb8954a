"""Gold annotations (the format of ../shared/examples/vuhledar-gold.json, plus offsets): loading, checking, and
the small command line annotators use.

    python -m pipelines.gold show isw-2022.jsonl#isw-2022-03-15     # paragraphs of a report with offsets
    python -m pipelines.gold place Mykhailivka                       # GeoNames candidates for a name
    python -m pipelines.gold check seeds/gold                        # offsets, quotes, keys and enumerations
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipelines.ingest.formats import Limits
from pipelines.ingest.mappings import load_mappings
from pipelines.ingest.scan import ingest_folder
from pipelines.schemas import AFFILIATIONS, DATE_PRECISIONS, EVENT_TYPES, POLARITIES, SIDES, SOURCE_TYPES
from pipelines.settings import DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_REPORT_CHARS, PROJECT_ROOT, SEEDS_DIR

SHARED_DIR = PROJECT_ROOT.parent / "shared"
GOLD_DIR = SEEDS_DIR / "gold"
GEONAMES_UA = SHARED_DIR / "data" / "geonames" / "UA.zip"


@functools.cache
def corpus_texts(corpus: str) -> dict[str, str]:
    """Normalised texts (as stored in reports.text) of every report in a folder under ../shared, by source_uri."""
    result = ingest_folder(
        SHARED_DIR / corpus,
        Limits(DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_REPORT_CHARS),
        load_mappings([SEEDS_DIR / "record_mappings.yaml"]),
        dt.datetime.now(dt.timezone.utc),
    )
    return dict(zip(result.reports["source_uri"], result.reports["text"]))


def gold_corpus(gold: dict) -> str:
    """The folder under ../shared holding the gold file's report; the seed example names none."""
    return gold.get("corpus") or ("examples" if gold["report"] == "vuhledar-report.txt" else "data/corpus")


def report_text(gold: dict) -> str:
    return corpus_texts(gold_corpus(gold))[gold["report"]]


def load_gold(paths: Iterable[Path]) -> list[tuple[Path, dict]]:
    files = []
    for path in paths:
        targets = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        files += [(p, json.loads(p.read_text(encoding="utf-8"))) for p in targets]
    return files


def check_gold(gold: dict, text: str) -> list[str]:
    """Problems with one gold file: offsets that do not hold the quoted text, unknown keys, values outside the contract."""
    problems = []
    start, end = (gold.get("excerpt") or {}).get("char_start", 0), (gold.get("excerpt") or {}).get("char_end", len(text))
    if not 0 <= start < end <= len(text):
        problems.append(f"excerpt {start}-{end} outside the text (length {len(text)})")
    sources = {s["key"]: s for s in gold.get("sources", []) + gold.get("optional_sources", [])}
    places = {p["key"]: p for p in gold.get("places", [])}
    for source in sources.values():
        if source.get("source_type") not in SOURCE_TYPES:
            problems.append(f"source {source['key']}: source_type {source.get('source_type')!r}")
        if source.get("affiliation") not in AFFILIATIONS:
            problems.append(f"source {source['key']}: affiliation {source.get('affiliation')!r}")
    for place in places.values():
        for span in place.get("mentions", []):
            if not (start <= span[0] < span[1] <= end):
                problems.append(f"place {place['key']}: mention {span} outside the excerpt")
            elif text[span[0]:span[1]] not in [place["name"], *place.get("aliases", [])]:
                problems.append(f"place {place['key']}: mention {span} reads {text[span[0]:span[1]]!r}, not its name or an alias")
    for index, claim in enumerate(gold.get("claims", [])):
        where = f"claim {index}"
        if claim.get("source") is not None and claim["source"] not in sources:
            problems.append(f"{where}: unknown source {claim['source']!r}")
        problems += [f"{where}: unknown place {key!r}" for key in claim.get("places", []) if key not in places]
        if claim.get("event_type") not in EVENT_TYPES:
            problems.append(f"{where}: event_type {claim.get('event_type')!r}")
        if claim.get("actor_side") not in [*SIDES, None]:
            problems.append(f"{where}: actor_side {claim.get('actor_side')!r}")
        if claim.get("polarity", "asserted") not in POLARITIES:
            problems.append(f"{where}: polarity {claim.get('polarity')!r}")
        if claim.get("date_precision", "unknown") not in DATE_PRECISIONS:
            problems.append(f"{where}: date_precision {claim.get('date_precision')!r}")
        if "char_start" in claim:
            quoted = text[claim["char_start"]:claim["char_end"]]
            if quoted != claim.get("quote"):
                problems.append(f"{where}: text at {claim['char_start']}-{claim['char_end']} is {quoted!r}, not the quote")
            if not (start <= claim["char_start"] < claim["char_end"] <= end):
                problems.append(f"{where}: outside the excerpt")
    return problems


def show(source_uri: str, corpus: str = "data/corpus") -> None:
    text = corpus_texts(corpus)[source_uri]
    for match in re.finditer(r"[^\n]+", text):
        print(f"[{match.start()}-{match.end()}] {match.group()}\n")


def place(name: str) -> None:
    from pipelines.places.geonames import read_geonames

    gazetteer = read_geonames(GEONAMES_UA)
    needle = name.casefold()
    hits = gazetteer.filter(
        (pl.col("name").str.to_lowercase() == needle)
        | (pl.col("asciiname").str.to_lowercase() == needle)
        | pl.col("alternatenames").str.to_lowercase().str.split(",").list.contains(needle)
    )
    with pl.Config(tbl_rows=60, tbl_width_chars=200, fmt_str_lengths=40):
        print(hits.select("geonameid", "name", "lat", "lon", "feature_code", "admin1", "admin2_code", "population"))


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "show":
        show(argv[1], *argv[2:3])
    elif len(argv) == 2 and argv[0] == "place":
        place(argv[1])
    elif len(argv) >= 2 and argv[0] == "check":
        failures = 0
        for path, gold in load_gold(Path(p) for p in argv[1:]):
            problems = check_gold(gold, report_text(gold))
            failures += bool(problems)
            print(f"{'ok' if not problems else 'FAIL'} {path}")
            for problem in problems:
                print(f"    {problem}")
        return 1 if failures else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
