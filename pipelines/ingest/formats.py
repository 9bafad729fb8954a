"""Readers for every input format of the contract. Each turns one file into outcomes: a document per
report it holds, or a rejection with a reason code, never an exception and never a silent drop."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.ingest.dates import parse_published
from pipelines.ingest.errors import Rejected
from pipelines.ingest.mappings import RecordMapping, select_mapping
from pipelines.ingest.text import decode, guess_language, normalise_text, report_id

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
}
FRONT_MATTER_FIELDS = ("title", "published", "outlet", "url", "language")
# Keep the time of day and zone of a page's publication date, not just the day.
_HTML_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int
    max_report_chars: int


@dataclass(frozen=True)
class Document:
    """A report as read, before de-duplication."""

    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_at: dt.datetime | None = None
    language: str | None = None
    # The content hash, computed once when the input is read and kept with it in the ingest cache.
    report_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "report_id", report_id(self.text))


@dataclass(frozen=True)
class Outcome:
    """What one input became: exactly one of document and rejection is set."""

    source_uri: str
    format: str
    document: Document | None = None
    rejection: Rejected | None = None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = normalise_text(str(value))
    return text or None


def make_document(
    raw_text: object,
    limits: Limits,
    *,
    title: object = None,
    outlet: object = None,
    url: object = None,
    published: object = None,
    language: object = None,
    published_format: str | None = None,
    published_timezone: str = "UTC",
) -> Document:
    """Normalise and check one report's fields; Rejected when the text is empty or too long or the date is bad."""
    if raw_text is not None and not isinstance(raw_text, str):
        raise Rejected("missing_text", f"the text field holds a {type(raw_text).__name__}, not text")
    text = normalise_text(raw_text or "")
    if not text:
        raise Rejected("empty", "no report text after removing white space")
    if len(text) > limits.max_report_chars:
        raise Rejected(
            "oversized",
            f"report text has {len(text):,} characters, over the limit of {limits.max_report_chars:,} (SITREP_MAX_REPORT_CHARS)",
        )
    published_at = parse_published(published, date_format=published_format, timezone=published_timezone)
    language = _clean(language)
    return Document(
        text=text,
        title=_clean(title),
        outlet=_clean(outlet),
        url=_clean(url),
        published_at=published_at,
        language=language.lower() if language else guess_language(text),
    )


def read_input(path: Path, source_uri: str, limits: Limits, mappings: Sequence[RecordMapping]) -> list[Outcome]:
    """Every outcome of one input file."""
    fmt = FORMATS.get(path.suffix.lower(), "unknown")
    try:
        if fmt == "unknown":
            raise Rejected("unsupported_format", f"no reader for files ending in {path.suffix or '(no extension)'!r}")
        size = path.stat().st_size
        if size > limits.max_input_bytes:
            raise Rejected(
                "oversized", f"file has {size:,} bytes, over the limit of {limits.max_input_bytes:,} (SITREP_MAX_INPUT_BYTES)"
            )
        data = path.read_bytes()
        if not data.strip():
            raise Rejected("empty", "the file is empty")
        text, _encoding = decode(data)
    except Rejected as rejection:
        return [Outcome(source_uri, fmt, rejection=rejection)]
    except OSError as exc:
        return [Outcome(source_uri, fmt, rejection=Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))]
    reader = _READERS[fmt]
    return list(reader(text, source_uri, limits, mappings))


def _single(source_uri: str, fmt: str, build) -> Iterator[Outcome]:
    try:
        yield Outcome(source_uri, fmt, document=build())
    except Rejected as rejection:
        yield Outcome(source_uri, fmt, rejection=rejection)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML front matter (if any) and the body; Rejected('bad_front_matter') when the block is not a YAML mapping."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise Rejected("bad_front_matter", f"front matter is not valid YAML: {' '.join(str(exc).split())}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Rejected("bad_front_matter", f"front matter must be a mapping of fields, got {type(meta).__name__}")
    return meta, text[match.end():]


def _read_text(text: str, source_uri: str, limits: Limits, _mappings, fmt: str = "text") -> Iterator[Outcome]:
    def build() -> Document:
        meta, body = split_front_matter(text)
        return make_document(
            body,
            limits,
            title=meta.get("title"),
            outlet=meta.get("outlet"),
            url=meta.get("url"),
            published=meta.get("published", meta.get("date")),
            language=meta.get("language"),
        )

    yield from _single(source_uri, fmt, build)


def _read_markdown(text: str, source_uri: str, limits: Limits, mappings) -> Iterator[Outcome]:
    yield from _read_text(text, source_uri, limits, mappings, fmt="markdown")


def _read_html(text: str, source_uri: str, limits: Limits, _mappings) -> Iterator[Outcome]:
    # Imported on the first HTML page: trafilatura and its date and URL libraries cost every run a tenth of a
    # second, and a folder of JSON reports never needs them.
    import trafilatura

    def build() -> Document:
        extracted = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_HTML_DATE_PARAMS,
        )
        if extracted is None or not (extracted.text or "").strip():
            raise Rejected("no_main_text", "the HTML page has no main text that the extractor recognises")
        return make_document(
            extracted.text,
            limits,
            title=extracted.title,
            outlet=extracted.sitename or extracted.hostname,
            url=extracted.url,
            published=extracted.date,
            language=extracted.language,
        )

    yield from _single(source_uri, "html", build)


def _record_outcome(record: object, source_uri: str, fallback_key: str, fmt: str, limits: Limits, mappings, seen: set[str]) -> Outcome:
    uri = f"{source_uri}#{fallback_key}"
    try:
        mapping = select_mapping(record, mappings)
        record_id = mapping.value(record, "id")
        if record_id not in (None, "") and f"{source_uri}#{record_id}" not in seen:
            uri = f"{source_uri}#{record_id}"
        text = mapping.value(record, "text")
        if text is None:
            raise Rejected("missing_text", f"the record has no value for its text field(s) {list(mapping.fields['text'])}")
        document = make_document(
            text,
            limits,
            title=mapping.value(record, "title"),
            outlet=mapping.value(record, "outlet"),
            url=mapping.value(record, "url"),
            published=mapping.value(record, "published"),
            language=mapping.value(record, "language"),
            published_format=mapping.published_format,
            published_timezone=mapping.published_timezone,
        )
        return Outcome(uri, fmt, document=document)
    except Rejected as rejection:
        return Outcome(uri, fmt, rejection=rejection)
    finally:
        seen.add(uri)


def _read_jsonl(text: str, source_uri: str, limits: Limits, mappings) -> Iterator[Outcome]:
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            uri = f"{source_uri}#line-{number}"
            seen.add(uri)
            yield Outcome(uri, "jsonl", rejection=Rejected("malformed_json", f"line {number}: {exc.msg} at column {exc.colno}"))
            continue
        yield _record_outcome(record, source_uri, f"line-{number}", "jsonl", limits, mappings, seen)


def _read_json(text: str, source_uri: str, limits: Limits, mappings) -> Iterator[Outcome]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Outcome(source_uri, "json", rejection=Rejected("malformed_json", f"{exc.msg} at line {exc.lineno}, column {exc.colno}"))
        return
    if isinstance(document, Mapping) and isinstance(document.get("messages"), list):
        yield from _read_telegram(document, source_uri, limits)
    elif isinstance(document, list):
        seen: set[str] = set()
        for index, record in enumerate(document):
            yield _record_outcome(record, source_uri, f"item-{index}", "json", limits, mappings, seen)
    elif isinstance(document, Mapping):
        outcome = _record_outcome(document, source_uri, "", "json", limits, mappings, set())
        yield Outcome(source_uri, "json", outcome.document, outcome.rejection)
    else:
        yield Outcome(source_uri, "json", rejection=Rejected("unmapped_record", f"top-level JSON {type(document).__name__} is not a record, a list of records or a Telegram export"))


def telegram_text(text: object) -> str:
    """Message text of a Telegram Desktop export: a string, or a list of strings and entity fragments."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in text if isinstance(part, (str, Mapping)))
    return ""


def _read_telegram(export: Mapping[str, object], source_uri: str, limits: Limits) -> Iterator[Outcome]:
    channel = export.get("username") or export.get("handle")
    channel_id = str(export.get("id", "")).removeprefix("-100")
    for index, message in enumerate(export["messages"]):
        # Service messages (pins, joins, title changes) are part of the export's bookkeeping, not reporting.
        if not isinstance(message, Mapping) or message.get("type", "message") != "message":
            continue
        message_id = message.get("id", f"item-{index}")
        uri = f"{source_uri}#{message_id}"
        if channel:
            url = f"https://t.me/{channel}/{message_id}"
        else:
            url = f"https://t.me/c/{channel_id}/{message_id}" if channel_id else None
        published = message.get("date_unixtime")
        published = int(published) if isinstance(published, str) and published.isdigit() else published or message.get("date")
        yield from _single(
            uri,
            "telegram",
            lambda: make_document(
                telegram_text(message.get("text")),
                limits,
                outlet=export.get("name"),
                url=url,
                published=published,
            ),
        )


_READERS = {
    "text": _read_text,
    "markdown": _read_markdown,
    "json": _read_json,
    "jsonl": _read_jsonl,
    "html": _read_html,
}
