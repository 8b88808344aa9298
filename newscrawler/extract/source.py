"""The original of an aggregated story: the link to it ("read it at the source") and the outlet's name as the page
shows it, else the page itself (see docs/extraction.md, "Source")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from newscrawler.extract.common import Page, _clean, _css, _sel_first_text, _sel_list, _text
from newscrawler.urls import canonical_url, same_site

# Link texts that send the reader to the original.
_SOURCE_LINK_TEXT = re.compile(
    r"لقراءة\s+(?:الخبر|المقال|الموضوع)\s+من\s+(?:مصدره|المصدر)|من\s+مصدره|المصدر\s+الأصلي|"
    r"read\s+(?:the\s+)?(?:full\s+)?(?:story|article|more)\s+(?:at|on)|original\s+source|lire\s+la\s+suite\s+sur",
    re.I,
)

# Words just before a link whose text is the outlet's name: «اقرأ الخبر كاملا على <a>outlet</a>», «المصدر: <a>».
_SOURCE_LEAD = re.compile(
    r"(?:(?:اقرأ|إقرأ|اقرا|طالع|تابع)\s+(?:الخبر|المقال|الموضوع|التفاصيل|المزيد)(?:\s+(?:كاملا|كاملاً|كامل))?\s+"
    r"(?:على|في|عبر|من)|المصدر|مصدر\s+الخبر|نقلا\s+عن|عن\s+موقع|source|via|read\s+(?:the\s+)?(?:full\s+)?"
    r"(?:story|article)\s+(?:at|on)|lire\s+(?:la\s+suite|l['’]article)\s+sur)\s*[:：\-]?\s*$",
    re.I,
)

# «المصدر: <outlet>», «مصدر الخبر - <outlet>», and the label with the publication after the name: «المصدر: <outlet>
# - نشر يوم 08/10/2025 على الساعة 08:22», "Source: <outlet> | 8 October 2025".
_SOURCE_NAME_LABEL = re.compile(
    r"^\s*(?:المصدر|مصدر\s+الخبر|source)\s*[:：\-]\s*(.{2,60}?)\s*"
    r"(?:$|\s[-|–—،,]\s*(?=نشر|نُشر|بتاريخ|يوم|publi|posted|updated|\d))", re.I)

# An aggregator's attribution line: «نشر في <outlet> يوم 02 - 03 - 2024 على الساعة 18:40», «نشر في <outlet> بتاريخ».
_ATTRIBUTION_LINE = re.compile(
    r"(?:^|\s)(?:نشر|نُشر|منشور)\s+(?:في|على|ب)\s*(.{2,50}?)\s+(?:يوم|بتاريخ|في\s+\d|على\s+الساعة|\d)", re.I)

_NOT_A_NAME = re.compile(r"https?://|www\.|[.!?؟:]$|\d{3,}")


def read_source(p: Page) -> None:
    """The original source of an aggregated story (its link and name), else the page itself."""
    link: str | None = None
    rule, anchor = "", None
    for sel in _sel_list(p.selectors.get("source_link")):
        for e in _css(p.root, sel):
            inner = e.find(".//a")
            href = e.get("href") or (inner.get("href") if inner is not None else None)
            if href:
                link, rule = href, "selector"
                anchor = e if e.tag == "a" else inner
                break
        if link:
            break
    if not link:
        found = _source_anchor(p.root, p.url)
        if found is not None:
            anchor, link, rule = found, found.get("href"), "link_text"
    if not link:
        p.out["source_url"] = p.out["canonical_url"]
        p.method["source_url"] = "canonical"
        name: str | None = p.source_name or (p.site_names[0] if p.site_names else None)
        if name:
            p.out["source_name"] = _clean(name)
            p.method["source_name"] = "argument" if p.source_name else "meta"
        return
    p.out["source_url"] = canonical_url(link, p.url)
    p.method["source_url"] = rule
    name, nrule = _sel_first_text(p.root, p.selectors.get("source_name"))[0], "selector"
    if not name:
        name, nrule = _shown_name(p.root, anchor), "text"
    if not name:
        # Last resort; the crawler replaces it with a configured source's name when the link is one of its sources.
        name, nrule = (urlsplit(p.out["source_url"]).hostname or "").removeprefix("www.") or None, "host"
    if name:
        p.out["source_name"] = _clean(name)
        p.method["source_name"] = nrule


def _source_anchor(root: etree._Element, url: str) -> etree._Element | None:
    """The off-site link to the original: by its text ("read it at the source"), else a link whose preceding words
    announce the source («اقرأ الخبر كاملا على», «المصدر:»)."""
    fallback = None
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        by_text = bool(_SOURCE_LINK_TEXT.search(_text(a) or a.get("title") or ""))
        if not by_text and (fallback is not None or not _SOURCE_LEAD.search(_text_before(a)[-60:])):
            continue
        absu = canonical_url(href, url)
        if not absu.startswith("http") or same_site(absu, url):
            continue
        if by_text:
            return a
        fallback = a
    return fallback


def _text_before(a: etree._Element) -> str:
    """The words of the link's block before the link."""
    parent = a.getparent()
    if parent is None:
        return ""
    parts = [parent.text or ""]
    for c in parent:
        if c is a:
            break
        parts.append(c.text_content() if isinstance(c.tag, str) else "")
        parts.append(c.tail or "")
    return " ".join(" ".join(parts).split())


def _shown_name(root: etree._Element, anchor: etree._Element | None) -> str | None:
    """The outlet's name as the page shows it, nearest the link first: an attribution line («نشر في <outlet> يوم»),
    a «المصدر: <outlet>» label, a short element beside the link, the link's own text when it is a name."""
    scope = anchor.getparent() if anchor is not None else None
    for s in (scope, scope.getparent() if scope is not None else None, root):
        if s is None:
            continue
        for el in s.iter("span", "div", "p", "a", "strong", "b", "li", "td", "small", "em", "font"):
            t = _text(el)
            if len(t) > 120:
                continue
            m = _SOURCE_NAME_LABEL.match(t) if len(t) <= 80 else None
            if m and _is_name(m.group(1)):
                return m.group(1)
            m = _ATTRIBUTION_LINE.search(t)
            if m and _is_name(m.group(1)):
                return m.group(1)
        if s is root:
            break
    if anchor is None:
        return None
    for sib in (anchor.getprevious(), anchor.getnext()):
        if sib is not None and sib.tag in ("span", "strong", "b", "em", "small", "font") and _is_name(_text(sib)):
            return _text(sib)
    own = _text(anchor)
    return own if _is_name(own) and not _SOURCE_LINK_TEXT.search(own) else None


def _is_name(text: str) -> bool:
    """Short, a few words, not a URL, a sentence or a date."""
    t = text.strip()
    return 2 <= len(t) <= 50 and len(t.split()) <= 6 and not _NOT_A_NAME.search(t)
