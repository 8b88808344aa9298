"""Article extraction: one HTML page in, one article dict out (see docs/extraction.md).

The page is decoded once (``newscrawler.encoding``), parsed once with lxml, and every step reads that one tree.
The source's CSS selectors come first for the title, the body and an aggregator's source link and name; for the
date, the authors and the section, JSON-LD and meta tags come first and the selectors next; generic DOM rules
follow, with trafilatura only as the last resort for the body (docs/extraction.md has the order per field). Every step is wrapped so that a broken part of a page
costs that field only; ``extract_article`` never raises.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from newscrawler.encoding import decode_html
from newscrawler.extract.body import list_text, read_body
from newscrawler.extract.byline import read_authors, read_dates
from newscrawler.extract.common import (
    Page,
    _clean,
    _jsonld,
    _ld_name,
    _ld_str,
    _m,
    _meta,
    _parse,
    _safe,
    _sel_first_text,
)
from newscrawler.extract.evidence import read_evidence
from newscrawler.extract.page_type import Support, _has_article_meta, _link_stats, _page_signals, _page_type
from newscrawler.extract.source import read_source
from newscrawler.extract.title import read_title
from newscrawler.urls import canonical_url, same_site

__all__ = ["extract_article", "extract_listing"]


def _empty(url: str, encoding: str) -> dict:
    curl = _safe(canonical_url, url, default=url) or url
    return {
        "is_article": False, "page_type": "empty", "reason": "empty: unparsable page",
        "title": "", "body": "", "summary": "",
        "published_at": None, "modified_at": None, "published_raw": None, "published_rule": None,
        "authors": [], "tags": [], "section": None, "image_url": None, "language": None,
        "canonical_url": curl, "source_url": None, "source_name": None, "method": {}, "encoding": encoding,
    }


def extract_article(
    html: bytes | str,
    url: str,
    *,
    selectors: dict | None = None,
    tz: str = "Africa/Casablanca",
    now: datetime | None = None,
    source_name: str | None = None,
    linked_as_headline: bool = False,
) -> dict:
    """Extract one article page; see docs/architecture.md for the keys. Never raises.

    ``linked_as_headline``: the caller found this URL as a headline on one of the site's listings, feeds or
    sitemaps; evidence that the page is a story (it lets a short story inside heavy navigation stay an article,
    never a page whose text is a list of links)."""
    try:
        return _extract(html, url, selectors or {}, tz, now, source_name, linked_as_headline)
    except Exception as exc:  # last line of defence: a bug in one step must not stop a crawl
        out = _empty(url, "unknown")
        out["reason"] = f"empty: extraction error {type(exc).__name__}"
        return out


def _extract(
    html: bytes | str, url: str, selectors: dict, tz: str, now: datetime | None, source_name: str | None,
    linked: bool = False,
) -> dict:
    if isinstance(html, bytes):
        text, encoding = decode_html(html)
    else:
        text, encoding = html or "", "unicode"
    root = _parse(text) if text else None
    if root is None:
        return _empty(url, encoding)
    try:
        zone = ZoneInfo(tz)
    except Exception:
        zone = ZoneInfo("Africa/Casablanca")
        tz = "Africa/Casablanca"
    if now is None:
        now = datetime.now(zone)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=zone)

    out = _empty(url, encoding)
    out.update(is_article=True, page_type="article", reason=None)
    host = ""
    try:
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        pass

    ld, ld_objs = _safe(_jsonld, root, default=(None, []))
    meta = _safe(_meta, root, default={}) or {}
    ld = ld or {}

    p = Page(root=root, text=text, url=url, host=host, selectors=selectors, tz=tz, now=now,
             source_name=source_name, ld=ld, ld_objs=ld_objs, meta=meta, out=out)
    _safe(_read_canonical, p)
    site_names = [n for n in (
        _m(meta, "og:site_name", "application-name", "twitter:site"),
        *(_ld_name(ld.get("publisher")) if ld else []),
        source_name,
    ) if n]
    p.site_names = [n.lstrip("@") for n in site_names]
    for read in (read_title, _read_misc, read_authors, read_dates, read_source):
        _safe(read, p)

    body_el = root.find("body")
    if body_el is not None:
        p.raw_visible = " ".join(t for t in body_el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]"))
        p.raw_text_len = len(" ".join(p.raw_visible.split()))
    p.links = _safe(_link_stats, root, default=(0, 0)) or (0, 0)
    signals = _safe(_page_signals, root, text, p.raw_visible)
    # The page's shape decides only where its metadata does not say "article" (it costs a walk of the whole tree).
    evidence = None if _has_article_meta(meta, ld or None) else _safe(read_evidence, root, url, out["title"],
                                                                      p.h1_texts)
    _safe(read_body, p)  # last: it prunes the tree that the steps above read
    if out["body"] and not out["language"]:
        arabic = len(re.findall("[\u0600-\u06ff]", out["body"]))
        if arabic > 0.5 * len(re.findall(r"\w", out["body"])):
            out["language"] = "ar"

    ptype, reason = _safe(
        _page_type, root, p.raw_text_len, out["title"], out["body"], meta, ld or None, ld_objs, url, p.raw_visible,
        p.para_len if p.method.get("body") != "selector" else len(out["body"]), p.links,
        signals, out["published_rule"] not in (None, "url", "bare"), bool(out["authors"]),
        Support(evidence, linked, p.method.get("source_url") in ("link_text", "selector")), default=("article", None),
    )
    out["page_type"], out["reason"] = ptype, reason
    out["is_article"] = ptype == "article"
    if not out["is_article"] and ptype in ("listing", "empty", "product", "service", "documentation", "forum"):
        # Not a story, but still a page with text: its lines, links included (the tree is pruned by now), unless
        # the story-shaped part found above already holds most of it.
        text = _safe(list_text, root, default="") or ""
        if len(text) > 2 * len(out["body"]):
            out["body"] = text
            p.method["body"] = "list"
    out["method"] = p.method
    return out


def _read_canonical(p: Page) -> None:
    """The canonical URL: link rel=canonical, og:url (same site only), else the URL itself."""
    for rule, cand in (
        ("link", next((lk.get("href") for lk in p.root.iter("link")
                       if "canonical" in (lk.get("rel") or "").lower().split() and lk.get("href")), None)),
        ("meta", _m(p.meta, "og:url")),
    ):
        if cand:
            c = canonical_url(cand, p.url)
            if c.startswith("http") and same_site(c, p.url):
                p.out["canonical_url"] = c
                p.method["canonical_url"] = rule
                return
    p.out["canonical_url"] = canonical_url(p.url)
    p.method["canonical_url"] = "url"


def _read_misc(p: Page) -> None:
    """Summary, image, language, section and tags, from JSON-LD and meta tags."""
    d = p.ld.get("description") if isinstance(p.ld.get("description"), str) else None
    summ = _m(p.meta, "og:description", "description", "twitter:description") or d
    if summ:
        p.out["summary"] = _clean(summ)
        p.method["summary"] = "meta" if summ != d else "jsonld"
    img = _m(p.meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src") or _ld_str(p.ld.get("image"))
    if img:
        p.out["image_url"] = canonical_url(img, p.url)
        p.method["image_url"] = "meta"
    lang = p.root.get("lang") or p.root.get("xml:lang") or _m(p.meta, "content-language", "og:locale", "language")
    if not lang and isinstance(p.ld.get("inLanguage"), str):
        lang = p.ld["inLanguage"]
    if lang:
        p.out["language"] = lang.replace("_", "-").split("-")[0].lower().strip() or None
    sec = p.ld.get("articleSection")
    sec = sec[0] if isinstance(sec, list) and sec else sec
    sec = sec if isinstance(sec, str) else None
    sec = sec or _m(p.meta, "article:section")
    rule = "jsonld" if p.ld.get("articleSection") else "meta"
    st, _ = _sel_first_text(p.root, p.selectors.get("section"))
    if st and not sec:
        sec, rule = st, "selector"
    if sec:
        p.out["section"] = _clean(sec)
        p.method["section"] = rule
    tags: list[str] = []
    kw = p.ld.get("keywords")
    if isinstance(kw, str):
        tags += kw.split(",")
    elif isinstance(kw, list):
        tags += [str(k) for k in kw]
    tags += p.meta.get("article:tag", [])
    if not tags:
        for k in ("news_keywords", "keywords"):
            if p.meta.get(k):
                tags += p.meta[k][0].split(",")
                break
    seen: set[str] = set()
    for t in tags:
        t = _clean(t)
        if t and t.lower() not in seen:
            seen.add(t.lower())
            p.out["tags"].append(t)


from newscrawler.listing import extract_listing  # noqa: E402
