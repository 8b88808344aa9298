"""Golden-style tests for newscrawler.extract.extract_article on pages written by the team."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newscrawler.extract import extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2025, 10, 8, 12, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
KEYS = {
    "is_article", "page_type", "reason", "title", "body", "summary", "published_at", "modified_at",
    "published_raw", "published_rule", "authors", "tags", "section", "image_url", "language", "canonical_url",
    "source_url", "source_name", "method", "encoding",
}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_jsonld_article() -> None:
    url = "https://www.atlas-news.ma/culture/2025/10/07/maktaba-raqmiya"
    r = extract_article(page("jsonld_article.html"), url, now=NOW)
    assert set(r) == KEYS
    assert r["is_article"] is True and r["page_type"] == "article" and r["reason"] is None
    assert r["title"] == "افتتاح مكتبة رقمية جديدة في مدينة فاس"
    assert r["method"]["title"] == "jsonld"
    # JSON-LD with a trailing comma and an @graph is still read.
    assert r["published_at"] == "2025-10-07T10:30:00+01:00"
    assert r["published_rule"] == "jsonld"
    assert r["modified_at"] == "2025-10-07T12:00:00+01:00"
    assert r["authors"] == ["سعاد المرابط", "يوسف الإدريسي"]
    assert r["section"] == "ثقافة"
    assert r["tags"] == ["فاس", "مكتبات", "رقمنة"]
    assert r["image_url"] == "https://www.atlas-news.ma/img/library.jpg"
    assert r["language"] == "ar"
    # rel=canonical on the same site, tracking parameter dropped.
    assert r["canonical_url"] == "https://www.atlas-news.ma/culture/2025/10/07/maktaba-raqmiya"
    assert r["source_url"] == r["canonical_url"]
    assert r["source_name"] == "جريدة الأطلس"
    paras = r["body"].split("\n\n")
    assert len(paras) == 3
    assert paras[0].startswith("فتحت المكتبة الرقمية الجديدة أبوابها")
    assert paras[2].endswith("خلال الأسابيع المقبلة.")
    for junk in ("اقرأ أيضا", "شارك", "النشرة البريدية", "جميع الحقوق", "الرئيسية"):
        assert junk not in r["body"]
    assert r["encoding"] == "utf-8"


def test_meta_only_article() -> None:
    r = extract_article(page("meta_only.html"), "https://sahil24.ma/news/12345?utm_campaign=x", now=NOW)
    assert r["is_article"]
    assert r["title"] == "أمطار رعدية مرتقبة بعدد من مناطق المملكة"
    assert r["method"]["title"] == "meta"
    assert r["published_at"] == "2025-10-08T08:15:00+01:00" and r["published_rule"] == "meta"
    assert r["authors"] == ["هشام بنعلي"]
    assert r["section"] == "مجتمع" and r["tags"] == ["طقس"]
    assert r["summary"] == "نشرة إنذارية تتوقع أمطارا رعدية قوية."
    assert r["canonical_url"] == "https://sahil24.ma/news/12345"
    assert r["method"]["canonical_url"] == "meta"
    assert r["source_name"] == "موقع الساحل"
    assert len(r["body"].split("\n\n")) == 3
    assert "تعليق" not in r["body"]


SELECTORS = {
    "title": ".news-title",
    "body": ".news-text",
    "date": ".news-date",
    "author": ".news-writer",
    "remove": [".ad-box"],
}


def test_selectors_page() -> None:
    r = extract_article(page("selectors_only.html"), "https://nakhil.example.ma/sport/77", now=NOW,
                        selectors=SELECTORS, source_name="النخيل")
    assert r["is_article"]
    assert r["title"] == "فريق المدينة يتأهل إلى نصف نهائي الكأس"
    assert r["method"]["title"] == "selector" and r["method"]["body"] == "selector"
    # Moroccan month name and the 18h05 form, read in the source's zone.
    assert r["published_at"] == "2025-09-12T18:05:00+01:00"
    assert r["published_raw"] == "الأحد 12 شتنبر 2025 - 18h05" and r["published_rule"] == "selector"
    assert r["authors"] == ["كريم العلوي"]
    paras = r["body"].split("\n\n")
    assert len(paras) == 3 and "إعلان" not in r["body"]
    assert paras[2] == 'وعبر المدرب عن سعادته بالأداء، مؤكدا أن اللاعبين "قدموا كل ما لديهم" طيلة التسعين دقيقة.'
    assert r["source_name"] == "النخيل"


def test_aggregator_copy_points_to_source() -> None:
    url = "https://akhbar-alan.example/article/998877?utm_source=feed"
    r = extract_article(page("aggregator.html"), url, now=NOW)
    assert r["is_article"]
    assert r["title"] == "في ندوة عن بعد.. خبراء يناقشون مستقبل التعليم الرقمي"
    assert r["canonical_url"] == "https://akhbar-alan.example/article/998877"
    assert r["source_url"] == "https://www.addiffa-news.example/education/2025/10/06/nadwa.html"
    assert r["source_name"] == "جريدة الضفة"
    body = r["body"]
    assert body.startswith("نظمت جمعية للباحثين ندوة مشتركة عن بعد")
    assert "(...)" in body and "إلخ" in body
    for junk in ("شكرا على الإبلاغ", "انقر هنا", "الحكومة تصادق", "المصدر"):
        assert junk not in body
    # Relative date next to the title, against the fetch time.
    assert r["published_at"] == "2025-10-08T10:00:00+01:00" and r["published_rule"] == "text"


def test_windows_1256_without_charset() -> None:
    r = extract_article(page("windows1256_nocharset.html"), "https://old.example.ma/article.php?id=5", now=NOW)
    assert r["encoding"] == "windows-1256"
    assert r["title"] == "ارتفاع أسعار الخضر في الأسواق"
    assert r["body"].startswith("سجلت أسعار الخضر ارتفاعا ملحوظا")
    assert r["canonical_url"] == "https://old.example.ma/article.php?id=5"
    assert r["published_at"] is None


def test_listing_page() -> None:
    r = extract_article(page("listing.html"), "https://sahil24.ma/category/politique", now=NOW)
    assert r["is_article"] is False
    assert r["page_type"] == "listing" and r["reason"] == "not_article: listing"


@pytest.mark.parametrize(
    ("name", "ptype", "reason"),
    [
        ("js_challenge.html", "blocked", "blocked: javascript challenge"),
        ("consent_wall.html", "blocked", "blocked: consent wall"),
        ("video_only.html", "video", "not_article: video"),
    ],
)
def test_not_articles(name: str, ptype: str, reason: str) -> None:
    r = extract_article(page(name), "https://example.ma/some/page", now=NOW)
    assert (r["is_article"], r["page_type"], r["reason"]) == (False, ptype, reason)


def test_broken_html_still_extracts() -> None:
    r = extract_article(page("broken.html"), "https://example.ma/a/1", now=NOW)
    assert r["is_article"] and r["title"] == "خبر مقطوع"
    assert r["body"].split("\n\n")[0].startswith("هذا نص خبر لم يكتمل")
    assert len(r["body"].split("\n\n")) == 2


@pytest.mark.parametrize("html", [b"", "", b"\x00\x01\x02", "   ", b"<html></html>", None])
def test_unparsable_is_empty(html: bytes | str | None) -> None:
    r = extract_article(html, "https://example.ma/x")  # type: ignore[arg-type]
    assert r["is_article"] is False and r["page_type"] == "empty"
    assert set(r) == KEYS


def test_future_and_url_dates() -> None:
    html = """<html><head><meta property="article:published_time" content="2031-01-01T10:00:00+01:00">
    <title>t</title></head><body><h1>عنوان تجريبي طويل بما يكفي</h1><div class="content"><p>"""
    html += "نص المقال التجريبي الذي يتكرر عدة مرات ليكون طويلا بما يكفي. " * 10 + "</p></div></body></html>"
    r = extract_article(html, "https://example.ma/2025/10/06/slug", now=NOW)
    # The future meta date is rejected; the URL gives the day.
    assert r["published_at"] == "2025-10-06T00:00:00+01:00" and r["published_rule"] == "url"


def test_title_site_suffix_stripped() -> None:
    html = """<html><head><title>وزير الصحة يزور المستشفى الجهوي | هسبريس</title>
    <meta property="og:site_name" content="هسبريس"></head><body><div class="x"><p>"""
    html += "فقرة من نص الخبر تتحدث عن زيارة ميدانية للمستشفى الجهوي. " * 8 + "</p></div></body></html>"
    r = extract_article(html, "https://www.hespress.com/x-1.html", now=NOW)
    assert r["title"] == "وزير الصحة يزور المستشفى الجهوي"
    assert r["method"]["title"] == "title_tag"


def test_broken_part_does_not_break_the_rest() -> None:
    html = """<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": ["a", {}],
    "author": 12, "datePublished": {"x": 1}, "image": [[]]}</script><title>عنوان الصفحة هنا</title></head>
    <body><article><h1>عنوان الصفحة هنا</h1><p>"""
    html += "نص قصير يتكرر ليصبح فقرة كاملة في المقال. " * 8 + "</p></article></body></html>"
    r = extract_article(html, "https://example.ma/a", now=NOW, selectors={"title": "!!bad[", "body": 5})
    assert r["title"] == "عنوان الصفحة هنا"
    assert r["body"].startswith("نص قصير")
    assert r["published_at"] is None


def test_str_input_and_extract_listing_reexport() -> None:
    from newscrawler import extract

    r = extract_article((PAGES / "meta_only.html").read_text(encoding="utf-8"), "https://sahil24.ma/news/12345")
    assert r["title"] == "أمطار رعدية مرتقبة بعدد من مناطق المملكة"
    assert callable(extract.extract_listing)


def test_small_tag_page_without_paragraphs_is_a_listing():
    links = "".join(
        f'<li><a href="/news.php?id={i}">عنوان خبر رقم {i} عن التساقطات المطرية في جهة الشمال</a></li>'
        for i in range(6)
    )
    page = f'<html><body><h1>وسم: الطقس</h1><ul>{links}</ul></body></html>'
    article = extract_article(page, "https://wadi.example/label.php?t=weather")
    assert article["is_article"] is False
    assert article["page_type"] == "listing"


# ---- titles, dates and authors: rules measured on real pages, tested on our own small fixtures

_FILLER_AR = "<p>" + "نص الخبر يتحدث عن تطورات الموسم الفلاحي في جهة سوس ماسة، ويعرض أرقاما جديدة. " * 8 + "</p>"
_FILLER_EN = "<p>" + "The story text describes the new harbour works, with figures from the port authority. " * 8 + "</p>"


def _page(head: str, body: str, filler: str = _FILLER_AR) -> str:
    return f"<html><head>{head}</head><body><article>{body}{filler}</article></body></html>"


def test_title_colon_kicker_in_metadata_is_kept() -> None:
    head = '<meta property="og:title" content="الموسم الفلاحي: أمطار الخريف تنعش آمال الفلاحين">'
    r = extract_article(_page(head, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/1", now=NOW)
    assert r["title"] == "الموسم الفلاحي: أمطار الخريف تنعش آمال الفلاحين"
    assert r["method"]["title"] == "meta"


def test_title_pipe_suffix_in_metadata_is_dropped_for_h1() -> None:
    head = '<meta property="og:title" content="Harbour works resume in Agadir | Port guide">'
    r = extract_article(_page(head, "<h1>Harbour works resume in Agadir</h1>", _FILLER_EN), "https://b.example/x",
                        now=NOW)
    assert r["title"] == "Harbour works resume in Agadir"
    assert r["method"]["title"] == "h1"


def test_title_label_h1_loses_to_metadata() -> None:
    head = '<meta property="og:title" content="Harbour works resume in Agadir after the storm">'
    r = extract_article(_page(head, "<h1>Our Blog</h1>", _FILLER_EN), "https://b.example/y", now=NOW)
    assert r["title"] == "Harbour works resume in Agadir after the storm"
    head = '<meta property="og:title" content="أمطار الخريف تنعش آمال الفلاحين في سوس">'
    r = extract_article(_page(head, "<h1>0 تعليقات</h1>"), "https://a.example/n/2", now=NOW)
    assert r["title"] == "أمطار الخريف تنعش آمال الفلاحين في سوس"


def test_title_json_ld_and_open_graph_agreeing_beat_a_different_h1() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Agadir port reopens"}</script>'
    og = '<meta property="og:title" content="Agadir port reopens | Harbour News">'
    body = "<h1>After three weeks of repairs, ships dock again in Agadir</h1>"
    r = extract_article(_page(ld + og + '<meta property="og:site_name" content="Harbour News">', body, _FILLER_EN),
                        "https://b.example/port", now=NOW)
    assert r["title"] == "Agadir port reopens" and r["method"]["title"] == "jsonld"
    # Only one of them present: the single visible h1 wins, as before.
    r = extract_article(_page(og, body, _FILLER_EN), "https://b.example/port", now=NOW)
    assert r["title"] == "After three weeks of repairs, ships dock again in Agadir"


def test_title_kicker_written_with_a_colon_in_open_graph_and_a_dash_in_json_ld() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"headline": "Port works - Agadir cranes start work"}</script>')
    og = '<meta property="og:title" content="Port works: Agadir cranes start work">'
    r = extract_article(_page(ld + og, "<h1>Agadir cranes start work</h1>", _FILLER_EN), "https://b.example/c",
                        now=NOW)
    assert r["title"] == "Port works: Agadir cranes start work" and r["method"]["title"] == "meta"


def test_title_json_ld_headline_beats_a_different_h1_but_og_title_alone_does_not() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Agadir port reopens"}</script>'
    body = "<h1>After three weeks of repairs, ships dock again in Agadir</h1>"
    r = extract_article(_page(ld, body, _FILLER_EN), "https://b.example/port", now=NOW)
    assert r["title"] == "Agadir port reopens" and r["method"]["title"] == "jsonld"
    assert "ships dock again" not in r["body"]  # the h1 shown in its place is a headline, not story text
    og = '<meta property="og:title" content="Agadir port reopens">'
    r = extract_article(_page(og, body, _FILLER_EN), "https://b.example/port", now=NOW)
    assert r["title"] == "After three weeks of repairs, ships dock again in Agadir"


def test_date_from_microdata_on_a_visible_element() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>'
            '<span itemprop="datePublished" class="ml-2">October 7, 2025</span>'
            '<p class="x">Updated on October 8, 2025</p>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-10-07") and r["published_rule"] == "meta"


def test_date_visible_after_the_h1_without_date_class() -> None:
    body = '<h1>Harbour works resume in Agadir</h1><div class="c1"><p class="c2">Nadia K. - 06/10/2025</p></div>'
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-10-06") and r["published_rule"] == "text"
    body = '<h1>أمطار الخريف تنعش آمال الفلاحين</h1><div class="c1"><p>سعيد العلوي | 5 أكتوبر 2025</p></div>'
    r = extract_article(_page("", body), "https://a.example/n/3", now=NOW)
    assert r["published_at"].startswith("2025-10-05") and r["published_rule"] == "text"


def test_date_published_label_beats_updated_label() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>'
            '<p class="c"><span>Last updated on:</span> <span>October 8, 2025</span> '
            '<span>Published:</span> <span>September 29, 2025</span></p>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-09-29")


def test_time_marked_as_update_comes_after_the_publication_time() -> None:
    body = ('<h1>أمطار الخريف تنعش آمال الفلاحين</h1><time class="updated" datetime="2025-10-08T09:00:00+01:00">'
            '</time><span class="published"><time datetime="2025-10-06T18:05:00+01:00"></time></span>')
    r = extract_article(_page("", body), "https://a.example/n/4", now=NOW)
    assert r["published_at"] == "2025-10-06T18:05:00+01:00" and r["published_rule"] == "time"


def test_visible_future_date_is_never_returned() -> None:
    body = '<h1>أمطار الخريف تنعش آمال الفلاحين</h1><p>موعد الحدث: 20 دجنبر 2025</p>'
    r = extract_article(_page("", body), "https://a.example/n/5", now=NOW)
    assert r["published_at"] is None


def test_authors_from_jsonld_list_nested_names_and_organisation() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x", "author": '
          '[{"@type": "Person", "name": "سعاد المرابط"}, "Youssef Idrissi"]}</script>')
    r = extract_article(_page(ld, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/6", now=NOW)
    assert r["authors"] == ["سعاد المرابط", "Youssef Idrissi"] and r["method"]["authors"] == "jsonld"
    # The publisher named as author in its own metadata is kept: that is the byline it chose.
    ld = ('<meta property="og:site_name" content="وكالة الأنباء"><script type="application/ld+json">'
          '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "وكالة الأنباء"}}</script>')
    r = extract_article(_page(ld, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/7", now=NOW)
    assert r["authors"] == ["وكالة الأنباء"]


def test_authors_meta_skips_urls_emails_and_handles() -> None:
    head = ('<meta name="author" content="https://a.example/u/1"><meta name="author" content="n.k@a.example">'
            '<meta name="twitter:creator" content="nadiak"><meta name="twitter:label1" content="Written by">'
            '<meta name="twitter:data1" content="Nadia Karimi">')
    r = extract_article(_page(head, "<h1>Harbour works resume</h1>", _FILLER_EN), "https://b.example/h", now=NOW)
    assert r["authors"] == ["Nadia Karimi"] and r["method"]["authors"] == "meta"


def test_authors_from_visible_byline() -> None:
    body = '<h1>Harbour works resume in Agadir</h1><p class="c">By Nadia Karimi and Omar Benali</p>'
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/h1", now=NOW)
    assert r["authors"] == ["Nadia Karimi", "Omar Benali"] and r["method"]["authors"] == "dom"
    body = '<h1>أمطار الخريف تنعش آمال الفلاحين</h1><div class="c"><span>بقلم: سعاد المرابط و يوسف الإدريسي</span></div>'
    r = extract_article(_page("", body), "https://a.example/n/8", now=NOW)
    assert r["authors"] == ["سعاد المرابط", "يوسف الإدريسي"]


def test_authors_from_author_link_and_class_drop_roles() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><div class="meta"><a href="/author/nadia-karimi/">Nadia Karimi</a>'
            '<span> - Staff Writer</span></div>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/h2", now=NOW)
    assert r["authors"] == ["Nadia Karimi"]
    body = '<h1>Harbour works resume in Agadir</h1><div class="post-author">Omar Benali Senior Reporter</div>'
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/h3", now=NOW)
    assert r["authors"] == ["Omar Benali"]


def test_authors_ignore_comment_authors_and_site_name_in_dom() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><div class="comments"><div class="comment">'
            '<span class="comment-author">Jane Reader</span></div></div>')
    head = '<meta property="og:site_name" content="Port News">'
    body2 = '<h1>Harbour works resume in Agadir</h1><p class="byline">By Port News</p>'
    assert extract_article(_page("", body, _FILLER_EN), "https://b.example/h4", now=NOW)["authors"] == []
    assert extract_article(_page(head, body2, _FILLER_EN), "https://b.example/h5", now=NOW)["authors"] == []


def test_authors_site_name_in_metadata_gives_way_to_a_reporter_in_the_byline() -> None:
    # The CMS put the site's name in the author field; the page shows who wrote the story.
    head = '<meta property="og:site_name" content="Port News"><meta name="author" content="Port News">'
    body = '<h1>Harbour works resume in Agadir</h1><p class="byline">By Nadia Karimi</p>'
    r = extract_article(_page(head, body, _FILLER_EN), "https://b.example/o1", now=NOW)
    assert r["authors"] == ["Nadia Karimi"] and r["method"]["authors"] == "dom"
    # A JSON-LD author typed as an organisation, and the host's own name, count as the publisher too.
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
          '{"@type": "NewsMediaOrganization", "name": "Akhbar Press"}}</script>')
    body = '<h1>أمطار الخريف تنعش آمال الفلاحين</h1><div class="c"><span>بقلم: سعاد المرابط</span></div>'
    r = extract_article(_page(ld, body), "https://a.example/n/o2", now=NOW)
    assert r["authors"] == ["سعاد المرابط"]
    head = '<meta name="author" content="BEXAMPLE Online">'
    r = extract_article(_page(head, '<h1>Harbour works resume in Agadir</h1><p>By Omar Benali</p>', _FILLER_EN),
                        "https://www.bexample.com/o3", now=NOW)
    assert r["authors"] == ["Omar Benali"]


def test_authors_publisher_in_metadata_kept_when_the_byline_shows_no_person() -> None:
    # One word next to the headline ("Folgen" = "Follow", an agency code) is not enough to replace it.
    head = '<meta property="og:site_name" content="Port News"><meta name="author" content="Port News">'
    body = '<h1>Harbour works resume in Agadir</h1><p class="byline">Von Folgen</p>'
    r = extract_article(_page(head, body, _FILLER_EN), "https://b.example/o4", now=NOW)
    assert r["authors"] == ["Port News"] and r["method"]["authors"] == "meta"
    # ... nor is a variant of the site's own name.
    body = '<h1>Harbour works resume in Agadir</h1><p class="byline">By Port News Agencies</p>'
    r = extract_article(_page(head, body, _FILLER_EN), "https://b.example/o5", now=NOW)
    assert r["authors"] == ["Port News"]
    # A person whose name merely starts like the host ("dw") is a person, not the publisher.
    head = '<meta name="author" content="Dwayne Harlow">'
    body = '<h1>Harbour works resume in Agadir</h1><p class="byline">By Omar Benali</p>'
    r = extract_article(_page(head, body, _FILLER_EN), "https://www.dw.example/o6", now=NOW)
    assert r["authors"] == ["Dwayne Harlow"] and r["method"]["authors"] == "meta"


def test_authors_teaser_bylines_and_social_profiles_are_not_the_author() -> None:
    # "By ..." inside a link to a related story names that story's author.
    body = ('<h1>Harbour works resume in Agadir</h1><div class="more"><a href="/2025/10/other-story">'
            '<span>Fishing fleet returns</span><span>By Omar Benali</span></a></div>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/t1", now=NOW)
    assert r["authors"] == []
    # A "profile" link to another site is a share or follow button, not an author page.
    body = ('<h1>Harbour works resume in Agadir</h1><ul class="menu"><li><a href="https://social.example/profile/'
            'portnews">Bluesky Channel</a></li></ul>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/t2", now=NOW)
    assert r["authors"] == []
    body = ('<h1>Harbour works resume in Agadir</h1><p><a href="https://b.example/profile/nadia-karimi">'
            'Nadia Karimi</a></p>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/t3", now=NOW)
    assert r["authors"] == ["Nadia Karimi"]
    body = '<h1>Harbour works resume in Agadir</h1><p><a href="/user/login">Log in</a></p>'
    assert extract_article(_page("", body, _FILLER_EN), "https://b.example/t4", now=NOW)["authors"] == []


def test_authors_read_inside_responsive_wrappers_and_author_box_names() -> None:
    # "responsive" is not a comment section (an old test matched "respon" and lost these bylines)
    body = ('<div class="responsive-wrap"><h1>Harbour works resume in Agadir</h1><p class="post-meta">'
            '<span class="author"><a href="/blog/author/omar/">Omar Benali</a></span></p></div>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/r1", now=NOW)
    assert r["authors"] == ["Omar Benali"]
    # The author box is skipped (bio, avatar), its name element is not.
    body = ('<h1>Harbour works resume in Agadir</h1><div class="author-box"><h4 class="author-box__name">'
            'Nadia Karimi (Content Manager)</h4></div>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/r2", now=NOW)
    assert r["authors"] == ["Nadia Karimi"]


def test_authors_box_far_below_a_long_story_when_it_names_one_person() -> None:
    story = "".join(f"<p>Paragraph {i} of the harbour story, with figures from the port authority.</p>" for i in range(300))
    box = '<div class="about"><h4>Written by</h4><a href="/author/nadia-karimi/">Nadia Karimi</a></div>'
    r = extract_article(_page("", f"<h1>Harbour works resume in Agadir</h1>{story}{box}", _FILLER_EN),
                        "https://b.example/f1", now=NOW)
    assert r["authors"] == ["Nadia Karimi"] and r["method"]["authors"] == "dom"
    # Two people named down there (a list of posts, a sidebar) is no answer.
    box += '<div class="side"><a href="/author/omar-benali/">Omar Benali</a></div>'
    r = extract_article(_page("", f"<h1>Harbour works resume in Agadir</h1>{story}{box}", _FILLER_EN),
                        "https://b.example/f2", now=NOW)
    assert r["authors"] == []


@pytest.mark.parametrize(("byline", "authors"), [
    ('<span class="author">أخبار اليوم - محمد الراجي</span>', ["محمد الراجي"]),  # site - name: the name
    ('<span class="author">محمد الراجي - أخبار اليوم</span>', ["محمد الراجي"]),
    ('<span class="writer">أخبار اليوم من الرباط</span>', []),  # the site "from Rabat" is not a person
])
def test_authors_site_name_beside_or_around_the_reporter(byline: str, authors: list[str]) -> None:
    head = '<meta property="og:site_name" content="أخبار اليوم">'
    r = extract_article(_page(head, f"<h1>أمطار الخريف تنعش آمال الفلاحين</h1>{byline}"), "https://a.example/n/s1",
                        now=NOW)
    assert r["authors"] == authors


def test_authors_site_name_glued_after_the_reporter_is_cut() -> None:
    head = '<meta property="og:site_name" content="Port News">'
    body = '<h1>Harbour works resume in Agadir</h1><div class="author-name">Nadia Karimi Port News harbour desk</div>'
    r = extract_article(_page(head, body, _FILLER_EN), "https://b.example/g1", now=NOW)
    assert r["authors"] == ["Nadia Karimi"]


@pytest.mark.parametrize(("byline", "authors"), [
    ('<div class="author">مشاركة</div>', []),  # "share"
    ('<div class="author">تعليقات (3)</div>', []),  # "comments"
    ('<div class="author-info">تابعونا على فيسبوك</div>', []),  # "follow us on Facebook"
    ('<span class="author">المحرر</span>', []),  # "the editor": a role
    ('<span class="author">متابعة</span>', []),  # a desk's "follow-up" credit
    ('<span class="author">متابعة: سعاد المرابط</span>', ["سعاد المرابط"]),
    ('<span class="author">و م ع</span>', ["و م ع"]),  # the national agency's initials are its byline
])
def test_authors_arabic_interface_words_are_not_names(byline: str, authors: list[str]) -> None:
    r = extract_article(_page("", f"<h1>أمطار الخريف تنعش آمال الفلاحين</h1>{byline}"), "https://a.example/n/i1",
                        now=NOW)
    assert r["authors"] == authors


def test_authors_twitter_label_in_german() -> None:
    head = '<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Gregor Ammann">'
    r = extract_article(_page(head, "<h1>Hafenarbeiten in Agadir gehen weiter</h1>", _FILLER_EN),
                        "https://d.example/a", now=NOW)
    assert r["authors"] == ["Gregor Ammann"] and r["method"]["authors"] == "meta"


def test_authors_glued_spans_and_credit_tails() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><div class="author-name"><span>Author</span><span>Nadia Karimi'
            '</span></div>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/h6", now=NOW)
    assert r["authors"] == ["Nadia Karimi"]
    body = '<h1>Harbour works resume in Agadir</h1><p>By Omar Benali Edited by Sara Lahlou</p>'
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/h7", now=NOW)
    assert r["authors"] == ["Omar Benali"]


def test_date_and_byline_found_next_to_an_h2_headline_when_the_h1_is_a_widget() -> None:
    head = '<meta property="og:title" content="أمطار الخريف تنعش آمال الفلاحين في سوس">'
    body = ('<h2>أمطار الخريف تنعش آمال الفلاحين في سوس</h2><div class="c"><span>بقلم سعاد المرابط</span>'
            '<span>06/10/2025</span></div>')
    html = f"<html><head>{head}</head><body><h1>0 تعليقات</h1><article>{body}{_FILLER_AR}</article></body></html>"
    r = extract_article(html, "https://a.example/n/9", now=NOW)
    assert r["title"] == "أمطار الخريف تنعش آمال الفلاحين في سوس"
    assert r["published_at"].startswith("2025-10-06") and r["authors"] == ["سعاد المرابط"]


def test_title_metadata_with_more_headline_words_beats_a_shortened_h1() -> None:
    head = '<meta property="og:title" content="Harbour works resume in Agadir: what changes for fishermen">'
    r = extract_article(_page(head, "<h1>Harbour works resume in Agadir</h1>", _FILLER_EN), "https://b.example/t1",
                        now=NOW)
    assert r["title"] == "Harbour works resume in Agadir: what changes for fishermen"
    head = '<meta property="og:title" content="أخبار | أمطار الخريف تنعش آمال الفلاحين">'
    r = extract_article(_page(head, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/10", now=NOW)
    assert r["title"] == "أمطار الخريف تنعش آمال الفلاحين" and r["method"]["title"] == "h1"


# ---- body extraction and page types: rules measured on real pages, tested on our own small fixtures

_STORY_AR = [
    "أعلنت السلطات المحلية بمدينة الصويرة عن انطلاق أشغال تهيئة الكورنيش، في مشروع يمتد على ثلاث سنوات.",
    "وأوضح بلاغ للجماعة أن المشروع يشمل توسيع الممرات، وتجديد الإنارة العمومية، وإحداث فضاءات خضراء جديدة.",
    "ويرتقب أن تساهم هذه الأشغال في تحسين جاذبية المدينة السياحية، خاصة خلال فصل الصيف الذي يعرف إقبالا كبيرا.",
]


def _ps(paras: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paras)


def test_story_inside_a_nav_or_widget_wrapper_is_kept() -> None:
    # Some themes wrap the whole page in a <nav> or a "widget" element; the story container inside must survive.
    html = ('<html><body><nav class="navbar"><div class="widget Blog"><h1>أشغال تهيئة كورنيش الصويرة</h1>'
            f'<div class="post-body entry-content">{_ps(_STORY_AR)}</div></div></nav>'
            '<footer>جميع الحقوق محفوظة</footer></body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["is_article"] is True
    for p in _STORY_AR:
        assert p in r["body"]


def test_related_box_and_more_from_teasers_are_dropped() -> None:
    teasers = "".join(
        f'<div class="card"><a href="/n/{i}">عنوان خبر آخر رقم {i}</a><p>ملخص قصير لخبر آخر لا علاقة له بالموضوع.</p></div>'
        for i in range(4)
    )
    more = [f"{p} (الفقرة {i})" for i, p in enumerate(_STORY_AR)]
    html = ('<html><body><article><h1>أشغال تهيئة كورنيش الصويرة</h1>'
            f'<div class="text">{_ps(_STORY_AR[:2])}'
            '<div class="box"><h4>مقالات ذات صلة</h4><ul><li><a href="/a">خبر أول عن الكورنيش</a></li>'
            '<li><a href="/b">خبر ثان عن المدينة</a></li></ul></div>'
            f'{_ps(_STORY_AR[2:] + more)}<h2>المزيد من الأخبار</h2>{teasers}</div></article></body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR + more
    assert "خبر أول" not in r["body"] and "ملخص قصير" not in r["body"] and "المزيد من" not in r["body"]


def test_datelines_credits_and_app_promos_are_not_body() -> None:
    html = ('<html><body><article><h1>أشغال تهيئة كورنيش الصويرة</h1><div class="content">'
            '<p>آخر تحديث: 07/10/2025 18:05</p>'
            f'{_ps(_STORY_AR)}'
            '<p>صورة: عبد الله الصويري</p><p>إشترك لمشاهدة الفيديوهات عبر الانترنت</p>'
            '<p>حمل الآن تطبيق الموقع للهواتف</p><p>Stand: 17.06.2025 18:24 Uhr</p>'
            '</div></article></body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR


def test_jsonld_article_body_vouches_for_dom_paragraphs() -> None:
    import json

    ld = json.dumps({"@type": "NewsArticle", "headline": "أشغال تهيئة كورنيش الصويرة",
                     "datePublished": "2025-10-07T10:00:00+01:00", "articleBody": " ".join(_STORY_AR)},
                    ensure_ascii=False)
    html = (f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>'
            f'<h1>أشغال تهيئة كورنيش الصويرة</h1><div class="content">{_ps(_STORY_AR)}'
            '<p>للإطلاع على آخر الأخبار وأحدث البرامج اليومية في المغرب والعالم تابعوا موقعنا كل يوم.</p>'
            '</div></article></body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR
    # An articleBody that repeats the story twice is not "longer" than the page: the DOM text stays.
    doubled = ld.replace(" ".join(_STORY_AR), " ".join(_STORY_AR * 2))
    r = extract_article(html.replace(ld, doubled), "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["method"]["body"] == "dom"


@pytest.mark.parametrize(("page_type", "extra"), [
    ("product", '<p>Price: $129.00</p><button>Add to cart</button><p>In stock</p>'),
    ("documentation", "<pre>pip install thing</pre><pre>thing --help</pre><pre>thing run</pre>"),
    ("service", '<p>Call us: <a href="tel:+212500000000">0500 000 000</a></p><p>Get a free quote today.</p>'),
])
def test_non_article_pages_without_article_evidence(page_type: str, extra: str) -> None:
    text = "Our team has served the region for twenty years with care, skill and attention to detail. " * 4
    html = f"<html><body><h1>Solar water heaters</h1><div class='main'><p>{text}</p>{extra}</div></body></html>"
    r = extract_article(html, "https://shop.example/solar-water-heaters", now=NOW)
    assert r["is_article"] is False and r["page_type"] == page_type
    assert r["reason"] == f"not_article: {page_type}"
    # The same page with a publication date and a byline is an article: rejecting a story costs more.
    dated = html.replace("<h1>", '<p class="byline">By Nadia K.</p><time datetime="2025-10-06">6 Oct</time><h1>')
    r = extract_article(dated, "https://shop.example/solar-water-heaters", now=NOW)
    assert r["is_article"] is True


def test_forum_thread_is_not_an_article() -> None:
    posts = "".join(
        f'<div class="post" id="post-{i}"><span class="author">user{i}</span><p>Reply number {i}: I had the same '
        "problem with the pump and fixed it by replacing the valve.</p></div>"
        for i in range(6)
    )
    html = f"<html><body><h1>Pump keeps stopping after a minute</h1>{posts}</body></html>"
    r = extract_article(html, "https://diy.example/forum/topic/1234-pump-keeps-stopping", now=NOW)
    assert r["is_article"] is False and r["page_type"] == "forum"
    ld = '<script type="application/ld+json">{"@type": "DiscussionForumPosting", "headline": "Pump"}</script>'
    r = extract_article(html.replace("<body>", f"<body>{ld}"), "https://diy.example/t/1234", now=NOW)
    assert r["page_type"] == "forum"


def test_arabic_news_without_metadata_stays_an_article() -> None:
    # A short Moroccan news item with no date, byline or metadata: not enough evidence to reject it.
    html = f"<html><body><h1>أشغال تهيئة كورنيش الصويرة</h1><div>{_ps(_STORY_AR)}</div></body></html>"
    r = extract_article(html, "https://mogador.example/corniche.html", now=NOW)
    assert r["is_article"] is True and r["page_type"] == "article"


def test_author_box_after_the_story_is_cut() -> None:
    html = (f"<html><body><article><h1>أشغال تهيئة كورنيش الصويرة</h1><div class='c'>{_ps(_STORY_AR)}"
            "<h3>عن الكاتب</h3><p>صحافي مهتم بالشأن المحلي، يكتب عن المدن الساحلية منذ سنوات طويلة.</p>"
            "</div></article></body></html>")
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR


def test_author_roles_cut_after_a_name_but_desk_bylines_kept() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
          '["PNN Staff", "Senior Autos Reporter", "Nadia Karimi Staff Writer"]}</script>')
    r = extract_article(_page(ld, "<h1>Harbour works resume in Agadir</h1>", _FILLER_EN), "https://b.example/r",
                        now=NOW)
    assert r["authors"] == ["PNN Staff", "Nadia Karimi"]
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "author": "مراسل الجريدة"}</script>'
    r = extract_article(_page(ld, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/11", now=NOW)
    assert r["authors"] == []


def test_numeric_date_on_a_us_english_page_reads_month_first() -> None:
    body = '<h1>Harbour works resume in Agadir</h1><div class="c1"><span class="time">3/4/2025</span></div>'
    r = extract_article(_page("", body, _FILLER_EN).replace("<html>", '<html lang="en-US">'),
                        "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-03-04")
    body = '<h1>أمطار الخريف تنعش آمال الفلاحين</h1><div class="c1"><span class="time">3/4/2025</span></div>'
    r = extract_article(_page("", body).replace("<html>", '<html lang="ar">'), "https://a.example/n/6", now=NOW)
    assert r["published_at"].startswith("2025-04-03")


def test_teaser_card_time_loses_to_the_date_next_to_the_headline() -> None:
    body = ('<header><a href="/blog">Learning</a><div>September 29, 2025</div></header>'
            '<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN +
            '<div class="carousel"><div class="card"><a href="/blog/other">Other story</a>'
            '<time datetime="2025-10-05T08:00:00Z">October 5, 2025</time><p>Another teaser.</p></div></div>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-09-29") and r["published_rule"] == "text"


def test_bare_date_with_a_date_posted_label_in_its_box() -> None:
    # No headline element to search around: the label is what marks the date.
    head = '<meta property="og:title" content="Harbour works resume in Agadir">'
    body = ('<div class="blurb"><h3 class="module_header"><span>17/08/2025</span></h3>'
            '<div class="description"><p>Date Posted</p></div></div>')
    r = extract_article(_page(head, body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-08-17") and r["published_rule"] == "text"


def test_latest_version_date_is_taken_after_the_original_publication() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><ul class="history">'
            '<li><h6 class="history_date">2 Oct 2025 <span>| Latest version</span></h6></li>'
            '<li><h6 class="history_date">3 Sept 2024 <span>| Originally published</span></h6></li></ul>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2024-09-03")


def test_reader_comment_dates_are_never_the_article_date() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN +
            '<div class="gb-text"><strong>(Re)Published:</strong><br>May 25, 2025</div>'
            '<ol class="comment-list"><li><div class="comment-metadata">'
            '<time datetime="2021-10-01T07:33:05+00:00" itemprop="datePublished">October 1, 2021</time>'
            '<span class="date">Nadia, 2 October 2021</span></div><p>Great read.</p></li></ol>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-05-25") and r["published_rule"] == "text"


def test_comment_named_article_wrapper_keeps_its_date() -> None:
    body = '<h1>Harbour works resume in Agadir</h1><span class="date">September 29, 2025</span>'
    html = _page("", body, _FILLER_EN).replace("<article>", '<article class="post has-comments">')
    r = extract_article(html, "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-09-29")


# ---- body: rules measured on real pages, tested on our own small fixtures


def test_body_ruby_annotation_stays_inside_its_sentence() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><p>Mayor <ruby><rb>山田</rb><rp>(</rp><rt>Yamada</rt><rp>)</rp>'
            '</ruby> opened the new quay on Monday.</p>')
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/harbour", now=NOW)
    assert "Mayor 山田(Yamada) opened the new quay on Monday." in r["body"]


def test_body_live_blog_time_glued_to_the_author_is_dropped() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1><div class="entry"><div class="entry-info">'
            '<time><span>5 hours ago</span>07:32</time> <mark>Jane Doe</mark></div>' + _FILLER_EN + '</div>'
            '<div class="entry"><div class="entry-info"><time>08:10</time><mark>Jane Doe</mark></div>'
            + _FILLER_EN.replace("figures", "new figures") + '</div>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "The story text" in r["body"] and "Jane Doe" not in r["body"]


def test_body_div_drawn_as_a_button_is_interface() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN +
            '<div class="box"><div class="box__header" role="button" tabindex="0">Open the box and close the box'
            '</div></div>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "The story text" in r["body"] and "Open the box" not in r["body"]


_LEAD = "The port authority reopened the north quay on Monday. Fishing boats can land their catch there again."


def _lead_page(lead_html: str) -> str:
    return (f'<html><head><meta name="description" content="{_LEAD}"></head><body>'
            f'<header class="top"><h1>Harbour works resume in Agadir</h1>{lead_html}'
            '<span class="by">By Jane Doe</span></header>'
            f'<div class="c1"><div class="c2">{_FILLER_EN}{_FILLER_EN.replace("figures", "numbers")}</div></div>'
            '</body></html>')


def test_body_standfirst_above_the_story_is_kept() -> None:
    r = extract_article(_lead_page(f'<p class="intro">{_LEAD}</p>'), "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(_LEAD + "\n\nThe story text")


def test_body_standfirst_opening_with_a_link_or_escaped_twice_is_kept() -> None:
    linked = _LEAD.replace("The port authority", '<a href="/topics/port">The port authority</a>')
    r = extract_article(_lead_page(f'<p class="intro">{linked}</p>'), "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(_LEAD + "\n\nThe story text")
    page = _lead_page('<p class="intro">' + _LEAD.replace("Fishing", "Fish &amp; chip") + '</p>')
    page = page.replace('content="' + _LEAD, 'content="' + _LEAD.replace("Fishing", "Fish &amp;amp; chip"))
    r = extract_article(page, "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(_LEAD.replace("Fishing", "Fish & chip") + "\n\nThe story text")


def test_body_one_line_deck_is_not_a_standfirst() -> None:
    deck = "The port authority reopened the north quay on Monday after two years of works"
    page = _lead_page(f'<p class="intro">{deck}</p>').replace(_LEAD, deck)
    assert extract_article(page, "https://b.example/harbour", now=NOW)["body"].startswith("The story text")
    page = _lead_page(f'<p class="article-dek">{_LEAD}</p>')
    assert extract_article(page, "https://b.example/harbour", now=NOW)["body"].startswith("The story text")


def test_body_story_split_into_widget_blocks_is_kept_whole() -> None:
    parts = [_FILLER_EN.replace("figures", w) for w in ("figures", "numbers", "data", "tables")]
    blocks = "".join(f'<div class="article-widget article-widget-text"><div class="text">{p}</div></div>'
                     f'<div class="article-widget article-widget-image"><img src="/x.jpg"></div>' for p in parts)
    side = '<div class="rail">' + "".join(f'<p><a href="/n/{i}">Other story number {i} of the day</a></p>'
                                          for i in range(20)) + "</div>"
    page = f"<html><body><h1>Harbour works resume in Agadir</h1><div class='main'>{blocks}</div>{side}</body></html>"
    r = extract_article(page, "https://b.example/harbour", now=NOW)
    assert all(w in r["body"] for w in ("numbers", "data", "tables"))


def test_body_short_cjk_sentence_kept_and_member_prompt_dropped() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + '<p>各地の震度は次のとおり。</p>' + _FILLER_EN.replace(
        "figures", "numbers") + '<p>記事にリアクションができます。ご利用には会員登録が必要です。</p>'
        '<p>この記事は会員限定です。</p>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "各地の震度は次のとおり。" in r["body"] and "会員登録" not in r["body"] and "会員限定" not in r["body"]


def test_body_previous_next_article_links_inside_the_story_are_dropped() -> None:
    body = ('<h1>أمطار الخريف تنعش آمال الفلاحين</h1><div itemprop="articleBody">' + _FILLER_AR +
            '<div class="article_prev_next"><div class="prev_text"><span>المقال السابق: مهرجان الفيلم يفتتح دورته'
            '</span></div></div></div>')
    r = extract_article(_page("", body, ""), "https://a.example/n/12", now=NOW)
    assert "نص الخبر" in r["body"] and "المقال السابق" not in r["body"]


def test_body_embed_consent_placeholder_and_broadcast_tail_are_dropped() -> None:
    body = ('<h1>Hafenarbeiten in Agadir gehen weiter</h1>' + _FILLER_EN +
            '<div class="embed"><div>Empfohlener redaktioneller Inhalt</div><p>Ich bin damit einverstanden, dass mir '
            'externe Inhalte angezeigt werden. Personenbezogene Daten können an Drittplattformen übermittelt werden.'
            '</p></div>' + _FILLER_EN.replace("figures", "numbers") +
            '<h2>Dieses Thema im Programm:</h2><p>Radio Nord | Nachrichten | 28.04.2025 | 13:00 Uhr</p>')
    r = extract_article(_page("", body, ""), "https://b.example/hafen", now=NOW)
    assert "numbers" in r["body"]
    assert not any(w in r["body"] for w in ("Empfohlener", "einverstanden", "Thema im Programm", "Radio Nord"))


def test_body_subheading_with_a_widget_class_is_kept() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN +
            '<div class="item"><h2 class="widget-title">ROAD REOPENED</h2><p>The ministry said the coastal road and '
            'the tunnel were open to traffic again on both sides after the works.</p></div>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "ROAD REOPENED" in r["body"]


def test_body_reader_prompts_are_dropped() -> None:
    prompts = ("Got a story? Get in touch with our news team by email.",
               "Follow Harbour News on Twitter and Facebook for the latest updates.",
               "Stay up to date with notifications from Harbour News.")
    body = '<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + "".join(f"<p>{p}</p>" for p in prompts)
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "The story text" in r["body"] and not any(p[:20] in r["body"] for p in prompts)


def test_page_builder_widgets_holding_the_story_are_kept() -> None:
    # Page builders name every text block "widget"; when such blocks hold the page's prose they are the story
    # (a collapsed "read more" box inside one of them too), while the sidebar's widgets still go.
    parts = [[f"{p} (الجزء {k}، الفقرة {i})" for i, p in enumerate(_STORY_AR)] for k in range(7)]
    long_part = [f"{p} (الملحق، الفقرة {i})" for i in range(6) for p in _STORY_AR]
    widgets = "".join(
        f'<div class="pb-element pb-widget pb-widget-text-editor"><div class="pb-widget-container">{_ps(part)}'
        + (f'<div class="readmore-wrapper">{_ps(long_part)}</div>' if k == 3 else "")
        + "</div></div>"
        for k, part in enumerate(parts)
    )
    side = '<div class="sidebar-widget"><p>اشترك في نشرتنا الأسبوعية لتصلك آخر الأخبار والمقالات.</p></div>'
    html = (f'<html><body><nav><a href="/">الرئيسية</a></nav><div class="page"><h1>أشغال تهيئة كورنيش الصويرة</h1>'
            f'{widgets}</div>{side}</body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["method"]["body"] == "dom"
    story = [p for part in parts[:4] for p in part] + long_part + [p for part in parts[4:] for p in part]
    assert r["body"].split("\n\n") == story


def test_linked_names_inside_a_sentence_are_kept() -> None:
    # CMSs link names to their topic pages with ids such as "auto-tag_..."; the words belong to the sentence.
    link = '<a href="/t/essaouira" id="auto-tag_essaouira">الصويرة</a>'
    first = _STORY_AR[0].replace("الصويرة", link)
    html = (f'<html><body><article><h1>أشغال تهيئة كورنيش الصويرة</h1><div class="content"><p>{first}</p>'
            f'{_ps(_STORY_AR[1:])}</div></article></body></html>')
    r = extract_article(html, "https://mogador.example/2025/10/corniche", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR


def test_reading_list_entries_with_linked_titles_are_kept() -> None:
    # "Author, <a>Title</a>" lines are mostly link text but are the story's own list; a label followed by a
    # link ("Also on the site: <a>...</a>") is a teaser.
    books = [("Nadia Karimi", "The Lighthouse Keeper of Essaouira"), ("Omar Bennani", "Salt"),
             ("Leila Haddad", "A Winter Harvest in the Atlas Mountains")]
    lines = "<br>".join(f'{a}, <em><a href="https://shop.example/b/{i}">{t}</a></em>' for i, (a, t) in enumerate(books))
    html = ('<html><body><article><h1>The books our critics picked this year</h1><div class="content">'
            f'{_FILLER_EN}<p>{lines}</p>'
            '<p>Also on the site: <a href="/n/2">Harbour works resume in Agadir after the storm season</a></p>'
            '</div></article></body></html>')
    r = extract_article(html, "https://b.example/2025/10/books", now=NOW)
    paras = r["body"].split("\n\n")
    assert paras[1:] == [f"{a}, {t}" for a, t in books]
    assert "Harbour works" not in r["body"]


def test_linked_titles_credited_with_by_are_kept() -> None:
    items = [("The Lighthouse Keeper of Essaouira", "Nadia Karimi"), ("A Winter Harvest in the Atlas", "Leila Haddad")]
    lis = "".join(f'<li><em><a href="https://shop.example/b/{i}">{t}</a></em> by {a}</li>'
                  for i, (t, a) in enumerate(items))
    html = ('<html><body><article><h1>The books our critics picked this year</h1><div class="content">'
            f'{_FILLER_EN}<ul>{lis}</ul></div></article></body></html>')
    r = extract_article(html, "https://b.example/2025/10/books", now=NOW)
    assert r["body"].split("\n\n")[1:] == [f"{t} by {a}" for t, a in items]


def test_front_page_is_not_an_article_unless_typed_as_one() -> None:
    text = "Our team has served the region for twenty years with care, skill and attention to detail. " * 6
    html = ('<html><body><h1>Solar water heaters for the whole family</h1><div class="main">'
            f'<p class="byline">By Nadia K.</p><time datetime="2025-10-06">6 Oct 2025</time><p>{text}</p>'
            '</div></body></html>')
    r = extract_article(html, "https://shop.example/", now=NOW)
    assert r["is_article"] is False and r["page_type"] == "listing"
    typed = html.replace("<body>", '<head><meta property="og:type" content="article"></head><body>')
    assert extract_article(typed, "https://shop.example/", now=NOW)["is_article"] is True
    assert extract_article(html, "https://shop.example/2025/10/solar", now=NOW)["is_article"] is True


def test_story_intro_in_an_earlier_block_of_the_same_class_is_kept() -> None:
    # Page builders cut a story into a row of identical blocks; the short intro block must not be lost.
    intro = ["If you commute through Agadir, this might sound familiar.",
             "The harbour road closes at seven, and the detour adds half an hour to every trip."]
    main = [f"Part {i}: the port authority published new figures on the works, with dates and costs, "
            f"and explained how the new quay will change traffic around the harbour." for i in range(12)]
    block = '<div class="pb-block html-block"><div class="pb-content">{}</div></div>'
    html = ('<html><body><article><h1>What the harbour works mean for your commute</h1><div class="pb-row">'
            f'{block.format(_ps(intro))}{block.format(_ps(main))}</div></article></body></html>')
    r = extract_article(html, "https://b.example/2025/10/harbour", now=NOW)
    assert r["body"].split("\n\n") == intro + main


def test_dated_story_under_a_large_link_menu_is_an_article() -> None:
    # A broadcaster's mega-menu (120 links) outweighs a short report's paragraphs; the visible date under the
    # headline and the article address keep it an article; so does the headline over its block of running prose
    # at any address. The section page, whose main block is headline links with short teasers, stays a listing.
    menu = "".join(f'<li><a href="/region/{i}">Nachrichten aus der Region Nummer {i}</a></li>' for i in range(120))
    story = "".join(f"<p>{p} Absatz {i}.</p>" for i in range(8) for p in (
        "Die Hafenbehörde hat am Morgen die neuen Kräne in Betrieb genommen, nach zwei Jahren Bauzeit.",
        "Nach Angaben der Stadt sollen dort künftig doppelt so viele Schiffe abgefertigt werden wie bisher.",
        "Anwohner hatten sich über den Lärm beschwert; die Betreiber versprechen nun leisere Nachtschichten.",
    ))
    html = (f"<html><body><nav><ul>{menu}</ul></nav><main><h1>Neue Kräne im Hafen in Betrieb</h1>"
            f"<p class='meta'>Do 25.09.25 | 14:07 Uhr</p>{story}</main></body></html>")
    r = extract_article(html, "https://radio.example/kultur/beitrag/2025/09/neue-kraene.html", now=NOW)
    assert r["page_type"] == "article" and r["published_at"].startswith("2025-09-25T14:07")
    r = extract_article(html.replace("Do 25.09.25 | 14:07 Uhr", ""), "https://radio.example/kultur/", now=NOW)
    assert r["page_type"] == "article"
    teasers = "".join(f'<h3><a href="/kultur/{i}">Neue Kräne im Hafen, Folge {i} der Reihe</a></h3><p>Die '
                      f"Hafenbehörde hat am Morgen die neuen Kräne in Betrieb genommen, Teil {i}.</p>" for i in range(12))
    section = html.replace("Do 25.09.25 | 14:07 Uhr", "").replace(story, teasers).replace("Neue Kräne im Hafen in "
                                                                                           "Betrieb", "Kultur")
    r = extract_article(section, "https://radio.example/kultur/", now=NOW)
    assert r["page_type"] == "listing"


def test_bold_paragraph_subheadings_and_table_cell_lines_are_kept() -> None:
    # Short lines are crumbs ("Share"), unless the CMS marks them as subheadings by setting a whole <p> in bold
    # or italics, or they sit in a table cell (a pros-and-cons table written as <td><p>..<br>..</p></td>).
    body = ('<h1>Planning a wedding in Marrakech</h1>' + _FILLER_EN +
            '<p><strong>Book the riad</strong></p>' + _FILLER_EN.replace("story text", "venue text") +
            '<p><em>Hire the band</em></p>' + _FILLER_EN.replace("story text", "music text") +
            '<table><tr><td><b>Cons:</b><p>Long waiting list<br>Small courtyard</p></td></tr></table>'
            '<p>Share</p>')
    r = extract_article(_page("", body, ""), "https://b.example/wedding", now=NOW)
    for line in ("Book the riad", "Hire the band", "Long waiting list", "Small courtyard"):
        assert line in r["body"].split("\n\n")
    assert "Share" not in r["body"]


def test_body_loose_paragraph_before_the_story_block_is_read_not_after() -> None:
    intro = "<p>" + "An intro paragraph printed outside the story block, just above it, by the template. " * 2 + "</p>"
    note = "<p>" + "Please keep your comments on topic and polite; their authors alone answer for them. " * 2 + "</p>"
    story = "".join(_FILLER_EN.replace("figures", w) for w in ("figures", "numbers", "data"))
    page = (f'<html><body><div class="wrap"><h1>Harbour works resume in Agadir</h1>{intro}'
            f'<div class="c1">{story}</div>{note}</div></body></html>')
    r = extract_article(page, "https://b.example/harbour", now=NOW)
    assert r["body"].startswith("An intro paragraph") and "comments" not in r["body"]


def test_body_donation_appeal_is_interface() -> None:
    appeal = ('<div class="box donation"><p>Support our newsroom. Independent reporting costs money, and readers like '
              'you keep it free for everyone, every single day of the year.</p></div>')
    body = '<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + appeal + _FILLER_EN.replace("figures", "numbers")
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "numbers" in r["body"] and "Support our newsroom" not in r["body"]


_SUMMARY = ("The port authority reopened the north quay of the old harbour on Monday after two years of works. "
            "Fishing boats can land their catch there again, and the fish market moves back next week. "
            "The cost of the works rose by a third, the authority said, because of the storms of last winter. "
            "Traders welcomed the news but asked for more parking space near the market. The town council will "
            "discuss the parking plan at its next session, together with a new road to the industrial zone.")


def _summary_page(desc: str, story_first: str) -> str:
    return (f'<html><head><meta name="description" content="{desc}"></head><body>'
            f'<header class="top"><h1>Harbour works resume in Agadir</h1><h2 class="summary">{_SUMMARY}</h2></header>'
            f'<div class="c1"><div class="c2"><p>{story_first}</p>{_FILLER_EN}{_FILLER_EN.replace("figures", "data")}'
            '</div></div></body></html>')


def test_body_summary_lead_opening_like_the_story_is_kept() -> None:
    first = _SUMMARY.split(". ")[0] + ". It was the first day of the season."
    r = extract_article(_summary_page(_SUMMARY, first), "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(_SUMMARY + "\n\n" + first)


def test_body_long_lead_with_a_cut_meta_copy_is_kept() -> None:
    r = extract_article(_summary_page(_SUMMARY[:320], "It was the first day of the season for the boats."),
                        "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(_SUMMARY + "\n\nIt was the first day")


def test_body_key_points_list_before_the_story_block_is_read() -> None:
    points = ('<div class="points"><ul><li>The north quay reopens to fishing boats on Monday.</li>'
              '<li>The fish market moves back next week, the port authority said.</li></ul></div>')
    crumbs = '<ul><li><a href="/a">Home</a></li><li><a href="/b">Harbour news</a></li></ul>'
    story = "".join(_FILLER_EN.replace("figures", w) for w in ("figures", "numbers", "data"))
    page = (f'<html><body><div class="wrap"><h1>Harbour works resume in Agadir</h1>{crumbs}{points}'
            f'<div class="c1">{story}</div></div></body></html>')
    r = extract_article(page, "https://b.example/harbour", now=NOW)
    assert r["body"].startswith("The north quay reopens to fishing boats on Monday.\n\nThe fish market moves")
    assert "Home" not in r["body"]


@pytest.mark.parametrize(("lead", "description", "block"), [
    # One sentence is enough for a lead in the story column (a deck would sit in the page header).
    ("The port authority reopened the north quay on Monday after two years of works.", None,
     '<h2 class="summary">{lead}</h2>'),
    # The meta copy cut short with "..." still finds the whole lead on the page.
    ("The port authority reopened the north quay of the old harbour on Monday, after two years of works, "
     "a new breakwater and a dredging of the basin.", "{short}...", '<div class="summary"><p>{lead}</p></div>'),
])
def test_body_standfirst_in_the_story_column_is_kept(lead: str, description: str | None, block: str) -> None:
    desc = (description or lead).format(short=lead[:95])
    page = (f'<html><head><meta name="description" content="{desc}"></head><body>'
            '<header class="top"><h1>Harbour works resume in Agadir</h1></header>'
            f'<div class="column">{block.format(lead=lead)}'
            f'<div class="c1"><div class="c2">{_FILLER_EN}{_FILLER_EN.replace("figures", "numbers")}</div></div>'
            '</div></body></html>')
    r = extract_article(page, "https://b.example/harbour", now=NOW)
    assert r["body"].startswith(lead + "\n\nThe story text")


# The "read more" phrases are shared with the listing (newscrawler.phrases): its "التفاصيل" and "en savoir plus"
# close a teaser here too.
@pytest.mark.parametrize("more", ["more", "Continue reading »", "التفاصيل", "En savoir plus"])
def test_body_paragraph_ending_in_a_more_link_is_a_teaser(more: str) -> None:
    teaser = ('<p>The fishermen of the south coast expect a record sardine season this summer. '
              f'<a href="/n/sardines">{more}</a></p>')
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + teaser
            + '<p>The works cost more than planned, the port authority said on <a href="/d">Monday</a>.</p>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "sardine" not in r["body"] and "The works cost more than planned" in r["body"]


def test_body_box_opened_by_a_button_header_is_an_aside() -> None:
    box = ('<div class="box"><div class="box__head" role="button" tabindex="0">Jane Doe, harbour engineer</div>'
           '<div class="box__panel"><p>Jane Doe has designed breakwaters on three continents since the year 2001.'
           '</p></div></div>')
    faq = ('<div class="faq"><h4 role="button">When does the quay reopen?</h4>'
           '<div class="faq__answer"><p>The quay reopens on Monday morning, for fishing boats first of all.</p>'
           '</div></div>')
    body = '<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + box + _FILLER_EN.replace("figures", "data") + faq
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "breakwaters" not in r["body"] and "The quay reopens on Monday" in r["body"]


def test_body_japanese_caption_with_photographer_credit_is_dropped() -> None:
    caption = "<p>新しい岸壁を視察する港湾局の職員＝13日、港町で（山田太郎撮影）</p>"
    body = '<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + caption + "<p>港は来週から再開する。</p>"
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "撮影" not in r["body"] and "港は来週から再開する。" in r["body"]


def test_body_lone_heading_closing_the_text_is_dropped() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN + '<h3>Sizes of the new quays</h3>'
            + _FILLER_EN.replace("figures", "numbers") + '<h3>Latest from the coast</h3>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "Sizes of the new quays" in r["body"] and not r["body"].endswith("Latest from the coast")


def test_slideshow_slide_whose_anchor_id_holds_an_interface_word_is_kept() -> None:
    # Slide anchors are made from the slide's caption: "also" in `she-also-...` is not a "read also" box.
    slides = "".join(
        f'<div class="slide" id="{slug}"><p>{text}</p></div>'
        for slug, text in (
            ("the-riad-opened-its-doors-to-guests-in-march", "The riad opened its doors to its first guests "
             "in March, after two years of careful restoration work."),
            ("she-also-restored-the-old-fountain-in-the-courtyard-2", "She also restored the old fountain in "
             "the courtyard, using tiles made by hand in Fes."),
            ("the-garden-now-holds-orange-and-lemon-trees-3", "The garden now holds orange and lemon trees, "
             "watered by the same channels as a century ago."),
        )
    )
    body = '<h1>A riad reborn in Marrakech</h1>' + _FILLER_EN + slides + '<div id="read-also"><p>Other riads</p></div>'
    r = extract_article(_page("", body, ""), "https://b.example/riad", now=NOW)
    assert "She also restored the old fountain" in r["body"] and "Other riads" not in r["body"]


def test_picture_source_credits_are_not_story_text() -> None:
    body = ('<h1>Harbour works resume in Agadir</h1>' + _FILLER_EN +
            '<ul><li>Cranes at dawn<div class="pictsrc">Studio Souss</div></li>'
            '<li>The new quay<span class="image-source">Photo Desk</span></li></ul>')
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert "Cranes at dawn" in r["body"] and "Studio Souss" not in r["body"] and "Photo Desk" not in r["body"]


def test_story_only_in_a_javascript_app_hydration_payload_is_read() -> None:
    # A Next.js page renders an empty shell; the story travels as an HTML string in a script, JSON-escaped once
    # (`self.__next_f.push`) or inside a JSON document (`__NEXT_DATA__`).
    story = "".join(f'<p class="editor-p">{p}</p>' for p in _STORY_AR) + "<p>تابعونا على فيسبوك</p>"
    payload = json.dumps("1:T42c," + story + '\n2:["$","div",null,{"className":"ad"}]')
    shell = ('<html><head><title>أشغال كورنيش الصويرة</title></head><body><div id="app"><h1>أشغال كورنيش الصويرة</h1>'
             '<main></main></div><script>self.__next_f.push([1,' + payload + '])</script></body></html>')
    r = extract_article(shell, "https://c.example/news/article/123", now=NOW)
    assert r["method"]["body"] == "hydration" and r["is_article"]
    assert r["body"].split("\n\n") == _STORY_AR
    nested = json.dumps({"props": {"pageProps": {"article": {"content": story}}}})
    shell = shell.replace("<script>self.__next_f.push([1," + payload + "])</script>",
                          f'<script id="__NEXT_DATA__" type="application/json">{nested}</script>')
    r = extract_article(shell, "https://c.example/news/article/123", now=NOW)
    assert r["body"].split("\n\n") == _STORY_AR


def test_hydration_payload_headline_is_not_story_text() -> None:
    # The payload is read as a page of its own: its h1 is its headline, even when the shell shows none.
    story = "<h1>أشغال كورنيش الصويرة تنطلق الأسبوع المقبل</h1>" + "".join(f"<p>{p}</p>" for p in _STORY_AR)
    shell = ('<html><head><title>أشغال كورنيش الصويرة</title></head><body><div id="app"><main></main></div>'
             '<script>self.__next_f.push([1,' + json.dumps(story) + '])</script></body></html>')
    r = extract_article(shell, "https://c.example/news/article/124", now=NOW)
    assert r["method"]["body"] == "hydration" and r["body"].split("\n\n") == _STORY_AR


# Lines that sit inside the story container but are not story text, each with a sentence that shares their words
# and must stay.
_NOT_STORY_LINES = {
    "prompts to follow the publisher": (
        ["Get the harbour news delivered to your inbox every morning.",
         "For more port stories, sign up for our free weekly newsletter.",
         "Never miss a tide: join us on WhatsApp.",
         "Please bookmark our homepage for the latest harbour news."],
        "The newsletter of the fishermen's union was printed on paper until last year."),
    "credit lines": (
        ["Reporting by Jane Doe in Agadir; editing by John Roe.",
         "Sam Poe contributed to this report.",
         "Redaktion: Erika Muster und Max Muster",
         "Dieser Artikel ist zuerst bei der Hafenzeitung erschienen.",
         "Übersetzung und Adaptierung: Harbour Desk"],
        "The reporting by the port authority showed that the works were late by two months."),
    "subscription promos and blog interface": (
        ["Stay informed: quality harbour reporting for only $5 a month.",
         "Jetzt abonnieren und alle Hafenartikel lesen.",
         "Fehler gefunden? Jetzt melden.",
         "You can follow any responses to this entry through the RSS 2.0 feed.",
         "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. " * 5],
        "Readers can subscribe to the port's tide tables at the harbour office, the authority said."),
    "video teasers": (
        ["The harbour master explains the new rules for the quay. 18.04.2025 | 1:45 min",
         "WATCH | Fishing boats return to the north quay:",
         "Ein Klick für den Datenschutz"],
        "The boats left at 5:30 in the morning, an hour before dawn."),
    "page furniture": (
        ["Skip to main content", "On this page:", "https://b.example/harbour/video-cranes.html",
         "No thanks. Continue in this view.", "RTM (ab)"],
        "RTM reported the figures first (see below)."),
    "labels around the story": (
        ["Uppdaterad 15.59 | Publicerad 14.14", "12 Kommentare", "Newsletter: Harbour weekly",
         "Copyright: Harbour Syndicate, 2025", "Ihre Meinung ist uns wichtig. Senden Sie uns Ihr Feedback."],
        "Updated figures will follow next week, the port said."),
}


@pytest.mark.parametrize("case", list(_NOT_STORY_LINES))
def test_body_lines_that_are_not_story_are_dropped(case: str) -> None:
    lines, kept = _NOT_STORY_LINES[case]
    body = ('<h1>Harbour works resume in Agadir</h1>' + f"<p>{lines[0]}</p>" + _FILLER_EN
            + "".join(f"<p>{t}</p>" for t in lines[1:]) + f"<p>{kept}</p>")
    r = extract_article(_page("", body, ""), "https://b.example/harbour", now=NOW)
    assert not [t for t in lines if t.strip()[:30] in r["body"]]
    assert kept in r["body"]


# ---- dates on layouts nobody tuned for (issue 15): table layouts, attribution lines, year-less dates, labels

_FILLER_TABLE = ("<p>" + "قال مسؤول في المديرية الجهوية للفلاحة إن التساقطات الأخيرة ساعدت الفلاحين في سهل سوس على "
                 "بدء الموسم في ظروف أفضل من السنة الماضية. " * 6 + "</p>")


def _table_page(date_cell: str, *, title: str = "أمطار الخريف تنعش آمال الفلاحين", extra: str = "") -> str:
    """A hand-made legacy layout: tables, a `<font>` title, no h1, no `<time>`, no metadata, a ticker with other
    stories' dates above the title and a footer with the copyright year."""
    return (f"<html><head><title>{title} - جريدة الجنوب</title></head><body><table width='100%'>"
            "<tr><td><a href='/'>الرئيسية</a> | <a href='/s/1'>جهات</a></td></tr>"
            "<tr><td><div class='ticker'><a href='/n/1'>انطلاق الدخول المدرسي</a> 21/06/2019 "
            "<a href='/n/2'>افتتاح سوق أسبوعي</a> 22/06/2019</div></td></tr>"
            f"<tr><td><font size='5' color='#003366'><b>{title}</b></font></td></tr>"
            f"<tr><td>{date_cell}</td></tr><tr><td>{_FILLER_TABLE}{_FILLER_TABLE}</td></tr>{extra}"
            "<tr><td><font size='1'>جميع الحقوق محفوظة © 2019 جريدة الجنوب</font></td></tr></table></body></html>")


def test_bare_date_in_a_table_cell_beside_a_font_title() -> None:
    r = extract_article(_table_page("24/06/2019 00h37"), "https://old.example.ma/news.php?id=12", now=NOW)
    assert r["published_at"] == "2019-06-24T00:37:00+01:00" and r["published_rule"] == "text"
    # The same in a bare <span> and <p> without class or label; the ticker's dates above the title lose.
    for cell in ("<span>24/06/2019 00h37</span>", "<p>الإثنين 24 يونيو 2019 - 00:37</p>"):
        r = extract_article(_table_page(cell), "https://old.example.ma/news.php?id=12", now=NOW)
        assert r["published_at"] == "2019-06-24T00:37:00+01:00", cell


def test_date_in_a_related_box_or_footer_is_not_the_article_date() -> None:
    # No date next to the title: a related box's date and the footer's must not be taken; nothing is better.
    related = ("<tr><td><div class='related'><a href='/n/9'>خبر ذو صلة</a> 20/06/2019</div></td></tr>"
               "<tr><td><div id='footer'>آخر تحديث للموقع 23/06/2019</div></td></tr>")
    html = _table_page("", extra=related).replace("21/06/2019", "").replace("22/06/2019", "")
    r = extract_article(html, "https://old.example.ma/news.php?id=12", now=NOW)
    assert r["published_at"] is None


@pytest.mark.parametrize("line,expected", [
    ("نشر في هسبريس يوم 07 - 10 - 2025 على الساعة 10:30", "2025-10-07T10:30:00+01:00"),
    ("نشر في اليوم 24 يوم الثلاثاء 7 أكتوبر 2025 على الساعة 09:15", "2025-10-07T09:15:00+01:00"),
    ("المصدر: اليوم 24 - نشر يوم 06/10/2025 على الساعة 18:05", "2025-10-06T18:05:00+01:00"),
    ("نقلا عن موقع الجنوب بتاريخ 05/10/2025", "2025-10-05T00:00:00+01:00"),
    ("نُشر في الجنوب يوم الأحد 05 أكتوبر 2025 على الساعة 23:59", "2025-10-05T23:59:00+01:00"),
])
def test_aggregator_attribution_line_gives_the_publication_date(line: str, expected: str) -> None:
    # The aggregator copy's shape: a headline ticker with its own dates, the story, the attribution line and the
    # "read it at the source" link; the attribution line comes after the body, far from the headline.
    ticker = "".join(f"<li><a href='/c/{i}'>عنوان خبر رقم {i}</a> <span>0{i}/09/2025</span></li>" for i in range(1, 9))
    body = (f"<ul class='news-ticker'>{ticker}</ul><h1>أمطار الخريف تنعش آمال الفلاحين</h1>{_FILLER_AR}"
            f"<div class='c7'><p>{line}</p><a href='https://source.example.ma/n/5'>لقراءة الخبر من مصدره</a></div>")
    r = extract_article(_page("", body, ""), "https://agg.example.ma/copy/77", now=NOW)
    assert r["published_at"] == expected


def test_year_less_date_takes_the_year_of_the_page_evidence() -> None:
    body = '<h1>Harbour works resume in Agadir</h1><p class="c1">Mar 24</p>'
    # The URL's day: the year that puts the visible date on or just before it.
    r = extract_article(_page("", body, _FILLER_EN), "https://b.example/blog/2016/3/24/harbour", now=NOW)
    assert r["published_at"].startswith("2016-03-24") and r["published_rule"] == "text"
    # A year-less date far before the URL's day is another date: dropped, the URL's day is used.
    r = extract_article(_page("", body.replace("Mar 24", "Mar 30"), _FILLER_EN),
                        "https://b.example/blog/2016/3/24/harbour", now=NOW)
    assert r["published_at"].startswith("2016-03-24") and r["published_rule"] == "url"
    # The modification date in the metadata: on or before it.
    head = '<meta property="article:modified_time" content="2019-05-01T10:00:00+01:00">'
    r = extract_article(_page(head, body.replace("Mar 24", "24 juin"), _FILLER_EN), "https://b.example/h", now=NOW)
    assert r["published_at"].startswith("2018-06-24")
    # The footer's copyright year (the last one of a range).
    html = _page("", body.replace("Mar 24", "10 Jan"), _FILLER_EN).replace(
        "</article>", "</article><footer>© 2011-2013 Harbour Blog</footer>")
    r = extract_article(html, "https://b.example/h", now=NOW)
    assert r["published_at"].startswith("2013-01-10")
    # A dated neighbour of the headline (here the update line): on or before it.
    r = extract_article(_page("", body.replace("Mar 24", "24 juin") + "<p>Updated on 2 July 2017</p>", _FILLER_EN),
                        "https://b.example/h", now=NOW)
    assert r["published_at"].startswith("2017-06-24")
    # No evidence at all: the most recent such day before the fetch, as a listing's fresh item.
    r = extract_article(_page("", "<h1>أمطار الخريف تنعش آمال الفلاحين</h1><p class='c1'>7 أكتوبر 10:30</p>"),
                        "https://a.example/n/8", now=NOW)
    assert r["published_at"] == "2025-10-07T10:30:00+01:00"


@pytest.mark.parametrize("byline,expected", [
    ("<span>آخر تحديث: 8 أكتوبر 2025 - 10:00</span> <span>نشر في: 6 أكتوبر 2025 - 09:00</span>", "2025-10-06"),
    ("<span>تم التحديث 8 أكتوبر 2025</span><span>تاريخ النشر 6 أكتوبر 2025</span>", "2025-10-06"),
    ("<p>Aktualisiert am 8. Oktober 2025, 10:00 Uhr</p><p>Veröffentlicht am 6. Oktober 2025</p>", "2025-10-06"),
    ("<p>Mis à jour le 8 octobre 2025 à 10h00</p><p>Publié le 6 octobre 2025 à 9h00</p>", "2025-10-06"),
    ("<p>Actualizado el 8 de octubre de 2025</p><p>Publicado el 6 de octubre de 2025</p>", "2025-10-06"),
    ("<p>Updated October 8, 2025 Published October 6, 2025</p>", "2025-10-06"),
])
def test_publication_label_beats_modification_label(byline: str, expected: str) -> None:
    body = f"<h1>أمطار الخريف تنعش آمال الفلاحين</h1>{byline}"
    r = extract_article(_page("", body), "https://a.example/n/9", now=NOW)
    assert r["published_at"].startswith(expected)


@pytest.mark.parametrize("lang,shown,expected", [
    ("de", "2. Oktober 2025, 14:07 Uhr", "2025-10-02T14:07"),
    ("es", "2 de octubre de 2025 a las 14:07", "2025-10-02T14:07"),
    ("pt", "2 de outubro de 2025", "2025-10-02"),
    ("it", "2 ottobre 2025 alle 14:07", "2025-10-02T14:07"),
    ("nl", "2 oktober 2025 om 14:07", "2025-10-02T14:07"),
    ("ro", "2 octombrie 2025", "2025-10-02"),
    ("hr", "2. listopada 2025. u 14:07", "2025-10-02T14:07"),  # October in Croatian
    ("pl", "2 listopada 2024", "2024-11-02"),  # November in Polish
    ("sr", "2. oktobar 2025.", "2025-10-02"),
    ("ja", "2025年10月2日 14時07分", "2025-10-02T14:07"),
    ("zh", "2025年10月2日 14:07", "2025-10-02T14:07"),
])
def test_visible_month_names_in_the_page_language(lang: str, shown: str, expected: str) -> None:
    html = (f'<html lang="{lang}"><head></head><body><article><h1>Harbour works resume in Agadir</h1>'
            f'<div class="c1">{shown}</div>{_FILLER_EN}</article></body></html>')
    r = extract_article(html, "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith(expected)


def test_future_modification_date_is_dropped() -> None:
    head = ('<meta property="article:published_time" content="2025-10-06T09:00:00+01:00">'
            '<meta property="article:modified_time" content="2031-01-01T00:00:00+01:00">')
    r = extract_article(_page(head, "<h1>أمطار الخريف تنعش آمال الفلاحين</h1>"), "https://a.example/n/10", now=NOW)
    assert r["published_at"].startswith("2025-10-06") and r["modified_at"] is None


def test_no_sidebar_class_on_body_does_not_hide_the_visible_date() -> None:
    html = _page("", '<h1>Harbour works resume in Agadir</h1><p>October 6, 2025</p>', _FILLER_EN).replace(
        "<body>", '<body class="single single-post no-sidebar">')
    r = extract_article(html, "https://b.example/harbour", now=NOW)
    assert r["published_at"].startswith("2025-10-06")


# ------------------------------------------------------------------ byline-and-date lines at the edge of the story

_INFO_STORY = [
    "صادق المجلس الجماعي خلال دورته العادية على اتفاقية شراكة جديدة لتأهيل الأحياء الناقصة التجهيز بالمدينة.",
    "وتمتد الاتفاقية على أربع سنوات، وتشمل تعبيد الطرق وتوسيع شبكة الإنارة العمومية وإحداث مساحات خضراء جديدة.",
    "وقال رئيس المجلس إن الأشغال ستنطلق خلال الأسابيع المقبلة، بعد استكمال المساطر الإدارية اللازمة.",
]


def _info_page(info_above: str = "", info_below: str = "", first: str = "") -> str:
    title = "المجلس الجماعي يصادق على اتفاقية لتأهيل الأحياء الناقصة التجهيز"
    paras = ([first] if first else []) + _INFO_STORY
    return (f"<html><head><title>{title} | جريدة المدينة</title></head><body><div class='wrap'>"
            f"<h1>{title}</h1><div class='art'>" + (f"<div class='c7'>{info_above}</div>" if info_above else "")
            + "".join(f"<p>{t}</p>" for t in paras)
            + (f"<p>{info_below}</p>" if info_below else "") + "</div></div></body></html>")


@pytest.mark.parametrize("info", [
    "سعاد العلوي تاريخ النشر: 29 شتنبر 2025 على الساعة 08:50 آخر تحديث: 29 شتنبر 2025 على الساعة 11:04",
    "كريم الإدريسي بتاريخ 6 أكتوبر 2025 على الساعة 20:56 آخر تحديث: 7 أكتوبر 2025 على الساعة 04:37",
    "نشر بتاريخ الثلاثاء 07 أكتوبر 2025 | 11:24 آخر تحديث: الثلاثاء 07 أكتوبر 2025 | 14:38",
    "Par Karim Idrissi, publié le mardi 7 octobre 2025 à 10h15",
])
def test_an_info_line_under_the_headline_is_not_body(info: str) -> None:
    r = extract_article(_info_page(info_above=info), "https://madina.example/akhbar/2025/10/12345")
    assert r["body"].startswith(_INFO_STORY[0]) and r["body"].endswith(_INFO_STORY[-1])


@pytest.mark.parametrize("line", [
    "نشر في جريدة المدينة يوم 04 - 10 - 2025 على الساعة 21:37",
    "المصدر: جريدة المدينة - نشر يوم 08/10/2025 على الساعة 02:11",
])
def test_an_attribution_line_after_the_copy_is_not_body(line: str) -> None:
    r = extract_article(_info_page(info_below=line), "https://multaqa.example/news/12345.html")
    assert r["body"].endswith(_INFO_STORY[-1]) and "21:37" not in r["body"] and "02:11" not in r["body"]


def test_a_first_paragraph_that_dates_an_event_in_a_sentence_stays() -> None:
    # A sentence that holds a date and a time is story text: it ends like a sentence.
    first = "انطلقت يوم الاثنين 6 أكتوبر 2025 على الساعة 10:00 أشغال الدورة العادية للمجلس الجماعي."
    r = extract_article(_info_page(first=first), "https://madina.example/akhbar/2025/10/12346")
    assert r["body"].startswith(first)


def test_title_is_the_kicker_and_headline_the_page_shows_not_the_site_name() -> None:
    # "<site> - <kicker> | <headline>" in the <title>, the page showing "<kicker> | <headline>" in an h2.
    shown = "كيوسك الخميس | المسرح البلدي يستعد لموسم فني جديد ببرنامج حافل"
    html = (f"<html><head><title>عناوين اليوم - {shown}</title></head><body><div><h2>{shown}</h2>"
            + "".join(f"<p>{t}</p>" for t in _INFO_STORY) + "</div></body></html>")
    assert extract_article(html, "https://onwan.example/news/5.html")["title"] == shown
