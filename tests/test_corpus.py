"""The shared corpus (read at run time from ../shared, never copied) ingests with no configuration beyond the seed mappings."""

import datetime as dt

from pipelines.ingest.formats import Limits
from pipelines.ingest.scan import ingest_folder
from pipelines.settings import DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_REPORT_CHARS
from tests.conftest import shared_path


def test_isw_and_warline_ingest_completely(mappings):
    corpus = shared_path("data", "corpus")
    result = ingest_folder(corpus, Limits(DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_REPORT_CHARS), mappings, dt.datetime.now(dt.timezone.utc))
    assert result.rejected_reports.height == 0
    by_file = result.report_inputs.group_by(result.report_inputs["source_uri"].str.split("#").list.first().alias("file")).len()
    assert dict(by_file.iter_rows()) == {"isw-2022.jsonl": 330, "warline-2022.jsonl": 859}
    reports = result.reports
    assert reports.height == 330 + 859
    assert reports["published_at"].null_count() == 0
    isw = reports.filter(reports["source_uri"] == "isw-2022.jsonl#isw-2022-02-24").row(0, named=True)
    assert isw["outlet"] == "Institute for the Study of War"
    assert isw["published_at"] == dt.datetime(2022, 2, 24, tzinfo=dt.timezone.utc)
    warline = reports.filter(reports["source_uri"].str.starts_with("warline"))
    assert warline["url"].str.starts_with("https://twitter.com/").all()
    assert warline["published_at"].min() >= dt.datetime(2022, 2, 24, tzinfo=dt.timezone.utc)
