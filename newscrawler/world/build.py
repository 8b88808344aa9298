"""`build_world(base_urls, seed=...)`: a template-randomised world of Arabic news sites with its ground truth.

Each seed gives one site per template family (`style.FAMILIES`) plus one more publisher, every page rendered to
bytes up front (served by `newscrawler.demo.DemoServer`), sources in the sources.toml format without selectors,
and a manifest that says, per article URL, what the crawler should store and how the URL can be reached.
Text comes from the demo's story maker (`newscrawler.demo.texts`); dates count back from `REFERENCE_DATE`.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from newscrawler.demo import texts as T
from newscrawler.demo.sitegen import (
    REFERENCE_DATE,
    DemoPage,
    DemoSite,
    DemoWorld,
    _etag,
    _http_date,
    _StoryMaker,
    _unpresent,
)
from newscrawler.world import feeds as F
from newscrawler.world.render import Nav, Theme, WArticle
from newscrawler.world.style import (
    CATEGORY_SECTIONS,
    EXTERNAL_OUTLETS,
    PUBLISHER_NAMES,
    SiteStyle,
    plan_sites,
)

# Latin slugs of the invented outlets (the aggregator's copy URLs name the outlet, as real aggregators do).
OUTLET_SLUGS = ["sada", "barid", "nabd", "asdaa", "minbar", "shurfa", "mirat", "bawaba", "rasif", "nafida",
                "anbaa", "hadath", "sawt", "manara-raqmia"]
SLUG_WORDS = {
    "politics": ["majlis", "hukuma", "intikhabat", "barlaman", "wizara", "jamaa", "qanun", "mizaniya"],
    "sport": ["mubarat", "fariq", "botola", "mountakhab", "kass", "nadi", "dawri"],
    "economy": ["iqtisad", "bourse", "istithmar", "taswir", "souq", "asaar", "moukawala"],
    "weather": ["taqs", "amtar", "harara", "riyah", "nashra", "thouloj"],
    "culture": ["mahrajan", "kitab", "masrah", "funun", "thaqafa", "riwaya"],
}
TAG_LABELS = ["الانتخابات", "الميزانية", "البطولة", "الأرصاد", "التعليم", "الصحة", "الاستثمار", "المهرجانات",
              "الجهوية", "الفلاحة"]
ABOUT_TEXT = [
    "{name} موقع إخباري مستقل يهتم بالشأن المحلي والجهوي، ويسعى إلى تقديم خبر دقيق وسريع لقرائه في مختلف المدن.",
    "يشتغل في هيئة التحرير فريق من الصحافيين والمراسلين، ويلتزم الموقع بأخلاقيات المهنة وباحترام حق الرد والتصحيح.",
]
CONTACT_TEXT = ["للتواصل مع هيئة التحرير يرجى ملء الاستمارة أو مراسلتنا عبر البريد الإلكتروني.",
                "العنوان: شارع الحسن الثاني، الطابق الثالث. الهاتف متاح من الاثنين إلى الجمعة."]
EDITS = ("dateline", "footer", "trimmed", "exact")
NEWS_SITEMAP_DAYS = 2  # a news sitemap lists the last two days only, as Google News sitemaps do


def _page(site: DemoSite, path: str, text: str, ctype: str, modified: datetime, *, encoding: str | None = None,
          status: int = 200) -> None:
    enc = encoding or site.encoding
    body = text.encode(enc)  # strict: a character the charset lacks is a generator bug
    headers = {"Content-Type": ctype}
    if status == 200:
        headers["ETag"] = _etag(body)
        headers["Last-Modified"] = _http_date(modified)
    page = DemoPage(status, body, headers)
    site.pages[path] = page
    if "&" in path:
        # Real servers ignore the order of query parameters (crawlers may sort them when canonicalising).
        base, query = path.split("?", 1)
        site.pages.setdefault(f"{base}?{'&'.join(sorted(query.split('&')))}", page)


def _html_ctype(style: SiteStyle) -> str:
    if style.encoding != "utf-8":
        return "text/html"  # legacy sites: no charset in the header (some say it in a meta tag, some nowhere)
    return "text/html; charset=UTF-8" if style.family in ("wordpress", "aggregator") else "text/html; charset=utf-8"


def page_path(base: str, n: int, style: SiteStyle) -> str:
    """Path of page `n` of the listing at `base` in the site's pagination style."""
    if n == 1:
        return base
    sep = "&" if "?" in base else "?"
    if style.page_url == "path":
        return base.rstrip("/") + f"/page/{n}/"
    if style.page_url == "query":
        return f"{base}{sep}{style.page_param}={n}"
    if style.page_url == "start":
        return f"{base}{sep}start={(n - 1) * style.page_size}"
    root = base.rstrip("/") or "/page"  # segment: /akhbar/2; the home page's pages are /page/2
    return f"{root}/{n}"


_AR_WORD = re.compile(r"[\u0621-\u063a\u0641-\u064a]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def _article_path(style: SiteStyle, aid: int, cat: str, section: str, dt: datetime, title: str,
                  rng: random.Random, outlet_slug: str) -> str:
    scheme = style.url_scheme
    words = SLUG_WORDS[cat]
    slug = "-".join(rng.sample(words, 3)) + f"-{aid}"
    if scheme == "wp_slug":
        return f"/{dt:%Y}/{dt:%m}/{slug}/"
    if scheme == "wp_arabic":
        ar = "-".join(_AR_WORD.findall(_MARKS.sub("", _unpresent(title)))[:5])
        return f"/{dt:%Y}/{dt:%m}/{dt:%d}/{quote(ar + f'-{aid}', safe='-')}/"
    if scheme == "php_id":
        return f"/article.php?id={aid}"
    if scheme == "asp_id":
        return f"/news_details.asp?NewsID={aid}&CatID={1 + sorted(CATEGORY_SECTIONS).index(cat)}"
    if scheme == "modern_slug":
        h = hashlib.blake2b(f"{style.id}{aid}".encode(), digest_size=3).hexdigest()
        return f"/ar/{section}/{slug.rsplit('-', 1)[0]}-{h}"
    if scheme == "modern_id":
        return f"/ar/news/{aid}"
    if scheme == "portal_section":
        return f"/{section}/{aid}.html"
    if scheme == "portal_article":
        return f"/article/{aid}"
    if scheme == "agg_outlet":
        return f"/{outlet_slug}/{aid}"
    return f"/news/{aid}.html"


def _section_of(style: SiteStyle, cat: str) -> str:
    slugs = [s for s, _, _ in style.sections]
    return next((s for s in CATEGORY_SECTIONS[cat] if s in slugs), slugs[0])


def _tag_path(style: SiteStyle, i: int) -> str:
    return {"wordpress": f"/tag/t{i}/", "legacy": f"/tags.php?t={i}", "modern": f"/ar/tag/t{i}",
            "portal": f"/tag/{i}", "aggregator": f"/tag/{i}"}[style.family]


def _author_path(style: SiteStyle, slug: str) -> str:
    return {"wordpress": f"/author/{slug}/", "modern": f"/ar/author/{slug}"}.get(style.family, "")


def _edit(paras: list[str], edit: str, rng: random.Random) -> list[str]:
    paras = list(paras)
    if edit == "trimmed" and len(paras) <= 2:
        edit = "footer"  # too short to lose a paragraph (the caller checks the edit with len(paras) too)
    if edit == "dateline":
        paras[0] = rng.choice(T.DATELINES) + paras[0]
    elif edit == "footer":
        paras.append(rng.choice(T.FOOTERS))
    elif edit == "trimmed" and len(paras) > 2:
        paras = paras[:-1]
    return paras


def build_world(base_urls: dict[str, str], *, seed: int, articles_per_site: int = 40) -> DemoWorld:
    """Build the world of `seed`. `base_urls` maps every id of `site_ids(seed)` to `http://host:port`."""
    styles = plan_sites(seed)
    missing = [s.id for s in styles if s.id not in base_urls]
    if missing:
        raise ValueError(f"base_urls lacks {missing}")
    n = max(8, int(articles_per_site))
    rng = random.Random(seed)
    maker = _StoryMaker(rng)
    sites = {s.id: DemoSite(s.id, s.name, s.kind, base_urls[s.id].rstrip("/"), s.encoding) for s in styles}
    by_id = {s.id: s for s in styles}
    publishers = [s for s in styles if s.kind == "publisher"]
    aggregators = [s for s in styles if s.kind == "aggregator"]
    outlet_slug = {s.id: OUTLET_SLUGS[PUBLISHER_NAMES.index(s.name)] for s in publishers}
    arts: dict[str, list[WArticle]] = {s.id: [] for s in styles}
    used_paths: dict[str, set[str]] = {s.id: set() for s in styles}
    groups: dict[str, list[dict[str, Any]]] = {}
    story_no = iter(range(10**9))
    next_id = {s.id: rng.randint(1000, 90000) for s in styles}
    step = max(30, min(16 * 60, (110 * 24 * 60) // n))  # minutes between slots; the oldest stays < 110 days back

    def new_article(style: SiteStyle, title: str, paras: list[str], cat: str, published: datetime, story: str,
                    edit: str, *, oslug: str = "", source_url: str = "", source_name: str = "",
                    copy_of: dict[str, str] | None = None) -> WArticle:
        sid = style.id
        aid = next_id[sid]
        next_id[sid] += rng.randint(1, 7)
        if style.encoding != "utf-8":
            title, paras = _unpresent(title), [_unpresent(p) for p in paras]
        section = _section_of(style, cat)
        path = _article_path(style, aid, cat, section, published, title, rng, oslug)
        if path in used_paths[sid]:
            path = path.replace(str(aid), f"{aid}-2")
        used_paths[sid].add(path)
        first, family = rng.choice(T.FIRST), rng.choice(T.FAMILY)
        modified = None
        if style.kind == "publisher" and rng.random() < 0.35:
            modified = min(published + timedelta(minutes=rng.randint(40, 600)), REFERENCE_DATE - timedelta(minutes=2))
        tags = [(_tag_path(style, i), TAG_LABELS[i]) for i in sorted(rng.sample(range(len(TAG_LABELS)), 2))]
        art = WArticle(sid, aid, path, title, paras, cat, section, published, modified,
                       author="هيئة التحرير" if style.family == "legacy" else f"{first} {family}",
                       author_slug=f"a{T.FIRST.index(first)}-{T.FAMILY.index(family)}", story=story, edit=edit,
                       url=sites[sid].url(path), source_name=source_name or style.name, copy_of=copy_of, tags=tags,
                       outlet=oslug)
        art.source_url = source_url or art.url
        arts[sid].append(art)
        groups.setdefault(story, []).append({"site": sid, "path": path, "url": art.url, "edit": edit})
        return art

    # --- publishers: one article per slot each; every fourth slot is one story told by two or three of them
    for k in range(n):
        base_t = REFERENCE_DATE - timedelta(minutes=20 + k * step + rng.randint(0, step // 2))
        sharing: list[SiteStyle] = []
        if k % 4 == 0 and len(publishers) >= 2:
            sharing = rng.sample(publishers, rng.randint(2, min(3, len(publishers))))
            story = maker.next()
            name = f"story-{next(story_no)}"
            for i, style in enumerate(sharing):
                edit = "original" if i == 0 else rng.choice(EDITS)
                if edit == "trimmed" and len(story.paras) <= 2:
                    edit = "footer"
                paras = list(story.paras) if i == 0 else _edit(story.paras, edit, rng)
                new_article(style, story.title, paras, story.category, base_t + timedelta(minutes=11 * i), name, edit)
        for style in publishers:
            if style in sharing:
                continue
            st = maker.next()
            new_article(style, st.title, list(st.paras), st.category,
                        base_t - timedelta(minutes=rng.randint(0, step // 3)), f"story-{next(story_no)}", "original")

    # --- aggregators: copies of publisher articles (with a "read at the source" link) and of outside outlets
    copies: list[dict[str, Any]] = []
    pool = sorted((x for p in publishers for x in arts[p.id]), key=lambda x: x.published, reverse=True)
    for agg in aggregators:
        picks = iter(pool[j] for j in range(len(pool)) if rng.random() < 0.75)
        for j in range(n):
            orig = next(picks, None) if rng.random() < 0.7 else None
            if orig is not None:
                oslug, oname = outlet_slug[orig.site], by_id[orig.site].name
                copy = new_article(agg, orig.title, list(orig.paras), orig.category, orig.published, orig.story,
                                   "copy", oslug=oslug, source_url=orig.url, source_name=oname,
                                   copy_of={"site": orig.site, "path": orig.path, "url": orig.url})
            else:
                oname, oslug = rng.choice(EXTERNAL_OUTLETS)
                st = maker.next()
                when = REFERENCE_DATE - timedelta(minutes=15 + j * step + rng.randint(0, step // 2))
                ext = f"http://www.{oslug}.example/{when:%Y/%m/%d}/{rng.randint(10000, 99999)}.html"
                copy = new_article(agg, st.title, list(st.paras), st.category, when, f"story-{next(story_no)}",
                                   "copy", oslug=oslug, source_url=ext, source_name=oname,
                                   copy_of={"site": "", "path": "", "url": ext})
            copies.append({"copy": {"site": agg.id, "path": copy.path, "url": copy.url},
                           "original": copy.copy_of, "outlet": oname})

    for sid in arts:
        arts[sid].sort(key=lambda x: x.published, reverse=True)

    manifest: dict[str, Any] = {
        "seed": seed, "articles_per_site": n, "reference_date": REFERENCE_DATE.isoformat(timespec="seconds"),
        "families": {s.id: s.family for s in styles}, "sites": {},
        "groups": [{"story": k, "members": v} for k, v in groups.items() if len(v) > 1],
        "aggregator_copies": copies,
    }
    site_rng = random.Random(f"world-render-{seed}")
    for style in styles:
        manifest["sites"][style.id] = _render_site(style, sites[style.id], arts[style.id], site_rng, publishers)
    return DemoWorld(sites, seed, n, _sources(styles, sites), manifest)


def _render_site(style: SiteStyle, site: DemoSite, arts: list[WArticle], rng: random.Random,
                 publishers: list[SiteStyle]) -> dict[str, Any]:
    theme = Theme(style, site.base_url, rng, REFERENCE_DATE)
    html = _html_ctype(style)
    newest = arts[0].published
    recent = arts[: 3 * style.page_size]
    footer_links = [("/contact", "اتصل بنا"), ("/about", "من نحن")]
    if style.family == "legacy":
        footer_links = [("/contact.php", "اتصل بنا"), ("/about.php", "من نحن")]
    outlets = []
    if style.kind == "aggregator":
        names = sorted({(x.source_name, x.outlet) for x in arts})
        outlets = [(f"/source/{slug}", name) for name, slug in names]
    nav = Nav(style.sections, most_read=rng.sample(recent, min(5, len(recent))),
              ticker=arts[: style.ticker_size if style.kind == "aggregator" else 8], footer_links=footer_links,
              outlets=outlets)
    non_article: list[dict[str, Any]] = []

    # article pages
    by_section: dict[str, list[WArticle]] = {}
    for x in arts:
        by_section.setdefault(x.section, []).append(x)
    for i, x in enumerate(arts):
        peers = by_section[x.section]
        j = peers.index(x)
        related = [p for p in peers[j + 1: j + 4]] or arts[i + 1: i + 4]
        read_also = arts[min(len(arts) - 1, i + rng.randint(3, 12))] if style.read_also_in_body else None
        if read_also is x:
            read_also = None
        _page(site, x.path, theme.article(x, nav, related, read_also), html, x.modified or x.published)

    # listings with pagination; what the first two pages link to is what a scheduled run must find
    listings: dict[str, Any] = {}
    first_pages: set[str] = set()
    heads = [("/", style.name, arts)] + [(p, label, by_section.get(slug, [])) for slug, label, p in style.sections]
    for base, heading, items in heads:
        pages = max(1, -(-len(items) // style.page_size))
        links = {k: page_path(base, k, style) for k in range(1, pages + 1)}
        for k in range(1, pages + 1):
            chunk = items[(k - 1) * style.page_size: k * style.page_size]
            phead, pager = theme.pager(links, k, pages)
            title = heading if k == 1 else f"{heading} - الصفحة {k}"
            _page(site, links[k], theme.listing(title, chunk, nav, phead, pager), html, newest)
            linked = [x.url for x in chunk] + [x.url for x in nav.most_read] + [x.url for x in nav.ticker]
            listings[links[k]] = {"listing": base, "page": k, "pages": pages, "headlines": [x.url for x in chunk]}
            if k <= 2:
                first_pages.update(linked)
            if k > 1 or base != "/":
                non_article.append({"path": links[k], "url": site.url(links[k]), "kind": "listing"})

    # non-article pages: tags, authors, outlets, contact, about
    tagged: dict[str, list[WArticle]] = {}
    for x in arts:
        for p, _ in x.tags:
            tagged.setdefault(p, []).append(x)
    labels = {p: t for x in arts for p, t in x.tags}
    for p, members in sorted(tagged.items()):
        _page(site, p, theme.simple(f"وسم: {labels[p]}", [], nav, members[:10]), html, newest)
        non_article.append({"path": p, "url": site.url(p), "kind": "tag"})
    authors: dict[str, list[WArticle]] = {}
    for x in arts:
        if _author_path(style, x.author_slug):
            authors.setdefault(_author_path(style, x.author_slug), []).append(x)
    for p, members in sorted(authors.items()):
        bio = [f"{members[0].author}، صحافي ب{style.name}، يكتب في الشأن المحلي والجهوي."]
        _page(site, p, theme.simple(f"مقالات {members[0].author}", bio, nav, members[:10]), html, newest)
        non_article.append({"path": p, "url": site.url(p), "kind": "author"})
    for p, name in outlets:
        members = [x for x in arts if x.source_name == name]
        _page(site, p, theme.simple(f"أخبار {name}", [], nav, members[:15]), html, newest)
        non_article.append({"path": p, "url": site.url(p), "kind": "outlet"})
    for (p, label), text in zip(footer_links, (CONTACT_TEXT, ABOUT_TEXT), strict=True):
        paras = [t.format(name=style.name) for t in text]
        _page(site, p, theme.simple(label, paras, nav), html, REFERENCE_DATE)
        non_article.append({"path": p, "url": site.url(p), "kind": "contact" if "contact" in p else "about"})
    _page(site, "/__404__", theme.simple("الصفحة غير موجودة", ["عذرا، الصفحة المطلوبة غير موجودة."], nav), html,
          REFERENCE_DATE, status=404)

    # feed
    feed_items: list[str] = []
    feeds: dict[str, Any] = {}
    if style.feed != "none":
        items = arts[: style.feed_size]
        feed_items = [x.url for x in items]
        if style.feed == "atom":
            feed_text = F.atom(style.name, site.url("/"), site.url(style.feed_path), items, REFERENCE_DATE)
            _page(site, style.feed_path, feed_text, "application/atom+xml; charset=utf-8", newest, encoding="utf-8")
        else:
            feed_text = F.rss(style.name, site.url("/"), items, style.encoding, REFERENCE_DATE)
            ctype = "application/rss+xml" + ("; charset=utf-8" if style.encoding == "utf-8" else "")
            _page(site, style.feed_path, feed_text, ctype, newest)
        feeds[style.feed_path] = {"format": style.feed, "configured": style.feed_configured, "items": feed_items}

    # sitemaps: recent items in a news sitemap; with an index, the rest in monthly archive sitemaps
    sitemaps: dict[str, Any] = {}
    in_news: set[str] = set()
    sitemap_url = None
    if style.sitemap != "none":
        recent_items = [x for x in arts if REFERENCE_DATE - x.published <= timedelta(days=NEWS_SITEMAP_DAYS)] or arts[:3]
        in_news = {x.url for x in recent_items}
        _page(site, "/sitemap-news.xml", F.news_sitemap(style.name, recent_items), "application/xml", newest,
              encoding="utf-8")
        sitemaps["/sitemap-news.xml"] = {"type": "news", "urls": sorted(in_news)}
        sitemap_url = site.url("/sitemap-news.xml")
        if style.sitemap == "index":
            months: dict[str, list[WArticle]] = {}
            for x in arts:
                if x.url not in in_news:
                    months.setdefault(f"{x.published:%Y-%m}", []).append(x)
            children = [(site.url("/sitemap-news.xml"), newest)]
            for month, members in sorted(months.items(), reverse=True):
                p = f"/sitemap-{month}.xml"
                _page(site, p, F.archive_sitemap(members), "application/xml", members[0].published, encoding="utf-8")
                sitemaps[p] = {"type": "archive", "urls": [x.url for x in members]}
                children.append((site.url(p), max(x.modified or x.published for x in members)))
            _page(site, "/sitemap.xml", F.sitemap_index(children), "application/xml", newest, encoding="utf-8")
            sitemaps["/sitemap.xml"] = {"type": "index", "urls": [u for u, _ in children]}
            sitemap_url = site.url("/sitemap.xml")
    _page(site, "/robots.txt", F.robots(sitemap_url), "text/plain; charset=utf-8", REFERENCE_DATE, encoding="utf-8")

    articles: dict[str, Any] = {}
    configured_feed = set(feed_items) if style.feed_configured else set()
    for x in arts:
        in_feed = x.url in set(feed_items)
        in_first = x.url in first_pages
        reach = "feed" if x.url in configured_feed else ("listing" if in_first else "deep")
        articles[x.path] = {
            "url": x.url, "site": x.site, "family": style.family, "title": x.title, "body": x.body,
            "published": x.published.isoformat(timespec="seconds"),
            "modified": x.modified.isoformat(timespec="seconds") if x.modified else None,
            "source_url": x.source_url, "source_name": x.source_name, "story": x.story, "edit": x.edit,
            "section": x.section, "category": x.category, "in_feed": in_feed, "in_first_pages": in_first,
            "in_news_sitemap": x.url in in_news, "reach": reach, "copy_of": x.copy_of,
        }
    style_doc = style.as_dict()
    style_doc["sections"] = [list(s) for s in style.sections]
    return {"name": style.name, "kind": style.kind, "family": style.family, "base_url": site.base_url,
            "encoding": style.encoding, "charset": style.charset, "style": style_doc, "articles": articles,
            "non_article": non_article, "listings": listings, "feeds": feeds, "sitemaps": sitemaps}


def _sources(styles: list[SiteStyle], sites: dict[str, DemoSite]) -> list[dict[str, Any]]:
    out = []
    for s in styles:
        u = sites[s.id].url
        src: dict[str, Any] = {"id": s.id, "name": s.name, "homepage": u("/"), "kind": s.kind, "language": "ar",
                               "country": "MA", "timezone": "Africa/Casablanca"}
        src["feeds"] = [u(s.feed_path)] if s.feed != "none" and s.feed_configured else []
        main_sitemap = {"news": "/sitemap-news.xml", "index": "/sitemap.xml"}.get(s.sitemap)
        # unconfigured sitemaps are announced in robots.txt only (the spider reads it when the list is empty)
        src["sitemaps"] = [u(main_sitemap)] if main_sitemap and s.sitemap_configured else []
        src["listings"] = [u("/")] + [u(p) for _, _, p in s.sections]
        src["allowed_domains"] = [urlsplit(sites[s.id].base_url).netloc]
        src["allow_loopback"] = True
        src["politeness"] = {"download_delay": 0.0, "concurrency": 8}
        out.append(src)
    return out
