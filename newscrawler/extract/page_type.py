"""Page types: blocked, consent, video, listing, forum, product, documentation and service pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from newscrawler.extract.common import ARTICLE_TYPES, _ld_types, _m

if TYPE_CHECKING:
    from newscrawler.extract.evidence import Evidence

# Contiguous prose under the page's own headline that makes a story whatever the navigation around it holds
# (the seed's aggregator copy: about 1,200 characters inside a ticker of forty headlines; a home page's featured
# lead sits under a headline that links to its story, and a section page's excerpts are cut by headline links).
_STORY_RUN = 700
# A brief: a few sentences directly under the page's own headline, with no link to another page in between, and no
# longer prose anywhere on the page (a hand-made site's two-paragraph report beside a column of "other news").
_BRIEF = 150

_CHALLENGE = re.compile(
    r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)|"
    r"enable javascript and cookies to continue|please (?:turn on|enable) javascript|"
    r"javascript (?:is )?(?:required|disabled)|ddos protection by|attention required! \| cloudflare|"
    r"verify(?:ing)? you are (?:a )?human|cf-browser-verification|challenge-platform|_cf_chl_opt|"
    r"يرجى\s+(?:تفعيل|تمكين)\s+(?:جافا\s*سكريبت|javascript)|الرجاء\s+(?:تفعيل|تمكين)\s+(?:جافا\s*سكريبت|javascript)|"
    r"جار[ٍي]?\s+التحقق\s+من\s+(?:متصفحك|المتصفح)|تحقق\s+من\s+أنك\s+إنسان",
    re.I,
)

_CONSENT = re.compile(
    r"cookie|consent|gdpr|privacy settings|accept all|tout accepter|accepter et continuer|"
    r"ملفات\s+تعريف\s+الارتباط|الكوكيز|ملفات\s+الكوكيز|موافق(?:ة)?\s+على|قبول\s+الكل",
    re.I,
)

_LISTING_URL = re.compile(r"/(?:tag|tags|category|categories|categorie|section|search|topics?|archive|author|page)(?:\.php|\.html?|\.aspx?)?(?:/|$|\?)|[?&](?:s|q|search)=", re.I)


def _blocked(text_len: int, title: str, raw_text: str) -> tuple[str, str] | None:
    """JavaScript challenges and consent walls: little visible text and the telltale phrases."""
    if text_len >= 3000:
        return None
    sample = (title + " " + raw_text[:20000]).lower()
    if _CHALLENGE.search(sample):
        return "blocked", "blocked: javascript challenge"
    if _CONSENT.search(raw_text[:5000]) and text_len < 1500:
        return "blocked", "blocked: consent wall"
    return None


def _link_stats(root: etree._Element) -> tuple[int, int]:
    """Number and total text length of headline-like links (link text longer than 25 characters)."""
    n = total = 0
    for a in root.iter("a"):
        t = a.text_content()
        if len(t) > 25:
            t = " ".join(t.split())
            if len(t) > 25:
                n += 1
                total += len(t)
    return n, total


def _has_article_meta(meta: dict, ld: dict | None) -> bool:
    og_type = (_m(meta, "og:type") or "").lower()
    return bool(ld) or og_type == "article" or bool(_m(meta, "article:published_time", "datepublished"))


def _looks_listing(
    meta: dict, ld: dict | None, url: str, para_len: int, links: tuple[int, int]
) -> bool:
    if _has_article_meta(meta, ld):
        return False
    n, link_text = links
    # Many headline links and little paragraph text: a home, section, tag or search page.
    if n >= 15 and link_text > 1.2 * para_len:
        return True
    # A handful of headline links and next to no paragraph text (a small tag or search page).
    if n >= 5 and para_len < 250 and link_text > 2 * max(para_len, 1):
        return True
    return bool(_LISTING_URL.search(url)) and n >= 10 and para_len < 1500


@dataclass(frozen=True)
class Support:
    """Evidence beyond link density: the page's shape (``evidence.py``), whether the caller found the URL as a
    headline on the site's listings, and whether the page links to its original at another site ("read it at the
    source", an aggregator's copy)."""

    evidence: Evidence | None = None
    linked_as_headline: bool = False
    source_link: bool = False

    def story(self) -> bool:
        """Enough to call the page a story under any amount of navigation."""
        ev = self.evidence
        if ev is None:
            return False
        if ev.headline and ev.run >= _STORY_RUN:
            return True
        # A copy pointing to its original, or a page the site itself lists as a headline: a shorter story will do,
        # but it still has to be prose under its own headline; a brief has to be the page's main prose too.
        if not (self.source_link or self.linked_as_headline) or not ev.headline:
            return False
        return ev.run >= 250 or (ev.direct >= _BRIEF and ev.direct >= ev.longest)

    def link_list(self) -> bool:
        """The page's text is a list of links: many link lines, no long prose anywhere, none under a headline."""
        ev = self.evidence
        if ev is None or self.source_link or self.linked_as_headline:
            return False
        # A dozen headline links and not one paragraph of length; or many, and no story-length prose anywhere.
        return (ev.link_lines >= 12 and ev.longest < 300) or (
            ev.link_lines >= 30 and ev.longest < _STORY_RUN and ev.run < 300)


def _page_type(
    root: etree._Element | None, text_len: int, title: str, body: str, meta: dict, ld: dict | None,
    ld_objs: list[dict], url: str, raw_text: str, para_len: int, links: tuple[int, int],
    sig: dict[str, int] | None = None, dated: bool = True, has_authors: bool = True, support: Support | None = None,
) -> tuple[str, str | None]:
    if root is None or (text_len < 20 and not body):
        return "empty", "empty: no text"
    if len(body) < 500:
        blocked = _blocked(text_len, title, raw_text)
        if blocked:
            return blocked
    og_type = (_m(meta, "og:type") or "").lower()
    types = set().union(*(_ld_types(o) for o in ld_objs)) if ld_objs else set()
    if (og_type.startswith("video") or ("videoobject" in types and not ld)) and len(body) < 400:
        return "video", "not_article: video"
    # A dated story of some length at an article address is an article even under a wall of headline links
    # (a broadcaster's mega-menu outweighs a short report).
    support = support or Support()
    story = dated and len(body) >= 2000 and bool(_ARTICLE_URL.search(url.split("?", 1)[0]))
    if support.story():
        story = True
    elif story and support.link_list():
        # Dated teasers adding up to a long "body" on a page whose text is a list of links: a home page.
        story = False
    if not story and _looks_listing(meta, ld, url, para_len, links):
        return "listing", "not_article: listing"
    if not story and not _has_article_meta(meta, ld) and support.link_list():
        return "listing", "not_article: listing"
    if len(body) < 80 and not (_has_article_meta(meta, ld) and body):
        return "empty", "not_article: no article text"
    if sig is not None:
        other = _other_page_type(sig, meta, ld, types, url, dated, has_authors, links, support.story())
        if other:
            return other, f"not_article: {other}"
    return "article", None


_FORUM_TYPES = {"discussionforumposting", "qapage", "question"}

_PRODUCT_TYPES = {"product", "offer", "aggregateoffer", "productgroup", "individualproduct"}

_NEWS_TYPES = ARTICLE_TYPES - {"discussionforumposting", "techarticle", "socialmediaposting", "posting"}

# Fixed phrases counted with str.count on the lower-cased page: a regex alternation over 300 kB costs more than
# the rest of page typing together.
_PRICE_MARKERS = (
    "add to cart", "add to bag", "add to basket", "in stock", "out of stock", 'itemprop="price"', "product:price",
    "أضف إلى السلة", "أضف الى السلة", "ajouter au panier", "in den warenkorb",
)

_CTA = (
    "get a quote", "get a free quote", "get your free quote", "free estimate", "request a quote", "request a demo",
    "book a demo", "book a call", "book an appointment", "contact us today", "call now", "call us today",
    "schedule a", "schedule your",
)

_MONEY = re.compile(r"[$£€]\s?\d")

_FORUM_URL = re.compile(r"forum|thread|topic|communit|discussion|/t/|showthread|viewtopic|/board", re.I)

_DOC_URL = re.compile(
    r"/(?:docs?|documentation|reference|api|manual|wiki|kb|knowledge-?base|support|help|tutorials?)(?:/|$|\.)", re.I
)

# Paths under which evergreen articles live even when they carry no date or byline.
_ARTICLE_URL = re.compile(
    r"/(?:blogs?|articles?|news|posts?|stor(?:y|ies)|learn|resources?|insights?|magazine|akhbar|"
    r"\u0623\u062e\u0628\u0627\u0631)/|/20\d\d/|/\d{5,}",
    re.I,
)

_POST_CLASS = re.compile(r"(?:^|[\s_\-])(?:post|message|reply|replies|comment-body|topic)(?:$|[\s_\-])", re.I)


def _page_signals(root: etree._Element, html: str, visible: str) -> dict[str, int]:
    """Cheap counts, read before the body step prunes the tree, that tell shops, forums, docs and service pages
    from articles."""
    sig = {"inputs": 0, "tel": 0, "code": 0, "paras": 0, "posts": 0}
    for el in root.iter("input", "textarea", "select", "a", "pre", "code", "p", "div", "article", "li"):
        tag = el.tag
        if tag == "a":
            if (el.get("href") or "").startswith("tel:"):
                sig["tel"] += 1
        elif tag in ("input", "textarea", "select"):
            if (el.get("type") or "").lower() != "hidden":
                sig["inputs"] += 1
        elif tag in ("pre", "code"):
            sig["code"] += 1
        elif tag == "p":
            if len(el.text_content().strip()) > 80:
                sig["paras"] += 1
        elif _POST_CLASS.search(el.get("class") or "") or (el.get("id") or "").startswith(("post-", "post_")):
            sig["posts"] += 1
    page = html[:300000].lower()
    vis = visible.lower()
    sig["price"] = sum(page.count(m) for m in _PRICE_MARKERS)
    sig["cta"] = sum(vis.count(m) for m in _CTA)
    sig["money"] = len(_MONEY.findall(visible))
    return sig


def _other_page_type(
    sig: dict[str, int], meta: dict, ld: dict | None, types: set[str], url: str, dated: bool, has_authors: bool,
    links: tuple[int, int], story: bool = False,
) -> str | None:
    """Shop, forum, documentation and service pages. Rejecting a real article costs more than keeping a
    brochure, so every rule but the explicit metadata ones needs the absence of all article evidence (a
    publication date, a byline, article metadata, an article-like URL) as well as its own positive signals."""
    og_type = (_m(meta, "og:type") or "").lower()
    news = bool(types & _NEWS_TYPES) or og_type == "article"
    if types & _FORUM_TYPES and not news:
        return "forum"
    if (types & _PRODUCT_TYPES or og_type.startswith("product")) and not news and not dated:
        return "product"
    path = url.split("?", 1)[0]
    if _FORUM_URL.search(path) and sig["posts"] >= 5 and og_type != "article":
        return "forum"
    # A site's front page (dated teasers, a footer byline) is a landing page, not a story, unless the site
    # itself says it is one.
    if re.fullmatch(r"[a-z][a-z0-9+.\-]*://[^/?#]+/?", path, re.I) and not _has_article_meta(meta, ld):
        return "listing"
    if dated or has_authors or _has_article_meta(meta, ld) or _ARTICLE_URL.search(path):
        return None
    if sig["price"] or sig["money"] >= 3:
        return "product"
    if sig["code"] >= 3 or _DOC_URL.search(path):
        return "documentation"
    if sig["tel"] or sig["cta"] or sig["inputs"] >= 3:
        return "service"
    if sig["paras"] < 8 and links[0] >= 10 and not story:
        return "listing"
    return None
