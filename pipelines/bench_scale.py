"""`make bench-scale`: the whole pipeline on corpora of 1,000 and 10,000 reports of about 500 words each, cut
from the shared ISW text at run time (nothing is copied into the project), then on the 10,000 plus 1% new
reports: wall time, words per second and peak memory of each run.

Each run is a separate process (`python -m pipelines.run`), so peak memory is that run's own.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.settings import PROJECT_ROOT

WORDS_PER_REPORT = 500
SIZES = (1_000, 10_000)
GROWTH = 0.01


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
    env = {**os.environ, "SITREP_REPORTS_DIR": str(reports), "SITREP_WAREHOUSE": str(warehouse)}
    env.pop("DAGSTER_HOME", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipelines.run"], env=env, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb}


def main() -> int:
    corpus = Path(os.environ.get("SITREP_BENCH_CORPUS", PROJECT_ROOT.parent / "shared" / "data" / "corpus")).resolve()
    if not (corpus / "isw-2022.jsonl").exists():
        print(f"no ISW corpus at {corpus}; set SITREP_BENCH_CORPUS", file=sys.stderr)
        return 1
    chunks = isw_paragraph_chunks(corpus)
    print(f"{len(chunks):,} distinct chunks of about {WORDS_PER_REPORT} words from the ISW corpus")
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            reports = Path(tmp) / f"reports-{size}"
            words = write_corpus(reports, chunks, size)
            figures = timed_run(reports, Path(tmp) / f"w-{size}" / "sitrep.duckdb")
            print(f"  {size:>6,} reports ({words:,} words): {figures['seconds']:.0f} s = {words / figures['seconds']:,.0f} words/s end to end; "
                  f"peak memory of the runs so far {figures['peak_mb']:,.0f} MB")
        added = int(SIZES[-1] * GROWTH)
        write_corpus(reports, chunks, added, offset=SIZES[-1])
        figures = timed_run(reports, Path(tmp) / f"w-{SIZES[-1]}" / "sitrep.duckdb")
        print(f"  adding {added} reports to the {SIZES[-1]:,}: {figures['seconds']:.0f} s (every report is extracted again: no incremental runs yet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
