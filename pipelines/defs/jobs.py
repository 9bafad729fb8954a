"""The job `make run`, the sensor and the schedule execute: every asset, in one process (a process per step costs
seconds of imports)."""

import dagster as dg

materialize_all = dg.define_asset_job("materialize_all", selection=dg.AssetSelection.all())


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(jobs=[materialize_all], executor=dg.in_process_executor)
