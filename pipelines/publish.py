"""Atomic publishing of the DuckDB warehouse.

The warehouse is built in a new file beside the published one (tables, then the SQL marts of sql/marts),
checked with the SQL integrity checks
in sql/checks, and only then renamed over the published file. A run that fails at any point leaves
the published file exactly as it was; BI tools holding read-only connections keep reading the old
file and are never asked for its lock, and connections opened afterwards see the new one.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.schemas import TABLE_MODELS, polars_schema

CHECKS_DIR = Path(__file__).resolve().parents[1] / "sql" / "checks"
MARTS_DIR = Path(__file__).resolve().parents[1] / "sql" / "marts"
QUERIES_DIR = Path(__file__).resolve().parents[1] / "sql" / "queries"
MACROS_DIR = Path(__file__).resolve().parents[1] / "sql" / "macros"
_PARAMETER = re.compile(r"\$([a-z_]+)")
_ANNOTATION = re.compile(r"^(?:depends):")

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
    return [Check(name=f.name, description=f.description, sql=f.sql) for f in read_sql_files(checks_dir)]


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


def build_marts(connection: duckdb.DuckDBPyConnection, marts: Sequence[SqlFile], parameters: Mapping[str, object]) -> None:
    """Create each mart as a table, each shared macro as soon as the marts it reads exist (a table macro is
    bound when it is created); values reach the SQL as named parameters, never as text."""
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
        connection.execute(f"CREATE TABLE {_quote(mart.name)} AS {mart.sql}", {p: parameters[p] for p in mart.parameters})


def run_checks(connection: duckdb.DuckDBPyConnection, checks: Sequence[Check], sample_size: int = 5) -> list[CheckResult]:
    results = []
    for check in checks:
        relation = connection.sql(check.sql)
        failing = relation.aggregate("count(*)").fetchone()[0]
        sample = relation.limit(sample_size).pl().to_dicts() if failing else []
        results.append(CheckResult(check.name, failing == 0, failing, sample))
    return results


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


def write_tables(connection: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    """Create each contract table and fill it from its polars frame through Arrow (no values in SQL text)."""
    for table, frame in tables.items():
        connection.execute(create_table_sql(table))
        names = ", ".join(_quote(c) for c in polars_schema(TABLE_MODELS[table]).names())
        connection.register("incoming", frame.to_arrow())
        connection.execute(f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM incoming")
        connection.unregister("incoming")


def write_lookup(connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """A reference table built from code or seeds (e.g. enumerations), written as it is."""
    connection.register("incoming", frame.to_arrow())
    connection.execute(f"CREATE TABLE {_quote(name)} AS SELECT * FROM incoming")
    connection.unregister("incoming")


def publish(
    path: Path,
    tables: Mapping[str, pl.DataFrame],
    lookups: Mapping[str, pl.DataFrame],
    checks: Sequence[Check],
    marts: Sequence[SqlFile] = (),
    parameters: Mapping[str, object] | None = None,
) -> PublishResult:
    """Build the warehouse in a new file, check it, then rename it over `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{uuid.uuid4().hex}.building")
    try:
        with duckdb.connect(str(building)) as connection:
            write_tables(connection, tables)
            for name, frame in lookups.items():
                write_lookup(connection, name, frame)
            build_marts(connection, marts, parameters or {})
            results = run_checks(connection, checks)
            failed = [r for r in results if not r.passed]
            if failed:
                names = ", ".join(f"{r.name} ({r.failing_rows} rows)" for r in failed)
                raise PublishError(f"integrity checks failed, warehouse not published: {names}", results)
            row_counts = {
                table: connection.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
                for table in [*tables, *lookups, *(m.name for m in marts)]
            }
            mart_columns = {
                mart.name: [(row[0], row[1]) for row in connection.execute(f"DESCRIBE {_quote(mart.name)}").fetchall()]
                for mart in marts
            }
            connection.execute("CHECKPOINT")
        os.replace(building, path)
    finally:
        for leftover in (building, building.with_name(building.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return PublishResult(path=path, row_counts=row_counts, check_results=results, mart_columns=mart_columns)
