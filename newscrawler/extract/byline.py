"""What the page shows around its headline: visible publication dates and authors (the source an aggregated
story names is read in ``source.py``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from newscrawler.dates import FUTURE_TOLERANCE, date_from_url, is_day_month, parse_date, pick_published
from newscrawler.extract.common import (
    Page,
    _as_list,
    _attr_str,
    _clean,
    _css,
    _iso,
    _key,
    _ld_name,
    _m,
    _sel_first_text,
    _sel_list,
    _text,
)
from newscrawler.urls import same_site

_RELATIVE_DATE = re.compile(r"منذ|قبل|أمس|البارحة|اليوم|\bago\b|\byesterday\b|\bil y a\b|\bhier\b", re.I)

_DATE_HINT = re.compile(r"date|time|publish|posted|تاريخ", re.I)

_DATE_HINT_WEAK = re.compile(r"meta|byline|info", re.I)

# Machine-readable publication dates, in trust order (standard first, then the common CMS and analytics
# names). `date` alone is last: some sites use it for the page's crawl or build date.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "datecreated", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_on", "published_time", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date",
    "dcterms.date", "citation_publication_date", "citation_date", "og:published_time", "article.published",
    "cxenseparse:recs:publishtime", "date",
)

# Update labels: English, French, Arabic, and the languages the month tables read (German, Spanish, Portuguese,
# Italian, Dutch, Romanian, Scandinavian, Croatian, Turkish, Polish, Indonesian).
_UPDATED = re.compile(
    r"updated|modified|latest\s+version|last\s+reviewed|mis\s+à\s+jour|mise\s+à\s+jour|تحديث|تعديل|محدث|"
    r"aktualisiert|actualizad|atualizad|aggiornat|bijgewerkt|actualizat|uppdaterad|oppdatert|opdateret|"
    r"ažurirano|güncelle|zaktualizowano|diperbarui",
    re.I,
)

_PUBLISHED_WORD = re.compile(r"publi|pubblicat|posted|created|veröffentlicht|gepubliceerd|objavljeno|yayınla|opublikowano|"
                             r"diterbitkan|نشر", re.I)

_FULL_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\d)\d{1,2}[/.]\d{1,2}[/.]\d{2}(?!\d)")

_DATE_TAGS = frozenset({"span", "div", "p", "time", "small", "li", "h2", "h3", "h4", "h5", "h6", "strong", "b",
                        "em", "i", "dd", "td", "th", "font", "center", "address", "a", "header"})

# Aggregator attribution lines: «نشر في <outlet> يوم <date> على الساعة <time>», «المصدر: <outlet> - <date>»,
# «نقلا عن <outlet>», «عن موقع ...», and the French and English kin. The date in them is the story's publication.
_ATTRIBUTION = re.compile(
    r"^\W*(?:نشر\s+(?:في|على|ب|يوم)|تم\s+النشر|نقلا\s+عن|عن\s+موقع|المصدر\s*[:：]|مصدر\s+الخبر|"
    r"source\s*[:：]|publié\s+(?:sur|dans|par|le)|paru\s+(?:sur|dans)|originally\s+published|first\s+published)",
    re.I,
)
# The date part of an attribution line: what follows `يوم`, `بتاريخ`, `le` or a dash after the outlet's name.
_ATTRIBUTION_DATE = re.compile(r"(?:^|\s)(?:يوم|بتاريخ|في\s+تاريخ|le|on)\s+(?=\S*\d|\S+\s+\d)(.+)$", re.I)
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")

# `© 2010-2013 Name`, `Copyright 2019`: the years written within a few words after the sign.
_COPYRIGHT = re.compile(r"©|&copy;|&#169;|\bcopyright\b", re.I)
_COPYRIGHT_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

_TITLE_TAGS = ("font", "b", "strong", "span", "div", "td", "p", "a", "center", "big", "h4", "h5", "h6", "th")


_DATE_LABEL = re.compile(r"\b(?:date\s+posted|posted\s+on|published(?:\s+on)?|publication\s+date)\b|تاريخ\s+النشر|نشر\s+في", re.I)

_NO_DATE_SCOPE = re.compile(
    r"comment|related|sidebar|footer|recommend|popular|trending|more-?stories|carousel|slider|swiper", re.I
)


def _page_locale(root: etree._Element, meta: dict[str, list[str]]) -> str | None:
    """The page's locale (``<html lang>``, or ``og:locale`` when it names a region of the same language), for
    ``parse_date``: English decides how ``3/4/2025`` reads (``en``/``en-US`` month first), and any language is
    the one dateparser tries first for the month names our tables lack (``listopada`` is October in ``hr``,
    November in ``pl``)."""
    lang = (root.get("lang") or root.get("xml:lang") or _m(meta, "content-language") or "").strip().replace("_", "-")
    og = (_m(meta, "og:locale") or "").strip().replace("_", "-")
    # `lang="en"` with `og:locale="en_GB"`: the one that names a region, when both are the same language.
    loc = og if "-" in og and lang.lower() in ("", og.lower().split("-")[0]) else lang
    return loc if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", loc) else None


def _microdata_published(root: etree._Element) -> list[str]:
    """``itemprop="datePublished"`` (or ``dateCreated``) on page elements, and RDFa ``dc:date``/``dc:created``:
    the attribute value when present, else the element's text. ``<meta itemprop>`` is already read as meta."""
    found: list[str] = []
    for el in root.xpath("//*[@itemprop or @property][not(self::meta)]"):
        names = f"{el.get('itemprop') or ''} {el.get('property') or ''}".lower().split()
        if not {"datepublished", "datecreated", "dc:created", "dc:date", "dcterms:created"} & set(names):
            continue
        if _in_no_date_scope(el, None):
            continue  # a comment's or a teaser's own datePublished
        v = el.get("content") or el.get("datetime") or _text(el)
        if v and len(v) <= 80 and v not in found:
            found.append(v)
        if len(found) >= 2:
            break
    return found


def _time_published(root: etree._Element, headline: etree._Element | None) -> tuple[list[str], list[str]]:
    """``<time datetime>`` values, publication first (a time marked as the update or modification date goes
    last; a ``<time>`` without ``datetime`` gives its text), split into the ones around the headline and the
    rest. A ``<time>`` far from the headline is mostly a teaser card's or a comment's: the visible date next to
    the headline is more trustworthy. Without a headline every ``<time>`` counts as near."""
    near_els = set(_near_h1(root, headline, after=60, before=30)) if headline is not None else None
    scope = _headline_scope(headline)
    first: list[tuple[bool, str]] = []
    last: list[tuple[bool, str]] = []
    for t in root.iter("time"):
        v = (t.get("datetime") or "").strip() or _text(t)
        if not v or len(v) > 80:
            continue
        ancestors = list(t.iterancestors())
        if _in_comment_box(t, headline):
            continue  # a reader's comment, never the article's date
        near = (near_els is None or t in near_els or any(a is scope for a in ancestors)) and not _in_no_date_scope(
            t, headline)
        marks = f"{_attr_str(t)} {t.get('itemprop') or ''}"
        parent = t.getparent()
        if parent is not None:
            marks += f" {_attr_str(parent)} {parent.get('itemprop') or ''} {parent.text or ''}"
        if t.get("pubdate") is not None or re.search(r"publish|created", marks, re.I):
            first.insert(0, (near, v))
        elif _UPDATED.search(marks):
            last.append((near, v))
        else:
            first.append((near, v))
        if len(first) + len(last) >= 4:
            break
    ordered = first + last
    return [v for near, v in ordered if near], [v for near, v in ordered if not near]


def _in_no_date_scope(el: etree._Element, headline: etree._Element | None) -> bool:
    """Inside (or a cell only wrapping) a comment, related, sidebar, footer or carousel box (``_NO_DATE_SCOPE``).
    ``<body>`` and ``<html>``
    are not boxes (WordPress writes ``no-sidebar`` on ``<body>``), nor is an element that also holds the headline
    (the article's own wrapper)."""
    holders = set(headline.iterancestors()) if headline is not None else set()
    for a in itertools.chain([el], el.iterancestors()):
        if a.tag in ("body", "html"):
            break
        if a not in holders and _NO_DATE_SCOPE.search(_attr_str(a)):
            return True
    # a cell that only wraps such a box (`<td><div class="related">...</div></td>`)
    while len(el) == 1 and not (el.text or "").strip() and not (el[0].tail or "").strip():
        el = el[0]
        if _NO_DATE_SCOPE.search(_attr_str(el)):
            return True
    return False


_COMMENT_BOX = re.compile(r"comment|disqus|(?:^|[\s_-])repl(?:y|ies)(?:$|[\s_-])", re.I)


def _in_comment_box(el: etree._Element, headline: etree._Element | None) -> bool:
    """Inside a readers' comment box: the nearest comment-named ancestor, unless it also holds the headline
    (then it is the article's own wrapper, ``<article class="post has-comments">``)."""
    for a in el.iterancestors():
        if _COMMENT_BOX.search(_attr_str(a)):
            return headline is None or not any(x is a for x in headline.iterancestors())
    return False


def _headline_scope(headline: etree._Element | None) -> etree._Element | None:
    """The headline's grandparent: the article header, where the byline and the date usually sit."""
    scope = headline.getparent() if headline is not None else None
    if scope is not None and scope.getparent() is not None:
        scope = scope.getparent()
    return None if scope is None or scope.tag in ("body", "html") else scope


def _short_date_text(el: etree._Element, yearless: bool = False) -> str | None:
    if el.tag not in _DATE_TAGS or len(el) > 8:
        return None
    n = 0
    for piece in el.itertext():  # cheap bail-out on containers: never build their whole text
        n += len(piece)
        if n > 400:
            return None
    t = _text(el)
    if not 5 <= len(t) <= 90:
        return None
    # next to the headline (``yearless``), a day and month shown without a year (`Jan 10`, `24 juin`) are offered
    # too: pick_published completes the year from the page's other evidence
    return t if _YEAR.search(t) or _RELATIVE_DATE.search(t) or (yearless and is_day_month(t)) else None


def _capped_text(el: etree._Element, cap: int) -> str | None:
    """The element's text with a space between child elements (bylines put a label, a name and a role in
    separate spans), or None when it exceeds ``cap`` characters (big containers are never joined)."""
    n = 0
    for piece in el.itertext():
        n += len(piece)
        if n > cap * 3:
            return None
    t = " ".join(" ".join(el.itertext()).split())
    return t if len(t) <= cap else None


def _visible_date_candidates(
    root: etree._Element, headline: etree._Element | None, far_times: list[str]
) -> Iterator[tuple[str, str]]:
    """``(rule, text)`` date candidates from the visible page, best first: date-classed elements around the
    headline, then any short dated text in document order right after it (the byline) or just above it, then
    the ``<time>`` values far from the headline, then date-classed or date-labelled elements anywhere
    (``Date Posted`` under a bare ``17/08/2025``). "Updated ..." texts go after the others: the publication
    date is wanted. A generator: ``pick_published`` stops at the first text that parses, so the page is only
    walked as far as needed."""
    scope = _headline_scope(headline)
    seen: set[str] = set()
    updated: list[str] = []

    def emit(t: str | None) -> Iterator[tuple[str, str]]:
        if not t or t in seen:
            return
        seen.add(t)
        pub = _PUBLISHED_WORD.search(t)
        if pub and _UPDATED.search(t[: pub.start()]):
            # "Last updated: X  Published: Y": the publication part on its own, first.
            yield "text", t[pub.start():]
        if _UPDATED.search(t) and not pub:
            updated.append(t)
        else:
            yield "text", t

    def hinted(scope_el: etree._Element, hint: re.Pattern[str]) -> Iterator[tuple[str, str]]:
        for el in scope_el.iter("span", "div", "p", "time", "small", "li", "h3", "h4", "h5", "h6"):
            if hint.search(_attr_str(el)):
                t = _capped_text(el, 80)
                if t and len(t) >= 6 and (re.search(r"\d", t) or _RELATIVE_DATE.search(t)) and not _in_comment_box(el, headline):
                    yield from emit(t)

    if scope is not None:
        for hint in (_DATE_HINT, _DATE_HINT_WEAK):
            yield from hinted(scope, hint)
    for el in _near_h1(root, headline):
        t = _short_date_text(el, yearless=True)
        if t and not _in_no_date_scope(el, headline):
            yield from emit(t)
    for v in far_times:
        yield "time", v
    for hint in (_DATE_HINT, _DATE_HINT_WEAK):
        yield from hinted(root, hint)
    yield from _labelled_dates(root, headline, emit)
    for t in updated:
        yield "text", t


def _labelled_dates(
    root: etree._Element, headline: etree._Element | None, emit: Callable[[str], Iterator[tuple[str, str]]]
) -> Iterator[tuple[str, str]]:
    """A date with a publication label (``Date Posted``, ``(Re)Published:``, ``تاريخ النشر``) in the same
    short element or, for a bare date, in a sibling element of its box, as page builders lay out "info
    blurbs"."""
    for el in root.iter(*_DATE_TAGS):
        if len(el) > 3:
            continue
        t = _short_date_text(el)
        if not t or len(t) > 50 or _in_comment_box(el, headline):
            continue
        if _DATE_LABEL.search(t):
            yield from emit(t)
            continue
        if len(el) or len(t) > 30:
            continue
        box = el.getparent()
        for _ in range(3):
            if box is None:
                break
            label = _capped_text(box, 80)
            if label is not None and _DATE_LABEL.search(label.replace(t, " ")):
                yield from emit(t)
                break
            box = box.getparent()


_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\+|&|\band\b|\bund\b|\bet\b|\bog\b|\by\b|\be\b|\sو\s)\s*", re.I)

_BYLINE_PREFIX = re.compile(
    r"^\W*(?:(?:written|authored|posted|published|reported|words|story|text|photos?|reviewed|researched)\s+by|by|von|"
    r"par|por|door|av|af|bij|بقلم|كتب|كتبه|كتبته|كتبت|بواسطة|إعداد|اعداد|تحرير|متابعة|"
    r"authors?|auteur|autor)\b\s*[:：]?\s*",
    re.I,
)

_ROLE_WORD = re.compile(
    r"^(?:staff|senior|chief|contributing|associate|managing|executive|deputy|lead|editor|editors|writer|writers|"
    r"reporter|correspondent|contributor|journalist|columnist|producer|manager|coordinator|specialist|director|"
    r"founder|ceo|team|desk|newsroom|redaktion|rédaction|مراسل|مراسلة|محرر|محررة|صحفي|صحفية|الصحفي|الصحفية|"
    r"المراسل|المراسلة|المحرر|المحررة|فريق|هيئة|مدير|رئيس)$",
    re.I,
)

# Interface words that author-classed elements hold instead of a name, in English and Arabic ("مشاركة" share,
# "تعليقات" comments, "تابعونا" follow us).
_NOT_NAME = re.compile(
    r"@|https?:|www\.|\d|\b(?:view|posts?|more|comments?|says|said|share|follow|read|subscribe|menu|home|login|"
    r"sign|log|profile|about|bio|contact|admin|guest|anonymous|unknown|click|here|minutes?|min|"
    r"مشاركة|شارك|تعليق|تعليقات|تابعونا|تابعنا|اشترك|اقرأ|المزيد|الرئيسية|فيسبوك|تويتر|واتساب)\b",
    re.I,
)

# "Name Edited by Other": the other credits are not the author.
_CREDIT_TAIL = re.compile(r"\s+(?:edited|reviewed|fact[- ]?checked|updated|illustrated|photos?)\s+by\b.*$", re.I)

_AUTHOR_ATTR = re.compile(r"author|byline|writer|contributor|\bfn\b|kateb|katib|كاتب", re.I)

_NOT_AUTHOR_ATTR = re.compile(r"avatar|bio|box|image|img|photo|pic|social|desc|about|label|prefix|comment|date|time", re.I)

# The name's own element inside an author box ("elementor-author-box__name"): the box is excluded above
# (it holds the bio and the avatar), its name element is not.
_AUTHOR_NAME_ATTR = re.compile(r"author[\w-]*name|byline[\w-]*name", re.I)

_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|auteur|autor|autores|writer|writers|kottab|kuttab|staff|reviewer|contributors?|"
    r"journalists?|columnists?|blogger|people|profiles?|u|user|users|team)/[^/?#]+", re.I
)


def _author_part(part: str) -> str:
    """One name from a byline fragment: prefix, brackets and a trailing role removed ("Keith B. Senior Reporter")."""
    part = _clean(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", part))
    part = _CREDIT_TAIL.sub("", part)
    part = _BYLINE_PREFIX.sub("", part).strip(" -–—|:·•.")
    words = part.split()
    if words and _ROLE_WORD.match(words[0].strip(".,")):
        return ""  # "Senior Autos Reporter", "Staff writer": a job title, not a name
    # A role after a full name is cut ("Keith B. Senior Reporter"); after a single word ("MND Staff",
    # "Guardian staff reporter", "Gear Team") the role is part of a desk byline and stays.
    j = next((i for i, w in enumerate(words) if _ROLE_WORD.match(w.strip(".,"))), len(words))
    if j >= 2:
        words = words[:j]
    return " ".join(words)


def _plausible_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 6 or not 2 <= len(name) <= 60 or _NOT_NAME.search(name):
        return False
    if re.search("[A-Za-zÀ-ÿ]", name) and not any(w[:1].isupper() for w in words):
        return False  # Latin-script names are capitalised; "by admin", "staff" are not names
    return True


def _clean_authors(names: list[str], site_names: Iterable[str]) -> list[str]:
    """Split "A, B and C" / "أ و ب", drop roles, e-mails, URLs and (when given) the site's names, also as the
    opening or the tail of a longer text; keep the order."""
    sites = {f" {_key(s)} " for s in site_names if s and _key(s)}

    def without_site(name: str) -> str:
        # the site's name after a full name is cut ("Kenny Dumez Graphite software engineer"); a text that
        # opens with it is the site's byline, not a person's ("هسبريس من الرباط", "Euronews with Agencies")
        words = name.split()
        for i in range(len(words)):
            rest = f" {_key(' '.join(words[i:]))} "
            if any(rest.startswith(s) for s in sites):
                return " ".join(words[:i]) if i >= 2 else ""
        return name

    cleaned: list[str] = []
    seen: set[str] = set()
    for n in names:
        if not isinstance(n, str) or n.strip().lower().startswith(("http", "/", "@")) or "@" in n:
            continue
        n = _BYLINE_PREFIX.sub("", _clean(n))
        # "Name | Role | date": the name; "هسبريس - محمد الراجي" (site - name): the name after the site's
        parts = re.split(r"\s+[|–—-]\s+|\s*[|·•⋅]\s*", n)
        part = next((x for x in parts if f" {_key(x)} " not in sites), "")
        for piece in _AUTHOR_SPLIT.split(part):
            name = without_site(_author_part(piece)) if sites else _author_part(piece)
            k = _key(name)
            if not k or k in seen or not _plausible_name(name):
                continue
            seen.add(k)
            cleaned.append(name)
    return cleaned


def _headline_el(headings: list[tuple[etree._Element, str]], title: str | None) -> etree._Element | None:
    """The element showing the headline: the h1/h2/h3 whose text is the extracted title, else the first h1,
    else the first h2 (pages whose only h1 is a logo or a "0 Comments" widget, or that have no h1)."""
    tk = _key(title) if title else ""
    first: dict[str, etree._Element] = {}
    for h, text in headings:
        if tk and _key(text) == tk:
            return h
        first.setdefault(h.tag, h)
    return first.get("h1") if "h1" in first else first.get("h2")


def _near_h1(root: etree._Element, h1: etree._Element | None, after: int = 250,
             before: int = 60) -> list[etree._Element]:
    """Elements in document order right after the headline element, then the ones just above it, nearest
    first: where bylines and dates sit."""
    if h1 is None:
        return []
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    try:
        i = els.index(h1)
    except ValueError:
        return []
    return els[i + 1: i + after] + els[max(0, i - before): i][::-1]


def _author_classed(attr: str) -> bool:
    """Class or id of a byline element: "author", "byline", ... but not the author's avatar, bio or box, except the
    name element inside the box."""
    if not _AUTHOR_ATTR.search(attr):
        return False
    return bool(_AUTHOR_NAME_ATTR.search(attr)) or not _NOT_AUTHOR_ATTR.search(attr)


def _in_teaser_link(el: etree._Element) -> bool:
    """Inside a link to another page that is not an author page: the "By ..." line of a related-story teaser
    ("Mehr zum Thema ... Von Ines Zöttl"), which names that story's author, not this one's."""
    return any(a.tag == "a" and not _AUTHOR_HREF.search(a.get("href") or "") for a in el.iterancestors())


def _byline_authors(p: Page, *, anywhere: bool = True) -> list[str]:
    """Names from the visible byline: author-page links, author/byline-classed elements and "By ..." texts
    next to the h1 first, then (``anywhere``) ``rel=author`` / ``itemprop=author`` elements anywhere, then an
    author box elsewhere on the page that names one person (``_one_page_author``)."""
    root = p.root

    def author_link(a: etree._Element) -> bool:
        # an author page of this site; a profile on a social network ("bsky.app/profile/...") is a share link
        href = a.get("href") or ""
        if not _AUTHOR_HREF.search(href):
            return False
        return not p.url.startswith("http") or same_site(urljoin(p.url, href), p.url)

    def link_names(scope: etree._Element) -> list[str]:
        return [_text(a) or (a.get("title") or "") for a in scope.iter("a") if author_link(a) and len(_text(a)) <= 60]

    headline = _headline_el(p.headings, p.out["title"])
    for el in _near_h1(root, headline):
        if el.tag == "a" and author_link(el) and _text(el):
            if _in_comment_box(el, headline):
                continue
            scope = el.getparent()
            if scope is not None and scope.getparent() is not None and len(_text(scope.getparent())) <= 200:
                scope = scope.getparent()
            names = link_names(scope if scope is not None else el)
            if _clean_authors(names, []):
                return names
        attr = _attr_str(el)
        if _author_classed(attr) and len(el) <= 8:
            t = _capped_text(el, 100) or ""
            if 2 <= len(t) and not _in_comment_box(el, headline):
                inner = [_text(x) for x in el.xpath(".//*[@itemprop='name']")] or link_names(el)
                if _clean_authors(inner or [t], []):
                    return inner or [t]
        if len(el) <= 4:
            t = _capped_text(el, 100) or ""
            if 4 <= len(t) and _BYLINE_PREFIX.match(t) and _clean_authors([t], []) and not _in_teaser_link(el):
                return [t]
    found: list[str] = []
    if not anywhere:
        return found
    for el in root.xpath("//*[@rel='author' or @itemprop='author']"):
        if _in_comment_box(el, headline):
            continue
        inner = [_text(x) for x in el.xpath(".//*[@itemprop='name']")]
        found += inner or [el.get("content") or _text(el)]
        if len(found) >= 3:
            break
    return found or _one_page_author(p, headline, author_link)


def _one_page_author(p: Page, headline: etree._Element | None,
                     author_link: Callable[[etree._Element], bool]) -> list[str]:
    """The author box far below the headline (long pages put it after the story): author-page links and
    author-classed elements anywhere, taken only when they all name one person (a page that names several is a
    list of posts, and a guess there would be wrong as often as right)."""
    names: set[str] = set()
    publisher = _publisher_names(p)
    for el in p.root.iter():
        if not isinstance(el.tag, str):
            continue
        attr = _attr_str(el)
        if el.tag == "a" and author_link(el):
            t = _text(el)
        elif _author_classed(attr) and len(el) <= 3:
            t = _capped_text(el, 60) or ""
        else:
            continue
        if not t or _in_comment_box(el, headline) or _in_teaser_link(el):
            continue
        for name in _clean_authors([t], publisher):
            if _person_name(name):
                names.add(name)
        if len(names) > 1:
            return []
    return sorted(names)


def read_authors(p: Page) -> None:
    """Authors: JSON-LD, then meta tags, then the source's selector, then the byline next to the headline."""
    ld_author = p.ld.get("author") or next((o.get("author") for o in p.ld_objs if o.get("author")), None)
    vals = [v for k in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                        "dcterms.creator", "byl", "citation_author") for v in p.meta.get(k, [])]
    for i in range(1, 4):  # Slack-style labels: twitter:label1 "Written by", twitter:data1 the name
        label = _m(p.meta, f"twitter:label{i}") or ""
        if re.search(r"written|author|autor|auteur|verfasst|écrit|escrito|by\b|بقلم|كاتب", label, re.I):
            vals += p.meta.get(f"twitter:data{i}", [])
    # A handle (no space) in twitter:creator is not a name; a real name there is.
    vals += [v for v in p.meta.get("twitter:creator", []) if " " in v.strip()]

    def selector_names() -> list[str]:
        for sel in _sel_list(p.selectors.get("author")):
            found = [_text(e) for e in _css(p.root, sel)]
            if found:
                return found
        return []

    # Each source is computed only when the ones before it gave nothing (the DOM walk costs time).
    sources: list[tuple[str, Callable[[], list[str]], bool]] = [
        ("jsonld", lambda: _ld_name(ld_author), True),
        ("meta", lambda: list(dict.fromkeys(vals)), True),
        ("selector", selector_names, False),
        ("dom", lambda: _byline_authors(p), False),
    ]
    for rule, get_names, explicit in sources:
        # A site name found by the DOM rules is a logo or a footer, not a byline. In metadata it is the byline
        # the publisher chose ("AFP", "BBC News"), unless the visible byline names a person (_shown_byline).
        cleaned = _clean_authors(get_names(), [] if explicit else _publisher_names(p))
        if cleaned and explicit:
            shown = _shown_byline(cleaned, ld_author if rule == "jsonld" else None, p)
            if shown:
                cleaned, rule = shown, "dom"
        if cleaned:
            p.out["authors"] = cleaned[:10]
            p.method["authors"] = rule
            return


def _shown_byline(names: list[str], ld_author: Any, p: Page) -> list[str]:
    """The people of the visible byline when the metadata authors ``names`` are only the publisher itself, else [].

    Many CMSs fill the author field with the site's name and show the reporter in the byline ("STERN.de" in
    meta, "Jemima Kelly" shown)."""
    if not _only_organisations(names, ld_author, p):
        return []
    return [n for n in _clean_authors(_byline_authors(p, anywhere=False), _publisher_names(p)) if _person_name(n)]


def _publisher_names(p: Page) -> list[str]:
    """The site's names and the first label of its host ("wral" for www.wral.com): what a byline found in the page
    furniture must not be, open with or end with (``_clean_authors``)."""
    host = p.host.removeprefix("www.").split(".")[0] if p.host else ""
    return [*p.site_names, host] if len(host) >= 2 else list(p.site_names)


def _person_name(name: str) -> bool:
    """A stricter test for a name found in the page furniture that is to replace a metadata byline: a first and a
    last name (2 to 4 words; a single word there is more often a button, a weekday or an agency code)."""
    return 2 <= len(name.split()) <= 4


_ORGANISATION_TYPE = re.compile(r"organi[sz]ation|corporation|newsmedia|brand", re.I)


def _only_organisations(names: list[str], ld_author: Any, p: Page) -> bool:
    """Whether the metadata authors are all the publisher itself: its site names or host, or JSON-LD authors typed
    as an organisation ("STERN.de" in meta where the page shows the reporter)."""
    org_names = {_key(n) for a in _as_list(ld_author) if isinstance(a, dict)
                 and _ORGANISATION_TYPE.search(str(a.get("@type") or "")) for n in _ld_name(a)}
    publisher = _publisher_names(p)
    # the publisher's own name, or a text that opens with it ("STERN.de", "n-tv NACHRICHTEN"): nothing is left
    # of it once the publisher's names are removed
    return all(_key(n) in org_names or not _clean_authors([n], publisher) for n in names)


def read_dates(p: Page) -> None:
    """The publication date (trust order in docs/dates.md) and the modification date."""
    cands: list[tuple[str, str]] = []
    for k in ("datePublished", "dateCreated"):
        v = p.ld.get(k)
        if isinstance(v, str) and v.strip():
            cands.append(("jsonld", v))
            break
    if not cands:
        for k in ("datePublished", "dateCreated", "uploadDate"):
            v = next((o[k] for o in p.ld_objs if isinstance(o.get(k), str) and o[k].strip()), None)
            if v:
                cands.append(("jsonld", v))
                break
    # Every meta value in key order, not only the first: one malformed or future value must not hide
    # the next key.
    for k in _PUBLISHED_META:
        cands += [("meta", v) for v in p.meta.get(k, ()) if v][:2]
    cands += [("meta", v) for v in _microdata_published(p.root)]
    headline = _headline_el(p.headings, p.out["title"])
    if headline is None:
        # Table layouts and legacy pages show the title in a `<font>`, `<b>` or `<td>`: the element whose text
        # is the extracted title is the headline the visible date sits next to.
        headline = _title_element(p.root, p.out["title"])
    near_times, far_times = _time_published(p.root, headline)
    cands += [("time", v) for v in near_times]
    st, _ = _sel_first_text(p.root, p.selectors.get("date"))
    if st:
        cands.append(("selector", st))
    modified = p.ld.get("dateModified") or _m(p.meta, "article:modified_time", "og:updated_time", "datemodified")
    # Lazily: the visible-text search only runs when every machine-readable candidate failed.
    texts = _visible_date_candidates(p.root, headline, far_times)
    res = pick_published(
        itertools.chain(cands, _attribution_dates(p.root, headline), texts, [("url", p.url)],
                        _bare_dates(p.root, headline)),
        tz=p.tz, now=p.now, locale=_page_locale(p.root, p.meta),
        year_anchor=lambda: _year_anchor(p, modified, headline),
    )
    if res is not None and res.value is not None and res.rule is not None:
        p.out["published_at"] = _iso(res.value)
        p.out["published_raw"] = res.raw
        p.out["published_rule"] = res.rule
        p.method["published_at"] = res.rule
    if isinstance(modified, str) and modified:
        v = parse_date(modified, tz=p.tz, now=p.now)
        if v is not None and v <= p.now + FUTURE_TOLERANCE:
            p.out["modified_at"] = _iso(min(v, p.now.astimezone(v.tzinfo)))


def _title_element(root: etree._Element, title: str | None) -> etree._Element | None:
    """The element showing the extracted title on a page without a matching h1/h2/h3: the first short element
    whose words are the title's (or, when the title carries the site's name, its longest part, at least half of
    it)."""
    tk = _key(title or "")
    body = root.find("body")
    if len(tk) < 8 or body is None:
        return None
    padded = f" {tk} "
    best, best_len = None, 0
    for el in body.iter(*_TITLE_TAGS):
        t = _capped_text(el, 300)
        if not t:
            continue
        k = _key(t)
        if len(k) > best_len and len(k) >= max(8, len(tk) // 2) and f" {k} " in padded:
            best, best_len = el, len(k)
            if len(k) == len(tk):
                break
    return best


def _attribution_dates(root: etree._Element, headline: etree._Element | None) -> Iterator[tuple[str, str]]:
    """Aggregator attribution lines (``_ATTRIBUTION``) that carry a date: the part after ``يوم``/``بتاريخ``
    first (the outlet's name may hold digits, «اليوم 24»), then the whole line. The label opens an element's own
    text (the line's, or a label span's inside it), so only that is tested on every element."""
    seen: set[str] = set()
    for el in root.iter():
        own = el.text
        if not own or not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "a"):
            continue
        if not _ATTRIBUTION.match(_HARAKAT.sub("", own[:60])):
            continue
        for box in (el, el.getparent()):  # `<p><span>نشر في</span> <a>outlet</a> يوم ...</p>`
            if box is None or not isinstance(box.tag, str):
                continue
            t = _capped_text(box, 200)
            if not t or t in seen or not re.search(r"\d", t):
                continue
            t = _HARAKAT.sub("", t)
            if not _ATTRIBUTION.match(t) or _in_comment_box(box, headline):
                continue
            seen.add(t)
            m = _ATTRIBUTION_DATE.search(t)
            if m:
                yield "text", m.group(1)
            yield "text", t
            break


def _bare_dates(root: etree._Element, headline: etree._Element | None) -> Iterator[tuple[str, str]]:
    """Last resort, after the URL: a short text that is mostly a date (``24/06/2019 00h37``), anywhere outside
    comment, related and footer areas, in document order. Short text nodes are picked in C (XPath) first. Rule
    ``bare``: like ``url``, too weak to count as the page's own date when deciding its type."""
    for node in root.xpath("//body//text()[string-length(normalize-space()) >= 6 "
                           "and string-length(normalize-space()) <= 40]"):
        t = " ".join(node.split())
        # a four-digit year: `3.5.11` and `5/12/23` are as often version numbers and prices as dates
        if not _FULL_YEAR.search(t) or len(re.sub(r"[\d\s/.:,-]", "", t)) > len(t) // 2 + 3:
            continue
        el = node.getparent()
        if el is None or el.tag in ("script", "style") or _in_no_date_scope(el, headline) or _in_comment_box(el, headline):
            continue
        yield "bare", t


def _year_anchor(p: Page, modified: Any, headline: etree._Element | None) -> tuple[datetime, timedelta | None] | None:
    """The page's other evidence for a date shown without a year: the URL's day (the publication day itself: a
    year-less date more than three days before it is another date), else the modification date, else the last
    copyright year of the footer (its 31 December), else the nearest dated text around the headline (a dated
    neighbour: an update line, the first comment)."""
    u = date_from_url(p.url, tz=p.tz)
    if u is not None:
        return u, timedelta(days=3)
    if isinstance(modified, str) and modified:
        v = parse_date(modified, tz=p.tz, now=p.now)
        if v is not None:
            return v, None
    text = p.text[-200000:]
    years = []
    for m in _COPYRIGHT.finditer(text):
        # the years in the next 80 characters of text (tags removed), `© 2010-2013 Name` giving 2013
        after = re.sub(r"<[^>]*>", " ", text[m.end(): m.end() + 400])[:80]
        years += [int(y) for y in _COPYRIGHT_YEAR.findall(after)]
    if years:
        return datetime(max(years), 12, 31, 23, 59, tzinfo=p.now.tzinfo), None
    for el in _near_h1(p.root, headline, after=120, before=30):
        t = _short_date_text(el)
        if t and _FULL_YEAR.search(t) and not _in_comment_box(el, None):
            v = parse_date(t, tz=p.tz, now=p.now)
            if v is not None and v <= p.now:
                return v, None
    return None

