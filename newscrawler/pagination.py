"""The next page of a listing (pure: no Scrapy, no network).

``next_page_url(html, url)`` finds the link from one page of a home or section listing to the next, older page.
Generic rules, tried in this order; the first link that passes the checks wins:

1. ``<link rel="next">`` in the head, then ``<a rel="next">``;
2. a link whose text (or ``aria-label``/``title``) says "next page" in Arabic, French or English
   («التالي», «الصفحة التالية», «Suivant», «Page suivante», «Next», «Older posts», ...), or whose class names it
   (``next``, ``nextpostslink``, ``pagination-next``) when its URL is a numbered sibling of this page or it sits in
   a pagination block;
3. a numbered page link: a sibling URL of this page carrying this page's number + 1 (``/page/N``, ``?page=N``,
   ``?paged=N``, ``/akhbar/N``, ``/section/x/N``, ``page-N``) or, for offset pagination (``?start=20``), the
   smallest offset above this page's;
4. a link whose text only hints at more (an arrow «›», «»», or «المزيد من الأخبار», "More news"), accepted only
   when its URL is a numbered sibling of this page with the next number: an arrow alone does not say which way
   it points (right-to-left pages put "next" on the left) and «المزيد» may just open a section.

Checks on every candidate: same site, not this page, not a comment page (``comment-page-2``, ``?cpage=``, a link
inside a comments block), never a page number at or below this page's (the "previous" link, the link to page 1),
and, when its URL carries no page number, none of the marks of a post's "next article" link: an article-shaped URL,
a headline-like link text ("Next: <title>"), a page whose ``og:type`` is ``article``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from newscrawler.listing import _decode, _parse, looks_like_article_url
from newscrawler.text import match_key
from newscrawler.urls import canonical_url, same_site, url_key

__all__ = ["next_page_url", "page_relation"]

log = logging.getLogger(__name__)

# Query parameters holding a page number (1-based) and an item offset (0-based).
_PAGE_PARAMS = frozenset({"page", "paged", "pg", "p", "pagenum", "page_no", "pageno", "pn", "pagina", "seite"})
_OFFSET_PARAMS = frozenset({"start", "offset", "from", "limitstart", "skip"})
# Path segments that announce a page number in the next segment (/page/3, /صفحة/3).
_PAGE_WORDS = frozenset({"page", "pages", "p", "pg", "pagina", "seite", "صفحة", "الصفحة"})
_PAGE_SEG = re.compile(r"^(?:page|pg|p)[-_]?(\d{1,4})$", re.I)
_TRAILING_NUM = re.compile(r"^(.+?)[-_](\d{1,4})(\.[a-z]{2,5})$", re.I)  # news-2.html, akhbar_3.php
_COMMENT_URL = re.compile(r"comment-page-\d|[?&](?:cpage|comment_?page|replytocom)=|#comment", re.I)
_COMMENT_WORDS = re.compile(r"comment|respond|disqus|reply|تعليق|تعليقات", re.I)
_PAGINATION_WORDS = re.compile(r"pagina|pager|page-?numbers|paging|nav-links|wp-pagenavi|pages", re.I)
_NEXT_CLASS = re.compile(r"(?:^|[-_\s])next(?:[-_\s]|$)|nextpostslink|pagination-next|next-page", re.I)
_DIGITS = re.compile(r"^\d{1,4}$")

# match_key() forms (lower case, Arabic letters folded, punctuation and arrows dropped).
_NEXT_TEXTS = frozenset(match_key(t) for t in (
    "التالي", "التالية", "الصفحة التالية", "الصفحة الموالية", "الموالي", "الموالية", "التالى",
    "الأخبار الأقدم", "أخبار أقدم", "المقالات الأقدم", "مقالات أقدم", "المواضيع الأقدم", "الأقدم", "أقدم",
    "suivant", "suivante", "page suivante", "pages suivantes", "articles plus anciens", "plus anciens",
    "next", "next page", "older", "older posts", "older entries", "older articles", "older news", "older stories",
))
_MORE_TEXTS = frozenset(match_key(t) for t in (
    "المزيد من الأخبار", "المزيد من المقالات", "المزيد", "مزيد من الأخبار", "أخبار أخرى",
    "plus d'articles", "voir plus", "afficher plus", "plus d'actualités",
    "more", "more news", "more stories", "more articles", "load more", "show more",
))


def next_page_url(html: bytes | str, url: str) -> str | None:
    """The canonical URL of the next (older) page of the listing ``html`` fetched from ``url``, else None.

    See the module docstring for the rules. Never raises: a page that cannot be parsed has no next page.
    """
    try:
        return _next_page(html, url)
    except Exception:  # noqa: BLE001 - contract: a broken page has no next page, the crawl goes on
        log.warning("next_page_url failed on %s", url, exc_info=True)
        return None


def page_relation(current: str, target: str) -> tuple[str, int, int] | None:
    """``(kind, current_number, target_number)`` when ``target`` is another page of the same listing as
    ``current`` (same host, same path and query but for one page number), else None. ``kind`` is ``page``
    (1-based page numbers; a URL without a number is page 1) or ``offset`` (0-based item offsets).

    >>> page_relation("https://x.ma/akhbar", "https://x.ma/akhbar/2")
    ('page', 1, 2)
    """
    c, t = urlsplit(current), urlsplit(target)
    if (c.hostname or "").lower() != (t.hostname or "").lower():
        return None
    cpath, tpath = _path_segments(c.path), _path_segments(t.path)
    cq, tq = dict(parse_qsl(c.query, keep_blank_values=True)), dict(parse_qsl(t.query, keep_blank_values=True))
    if cpath == tpath:
        diff = [k for k in set(cq) | set(tq) if cq.get(k) != tq.get(k)]
        if len(diff) != 1:
            return None
        key = diff[0]
        kind = "page" if key.lower() in _PAGE_PARAMS else "offset" if key.lower() in _OFFSET_PARAMS else None
        if kind is None:
            return None
        default = 1 if kind == "page" else 0
        cv, tv = _int(cq.get(key), default), _int(tq.get(key), default)
        return None if cv is None or tv is None else (kind, cv, tv)
    if cq != tq:
        return None
    cbase, cn = _split_page_path(cpath)
    tbase, tn = _split_page_path(tpath)
    if cbase != tbase or (cn is None and tn is None):
        return None
    return "page", cn or 1, tn or 1


# ------------------------------------------------------------------------------------------------ helpers


def _path_segments(path: str) -> list[str]:
    return [unquote(s) for s in path.split("/") if s]


def _int(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    return int(value) if value.isdigit() and len(value) <= 6 else None


def _split_page_path(segs: list[str]) -> tuple[list[str], int | None]:
    """(the listing's own path, its page number or None): /news/page/3, /news/page3, /akhbar/3, /news-3.html."""
    if len(segs) >= 2 and segs[-2].lower() in _PAGE_WORDS and _DIGITS.match(segs[-1]):
        return segs[:-2], int(segs[-1])
    if segs:
        m = _PAGE_SEG.match(segs[-1])
        if m:
            return segs[:-1], int(m[1])
        if _DIGITS.match(segs[-1]):
            return segs[:-1], int(segs[-1])
        m = _TRAILING_NUM.match(segs[-1])
        if m:
            return [*segs[:-1], m[1] + m[3]], int(m[2])
    return segs, None


def _words(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _in_block(a: etree._Element, pattern: re.Pattern[str], depth: int = 6) -> bool:
    """True when one of the link's nearest ancestors (below ``body``) has a class or id matching ``pattern``."""
    for i, el in enumerate(a.iterancestors()):
        if i >= depth or el.tag in ("body", "html"):
            break
        if pattern.search(_words(el)):
            return True
    return False


def _in_comments(a: etree._Element) -> bool:
    # Not the whole ancestry: a page wrapper's class ("has-comments") must not hide the listing's pagination.
    return bool(_COMMENT_WORDS.search(_words(a))) or _in_block(a, _COMMENT_WORDS, depth=8)


def _texts(a: etree._Element) -> tuple[str, str]:
    """(visible text key, label key): match_key of the link text and of its aria-label/title."""
    visible = match_key(" ".join(a.itertext()))
    label = match_key(a.get("aria-label") or a.get("title") or "")
    return visible, label


def _titled(a: etree._Element) -> bool:
    """True when the link's text reads like a headline (three words or more that are not a next-page or "more"
    phrase): post navigation prints the next post's title in its "next" link."""
    visible, _ = _texts(a)
    if visible in _NEXT_TEXTS or visible in _MORE_TEXTS:
        return False
    words = visible.split()
    for phrase in sorted(_NEXT_TEXTS, key=len, reverse=True):  # "Next <title>": the title alone is what counts
        if visible.startswith(phrase + " "):
            words = visible[len(phrase):].split()
            break
    return len(words) >= 3


class _Page:
    """One parsed listing page and its candidate links."""

    def __init__(self, root: etree._Element, url: str):
        self.url = canonical_url(url)
        self.key = url_key(self.url)
        base = self.url
        for b in root.iter("base"):
            if (b.get("href") or "").strip():
                base = canonical_url(b.get("href").strip(), base=self.url)
                break
        self.base = base
        self.root = root

    def resolve(self, href: str | None) -> str | None:
        href = (href or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:")):
            return None
        target = canonical_url(href, base=self.base)
        if urlsplit(target).scheme not in ("http", "https") or not same_site(target, self.url):
            return None
        if url_key(target) == self.key or _COMMENT_URL.search(href):
            return None
        return target

    def anchors(self) -> Iterator[tuple[etree._Element, str]]:
        for a in self.root.iter("a"):
            target = self.resolve(a.get("href"))
            if target and not _in_comments(a):
                yield a, target

    def accept(self, target: str, *, exact: bool, titled: bool = False) -> bool:
        """A target is the next page when it carries a higher page number than this page (the next one when
        ``exact``). Carrying none, it must not be an article-shaped URL, nor be linked by a headline-like text
        (``titled``: "Next: <the next post's title>"), nor leave a page that says it is an article: those are a
        post's "next article" links. ``exact`` refuses it outright."""
        rel = page_relation(self.url, target)
        if rel is not None:
            kind, cur, cand = rel
            if kind == "page" and exact:
                return cand == cur + 1
            return cand > cur
        if exact or titled or self.is_article:
            return False
        path = urlsplit(target).path.strip("/")
        return bool(path or urlsplit(target).query) and not looks_like_article_url(target)

    @property
    def is_article(self) -> bool:
        return any((m.get("content") or "").strip().lower() == "article"
                   for m in self.root.iter("meta") if (m.get("property") or m.get("name") or "").lower() == "og:type")


def _next_page(html: bytes | str, url: str) -> str | None:
    root = _parse(_decode(html))
    if root is None:
        return None
    page = _Page(root, url)
    rules: tuple[Callable[[_Page], str | None], ...] = (_by_rel, _by_text, _by_number, _by_hint)
    for rule in rules:
        found = rule(page)
        if found:
            return found
    return None


def _by_rel(page: _Page) -> str | None:
    for link in page.root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split():
            target = page.resolve(link.get("href"))
            if target and page.accept(target, exact=False):
                return target
    for a, target in page.anchors():
        if "next" in (a.get("rel") or "").lower().split() and page.accept(target, exact=False, titled=_titled(a)):
            return target
    return None


def _by_text(page: _Page) -> str | None:
    for a, target in page.anchors():
        visible, label = _texts(a)
        parent = a.getparent()
        classes = _words(a) + " " + (_words(parent) if parent is not None and parent.tag == "li" else "")
        said = visible in _NEXT_TEXTS or (not visible and label in _NEXT_TEXTS)
        # A class alone is weaker than words ("next-match", a slider's "next"): it needs a numbered sibling URL
        # or a pagination block around it.
        by_class = bool(_NEXT_CLASS.search(classes)) and not _DIGITS.match(visible) and (
            page_relation(page.url, target) is not None or _in_block(a, _PAGINATION_WORDS))
        if (said or by_class) and page.accept(target, exact=False, titled=_titled(a)):
            return target
    return None


def _by_number(page: _Page) -> str | None:
    offsets: list[tuple[int, str]] = []
    for a, target in page.anchors():
        rel = page_relation(page.url, target)
        if rel is None:
            continue
        kind, cur, cand = rel
        visible, _ = _texts(a)
        numbered = _DIGITS.match(visible) is not None
        if kind == "page" and cand == cur + 1 and (
                numbered and int(visible) == cand or _in_block(a, _PAGINATION_WORDS)):
            return target
        if kind == "offset" and cand > cur and numbered:
            offsets.append((cand, target))
    return min(offsets)[1] if offsets else None


def _by_hint(page: _Page) -> str | None:
    for a, target in page.anchors():
        visible, label = _texts(a)
        if (visible in _MORE_TEXTS or not visible and (not label or label in _MORE_TEXTS or label in _NEXT_TEXTS)) \
                and page.accept(target, exact=True):
            return target
    return None
