"""Generator of the offline demo news sites.

`build_demo(base_urls)` returns a `DemoWorld`: three Arabic publisher sites and one aggregator, every page
pre-rendered to bytes (so the server only looks pages up), plus the ground truth (`world.manifest()`) that the
tests check the crawler against, and source definitions (`world.sources()`) in the `sources.toml` format.

Everything is derived from `seed`; nothing reads the wall clock (dates count back from `REFERENCE_DATE`), so two
builds with the same arguments give byte-identical pages. See docs/demo.md for what each site exercises.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newscrawler.demo import texts as T

TZ = ZoneInfo("Africa/Casablanca")
# Fixed "now" of the demo. Morocco is on UTC+1 from mid-April to this date (Ramadan UTC+0 was earlier in 2025),
# and the oldest article is at most ~150 days back, so every timestamp carries +01:00.
REFERENCE_DATE = datetime(2025, 10, 8, 12, 0, tzinfo=TZ)

PUBLISHERS = ("akhbar-demo", "sahafa-demo", "wadi-demo")
AGGREGATOR = "multaqa-demo"
SITE_IDS = (*PUBLISHERS, AGGREGATOR)
SITE_NAMES = {
    "akhbar-demo": "أخبار ديمو",
    "sahafa-demo": "صحافة ديمو",
    "wadi-demo": "وادي ديمو",
    "multaqa-demo": "ملتقى الأخبار ديمو",
}
SECTIONS = {"politics": "سياسة", "sport": "رياضة", "society": "مجتمع واقتصاد"}
SECTION_OF = {"politics": "politics", "sport": "sport", "economy": "society", "weather": "society",
              "culture": "society"}
FEED_SIZE = 30
HOME_SIZE = 20
AGG_HOME_SIZE = 60  # the seed page lists about sixty headlines
LISTING_SELECTOR = "ul.news a.title"

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# ---------------------------------------------------------------------------------------------------------------
# data model

@dataclass
class DemoPage:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class DemoSite:
    id: str
    name: str
    kind: str
    base_url: str
    encoding: str
    pages: dict[str, DemoPage] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class DemoWorld:
    sites: dict[str, DemoSite]
    seed: int
    articles_per_site: int
    _sources: list[dict[str, Any]]
    _manifest: dict[str, Any]

    def sources(self) -> list[dict[str, Any]]:
        """Source definitions (the `[[source]]` tables of sources.toml, as dicts)."""
        return json.loads(json.dumps(self._sources))  # a copy callers may mutate

    def sources_toml(self) -> str:
        return render_sources_toml(self._sources)

    def manifest(self) -> dict[str, Any]:
        """The ground truth; see docs/demo.md for the layout. Returned as is (large at 5,000 articles)."""
        return self._manifest

    def url(self, site_id: str, path: str) -> str:
        return self.sites[site_id].url(path)


@dataclass
class _Story:
    category: str
    title: str
    paras: list[str]


@dataclass
class _Article:
    site: str
    slot: int
    id: int
    path: str
    title: str
    paras: list[str]
    category: str
    published: datetime
    modified: datetime | None
    author: str
    markup: str
    story: str
    edit: str
    source_url: str = ""
    source_name: str = ""
    copy_of: tuple[str, str] | None = None
    href: str = ""  # how listings link to it (may carry tracking parameters)

    @property
    def section(self) -> str:
        return SECTION_OF[self.category]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paras)


# ---------------------------------------------------------------------------------------------------------------
# text helpers

_JOIN_BOTH = set("بتثجحخسشصضطظعغفقكلمنهيئ")  # dual-joining letters (take initial/medial forms)
_LETTER_FORMS: dict[tuple[str, str], str] = {}


def _form(ch: str, form: str) -> str:
    key = (ch, form)
    if key not in _LETTER_FORMS:
        try:
            _LETTER_FORMS[key] = unicodedata.lookup(f"{unicodedata.name(ch)} {form} FORM")
        except (KeyError, ValueError):
            _LETTER_FORMS[key] = ch
    return _LETTER_FORMS[key]


def presentation_forms(word: str) -> str:
    """Spell a plain Arabic word with presentation-form code points (as legacy PDF/Word copy-paste does).

    Renders like the plain word; rule D3 of display_clean maps it back, which is what the demo wants to test.
    """
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        prev_joins = i > 0 and word[i - 1] in _JOIN_BOTH
        if ch == "ل" and i + 1 < len(word) and word[i + 1] == "ا":  # lam-alef ligature
            out.append("\ufefc" if prev_joins else "\ufefb")
            i += 2
            continue
        next_exists = i + 1 < len(word)
        joins_next = ch in _JOIN_BOTH and next_exists
        if prev_joins and joins_next:
            form = "MEDIAL"
        elif prev_joins:
            form = "FINAL"
        elif joins_next:
            form = "INITIAL"
        else:
            form = "ISOLATED"
        out.append(_form(ch, form))
        i += 1
    return "".join(out)


_PF_MARK = re.compile(r"⟦([^⟧]+)⟧")


def _resolve_markers(text: str) -> str:
    return _PF_MARK.sub(lambda m: presentation_forms(m.group(1)), text)


_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")


def _unpresent(text: str) -> str:
    """NFKC only the presentation-form characters (windows-1256 cannot encode them)."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _indic_digits(text: str) -> str:
    # Latin tokens such as U17 keep their ASCII digits, as Arabic-Indic-digit sites do.
    return re.sub(r"(?<![A-Za-z0-9])\d+", lambda m: m.group(0).translate(ARABIC_INDIC), text)


# Marks, format and bidi characters (every kind the demo text contains), dropped by the crude key.
_CRUDE_MARKS = re.compile("[\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06ed\u00ad\u200b-\u200f"
                          "\u202a-\u202e\u2060-\u2064\ufeff\u0640]")
_CRUDE_DROP = re.compile(r"[\W_]+")
_CRUDE_FOLD = [("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "ء"), ("ئ", "ء"),
               *[(chr(0x660 + i), str(i)) for i in range(10)], *[(chr(0x6f0 + i), str(i)) for i in range(10)]]


def crude_key(text: str) -> str:
    """A key at least as coarse as the crawler's match_key on demo text: equal match keys imply equal crude
    keys, so distinct crude keys guarantee two demo articles are not exact duplicates for the crawler.
    (Regex and str.replace rather than per-character calls: it runs on every generated story.)"""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    s = _CRUDE_DROP.sub("", _CRUDE_MARKS.sub("", text.casefold()))
    for a, b in _CRUDE_FOLD:  # chained str.replace: much faster than str.translate with a dict here
        if a in s:
            s = s.replace(a, b)
    return s


_WORD = re.compile(r"(?<![\u0600-\u06ff\w])[\u0621-\u063a\u0641-\u064a]{5,}(?![\u0600-\u06ff\w])")


def _decorate(text: str, rng: random.Random, kind: str) -> str:
    """Apply one text quirk to one word of `text` (tatweel run, haraka, presentation forms, ZWNJ, soft hyphen)."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    if kind == "tatweel":
        # kashida goes after a dual-joining letter (where a real justifier would put it)
        spots = [i for i in range(1, len(w) - 1) if w[i] in _JOIN_BOTH]
        if not spots:
            return text
        i = rng.choice(spots) + 1
        w = w[:i] + "ـ" * rng.randint(2, 4) + w[i:]
    elif kind == "haraka":
        w = w[0] + rng.choice("\u064e\u064f\u0650") + w[1:]
    elif kind == "pforms":
        w = presentation_forms(w)
    elif kind == "zwnj":
        i = len(w) // 2
        w = w[:i] + T.ZWNJ + w[i:]
    elif kind == "shy":
        i = len(w) // 2
        w = w[:i] + T.SHY + w[i:]
    return text[: m.start()] + w + text[m.end():]


# ---------------------------------------------------------------------------------------------------------------
# story generation

class _StoryMaker:
    def __init__(self, rng: random.Random):
        self.rng = rng
        pool = [_Story(c, _resolve_markers(t), [_resolve_markers(p) for p in ps]) for c, t, ps in T.STORIES]
        rng.shuffle(pool)
        self.pool = pool
        self.seen: set[str] = set()
        self.count = 0

    def next(self) -> _Story:
        while True:
            story = self.pool.pop(0) if self.pool else self._compose()
            key = crude_key(story.title) + "|" + crude_key("\n".join(story.paras))
            if key not in self.seen:
                self.seen.add(key)
                self.count += 1
                return story

    def _slots(self, cat: str) -> dict[str, Any]:
        r = self.rng
        city, city2 = r.sample(T.CITIES, 2)
        club, club2 = r.sample(T.CLUBS, 2)
        topics = T.TOPICS.get(cat, T.TOPICS["politics"])
        month = r.randrange(12)
        return {
            "city": city, "city2": city2, "region": r.choice(T.REGIONS),
            "person": f"{r.choice(T.FIRST)} {r.choice(T.FAMILY)}",
            "person2": f"{r.choice(T.FIRST)} {r.choice(T.FAMILY)}",
            "org": r.choice(T.ORGS), "topic": r.choice(topics), "club": club, "club2": club2,
            "n": r.randint(3, 12), "n2": r.randint(13, 99), "n3": r.randint(120, 9800),
            "pct": f"{r.randint(1, 19)}.{r.randint(1, 9)}", "amount": r.randint(5, 950),
            "month": T.MONTHS_MA[month], "day": r.randint(1, 28), "weekday": r.choice(T.WEEKDAYS),
            "quote": r.choice(T.QUOTES[cat]), "temp": r.randint(24, 44), "temp2": r.randint(-3, 8),
            "temp3": r.randint(9, 17), "g1": r.randint(1, 4), "g2": r.randint(0, 3),
            "minute": r.randint(3, 89), "rank": r.randint(4, 16), "year": r.choice((2026, 2027, 2030)),
        }

    def _compose(self) -> _Story:
        r = self.rng
        cat = r.choice(T.CATEGORIES)
        s = self._slots(cat)
        title = r.choice(T.TITLE_TEMPLATES[cat]).format_map(s)
        paras = [T.LEADS[cat].format_map(s)]
        paras += [p.format_map(s) for p in r.sample(T.PARAGRAPHS[cat], r.randint(2, 4))]
        detail = r.choice(T.DETAILS).format_map(s)
        i = r.randrange(1, len(paras))
        paras[i] = paras[i] + " " + detail
        closing = r.choice(T.CLOSINGS)
        if closing:
            paras.append(closing)
        # one quirk in about a third of the titles, one or two in every body
        if r.random() < 0.35:
            title = _decorate(title, r, r.choice(("tatweel", "haraka", "pforms", "zwnj")))
        for _ in range(r.randint(1, 2)):
            i = r.randrange(len(paras))
            paras[i] = _decorate(paras[i], r, r.choice(("tatweel", "haraka", "pforms", "zwnj", "shy")))
        return _Story(cat, title, paras)


# ---------------------------------------------------------------------------------------------------------------
# dates

def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def date_text(dt: datetime, *, moroccan: bool = True, indic: bool = False) -> str:
    """Visible date as Moroccan sites print it: `الأحد 12 شتنبر 2025 - 08:15`."""
    months = T.MONTHS_MA if moroccan else T.MONTHS_STD
    s = f"{T.WEEKDAYS[dt.weekday()]} {dt.day} {months[dt.month - 1]} {dt.year} - {dt:%H:%M}"
    return s.translate(ARABIC_INDIC) if indic else s


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _rfc822(dt: datetime) -> str:
    return format_datetime(dt)


# ---------------------------------------------------------------------------------------------------------------
# rendering

def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'


class _Renderer:
    """Per-site page rendering. Site differences are data here, not subclasses, to keep them visible side by side."""

    def __init__(self, site: DemoSite, all_sites: dict[str, DemoSite]):
        self.site = site
        self.all_sites = all_sites
        self.sid = site.id
        self.utf8 = site.encoding == "utf-8"
        self.most_read_html = ""
        self.article_class = {"akhbar-demo": "article-body", "sahafa-demo": "content",
                              "wadi-demo": "story", "multaqa-demo": "story"}[self.sid]

    # -- plumbing
    def page(self, path: str, html: str, *, status: int = 200, ctype: str = "text/html",
             modified: datetime | None = None, cache: bool = True, encoding: str | None = None) -> DemoPage:
        # strict: a character windows-1256 lacks is a generator bug
        body = html.encode(encoding or self.site.encoding)
        headers = {"Content-Type": self.content_type(ctype)}
        if status == 200 and cache:
            headers["ETag"] = _etag(body)
            headers["Last-Modified"] = _http_date(modified or REFERENCE_DATE)
        page = DemoPage(status, body, headers)
        self.site.pages[path] = page
        return page

    def content_type(self, ctype: str) -> str:
        if ctype.startswith("text/html") and not self.utf8:
            return "text/html"  # the windows-1256 site declares no charset anywhere
        if self.sid == "multaqa-demo" and ctype == "text/html":
            return "text/html; charset=UTF-8"
        return f"{ctype}; charset=utf-8"

    def head(self, title: str, extra: str = "") -> str:
        meta = '<meta charset="utf-8">' if self.utf8 else ""
        return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>{meta}<title>{escape(title, False)} | '
                f'{escape(self.site.name, False)}</title>\n<meta name="viewport" content="width=device-width">'
                f"\n{extra}</head>\n<body>\n")

    def chrome_top(self) -> str:
        nav = "".join(f'<li><a href="/section/{k}">{v}</a></li>' for k, v in SECTIONS.items())
        return (f'<header class="site-header"><a class="logo" href="/">{escape(self.site.name, False)}</a>'
                f'<nav class="main-nav"><ul><li><a href="/">الرئيسية</a></li>{nav}</ul></nav></header>\n'
                '<div class="ad-slot" data-ad="top">إعلان: عروض خاصة على الاشتراك السنوي</div>\n')

    def chrome_bottom(self) -> str:
        return (f'\n<aside class="most-read"><h2>الأكثر قراءة</h2>{self.most_read_html}</aside>\n'
                '<div class="ad-slot" data-ad="bottom">مساحة إعلانية</div>\n'
                '<footer class="site-footer"><ul><li><a href="/contact.html">اتصل بنا</a></li>'
                '<li><a href="/contact.html#about">من نحن</a></li></ul>'
                f"<p>© 2025 {escape(self.site.name, False)} - جميع الحقوق محفوظة</p></footer>\n</body></html>\n")

    @staticmethod
    def li(title: str, href: str, extra: str = "") -> str:
        return f'<li><a class="title" href="{escape(href)}">{escape(title, False)}</a>{extra}</li>'

    # -- article pages
    def article(self, a: _Article, read_also: list[_Article]) -> None:
        url = self.site.url(a.path)
        title_attr = escape(a.title)
        meta_parts: list[str] = []
        if a.markup in ("jsonld", "jsonld+body", "meta", "aggregator"):
            meta_parts.append(f'<link rel="canonical" href="{escape(url)}">')
            meta_parts.append(f'<meta property="og:type" content="article"><meta property="og:title" '
                              f'content="{title_attr}"><meta property="og:url" content="{escape(url)}">'
                              f'<meta property="og:site_name" content="{escape(self.site.name)}">')
            meta_parts.append(f'<meta name="description" content="{escape(a.paras[0][:140])}">')
        if a.markup in ("meta", "aggregator"):
            meta_parts.append(f'<meta property="article:published_time" content="{_iso(a.published)}">')
            if a.modified:
                meta_parts.append(f'<meta property="article:modified_time" content="{_iso(a.modified)}">')
            meta_parts.append(f'<meta property="article:section" content="{SECTIONS[a.section]}">')
            meta_parts.append(f'<meta name="author" content="{escape(a.author)}">')
        if a.markup in ("jsonld", "jsonld+body"):
            ld: dict[str, Any] = {
                "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
                "datePublished": _iso(a.published), "author": {"@type": "Person", "name": a.author},
                "publisher": {"@type": "Organization", "name": self.site.name},
                "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "articleSection": SECTIONS[a.section],
                "inLanguage": "ar",
            }
            if a.modified:
                ld["dateModified"] = _iso(a.modified)
            if a.markup == "jsonld+body":
                ld["articleBody"] = a.body
            blob = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
            meta_parts.append(f'<script type="application/ld+json">{blob}</script>')
        html = [self.head(a.title, "\n".join(meta_parts)), self.chrome_top(), "<main>\n<article>\n"]
        if self.sid == "akhbar-demo":
            html.append(f'<h1 class="headline">{escape(a.title, False)}</h1>\n<div class="meta"><time datetime="'
                        f'{_iso(a.published)}">{date_text(a.published, moroccan=False)}</time> '
                        f'<span class="byline">بقلم: {escape(a.author, False)}</span></div>\n')
        elif self.sid == "sahafa-demo":
            html.append(f'<h1 class="entry-title">{escape(a.title, False)}</h1>\n<div class="entry-meta">'
                        f'<span class="posted-on">{date_text(a.published, indic=True)}</span> | '
                        f'<span class="author">{escape(a.author, False)}</span></div>\n')
        else:
            html.append(f'<h1 class="headline">{escape(a.title, False)}</h1>\n<div class="info">'
                        f'<span class="story-date">{date_text(a.published)}</span> - '
                        f'<span class="byline">{escape(a.author, False)}</span></div>\n')
        if self.sid == "multaqa-demo":
            html.append(f'<div class="report-notice"><button class="report">إبلاغ عن الصورة</button><p>'
                        f"{T.REPORT_NOTICE}</p></div>\n")
        paras = "".join(f"<p>{escape(p, False)}</p>\n" for p in a.paras)
        tag = "section" if self.sid == "sahafa-demo" else "div"
        html.append(f'<{tag} class="{self.article_class}">\n{paras}</{tag}>\n')
        if self.sid == "multaqa-demo":
            html.append(f'<p class="source">المصدر: <span class="origin-name">{escape(a.source_name, False)}</span>'
                        f' - <a class="origin" href="{escape(a.source_url)}" rel="nofollow">{T.READ_SOURCE}</a></p>\n')
        html.append('<div class="share">شارك الخبر: <a href="#fb">فيسبوك</a> <a href="#x">إكس</a> '
                    '<a href="#wa">واتساب</a> <a href="#print">طباعة</a></div>\n</article>\n')
        if read_also:
            items = "".join(self.li(r.title, r.path) for r in read_also)
            html.append(f'<div class="read-also"><h3>اقرأ أيضا</h3><ul>{items}</ul></div>\n')
        html.append("</main>")
        html.append(self.chrome_bottom())
        self.page(a.path, "".join(html), modified=a.modified or a.published)

    # -- listing pages
    def listing(self, path: str, heading: str, entries: list[tuple[str, str]], newest: datetime,
                empty_slot_at: int | None = None) -> None:
        items = [self.li(t, h) for t, h in entries]
        if empty_slot_at is not None and empty_slot_at <= len(items):
            items.insert(empty_slot_at, '<li class="empty"></li>')  # a headline slot whose text went missing
        sep = "\n    " if self.sid != "multaqa-demo" else "    "
        html = (self.head(heading) + self.chrome_top() + f'<main>\n<h1 class="section-title">{heading}</h1>\n'
                f'<ul class="news">\n    {sep.join(items)}\n</ul>\n</main>' + self.chrome_bottom())
        self.page(path, html, modified=newest)

    def simple(self, path: str, title: str, text: str, *, status: int = 200) -> None:
        html = (self.head(title) + self.chrome_top() + f'<main><h1>{title}</h1><p>{text}</p></main>'
                + self.chrome_bottom())
        self.page(path, html, status=status, cache=status == 200)


# ---------------------------------------------------------------------------------------------------------------
# feeds and sitemaps

def _x(s: str) -> str:
    return escape(s, quote=False)


def _rss(site: DemoSite, arts: list[_Article], *, double_escape: bool, encoding: str) -> str:
    items = []
    for a in arts:
        title = _x(a.title)
        if double_escape:
            # many CMSs escape quotes twice in RSS titles (rule D1 undoes it)
            title = title.replace('"', "&amp;quot;")
        items.append(f"<item><title>{title}</title><link>{_x(site.url(a.href or a.path))}</link>"
                     f'<guid isPermaLink="true">{_x(site.url(a.path))}</guid>'
                     f"<pubDate>{_rfc822(a.published)}</pubDate><category>{SECTIONS[a.section]}</category>"
                     f"<description>{_x(a.paras[0])}</description></item>")
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{_x(site.name)}'
            f"</title><link>{site.url('/')}</link><description>{_x(site.name)}</description><language>ar</language>"
            f"<lastBuildDate>{_rfc822(arts[0].published if arts else REFERENCE_DATE)}</lastBuildDate>\n"
            + "\n".join(items) + "\n</channel></rss>\n")


def _atom(site: DemoSite, arts: list[_Article]) -> str:
    entries = []
    for a in arts:
        u = _x(site.url(a.path))
        entries.append(f'<entry><title type="text">{_x(a.title)}</title><link rel="alternate" href="{u}"/>'
                       f"<id>{u}</id><published>{_iso(a.published)}</published>"
                       f"<updated>{_iso(a.modified or a.published)}</updated><author><name>{_x(a.author)}</name>"
                       f"</author><summary>{_x(a.paras[0])}</summary></entry>")
    updated = _iso(arts[0].published if arts else REFERENCE_DATE)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
            f"<title>{_x(site.name)}</title><id>{site.url('/')}</id><updated>{updated}</updated>"
            f'<link rel="self" href="{site.url("/atom.xml")}"/>\n' + "\n".join(entries) + "\n</feed>\n")


def _news_sitemap(site: DemoSite, arts: list[_Article]) -> str:
    urls = []
    for a in arts:
        urls.append(f"<url><loc>{_x(site.url(a.path))}</loc><lastmod>{_iso(a.modified or a.published)}</lastmod>"
                    f"<news:news><news:publication><news:name>{_x(site.name)}</news:name><news:language>ar"
                    f"</news:language></news:publication><news:publication_date>{_iso(a.published)}"
                    f"</news:publication_date><news:title>{_x(a.title)}</news:title></news:news></url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "\n".join(urls) + "\n</urlset>\n")


def _sitemap_index(urls: list[tuple[str, datetime]]) -> str:
    body = "\n".join(f"<sitemap><loc>{_x(u)}</loc><lastmod>{_iso(d)}</lastmod></sitemap>" for u, d in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9">\n' + body + "\n</sitemapindex>\n")


# ---------------------------------------------------------------------------------------------------------------
# the world

_SPECIAL = {  # per site: (404 path, 500 path, tag page, disallowed path)
    "akhbar-demo": ("/news/2025/05/02/99999.html", "/news/2025/05/03/99998.html", "/tag/elections",
                    "/private/draft-101.html"),
    "sahafa-demo": ("/politics/999999", "/sport/999998", "/tag/budget", "/private/preview-7"),
    "wadi-demo": ("/news.php?id=999999", "/news.php?id=999998", "/tag.php?t=weather", "/private/old.php?id=3"),
    "multaqa-demo": ("/article/999999", "/article/999998", "/tag/morocco", "/private/moderation"),
}


def _article_path(sid: str, aid: int, cat: str, dt: datetime) -> str:
    if sid == "akhbar-demo":
        return f"/news/{dt:%Y/%m/%d}/{aid}.html"
    if sid == "sahafa-demo":
        return f"/{SECTION_OF[cat]}/{aid}"
    if sid == "wadi-demo":
        return f"/news.php?id={aid}"
    return f"/article/{aid}"


def build_demo(base_urls: dict[str, str], *, articles_per_site: int = 12, seed: int = 7) -> DemoWorld:
    """Build the demo sites. `base_urls` maps each id of `SITE_IDS` to `http://host:port` (no trailing slash).

    `articles_per_site` is the number of article pages on each publisher and of copies on the aggregator.
    """
    missing = [s for s in SITE_IDS if s not in base_urls]
    if missing:
        raise ValueError(f"base_urls lacks {missing}")
    n = max(4, int(articles_per_site))
    rng = random.Random(seed)
    maker = _StoryMaker(rng)
    sites = {sid: DemoSite(sid, SITE_NAMES[sid], "aggregator" if sid == AGGREGATOR else "publisher",
                           base_urls[sid].rstrip("/"), "windows-1256" if sid == "wadi-demo" else "utf-8")
             for sid in SITE_IDS}

    # --- stories -> publisher articles. Slot k % 4 == 0 is a story shared by all three publishers.
    step = max(7, min(180, (150 * 24 * 60) // n))  # minutes between slots: spans <= 150 days
    arts: dict[str, list[_Article]] = {sid: [] for sid in SITE_IDS}
    groups: list[dict[str, Any]] = []
    ids = {"akhbar-demo": 20000, "sahafa-demo": 5000, "wadi-demo": 1}
    story_no = itertools.count()
    for k in range(n):
        base_t = REFERENCE_DATE - timedelta(minutes=45 + k * step)
        shared = k % 4 == 0
        story = maker.next() if shared else None
        group_members: list[dict[str, Any]] = []
        sid_story = f"story-{next(story_no)}" if shared else ""
        for p, sid in enumerate(PUBLISHERS):
            if shared:
                assert story is not None
                st, sname = story, sid_story
                edit = "original"
                paras = list(st.paras)
                published = base_t - timedelta(minutes=25) + timedelta(minutes=9 * p)
                if sid == "sahafa-demo":
                    edit = "dateline"
                    paras[0] = T.DATELINES[(k // 4) % len(T.DATELINES)] + paras[0]
                elif sid == "wadi-demo":
                    edit = ("footer", "trimmed", "exact")[(k // 4) % 3]
                    if edit == "footer":
                        paras.append(T.FOOTERS[(k // 4) % len(T.FOOTERS)])
                    elif edit == "trimmed":
                        paras = paras[:-1]
            else:
                st, sname, edit = maker.next(), f"story-{next(story_no)}", "original"
                paras = list(st.paras)
                published = base_t - timedelta(minutes=rng.randint(0, max(1, step // 3)))
            title = st.title
            if sid == "sahafa-demo":
                title, paras = _indic_digits(title), [_indic_digits(x) for x in paras]
            elif sid == "wadi-demo":
                title, paras = _unpresent(title), [_unpresent(x) for x in paras]
            aid = ids[sid] + k
            modified = None
            if sid != "wadi-demo" and k % 3 == 1:
                modified = min(published + timedelta(minutes=95), REFERENCE_DATE - timedelta(minutes=1))
            if sid == "akhbar-demo":
                markup = "meta" if k % 6 == 5 else ("jsonld+body" if k % 2 == 0 else "jsonld")
                author = rng.choice(T.FIRST) + " " + rng.choice(T.FAMILY)
            elif sid == "sahafa-demo":
                markup, author = "meta", rng.choice(T.FIRST) + " " + rng.choice(T.FAMILY)
            else:
                markup, author = "plain", "هيئة التحرير"
            path = _article_path(sid, aid, st.category, published)
            a = _Article(sid, k, aid, path, title, paras, st.category, published, modified, author, markup,
                         sname, edit, source_url=sites[sid].url(path), source_name=SITE_NAMES[sid])
            a.href = path + ("?utm_source=home&utm_medium=list" if sid == "akhbar-demo" else "")
            arts[sid].append(a)
            if shared:
                group_members.append({"site": sid, "path": path, "url": a.source_url, "edit": edit})
        if shared:
            groups.append({"story": sid_story, "members": group_members})

    # --- aggregator copies: copy j republishes publisher PUBLISHERS[j % 3]'s article in slot j, verbatim.
    agg = sites[AGGREGATOR]
    group_by_story = {g["story"]: g for g in groups}
    copies: list[dict[str, Any]] = []
    for j in range(n):
        orig = arts[PUBLISHERS[j % 3]][j]
        aid = 100000 + j
        published = min(orig.published + timedelta(minutes=7 + j % 20), REFERENCE_DATE - timedelta(minutes=1))
        path = _article_path(AGGREGATOR, aid, orig.category, published)
        c = _Article(AGGREGATOR, j, aid, path, orig.title, list(orig.paras), orig.category, published, None,
                     "ملتقى الأخبار", "aggregator", orig.story, "copy", source_url=sites[orig.site].url(orig.path),
                     source_name=SITE_NAMES[orig.site], copy_of=(orig.site, orig.path))
        c.href = path
        arts[AGGREGATOR].append(c)
        member = {"site": AGGREGATOR, "path": path, "url": agg.url(path), "edit": "copy",
                  "copy_of": {"site": orig.site, "path": orig.path, "url": c.source_url}}
        g = group_by_story.get(orig.story)
        if g is None:
            g = {"story": orig.story, "members": [{"site": orig.site, "path": orig.path,
                                                   "url": orig.source_url, "edit": "original"}]}
            group_by_story[orig.story] = g
            groups.append(g)
        g["members"].append(member)
        copies.append({"copy": {"site": AGGREGATOR, "path": path, "url": agg.url(path)},
                       "original": {"site": orig.site, "path": orig.path, "url": c.source_url},
                       "outlet": SITE_NAMES[orig.site]})

    for sid in SITE_IDS:  # newest first everywhere
        arts[sid].sort(key=lambda a: a.published, reverse=True)

    manifest: dict[str, Any] = {
        "seed": seed, "articles_per_site": n, "reference_date": _iso(REFERENCE_DATE), "sites": {},
        "groups": groups, "aggregator_copies": copies,
        "exact_duplicates": _exact_pairs(groups, arts),
    }
    for sid in SITE_IDS:
        manifest["sites"][sid] = _render_site(sites[sid], sites, arts[sid], rng)
    return DemoWorld(sites, seed, n, _sources(sites), manifest)


def _exact_pairs(groups: list[dict[str, Any]], arts: dict[str, list[_Article]]) -> list[dict[str, Any]]:
    """Pairs whose title and body are display-equal (the crawler's exact-duplicate case)."""
    out = []
    for g in groups:
        members = g["members"]
        orig = next((m for m in members if m["edit"] == "original"), None)
        for m in members:
            if m["edit"] == "exact" and orig is not None:
                out.append({"a": {"site": orig["site"], "path": orig["path"]},
                            "b": {"site": m["site"], "path": m["path"]}, "kind": "publisher_verbatim"})
            elif m["edit"] == "copy":
                out.append({"a": {"site": m["copy_of"]["site"], "path": m["copy_of"]["path"]},
                            "b": {"site": m["site"], "path": m["path"]}, "kind": "aggregator_copy"})
    return out


def _render_site(site: DemoSite, sites: dict[str, DemoSite], arts: list[_Article],
                 rng: random.Random) -> dict[str, Any]:
    r = _Renderer(site, sites)
    sid = site.id
    p404, p500, ptag, pdis = _SPECIAL[sid]
    newest = arts[0].published if arts else REFERENCE_DATE
    by_path = {a.path: a for a in arts}

    # most-read block: the same few headlines repeated on every page (listing noise for the crawler)
    most_read = sorted(rng.sample(range(len(arts)), min(5, len(arts))))
    r.most_read_html = "<ol>" + "".join(
        f'<li><a href="{escape(arts[i].href)}">{escape(arts[i].title, False)}</a></li>' for i in most_read) + "</ol>"
    most_read_entries = [{"title": arts[i].title, "url": site.url(arts[i].path)} for i in most_read]

    # articles
    for idx, a in enumerate(arts):
        read_also = [arts[(idx + d) % len(arts)] for d in (1, 2, 3)] if sid == AGGREGATOR else []
        r.article(a, read_also)

    listings: dict[str, Any] = {}

    def entry(a: _Article, pos: int) -> dict[str, Any]:
        return {"position": pos, "title": a.title, "url": site.url(a.path), "href": a.href, "kind": "article"}

    def special(title: str, path: str, pos: int, kind: str) -> dict[str, Any]:
        return {"position": pos, "title": title, "url": site.url(path), "href": path, "kind": kind}

    def emit(path: str, heading: str, rows: list[dict[str, Any]], empty_at: int | None = None) -> None:
        for i, row in enumerate(rows, start=1):
            row["position"] = i
        r.listing(path, heading, [(row["title"], row["href"]) for row in rows], newest, empty_at)
        listings[path] = {"headlines": rows, "most_read": most_read_entries}

    home_n = AGG_HOME_SIZE if sid == AGGREGATOR else HOME_SIZE
    home = [entry(a, 0) for a in arts[:home_n]]
    home.insert(min(2, len(home)), special("خبر حذف من الموقع: هذا الرابط لم يعد موجودا", p404, 0, "not_found"))
    home.insert(min(6, len(home)), special("عطب تقني: صفحة يتعذر عرضها مؤقتا", p500, 0, "server_error"))
    emit("/", "آخر الأخبار" if sid != AGGREGATOR else "عناوين اليوم من مختلف المصادر", home,
         empty_at=10 if sid == AGGREGATOR else None)
    for key, label in SECTIONS.items():
        rows = [entry(a, 0) for a in arts if a.section == key]
        if key == "politics":
            rows.insert(min(1, len(rows)), special("ملف خاص: كل ما نشر حول الموضوع", ptag, 0, "non_article"))
        if key == "sport":
            rows.insert(min(1, len(rows)), special("مسودة: تقرير المباراة (غير منشور)", pdis, 0, "disallowed"))
        emit(f"/section/{key}", label, rows)

    # non-article pages, a disallowed page, error pages
    tag_rows = "".join(r.li(a.title, a.href) for a in arts[:5])
    r.page(ptag, r.head("وسم") + r.chrome_top() + '<main><h1 class="tag-title">وسم: مواضيع ذات صلة</h1>'
           f'<ul class="tag-list">{tag_rows}</ul></main>' + r.chrome_bottom(), modified=newest)
    r.simple("/contact.html", "اتصل بنا", "للتواصل مع هيئة التحرير: استعملوا الاستمارة أسفله أو الهاتف الثابت. "
             "نرحب بملاحظاتكم واقتراحاتكم.")
    r.simple(pdis, "مسودة غير منشورة", "هذه الصفحة مسودة داخلية ولا يجب أن تظهر في نتائج الزحف.")
    r.simple(p404, "الصفحة غير موجودة", "عذرا، الصفحة التي تبحث عنها غير موجودة.", status=404)
    r.simple(p500, "خطأ في الخادم", "حدث خطأ غير متوقع. حاول مرة أخرى لاحقا.", status=500)
    r.simple("/__404__", "الصفحة غير موجودة", "عذرا، الصفحة التي تبحث عنها غير موجودة.", status=404)

    # feeds
    feeds: dict[str, Any] = {}
    feed_arts = arts[:FEED_SIZE]
    feed_items = [{"title": a.title, "url": site.url(a.path)} for a in feed_arts]
    if sid == "sahafa-demo":
        fpath, fmt = "/atom.xml", "atom"
        r.page(fpath, _atom(site, feed_arts), ctype="application/atom+xml", modified=newest)
    elif sid == "wadi-demo":
        fpath, fmt = "/rss.xml", "rss"
        # the XML declaration is the only charset statement (the header has none), as on the HTML pages
        page = DemoPage(200, _rss(site, feed_arts, double_escape=False, encoding="windows-1256").encode("cp1256"),
                        {"Content-Type": "application/rss+xml"})
        page.headers.update({"ETag": _etag(page.body), "Last-Modified": _http_date(newest)})
        site.pages[fpath] = page
    else:
        fpath, fmt = "/feed.xml", "rss"
        r.page(fpath, _rss(site, feed_arts, double_escape=sid == "akhbar-demo", encoding="utf-8"),
               ctype="application/rss+xml", modified=newest)
    feeds[fpath] = {"format": fmt, "encoding": site.encoding if sid == "wadi-demo" else "utf-8",
                    "items": feed_items}
    if sid == "akhbar-demo":
        feeds[fpath]["double_escaped_titles"] = True

    # sitemaps (always UTF-8, as the protocol requires)
    sitemaps: dict[str, Any] = {}
    if sid == "sahafa-demo":
        chunk = max(1, min(1000, -(-len(arts) // 2)))
        parts = []
        for i in range(0, len(arts), chunk):
            part = arts[i:i + chunk]
            spath = f"/sitemaps/news-{i // chunk + 1}.xml"
            r.page(spath, _news_sitemap(site, part), ctype="application/xml", modified=part[0].published,
                   encoding="utf-8")
            sitemaps[spath] = {"type": "urlset", "urls": [site.url(a.path) for a in part]}
            parts.append((site.url(spath), part[0].published))
        r.page("/sitemap.xml", _sitemap_index(parts), ctype="application/xml", modified=newest, encoding="utf-8")
        sitemaps["/sitemap.xml"] = {"type": "index", "urls": [u for u, _ in parts]}
        robots_sitemap = "/sitemap.xml"
    else:
        robots_sitemap = "/sitemap-news.xml"
        r.page(robots_sitemap, _news_sitemap(site, arts), ctype="application/xml", modified=newest,
               encoding="utf-8")
        sitemaps[robots_sitemap] = {"type": "urlset", "urls": [site.url(a.path) for a in arts]}

    # robots.txt
    robots = ("# demo robots.txt\nUser-agent: *\nDisallow: /private/\nDisallow: /admin/\n\n"
              f"Sitemap: {site.url(robots_sitemap)}\n")
    page = DemoPage(200, robots.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})
    page.headers.update({"ETag": _etag(page.body), "Last-Modified": _http_date(REFERENCE_DATE)})
    site.pages["/robots.txt"] = page

    articles: dict[str, Any] = {}
    for a in arts:
        rec: dict[str, Any] = {
            "url": site.url(a.path), "title": a.title, "body": a.body, "published": _iso(a.published),
            "modified": _iso(a.modified) if a.modified else None,
            "date_text": date_text(a.published, moroccan=sid != "akhbar-demo", indic=sid == "sahafa-demo"),
            "author": a.author, "section": a.section, "category": a.category, "markup": a.markup,
            "story": a.story, "edit": a.edit, "source_url": a.source_url, "source_name": a.source_name,
        }
        if a.copy_of:
            rec["copy_of"] = {"site": a.copy_of[0], "path": a.copy_of[1]}
        articles[a.path] = rec
    assert len(by_path) == len(arts), "article paths must be unique"
    return {
        "name": site.name, "kind": site.kind, "base_url": site.base_url, "encoding": site.encoding,
        "charset_declared": sid != "wadi-demo", "articles": articles,
        "not_found": [{"path": p404, "linked_from": "/"}],
        "server_error": [{"path": p500, "linked_from": "/"}],
        "non_article": [{"path": ptag, "linked_from": "/section/politics", "kind": "tag"},
                        {"path": "/contact.html", "linked_from": "footer", "kind": "contact"}],
        "disallowed": [{"path": pdis, "linked_from": "/section/sport"}],
        "robots": {"path": "/robots.txt", "disallow": ["/private/", "/admin/"],
                   "sitemaps": [site.url(robots_sitemap)]},
        "feeds": feeds, "sitemaps": sitemaps, "listings": listings,
    }


# ---------------------------------------------------------------------------------------------------------------
# sources

def _sources(sites: dict[str, DemoSite]) -> list[dict[str, Any]]:
    out = []
    for sid, site in sites.items():
        u = site.url
        src: dict[str, Any] = {
            "id": sid, "name": site.name, "homepage": u("/"), "kind": site.kind, "language": "ar",
            "country": "MA", "timezone": "Africa/Casablanca",
        }
        feed = {"sahafa-demo": "/atom.xml", "wadi-demo": "/rss.xml"}.get(sid, "/feed.xml")
        src["feeds"] = [u(feed)]
        # wadi-demo announces its sitemap only in robots.txt: the spider must find it there
        src["sitemaps"] = {"sahafa-demo": [u("/sitemap.xml")], "wadi-demo": []}.get(sid, [u("/sitemap-news.xml")])
        src["listings"] = [u("/")] + [u(f"/section/{k}") for k in SECTIONS]
        src["allowed_domains"] = [urlsplit(site.base_url).netloc]
        src["allow_loopback"] = True
        if sid == "sahafa-demo":
            src["selectors"] = {"listing": LISTING_SELECTOR}
        elif sid == "wadi-demo":
            src["selectors"] = {"title": "h1.headline", "body": "div.story p", "date": "span.story-date",
                                "author": "span.byline", "listing": LISTING_SELECTOR}
        elif sid == AGGREGATOR:
            src["selectors"] = {"title": "h1.headline", "body": "div.story p", "date": "span.story-date",
                                "source_link": "a.origin", "source_name": "span.origin-name",
                                "listing": LISTING_SELECTOR,
                                "remove": [".share", ".report-notice", ".read-also", ".most-read"]}
        src["politeness"] = {"download_delay": 0.0, "concurrency": 8}
        out.append(src)
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot render {type(v).__name__} as TOML")


def render_sources_toml(sources: list[dict[str, Any]]) -> str:
    """Render source dicts as sources.toml text (`[[source]]` tables, sub-tables last)."""
    lines = ["# Demo sources, generated by newscrawler.demo (ports change on every server start).", ""]
    for src in sources:
        lines.append("[[source]]")
        subs = {k: v for k, v in src.items() if isinstance(v, dict)}
        lines += [f"{k} = {_toml_value(v)}" for k, v in src.items() if not isinstance(v, dict)]
        for name, table in subs.items():
            lines.append(f"[source.{name}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
        lines.append("")
    return "\n".join(lines)
