"""Scale-out: `materialize_on_dask`, every asset with each step a task on the Dask cluster whose scheduler
SITREP_DASK_SCHEDULER names (tcp://host:8786). Defined only where that variable is set: importing
dagster-dask (dask.dataframe, distributed) costs every run three seconds otherwise."""

import os

import dagster as dg

SCHEDULER_VARIABLE = "SITREP_DASK_SCHEDULER"


@dg.definitions
def dask_defs() -> dg.Definitions:
    if not os.environ.get(SCHEDULER_VARIABLE, "").strip():
        return dg.Definitions()
    from dagster_dask import dask_executor

    job = dg.define_asset_job(
        "materialize_on_dask",
        selection=dg.AssetSelection.all(),
        description="Every asset, each step a task on an existing Dask cluster (SITREP_DASK_SCHEDULER); shared storage for warehouse/ is assumed.",
        executor_def=dask_executor.configured({"cluster": {"existing": {"address": {"env": SCHEDULER_VARIABLE}}}}),
    )
    return dg.Definitions(jobs=[job])


def materialize_on_dask_job() -> dg.JobDefinition:
    """The Dask job resolved from the code location, for dg.reconstructable (Dask workers rebuild it by this name)."""
    from pipelines.definitions import defs

    return defs().resolve_job_def("materialize_on_dask")
