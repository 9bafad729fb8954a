"""The scale benchmark's corpora: cut at paragraph ends, every report distinct and ingestible."""

import datetime as dt
import json

from pipelines.bench_scale import isw_paragraph_chunks, write_corpus
from pipelines.ingest.formats import Limits
from pipelines.ingest.mappings import load_mappings
from pipelines.ingest.scan import ingest_folder
from pipelines.settings import SEEDS_DIR


def test_chunks_become_distinct_reports_that_ingest(tmp_path):
    paragraph = " ".join(["Russian forces shelled Kharkiv."] * 60)  # 240 words
    text = "\n\n".join([paragraph] * 6) + "\n\n[1] https://example.org/a"
    (tmp_path / "isw-2022.jsonl").write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    chunks = isw_paragraph_chunks(tmp_path)
    assert len(chunks) == 2 and all(len(c.split()) >= 480 for c in chunks) and "example.org" not in "".join(chunks)
    words = write_corpus(tmp_path / "reports", chunks, 5)
    result = ingest_folder(tmp_path / "reports", Limits(10**7, 10**6), load_mappings([SEEDS_DIR / "record_mappings.yaml"]), dt.datetime.now(dt.timezone.utc))
    assert result.reports.height == 5 and result.reports["report_id"].n_unique() == 5
    assert words == sum(len(t.split()) for t in result.reports["text"])


def test_each_repeated_run_starts_from_the_warehouse_as_it_was(tmp_path, monkeypatch):
    import pipelines.bench_scale as bench

    warehouse = tmp_path / "w" / "sitrep.duckdb"
    warehouse.parent.mkdir()
    warehouse.write_text("before")
    seen = []

    def run(_reports, path):
        seen.append(path.read_text())
        path.write_text("after")
        (path.parent / "exports").mkdir()
        return {"seconds": float(len(seen))}

    monkeypatch.setattr(bench, "timed_run", run)
    results = bench.repeated_runs(tmp_path / "reports", warehouse, 3)
    assert seen == ["before"] * 3 and [r["seconds"] for r in results] == [1.0, 2.0, 3.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]
