"""Headline discovery from feeds, sitemaps and robots.txt (pure: no Scrapy, no network).

Every function takes the bytes (or text) of one fetched document and the URL it was fetched from, and
returns plain data the spider turns into ``Headline`` items and article requests.

Contract for bodies that are not what the caller expected: ``parse_feed`` and ``parse_sitemap`` raise
``FeedError`` / ``SitemapError`` (both ``DiscoveryError``, a ``ValueError``) with a short reason when the body
is not a feed / sitemap at all (an HTML page, an empty body, JSON that is not a JSON Feed). A real feed or
sitemap with no entries returns an empty result. The spider records the exception as a reject
``parse_error`` so a source whose feed URL now serves an HTML page is visible in the stats instead of
silently yielding nothing.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import zlib
from dataclasses import dataclass, field
from html.entities import name2codepoint
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newscrawler.encoding import decode_html
from newscrawler.listing import extract_listing
from newscrawler.pagination import next_page_url
from newscrawler.text import display_clean
from newscrawler.urls import canonical_url

__all__ = [
    "DiscoveryError",
    "FeedError",
    "SitemapError",
    "SitemapResult",
    "parse_feed",
    "parse_sitemap",
    "read_discovery_page",
    "sitemaps_from_robots",
    "is_feed",
    "is_sitemap",
]

# A decompressed sitemap may be at most 50 MB (sitemaps.org limit); the cap also stops gzip bombs.
MAX_DECOMPRESSED = 50 * 1024 * 1024


class DiscoveryError(ValueError):
    """The body is not the kind of document the caller asked to parse."""


class FeedError(DiscoveryError):
    """The body is not an RSS, Atom or JSON feed."""


class SitemapError(DiscoveryError):
    """The body is not an XML, plain-text or gzipped sitemap."""


@dataclass
class SitemapResult:
    """What one sitemap document lists.

    ``urls``: page entries ``{"url", "lastmod", "title", "published_raw"}`` in document order (``title`` and
    ``published_raw`` come from Google News ``news:title`` / ``news:publication_date``, else None). From
    ``read_discovery_page`` it holds the entries of any discovery page: feed items or listing headlines.
    ``sitemaps``: child sitemap URLs when the document is a sitemap index; ``sitemap_lastmod`` their
    ``<lastmod>`` where given (the spider skips archive sitemaps that have not changed recently).
    ``next_page``: for a listing page from ``read_discovery_page``, the URL of its next page
    (``newscrawler.pagination.next_page_url``), else None.
    """

    urls: list[dict] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sitemap_lastmod: dict[str, str] = field(default_factory=dict)
    next_page: str | None = None


# ---------------------------------------------------------------------------------------------- helpers

_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY_RE = re.compile(rb"&(#?[A-Za-z0-9]+);?")
_BARE_AMP_RE = re.compile(rb"&(?![#A-Za-z0-9])")
_TAG_RE = re.compile(r"<[^>]+>")
_ITEM_START_RE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?(item|entry)[\s>]")


def _fix_entities(body: bytes) -> bytes:
    """Make HTML-only entities and bare ampersands legal XML before parsing.

    Feeds written by CMS templates often contain ``&nbsp;``, ``&raquo;`` or a bare ``&`` in a title; a strict
    parser stops there, and even lxml's recover mode drops the text around them.
    """

    def repl(m: re.Match[bytes]) -> bytes:
        name = m.group(1).decode("ascii", "replace")
        has_semicolon = m.group(0).endswith(b";")
        if name.startswith("#"):
            return m.group(0) if has_semicolon else b"&amp;" + m.group(0)[1:]
        if name in _XML_ENTITIES and has_semicolon:
            return m.group(0)
        if has_semicolon and name in name2codepoint:
            return b"&#%d;" % name2codepoint[name]
        return b"&amp;" + m.group(0)[1:]

    body = _ENTITY_RE.sub(repl, body)
    # A bare "&" followed by a space or punctuation ("الأورو & الدولار").
    return _BARE_AMP_RE.sub(b"&amp;", body)


def _strip_bom(body: bytes) -> bytes:
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:]
    return body


def _maybe_gunzip(body: bytes) -> bytes:
    """Decompress a gzip body (magic bytes 1f 8b), bounded; return other bodies unchanged."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(body, MAX_DECOMPRESSED)
        return out
    except zlib.error:
        # A truncated download: gzip.decompress reports it differently; try it before giving up.
        try:
            return gzip.decompress(body)[:MAX_DECOMPRESSED]
        except (OSError, EOFError) as exc:
            raise SitemapError(f"broken gzip body: {exc}") from exc


def _parse_xml(body: bytes, *, fixed: bool = False) -> etree._Element | None:
    """Parse with lxml's recover mode; None when nothing usable comes out."""
    root, _ = _parse_xml_checked(body if fixed else _fix_entities(body))
    return root


def _parse_xml_checked(body: bytes) -> tuple[etree._Element | None, bool]:
    """(root, clean): ``clean`` is False when the parser had to recover from errors."""
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None, False
    return root, not any(e.level >= etree.ErrorLevels.ERROR for e in parser.error_log)


def _local(tag: object) -> str:
    """Tag name without namespace, lower case ('' for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    # "dc:date" when a salvaged chunk lost its namespace declarations.
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: etree._Element, *names: str) -> etree._Element | None:
    for name in names:
        for c in el:
            if _local(c.tag) == name:
                return c
    return None


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def _clean_title(raw: str) -> str:
    """Title text from a feed: undo double escaping, drop markup, display-clean.

    Titles like ``&amp;quot;`` (escaped twice by the CMS) or ``<b>...</b>`` inside CDATA are common; unescaping
    is repeated at most twice so a literal ``&amp;`` in a real title is not eaten.
    """
    s = raw
    for _ in range(2):
        if "&" not in s:
            break
        unescaped = html.unescape(s)
        if unescaped == s:
            break
        s = unescaped
    if "<" in s:
        s = _TAG_RE.sub(" ", s)
    return display_clean(s)


def _clean_summary(raw: str) -> str:
    """Plain text of an HTML description (escaped HTML or CDATA), display-clean, one paragraph."""
    s = raw.strip()
    if not s:
        return ""
    if "&lt;" in s and "<" not in s:
        s = html.unescape(s)
    if "<" in s:
        try:
            frag = lxml_html.fragment_fromstring(s, create_parent="div")
            for bad in frag.xpath(".//script|.//style"):
                bad.drop_tree()
            s = frag.text_content()
        except (etree.ParserError, ValueError):
            s = _TAG_RE.sub(" ", s)
    else:
        s = html.unescape(s)
    return display_clean(s)


def _looks_like_url(s: str) -> bool:
    s = s.strip()
    return s.startswith(("http://", "https://", "//", "/")) and " " not in s


def _absolute(href: str, base: str) -> str | None:
    """Absolute canonical URL of ``href`` or None when it is not a fetchable http(s) link."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    try:
        url = canonical_url(href, base=base)
        # canonical_url hands an unparseable URL back unchanged (`http://[x`): it is no fetchable link
        scheme = urlsplit(url).scheme if url else ""
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _sniff_head(body: bytes, size: int = 2048) -> str:
    """The first meaningful characters of a body, lower case, with BOM, XML declaration and comments skipped."""
    head = _strip_bom(body[: size * 2]).lstrip()
    text = head.decode("utf-8", "replace") if not head.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
    if not text and head:
        text = head.decode("utf-16", "replace")
    text = re.sub(r"<\?.*?\?>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<!doctype[^>]*>", "", text, flags=re.S | re.I)
    return text.lstrip()[:size].lower()


# ------------------------------------------------------------------------------------------------ feeds

_FEED_CT = ("rss", "atom", "rdf", "feed+json", "application/json", "text/xml", "application/xml")


def is_feed(body: bytes, content_type: str | None = None) -> bool:
    """True when the body looks like an RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed document.

    The body decides: servers label feeds ``text/html`` and pages ``application/xml`` often enough that the
    content type is only used to accept a JSON body.
    """
    if not body:
        return False
    head = _sniff_head(body)
    if head.startswith(("<rss", "<feed", "<rdf:rdf", "<rdf ")) or re.match(r"<[a-z0-9_]+:rdf\b", head):
        return True
    if head.startswith("{") and "jsonfeed.org" in head:
        return True
    if content_type and "json" in content_type.lower() and head.startswith("{") and '"items"' in head:
        return True
    return False


def parse_feed(body: bytes, url: str) -> list[dict]:
    """Entries of an RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed document, in feed order.

    Each entry is ``{"title", "url", "position", "published_raw", "summary", "guid"}``: ``url`` absolute and
    canonical (relative links are resolved against ``xml:base`` or the feed URL; a missing link falls back to
    the guid/id when that is a URL; entries with neither are skipped), ``title`` and ``summary`` display-clean
    (``summary`` may be ""), ``published_raw`` the date string as written (pubDate, dc:date, published,
    updated) or None, ``guid`` as written or None, ``position`` 1-based among the kept entries. A URL listed
    twice keeps its first position.

    Broken XML is recovered as far as lxml can. Raises ``FeedError`` when the body is not a feed at all.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = _strip_bom(_maybe_gunzip(body or b""))
    if not body.strip():
        raise FeedError("empty body")
    head = _sniff_head(body)
    if head.startswith(("{", "[")):
        return _parse_json_feed(body, url)
    if head.startswith(("<html", "<head", "<body")) or not head.startswith("<"):
        raise FeedError("not a feed: " + ("HTML page" if head.startswith("<") else "no XML root"))
    fixed = _fix_entities(body)
    root, clean = _parse_xml_checked(fixed)
    if root is None:
        raise FeedError("not a feed: unparseable XML")
    kind = _local(root.tag)
    if kind not in ("rss", "rdf", "feed"):
        raise FeedError(f"not a feed: root element <{kind or '?'}>")
    base = urljoin(url, root.get("{http://www.w3.org/XML/1998/namespace}base") or url)
    raw = _entries(root, kind, base)
    if not clean:
        # One unclosed tag in a description swallows every later item in recover mode; parsing each
        # <item>/<entry> on its own keeps the damage to that item.
        salvaged = _salvage(fixed, kind, base)
        if len([e for e in salvaged if e and e["url"]]) > len([e for e in raw if e and e["url"]]):
            raw = salvaged
    return _number(raw)


def _entries(root: etree._Element, kind: str, base: str) -> list[dict | None]:
    if kind == "rss":
        channel = _child(root, "channel")
        items = _children(channel, "item") if channel is not None else []
        if not items:  # some generators put <item> directly under <rss>
            items = _children(root, "item")
        return [_rss_item(it, base) for it in items]
    if kind == "rdf":
        channel = _child(root, "channel")
        items = _children(root, "item") or (_children(channel, "item") if channel is not None else [])
        return [_rss_item(it, base) for it in items]
    return [_atom_entry(e, base) for e in _children(root, "entry")]


def _salvage(body: bytes, kind: str, base: str) -> list[dict | None]:
    starts = [m.start() for m in _ITEM_START_RE.finditer(body)]
    out: list[dict | None] = []
    for i, start in enumerate(starts):
        chunk = body[start: starts[i + 1] if i + 1 < len(starts) else len(body)]
        # Cut the chunk at the end of the container so the closing </channel></rss> is not inside the item.
        chunk = re.split(rb"</(?:[A-Za-z0-9_]+:)?(?:channel|rss|feed|RDF)>", chunk)[0]
        root = _parse_xml(chunk, fixed=True)
        if root is None:
            continue
        out.append(_atom_entry(root, base) if kind == "feed" else _rss_item(root, base))
    return out


def _number(raw: list[dict | None]) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for entry in raw:
        if not entry or not entry["url"] or entry["url"] in seen:
            continue
        seen.add(entry["url"])
        entry["position"] = len(out) + 1
        out.append(entry)
    return out


def _entry(title: str, link: str | None, guid: str | None, published: str | None, summary: str) -> dict:
    return {
        "title": title,
        "url": link,
        "position": 0,
        "published_raw": published or None,
        "summary": summary,
        "guid": guid or None,
    }


def _rss_item(item: etree._Element, base: str) -> dict | None:
    title = _clean_title(_text(_child(item, "title")))
    guid_el = _child(item, "guid")
    guid = _text(guid_el) or None
    link = None
    # FeedBurner keeps the publisher's own link in origLink; <link> points at a redirector.
    for name in ("origlink", "link"):
        for el in _children(item, name):
            href = _text(el) or el.get("href") or ""
            link = _absolute(href, base)
            if link:
                break
        if link:
            break
    if not link and guid and _looks_like_url(guid):
        # Even isPermaLink="false" guids are usually the article URL when they look like one.
        link = _absolute(guid, base)
    if not link:
        about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if about and _looks_like_url(about):
            link = _absolute(about, base)
    published = _text(_child(item, "pubdate", "date", "published", "issued", "updated")) or None
    summary_el = _child(item, "description", "summary", "encoded")
    summary = _clean_summary(_text(summary_el)) if summary_el is not None else ""
    return _entry(title, link, guid, published, summary)


def _atom_entry(entry: etree._Element, base: str) -> dict | None:
    ebase = entry.get("{http://www.w3.org/XML/1998/namespace}base")
    if ebase:
        base = urljoin(base, ebase)
    title = _clean_title(_text(_child(entry, "title")))
    guid = _text(_child(entry, "id")) or None
    link = None
    best = -1
    for el in _children(entry, "link"):
        href = el.get("href") or _text(el)
        rel = (el.get("rel") or "alternate").lower()
        typ = (el.get("type") or "").lower()
        # rel=alternate with an HTML type is the article page; enclosures, replies and "self" are not.
        score = {"alternate": 2}.get(rel, -1)
        if score >= 0 and typ in ("", "text/html", "application/xhtml+xml"):
            score += 1
        absolute = _absolute(href, base)
        if absolute and score > best:
            best, link = score, absolute
    if not link:
        for name in ("origlink",):
            el = _child(entry, name)
            if el is not None:
                link = _absolute(_text(el), base)
    if not link and guid and _looks_like_url(guid):
        link = _absolute(guid, base)
    published = _text(_child(entry, "published", "issued", "updated", "date")) or None
    summary_el = _child(entry, "summary", "content")
    summary = _clean_summary(_text(summary_el)) if summary_el is not None else ""
    return _entry(title, link, guid, published, summary)


def _parse_json_feed(body: bytes, url: str) -> list[dict]:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError as exc:
        raise FeedError(f"not a feed: invalid JSON ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("not a feed: JSON without an items list")
    raw: list[dict | None] = []
    for it in data["items"]:
        if not isinstance(it, dict):
            continue
        guid = str(it["id"]) if it.get("id") is not None else None
        href = it.get("url") or it.get("external_url") or (guid if guid and _looks_like_url(guid) else "")
        link = _absolute(str(href), url) if href else None
        summary = it.get("summary") or it.get("content_text") or it.get("content_html") or ""
        raw.append(
            _entry(
                _clean_title(str(it.get("title") or "")),
                link,
                guid,
                it.get("date_published") or it.get("date_modified"),
                _clean_summary(str(summary)),
            )
        )
    return _number(raw)


# --------------------------------------------------------------------------------------------- sitemaps


def is_sitemap(body: bytes, content_type: str | None = None, url: str | None = None) -> bool:
    """True when the body is an XML sitemap or sitemap index (gzipped or not), or a plain-text URL list
    fetched from a URL that names a sitemap (plain text alone is too common to sniff)."""
    if not body:
        return False
    try:
        body = _maybe_gunzip(body[: 1024 * 1024] if not body.startswith(b"\x1f\x8b") else body)
    except SitemapError:
        return False
    head = _sniff_head(body)
    if head.startswith(("<urlset", "<sitemapindex")) or re.match(r"<[a-z0-9_]+:(urlset|sitemapindex)\b", head):
        return True
    if url and "sitemap" in url.lower() and head.startswith(("http://", "https://")):
        return True
    return False


def parse_sitemap(body: bytes, url: str) -> SitemapResult:
    """Pages and child sitemaps listed by an XML sitemap, sitemap index, gzipped sitemap or text sitemap.

    XML: ``<url><loc>`` entries with ``lastmod`` and the Google News ``news:title`` / ``news:publication_date``;
    ``<sitemap><loc>`` entries of an index go to ``sitemaps``. Text: one absolute URL per line. A gzip body
    (magic bytes, whatever the headers say) is decompressed first, at most 50 MB. An RSS or Atom feed served
    as a sitemap (sitemaps.org allows it) is read as a feed. URLs are absolute and canonical; duplicates keep
    the first entry. Raises ``SitemapError`` for an HTML page or an empty body.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = _strip_bom(_maybe_gunzip(body or b""))
    if not body.strip():
        raise SitemapError("empty body")
    head = _sniff_head(body)
    result = SitemapResult()
    if not head.startswith("<"):
        return _parse_text_sitemap(body, url)
    if head.startswith(("<html", "<head", "<body")):
        raise SitemapError("not a sitemap: HTML page")
    if is_feed(body):
        for e in parse_feed(body, url):
            result.urls.append(
                {"url": e["url"], "lastmod": e["published_raw"], "title": e["title"] or None,
                 "published_raw": e["published_raw"]}
            )
        return result
    root = _parse_xml(body)
    if root is None:
        raise SitemapError("not a sitemap: unparseable XML")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element <{kind or '?'}>")
    seen_urls: set[str] = set()
    seen_maps: set[str] = set()
    # Iterate all descendants rather than direct children: recovered broken XML sometimes nests entries.
    for el in root.iter():
        name = _local(el.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = _absolute(_text(_child(el, "loc")), url)
        if not loc:
            continue
        if name == "sitemap":
            if loc not in seen_maps:
                seen_maps.add(loc)
                result.sitemaps.append(loc)
                lastmod = _text(_child(el, "lastmod"))
                if lastmod:
                    result.sitemap_lastmod[loc] = lastmod
            continue
        if loc in seen_urls:
            continue
        seen_urls.add(loc)
        news = _child(el, "news")
        title = published = None
        if news is not None:
            title = _clean_title(_text(_child(news, "title"))) or None
            published = _text(_child(news, "publication_date")) or None
        result.urls.append(
            {"url": loc, "lastmod": _text(_child(el, "lastmod")) or None, "title": title, "published_raw": published}
        )
    return result


def _parse_text_sitemap(body: bytes, url: str) -> SitemapResult:
    result = SitemapResult()
    seen: set[str] = set()
    text = body.decode("utf-8", "replace")
    for line in text.splitlines():
        line = line.strip()
        if not line.lower().startswith(("http://", "https://")):
            continue
        loc = _absolute(line.split()[0], url)
        if loc and loc not in seen:
            seen.add(loc)
            result.urls.append({"url": loc, "lastmod": None, "title": None, "published_raw": None})
    if not result.urls:
        raise SitemapError("not a sitemap: no XML root and no URL lines")
    return result


# ------------------------------------------------------------------------------------------- robots.txt

_SITEMAP_LINE = re.compile(r"^\s*site-?map\s*:\s*(\S+)", re.I)


def sitemaps_from_robots(text: str | bytes, url: str) -> list[str]:
    """Absolute URLs of the ``Sitemap:`` lines of a robots.txt (any case, any group), in file order, once each.

    ``Sitemap:`` is independent of user-agent groups (RFC 9309), so every such line counts. Relative values,
    which some sites write, are resolved against the robots.txt URL.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out: list[str] = []
    for line in (text or "").lstrip("\ufeff").splitlines():
        m = _SITEMAP_LINE.match(line)
        if not m:
            continue
        value = m.group(1)
        loc = _absolute(value, url)
        if loc and loc not in out:
            out.append(loc)
    return out


def read_discovery_page(kind: str, body: bytes, url: str, *, selectors: dict | None = None,
                        encoding: str | None = None) -> SitemapResult:
    """One fetched discovery page of kind ``feed``, ``sitemap``, ``robots`` or ``listing``: its headline
    entries (``urls``), the child sitemaps it names and, for a listing, its next page. The one dispatch the
    spider and the source canary share. ``encoding`` is the declared charset of a listing page; ``selectors`` the source's.
    Raises ``DiscoveryError`` when a feed or sitemap URL serves something else."""
    if kind == "feed":
        return SitemapResult(urls=parse_feed(body, url))
    if kind == "sitemap":
        return parse_sitemap(body, url)
    if kind == "robots":
        return SitemapResult(sitemaps=sitemaps_from_robots(body, url))
    if kind == "listing":
        text = decode_html(body, encoding)[0]
        return SitemapResult(urls=extract_listing(text, url, selectors=selectors), next_page=next_page_url(text, url))
    raise ValueError(f"unknown discovery page kind {kind!r}")
