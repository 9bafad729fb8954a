"""The jobs: `materialize_all`, every asset in one process (what `make run`, the sensor and the schedule run: a
process per step costs seconds of imports), and `materialize_on_dask`, the same assets with each step a task
on the Dask cluster whose scheduler SITREP_DASK_SCHEDULER names (tcp://host:8786)."""

import dagster as dg
from dagster_dask import dask_executor

materialize_all = dg.define_asset_job("materialize_all", selection=dg.AssetSelection.all())

materialize_on_dask = dg.define_asset_job(
    "materialize_on_dask",
    selection=dg.AssetSelection.all(),
    description="Every asset, each step a task on an existing Dask cluster (SITREP_DASK_SCHEDULER); shared storage for warehouse/ is assumed.",
    executor_def=dask_executor.configured({"cluster": {"existing": {"address": {"env": "SITREP_DASK_SCHEDULER"}}}}),
)


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(jobs=[materialize_all, materialize_on_dask], executor=dg.in_process_executor)


def materialize_on_dask_job() -> dg.JobDefinition:
    """The Dask job resolved from the code location, for dg.reconstructable (Dask workers rebuild it by this name)."""
    from pipelines.definitions import defs

    return defs().resolve_job_def("materialize_on_dask")
