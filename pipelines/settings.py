"""Run settings: where reports come from, where the warehouse goes, and the ingest limits.

Values come from environment variables (the contract in WAREHOUSE.md) with defaults relative to the
project root, so a run behaves the same whatever the working directory. Relative paths given in a
variable are taken relative to the working directory, as a user typing them would expect.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
SQL_DIR = PROJECT_ROOT / "sql"

DEFAULT_MAX_INPUT_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_REPORT_CHARS = 1_000_000
DEFAULT_WINDOW_DAYS = 3


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _int_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def usable_cores() -> int:
    """Cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about its environment."""

    reports_dir: Path
    warehouse_path: Path
    geonames: tuple[str, ...] = ("UA",)
    # In priority order: a user's mapping files before the project's defaults.
    record_mappings: tuple[Path, ...] = (SEEDS_DIR / "record_mappings.yaml",)
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    max_report_chars: int = DEFAULT_MAX_REPORT_CHARS
    # How many days apart two claims about one place may be and still contest or corroborate each other.
    window_days: int = DEFAULT_WINDOW_DAYS
    # Processes that extract reports in parallel (a run with few new reports uses one).
    workers: int = 1
    # Where to publish the warehouse as Parquet too (a folder, s3://..., gs://...); none when empty.
    lake: str = ""
    # An S3-compatible endpoint (http://host:port) for an s3:// lake that is not on AWS.
    lake_s3_endpoint: str = ""

    @property
    def staging_dir(self) -> Path:
        """Intermediate tables between assets; beside the warehouse, never inside the published file."""
        return self.warehouse_path.parent / "staging"

    @property
    def cache_dir(self) -> Path:
        """Per-report extraction results kept between runs (pipelines.incremental); safe to delete."""
        return self.warehouse_path.parent / "cache"

    @classmethod
    def from_env(cls) -> Settings:
        extra_mappings = [
            Path(p.strip()).expanduser().resolve()
            for p in os.environ.get("SITREP_RECORD_MAPPINGS", "").split(",")
            if p.strip()
        ]
        geonames = tuple(
            g.strip() for g in os.environ.get("SITREP_GEONAMES", "UA").split(",") if g.strip()
        )
        return cls(
            reports_dir=_path_from_env("SITREP_REPORTS_DIR", SEEDS_DIR / "reports"),
            warehouse_path=_path_from_env(
                "SITREP_WAREHOUSE", PROJECT_ROOT / "warehouse" / "sitrep.duckdb"
            ),
            geonames=geonames,
            record_mappings=(*extra_mappings, SEEDS_DIR / "record_mappings.yaml"),
            max_input_bytes=_int_from_env("SITREP_MAX_INPUT_BYTES", DEFAULT_MAX_INPUT_BYTES),
            max_report_chars=_int_from_env("SITREP_MAX_REPORT_CHARS", DEFAULT_MAX_REPORT_CHARS),
            window_days=_int_from_env("SITREP_WINDOW_DAYS", DEFAULT_WINDOW_DAYS),
            workers=_int_from_env("SITREP_WORKERS", usable_cores()),
            lake=os.environ.get("SITREP_LAKE", "").strip(),
            lake_s3_endpoint=os.environ.get("SITREP_LAKE_S3_ENDPOINT", "").strip(),
        )
