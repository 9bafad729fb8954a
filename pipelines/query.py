"""`make query`: run SQL against the published warehouse, read-only, and print the result.

    make query SQL="select ..."                               # any statement
    make query NAME=place_claims PARAMS="place=Popasna"       # a documented query of sql/queries
"""

from __future__ import annotations

import argparse
import sys

import duckdb
import polars as pl

from pipelines.publish import SqlFile, load_queries
from pipelines.settings import Settings


def run_named(connection: duckdb.DuckDBPyConnection, query: SqlFile, parameters: dict[str, str]) -> pl.DataFrame:
    """A documented query with its $parameters bound (values never enter the SQL text)."""
    missing = [p for p in query.parameters if p not in parameters]
    if missing:
        raise ValueError(f"query {query.name} needs {', '.join(f'{p}=...' for p in missing)}")
    return connection.execute(query.sql, {p: parameters[p] for p in query.parameters}).pl()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make query", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sql", nargs="?", help="a SQL statement")
    parser.add_argument("--named", help="a query of sql/queries: " + ", ".join(q.name for q in load_queries()))
    parser.add_argument("--param", action="append", default=[], help="key=value for a named query's $key")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not (args.named or (args.sql and args.sql.strip())):
        print('usage: make query SQL="select ..."  or  make query NAME=<query> PARAMS="key=value"', file=sys.stderr)
        return 2
    path = Settings.from_env().warehouse_path
    if not path.exists():
        print(f"no warehouse at {path}: run `make run` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as connection:
        if args.named:
            queries = {q.name: q for q in load_queries()}
            if args.named not in queries:
                print(f"no query {args.named!r}; there are: {', '.join(queries)}", file=sys.stderr)
                return 2
            frame = run_named(connection, queries[args.named], dict(p.split("=", 1) for p in args.param))
        else:
            relation = connection.sql(args.sql)
            if relation is None:
                print("done (the statement returned no rows)")
                return 0
            frame = relation.pl()
    with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_width_chars=160):
        print(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
