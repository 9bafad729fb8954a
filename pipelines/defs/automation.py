"""Automation: a sensor that runs the pipeline when the reports folder changes, and a daily refresh. Both are on
by default, so `make dev` keeps the warehouse current without anyone pressing a button."""

import dagster as dg

from pipelines.defs.jobs import materialize_all
from pipelines.ingest.fingerprint import folder_fingerprint
from pipelines.settings import Settings

POLL_SECONDS = 15


@dg.sensor(job=materialize_all, minimum_interval_seconds=POLL_SECONDS, default_status=dg.DefaultSensorStatus.RUNNING)
def new_reports(context: dg.SensorEvaluationContext):
    """Starts a run when a report is added, removed or rewritten in SITREP_REPORTS_DIR (checked every 15 s)."""
    reports_dir = Settings.from_env().reports_dir
    if not reports_dir.is_dir():
        return dg.SkipReason(f"no reports folder at {reports_dir}")
    fingerprint = folder_fingerprint(reports_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed reports")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, tags={"sitrep/trigger": "new_reports"})


daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=materialize_all,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild everything once a day (05:00 UTC), e.g. after registry or lexicon edits.",
)
