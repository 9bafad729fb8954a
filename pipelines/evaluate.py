"""`make eval`: score a warehouse against gold files (format: seeds/gold/README.md).

    python -m pipelines.evaluate [--json] [--details] WAREHOUSE GOLD_DIR_OR_FILE ...

The warehouse must hold the gold reports with source_uri `<corpus>/<report>` relative to ../shared, as a
run with SITREP_REPORTS_DIR=../shared gives (what `make eval` does). A gold file judges only its excerpt
(the whole text when it gives none): the predicted mentions and claims of its report whose span lies inside
it. Counts are summed over the files of a gold set before the ratios are taken (micro-averages); a ratio
with nothing to divide by is 0.

- mentions: predicted place mentions against gold mention spans (overlap), precision / recall / F1;
- places: distinct places of each excerpt; a predicted place is right when one of its mentions overlaps a
  gold mention of a gold place it matches (same GeoNames id, within the gold tolerance, or the same name for
  lines such as roads);
- within tolerance: share of matched mentions whose resolved point lies within the gold tolerance;
- sources: the file's `sources` against the distinct non-null sources of the predicted claims; a predicted
  source matches a gold one when the loose keys (pipelines.places.names.loose_key) of their names and
  aliases intersect; one-to-one (maximum matching) per file. A predicted source left unmatched that matches
  one of the file's `optional_sources` is ignored;
- claims: a predicted claim matches a required gold claim when (a) the sources match (both null, or both
  non-null and matching as for sources), (b) the event types are equal, (c) a place matches: one of the
  predicted claim's places (claim_places, with the report text at its span as the mention) matches one of
  the gold claim's places as for places; a gold claim without places accepts a predicted claim without
  places or one overlapping its quote; and (d) the spans overlap: the gold span is the claim's
  char_start/char_end, else its quote found inside the excerpt, else (d) is waived. Gold claims are taken in
  order, each taking the free matching prediction that overlaps its span most. A prediction left unmatched
  that matches an optional gold claim is ignored; every other unmatched prediction is a false positive.
  Precision = matched / (predicted - ignored), recall = matched / required gold claims;
- event type / actor side / polarity: each required gold claim found whole keeps its match; the others are
  aligned one-to-one as for claims but without (b). The share of aligned pairs with the same event_type,
  actor_side, polarity (the gold polarity defaults to "asserted"). So event-type accuracy is: of the gold
  claims the extractor found apart from their type, the share it also typed right; a second type predicted
  for the same clause does not lower it (it lowers claim precision instead).

Options: --json prints every figure as JSON; --details lists each file's claim and source false negatives (missed) and
false positives (extra).
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.gold import gold_corpus, load_gold
from pipelines.places.gazetteer import distance_km
from pipelines.places.names import loose_key

Span = tuple[int, int]

_MENTIONS_SQL = """
    select m.char_start, m.char_end, m.mention_text, m.place_id, p.name, p.lat, p.lon, p.geonameid
    from place_mentions m join places p using (place_id)
    where m.report_id = ? and m.char_start >= ? and m.char_end <= ?
    order by m.char_start, m.char_end
"""
_CLAIMS_SQL = """
    select c.claim_id, c.source_id, s.name as source_name, s.aliases as source_aliases, c.event_type,
           c.actor_side, c.polarity, c.text, c.char_start, c.char_end
    from claims c left join sources s on s.source_id = c.source_id
    where c.report_id = ? and c.char_start >= ? and c.char_end <= ?
    order by c.char_start, c.char_end, c.claim_id
"""
_CLAIM_PLACES_SQL = """
    select cp.claim_id, cp.char_start, cp.char_end, cp.place_id, p.name, p.lat, p.lon, p.geonameid
    from claims c join claim_places cp on cp.claim_id = c.claim_id join places p on p.place_id = cp.place_id
    where c.report_id = ? and c.char_start >= ? and c.char_end <= ?
    order by cp.char_start, cp.char_end
"""
_CLAIM_TABLES = {"claims", "claim_places", "sources"}


# --- Scope: one gold file and the predictions it judges -------------------------------------------------


@dataclass
class Scope:
    """A gold file, its report, the excerpt bounds and the predicted rows whose span lies inside them."""

    path: Path
    gold: dict
    report_id: str
    text: str
    start: int
    end: int
    mentions: list[dict]
    claims: list[dict]


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _has_claim_tables(connection: duckdb.DuckDBPyConnection) -> bool:
    tables = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
    return _CLAIM_TABLES <= tables


def _predicted_claims(connection: duckdb.DuckDBPyConnection, text: str, bounds: list) -> list[dict]:
    """Claims in scope, each with its source ({name, aliases} or None) and places (mention = text at the span)."""
    if not _has_claim_tables(connection):
        return []
    places: dict[str, list[dict]] = {}
    for row in _rows(connection, _CLAIM_PLACES_SQL, bounds):
        row["mention_text"] = text[row["char_start"]:row["char_end"]]
        places.setdefault(row["claim_id"], []).append(row)
    claims = _rows(connection, _CLAIMS_SQL, bounds)
    for claim in claims:
        name, aliases = claim.pop("source_name"), claim.pop("source_aliases")
        has_source = claim["source_id"] is not None
        claim["source"] = {"name": name or claim["source_id"], "aliases": aliases or []} if has_source else None
        claim["places"] = places.get(claim["claim_id"], [])
    return claims


def load_scope(connection: duckdb.DuckDBPyConnection, path: Path, gold: dict) -> Scope | None:
    """The scope of one gold file; None when the warehouse lacks its report."""
    uri = f"{gold_corpus(gold)}/{gold['report']}"
    row = connection.execute("select report_id, text from reports where source_uri = ?", [uri]).fetchone()
    if row is None:
        return None
    report_id, text = row
    excerpt = gold.get("excerpt") or {}
    start, end = excerpt.get("char_start", 0), excerpt.get("char_end", len(text))
    bounds = [report_id, start, end]
    mentions = _rows(connection, _MENTIONS_SQL, bounds)
    return Scope(path, gold, report_id, text, start, end, mentions, _predicted_claims(connection, text, bounds))


# --- Shared matching helpers ------------------------------------------------------------------------------


def _gold_spans(gold: dict, text: str, start: int, end: int) -> dict[str, list[Span]]:
    """Gold mention spans per place key; found by the place's names in the text when the file gives none."""
    spans = {}
    for place in gold.get("places", []):
        if place.get("mentions"):
            spans[place["key"]] = [tuple(s) for s in place["mentions"]]
            continue
        found = []
        for name in {place["name"], *place.get("aliases", [])}:
            found += [(m.start(), m.end()) for m in re.finditer(rf"\b{re.escape(name)}\b", text[start:end])]
        spans[place["key"]] = sorted({(s + start, e + start) for s, e in found})
    return spans


def _matches(place: dict, predicted: dict) -> bool:
    """A predicted place (with its mention text) is the gold place: same GeoNames id, within tolerance, or same name."""
    if place.get("geonameid") and predicted["geonameid"] == place["geonameid"]:
        return True
    if place.get("lat") is not None and predicted["lat"] is not None:
        return float(distance_km(place["lat"], place["lon"], predicted["lat"], predicted["lon"])) <= (place.get("tolerance_km") or 6)
    names = {loose_key(n) for n in [place["name"], *place.get("aliases", [])]}
    return bool(names & {loose_key(predicted["name"]), loose_key(predicted["mention_text"])})


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _overlap(a: Span | None, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0])) if a else 0


def _source_keys(source: dict) -> set[str]:
    names = [source.get("name"), *(source.get("aliases") or [])]
    return {key for key in (loose_key(n) for n in names if n) if key}


def same_source(gold: dict | None, predicted: dict | None) -> bool:
    """Both the report's own narration (None), or names and aliases sharing a loose key."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return bool(_source_keys(gold) & _source_keys(predicted))


def _max_matching(left: Sequence, right: Sequence, compatible: Callable) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (augmenting paths) as (left index, right index) pairs."""
    edges = [[j for j, r in enumerate(right) if compatible(item, r)] for item in left]
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(left)):
        assign(i, set())
    return sorted((i, j) for j, i in owner.items())


# --- Places -----------------------------------------------------------------------------------------------


def place_counts(scope: Scope) -> Counter:
    """Mention and place counts of one file."""
    places = {p["key"]: p for p in scope.gold.get("places", [])}
    spans = _gold_spans(scope.gold, scope.text, scope.start, scope.end)
    gold_spans = [(span, key) for key, key_spans in spans.items() for span in key_spans]
    counts = Counter(mentions_predicted=len(scope.mentions), mentions_gold=len(gold_spans), places_gold=len(places))
    hit_gold, correct_place_ids, found_keys = set(), set(), set()
    for mention in scope.mentions:
        overlapping = [(g, key) for g, key in gold_spans if _overlaps((mention["char_start"], mention["char_end"]), g)]
        if not overlapping:
            continue
        counts["mentions_matched"] += 1
        hit_gold.update(g for g, _ in overlapping)
        right = [key for _, key in overlapping if _matches(places[key], mention)]
        if right:
            counts["mentions_within_tolerance"] += 1
            correct_place_ids.add(mention["place_id"])
            found_keys.update(right)
    counts["gold_mentions_found"] += len(hit_gold)
    counts["places_predicted"] += len({m["place_id"] for m in scope.mentions})
    counts["places_correct"] += len(correct_place_ids)
    counts["places_found"] += len(found_keys)
    return counts


# --- Sources ----------------------------------------------------------------------------------------------


def source_errors(scope: Scope) -> tuple[list[dict], list[dict], int]:
    """The gold sources of one file no prediction matched, the predicted ones matching no gold source (less
    those ignored as optional), and how many matched."""
    required, optional = scope.gold.get("sources", []), scope.gold.get("optional_sources", [])
    predicted = list({c["source_id"]: c["source"] for c in scope.claims if c["source"] is not None}.values())
    pairs = _max_matching(required, predicted, same_source)
    found, matched = {i for i, _ in pairs}, {j for _, j in pairs}
    missed = [s for i, s in enumerate(required) if i not in found]
    extra = [s for j, s in enumerate(predicted) if j not in matched and not any(same_source(o, s) for o in optional)]
    return missed, extra, len(pairs)


def source_counts(scope: Scope) -> Counter:
    """Gold, predicted (less those ignored as optional) and matched sources of one file."""
    missed, extra, matched = source_errors(scope)
    return Counter(sources_gold=len(missed) + matched, sources_predicted=len(extra) + matched, sources_matched=matched)


# --- Claims -----------------------------------------------------------------------------------------------


def _quote_span(claim: dict, scope: Scope) -> Span | None:
    """The gold claim's offsets, else its quote found inside the excerpt, else None."""
    if claim.get("char_start") is not None and claim.get("char_end") is not None:
        return claim["char_start"], claim["char_end"]
    quote = claim.get("quote") or ""
    index = scope.text.find(quote, scope.start, scope.end) if quote else -1
    return (index, index + len(quote)) if index >= 0 else None


def gold_claims(scope: Scope) -> list[dict]:
    """The file's gold claims with their source and places resolved from the keys and their span located."""
    sources = {s["key"]: s for s in scope.gold.get("sources", []) + scope.gold.get("optional_sources", [])}
    places = {p["key"]: p for p in scope.gold.get("places", [])}
    resolved = []
    for claim in scope.gold.get("claims", []):
        key = claim.get("source")
        resolved.append({
            **claim,
            "source": None if key is None else sources.get(key, {"name": key}),
            "places": [places[k] for k in claim.get("places", []) if k in places],
            "polarity": claim.get("polarity") or "asserted",
            "span": _quote_span(claim, scope),
            "optional": bool(claim.get("optional")),
        })
    return resolved


def aligned(gold: dict, predicted: dict) -> bool:
    """Every condition of a claim match except the event type: source, places and span overlap."""
    span = (predicted["char_start"], predicted["char_end"])
    if gold["span"] is not None and not _overlaps(span, gold["span"]):
        return False
    if not same_source(gold["source"], predicted["source"]):
        return False
    if not gold["places"]:
        return not predicted["places"] or (gold["span"] is not None and _overlaps(span, gold["span"]))
    return any(_matches(g, p) for g in gold["places"] for p in predicted["places"])


def claim_match(gold: dict, predicted: dict) -> bool:
    return gold["event_type"] == predicted["event_type"] and aligned(gold, predicted)


def _greedy(golds: list[dict], predicted: list[dict], compatible: Callable, pairs: dict[int, int] | None = None) -> dict[int, int]:
    """Gold index -> predicted index: each gold claim in order (not already paired in `pairs`) takes the free
    compatible prediction overlapping it most."""
    pairs = dict(pairs or {})
    for i, gold in enumerate(golds):
        if i in pairs:
            continue
        free = [j for j, p in enumerate(predicted) if j not in pairs.values() and compatible(gold, p)]
        if free:
            pairs[i] = max(free, key=lambda j: _overlap(gold["span"], (predicted[j]["char_start"], predicted[j]["char_end"])))
    return pairs


@dataclass
class ClaimOutcome:
    """How one file's predicted claims met its gold claims."""

    required: list[dict]
    predicted: list[dict]
    matched: dict[int, int]
    ignored: set[int]
    alignment: list[tuple[dict, dict]]

    @property
    def false_negatives(self) -> list[dict]:
        return [g for i, g in enumerate(self.required) if i not in self.matched]

    @property
    def false_positives(self) -> list[dict]:
        taken = set(self.matched.values()) | self.ignored
        return [p for j, p in enumerate(self.predicted) if j not in taken]


def match_claims(scope: Scope) -> ClaimOutcome:
    golds = gold_claims(scope)
    required, optional = [g for g in golds if not g["optional"]], [g for g in golds if g["optional"]]
    predicted = scope.claims
    matched = _greedy(required, predicted, claim_match)
    ignored = {
        j for j, p in enumerate(predicted) if j not in matched.values() and any(claim_match(o, p) for o in optional)
    }
    # Claims found whole are aligned with their match; the others with the best prediction agreeing on all but
    # the event type, so that a sentence's second predicted type does not count against the right one.
    alignment = [(required[i], predicted[j]) for i, j in _greedy(required, predicted, aligned, matched).items()]
    return ClaimOutcome(required, predicted, matched, ignored, alignment)


def claim_counts(outcome: ClaimOutcome) -> Counter:
    pairs = outcome.alignment
    return Counter(
        claims_gold=len(outcome.required),
        claims_predicted=len(outcome.predicted) - len(outcome.ignored),
        claims_matched=len(outcome.matched),
        claims_aligned=len(pairs),
        event_type_agree=sum(g["event_type"] == p["event_type"] for g, p in pairs),
        actor_side_agree=sum(g.get("actor_side") == p["actor_side"] for g, p in pairs),
        polarity_agree=sum(g["polarity"] == (p["polarity"] or "asserted") for g, p in pairs),
    )


# --- Figures ----------------------------------------------------------------------------------------------


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _prf(prefix: str, matched_predicted: int, predicted: int, found_gold: int, gold: int) -> dict[str, float]:
    p, r = _ratio(matched_predicted, predicted), _ratio(found_gold, gold)
    return {f"{prefix}_precision": p, f"{prefix}_recall": r, f"{prefix}_f1": _f1(p, r)}


def figures(t: Counter) -> dict[str, float]:
    aligned_pairs = t["claims_aligned"]
    return {
        **_prf("mention", t["mentions_matched"], t["mentions_predicted"], t["gold_mentions_found"], t["mentions_gold"]),
        **_prf("place", t["places_correct"], t["places_predicted"], t["places_found"], t["places_gold"]),
        "within_tolerance": _ratio(t["mentions_within_tolerance"], t["mentions_matched"]),
        **_prf("source", t["sources_matched"], t["sources_predicted"], t["sources_matched"], t["sources_gold"]),
        **_prf("claim", t["claims_matched"], t["claims_predicted"], t["claims_matched"], t["claims_gold"]),
        "event_type_accuracy": _ratio(t["event_type_agree"], aligned_pairs),
        "actor_side_accuracy": _ratio(t["actor_side_agree"], aligned_pairs),
        "polarity_accuracy": _ratio(t["polarity_agree"], aligned_pairs),
        "aligned_claims": aligned_pairs,
        "gold_places": t["places_gold"],
        "gold_sources": t["sources_gold"],
        "gold_claims": t["claims_gold"],
        "predicted_claims": t["claims_predicted"],
        "files": t["files"],
        "missing_reports": t["missing_reports"],
    }


def load_scopes(connection: duckdb.DuckDBPyConnection, gold_files: list[tuple[Path, dict]]) -> tuple[list[Scope], int]:
    """The scopes of the gold files the warehouse holds, and how many reports it lacks."""
    scopes = [load_scope(connection, path, gold) for path, gold in gold_files]
    return [s for s in scopes if s is not None], sum(s is None for s in scopes)


def score(scopes: list[Scope], missing_reports: int = 0) -> dict[str, float]:
    totals = Counter(files=len(scopes) + missing_reports, missing_reports=missing_reports)
    for scope in scopes:
        totals.update(place_counts(scope))
        totals.update(source_counts(scope))
        totals.update(claim_counts(match_claims(scope)))
    return figures(totals)


def evaluate(connection: duckdb.DuckDBPyConnection, gold_files: list[tuple[Path, dict]]) -> dict[str, float]:
    """Every figure for a set of gold files."""
    return score(*load_scopes(connection, gold_files))


# --- Output -----------------------------------------------------------------------------------------------


def _truncate(text: str, width: int = 100) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_claim(claim: dict, gold: bool) -> dict[str, object]:
    """Source name, event type, place names and text of a gold or predicted claim, for --details."""
    return {
        "source": claim["source"]["name"] if claim["source"] else None,
        "event_type": claim["event_type"],
        "places": [p["name"] for p in claim["places"]],
        "text": _truncate(claim.get("quote") if gold else claim["text"]),
    }


def claim_details(scopes: list[Scope]) -> dict[str, dict[str, list]]:
    """Per file: the missed gold claims and sources, and the extra predicted ones."""
    details = {}
    for scope in scopes:
        outcome = match_claims(scope)
        missed_sources, extra_sources, _ = source_errors(scope)
        errors = {
            "false_negatives": [describe_claim(c, gold=True) for c in outcome.false_negatives],
            "false_positives": [describe_claim(c, gold=False) for c in outcome.false_positives],
            "missed_sources": [s["name"] for s in missed_sources],
            "extra_sources": [s["name"] for s in extra_sources],
        }
        if any(errors.values()):
            details[str(scope.path)] = errors
    return details


def _triple(f: dict, prefix: str) -> str:
    return f"{f[prefix + '_precision']:.2f}/{f[prefix + '_recall']:.2f}/{f[prefix + '_f1']:.2f}"


def table_header(width: int) -> str:
    columns = ["mention P/R/F1", "place P/R/F1", "in tol.", "source P/R/F1", "claim P/R/F1", "type", "side", "pol."]
    widths = [14, 14, 7, 14, 14, 5, 5, 5]
    return f"  {'gold set':<{width}} {'files':>5}  " + "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths))


def table_row(name: str, width: int, f: dict) -> str:
    cells = [
        _triple(f, "mention"), _triple(f, "place"), f"{f['within_tolerance']:>7.2f}", _triple(f, "source"),
        _triple(f, "claim"), f"{f['event_type_accuracy']:>5.2f}", f"{f['actor_side_accuracy']:>5.2f}",
        f"{f['polarity_accuracy']:>5.2f}",
    ]
    missing = f"  ({f['missing_reports']} reports missing)" if f["missing_reports"] else ""
    return f"  {name:<{width}} {f['files']:>5}  " + "  ".join(cells) + missing


def print_details(details: dict[str, dict[str, list[dict]]]) -> None:
    for path, errors in details.items():
        print(f"    {path}")
        for label, key in (("missed", "false_negatives"), ("extra", "false_positives")):
            for c in errors[key]:
                places = ", ".join(c["places"]) or "-"
                print(f"      {label:<6} {c['source'] or '(report)'} | {c['event_type']} | {places} | {c['text']}")
        for label, key in (("missed source", "missed_sources"), ("extra source", "extra_sources")):
            for name in errors[key]:
                print(f"      {label} {name}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse", type=Path, help="the DuckDB warehouse to score (opened read-only)")
    parser.add_argument(
        "gold", nargs="+",
        help='gold files or folders of them; each argument is one gold set, of several paths or glob patterns joined by "+", '
        'named by a "NAME=" before them (isw-to-june+seed=seeds/gold/*/isw-2022-0[2-6]-*.json+../shared/examples/vuhledar-gold.json)',
    )
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument("--details", action="store_true", help="list each file's missed and extra claims")
    return parser.parse_args(argv)


def gold_set(argument: str) -> tuple[str, list[Path]]:
    """A gold set's name and paths from its argument: "[NAME=]PATH[+PATH...]", a path being a file, a folder or
    a glob pattern (which must match something)."""
    name, _, spec = argument.partition("=") if "=" in argument else (argument, "", argument)
    paths = []
    for part in spec.split("+"):
        if any(c in part for c in "*?["):
            matched = sorted(glob.glob(part))
            if not matched:
                raise SystemExit(f"gold set {name}: {part} matches no file")
            paths += map(Path, matched)
        else:
            paths.append(Path(part))
    return name, paths


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    results = {}
    with duckdb.connect(str(args.warehouse), read_only=True) as connection:
        for argument in args.gold:
            target, paths = gold_set(argument)
            scopes, missing = load_scopes(connection, load_gold(paths))
            results[target] = {"figures": score(scopes, missing)}
            if args.details:
                results[target]["details"] = claim_details(scopes)
    if args.json:
        print(json.dumps({"warehouse": str(args.warehouse), "gold_sets": results}, indent=2, ensure_ascii=False))
        return 0
    width = max(len("gold set"), *(len(t) for t in results))
    print(f"Evaluation of {args.warehouse}")
    print(table_header(width))
    for target, result in results.items():
        print(table_row(target, width, result["figures"]))
        if args.details:
            print_details(result["details"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
