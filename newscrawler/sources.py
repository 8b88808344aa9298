"""News sources: loading and validating `sources.toml`.

A bad entry is reported with the file, the source and the key, so an operator can fix the config without
reading code. Validation is strict about types and shapes and lenient about what is optional.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newscrawler import CHECKOUT_ROOT
from newscrawler.urls import host_allowed, is_loopback_or_private

# data/sources.toml of the checkout, else the copy a wheel installs as package data (newscrawler/__init__.py).
DEFAULT_SOURCES = (CHECKOUT_ROOT or Path(__file__).resolve().parent) / "data" / "sources.toml"

KINDS = ("publisher", "aggregator")
SELECTOR_KEYS = ("title", "body", "date", "author", "source_link", "source_name", "section", "listing", "remove")
POLITENESS_KEYS = ("download_delay", "concurrency", "download_timeout", "poll_min_minutes",
                   "poll_max_hours")  # poll_*: crawl --due
URL_LIST_KEYS = ("feeds", "sitemaps", "listings")
DEFAULT_LISTING_PAGES = 2


class SourceConfigError(ValueError):
    """A sources file that cannot be used; the message names the file, the source and the key."""

    def __init__(self, path: str | Path, source: str | None, key: str | None, problem: str):
        self.path, self.source, self.key, self.problem = str(path), source, key, problem
        where = str(path)
        if source is not None:
            where += f": source {source!r}"
        if key is not None:
            where += f", key {key!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    homepage: str
    kind: str = "publisher"
    language: str = "ar"
    country: str = "MA"
    timezone: str = "Africa/Casablanca"
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    allow_loopback: bool = False
    encoding: str | None = None
    selectors: dict[str, Any] = field(default_factory=dict)
    politeness: dict[str, float] = field(default_factory=dict)
    # Pages of each listing followed on a scheduled run (the listing itself is page 1); --since ignores it.
    listing_pages: int = DEFAULT_LISTING_PAGES

    @property
    def start_urls(self) -> list[tuple[str, str]]:
        """(kind, url) pairs the spider starts from: feeds, sitemaps, listings; the homepage if none."""
        pairs = [("feed", u) for u in self.feeds] + [("sitemap", u) for u in self.sitemaps]
        pairs += [("listing", u) for u in self.listings]
        return pairs or [("listing", self.homepage)]

    def allows(self, url: str) -> bool:
        """True if `url` is inside this source's domains."""
        return host_allowed(url, self.allowed_domains)

    @property
    def config_hash(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def as_row(self) -> dict[str, Any]:
        """The columns of the `sources` table."""
        return {
            "id": self.id, "name": self.name, "homepage": self.homepage, "kind": self.kind,
            "language": self.language, "country": self.country, "timezone": self.timezone,
            "config_hash": self.config_hash,
        }


def load_sources(path: str | Path | None = None, *, only: list[str] | None = None) -> list[Source]:
    """Load and validate a sources file (TOML, `[[source]]` tables); `only` keeps the named ids."""
    path = Path(path) if path else DEFAULT_SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(path, None, None, "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(path, None, None, f"not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise SourceConfigError(path, None, None, f"not UTF-8 ({exc})") from None
    return sources_from_data(data, path, only=only)


def sources_from_data(data: dict[str, Any], path: str | Path = "<sources>", *,
                      only: list[str] | None = None) -> list[Source]:
    """Validate already-parsed source tables (the TOML structure as dicts)."""
    raw = data.get("source")
    if not isinstance(raw, list) or not raw:
        raise SourceConfigError(path, None, "source", "expected one or more [[source]] tables")
    unknown_top = set(data) - {"source"}
    if unknown_top:
        raise SourceConfigError(path, None, sorted(unknown_top)[0], "unknown top-level key")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, table in enumerate(raw, start=1):
        source = _validate(table, path, index)
        if source.id in seen:
            raise SourceConfigError(path, source.id, "id", "duplicate source id")
        seen.add(source.id)
        sources.append(source)
    if only:
        missing = [s for s in only if s not in seen]
        if missing:
            raise SourceConfigError(path, missing[0], None,
                                    f"no such source (known: {', '.join(sorted(seen))})")
        sources = [s for s in sources if s.id in only]
    return sources


_FIELDS = {
    "id": str, "name": str, "homepage": str, "kind": str, "language": str, "country": str,
    "timezone": str, "feeds": list, "sitemaps": list, "listings": list, "allowed_domains": list,
    "allow_loopback": bool, "encoding": str, "selectors": dict, "politeness": dict,
    "listing_pages": int,
}


def _validate(table: Any, path: str | Path, index: int) -> Source:
    label = table.get("id") if isinstance(table, dict) and isinstance(table.get("id"), str) else f"#{index}"

    def fail(key: str | None, problem: str) -> SourceConfigError:
        return SourceConfigError(path, label, key, problem)

    if not isinstance(table, dict):
        raise fail(None, "expected a table")
    for key, value in table.items():
        if key not in _FIELDS:
            raise fail(key, f"unknown key (known: {', '.join(_FIELDS)})")
        if not isinstance(value, _FIELDS[key]):
            raise fail(key, f"expected {_FIELDS[key].__name__}, got {type(value).__name__}")
    for key in ("id", "name", "homepage"):
        if not table.get(key):
            raise fail(key, "required")
    sid = table["id"]
    if not all(c.isalnum() or c in "-_" for c in sid) or not sid.isascii():
        raise fail("id", "use ASCII letters, digits, '-' and '_' only")
    kind = table.get("kind", "publisher")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    tz = table.get("timezone", "Africa/Casablanca")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail("timezone", f"unknown time zone {tz!r}") from None
    if "encoding" in table:
        import codecs

        try:
            codecs.lookup(table["encoding"])
        except LookupError:
            raise fail("encoding", f"unknown encoding {table['encoding']!r}") from None

    homepage = table["homepage"]
    urls: dict[str, list[str]] = {"homepage": [homepage]}
    for key in URL_LIST_KEYS:
        urls[key] = table.get(key, [])
    for key, values in urls.items():
        for value in values:
            if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https") \
                    or not urlsplit(value).hostname:
                raise fail(key, f"not an http(s) URL: {value!r}")

    domains = table.get("allowed_domains") or [_default_domain(homepage)]
    if not all(isinstance(d, str) and d for d in domains):
        raise fail("allowed_domains", "expected a list of host names")
    allow_loopback = table.get("allow_loopback", False)
    for key, values in urls.items():
        for value in values:
            if is_loopback_or_private(value) and not allow_loopback:
                raise fail(key, f"{value!r} is a loopback or private address; set allow_loopback = true "
                                "to crawl it (demo and test sources only)")
            if not host_allowed(value, domains):
                raise fail(key, f"{value!r} is outside allowed_domains {domains}")

    selectors = table.get("selectors", {})
    for key, value in selectors.items():
        if key not in SELECTOR_KEYS:
            raise fail(f"selectors.{key}", f"unknown selector (known: {', '.join(SELECTOR_KEYS)})")
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value) if key == "remove" \
            else isinstance(value, str) and value.strip()
        if not ok:
            raise fail(f"selectors.{key}", "expected a CSS selector string" + (" list" if key == "remove" else ""))
        _check_css(value if isinstance(value, list) else [value], fail, f"selectors.{key}")
    politeness = table.get("politeness", {})
    for key, value in politeness.items():
        if key not in POLITENESS_KEYS:
            raise fail(f"politeness.{key}", f"unknown key (known: {', '.join(POLITENESS_KEYS)})")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise fail(f"politeness.{key}", "expected a number >= 0")
    listing_pages = table.get("listing_pages", DEFAULT_LISTING_PAGES)
    if isinstance(listing_pages, bool) or listing_pages < 1:
        raise fail("listing_pages", "expected a whole number >= 1 (1: the listing page alone, no pagination)")

    return Source(
        id=sid, name=table["name"], homepage=homepage, kind=kind,
        language=table.get("language", "ar"), country=table.get("country", "MA"), timezone=tz,
        feeds=tuple(urls["feeds"]), sitemaps=tuple(urls["sitemaps"]), listings=tuple(urls["listings"]),
        allowed_domains=tuple(domains), allow_loopback=allow_loopback, encoding=table.get("encoding"),
        selectors=dict(selectors), politeness=dict(politeness), listing_pages=listing_pages,
    )


def _default_domain(homepage: str) -> str:
    parts = urlsplit(homepage)
    host = parts.hostname or ""
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{parts.port}" if parts.port else host


def _check_css(selectors: list[str], fail: Any, key: str) -> None:
    # Compile now so a typo fails at load time, not on the first page of a crawl.
    from lxml.cssselect import CSSSelector, SelectorError

    for css in selectors:
        try:
            CSSSelector(css)
        except SelectorError as exc:
            raise fail(key, f"invalid CSS selector {css!r} ({exc})") from None
