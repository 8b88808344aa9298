"""Per-seed site plans: which template families a world has, and how each site varies its markup.

`plan_sites(seed)` decides everything that is not text: site ids, names, family, class names, URL shapes,
pagination, date forms and placement, feeds, sitemaps and charsets. `build_world` renders pages from the plan.
Every choice comes from `random.Random(seed)`, so one seed always gives the same sites.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

FAMILIES = ("wordpress", "legacy", "modern", "portal", "aggregator")

# Invented outlet names (no real site's name).
PUBLISHER_NAMES = ["صدى الأطلس", "بريد الشمال", "نبض الجهة", "أصداء سوس", "منبر الواحة", "شرفة الأخبار",
                   "مرآة الساحل", "بوابة الهضاب", "رصيف المدينة", "نافذة الجنوب", "أنباء الضفتين",
                   "الحدث الجهوي", "صوت السهول", "جريدة المنارة الرقمية"]
AGGREGATOR_NAMES = ["ملتقى العناوين", "جامع الأخبار", "بوابة المصادر", "مجمع الصحف", "عناوين اليوم"]
# Outlets that exist only as names and links on aggregator pages (their hosts are never served).
EXTERNAL_OUTLETS = [("جريدة الأفق", "ufuq"), ("يومية السهل", "sahl"), ("أسبوعية المنارة", "manara"),
                    ("موقع الرابط الإخباري", "rabit"), ("صحيفة الملتقى الجديد", "multaqa-jadid")]

# (slug, Arabic label): sections a site may have; the slug spelling depends on the family.
SECTION_POOL = [("politics", "سياسة"), ("sport", "رياضة"), ("economy", "اقتصاد"), ("society", "مجتمع"),
                ("culture", "ثقافة وفنون"), ("regions", "جهات")]
PORTAL_SLUGS = {"politics": "siyasa", "sport": "riyada", "economy": "iqtisad", "society": "mujtamaa",
                "culture": "thaqafa", "regions": "jihat"}
# story category -> section slug candidates (first one present on the site wins, else the first section)
CATEGORY_SECTIONS = {"politics": ["politics", "regions"], "sport": ["sport"], "economy": ["economy"],
                     "weather": ["society", "regions"], "culture": ["culture", "society"]}

NEXT_LABELS = ["التالي", "الصفحة التالية", "Suivant", "Next", "التالي »", "المزيد »", "›"]
DATE_FORMS = ["ar_std", "ar_ma", "ar_ma_hour", "fr", "num_dmy_h", "num_dmy", "num_iso", "ar_comma"]
DATE_LABELS = ["", "", "نشر في: ", "تاريخ النشر: ", "نشر بتاريخ ", "بتاريخ "]

# Class-name vocabularies by family (the roles are the same on every site; the names are not).
_WP_PREFIX = ["td", "jeg", "mvp", "tie", "penci", "post", "entry", "gp", "ast", "zox"]
_PORTAL_WORDS = {
    "title": ["article-title", "news-title", "khabar-title", "post-heading", "titre"],
    "body": ["article-text", "news-body", "khabar-content", "details-text", "text-article", "content-txt"],
    "date": ["article-date", "news-date", "date-pub", "tarikh", "time-news", "pub-info"],
    "author": ["writer", "author-name", "katib", "signature"],
    "card": ["news-item", "khabar", "item-news", "bloc-news", "card-news"],
    "cardtitle": ["item-title", "khabar-head", "news-link", "titre-news"],
    "list": ["news-list", "akhbar-list", "list-items", "bloc-list"],
}


@dataclass
class SiteStyle:
    """Everything about one site that is not article text."""

    id: str
    family: str
    name: str
    kind: str  # publisher | aggregator
    encoding: str = "utf-8"
    charset: str = "header"  # where the charset is declared: header | meta | none
    classes: dict[str, str] = field(default_factory=dict)
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, label, listing path)
    page_size: int = 6
    page_url: str = "path"  # path (/page/N/) | query (?page=N) | start (?start=K) | segment (/akhbar/N)
    page_param: str = "page"
    pager: str = "relnext"  # relnext | text | numbers | numbers+text
    next_label: str = "التالي"
    date_form: str = "ar_std"
    date_label: str = ""
    digits: str = "latin"  # latin | indic (visible dates only)
    date_meta: str = "jsonld"  # jsonld | meta | time | none
    show_modified: bool = False
    feed: str = "rss"  # rss | atom | none
    feed_path: str = "/feed/"
    feed_size: int = 8
    feed_configured: bool = True
    sitemap: str = "news"  # news (recent only) | index (news + monthly archives) | none
    sitemap_configured: bool = True
    url_scheme: str = ""
    title_pattern: str = "{title} | {site}"
    read_also_in_body: bool = False
    attribution: str = ""  # aggregators: the form of the "نشر في ..." line
    ticker_size: int = 40

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _hash_class(rng: random.Random, prefix: str = "css-") -> str:
    return prefix + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(6))


def _classes(family: str, rng: random.Random) -> dict[str, str]:
    roles = ["title", "body", "date", "author", "card", "cardtitle", "list", "nav", "footer", "ticker",
             "mostread", "pager", "related", "tags", "share", "excerpt", "main", "sidebar", "source"]
    if family == "modern":
        # styled-components / emotion: a hashed class per element, sometimes two
        return {r: _hash_class(rng) + (" " + _hash_class(rng, "sc-") if rng.random() < 0.4 else "") for r in roles}
    if family == "legacy":
        # hand-made pages: few classes, short and meaningless
        names = ["txt", "txt2", "title2", "news", "tbl", "cell", "small", "red", "bold", "link1", "box"]
        return {r: (rng.choice(names) if rng.random() < 0.4 else "") for r in roles}
    if family == "wordpress":
        p = rng.choice(_WP_PREFIX)
        base = {"title": "entry-title", "body": "entry-content", "date": "entry-date published",
                "author": "author vcard", "card": "post", "cardtitle": "entry-title", "list": "posts-list",
                "nav": "main-navigation", "footer": "site-footer", "ticker": "breaking-news", "mostread":
                "widget-popular", "pager": "pagination", "related": "related-posts", "tags": "tags-links",
                "share": "share-buttons", "excerpt": "entry-summary", "main": "site-main", "sidebar": "sidebar",
                "source": "source"}
        return {r: (f"{p}-{v.replace(' ', f' {p}-')}" if rng.random() < 0.5 else v) for r, v in base.items()}
    out = {}
    for r in roles:
        words = _PORTAL_WORDS.get(r)
        out[r] = rng.choice(words) if words else f"{r}-{rng.choice(['box', 'bloc', 'zone', 'wrap'])}"
    return out


def _sections(family: str, rng: random.Random) -> list[tuple[str, str, str]]:
    chosen = rng.sample(SECTION_POOL, rng.randint(3, 4))
    out = []
    for i, (slug, label) in enumerate(chosen):
        if family == "wordpress":
            path = f"/category/{slug}/"
        elif family == "legacy":
            path = f"/index.php?cat={i + 2}"
        elif family == "modern":
            path = f"/ar/{slug}"
        elif family == "portal":
            path = f"/{PORTAL_SLUGS[slug]}"
        else:
            path = f"/section/{slug}"
        out.append((slug, label, path))
    return out


def _style(sid: str, family: str, name: str, rng: random.Random) -> SiteStyle:
    s = SiteStyle(id=sid, family=family, name=name, kind="aggregator" if family == "aggregator" else "publisher")
    s.classes = _classes(family, rng)
    s.sections = _sections(family, rng)
    s.page_size = rng.randint(5, 8)
    s.pager = rng.choice(["relnext", "text", "numbers", "numbers+text"])
    s.next_label = rng.choice(NEXT_LABELS)
    s.date_form = rng.choice(DATE_FORMS)
    s.date_label = rng.choice(DATE_LABELS)
    s.show_modified = rng.random() < 0.5
    s.feed = rng.choice(["rss", "rss", "atom", "none"])
    s.feed_size = rng.randint(6, 10)
    s.feed_configured = rng.random() < 0.85
    s.sitemap = rng.choice(["news", "index", "index", "none"])
    s.sitemap_configured = rng.random() < 0.7
    s.title_pattern = rng.choice(["{title} | {site}", "{site} - {title}", "{title} - {site}", "{title}"])
    if family == "wordpress":
        s.page_url = rng.choice(["path", "path", "query"])
        s.page_param = "paged"
        s.url_scheme = rng.choice(["wp_slug", "wp_arabic"])
        s.date_meta = rng.choice(["jsonld", "meta", "time"])
        s.feed_path = "/feed/"
        if s.feed == "atom":
            s.feed_path = "/feed/atom/"
    elif family == "legacy":
        s.encoding = "windows-1256"
        s.charset = rng.choice(["none", "none", "meta"])
        s.page_url = rng.choice(["query", "start"])
        s.page_param = rng.choice(["page", "p", "pg"])
        s.url_scheme = rng.choice(["php_id", "asp_id"])
        s.date_meta = "none"
        s.date_form = rng.choice(["num_dmy_h", "num_dmy", "ar_ma", "num_iso"])
        s.date_label = rng.choice(["", "", "بتاريخ "])
        s.feed = rng.choice(["rss", "none"])
        s.feed_path = "/rss.php"
        s.sitemap = rng.choice(["none", "news"])
        s.title_pattern = rng.choice(["{site} - {title}", "{site} :: {title}"])
        s.show_modified = False
    elif family == "modern":
        s.page_url = "query"
        s.url_scheme = rng.choice(["modern_slug", "modern_id"])
        s.date_meta = rng.choice(["jsonld", "jsonld", "meta"])
        s.feed_path = "/rss.xml" if s.feed == "rss" else "/feed.atom"
        s.pager = rng.choice(["relnext", "numbers", "numbers+text"])  # "load more" pages keep rel=next links
    elif family == "portal":
        s.page_url = rng.choice(["segment", "segment", "query"])
        s.url_scheme = rng.choice(["portal_section", "portal_article"])
        s.date_meta = rng.choice(["none", "meta", "time"])
        s.date_form = rng.choice(["ar_ma", "ar_ma_hour", "ar_std", "num_dmy", "ar_comma"])
        s.next_label = rng.choice(["التالي", "الصفحة التالية", "التالي »"])
        s.digits = rng.choice(["latin", "latin", "indic"])
        s.feed_path = "/rss.xml"
        s.read_also_in_body = rng.random() < 0.6
    else:  # aggregator, shaped like the seed page
        s.page_url = rng.choice(["query", "path", "segment"])
        s.url_scheme = rng.choice(["agg_outlet", "agg_news"])
        s.date_meta = "none"
        s.attribution = rng.choice(["dashes", "words", "source"])
        s.ticker_size = rng.randint(36, 44)
        s.feed_path = "/rss"
        s.show_modified = False
    if s.digits == "indic" and s.date_form.startswith("num"):
        s.date_form = "ar_ma"
    if s.date_form == "fr" and s.date_label:
        s.date_label = "Publié le "
    return s


def plan_sites(seed: int) -> list[SiteStyle]:
    """One site per family, plus one more publisher of a random family; ids are `<family>-<letter>`."""
    rng = random.Random(f"world-plan-{seed}")
    families = list(FAMILIES) + [rng.choice(["wordpress", "modern", "portal", "legacy"])]
    pub_names = rng.sample(PUBLISHER_NAMES, len(families))
    agg_names = rng.sample(AGGREGATOR_NAMES, 1)
    counts: dict[str, int] = {}
    out = []
    for i, fam in enumerate(families):
        counts[fam] = counts.get(fam, 0) + 1
        sid = f"{fam}-{'abcdefgh'[counts[fam] - 1]}"
        name = agg_names[0] if fam == "aggregator" else pub_names[i]
        out.append(_style(sid, fam, name, rng))
    return out


def site_ids(seed: int) -> tuple[str, ...]:
    """The site ids a seed's world has (what `DemoServer(site_ids=...)` needs before the world is built)."""
    return tuple(s.id for s in plan_sites(seed))
