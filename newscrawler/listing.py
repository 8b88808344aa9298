"""Headlines of a home or section page (pure: no Scrapy, no network).

``extract_listing`` keeps the links of a listing page that lead to article pages of the same site, in page
order, with the nearest section label. It works in three passes:

1. drop what is never a headline: scripts, navigation, menus, headers without headlines, footers,
   breadcrumbs, pagination, share/social blocks, ads, cookie and newsletter boxes;
2. look at every remaining link: its URL shape (``looks_like_article_url``), its text (a headline has several
   words), its context (inside ``article``, ``h1``-``h4`` or a headline-ish class); tag, category, author,
   search and pagination URLs are never headlines;
3. merge repeated links (image link + title link of one card, a "most read" box repeating the main
   column): one entry per URL, at its first position outside the "most read"/sidebar blocks, with the best
   title seen for it.

``selectors["listing"]`` (a CSS selector of the headline links of a known source) replaces pass 2 when it
matches something; when it matches nothing the heuristics run, since the site layout probably changed.

See docs/discovery.md for what is left out and why.
"""

from __future__ import annotations

import bisect
import logging
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newscrawler.encoding import decode_html
from newscrawler.phrases import READ_MORE_LABELS, READ_MORE_PHRASES
from newscrawler.text import display_clean
from newscrawler.urls import canonical_url, same_site, url_key

__all__ = ["extract_listing", "looks_like_article_url"]

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------ URL shapes

# Path segments that name a list of articles, a person or a utility page, never one article.
_HARD_NAV_SEGMENTS = frozenset(
    """tag tags author authors auteur auteurs writer writers search recherche page login logout register
    signup signin subscribe account profile user users contact contacts about about-us apropos privacy
    terms cgu feed rss wp-admin wp-login.php cdn-cgi keyword keywords label labels
    وسم الوسوم كاتب الكاتب كتاب بحث""".split()
)
# Segments that usually name a section; an article can still live under them when the URL carries an id.
_SOFT_NAV_SEGMENTS = frozenset(
    """category categories cat section sections rubrique rubriques topic topics archive archives
    قسم تصنيف أقسام""".split()
)
_STATIC_EXT = frozenset(
    "jpg jpeg png gif webp svg ico bmp pdf mp3 mp4 m4a webm avi mov zip rar gz css js json xml rss txt doc docx "
    "xls xlsx ppt pptx apk exe".split()
)
_PAGE_EXT = frozenset({"html", "htm", "shtml", "xhtml"})
_SCRIPT_EXT = frozenset({"php", "asp", "aspx", "jsp", "cfm"})
_INDEX_STEMS = frozenset({"index", "default", "home", "main", "contact", "about", "search", "archive", "sitemap"})
_ID_PARAMS = frozenset(
    """id p nid aid pid sid article articleid article_id art_id story storyid story_id news newsid news_id
    item itemid item_id post postid post_id""".split()
)
_SEARCH_PARAMS = frozenset({"s", "q", "query", "search", "keyword", "tag", "cat", "category"})
_PAGE_PARAMS = frozenset({"page", "paged", "pg", "start", "offset"})

_YEAR = re.compile(r"(19|20)\d\d$")
_MONTH = re.compile(r"(0?[1-9]|1[0-2])$")
_TOKEN_SPLIT = re.compile(r"[-_.,+~\s]+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _segments(url: str) -> tuple[list[str], list[tuple[str, str]]]:
    parts = urlsplit(url)
    segs = [unquote(s) for s in parts.path.split("/") if s]
    return segs, parse_qsl(parts.query, keep_blank_values=True)


def _is_nav_url(url: str) -> bool:
    """Tag, author, search, pagination, utility or static-file URL: never a headline, whatever its text."""
    segs, query = _segments(url)
    lower = [s.lower() for s in segs]
    if any(s in _HARD_NAV_SEGMENTS for s in lower):
        return True
    if lower and "." in lower[-1] and lower[-1].rsplit(".", 1)[1] in _STATIC_EXT:
        return True
    keys = {k.lower() for k, _ in query}
    if keys & _SEARCH_PARAMS:
        return True
    if keys & _PAGE_PARAMS and not keys & _ID_PARAMS:
        return True
    return False


def _has_numeric_id(segs: list[str]) -> bool:
    for seg in segs:
        for tok in _TOKEN_SPLIT.split(seg):
            if tok.isdigit() and len(tok) >= 5:
                return True
            if tok.isdigit() and len(tok) == 4 and not _YEAR.match(tok):
                return True
            # Opaque ids such as "a1b2c3d4": long, mixing letters and several digits.
            if len(tok) >= 8 and sum(c.isdigit() for c in tok) >= 3 and sum(c.isalpha() for c in tok) >= 2:
                return True
    return False


def _has_date_path(segs: list[str]) -> bool:
    """/2024/05/12/slug or /2024/05/slug: a date followed by something that is not another date part."""
    for i in range(len(segs) - 2):
        if _YEAR.match(segs[i]) and _MONTH.match(segs[i + 1]):
            rest = segs[i + 2:]
            if rest and rest[0].isdigit() and len(rest[0]) <= 2:
                rest = rest[1:]
            if rest and not (rest[0].isdigit() and len(rest[0]) <= 2):
                return True
    return False


def _has_long_slug(segs: list[str]) -> bool:
    for seg in segs[-2:]:
        words = [w for w in _TOKEN_SPLIT.split(seg) if w]
        if len(words) >= 4 or (len(words) >= 3 and len(seg) >= 18):
            return True
        if _ARABIC.search(seg) and len(words) >= 3:
            return True
    return False


def looks_like_article_url(url: str) -> bool:
    """True when the URL has the shape of one article: a numeric or opaque id, a date path followed by a slug,
    a ``.html`` page, an id query parameter (``?p=123``, ``article.php?id=9``), or a long slug.

    False for the home page, tag/author/search/pagination/utility URLs, static files, and section URLs
    without an id (``/category/sport``). Shape only: no network, never raises.
    """
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", ""):
            return False
        segs, query = _segments(url)
    except ValueError:
        return False
    if _is_nav_url(url):
        return False
    lower = [s.lower() for s in segs]
    keys = {k.lower() for k, v in query if v.strip()}
    # "?p=2" is as often a page number as a WordPress post id; real post ids have three digits or more.
    id_query = any(
        k.lower() in _ID_PARAMS and v.strip().isdigit() and (k.lower() != "p" or len(v.strip()) >= 3)
        for k, v in query
    )
    if not segs:
        return id_query
    last = lower[-1]
    stem, dot, ext = last.rpartition(".")
    if not dot:
        stem, ext = last, ""
    strong_id = _has_numeric_id(segs) or _has_date_path(segs) or id_query
    if any(s in _SOFT_NAV_SEGMENTS for s in lower) and not strong_id:
        return False
    if strong_id:
        return True
    if ext in _PAGE_EXT and stem and stem not in _INDEX_STEMS and len(stem) >= 3:
        return True
    if ext in _SCRIPT_EXT:
        return bool(keys & _ID_PARAMS)
    return _has_long_slug(segs)


# ------------------------------------------------------------------------------------------ page layout

_CAMEL = re.compile(r"([a-z])([A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")

# Class/id words of layout blocks: removed unless inside an article card (a card "footer" holds its date).
_LAYOUT_WORDS = frozenset(
    """nav navbar navigation navmenu menu menus submenu megamenu menubar breadcrumb breadcrumbs footer
    pagination pager paging pages topbar toolbar offcanvas hamburger sitemap""".split()
)
# Class/id words of blocks that never hold headlines, wherever they are.
_NOISE_WORDS = frozenset(
    """share sharing sharer social socials ad ads adv advert adverts advertisement advertising adsense
    adslot dfp gpt sponsor sponsored sponsors outbrain taboola cookie cookies consent gdpr newsletter
    comments disqus login signin subscribe""".split()
)
_NOISE_ROLES = frozenset({"navigation", "contentinfo", "search", "menu", "menubar", "banner"})
# Blocks that repeat headlines of the main column: they only lose to it when merging duplicates.
_SECONDARY_WORDS = frozenset(
    """sidebar aside most mostread mostviewed mostpopular popular trending trend related ranking top10
    widget widgets""".split()
)
_HEADLINE_WORDS = frozenset(
    """title titles headline headlines heading entry story stories teaser post posts news article articles
    card item items""".split()
)
_LABEL_TITLE_WORDS = frozenset({"title", "heading", "head", "header", "name", "label"})
_LABEL_BLOCK_WORDS = frozenset(
    """section block widget box module cat category categories rubrique rubric zone panel tab""".split()
)
_LABEL_ALONE_WORDS = frozenset({"kicker", "rubrique", "rubric", "category", "cat", "catname", "section", "label"})

_MOST_READ = re.compile(
    r"الأكثر|الاكثر|الأكثـر|الأكثر\s*(قراءة|مشاهدة|تداولا|تعليقا)|most\s*(read|viewed|popular|shared)|trending|"
    r"plus\s+lus|populaire",
    re.I,
)
# Anchor texts that repeat the card's link without saying what it is about: a text that opens with a "read more"
# imperative ("اقرأ المزيد عن ...") is one too; a label ("المزيد", "التفاصيل") only when it is the whole text.
_READ_MORE = re.compile(
    rf"^\W*(?:{'|'.join(READ_MORE_PHRASES)})|^\W*(?:{'|'.join(READ_MORE_LABELS)})\W*$",
    re.I,
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "select", "button", "object", "embed")
_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "whatsapp:", "viber:", "fb-messenger:", "#")


def _words(el: etree._Element) -> set[str]:
    """Lower-case words of an element's class and id ("mainMenu-wrap" -> main, menu, wrap, mainmenu...)."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not raw.strip():
        return set()
    out: set[str] = set()
    for token in raw.split():
        token_l = token.lower()
        out.add(token_l)
        out.add(_WORD_SPLIT.sub("", token_l))
        out.update(w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1-\2", token).lower()) if w)
    return out


def _text_of(el: etree._Element) -> str:
    try:
        return display_clean(el.text_content())
    except (ValueError, TypeError):
        return ""


def _decode(html: bytes | str) -> str:
    if isinstance(html, str):
        return html
    try:
        return decode_html(html or b"")[0]
    except Exception:  # noqa: BLE001 - a decoder bug must not lose the page
        log.debug("decode_html failed; falling back to utf-8", exc_info=True)
        return (html or b"").decode("utf-8", "replace")


def _parse(text: str) -> etree._Element | None:
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        # drop_tree keeps the tail text, which belongs to the parent.
        el.drop_tree()


def _strip_boilerplate(root: etree._Element) -> None:
    for el in list(root.iter(*_DROP_TAGS)):
        _remove(el)
    total_links = max(1, len(root.xpath("//a[@href]")))
    doomed: list[etree._Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "main"):
            continue
        tag = el.tag
        words = _words(el)
        role = (el.get("role") or "").lower()
        label = (el.get("aria-label") or "").lower()
        noise = bool(words & _NOISE_WORDS) or role in _NOISE_ROLES or "breadcrumb" in label
        layout = tag in ("nav", "footer") or bool(words & _LAYOUT_WORDS)
        if not (noise or layout or tag == "header"):
            continue
        in_article = any(a.tag == "article" for a in el.iterancestors())
        if tag == "header" and not in_article and not el.xpath(".//h2|.//h3|.//h4|.//article"):
            layout = True
        if not (noise or (layout and not in_article)):
            continue
        # A wrapper that holds most of the page's links is the page, whatever its class says
        # ("nav-open" on a page wrapper): removing it would lose every headline.
        n = len(el.xpath(".//a[@href]"))
        if n > 20 and n > 0.5 * total_links:
            continue
        doomed.append(el)
    for el in doomed:  # an element inside an already dropped one is dropped with its detached parent: harmless
        _remove(el)


# --------------------------------------------------------------------------------------------- labels


class _Layout:
    """Document-order index of every element, so "the nearest label before this link inside the same
    block" is a bisect instead of a tree walk per link."""

    def __init__(self, root: etree._Element):
        self.start: dict[etree._Element, int] = {}
        self.end: dict[etree._Element, int] = {}
        counter = 0
        stack: list[tuple[etree._Element, bool]] = [(root, False)]
        while stack:
            el, done = stack.pop()
            if done:
                self.end[el] = counter - 1
                continue
            self.start[el] = counter
            counter += 1
            stack.append((el, True))
            for child in reversed(el):
                if isinstance(child.tag, str):
                    stack.append((child, False))
        self.labels: list[tuple[int, int, str, etree._Element]] = []
        self.label_starts: list[int] = []

    def add_labels(self, labels: list[tuple[etree._Element, str]]) -> None:
        items = sorted((self.start[el], self.end[el], text, el) for el, text in labels if el in self.start)
        self.labels = items
        self.label_starts = [s for s, _, _, _ in items]

    def card_label(self, anchor: etree._Element) -> str | None:
        """A category label inside the headline's own card (``article`` or ``li`` within four levels),
        before or after the headline: on mixed "latest news" blocks it is the most precise section."""
        i, i_end = self.start.get(anchor), self.end.get(anchor)
        if i is None or i_end is None:
            return None
        for depth, anc in enumerate(anchor.iterancestors()):
            if depth > 4:
                break
            if anc.tag not in ("article", "li"):
                continue
            s, e = self.start[anc], self.end[anc]
            j = bisect.bisect_right(self.label_starts, s)
            while j < len(self.labels) and self.label_starts[j] <= e:
                ls, le, text, el = self.labels[j]
                if (le < i or ls > i_end) and el.tag not in _HEADINGS:
                    return text
                j += 1
            return None
        return None

    def nearest_label(self, anchor: etree._Element) -> str | None:
        """The last label before the link inside the smallest block that has one."""
        i = self.start.get(anchor)
        if i is None:
            return None
        hi = bisect.bisect_left(self.label_starts, i)
        for anc in anchor.iterancestors():
            s = self.start.get(anc)
            if s is None:
                continue
            j = hi - 1
            while j >= 0 and self.label_starts[j] > s:
                ls, le, text, _ = self.labels[j]
                if le < i:  # before the link and not one of its ancestors
                    return text
                j -= 1
        return None


def _is_label(el: etree._Element, words: set[str], text: str, page_url: str, base: str) -> bool:
    if not text or len(text) > 60 or len(text.split()) > 8:
        return False
    tag = el.tag
    kind = tag in _HEADINGS or bool(
        (words & _LABEL_TITLE_WORDS and words & _LABEL_BLOCK_WORDS) or words & _LABEL_ALONE_WORDS
    )
    if not kind and tag == "a":
        # A short link to a section URL inside a card ("سياسة" -> /category/politique) names its section.
        segs, _ = _segments(canonical_url(el.get("href") or "", base=base))
        kind = any(s.lower() in _SOFT_NAV_SEGMENTS for s in segs) and len(text.split()) <= 4
        if kind:
            return True
    if not kind:
        return False
    # A heading that links to an article is a headline, not a label; one that links home is the logo.
    for a in ([el] if tag == "a" else []) + el.xpath(".//a[@href]"):
        href = a.get("href") or ""
        if not href:
            continue
        target = canonical_url(href, base=base)
        if looks_like_article_url(target):
            return False
        segs, _ = _segments(target)
        if not segs:
            return False
        # A section heading links to a section page (/sport, /category/sport); a heading that links to any
        # other page (/posts/fsm/) is a headline whose URL merely has no article shape.
        if not (_is_nav_url(target) or any(x.lower() in _SOFT_NAV_SEGMENTS for x in segs)
                or (len(segs) == 1 and not any(c.isdigit() for c in segs[0]))):
            return False
    if el.xpath(".//img") and tag in ("h1",):
        return False
    return True


# --------------------------------------------------------------------------------------------- anchors


def _anchor_title(a: etree._Element) -> str:
    for h in a.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        t = _text_of(h)
        if t:
            return t
    t = _text_of(a)
    if t and not _READ_MORE.match(t):
        return t
    for attr in ("title", "aria-label"):
        v = a.get(attr)
        if v and v.strip():
            t = display_clean(v)
            if not _READ_MORE.match(t):
                return t
    if not t:
        for img in a.iter("img"):
            alt = img.get("alt") or img.get("title")
            if alt and alt.strip():
                return display_clean(alt)
    return ""


def _context(a: etree._Element) -> tuple[bool, bool, bool]:
    """(in a heading, in an article card, in a headline-ish class within three levels)."""
    in_heading = any(True for _ in a.iter(*_HEADINGS))
    in_article = False
    headline_class = bool(_words(a) & _HEADLINE_WORDS)
    for depth, anc in enumerate(a.iterancestors()):
        if anc.tag in _HEADINGS:
            in_heading = True
        if anc.tag == "article":
            in_article = True
        if depth < 3 and _words(anc) & _HEADLINE_WORDS:
            headline_class = True
        if depth > 12:
            break
    return in_heading, in_article, headline_class


def _secondary_block(a: etree._Element) -> etree._Element | None:
    for anc in a.iterancestors():
        if anc.tag == "aside" or _words(anc) & _SECONDARY_WORDS:
            return anc
    return None


def _base_url(root: etree._Element, url: str) -> str:
    for b in root.iter("base"):
        href = (b.get("href") or "").strip()
        if href:
            return canonical_url(href, base=url)
    return url


def extract_listing(html: bytes | str, url: str, *, selectors: dict | None = None) -> list[dict]:
    """Headlines of a home or section page: ``[{"title", "url", "position", "section"}]`` in page order.

    ``url`` is absolute and canonical (``canonical_url``), on the same site as the page, and looks like an
    article (see ``looks_like_article_url``; a link with a headline-length text in a headline context also
    counts); ``title`` is display-clean (may be "" when a headline slot has no text and no image alt);
    ``position`` is 1-based; ``section`` is the nearest section heading or label, else None. Navigation,
    footers, breadcrumbs, pagination, tag/category/author/search links, share links and ads are left out; a
    URL listed several times (image + title, "most read" boxes) appears once, at its first position outside
    the sidebar/"most read" blocks. ``selectors["listing"]`` (CSS) is used first when it matches.
    Never raises: a page that cannot be parsed gives [].
    """
    try:
        return _extract(html, url, selectors or {})
    except Exception:  # noqa: BLE001 - contract: a broken page is an empty listing, the crawl goes on
        log.warning("extract_listing failed on %s", url, exc_info=True)
        return []


def _extract(html: bytes | str, url: str, selectors: dict) -> list[dict]:
    root = _parse(_decode(html))
    if root is None:
        return []
    page_url = canonical_url(url)
    base = _base_url(root, page_url)
    page_key = url_key(page_url)

    selected: list[etree._Element] | None = None
    css = selectors.get("listing")
    if css:
        try:
            found = root.cssselect(css)
        except Exception:  # noqa: BLE001 - cssselect raises several types on a bad selector
            log.warning("bad listing selector %r", css)
            found = []
        selected = []
        for el in found:
            if el.tag == "a" and el.get("href"):
                selected.append(el)
            else:
                inner = el.xpath(".//a[@href]") or [a for a in el.iterancestors("a") if a.get("href")]
                if inner:
                    selected.append(inner[0])
        if not selected:
            log.info("listing selector %r matched nothing on %s; using heuristics", css, url)
            selected = None

    if selected is None:
        _strip_boilerplate(root)
    layout = _Layout(root)

    anchors = selected if selected is not None else list(root.iter("a"))
    label_els: list[tuple[etree._Element, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        words = _words(el)
        if el.tag not in _HEADINGS and not words and not (el.tag == "a" and el.get("href")):
            continue
        text = _text_of(el)
        if _is_label(el, words, text, page_url, base):
            label_els.append((el, text))
    layout.add_labels(label_els)

    candidates: list[dict] = []
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_BAD_SCHEMES):
            continue
        target = canonical_url(href, base=base)
        if urlsplit(target).scheme not in ("http", "https"):
            continue
        if not same_site(target, page_url) or url_key(target) == page_key:
            continue
        title = _anchor_title(a)
        block = _secondary_block(a)
        block_label = layout.nearest_label(a)
        section = layout.card_label(a) or block_label
        secondary = block is not None or bool(block_label and _MOST_READ.search(block_label))
        if selected is None:
            if _is_nav_url(target) or not urlsplit(target).path.strip("/") and not urlsplit(target).query:
                continue
            in_heading, in_article, headline_class = _context(a)
            context = in_heading or in_article or headline_class
            n_words = len(title.split())
            if looks_like_article_url(target):
                if n_words < 2 and not context:
                    # An image or "read more" link: only useful if a titled link to the same URL exists.
                    title, weak = "", True
                else:
                    weak = False
            elif n_words >= 5 and context:
                weak = False
            else:
                continue
        else:
            in_heading, weak = True, False
        candidates.append(
            {
                "url": target,
                "key": url_key(target),
                "title": title,
                "section": section,
                "secondary": secondary,
                "heading": in_heading,
                "weak": weak,
                "order": layout.start.get(a, 0),
            }
        )
    return _merge(candidates)


def _merge(candidates: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for c in candidates:
        groups.setdefault(c["key"], []).append(c)
    merged: list[tuple[int, dict]] = []
    for occ in groups.values():
        if all(c["weak"] for c in occ):
            continue
        primary = [c for c in occ if not c["secondary"]]
        first = (primary or occ)[0]
        titled = [c for c in occ if c["title"] and not c["weak"]]
        # A heading's text beats a teaser paragraph link; among equals the first one wins.
        best = max(titled, key=lambda c: (c["heading"], not c["secondary"], -c["order"]), default=None)
        section = first["section"]
        if section is None:
            section = next((c["section"] for c in occ if c["section"]), None)
        merged.append(
            (first["order"], {"title": best["title"] if best else "", "url": first["url"], "position": 0,
                              "section": section})
        )
    merged.sort(key=lambda t: t[0])
    out = []
    for i, (_, entry) in enumerate(merged, 1):
        entry["position"] = i
        out.append(entry)
    return out
