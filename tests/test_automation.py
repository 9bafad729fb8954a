"""The reports-folder sensor and the daily schedule."""

import dagster as dg

from pipelines.defs.automation import daily_refresh, new_reports
from pipelines.definitions import defs
from pipelines.ingest.fingerprint import folder_fingerprint


def test_the_sensor_runs_once_per_change_of_the_reports_folder(settings):
    (settings.reports_dir / "a.txt").write_text("Russian forces shelled Kharkiv.", encoding="utf-8")
    first = new_reports(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.RunRequest) and first.run_key == folder_fingerprint(settings.reports_dir)
    again = new_reports(dg.build_sensor_context(cursor=first.run_key))
    assert isinstance(again, dg.SkipReason)
    (settings.reports_dir / "b.txt").write_text("Ukrainian forces repelled an assault on Kupiansk.", encoding="utf-8")
    added = new_reports(dg.build_sensor_context(cursor=first.run_key))
    assert isinstance(added, dg.RunRequest) and added.run_key != first.run_key


def test_the_fingerprint_sees_rewrites_and_removals_but_not_hidden_files(tmp_path):
    report = tmp_path / "a.txt"
    report.write_text("one", encoding="utf-8")
    before = folder_fingerprint(tmp_path)
    (tmp_path / ".DS_Store").write_text("x", encoding="utf-8")
    assert folder_fingerprint(tmp_path) == before
    report.write_text("one and more", encoding="utf-8")
    rewritten = folder_fingerprint(tmp_path)
    assert rewritten != before
    report.unlink()
    assert folder_fingerprint(tmp_path) not in {before, rewritten}


def test_sensor_and_schedule_are_on_by_default_and_run_the_whole_job():
    definitions = defs()
    sensor = definitions.get_sensor_def("new_reports")
    schedule = definitions.get_schedule_def("daily_refresh")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert sensor.job_name == schedule.job_name == "materialize_all"
    assert daily_refresh.cron_schedule == "0 5 * * *"
