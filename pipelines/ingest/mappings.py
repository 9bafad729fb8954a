"""Record field mappings: how a JSON or JSON Lines record of any shape becomes report fields.

Mappings are data (seeds/record_mappings.yaml plus files named by SITREP_RECORD_MAPPINGS), so a new
feed shape needs a few lines of YAML, not code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.ingest.errors import Rejected

REPORT_FIELDS = ("id", "text", "title", "url", "outlet", "published", "language")


@dataclass(frozen=True)
class RecordMapping:
    name: str
    match: tuple[str, ...]
    fields: Mapping[str, tuple[str, ...]]
    published_format: str | None = None
    published_timezone: str = "UTC"

    def applies_to(self, record: Mapping[str, object]) -> bool:
        return all(key in record for key in self.match)

    def value(self, record: Mapping[str, object], field: str) -> object:
        """The record's value for a report field: one source field as is, several joined as text."""
        keys = self.fields.get(field, ())
        present = [record[k] for k in keys if record.get(k) not in (None, "")]
        if len(keys) <= 1:
            return present[0] if present else None
        separator = "\n\n" if field == "text" else " "
        return separator.join(str(v) for v in present) or None


def _as_keys(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"{where}: expected a field name or a list of field names, got {value!r}")


def parse_mappings(document: object, origin: str) -> list[RecordMapping]:
    """Mappings from a parsed YAML document; ValueError naming the file and entry when one is malformed."""
    if not isinstance(document, Mapping) or not isinstance(document.get("mappings"), list):
        raise ValueError(f"{origin}: expected a top-level 'mappings' list")
    mappings = []
    for index, entry in enumerate(document["mappings"]):
        where = f"{origin}: mapping {index}"
        if not isinstance(entry, Mapping) or "text" not in entry:
            raise ValueError(f"{where}: each mapping needs at least a 'text' field")
        unknown = set(entry) - set(REPORT_FIELDS) - {"name", "match", "published_format", "published_timezone"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        fields = {f: _as_keys(entry[f], f"{where}.{f}") for f in REPORT_FIELDS if f in entry}
        mappings.append(
            RecordMapping(
                name=str(entry.get("name", f"mapping {index}")),
                match=_as_keys(entry.get("match", fields["text"]), f"{where}.match"),
                fields=fields,
                published_format=entry.get("published_format"),
                published_timezone=entry.get("published_timezone", "UTC"),
            )
        )
    return mappings


def load_mappings(paths: Iterable[Path]) -> list[RecordMapping]:
    """Mappings from YAML files, in the files' priority order."""
    loaded: list[RecordMapping] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            loaded.extend(parse_mappings(yaml.safe_load(handle), str(path)))
    return loaded


def select_mapping(record: object, mappings: Sequence[RecordMapping]) -> RecordMapping:
    if not isinstance(record, Mapping):
        raise Rejected("unmapped_record", f"a record must be a JSON object, got {type(record).__name__}")
    for mapping in mappings:
        if mapping.applies_to(record):
            return mapping
    keys = ", ".join(sorted(map(str, record))[:12])
    raise Rejected("unmapped_record", f"no field mapping matches a record with fields: {keys}")
