"""`make bench-scale`: the whole pipeline on corpora of 1,000 and 10,000 reports of about 500 words each, cut
from the shared ISW text at run time (nothing is copied into the project), then on the 10,000 plus 1% new
reports: wall time, words per second and peak memory of each run; then the extraction's single-core speed
against merely tokenising the same text (spaCy's blank English tokenizer) and a statistical NER pipeline.

Each run is a separate process (`python -m pipelines.run`); its peak memory is that of its process tree (the run
and its extraction workers) at any one moment.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import psutil

from pipelines.settings import PROJECT_ROOT, Settings

WORDS_PER_REPORT = 500
SIZES = (1_000, 10_000)
GROWTH = 0.01
# The 1% run is timed this many times from the same warehouse (copied back between runs): on a shared
# machine one run's time varies by a fifth, and the median is the figure.
GROWN_RUNS = 3
# Reports timed on one core for the ratios against tokenising and NER.
RATIO_REPORTS = 1_000


def isw_paragraph_chunks(corpus: Path) -> list[str]:
    """The ISW prose (endnotes dropped) cut at paragraph ends into pieces of about WORDS_PER_REPORT words."""
    chunks, current, count = [], [], 0
    for line in (corpus / "isw-2022.jsonl").open(encoding="utf-8"):
        text = json.loads(line)["text"]
        prose = re.split(r"\n\[1\]\s", text, maxsplit=1)[0]
        for paragraph in prose.split("\n\n"):
            words = len(paragraph.split())
            if not words:
                continue
            current.append(paragraph)
            count += words
            if count >= WORDS_PER_REPORT:
                chunks.append("\n\n".join(current))
                current, count = [], 0
    return chunks


def write_corpus(folder: Path, chunks: list[str], n: int, offset: int = 0) -> int:
    """n reports as one JSON Lines file; a report past the end of the text reuses a chunk under a new date,
    so every report is distinct. Returns the words written."""
    words = 0
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"reports-{offset}.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(offset, offset + n):
            text = f"Report {i}.\n\n" + chunks[i % len(chunks)]
            words += len(text.split())
            day = 1 + i % 28
            record = {"id": f"bench-{i}", "date": f"2022-{1 + (i // 28) % 12:02d}-{day:02d}", "title": f"Bench {i}", "url": None, "source": "bench", "text": text}
            handle.write(json.dumps(record) + "\n")
    return words


def timed_run(reports: Path, warehouse: Path) -> dict[str, float]:
    """Wall time of one `python -m pipelines.run`, the time until the warehouse was published in it (the
    published file's modification time; the exports and overview come after), and the peak of the memory its
    whole process tree (the run and its extraction workers) held at once, sampled every 0.1 s."""
    env = {**os.environ, "SITREP_REPORTS_DIR": str(reports), "SITREP_WAREHOUSE": str(warehouse)}
    env.pop("DAGSTER_HOME", None)
    started_at = time.time()
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "pipelines.run"], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]))
        except psutil.Error:
            pass  # a worker ended between listing and reading it
        time.sleep(0.1)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    seconds = time.perf_counter() - start
    published = warehouse.stat().st_mtime - started_at
    # A run that published nothing (nothing changed) leaves the file as an earlier run wrote it.
    return {"seconds": seconds, "published_s": published if published > 0 else None, "peak_mb": peak / 2**20}


def repeated_runs(reports: Path, warehouse: Path, runs: int) -> list[dict[str, float]]:
    """timed_run `runs` times, each from the warehouse folder as it was before the first (cache, exports and
    staging included), copied back and flushed to disk before each run."""
    folder = warehouse.parent
    before = folder.with_name(folder.name + ".before")
    shutil.copytree(folder, before, symlinks=True)
    results = []
    for _ in range(runs):
        shutil.rmtree(folder)
        shutil.copytree(before, folder, symlinks=True)
        os.sync()
        results.append(timed_run(reports, warehouse))
    shutil.rmtree(before)
    return results


def words_per_second(texts: list[str], work) -> float:
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    work(texts)
    return words / (time.perf_counter() - start)


def extraction_floor_ratios(texts: list[str]) -> dict[str, float | None]:
    """Single-core words/s of our extraction (places, then claims; no cache), of spaCy's blank English
    tokenizer (the floor: merely cutting the text into tokens) and of a statistical English NER pipeline
    when one is installed (en_core_web_sm; none can be downloaded here)."""
    import spacy

    from pipelines.extraction import attribute, locate
    from pipelines.places.gazetteer import Gazetteer
    from pipelines.places.sources import load_gazetteer_frames
    from pipelines.settings import Settings

    settings = Settings.from_env()
    loaded = load_gazetteer_frames(settings.geonames, settings.warehouse_path.parent / "geonames")
    gazetteer = Gazetteer.from_features(pl.concat(loaded.frames, how="vertical"), source=loaded.source)
    frame = pl.DataFrame(
        {"report_id": [f"b{i}" for i in range(len(texts))], "text": texts, "published_at": None, "outlet": None, "url": None},
        schema={"report_id": pl.String, "text": pl.String, "published_at": pl.Datetime("us", "UTC"), "outlet": pl.String, "url": pl.String},
    )

    def extract(_texts):
        _places, mentions, _ = locate(frame, gazetteer, None, workers=1)
        attribute(frame, mentions, None, workers=1)

    ours = words_per_second(texts, extract)
    tokenizer = spacy.blank("en")
    floor = words_per_second(texts, lambda ts: [len(doc) for doc in tokenizer.pipe(ts)])
    try:
        ner_pipeline = spacy.load("en_core_web_sm", enable=["tok2vec", "ner"])
        ner = words_per_second(texts, lambda ts: [len(doc.ents) for doc in ner_pipeline.pipe(ts)])
    except OSError:
        ner = None
    return {"ours": ours, "tokenizer": floor, "ner": ner}


def main() -> int:
    corpus = Path(os.environ.get("SITREP_BENCH_CORPUS", PROJECT_ROOT.parent / "shared" / "data" / "corpus")).resolve()
    if not (corpus / "isw-2022.jsonl").exists():
        print(f"no ISW corpus at {corpus}; set SITREP_BENCH_CORPUS", file=sys.stderr)
        return 1
    chunks = isw_paragraph_chunks(corpus)
    print(f"Scale benchmark ({platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB, "
          f"Python {platform.python_version()}, SITREP_WORKERS={Settings.from_env().workers}); "
          f"{len(chunks):,} distinct chunks of about {WORDS_PER_REPORT} words from the ISW corpus")
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            reports = Path(tmp) / f"reports-{size}"
            words = write_corpus(reports, chunks, size)
            warehouse = Path(tmp) / f"w-{size}" / "sitrep.duckdb"
            figures = timed_run(reports, warehouse)
            seconds[size] = figures["seconds"]
            print(f"  {size:>6,} reports ({words:,} words), from scratch: {figures['seconds']:.0f} s = "
                  f"{words / figures['seconds']:,.0f} words/s end to end; peak memory {figures['peak_mb']:,.0f} MB")
        unchanged = timed_run(reports, warehouse)
        print(f"  the same {SIZES[-1]:,} again (nothing new): {unchanged['seconds']:.1f} s; peak memory {unchanged['peak_mb']:,.0f} MB"
              + ("; the warehouse was left as it was" if unchanged["published_s"] is None else f"; published again after {unchanged['published_s']:.1f} s"))
        added = int(SIZES[-1] * GROWTH)
        write_corpus(reports, chunks, added, offset=SIZES[-1])
        grown = repeated_runs(reports, warehouse, GROWN_RUNS)
        seconds_grown = sorted(g["seconds"] for g in grown)
        median = grown[[g["seconds"] for g in grown].index(seconds_grown[len(grown) // 2])]
        print(f"  {added} new reports added to the {SIZES[-1]:,}: {median['seconds']:.1f} s (median of {len(grown)} runs from the same "
              f"warehouse: {', '.join(f'{x:.1f}' for x in seconds_grown)} s), the warehouse published after {median['published_s']:.1f} s "
              f"(exports and overview follow); peak memory {max(g['peak_mb'] for g in grown):,.0f} MB")
        small, large = SIZES
        print(f"  growth: {large // small}x the reports took {seconds[large] / seconds[small]:.1f}x the time")
    sample = [chunks[i % len(chunks)] for i in range(RATIO_REPORTS)]
    ratios = extraction_floor_ratios(sample)
    print(f"  extraction on one core, {RATIO_REPORTS:,} reports: {ratios['ours']:,.0f} words/s; spaCy blank English tokenizer "
          f"{ratios['tokenizer']:,.0f} words/s ({ratios['tokenizer'] / ratios['ours']:.0f}x ours)")
    if ratios["ner"]:
        print(f"  statistical NER (en_core_web_sm): {ratios['ner']:,.0f} words/s ({ratios['ours'] / ratios['ner']:.1f}x slower than ours)")
    else:
        print("  statistical NER: no en_core_web_sm installed (spaCy's models are not on PyPI and cannot be downloaded here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
