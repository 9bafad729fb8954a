"""`make query SQL="..."`: run one SQL statement against the published warehouse, read-only, and print the result."""

from __future__ import annotations

import sys

import duckdb
import polars as pl

from pipelines.settings import Settings


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print('usage: make query SQL="select ..."', file=sys.stderr)
        return 2
    path = Settings.from_env().warehouse_path
    if not path.exists():
        print(f"no warehouse at {path}: run `make run` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as connection:
        relation = connection.sql(argv[0])
        if relation is None:
            print("done (the statement returned no rows)")
            return 0
        frame = relation.pl()
    with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=60, tbl_width_chars=160):
        print(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
