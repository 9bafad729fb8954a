from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.formats import Limits
from pipelines.ingest.mappings import load_mappings
from pipelines.settings import SEEDS_DIR, Settings
from tests.inputs import MAX_INPUT_BYTES, MAX_REPORT_CHARS

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def limits() -> Limits:
    return Limits(max_input_bytes=MAX_INPUT_BYTES, max_report_chars=MAX_REPORT_CHARS)


@pytest.fixture
def mappings():
    return load_mappings([SEEDS_DIR / "record_mappings.yaml"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The settings of the isolated environment: a temporary reports folder and warehouse, never warehouse/."""
    (tmp_path / "reports").mkdir(exist_ok=True)
    return Settings.from_env()


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs against temporary paths with an ephemeral Dagster instance, whatever the caller's environment."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("SITREP_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("SITREP_WAREHOUSE", str(tmp_path / "out" / "sitrep.duckdb"))
    monkeypatch.setenv("SITREP_MAX_INPUT_BYTES", str(MAX_INPUT_BYTES))
    monkeypatch.setenv("SITREP_MAX_REPORT_CHARS", str(MAX_REPORT_CHARS))
    # No dump and no network: the pipeline falls back to the packaged gazetteer, quickly and offline.
    monkeypatch.setenv("SITREP_GEONAMES", str(tmp_path / "no-such-dump.zip"))
    monkeypatch.setenv("SITREP_GEONAMES_URL", "http://127.0.0.1:9/")
    for name in ("SITREP_RECORD_MAPPINGS", "SITREP_LAKE", "SITREP_LAKE_S3_ENDPOINT", "SITREP_DASK_SCHEDULER", "SITREP_WORKERS"):
        monkeypatch.delenv(name, raising=False)
