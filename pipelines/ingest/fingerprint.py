"""A fingerprint of a reports folder: changes when any input is added, removed, renamed or rewritten."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.ingest.scan import list_inputs


def folder_fingerprint(reports_dir: Path) -> str:
    """Hash of every input's relative path, size and modification time (contents are not read: cheap to poll)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in list_inputs(reports_dir):
        try:
            stat = path.stat()
            facts = f"{path.relative_to(reports_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        except OSError:
            # A broken link is still an input (it is rejected at ingest); its name alone marks it.
            facts = f"{path.relative_to(reports_dir)}\0missing\n"
        digest.update(facts.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
