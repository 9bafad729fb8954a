"""Atomic publishing of the DuckDB warehouse.

The warehouse is built in a new file beside the published one (tables, then the SQL marts of sql/marts),
checked with the SQL integrity checks in sql/checks, and only then renamed over the published file. A run
that fails at any point leaves the published file exactly as it was; BI tools holding read-only connections
keep reading the old file and are never asked for its lock, and connections opened afterwards see the new one.

When the published file was built by the same code, schema, SQL and parameters (its `sitrep_meta.build`
signature), the new file starts as a copy of it and is patched: only the reports whose rows changed are
replaced in the per-report tables, in the marts annotated "-- patch: report_id" and in the checks annotated
the same way; marts annotated "-- patch: window(...)" replace the rows near the changed claims (patch_window);
small tables and the other marts are rebuilt whole. A run with nothing changed publishes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import trash
from pipelines.schemas import TABLE_MODELS, polars_schema

CHECKS_DIR = Path(__file__).resolve().parents[1] / "sql" / "checks"
MARTS_DIR = Path(__file__).resolve().parents[1] / "sql" / "marts"
QUERIES_DIR = Path(__file__).resolve().parents[1] / "sql" / "queries"
MACROS_DIR = Path(__file__).resolve().parents[1] / "sql" / "macros"
_PARAMETER = re.compile(r"\$([a-z_]+)")
_ANNOTATION = re.compile(r"^(?:depends|patch|reads|pairs):")
_READS = re.compile(r"(\w+)\s*\(([^)]*)\)")
_WINDOW = re.compile(r"window\((.+)\)")
# The table window-patched marts read, and the temporary table of its rows that a patch replaced (old and new).
WINDOW_SOURCE = "claim_facts"
CHANGED_WINDOW_ROWS = "changed_claim_facts"

_DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    pl.Boolean: "BOOLEAN",
}


def duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP WITH TIME ZONE" if dtype.time_zone else "TIMESTAMP"
    if isinstance(dtype, pl.List):
        return duckdb_type(dtype.inner) + "[]"
    return _DUCKDB_TYPES[dtype.base_type()]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def create_table_sql(table: str) -> str:
    """DDL for a contract table, derived from its pandera model; a unique first column is the primary key."""
    model = TABLE_MODELS[table]
    columns = model.to_schema().columns
    lines = []
    for name, dtype in polars_schema(model).items():
        column = columns[name]
        constraint = " NOT NULL" if not column.nullable else ""
        lines.append(f"    {_quote(name)} {duckdb_type(dtype)}{constraint}")
    first = next(iter(columns.values()))
    if first.unique:
        lines.append(f"    PRIMARY KEY ({_quote(first.name)})")
    return f"CREATE TABLE {_quote(table)} (\n" + ",\n".join(lines) + "\n)"


@dataclass(frozen=True)
class Check:
    """An integrity check: a query returning the rows that break an invariant; it passes when it returns none."""

    name: str
    description: str
    sql: str
    # Its failing rows name their report_id, and unchanged reports passed when last published.
    patch_by_report: bool = False


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    failing_rows: int
    sample: list[dict[str, object]]


@dataclass(frozen=True)
class SqlFile:
    """A named SQL statement from sql/<folder>/<name>.sql; its comment lines describe it, "-- key: value" lines annotate it."""

    name: str
    description: str
    annotations: dict[str, str]
    sql: str

    @property
    def parameters(self) -> tuple[str, ...]:
        return parameters_of(self.sql)

    @property
    def depends(self) -> tuple[str, ...]:
        return tuple(d.strip() for d in self.annotations.get("depends", "").split(",") if d.strip())

    @property
    def patch_by_report(self) -> bool:
        """Each row it returns derives from one report's rows (named by its report_id) and whole small tables."""
        return self.annotations.get("patch") == "report_id"

    @property
    def window_key(self) -> tuple[str, ...] | None:
        """For a mart annotated "-- patch: window(key, ...)": what names a row's share of claim_facts, either
        claim_id (each row derives from one claim and the claims located within $window_days days of it at
        one of its places) or a place and a day (each row derives from the located claims at that place from
        that day to $window_days days after it). A mart with no $window_days parameter pairs nothing across
        days: its window is 0 days."""
        found = _WINDOW.fullmatch(self.annotations.get("patch", ""))
        return tuple(part.strip() for part in _split_top_level(found.group(1))) if found else None

    @property
    def pairs_on(self) -> tuple[str, ...]:
        """For a window-patched mart annotated "-- pairs: a, b": the claim_facts columns on which the two claims
        of every pair it forms agree (nulls agreeing), so that a changed claim touches only rows that agree."""
        return tuple(c.strip() for c in self.annotations.get("pairs", "").split(",") if c.strip())

    @property
    def reads(self) -> dict[str, tuple[str, ...]]:
        """Columns it reads of tables it depends on, where declared: "-- reads: sources(source_id, name)"."""
        return {table: tuple(c.strip() for c in columns.split(",")) for table, columns in _READS.findall(self.annotations.get("reads", ""))}


def _split_top_level(text: str) -> list[str]:
    """Split at the commas outside parentheses: "place_id, least(a, b)" -> ["place_id", " least(a, b)"]."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parameters_of(sql: str) -> tuple[str, ...]:
    """The $named parameters a statement uses, in order of first use."""
    return tuple(dict.fromkeys(_PARAMETER.findall(sql)))


def read_sql_files(folder: Path) -> list[SqlFile]:
    files = []
    for path in sorted(folder.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        comments = [line.removeprefix("--").strip() for line in sql.splitlines() if line.startswith("--")]
        annotations = dict(c.split(":", 1) for c in comments if _ANNOTATION.match(c))
        description = " ".join(c for c in comments if not _ANNOTATION.match(c))
        files.append(SqlFile(path.stem, description, {k: v.strip() for k, v in annotations.items()}, sql))
    return files


def load_checks(checks_dir: Path = CHECKS_DIR) -> list[Check]:
    """Checks from sql/checks/*.sql; the leading comment lines are the description."""
    return [Check(f.name, f.description, f.sql, f.patch_by_report) for f in read_sql_files(checks_dir)]


def load_queries(queries_dir: Path = QUERIES_DIR) -> list[SqlFile]:
    """The documented queries of sql/queries: what analysts and the README run, timed by `make bench`."""
    return read_sql_files(queries_dir)


def load_marts(marts_dir: Path = MARTS_DIR) -> list[SqlFile]:
    """Marts (tables built in SQL from the published tables and earlier marts) from sql/marts/*.sql, in
    dependency order; "-- depends: a, b" names what each reads."""
    marts = {file.name: file for file in read_sql_files(marts_dir)}
    ordered: list[SqlFile] = []
    while len(ordered) < len(marts):
        ready = [m for m in marts.values() if m not in ordered and all(d not in marts or marts[d] in ordered for d in m.depends)]
        if not ready:
            raise ValueError(f"sql/marts has a dependency cycle among {sorted(set(marts) - {m.name for m in ordered})}")
        ordered.extend(ready)
    return ordered


def load_macros(macros_dir: Path = MACROS_DIR) -> list[SqlFile]:
    """SQL functions the marts share (sql/macros/*.sql), created as temporary macros (not in the published file);
    "-- depends: a, b" names the marts a macro reads."""
    return read_sql_files(macros_dir)


def build_marts(
    connection: duckdb.DuckDBPyConnection,
    marts: Sequence[SqlFile],
    parameters: Mapping[str, object],
    status: dict[str, str] | None = None,
    reads: Mapping[tuple[str, str], str] | None = None,
) -> None:
    """Create each mart as a table, each shared macro as soon as the marts it reads exist (a table macro is
    bound when it is created); values reach the SQL as named parameters, never as text.

    In a patched file `status` says how each table changed ("same", "added": new rows only, "patched": the
    changed reports replaced, "changed"); a mart is kept when nothing it reads changed, patched for the changed
    reports when it is annotated so and what it reads allows it, and rebuilt otherwise. Its own status is added.
    `reads` overrides a table's status for one mart, (mart, table) -> status of just the columns it declares it reads."""
    pending = load_macros()
    mart_names = {mart.name for mart in marts}
    built: set[str] = set()
    for mart in marts:
        for macro in [m for m in pending if all(d in built for d in m.depends if d in mart_names)]:
            connection.execute(macro.sql)
            pending.remove(macro)
        built.add(mart.name)
        missing = [p for p in mart.parameters if p not in parameters]
        if missing:
            raise ValueError(f"mart {mart.name} needs parameters {missing}")
        values = {p: parameters[p] for p in mart.parameters}
        if status is None:
            # A mart patched by report is stored in report order: a patch then deletes from few row groups, and
            # the row groups come out full. A parallel CREATE TABLE AS leaves a part-filled one ahead of full
            # ones, and the first patch's checkpoint then rewrites the whole table (1 s of claim_facts at 10k reports).
            sql = f"SELECT * FROM (\n{mart.sql}\n) ORDER BY report_id" if mart.patch_by_report else mart.sql
            connection.execute(f"CREATE TABLE {_quote(mart.name)} AS {sql}", values)
            continue
        inputs = {(reads or {}).get((mart.name, d), status[d]) for d in mart.depends}
        if inputs <= {"same"}:
            status[mart.name] = "same"
        elif mart.patch_by_report and inputs <= {"same", "added", "patched"}:
            keep_changed = mart.name == WINDOW_SOURCE and any(m.window_key for m in marts)
            if keep_changed:
                connection.execute(f"CREATE TEMP TABLE {CHANGED_WINDOW_ROWS} AS {_changed_rows(mart.name)}")
            connection.execute(f"DELETE FROM {_quote(mart.name)} WHERE report_id IN (SELECT report_id FROM changed_reports)")
            with changed_reports_only(connection):
                connection.execute(f"INSERT INTO {_quote(mart.name)} {mart.sql}", values)
            if keep_changed:
                connection.execute(f"INSERT INTO {CHANGED_WINDOW_ROWS} {_changed_rows(mart.name)}")
            status[mart.name] = "patched"
        elif mart.window_key and status.get(WINDOW_SOURCE) == "patched" and inputs <= {"same", "patched"}:
            patch_window(connection, mart, values, [m for m in load_macros() if m not in pending])
            status[mart.name] = "patched"
        else:
            connection.execute(f"CREATE OR REPLACE TABLE {_quote(mart.name)} AS {mart.sql}", values)
            status[mart.name] = "changed"


def _changed_rows(table: str) -> str:
    return f"SELECT * FROM {_quote(table)} WHERE report_id IN (SELECT report_id FROM changed_reports)"


def patch_window(connection: duckdb.DuckDBPyConnection, mart: SqlFile, values: Mapping[str, object], macros: Sequence[SqlFile]) -> None:
    """Replace the rows of a window-patched mart (SqlFile.window_key) that the changed claim_facts rows can
    touch: delete them, and insert them again computed from just the claim_facts rows they can derive from
    (a temporary table by that name, which the shared macros are bound to again while it stands). A changed
    located row at place p on day d touches the rows keyed by a claim with a located row at p within w days
    of d, or by p and a day from d - w to d; an undated claim (no publication date) pairs only within its
    report, so it touches only the rows of its place with no day."""
    window = {"window_days": int(values.get("window_days", 0))}
    w = "CAST($window_days AS INTEGER)"
    database = connection.execute("SELECT current_database()").fetchone()[0]
    facts = f"{_quote(database)}.main.{WINDOW_SOURCE}"

    agreeing = "".join(f", {_quote(c)}" for c in mart.pairs_on)

    def shifted_days(rows: str, first: str, last: str) -> str:
        """(place_id, day, the columns pairs agree on) for each located row and every day from `first` to
        `last` days after its own (an undated row: its place with no day)."""
        return (f"SELECT DISTINCT place_id{agreeing}, claim_date + CAST(shift.days AS INTEGER) AS day FROM ({rows}) "
                f"CROSS JOIN range({first}, {last} + 1) AS shift(days) WHERE locates_event AND (claim_date IS NOT NULL OR shift.days = 0)")

    def located_near(rows: str) -> str:
        """The located claim_facts rows at the place of one of these rows within w days of it (undated: with
        no day either) that agree with it where the mart's pairs agree; an equality join on every day of the
        window, not a comparison of every two rows."""
        agree = "".join(f" AND f.{_quote(c)} IS NOT DISTINCT FROM near.{_quote(c)}" for c in mart.pairs_on)
        return (f"SELECT f.* FROM {facts} AS f SEMI JOIN ({shifted_days(rows, f'-{w}', w)}) AS near "
                f"ON f.place_id = near.place_id AND f.claim_date IS NOT DISTINCT FROM near.day{agree} WHERE f.locates_event")

    key = mart.window_key
    if key == ("claim_id",):
        connection.execute(
            f"CREATE TEMP TABLE window_scope AS SELECT claim_id FROM ({located_near(f'SELECT * FROM {CHANGED_WINDOW_ROWS}')}) "
            f"UNION SELECT claim_id FROM {CHANGED_WINDOW_ROWS}",
            window,
        )
        scoped = "claim_id IN (SELECT claim_id FROM window_scope)"
        # The scope's claims whole (every place), and every located claim within the window of one of them.
        in_scope = f"SELECT * FROM {facts} WHERE {scoped}"
        inputs = f"{in_scope} UNION ALL SELECT * FROM ({located_near(in_scope)}) WHERE NOT {scoped}"
    elif len(key) == 2:
        place, day = key
        connection.execute(
            f"CREATE TEMP TABLE window_scope AS SELECT DISTINCT place_id AS scope_place, day AS scope_day "
            f"FROM ({shifted_days(f'SELECT * FROM {CHANGED_WINDOW_ROWS}', f'-{w}', '0')})",
            window,
        )
        # The scope's columns have names of their own, so that the mart's columns in the condition bind outside.
        scoped = f"EXISTS (SELECT 1 FROM window_scope WHERE scope_place = {place} AND scope_day IS NOT DISTINCT FROM {day})"
        inputs = located_near(f"SELECT * FROM {CHANGED_WINDOW_ROWS}")
    else:
        raise ValueError(f"mart {mart.name}: patch: window() takes claim_id, or a place and a day")
    connection.execute(f"DELETE FROM {_quote(mart.name)} WHERE {scoped}")
    # A table, not a view: the mart reads it twice (both sides of its pairs).
    connection.execute(f"CREATE TEMP TABLE {WINDOW_SOURCE} AS {inputs}", {p: window[p] for p in parameters_of(inputs)})
    try:
        for macro in macros:
            connection.execute(macro.sql)
        connection.execute(f"INSERT INTO {_quote(mart.name)} SELECT * FROM ({mart.sql}) WHERE {scoped}", values)
    finally:
        connection.execute(f"DROP TABLE temp.main.{WINDOW_SOURCE}")
        connection.execute("DROP TABLE window_scope")
        for macro in macros:
            connection.execute(macro.sql)


def run_checks(connection: duckdb.DuckDBPyConnection, checks: Sequence[Check], sample_size: int = 5, patched: bool = False) -> list[CheckResult]:
    """Each check's failing rows; in a patched file a check annotated "-- patch: report_id" reads only the
    changed reports (the others passed when the file was last published)."""
    results = []
    for check in checks:
        with changed_reports_only(connection) if patched and check.patch_by_report else contextlib.nullcontext():
            relation = connection.sql(check.sql)
            failing = relation.aggregate("count(*)").fetchone()[0]
            sample = relation.limit(sample_size).pl().to_dicts() if failing else []
        results.append(CheckResult(check.name, failing == 0, failing, sample))
    return results


@contextlib.contextmanager
def changed_reports_only(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within it, the per-report tables show only the rows of the changed reports (temporary views by the same
    names, which unqualified names find first), so a report-local query reads only what a patch changed."""
    database = connection.execute("SELECT current_database()").fetchone()[0]
    for table in REPORT_OF:
        connection.execute(
            f"CREATE TEMP VIEW {_quote(table)} AS SELECT * FROM {_quote(database)}.main.{_quote(table)} WHERE {_in_changed_reports(table, '')}"
        )
    try:
        yield
    finally:
        for table in REPORT_OF:
            connection.execute(f"DROP VIEW temp.main.{_quote(table)}")


class PublishError(RuntimeError):
    """The new warehouse was not published; the previous one is untouched."""

    def __init__(self, message: str, check_results: Sequence[CheckResult] = ()):
        super().__init__(message)
        self.check_results = list(check_results)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    row_counts: dict[str, int]
    check_results: list[CheckResult]
    # Column names and DuckDB types of each mart, as built.
    mart_columns: dict[str, list[tuple[str, str]]]
    # "built" (a new file), "patched" (the published file patched) or "unchanged" (nothing to publish).
    mode: str = "built"
    # Reports whose rows were replaced in a patched file.
    patched_reports: int = 0
    # In a patched file, how each table and mart changed: same, added (rows only added), patched or changed.
    changes: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def _incoming(connection: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Iterator[None]:
    """The frame readable as the relation `incoming` (through Arrow: values never pass through SQL text)."""
    connection.register("incoming", frame.to_arrow())
    try:
        yield
    finally:
        connection.unregister("incoming")


def write_tables(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    """Create each contract table and fill it from its polars frame through Arrow (no values in SQL text)."""
    for table, frame in tables.items():
        connection.execute(create_table_sql(table))
        with _incoming(connection, frame):
            connection.execute(f"INSERT INTO {_quote(table)} ({_columns(table)}) SELECT {_columns(table)} FROM incoming")


def write_lookup(connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """A reference table built from code or seeds (e.g. enumerations), written as it is."""
    with _incoming(connection, frame):
        connection.execute(f"CREATE TABLE {_quote(name)} AS SELECT * FROM incoming")


def _columns(table: str) -> str:
    return ", ".join(_quote(c) for c in polars_schema(TABLE_MODELS[table]).names())


# How each per-report table names its report: a column, or (claim_places) the row of another table it belongs
# to. A patch replaces these report by report; every other table is small and rewritten whole when it changed.
REPORT_OF: dict[str, str | tuple[str, str]] = {
    "reports": "report_id",
    "place_mentions": "report_id",
    "claims": "report_id",
    "claim_places": ("claims", "claim_id"),
}
# A whole build is due, rather than a patch, past this share of the reports changed (it is then cheaper) or of
# the published file's blocks left free by earlier patches (it then compacts the file).
MAX_PATCHED_SHARE = 0.25
MAX_FREE_SHARE = 0.5
META_SCHEMA = "sitrep_meta"
_HASH_SEED = 20_221_124


def build_signature(
    tables: Mapping[str, pl.DataFrame],
    lookups: Mapping[str, pl.DataFrame],
    checks: Sequence[Check],
    marts: Sequence[SqlFile],
    parameters: Mapping[str, object],
) -> str:
    """What a warehouse file is built by: this module, DuckDB and polars (whose row hashes digest the reports),
    the tables' DDL, the lookups' columns, the SQL of marts, macros and checks, and the parameters. A published
    file is patched only under the same signature."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    parts = [duckdb.__version__, pl.__version__, *map(create_table_sql, sorted(tables)), *(f"{name}:{lookups[name].schema}" for name in sorted(lookups)),
             *(m.sql for m in [*marts, *load_macros()]), *(c.sql for c in checks), repr(sorted(parameters.items()))]
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _reports_of_rows(tables: Mapping[str, pl.DataFrame], table: str) -> pl.Series:
    """The report of each row of a per-report frame."""
    key = REPORT_OF[table]
    if isinstance(key, str):
        return tables[table][key]
    via, column = key
    owners = tables[via].select(column, pl.col(REPORT_OF[via]).alias("report"))
    return tables[table].select(column).join(owners, on=column, how="left", maintain_order="left")["report"]


def content_digest(signature: str, digests: pl.DataFrame, tables: Mapping[str, pl.DataFrame], lookups: Mapping[str, pl.DataFrame]) -> str:
    """A digest of everything a warehouse file holds: its signature, the report digests and the rows of the other
    tables (their order aside). Files with the same content digest hold the same rows; exports keep it to
    tell whether they are up to date."""
    digest = hashlib.sha256(signature.encode())
    frames = [("report_digests", digests), *((t, f) for t, f in tables.items() if t not in REPORT_OF), *lookups.items()]
    for name, frame in sorted(frames, key=lambda item: item[0]):
        digest.update(name.encode() + b"\0" + frame.hash_rows(seed=_HASH_SEED).sort().to_numpy().tobytes())
    return digest.hexdigest()


def published_content(path: Path) -> str | None:
    """The content digest recorded in a published file; None when there is none to read."""
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(f"SELECT content FROM {META_SCHEMA}.build").fetchone()[0]
    except duckdb.Error:
        return None


def report_digests(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Per report, a digest of its rows in every per-report table: sums of the rows' hashes (in two 32-bit
    halves, which cannot overflow) and the row count, so that row order does not matter and any changed,
    added or removed row changes it."""
    hashed = [
        pl.DataFrame({"report_id": _reports_of_rows(tables, table), "row_hash": tables[table].with_columns(pl.lit(table).alias("_table")).hash_rows(seed=_HASH_SEED)})
        for table in REPORT_OF
    ]
    return (
        pl.concat(hashed)
        .group_by("report_id")
        .agg(
            (pl.col("row_hash") // 2**32).cast(pl.Int64).sum().alias("hash_high"),
            (pl.col("row_hash") % 2**32).cast(pl.Int64).sum().alias("hash_low"),
            pl.len().cast(pl.Int64).alias("rows"),
        )
        .sort("report_id")
    )


@dataclass(frozen=True)
class Patch:
    """What a patch of the published file changes: the reports to replace, and how each other table changed
    ("same", "added": rows only added, "changed")."""

    reports: list[str]
    status: dict[str, str]
    # (mart, table) -> "patched" where the rows of the table that a mart patched by report reads changed: the
    # reports pointing to those rows are among those replaced.
    reads: dict[tuple[str, str], str] = field(default_factory=dict)


def plan_patch(
    path: Path,
    tables: Mapping[str, pl.DataFrame],
    lookups: Mapping[str, pl.DataFrame],
    marts: Sequence[SqlFile],
    digests: pl.DataFrame,
    signature: str,
) -> Patch | None:
    """Compare the incoming tables with the published file (read-only); None when a whole build is due: no
    file, another signature, too many reports changed or too much of the file free.

    A mart patched by report that declares the columns it reads of a small table ("-- reads: sources(source_id,
    name)", the key first) stays patchable when those rows change: the reports whose rows name a changed key
    (in a column of the same name) are replaced too."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            if connection.execute(f"SELECT signature FROM {META_SCHEMA}.build").fetchone()[0] != signature:
                return None
            used, total = connection.execute("SELECT used_blocks, total_blocks FROM pragma_database_size()").fetchone()
            if total and (total - used) / total > MAX_FREE_SHARE:
                return None
            published = connection.sql(f"SELECT * FROM {META_SCHEMA}.report_digests").pl()
            status = {t: _whole_status(connection, t, tables[t], _columns(t)) for t in tables if t not in REPORT_OF}
            status |= {name: _whole_status(connection, name, frame, "*") for name, frame in lookups.items()}
            differing = pl.concat([published.join(digests, on=published.columns, how="anti"), digests.join(published, on=published.columns, how="anti")])
            reports = set(differing["report_id"].to_list())
            reads = {}
            for mart in marts:
                for table, columns in mart.reads.items() if mart.patch_by_report else ():
                    if status.get(table) != "changed":
                        continue
                    keys = _differing_keys(connection, table, tables[table], columns)
                    if keys:
                        reports |= _reports_naming(connection, tables, columns[0], keys)
                    reads[(mart.name, table)] = "patched" if keys else "same"
    except duckdb.Error:
        return None
    if len(reports) > MAX_PATCHED_SHARE * max(tables["reports"].height, 1):
        return None
    return Patch(sorted(reports), status | {t: "patched" if reports else "same" for t in REPORT_OF}, reads)


def _whole_status(connection: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, columns: str) -> str:
    """"same", "added" (rows only added) or "changed": the file's table against its incoming frame."""
    def count(a: str, b: str) -> int:
        return connection.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {a} EXCEPT ALL SELECT {columns} FROM {b})").fetchone()[0]

    with _incoming(connection, frame):
        if count(_quote(table), "incoming"):
            return "changed"
        return "added" if count("incoming", _quote(table)) else "same"


def _differing_keys(connection: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, columns: Sequence[str]) -> list:
    """Keys (the first column) of the rows whose columns differ between the file's table and the frame."""
    listed = ", ".join(map(_quote, columns))
    with _incoming(connection, frame):
        return [row[0] for row in connection.execute(
            f"SELECT DISTINCT {_quote(columns[0])} FROM ((SELECT {listed} FROM {_quote(table)} EXCEPT ALL SELECT {listed} FROM incoming) "
            f"UNION ALL (SELECT {listed} FROM incoming EXCEPT ALL SELECT {listed} FROM {_quote(table)}))"
        ).fetchall()]


def _reports_naming(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame], column: str, keys: list) -> set[str]:
    """Reports with a row naming one of the keys in `column`, in the file or in the incoming frames."""
    found: set[str] = set()
    for table in [t for t in REPORT_OF if column in tables[t].columns]:
        found |= set(_reports_of_rows(tables, table).filter(tables[table][column].is_in(keys)).to_list())
        key = REPORT_OF[table]
        if isinstance(key, str):
            sql = f"SELECT DISTINCT {_quote(key)} FROM {_quote(table)} WHERE {_quote(column)} IN (SELECT unnest($keys))"
        else:
            via, through = key
            sql = (f"SELECT DISTINCT v.{_quote(REPORT_OF[via])} FROM {_quote(table)} AS t INNER JOIN {_quote(via)} AS v "
                   f"ON t.{_quote(through)} = v.{_quote(through)} WHERE t.{_quote(column)} IN (SELECT unnest($keys))")
        found |= {row[0] for row in connection.execute(sql, {"keys": keys}).fetchall()}
    return found


def _in_changed_reports(table: str, prefix: str) -> str:
    """The condition on a per-report table's rows that they belong to a changed report; prefix "" reads the
    file, "incoming_" the new frames."""
    key = REPORT_OF[table]
    if isinstance(key, str):
        return f"{_quote(key)} IN (SELECT report_id FROM changed_reports)"
    via, column = key
    return f"{_quote(column)} IN (SELECT {_quote(column)} FROM {prefix}{via} WHERE {_in_changed_reports(via, prefix)})"


def apply_patch(connection: duckdb.DuckDBPyConnection, patch: Patch, tables: Mapping[str, pl.DataFrame], lookups: Mapping[str, pl.DataFrame]) -> None:
    """Bring a copy of the published file's tables up to the incoming frames; leaves the temporary table
    changed_reports for the marts and checks."""
    connection.register("patched_reports", pl.DataFrame({"report_id": patch.reports}, schema={"report_id": pl.String}).to_arrow())
    connection.execute("CREATE TEMP TABLE changed_reports AS SELECT report_id FROM patched_reports")
    if patch.reports:
        for table in REPORT_OF:
            connection.register(f"incoming_{table}", tables[table].to_arrow())
        # A table found through another (claim_places through claims) is cleared before the one it goes through.
        for table in sorted(REPORT_OF, key=lambda t: isinstance(REPORT_OF[t], str)):
            connection.execute(f"DELETE FROM {_quote(table)} WHERE {_in_changed_reports(table, '')}")
        for table in REPORT_OF:
            connection.execute(
                f"INSERT INTO {_quote(table)} ({_columns(table)}) SELECT {_columns(table)} FROM incoming_{table} "
                f"WHERE {_in_changed_reports(table, 'incoming_')}"
            )
    for table in [t for t in tables if patch.status[t] in ("added", "changed")]:
        connection.execute(f"DROP TABLE {_quote(table)}")
        write_tables(connection, {table: tables[table]})
    for name in [n for n in lookups if patch.status[n] != "same"]:
        connection.execute(f"DROP TABLE {_quote(name)}")
        write_lookup(connection, name, lookups[name])


def publish(
    path: Path,
    tables: Mapping[str, pl.DataFrame],
    lookups: Mapping[str, pl.DataFrame],
    checks: Sequence[Check],
    marts: Sequence[SqlFile] = (),
    parameters: Mapping[str, object] | None = None,
) -> PublishResult:
    """Build the warehouse in a new file (or patch a copy of the published one), check it, then rename it over
    `path` in one step; when nothing changed, leave the published file as it is."""
    parameters = dict(parameters or {})
    signature = build_signature(tables, lookups, checks, marts, parameters)
    digests = report_digests(tables)
    patch = plan_patch(path, tables, lookups, marts, digests, signature)
    if patch is not None and not patch.reports and set(patch.status.values()) == {"same"}:
        return _published_result(path, checks, marts, patch)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{uuid.uuid4().hex}.building")
    try:
        if patch is not None:
            shutil.copyfile(path, building)
        with duckdb.connect(str(building)) as connection:
            if patch is not None:
                apply_patch(connection, patch, tables, lookups)
                status = dict(patch.status)
            else:
                write_tables(connection, tables)
                for name, frame in lookups.items():
                    write_lookup(connection, name, frame)
                status = None
            build_marts(connection, marts, parameters, status, patch.reads if patch else None)
            results = run_checks(connection, checks, patched=patch is not None)
            failed = [r for r in results if not r.passed]
            if failed:
                names = ", ".join(f"{r.name} ({r.failing_rows} rows)" for r in failed)
                raise PublishError(f"integrity checks failed, warehouse not published: {names}", results)
            row_counts, mart_columns = _shape(connection, [*tables, *lookups], marts)
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
            connection.execute(
                f"CREATE OR REPLACE TABLE {META_SCHEMA}.build AS SELECT $signature AS signature, $content AS content",
                {"signature": signature, "content": content_digest(signature, digests, tables, lookups)},
            )
            with _incoming(connection, digests):
                connection.execute(f"CREATE OR REPLACE TABLE {META_SCHEMA}.report_digests AS SELECT * FROM incoming")
            connection.execute("CHECKPOINT")
        trash.replace(building, path)
    finally:
        for leftover in (building, building.with_name(building.name + ".wal")):
            leftover.unlink(missing_ok=True)
    if patch is None:
        return PublishResult(path, row_counts, results, mart_columns)
    return PublishResult(path, row_counts, results, mart_columns, "patched", len(patch.reports), status)


def _shape(connection: duckdb.DuckDBPyConnection, tables: Sequence[str], marts: Sequence[SqlFile]) -> tuple[dict[str, int], dict[str, list[tuple[str, str]]]]:
    """Row counts of tables and marts, and the column names and types of each mart."""
    row_counts = {name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in [*tables, *(m.name for m in marts)]}
    mart_columns = {m.name: [(row[0], row[1]) for row in connection.execute(f"DESCRIBE {_quote(m.name)}").fetchall()] for m in marts}
    return row_counts, mart_columns


def _published_result(path: Path, checks: Sequence[Check], marts: Sequence[SqlFile], patch: Patch) -> PublishResult:
    """The published file as it stands, when nothing changed: it passed every check when it was published."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [t for t in patch.status if t not in {m.name for m in marts}]
        row_counts, mart_columns = _shape(connection, tables, marts)
    results = [CheckResult(check.name, True, 0, []) for check in checks]
    return PublishResult(path, row_counts, results, mart_columns, "unchanged", 0, patch.status | {m.name: "same" for m in marts})
