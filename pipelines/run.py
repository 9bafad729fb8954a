"""`make run`: materialise every asset for the configured settings, then print the warehouse summary.

Exits non-zero when any step failed; the previously published warehouse then stays as it was.
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # As a command: loading Dagster, pandas and polars makes only long-lived objects, so no collections until
    # they are loaded (pipelines.collector.start_up_done then freezes them out of every later collection).
    gc.disable()

import os  # noqa: E402
import sys  # noqa: E402

import dagster as dg  # noqa: E402

from pipelines.collector import exit_now, start_up_done  # noqa: E402
from pipelines.definitions import defs  # noqa: E402
from pipelines.settings import Settings  # noqa: E402
from pipelines.summary import warehouse_summary  # noqa: E402


def main(job: dg.JobDefinition | None = None) -> int:
    settings = Settings.from_env()
    job = job or defs().resolve_job_def("materialize_all")
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
    materialize_all = defs().resolve_job_def("materialize_all")
    start_up_done()
    exit_now(main(materialize_all))
