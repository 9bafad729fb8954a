"""Geocoding benchmark: resolve the town of each Ukrainian row of the CIR hand-geolocated events (with its
province and description as context) and compare with CIR's point.

    python -m pipelines.places.benchmark [path to cir-geolocated-events.csv] [GeoNames dump]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.places.gazetteer import Gazetteer, build_gazetteer, distance_km, geonames_features
from pipelines.places.extract import report_periods, reporting_density
from pipelines.places.geonames import read_geonames
from pipelines.places.resolve import _candidates, resolve_names
from pipelines.places.recognise import Mention
from pipelines.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
CIR = SHARED / "data" / "benchmarks" / "cir-geolocated-events.csv"
GEONAMES = SHARED / "data" / "geonames" / "UA.zip"


def load_cir(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema_length=0)
    return frame.filter((pl.col("country") == "Ukraine") & pl.col("town/city").is_not_null()).with_columns(
        pl.col("lat").cast(pl.Float64), pl.col("lon").cast(pl.Float64)
    )


def row_texts(rows: pl.DataFrame) -> list[str]:
    """Each row's text as a report would give it: the town, then the title and description."""
    return [" ".join(filter(None, [f"{row['town/city']}.", row["title"], row["brief description"]])) for row in rows.iter_rows(named=True)]


def row_periods(rows: pl.DataFrame) -> list[int | None]:
    """Each row's period (pipelines.places.extract.report_periods) from its date."""
    return report_periods(rows.select(pl.col("date").str.to_datetime("%Y-%m-%d", strict=False).alias("published_at")))


def evaluate(rows: pl.DataFrame, gazetteer: Gazetteer) -> dict[str, object]:
    contexts = [" ".join(filter(None, [title, description])) for title, description in zip(rows["title"], rows["brief description"], strict=True)]
    choices = resolve_names(rows["town/city"].to_list(), gazetteer, rows["province"].to_list(), contexts, row_periods(rows))
    results = []
    for row, (chosen, method, _) in zip(rows.iter_rows(named=True), choices, strict=True):
        lookup_rows, how = gazetteer.lookup(row["town/city"])
        if not lookup_rows:
            lookup_rows = gazetteer.fuzzy_lookup(row["town/city"])
        candidates = _candidates(gazetteer, Mention(0, 0, row["town/city"], lookup_rows, how)) if lookup_rows else []
        cand = np.array(candidates, dtype=int)
        best_possible = float(np.nanmin(distance_km(gazetteer.lat[cand], gazetteer.lon[cand], row["lat"], row["lon"]))) if len(cand) else None
        error = float(distance_km(gazetteer.lat[chosen], gazetteer.lon[chosen], row["lat"], row["lon"])) if chosen is not None else None
        results.append({"town": row["town/city"], "province": row["province"], "method": method, "error_km": error, "best_km": best_possible})
    frame = pl.DataFrame(results, schema={"town": pl.String, "province": pl.String, "method": pl.String, "error_km": pl.Float64, "best_km": pl.Float64})
    resolved = frame.filter(pl.col("error_km").is_not_null())
    reachable = frame.filter(pl.col("best_km") <= 10)
    causes = Counter()
    for r in frame.iter_rows(named=True):
        if r["error_km"] is None:
            causes["no candidate (not in gazetteer or spelling not matched)"] += 1
        elif r["error_km"] > 10 and r["best_km"] is not None and r["best_km"] <= 10:
            causes["wrong homonym chosen"] += 1
        elif r["error_km"] > 10:
            causes["no candidate within 10 km (outskirts, large city, or gazetteer point far)"] += 1
    return {
        "rows": frame.height,
        "resolved": resolved.height / frame.height,
        "within_1km": frame.filter(pl.col("error_km") <= 1).height / frame.height,
        "within_10km": frame.filter(pl.col("error_km") <= 10).height / frame.height,
        "reachable": reachable.height / frame.height,
        "chosen_within_10km_when_reachable": reachable.filter(pl.col("error_km") <= 10).height / max(reachable.height, 1),
        "failures": dict(causes.most_common()),
        "frame": frame,
    }


def main(argv: list[str]) -> int:
    cir = Path(argv[0]) if argv else CIR
    dump = Path(argv[1]) if len(argv) > 1 else GEONAMES
    start = time.perf_counter()
    gazetteer = build_gazetteer([geonames_features(read_geonames(dump))], source=str(dump))
    rows = load_cir(cir)
    # The reporting density comes from the rows' own text (town, title, description) and dates, as a run
    # over them would build it from its reports; never from CIR's coordinates.
    gazetteer.set_density(reporting_density(row_texts(rows), gazetteer, row_periods(rows)))
    built = time.perf_counter() - start
    start = time.perf_counter()
    result = evaluate(rows, gazetteer)
    seconds = time.perf_counter() - start
    print(f"Geocoding benchmark: {result['rows']:,} CIR rows in Ukraine with a town (gazetteer built in {built:.1f} s, rows resolved in {seconds:.1f} s)")
    print(f"  resolved (coverage):                         {result['resolved']:.1%}")
    print(f"  chosen point within 1 km of CIR's:           {result['within_1km']:.1%}")
    print(f"  chosen point within 10 km of CIR's:          {result['within_10km']:.1%}")
    print(f"  rows where some candidate lies within 10 km: {result['reachable']:.1%}")
    print(f"  ... of which the chosen one does:            {result['chosen_within_10km_when_reachable']:.1%}")
    print("  failures by cause:")
    for cause, count in result["failures"].items():
        print(f"    {count:5,}  {cause}")
    frame = result["frame"]
    wrong = frame.filter((pl.col("error_km") > 10) & (pl.col("best_km") <= 10))
    unresolved = frame.filter(pl.col("error_km").is_null())
    with pl.Config(tbl_rows=15, fmt_str_lengths=30):
        print("  most frequent unresolved towns:", unresolved.group_by("town").len().sort("len", descending=True).head(15).rows())
        print("  most frequent wrong homonyms:", wrong.group_by("town", "province").len().sort("len", descending=True).head(15).rows())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
