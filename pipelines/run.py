"""`make run`: materialise every asset for the configured settings, then print the warehouse summary.

Exits non-zero when any step failed; the previously published warehouse then stays as it was.
"""

from __future__ import annotations

import os
import sys

import dagster as dg

from pipelines.definitions import defs
from pipelines.settings import Settings
from pipelines.summary import warehouse_summary


def main() -> int:
    settings = Settings.from_env()
    job = defs().resolve_job_def("materialize_all")
    # With DAGSTER_HOME set (as `make` does) the run is recorded where `make dev` shows it.
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    with instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    if not result.success:
        for event in result.all_events:
            if event.is_failure and event.step_key:
                print(f"FAILED {event.step_key}: {event.message}", file=sys.stderr)
        print(f"Run failed; the published warehouse {settings.warehouse_path} is unchanged.", file=sys.stderr)
        return 1
    print(warehouse_summary(settings.warehouse_path))
    print(extraction_summary(result, settings.cache_dir))
    return 0


def extraction_summary(result: dg.ExecuteInProcessResult, cache_dir) -> str:
    """What this run extracted and what it took from the cache (pipelines.incremental), per extraction step."""
    parts = []
    publish = ""
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "publish_mode" in metadata:
            mode = metadata["publish_mode"].value
            publish = {"built": "; warehouse built anew", "unchanged": "; nothing changed, warehouse left as it was"}.get(
                mode, f"; warehouse patched ({metadata['reports_patched'].value:,} reports replaced)"
            )
        if "reports_extracted" in metadata:
            parts.append(
                f"{event.asset_key.to_user_string()} {metadata['reports_extracted'].value:,} extracted, "
                f"{metadata['reports_reused'].value:,} reused"
            )
    return "Reports this run: " + "; ".join(parts) + f" (the cache {cache_dir} keeps the rest; delete it to extract everything again){publish}"


if __name__ == "__main__":
    sys.exit(main())
