"""The source registry (seeds/sources.csv): canonical claimants, the names they go by, and their handles.

`SourceRegistry.find` returns the registered sources named inside a span of text (longest name first),
`from_url` the source a cited link belongs to (t.me/mod_russia, facebook.com/GeneralStaff.ua).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipelines.claims.lexicon import read_seed
from pipelines.places.names import fold, loose_key

ALIAS_SEPARATOR = " | "
# The type and side of a source nothing has told us about yet.
UNTYPED = "unspecified"
UNSIDED = "unknown"
MIN_LOOSE_LENGTH = 6
# Registry ids of unnamed claimants ("Russian sources", "Ukrainian officials").
GENERIC_PREFIX = "generic_"
_POSSESSIVE = re.compile(r"['’]s\b")
_ARTICLE = re.compile(r"^(?:the|a|an) ")
_HANDLE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_]{3,32})\b")
# Where an "@handle" lives, first match first.
HANDLE_HOSTS = ("t.me", "twitter.com", "x.com", "instagram.com", "facebook.com")
_TOKEN = re.compile(r"[\w\u0400-\u04ff][\w\u0400-\u04ff'’.\-]*")
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|m\.|mobile\.)?", re.IGNORECASE)
# An initialism written with full stops ("U.K.", "U.S."), keyed as written without them ("UK", "US").
_INITIALISM = re.compile(r"\b(?:[A-Z]\.){2,}")


@functools.lru_cache(maxsize=100_000)
def source_key(name: str) -> str:
    """Case, articles, possessives, punctuation and initialisms' full stops folded: "the Ukrainian General Staff's"
    -> "ukrainian general staff", "the U.K. Defence Ministry" -> "uk defence ministry"."""
    name = _INITIALISM.sub(lambda m: m.group().replace(".", ""), name)
    return _ARTICLE.sub("", fold(_POSSESSIVE.sub("", name)).strip(" .,")).strip()


def url_key(url: str) -> str:
    """Host and first path segment, lower case: "https://t.me/s/rybar/123" -> "t.me/rybar"."""
    rest = _URL_PREFIX.sub("", url.strip()).rstrip("/.;,)").lower()
    parts = [p for p in rest.split("/") if p]
    if len(parts) > 2 and parts[1] in {"s", "pg", "channel", "c", "user"}:
        parts = [parts[0], *parts[2:]]
    return "/".join(parts[:2])


def is_handle(alias: str) -> bool:
    return "/" in alias or bool(re.fullmatch(r"[\w-]+\.(?:com|org|net|ru|ua|gov\.ua|info|io|me)", alias))


@dataclass(frozen=True)
class Source:
    source_id: str
    name: str
    aliases: tuple[str, ...]
    source_type: str
    affiliation: str
    url: str | None


@dataclass(frozen=True)
class SourceMatch:
    start: int
    end: int
    source_id: str


class SourceRegistry:
    def __init__(self, sources: list[Source], exact_case: frozenset[str] = frozenset()):
        self.sources = {s.source_id: s for s in sources}
        self.by_key: dict[str, str] = {}
        # Aliases matched only as written ("WHO", not the pronoun "who"): marked "=" in seeds/sources.csv.
        self.by_exact: dict[str, str] = {}
        # Names of people and outlets also by their loose key, for other romanisations ("Andryushenko").
        self.by_loose: dict[str, str] = {}
        self.by_url: dict[str, str] = {}
        for source in sources:
            for alias in (source.name, *source.aliases):
                if is_handle(alias):
                    self.by_url.setdefault(url_key(alias), source.source_id)
                elif alias in exact_case:
                    self.by_exact.setdefault(alias, source.source_id)
                else:
                    self.by_key.setdefault(source_key(alias), source.source_id)
                    if len(alias) >= MIN_LOOSE_LENGTH and alias[:1].isupper():
                        self.by_loose.setdefault(loose_key(alias), source.source_id)
            if source.url:
                self.by_url.setdefault(url_key(source.url), source.source_id)
        # Longest alias (in words) by its first word: most words of a slot start no alias at all.
        self.longest_from: dict[str, int] = {}
        for source in sources:
            for alias in (source.name, *source.aliases):
                tokens = _TOKEN.findall(_ARTICLE.sub("", alias.lower()))
                if tokens and not is_handle(alias):
                    for first in {source_key(tokens[0]), "~" + loose_key(tokens[0])}:
                        self.longest_from[first] = max(self.longest_from.get(first, 0), len(tokens))

    @classmethod
    @functools.cache
    def from_seeds(cls) -> SourceRegistry:
        sources, exact_case = [], set()
        for row in read_seed("sources.csv"):
            aliases = [a.strip() for a in row["aliases"].split(ALIAS_SEPARATOR) if a.strip()]
            exact_case |= {a[1:] for a in aliases if a.startswith("=")}
            sources.append(
                Source(
                    source_id=row["source_id"],
                    name=row["name"],
                    aliases=tuple(a.removeprefix("=") for a in aliases),
                    source_type=row["source_type"],
                    affiliation=row["affiliation"],
                    url=row["url"] or None,
                )
            )
        return cls(sources, frozenset(exact_case))

    def lookup(self, name: str) -> str | None:
        return self.by_exact.get(name) or self.by_key.get(source_key(name))

    def _lookup_span(self, text: str) -> str | None:
        found = self.lookup(text)
        if found is None and len(text) >= MIN_LOOSE_LENGTH and text[:1].isupper():
            found = self.by_loose.get(loose_key(text))
        return found

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[SourceMatch]:
        """Registered sources named in text[start:end], longest name first, not overlapping, in text order."""
        span = text[start : len(text) if end is None else end]
        return [SourceMatch(start + s, start + e, source_id) for s, e, source_id in self._find_in(span)]

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 - one registry per process; claimant slots repeat a lot
    def _find_in(self, text: str) -> tuple[tuple[int, int, str], ...]:
        # "..., @mod_russia reports": a handle names the source whose channel or account it is.
        handles = [(m.start(), m.end(), source_id) for m in _HANDLE.finditer(text) if (source_id := self.from_handle(m.group(1)))]
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text) if not any(s <= m.start() < e for s, e, _ in handles)]
        found = list(handles)
        i = 0
        while i < len(tokens):
            token = text[tokens[i][0] : tokens[i][1]]
            longest = self.longest_from.get(source_key(token), 0)
            if token[:1].isupper():
                longest = max(longest, self.longest_from.get("~" + loose_key(token), 0))
            for j in range(min(len(tokens), i + longest), i, -1):
                source_id = self._lookup_span(text[tokens[i][0] : tokens[j - 1][1]])
                if source_id:
                    found.append((tokens[i][0], tokens[j - 1][1], source_id))
                    i = j
                    break
            else:
                i += 1
        return tuple(sorted(found))

    def from_handle(self, handle: str) -> str | None:
        """The source whose Telegram channel or social account this handle is (registered by URL alias)."""
        return next((self.by_url[key] for host in HANDLE_HOSTS if (key := f"{host}/{handle.lower()}") in self.by_url), None)

    def from_url(self, url: str) -> str | None:
        key = url_key(url)
        return self.by_url.get(key) or self.by_url.get(key.split("/")[0])
