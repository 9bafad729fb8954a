"""A BI tool stand-in: another process holding a read-only connection to the published warehouse."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_SCRIPTS = {
    "duckdb": textwrap.dedent(
        """
        import sys, duckdb
        connection = duckdb.connect(sys.argv[1], read_only=True)
        for _ in sys.stdin:
            print(connection.execute("select count(*) from reports").fetchone()[0], flush=True)
        """
    ),
    # The path Superset, Metabase-style tools and pandas take: SQLAlchemy with the duckdb-engine dialect.
    "sqlalchemy": textwrap.dedent(
        """
        import sys
        from sqlalchemy import create_engine, text
        engine = create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True})
        with engine.connect() as connection:
            for _ in sys.stdin:
                print(connection.execute(text("select count(*) from reports")).scalar(), flush=True)
        """
    ),
}


class ReaderProcess:
    """Opens the warehouse read-only in a separate process and keeps that connection until closed."""

    def __init__(self, path: Path, driver: str = "duckdb"):
        self.process = subprocess.Popen([sys.executable, "-c", _SCRIPTS[driver], str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def count_reports(self) -> int:
        """The report count as the held connection sees it."""
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> int:
        self.process.stdin.close()
        return self.process.wait(timeout=30)

    def __enter__(self) -> ReaderProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
