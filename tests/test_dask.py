"""The code location on a Dask cluster: `materialize_on_dask` runs every step as a task on a local cluster of
two worker processes and publishes the same warehouse as the in-process job."""

import shutil
import socket

import dagster as dg
import pytest
from distributed import Client, LocalCluster, get_task_stream

from pipelines.defs.dask import materialize_on_dask_job
from pipelines.definitions import defs
from pipelines.run import main
from tests.inputs import write_good_inputs
from tests.test_incremental import snapshot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cluster(settings, monkeypatch):
    # Workers start after the settings, the scheduler address among them, are in the environment: each step
    # a worker runs reads the same folders and resolves the same executor configuration.
    port = free_port()
    monkeypatch.setenv("SITREP_DASK_SCHEDULER", f"tcp://127.0.0.1:{port}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=port, dashboard_address=None) as local:
        yield local


def test_every_step_runs_on_the_dask_workers_and_the_warehouse_matches_the_in_process_run(settings, cluster, tmp_path):
    write_good_inputs(settings.reports_dir)
    assert main() == 0
    in_process = snapshot(settings.warehouse_path)
    # Nothing from the first run is kept: the Dask workers extract every report themselves.
    settings.warehouse_path.unlink()
    shutil.rmtree(settings.cache_dir)
    with Client(cluster) as client, get_task_stream(client) as tasks, dg.instance_for_test() as instance:
        result = dg.execute_job(dg.reconstructable(materialize_on_dask_job), instance=instance)
        assert result.success
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert {"ingest", "gazetteer", "locate_places", "attribute_claims", "warehouse"} <= steps
    assert len(tasks.data) >= len(steps)
    assert {task["worker"] for task in tasks.data} <= set(cluster.scheduler_info["workers"])
    assert snapshot(settings.warehouse_path) == in_process


def test_without_a_scheduler_there_is_no_dask_job(monkeypatch):
    monkeypatch.delenv("SITREP_DASK_SCHEDULER", raising=False)
    assert "materialize_on_dask" not in {job.name for job in defs().resolve_all_job_defs()}
