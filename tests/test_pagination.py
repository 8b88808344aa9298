"""next_page_url: the next page of a listing, on markups written for these tests (generic rules, not per site)."""

from __future__ import annotations

import pytest

from newscrawler.pagination import next_page_url, page_relation

BASE = "https://www.example.ma"

HEADLINES = """
<main><ul class="news">
  <li><article><h3><a href="/politique/184490-hukuma.html">الحكومة تصادق على مشروع قانون المالية الجديد</a></h3></article></li>
  <li><article><h3><a href="/economie/184491-bourse.html">أداء إيجابي لبورصة الدار البيضاء في ختام الأسبوع</a></h3></article></li>
</ul></main>
"""


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>أخبار</title>{head}</head><body>{HEADLINES}{body}</body></html>"


# (page URL, markup, expected next page)
POSITIVE = [
    # rel=next in the head (WordPress, Yoast), relative href
    (f"{BASE}/category/sport/", page("", '<link rel="next" href="/category/sport/page/2/">'),
     f"{BASE}/category/sport/page/2/"),
    # rel=next on the link, among rel=prev
    (f"{BASE}/akhbar?page=3", page('<div class="pager"><a rel="prev" href="?page=2">السابق</a>'
                                   '<a rel="nofollow next" href="?page=4">التالي</a></div>'),
     f"{BASE}/akhbar?page=4"),
    # Arabic text, arrows around it
    (f"{BASE}/akhbar", page('<div class="nav"><a href="/akhbar/2">التالي »</a></div>'), f"{BASE}/akhbar/2"),
    (f"{BASE}/section/economy", page('<p><a href="/section/economy/2">الصفحة التالية</a></p>'),
     f"{BASE}/section/economy/2"),
    # French and English words
    (f"{BASE}/actualites/", page('<nav><a href="/actualites/page/2/">Page suivante ›</a></nav>'),
     f"{BASE}/actualites/page/2/"),
    (f"{BASE}/fr/politique", page('<span><a href="/fr/politique?p=2">Suivant</a></span>'),
     f"{BASE}/fr/politique?p=2"),
    (f"{BASE}/blog/", page('<div class="nav-previous"><a href="/blog/page/2/">&larr; Older posts</a></div>'),
     f"{BASE}/blog/page/2/"),
    (f"{BASE}/news", page('<a href="/news?start=20" class="btn">Next page</a>'), f"{BASE}/news?start=20"),
    # the word in aria-label, an arrow as the visible text
    (f"{BASE}/sport", page('<a aria-label="Next" href="/sport?paged=2">›</a>'), f"{BASE}/sport?paged=2"),
    # class names it (WordPress page-numbers, WP-PageNavi)
    (f"{BASE}/", page('<div class="nav-links"><span aria-current="page" class="page-numbers current">1</span>'
                      '<a class="page-numbers" href="/page/2/">2</a><a class="next page-numbers" href="/page/2/">'
                      '<i class="icon"></i></a></div>'), f"{BASE}/page/2/"),
    (f"{BASE}/archives/", page('<div class="wp-pagenavi"><a class="nextpostslink" href="/archives/page/2/">'
                               '»</a></div>'), f"{BASE}/archives/page/2/"),
    # numbered links only, the current page not a link
    (f"{BASE}/akhbar/2", page('<ul class="pagination"><li><a href="/akhbar">1</a></li><li class="active">'
                              '<span>2</span></li><li><a href="/akhbar/3">3</a></li><li><a href="/akhbar/4">4</a>'
                              '</li></ul>'), f"{BASE}/akhbar/3"),
    # Arabic-Indic digits as link texts, page in the query among other parameters
    (f"{BASE}/index.php?cat=5&page=1", page('<div><a href="index.php?cat=5&page=2">٢</a> '
                                            '<a href="index.php?cat=5&page=3">٣</a></div>'),
     f"{BASE}/index.php?cat=5&page=2"),
    # offset pagination with numbers: the smallest offset above ours
    (f"{BASE}/news?start=20", page('<div><a href="/news?start=0">1</a> <a href="/news?start=40">3</a> '
                                   '<a href="/news?start=60">4</a></div>'), f"{BASE}/news?start=40"),
    # a legacy page-N.html
    (f"{BASE}/akhbar-1.html", page('<center><a href="/akhbar-2.html">2</a></center>'), f"{BASE}/akhbar-2.html"),
    # arrows only: accepted when the URL is this page's number + 1, whichever way the arrow points
    (f"{BASE}/section/culture/2", page('<div class="paging"><a href="/section/culture">«</a> '
                                       '<a href="/section/culture/3">»</a></div>'), f"{BASE}/section/culture/3"),
    (f"{BASE}/section/culture", page('<div><a href="/section/culture/2">‹</a></div>'),
     f"{BASE}/section/culture/2"),
    # "more news" that is pagination (the URL says so)
    (f"{BASE}/akhbar", page('<a class="more" href="/akhbar?page=2">المزيد من الأخبار</a>'), f"{BASE}/akhbar?page=2"),
    # <base href> decides relative links
    (f"{BASE}/x/akhbar", page('<a href="akhbar?page=2">Next</a>', '<base href="https://www.example.ma/y/">'),
     f"{BASE}/y/akhbar?page=2"),
]


@pytest.mark.parametrize(("url", "html", "expected"), POSITIVE, ids=[str(i) for i in range(len(POSITIVE))])
def test_next_page_found(url: str, html: str, expected: str | None) -> None:
    assert next_page_url(html, url) == expected


NEGATIVE = [
    # no pagination at all
    (f"{BASE}/akhbar", page("")),
    # the "next article" link of a post: article-shaped URL, even with rel=next or a next class
    (f"{BASE}/akhbar", page('<div class="post-nav"><a rel="next" href="/2025/10/07/hukuma-jadida/">'
                            'المقال التالي</a></div>')),
    (f"{BASE}/akhbar", page('<div class="nav-next"><a href="/politique/184492-barlaman.html">Next</a></div>')),
    (f"{BASE}/akhbar", page('<a href="/politique/184493-wazir.html">الخبر التالي: وزير الصحة يزور المستشفى</a>')),
    # post navigation: the next post's title as the link text, under rel=next or a next class
    (f"{BASE}/akhbar", page('<nav class="post-navigation"><div class="nav-next"><a rel="next" href="/small-world/">'
                            'A small world after all</a></div></nav>')),
    (f"{BASE}/akhbar", page('<nav class="item-pagination"><a class="item-pagination-link--next" href="/kitchen">'
                            'Next Kitchen reveal in pictures</a></nav>')),
    # an article page whose rel=next names the next post (not a numbered page of the article)
    (f"{BASE}/safar", page("", '<meta property="og:type" content="article"><link rel="next" href="/riad/">')),
    # comment pagination
    (f"{BASE}/akhbar", page('<div id="comments"><a href="/akhbar/2">التالي</a></div>')),
    (f"{BASE}/akhbar", page('<a href="/post/comment-page-2/#comments">Next</a>')),
    (f"{BASE}/akhbar", page('<a href="/akhbar?cpage=2">Suivant</a>')),
    # the link back to page 1 and to the previous page
    (f"{BASE}/akhbar/2", page('<div class="pagination"><a href="/akhbar">1</a><span>2</span></div>')),
    (f"{BASE}/akhbar?page=3", page('<a href="/akhbar?page=2">»</a> <a href="/akhbar?page=1">1</a>')),
    (f"{BASE}/news/page/5/", page('<a rel="next" href="/news/page/4/">next</a>')),
    # the page itself, off-site, javascript
    (f"{BASE}/akhbar", page('<a href="/akhbar">التالي</a> <a href="https://other.ma/akhbar/2">Next</a>'
                            '<a href="javascript:more()">المزيد</a>')),
    # an arrow or "more" that is not pagination: a section link, a carousel
    (f"{BASE}/akhbar", page('<a href="/section/sport">المزيد من الأخبار</a> <a href="#slide2">›</a>')),
    # a numbered link that is not this listing's next number (a "last page" jump, another section)
    (f"{BASE}/akhbar", page('<div class="pagination"><a href="/akhbar/9">»»</a> <a href="/sport/2">2</a></div>')),
    # a "2" that is a headline's comment count
    (f"{BASE}/akhbar", page('<span class="meta"><a href="/politique/184490-hukuma.html#respond">2</a></span>')),
    # a "next" class that is not pagination (next match, a slider)
    (f"{BASE}/", page('<div class="fixtures"><a class="next-match" href="/sport/matches">المباراة القادمة</a></div>')),
    # broken input
    (f"{BASE}/akhbar", ""),
    (f"{BASE}/akhbar", b"\x00\x01"),
]


@pytest.mark.parametrize(("url", "html"), NEGATIVE, ids=[str(i) for i in range(len(NEGATIVE))])
def test_no_next_page(url: str, html: str | bytes) -> None:
    assert next_page_url(html, url) is None


def test_bytes_in_a_legacy_charset() -> None:
    html = page('<a href="/akhbar?page=2">التالي</a>').replace("<head>", '<head><meta charset="windows-1256">')
    assert next_page_url(html.encode("cp1256"), f"{BASE}/akhbar") == f"{BASE}/akhbar?page=2"


def test_a_paginated_article_keeps_its_numbered_next_page() -> None:
    html = page("", '<meta property="og:type" content="article"><link rel="next" href="/safar/page/2/">')
    assert next_page_url(html, f"{BASE}/safar/") == f"{BASE}/safar/page/2/"


def test_a_page_wrapper_naming_comments_does_not_hide_pagination() -> None:
    inner = '<div class="pagination"><a href="/akhbar/2">2</a></div>'
    for _ in range(8):
        inner = f"<div>{inner}</div>"
    html = page(f'<div class="site has-comments">{inner}</div>')
    assert next_page_url(html, f"{BASE}/akhbar") == f"{BASE}/akhbar/2"


def test_rel_next_wins_over_text() -> None:
    html = page('<a href="/akhbar?page=9">Next</a>', '<link rel="next" href="/akhbar?page=2">')
    assert next_page_url(html, f"{BASE}/akhbar") == f"{BASE}/akhbar?page=2"


@pytest.mark.parametrize(("current", "target", "expected"), [
    (f"{BASE}/akhbar", f"{BASE}/akhbar/2", ("page", 1, 2)),
    (f"{BASE}/akhbar/", f"{BASE}/akhbar/page/3/", ("page", 1, 3)),
    (f"{BASE}/akhbar/page/3/", f"{BASE}/akhbar/", ("page", 3, 1)),
    (f"{BASE}/?cat=2&paged=2", f"{BASE}/?cat=2&paged=3", ("page", 2, 3)),
    (f"{BASE}/news", f"{BASE}/news?offset=30", ("offset", 0, 30)),
    (f"{BASE}/news", f"{BASE}/sport/2", None),
    (f"{BASE}/news?page=2", f"{BASE}/news?page=3&cat=1", None),
    (f"{BASE}/news", "https://other.ma/news/2", None),
    (f"{BASE}/news?id=5", f"{BASE}/news?id=6", None),
])
def test_page_relation(current: str, target: str, expected: tuple[str, int, int] | None) -> None:
    assert page_relation(current, target) == expected
