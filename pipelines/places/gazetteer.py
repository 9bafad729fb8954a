"""The gazetteer: GeoNames features worth recognising in war reporting plus seeds/places.csv, with name
indexes that find a feature under any of its spellings."""

from __future__ import annotations

import csv
import functools
import math
import os
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from pipelines.collector import unpickled
from pipelines.places.names import fold, is_cyrillic, loose_key, nominatives, romanisations
from pipelines.settings import SEEDS_DIR

# GeoNames feature codes that war reporting names: settlements, oblasts and raions, rivers, reservoirs,
# islands and spits, and the sites fought over (airports, mines, power stations, dams, bridges, ports).
KEPT_CODES = {
    "A": {"PCLI", "ADM1", "ADM2"},
    "H": {"STM", "RSV", "CNL", "ESTY", "BAY", "LK"},
    "T": {"ISL", "SPIT", "PEN"},
    "S": {"AIRP", "AIRF", "AIRB", "MN", "MNC", "PS", "PSN", "PSH", "DAM", "BDG", "MILB", "PRT"},
    "L": {"RGN"},
    "R": {"RD"},
}
FEATURE_TYPES = {
    "PCLI": "country",
    "ADM1": "oblast",
    "ADM2": "raion",
    "STM": "river",
    "RSV": "reservoir",
    "CNL": "canal",
    "LK": "lake",
    "ESTY": "estuary",
    "BAY": "bay",
    "ISL": "island",
    "SPIT": "spit",
    "PEN": "peninsula",
    "AIRP": "airport",
    "AIRF": "airfield",
    "AIRB": "airbase",
    "MN": "mine",
    "MNC": "mine",
    "PS": "power_plant",
    "PSN": "power_plant",
    "PSH": "power_plant",
    "DAM": "dam",
    "BDG": "bridge",
    "MILB": "military_base",
    "PRT": "port",
    "RGN": "region",
    "RD": "road",
}
MAX_ALIASES = 12
# Similarity (0-100) of loose keys above which a misspelt name is taken for a gazetteer name.
FUZZY_CUTOFF = 80
# The same for a misspelt oblast: two dozen names far apart from each other allow a looser match.
OBLAST_FUZZY_CUTOFF = 75
# Type words a province or oblast name may carry, misspelt too ("Donetsk Obalst"), dropped before comparing names.
OBLAST_TYPE_WORDS = re.compile(r"\b(?:oblast|obalst|olast|region|province|city)\b[,.]?", re.IGNORECASE)


def settlement_type(code: str, population: int) -> str:
    if code in {"PPLC", "PPLA"} or population >= 100_000:
        return "city"
    if code == "PPLX":
        return "city_district"
    return "town" if population >= 10_000 else "village"


@dataclass
class Gazetteer:
    """Features in a frame (one row per place) and name indexes into its rows."""

    features: pl.DataFrame
    source: str
    density: ReportingDensity | None = None
    senses: ConfidentSenses | None = None
    # Where the name indexes are kept between runs (see keep_indexes); None builds them every time.
    index_file: Path | None = None

    def __post_init__(self) -> None:
        self.lat = self.features["lat"].fill_null(np.nan).to_numpy()
        self.lon = self.features["lon"].fill_null(np.nan).to_numpy()
        self.population = self.features["population"].fill_null(0).to_numpy()
        self.place_ids = self.features["place_id"].to_list()
        self.admin1 = self.features["admin1"].to_list()
        self.feature_types = self.features["feature_type"].to_list()
        self.feature_codes = self.features["feature_code"].to_list()
        self.names = self.features["name"].to_list()

    @property
    def exact(self) -> dict[str, list[int]]:
        """Rows by folded name."""
        return self._indexes[0]

    @property
    def loose(self) -> dict[str, list[int]]:
        """Rows by loose key (three letters or more)."""
        return self._indexes[1]

    @property
    def primary_keys(self) -> list[str]:
        """The loose key of each row's own current name, as against its historical or foreign alternate names."""
        return self._indexes[2]

    def keep_indexes(self, folder: Path, key: str) -> None:
        """Keep the name indexes in folder under key, a digest of the features and of the naming rules:
        building them takes seconds, reading them back a fraction of one."""
        self.index_file = folder / f"{key}.pickle"

    @functools.cached_property
    def _indexes(self) -> tuple[dict[str, list[int]], dict[str, list[int]], list[str]]:
        """Built on first use (a run with nothing new to locate never needs them), or read back from index_file."""
        if self.index_file is not None:
            try:
                indexes = unpickled(self.index_file.read_bytes())
                if len(indexes) == 3 and len(indexes[2]) == len(self.names):
                    return indexes
            except Exception:  # noqa: BLE001 - a missing or unreadable index is only built again
                pass
        indexes = self._build_indexes()
        if self.index_file is not None:
            _store(self.index_file, pickle.dumps(indexes, protocol=pickle.HIGHEST_PROTOCOL))
        return indexes

    def _build_indexes(self) -> tuple[dict[str, list[int]], dict[str, list[int]], list[str]]:
        exact: dict[str, set[int]] = defaultdict(set)
        loose: dict[str, set[int]] = defaultdict(set)
        primary_keys = [loose_key(name) for name in self.names]
        for row, names in enumerate(self.features["aliases"].to_list()):
            for position, name in enumerate([self.names[row], *(names or [])]):
                exact[fold(name)].add(row)
                key = primary_keys[row] if position == 0 else loose_key(name)
                if len(key) >= 3:
                    loose[key].add(row)
        return {k: sorted(v) for k, v in exact.items()}, {k: sorted(v) for k, v in loose.items()}, primary_keys

    @functools.cached_property
    def _loose_by_initial(self) -> dict[tuple[str, int], list[str]]:
        """Loose keys by their first two letters and length, the buckets a misspelling is looked for in."""
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for key in self.loose:
            buckets[(key[:2], len(key))].append(key)
        return buckets

    def fuzzy_lookup(self, name: str, cutoff: float = FUZZY_CUTOFF) -> list[int]:
        """Rows whose loose key is within a small edit distance of the name's (misspellings: Popsana, Severdonetsk)."""
        key = loose_key(name)
        if len(key) < 5:
            return []
        # Same first two letters and nearly the same length: a misspelling, not another name.
        bucket = [k for length in range(len(key) - 2, len(key) + 3) for k in self._loose_by_initial.get((key[:2], length), ())]
        match = process.extractOne(key, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
        return self.loose[match[0]] if match else []

    @functools.cached_property
    def _oblast_keys(self) -> dict[str, str]:
        """Loose key of every name of every oblast, without its type word -> the oblast's admin1 name."""
        keys: dict[str, str] = {}
        for row, aliases in enumerate(self.features["aliases"].to_list()):
            if self.feature_types[row] == "oblast" and self.admin1[row]:
                for name in [self.names[row], *aliases]:
                    keys.setdefault(loose_key(OBLAST_TYPE_WORDS.sub("", name)), self.admin1[row])
        keys.pop("", None)
        return keys

    @functools.cached_property
    def _oblast_key_list(self) -> list[str]:
        return list(self._oblast_keys)

    def fuzzy_oblast(self, name: str, cutoff: float = OBLAST_FUZZY_CUTOFF) -> str | None:
        """The oblast whose name a misspelt one is closest to ("Donestk", "Kharviv"), if any is close enough."""
        key = loose_key(name)
        # Short keys are too close to each other to guess from (Kursk is one letter from Krym's "krmsk").
        match = process.extractOne(key, self._oblast_key_list, scorer=fuzz.ratio, score_cutoff=cutoff) if len(key) >= 6 else None
        return self._oblast_keys[match[0]] if match else None

    @classmethod
    def from_features(cls, features: pl.DataFrame, source: str) -> "Gazetteer":
        """A gazetteer of the given features plus seeds/places.csv (our own features win over same-id ones)."""
        combined = pl.concat([features.cast(FEATURE_SCHEMA), seed_features()], how="vertical")
        return cls(features=combined.unique("place_id", keep="last", maintain_order=True), source=source)

    def set_density(self, density: ReportingDensity | None) -> None:
        self.density = density
        self.__dict__.pop("prior_cache", None)

    def set_senses(self, senses: ConfidentSenses | None) -> None:
        self.senses = senses
        self.__dict__.pop("prior_cache", None)

    @functools.cached_property
    def prior_cache(self) -> dict[tuple[int, str | None, int | None], float]:
        """Context-free scores of candidates by (row, looked-up key, period), filled as resolution asks for them."""
        return {}

    def density_prior(self, row: int, period: int | None = None) -> float:
        """log(1 + reporting density) around a feature, for a report of that period (None: undated); 0
        without a density."""
        return math.log1p(self.density.around(float(self.lat[row]), float(self.lon[row]), period)) if self.density is not None else 0.0

    def sense_prior(self, row: int, period: int | None = None) -> float:
        """log(1 + the times the corpus confidently meant this feature around that period); 0 without senses."""
        return math.log1p(self.senses.count(row, period)) if self.senses is not None else 0.0

    def lookup(self, name: str) -> tuple[list[int], str]:
        """Candidate rows for a name and how they were found: exact spelling first, then the loose key."""
        rows = self.exact.get(fold(name))
        if rows:
            return rows, "exact"
        if is_cyrillic(name):
            # "обстрілу Чернігова": a declined name is looked up in its nominative before any looser key,
            # which would take "Chernihova" for the Lviv village Chernikhov.
            for nominative in nominatives(name):
                rows = self.exact.get(fold(nominative))
                if rows:
                    return rows, "declined"
        rows = self.loose.get(loose_key(name))
        if rows:
            return rows, "variant"
        return [], "none"


def _store(path: Path, data: bytes) -> None:
    """Write beside the final name and rename into place, then drop indexes of other features or rules; a
    folder that cannot be written leaves the index unkept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        for other in path.parent.glob("*.pickle"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError:
        pass


_CYRILLIC_TYPE_WORD = re.compile(r"\s+(?:область|обл\.|район|міська громада|громада|области)$", re.IGNORECASE)


def _names(row: dict) -> list[str]:
    """Latin and Cyrillic names of a GeoNames row plus romanisations of the Cyrillic ones."""
    raw = [row["name"], row["asciiname"], *(row["alternatenames"] or "").split(",")]
    names: list[str] = []
    stems: list[str] = []
    for name in raw:
        name = (name or "").strip()
        if len(name) < 2 or any(ch.isdigit() for ch in name):
            continue
        if is_cyrillic(name):
            # "Харківська область": the adjective alone is how the text names it before its type word
            # ("у Харківській та Донецькій областях"), as "Kharkiv" is before "Oblast".
            # Kept ahead of the alternate names, which are cut at MAX_ALIASES (an oblast has dozens).
            stem = _CYRILLIC_TYPE_WORD.sub("", name)
            if stem != name and len(stem) > 2:
                stems.append(stem)
            names.append(name)
            names.extend(romanisations(name))
        elif all(ord(ch) < 0x250 or ch in "’ʼ" for ch in name):
            # "Zaporizhzhya Oblast" is also "Zaporizhzhya" before a lower-case "oblast" the name match leaves out.
            if name in raw[:2] and name.endswith(" Oblast"):
                stems.append(name.removesuffix(" Oblast"))
            names.append(name)
    seen: dict[str, str] = {}
    for name in [*names[:1], *stems, *names[1:]]:
        seen.setdefault(fold(name), name)
    return list(seen.values())


def geonames_features(frame: pl.DataFrame) -> pl.DataFrame:
    """The GeoNames rows worth recognising, as gazetteer features."""
    kept = frame.filter(
        (pl.col("feature_class") == "P")
        | pl.any_horizontal(
            (pl.col("feature_class") == cls) & pl.col("feature_code").is_in(sorted(codes)) for cls, codes in KEPT_CODES.items()
        )
    )
    rows = []
    for row in kept.iter_rows(named=True):
        names = _names(row)
        population = row["population"] or 0
        code = row["feature_code"] or ""
        rows.append(
            {
                "place_id": f"gn:{row['geonameid']}",
                "name": row["name"],
                "aliases": [n for n in names if n != row["name"]][: MAX_ALIASES * 4],
                "feature_type": settlement_type(code, population) if row["feature_class"] == "P" else FEATURE_TYPES.get(code, code.lower()),
                "feature_code": code,
                "admin1": row["admin1"],
                "country_code": row["country_code"],
                "lat": row["lat"],
                "lon": row["lon"],
                "geonameid": row["geonameid"],
                "population": population,
                "precision": "region" if code in {"PCLI", "ADM1", "ADM2", "RGN"} else "gazetteer",
            }
        )
    return pl.DataFrame(rows, schema=FEATURE_SCHEMA)


FEATURE_SCHEMA = {
    "place_id": pl.String,
    "name": pl.String,
    "aliases": pl.List(pl.String),
    "feature_type": pl.String,
    "feature_code": pl.String,
    "admin1": pl.String,
    "country_code": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "geonameid": pl.Int64,
    "population": pl.Int64,
    "precision": pl.String,
}


def seed_features(path: Path = SEEDS_DIR / "places.csv") -> pl.DataFrame:
    """Our own features (roads, mines, sites, regions GeoNames lacks), from seeds/places.csv."""
    if not path.exists():
        return pl.DataFrame(schema=FEATURE_SCHEMA)
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
            lat = float(row["lat"]) if row.get("lat") else None
            lon = float(row["lon"]) if row.get("lon") else None
            rows.append(
                {
                    "place_id": "seed:" + row["place_id"].removeprefix("seed_"),
                    "name": row["name"],
                    "aliases": aliases,
                    "feature_type": row.get("feature_type") or None,
                    "feature_code": "SEED",
                    "admin1": row.get("admin1") or None,
                    # Our own features are in Ukraine unless the row says otherwise (Russian border cities and oblasts).
                    "country_code": row.get("country_code") or "UA",
                    "lat": lat,
                    "lon": lon,
                    "geonameid": None,
                    "population": int(row["population"]) if row.get("population") else 0,
                    "precision": row.get("precision") or "unknown",
                }
            )
    return pl.DataFrame(rows, schema=FEATURE_SCHEMA)


def build_gazetteer(frames: Iterable[pl.DataFrame], source: str) -> Gazetteer:
    return Gazetteer.from_features(pl.concat(list(frames), how="vertical"), source)


class ReportingDensity:
    """Where the reporting concentrates: counts of unambiguously named places on a 0.1-degree grid, over
    the whole corpus and per period (month) of the reports that named them.

    Built from the run's own reports, it tells a village near the fighting from its namesake far
    from it when nothing else in a report does. The front moves, so a dated report weighs most what
    was reported in the months around its own (PERIOD_WINDOW either side), and the whole corpus at
    GLOBAL_SHARE of that window's size.
    """

    CELL_DEG = 0.1
    PERIOD_WINDOW = 1
    GLOBAL_SHARE = 0.4

    def __init__(self, lat: np.ndarray, lon: np.ndarray, period: np.ndarray | None = None):
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        period = np.full(len(lat), np.nan) if period is None else np.asarray(period, dtype=float)
        keep = ~(np.isnan(lat) | np.isnan(lon))
        cells = np.stack([np.floor(lat[keep] / self.CELL_DEG), np.floor(lon[keep] / self.CELL_DEG)], axis=1).astype(np.int64)
        period = period[keep]
        dated = ~np.isnan(period)
        # Counted by polars, per cell and per period and cell (a Python loop over the 107,000 points of a
        # 10,000-report run took 0.4 s a run). Plain dicts of ints: the gazetteer holding this goes to worker
        # processes by pickle.
        points = pl.DataFrame({"i": cells[:, 0], "j": cells[:, 1]})
        overall = points.group_by("i", "j").len()
        self.counts = dict(zip(zip(overall["i"].to_list(), overall["j"].to_list()), overall["len"].to_list()))
        by_period = points.filter(pl.Series(dated)).with_columns(period=pl.Series(period[dated].astype(np.int64))).group_by("period", "i", "j").len()
        period_counts: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
        for when, i, j, n in by_period.iter_rows():
            period_counts[when][(i, j)] = n
        self.period_counts = dict(period_counts)
        self.total = int(keep.sum())
        self.period_totals = {p: sum(c.values()) for p, c in self.period_counts.items()}

    def around(self, lat: float, lon: float, period: int | None = None) -> float:
        """Mentions in the point's cell and the eight around it (about 30 km across; 0 without coordinates):
        over the whole corpus, or for a period, over the periods around it plus the whole corpus scaled to
        GLOBAL_SHARE of them."""
        if lat != lat or lon != lon:
            return 0.0
        i, j = math.floor(lat / self.CELL_DEG), math.floor(lon / self.CELL_DEG)
        cells = [(i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)]
        overall = sum(self.counts.get(cell, 0) for cell in cells)
        if period is None:
            return float(overall)
        periods = range(period - self.PERIOD_WINDOW, period + self.PERIOD_WINDOW + 1)
        window_total = sum(self.period_totals.get(p, 0) for p in periods)
        in_window = sum(self.period_counts[p].get(cell, 0) for p in periods if p in self.period_counts for cell in cells)
        return in_window + self.GLOBAL_SHARE * window_total / max(self.total, 1) * overall


class ConfidentSenses:
    """Which feature of a shared name a corpus means: the times each feature was chosen on the evidence of
    its context (an oblast beside it, nearby places), by period (month).

    A run's series of context-free rows ("Novoselivka, Donetsk Oblast: artillery strikes") then goes to the
    Novoselivka that the same month's rows with context placed, not to a larger namesake. Counted over the
    periods around a row's own (ReportingDensity.PERIOD_WINDOW either side), or over all when undated.
    """

    def __init__(self, rows: list[int], periods: list[int | None]):
        self.by_period: dict[int | None, Counter] = defaultdict(Counter)
        self.overall: Counter = Counter(rows)
        for row, period in zip(rows, periods, strict=True):
            self.by_period[period][row] += 1

    def count(self, row: int, period: int | None = None) -> int:
        if period is None:
            return self.overall[row]
        window = range(period - ReportingDensity.PERIOD_WINDOW, period + ReportingDensity.PERIOD_WINDOW + 1)
        return sum(self.by_period[p][row] for p in window if p in self.by_period)


EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance; works on numbers and numpy arrays."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, degrees clockwise from north."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlon = math.radians(lon2 - lon1)
    x = math.sin(dlon) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlon)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def offset_point(lat: float, lon: float, distance: float, bearing: float) -> tuple[float, float]:
    """The point `distance` km from (lat, lon) along `bearing` degrees."""
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = distance / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), math.degrees(lam2)
