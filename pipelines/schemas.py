"""pandera.polars models, one per warehouse table, with the column types and enumerations of WAREHOUSE.md.

Every frame is validated eagerly (a LazyFrame would skip the data checks) before it is staged or
published; `table_schema` turns the same models into the column metadata shown in the Dagster UI.
"""

from __future__ import annotations

import sys

import dagster as dg
import polars as pl


class _WithoutPandas:
    """An import hook under which pandas looks absent. pandera's package imports all of pandas (0.3 s of every
    run's start) whenever it is installed, as dask's dataframe extra installs it; its polars API needs none of it."""

    def find_spec(self, name: str, path=None, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name=name)
        return None


_hook = _WithoutPandas()
sys.meta_path.insert(0, _hook)
try:
    import pandera.polars as pa
finally:
    sys.meta_path.remove(_hook)

SIDES = ["RU", "UA"]
AFFILIATIONS = ["RU", "UA", "other", "unknown"]
SOURCE_TYPES = [
    "official_military",
    "government",
    "head_of_state",
    "military_unit",
    "milblogger",
    "media",
    "local_media",
    "civil_agency",
    "occupation_official",
    "unspecified",
]
EVENT_TYPES = [
    "capture",
    "advance",
    "assault",
    "strike",
    "repelled",
    "holding",
    "withdrawal",
    "casualties",
    "civilian_harm",
    "evacuation",
    "reinforcement",
    "other",
]
POLARITIES = ["asserted", "denied"]
DATE_PRECISIONS = ["day", "week", "month", "year", "unknown"]
PLACE_PRECISIONS = ["gazetteer", "derived", "region", "unknown"]
PLACE_ROLES = ["location", "target", "reference"]
INPUT_STATUSES = ["ingested", "duplicate", "rejected"]
SOURCE_ORIGINS = ["registry", "text"]

UTC_TIMESTAMP = pl.Datetime("us", "UTC")
TEXT_LIST = pl.List(pl.Utf8)


class Table(pa.DataFrameModel):
    """Shared configuration: exact columns, no extras, coerced types."""

    class Config:
        strict = True
        coerce = True


class Reports(Table):
    """One row per distinct report text; duplicates of the same text are one report."""

    report_id: str = pa.Field(unique=True, description="Hash of the normalised text: the same text twice is one report.")
    source_uri: str = pa.Field(description="Input path relative to the reports folder, plus #<record id> for records inside a file.")
    title: str = pa.Field(nullable=True, description="Headline or title, when the input has one.")
    outlet: str = pa.Field(nullable=True, description="Publishing outlet, account or channel.")
    url: str = pa.Field(nullable=True, description="Canonical address of the report, when known.")
    published_at: UTC_TIMESTAMP = pa.Field(nullable=True, description="Publication time in UTC; null if unknown.")
    language: str = pa.Field(nullable=True, description="ISO 639-1 language code, from metadata or detected from the script.")
    text: str = pa.Field(str_length={"min_value": 1}, description="Normalised report text (NFC, LF line ends); all offsets point into it.")
    ingested_at: UTC_TIMESTAMP = pa.Field(description="When Sitrep first read the report: the run that first published it (kept while it stays in the warehouse).")


class RejectedReports(Table):
    """Inputs that could not become reports, with the reason; nothing is dropped silently."""

    source_uri: str = pa.Field(description="Input path relative to the reports folder, plus #<record> when one record of a file failed.")
    reason: str = pa.Field(description="Short reason code, e.g. undecodable, malformed_json, bad_date, oversized.")
    detail: str = pa.Field(description="What exactly was wrong, for a person to act on.")
    rejected_at: UTC_TIMESTAMP = pa.Field(description="When Sitrep first rejected the input for this reason (kept while it stays rejected so).")


class ReportInputs(Table):
    """The ingest ledger: every input seen and what became of it (reports + duplicates + rejected = inputs)."""

    source_uri: str = pa.Field(unique=True, description="The input, as in reports.source_uri and rejected_reports.source_uri.")
    status: str = pa.Field(isin=INPUT_STATUSES, description="ingested, duplicate (same text as an earlier input) or rejected.")
    report_id: str = pa.Field(nullable=True, description="The report this input became or duplicated; null when rejected.")
    format: str = pa.Field(description="Input format: text, markdown, jsonl, json, html, telegram.")


class Sources(Table):
    """Claimants: ministries, units, officials, outlets, milbloggers and generic sides."""

    source_id: str = pa.Field(unique=True, description="Stable identifier of the source.")
    name: str = pa.Field(description="Canonical name.")
    aliases: TEXT_LIST = pa.Field(nullable=True, description="Other names: abbreviations, translations, handles, domains.")
    source_type: str = pa.Field(isin=SOURCE_TYPES, description="Kind of source (contract enumeration).")
    affiliation: str = pa.Field(isin=AFFILIATIONS, description="Side the source speaks for: RU, UA, other or unknown.")
    url: str = pa.Field(nullable=True, description="Channel or homepage, when known.")
    origin: str = pa.Field(isin=SOURCE_ORIGINS, description="registry (seeds/sources.csv) or text (named in a report and typed from its context).")


class Places(Table):
    """Resolved places with coordinates, from the gazetteer or derived from a relative location."""

    place_id: str = pa.Field(unique=True, description="Stable identifier of the place.")
    name: str = pa.Field(description="Ukrainian romanisation as in GeoNames.")
    aliases: TEXT_LIST = pa.Field(nullable=True, description="Other spellings: Russian, Cyrillic, former names.")
    feature_type: str = pa.Field(nullable=True, description="city, village, region, road, river, mine, ...")
    admin1: str = pa.Field(nullable=True, description="First-level administrative division (oblast).")
    country_code: str = pa.Field(nullable=True, description="ISO 3166-1 alpha-2 country code.")
    lat: float = pa.Field(nullable=True, ge=-90, le=90, description="Latitude (WGS84); null only for line or area features.")
    lon: float = pa.Field(nullable=True, ge=-180, le=180, description="Longitude (WGS84); null only for line or area features.")
    geonameid: pl.Int64 = pa.Field(nullable=True, description="GeoNames id; null when not from GeoNames.")
    precision: str = pa.Field(isin=PLACE_PRECISIONS, description="gazetteer, derived (offset from an anchor), region or unknown.")
    population: pl.Int64 = pa.Field(nullable=True, description="Population per GeoNames (0 when unknown).")
    gazetteer: str = pa.Field(description="Where the place comes from: geonames, seeds (seeds/places.csv) or derived.")
    anchor_place_id: str = pa.Field(nullable=True, description="For a derived point: the place it is measured from.")
    distance_km: float = pa.Field(nullable=True, ge=0, description="For a derived point: distance from the anchor.")
    bearing_deg: float = pa.Field(nullable=True, ge=0, lt=360, description="For a derived point: bearing from the anchor, degrees clockwise from north.")


class PlaceMentions(Table):
    """Each place name found in a report, with its character span."""

    report_id: str = pa.Field(description="Report the mention is in.")
    place_id: str = pa.Field(description="Place the mention resolves to.")
    mention_text: str = pa.Field(description="The text as written in the report.")
    char_start: pl.Int64 = pa.Field(ge=0, description="Start offset into reports.text.")
    char_end: pl.Int64 = pa.Field(ge=0, description="End offset (exclusive) into reports.text.")
    relation: str = pa.Field(nullable=True, description="Directional context: 'north of', 'near', 'direction' ... (the event is near, not at, the place).")
    method: str = pa.Field(description="How the place was chosen: unique, oblast_beside, oblast_in_report, proximity, relative_anchor, derived.")
    confidence: float = pa.Field(ge=0, le=1, description="Confidence of the choice among same-name candidates (1 when unique).")


class Claims(Table):
    """Who claimed what, where and when: one row per source, event type and clause."""

    claim_id: str = pa.Field(unique=True, description="Stable identifier of the claim.")
    report_id: str = pa.Field(description="Report the claim was read from.")
    source_id: str = pa.Field(nullable=True, description="Claimant; null means the report's own author.")
    cue: str = pa.Field(nullable=True, description="Attribution words: claimed, according to, ...")
    event_type: str = pa.Field(isin=EVENT_TYPES, description="What is claimed (contract enumeration).")
    actor_side: str = pa.Field(nullable=True, isin=SIDES, description="Side of the acting forces, RU or UA.")
    polarity: str = pa.Field(isin=POLARITIES, description="asserted or denied.")
    text: str = pa.Field(description="The sentence or clause carrying the claim.")
    char_start: pl.Int64 = pa.Field(ge=0, description="Start offset of the clause into reports.text.")
    char_end: pl.Int64 = pa.Field(ge=0, description="End offset (exclusive) of the clause into reports.text.")
    event_date: pl.Date = pa.Field(nullable=True, description="Date of the event, resolved against the publication date.")
    date_precision: str = pa.Field(isin=DATE_PRECISIONS, description="day, week, month, year or unknown.")
    date_text: str = pa.Field(nullable=True, description="The date words as written.")
    quantity: float = pa.Field(nullable=True, description="A number the claim carries (distance, people, ...).")
    quantity_unit: str = pa.Field(nullable=True, description="Unit of the quantity: km, people, ...")
    evidence_urls: TEXT_LIST = pa.Field(nullable=True, description="Cited links, e.g. a report's endnotes.")


class ClaimPlaces(Table):
    """Places a claim is about, with the role each plays."""

    claim_id: str = pa.Field(description="The claim.")
    place_id: str = pa.Field(description="The place.")
    role: str = pa.Field(isin=PLACE_ROLES, description="location, target or reference.")
    char_start: pl.Int64 = pa.Field(ge=0, description="Start offset of the place mention into reports.text.")
    char_end: pl.Int64 = pa.Field(ge=0, description="End offset (exclusive) of the place mention into reports.text.")


TABLE_MODELS: dict[str, type[Table]] = {
    "reports": Reports,
    "rejected_reports": RejectedReports,
    "report_inputs": ReportInputs,
    "sources": Sources,
    "places": Places,
    "place_mentions": PlaceMentions,
    "claims": Claims,
    "claim_places": ClaimPlaces,
}


def polars_schema(model: type[Table]) -> pl.Schema:
    """The polars dtypes the model declares, in column order."""
    return pl.Schema({name: column.dtype.type for name, column in model.to_schema().columns.items()})


def empty_frame(model: type[Table]) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(model))


def validated(model: type[Table], frame: pl.DataFrame) -> pl.DataFrame:
    """Validate an eager frame against its model, reporting every failing value, and return it in column order."""
    checked = model.validate(frame, lazy=True)
    return checked.select(polars_schema(model).names())


def table_schema(model: type[Table]) -> dg.TableSchema:
    """The model as Dagster column metadata."""
    columns = []
    for name, column in model.to_schema().columns.items():
        constraints = dg.TableColumnConstraints(nullable=bool(column.nullable), unique=bool(column.unique))
        columns.append(
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description,
                constraints=constraints,
            )
        )
    return dg.TableSchema(columns=columns)


def enumerations() -> pl.DataFrame:
    """Allowed values of every enumerated column, read off the models' `isin` checks: a lookup table for SQL and BI."""
    rows = [
        {"table_name": table, "column_name": name, "value": value}
        for table, model in TABLE_MODELS.items()
        for name, column in model.to_schema().columns.items()
        for check in column.checks
        if check.name == "isin"
        for value in check.statistics["allowed_values"]
    ]
    return pl.DataFrame(rows, schema={"table_name": pl.String, "column_name": pl.String, "value": pl.String})
