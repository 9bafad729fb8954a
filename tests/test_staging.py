"""The staging IO manager (pipelines.defs.resources), the collector pauses and the fast exit (pipelines.collector)."""

import gc
import os
import pickle
import subprocess
import sys

import dagster as dg
import polars as pl
import pytest

from pipelines.collector import collector_paused, start_up_done, unpickled
from pipelines.defs.resources import StagingIOManager
from pipelines.settings import PROJECT_ROOT


def _manager(tmp_path) -> StagingIOManager:
    return StagingIOManager(staging_dir=str(tmp_path / "staging"))


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({"report_id": [f"r{i}" for i in range(n)], "n": list(range(n))})


def test_a_staged_frame_is_loaded_in_the_run_and_on_file_after_it(tmp_path):
    manager = _manager(tmp_path)
    key = dg.AssetKey(["reports"])
    manager.handle_output(dg.build_output_context(asset_key=key), _frame(3))
    assert manager.load_input(dg.build_input_context(asset_key=key)).equals(_frame(3))
    manager.teardown_after_execution(dg.build_init_resource_context())
    path = tmp_path / "staging" / "reports.parquet"
    assert pl.read_parquet(path).equals(_frame(3))
    assert [p.name for p in path.parent.iterdir()] == ["reports.parquet"]
    # A later run (a new manager) reads the file.
    assert _manager(tmp_path).load_input(dg.build_input_context(asset_key=key)).equals(_frame(3))


def test_a_second_output_replaces_the_first(tmp_path):
    manager = _manager(tmp_path)
    key = dg.AssetKey(["claims"])
    manager.handle_output(dg.build_output_context(asset_key=key), _frame(5))
    manager.handle_output(dg.build_output_context(asset_key=key), _frame(2))
    manager.teardown_after_execution(dg.build_init_resource_context())
    assert pl.read_parquet(tmp_path / "staging" / "claims.parquet").equals(_frame(2))


def test_a_failed_write_fails_the_teardown_and_leaves_no_stale_frame(tmp_path):
    key = dg.AssetKey(["places"])
    earlier = _manager(tmp_path)
    earlier.handle_output(dg.build_output_context(asset_key=key), _frame(4))
    earlier.teardown_after_execution(dg.build_init_resource_context())
    manager = _manager(tmp_path)
    # An object column cannot be written as Parquet: the write behind fails.
    unwritable = pl.DataFrame({"x": [object()]}, schema={"x": pl.Object})
    manager.handle_output(dg.build_output_context(asset_key=key), unwritable)
    with pytest.raises(Exception):
        manager.teardown_after_execution(dg.build_init_resource_context())
    path = tmp_path / "staging" / "places.parquet"
    assert not path.exists()
    assert [p.name for p in path.parent.iterdir()] == []


def test_collections_are_paused_while_unpickling_and_resume_after():
    assert gc.isenabled()
    data = pickle.dumps({"a": [1, 2], "b": [3]})
    assert unpickled(data) == {"a": [1, 2], "b": [3]}
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        # The inner pause does not end the outer one.
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(pickle.UnpicklingError):
        unpickled(b"not a pickle")
    assert gc.isenabled()


def test_start_up_done_freezes_what_was_loaded_and_collects_again():
    gc.disable()
    frozen = gc.get_freeze_count()
    try:
        start_up_done()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.enable()


def test_exit_now_ends_with_the_code_and_loses_no_output():
    # Piped, print's output sits in a buffer that os._exit alone would drop.
    code = (
        "import logging, sys\n"
        "from pipelines.collector import exit_now\n"
        "logging.basicConfig(stream=sys.stderr)\n"
        "print('warehouse summary')\n"
        "logging.getLogger('x').warning('a warning')\n"
        "exit_now(3)\n"
        "print('not reached')\n"
    )
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, env=buffered)
    assert done.returncode == 3
    assert done.stdout == "warehouse summary\n"
    assert "a warning" in done.stderr
