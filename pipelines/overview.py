"""The visual overview: one self-contained HTML page (inline SVG, no scripts, no network) with a weekly
timeline of claims by the claimant's side, the most contested places, and a map of claim locations coloured
by which side's sources claim most there.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
from pathlib import Path

import duckdb
import polars as pl

SIDE_COLOURS = {"RU": "#c0392b", "UA": "#2e6fbd", "other": "#8e8e8e", "unknown": "#b5b5b5"}
# The map's frame: Ukraine and the front's Russian border areas.
LON_RANGE = (22.0, 41.5)
LAT_RANGE = (44.2, 52.6)
MAP_WIDTH, MAP_HEIGHT = 760, 460
CHART_WIDTH, CHART_HEIGHT = 760, 220
TOP_PLACES = 15


def overview_data(warehouse: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        weekly = connection.execute(
            """
            select
                date_trunc('week', coalesce(cast(published_at as date), claim_date)) as week,
                case when source_side in ('RU', 'UA') then source_side else 'other' end as side,
                count(distinct claim_id) as claims
            from claim_facts
            where coalesce(cast(published_at as date), claim_date) is not null
            group by all
            order by week
            """
        ).pl()
        contested = connection.execute(
            """
            select place_name, count(*) as conflicts, list(distinct conflict) as kinds,
                   min(claim_date_a) as first_date, max(claim_date_a) as last_date
            from contested_claims
            group by place_id, place_name
            order by conflicts desc, place_name
            limit ?
            """,
            [TOP_PLACES],
        ).pl()
        places = connection.execute(
            """
            select place_name, lat, lon, count(distinct claim_id) as claims,
                   count(distinct claim_id) filter (where source_side = 'RU') as ru,
                   count(distinct claim_id) filter (where source_side = 'UA') as ua
            from claim_facts
            where lat is not null and locates_event and place_type not in ('region', 'oblast', 'raion', 'country')
            group by place_id, place_name, lat, lon
            order by claims desc
            """
        ).pl()
        totals = connection.execute(
            "select count(*) as claims, count(distinct source_id) as sources, count(distinct report_id) as reports from claims"
        ).pl()
    return {"weekly": weekly, "contested": contested, "places": places, "totals": totals}


def _timeline_svg(weekly: pl.DataFrame) -> str:
    if weekly.is_empty():
        return "<p>No dated claims.</p>"
    weeks = sorted(set(weekly["week"].to_list()))
    per_week = {(row["week"], row["side"]): row["claims"] for row in weekly.iter_rows(named=True)}
    peak = max(sum(per_week.get((w, s), 0) for s in ("RU", "UA", "other")) for w in weeks) or 1
    bar = CHART_WIDTH / len(weeks)
    parts = []
    for index, week in enumerate(weeks):
        y = CHART_HEIGHT - 20
        for side in ("UA", "RU", "other"):
            count = per_week.get((week, side), 0)
            height = (CHART_HEIGHT - 40) * count / peak
            y -= height
            parts.append(
                f'<rect x="{index * bar:.1f}" y="{y:.1f}" width="{max(bar - 1, 1):.1f}" height="{height:.1f}" '
                f'fill="{SIDE_COLOURS[side]}"><title>{week:%Y-%m-%d}: {count} claims by {side} sources</title></rect>'
            )
    first, last = weeks[0], weeks[-1]
    parts.append(f'<text x="0" y="{CHART_HEIGHT - 4}" class="axis">{first:%Y-%m-%d}</text>')
    parts.append(f'<text x="{CHART_WIDTH}" y="{CHART_HEIGHT - 4}" class="axis" text-anchor="end">{last:%Y-%m-%d}</text>')
    parts.append(f'<text x="0" y="12" class="axis">{peak} claims / week</text>')
    return f'<svg viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" role="img">{"".join(parts)}</svg>'


def _project(lat: float, lon: float) -> tuple[float, float]:
    x = (lon - LON_RANGE[0]) / (LON_RANGE[1] - LON_RANGE[0]) * MAP_WIDTH
    y = (LAT_RANGE[1] - lat) / (LAT_RANGE[1] - LAT_RANGE[0]) * MAP_HEIGHT
    return x, y


def _map_svg(places: pl.DataFrame) -> str:
    parts = [f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="#f4f1ea"/>']
    for lon in range(int(LON_RANGE[0]) + 1, int(LON_RANGE[1]) + 1, 2):
        x, _ = _project(LAT_RANGE[0], lon)
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{MAP_HEIGHT}" class="grid"/><text x="{x + 2:.1f}" y="{MAP_HEIGHT - 4}" class="axis">{lon}°E</text>')
    for lat in range(int(LAT_RANGE[0]) + 1, int(LAT_RANGE[1]) + 1):
        _, y = _project(lat, LON_RANGE[0])
        parts.append(f'<line x1="0" y1="{y:.1f}" x2="{MAP_WIDTH}" y2="{y:.1f}" class="grid"/><text x="2" y="{y - 2:.1f}" class="axis">{lat}°N</text>')
    inside = places.filter(pl.col("lat").is_between(*LAT_RANGE) & pl.col("lon").is_between(*LON_RANGE))
    peak = inside["claims"].max() if not inside.is_empty() else 1
    for row in inside.sort("claims").iter_rows(named=True):
        x, y = _project(row["lat"], row["lon"])
        side = "RU" if row["ru"] > row["ua"] else "UA" if row["ua"] > row["ru"] else "other"
        radius = 2 + 14 * (row["claims"] / peak) ** 0.5
        name = html.escape(row["place_name"])
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{SIDE_COLOURS[side]}" fill-opacity="0.55" stroke="#333" stroke-width="0.3">'
            f"<title>{name}: {row['claims']} claims ({row['ru']} by RU sources, {row['ua']} by UA sources)</title></circle>"
        )
    for row in inside.head(12).iter_rows(named=True):
        x, y = _project(row["lat"], row["lon"])
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 3:.1f}" class="label">{html.escape(row["place_name"])}</text>')
    return f'<svg viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" role="img">{"".join(parts)}</svg>'


def _contested_table(contested: pl.DataFrame) -> str:
    if contested.is_empty():
        return "<p>No contested places.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(r['place_name'])}</td><td>{r['conflicts']}</td><td>{html.escape(', '.join(r['kinds']))}</td>"
        f"<td>{r['first_date'] or ''} – {r['last_date'] or ''}</td></tr>"
        for r in contested.iter_rows(named=True)
    )
    return f"<table><tr><th>place</th><th>conflicting pairs</th><th>kinds</th><th>dates</th></tr>{rows}</table>"


def render_overview(data: dict[str, pl.DataFrame], generated: dt.datetime) -> str:
    totals = data["totals"].row(0, named=True)
    legend = "".join(f'<span class="key" style="background:{SIDE_COLOURS[s]}"></span>{label} ' for s, label in (("RU", "RU-affiliated sources"), ("UA", "UA-affiliated sources"), ("other", "other or the report itself")))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sitrep overview</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 800px; }}
h1 {{ font-size: 22px; margin-bottom: 4px; }} h2 {{ font-size: 16px; margin-top: 28px; }}
.axis {{ font-size: 10px; fill: #555; }} .label {{ font-size: 11px; fill: #111; }} .grid {{ stroke: #ddd; stroke-width: 0.5; }}
table {{ border-collapse: collapse; }} td, th {{ border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }}
.key {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }}
</style></head><body>
<h1>Sitrep: who claimed what, where and when</h1>
<p>{totals['claims']:,} claims by {totals['sources']:,} named sources in {totals['reports']:,} reports. Generated {generated:%Y-%m-%d %H:%M} UTC.</p>
<p>{legend}</p>
<h2>Claims reported per week, by the claimant's side</h2>
{_timeline_svg(data['weekly'])}
<h2>Most contested places</h2>
{_contested_table(data['contested'])}
<h2>Where claims are located (circle size: claims; colour: the side whose sources claim most there)</h2>
{_map_svg(data['places'])}
</body></html>
"""


def chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None)


def screenshot(page: Path, png: Path, browser: str) -> None:
    """Render the page in headless Chromium and save what a person would see."""
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}", "--window-size=860,2000", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )


def write_overview(warehouse: Path, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "overview.html"
    staged = page.with_name(".overview.html.tmp")
    staged.write_text(render_overview(overview_data(warehouse), dt.datetime.now(dt.timezone.utc)), encoding="utf-8")
    staged.replace(page)
    written = {"html": page}
    browser = chromium()
    if browser:
        screenshot(page, out_dir / "overview.png", browser)
        written["png"] = out_dir / "overview.png"
    return written
