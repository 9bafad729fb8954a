"""`make bench`: ingest throughput (MB/s, reports/s), place and claim extraction throughput (words/s), and a whole
run's wall time and peak memory on a corpus folder.

The corpus defaults to ../shared/data/corpus beside the project (SITREP_BENCH_CORPUS overrides it);
the run writes to a temporary warehouse, never to warehouse/.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from pipelines.ingest.formats import Limits
from pipelines.ingest.mappings import load_mappings
from pipelines.ingest.scan import ingest_folder, list_inputs
from pipelines.settings import PROJECT_ROOT, Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(corpus: Path, settings: Settings, repeats: int = 3) -> dict[str, float]:
    size = sum(p.stat().st_size for p in list_inputs(corpus))
    limits = Limits(settings.max_input_bytes, settings.max_report_chars)
    mappings = load_mappings(settings.record_mappings)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = ingest_folder(corpus, limits, mappings, dt.datetime.now(dt.timezone.utc))
        timings.append(time.perf_counter() - start)
    best = min(timings)
    return {
        "input_mb": size / 1e6,
        "reports": result.reports.height,
        "seconds": best,
        "mb_per_s": size / 1e6 / best,
        "reports_per_s": result.report_inputs.height / best,
    }


def bench_run(corpus: Path) -> dict[str, float]:
    from pipelines.run import main

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SITREP_REPORTS_DIR"] = str(corpus)
        os.environ["SITREP_WAREHOUSE"] = str(Path(tmp) / "sitrep.duckdb")
        os.environ.pop("DAGSTER_HOME", None)
        start = time.perf_counter()
        code = main()
        seconds = time.perf_counter() - start
        if code != 0:
            raise SystemExit("the benchmark run failed")
        queries = bench_queries(Path(tmp) / "sitrep.duckdb")
    return {"seconds": seconds, "queries": queries}


def bench_queries(warehouse: Path, repeats: int = 5) -> dict[str, float]:
    """Milliseconds (best of `repeats`) of each documented query of sql/queries on a read-only connection;
    $place is the place with the most claims."""
    import duckdb

    from pipelines.publish import load_queries
    from pipelines.query import run_named

    timings = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        busiest = connection.execute("select place_name from claim_facts where place_name is not null group by 1 order by count(*) desc limit 1").fetchone()
        parameters = {"place": busiest[0] if busiest else ""}
        for query in load_queries():
            runs = []
            for _ in range(repeats):
                start = time.perf_counter()
                run_named(connection, query, parameters)
                runs.append(time.perf_counter() - start)
            timings[query.name] = min(runs) * 1000
    return timings


def bench_extraction(corpus: Path, settings: Settings, repeats: int = 3) -> dict[str, dict[str, float]]:
    """Place and claim extraction throughput on the corpus's ISW reports (words per second, one core).

    Each stage's one-off set-up is timed apart, as a run pays it once per process whatever it extracts: for
    places the gazetteer's name indexes (a run reads them back from its cache) and the lexicons, compiled on
    a first report; for claims the lexicons and the source registry. Places are then timed in one pass (a
    second would find the name caches warm); claims, given the place mentions so each stage's figure stands
    alone, as the best of `repeats` passes, as for ingest."""
    from pipelines.claims.extract import extract_claims
    from pipelines.claims.lexicon import lexicon
    from pipelines.claims.registry import SourceRegistry
    from pipelines.places import benchmark as geocoding
    from pipelines.places.extract import extract_places
    from pipelines.places.gazetteer import build_gazetteer, geonames_features
    from pipelines.places.geonames import read_geonames

    ingested = ingest_folder(
        corpus, Limits(settings.max_input_bytes, settings.max_report_chars), load_mappings(settings.record_mappings), dt.datetime.now(dt.timezone.utc)
    )
    reports = ingested.reports.filter(ingested.reports["source_uri"].str.starts_with("isw-"))
    words = sum(len(t.split()) for t in reports["text"])
    gazetteer = build_gazetteer([geonames_features(read_geonames(geocoding.GEONAMES))], "bench")
    start = time.perf_counter()
    extract_places(reports.head(1), gazetteer)
    place_setup = time.perf_counter() - start
    start = time.perf_counter()
    _places, mentions = extract_places(reports, gazetteer)
    place_seconds = time.perf_counter() - start
    lexicon(), SourceRegistry.from_seeds()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        _sources, claims, _claim_places = extract_claims(reports, mentions)
        timings.append(time.perf_counter() - start)
    claim_seconds = min(timings)
    return {
        "places": {"words": words, "found": mentions.height, "seconds": place_seconds, "words_per_s": words / place_seconds, "setup_seconds": place_setup},
        "claims": {"words": words, "found": claims.height, "seconds": claim_seconds, "words_per_s": words / claim_seconds},
    }


def main() -> int:
    corpus = Path(os.environ.get("SITREP_BENCH_CORPUS", PROJECT_ROOT.parent / "shared" / "data" / "corpus")).resolve()
    if not corpus.is_dir():
        print(f"no corpus at {corpus}; set SITREP_BENCH_CORPUS", file=sys.stderr)
        return 1
    settings = Settings.from_env()
    ingest = bench_ingest(corpus, settings)
    run = bench_run(corpus)
    extraction = bench_extraction(corpus, settings)
    print()
    print(f"Sitrep benchmark on {corpus} ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})")
    print(f"  ingest: {ingest['input_mb']:.1f} MB, {ingest['reports']:,} reports in {ingest['seconds']:.2f} s "
          f"= {ingest['mb_per_s']:.1f} MB/s, {ingest['reports_per_s']:,.0f} reports/s (best of 3, one core)")
    print(f"  whole run (make run, in-process executor): {run['seconds']:.1f} s; peak memory {peak_rss_mb():,.0f} MB")
    print("  documented queries (sql/queries, best of 5, read-only): " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in run["queries"].items()))
    for stage, label in (("places", "place recognition + resolution"), ("claims", "claim extraction, best of 3")):
        figures = extraction[stage]
        setup = f"; set-up before it {figures['setup_seconds']:.1f} s" if "setup_seconds" in figures else ""
        print(f"  {label} (ISW): {figures['words']:,} words, {figures['found']:,} {stage if stage == 'claims' else 'mentions'} in "
              f"{figures['seconds']:.1f} s = {figures['words_per_s']:,.0f} words/s (one core{setup})")
    from pipelines.places import benchmark as geocoding

    print()
    geocoding.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
