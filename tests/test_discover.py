"""Feeds, sitemaps and robots.txt Sitemap lines (newscrawler.discover) on fixtures we wrote."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from newscrawler.discover import (
    DiscoveryError,
    FeedError,
    SitemapError,
    SitemapResult,
    is_feed,
    is_sitemap,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)

FIX = Path(__file__).parent / "fixtures" / "feeds"
SITE = "https://www.akhbar-watan.example"


def body(name: str) -> bytes:
    return (FIX / name).read_bytes()


def test_rss2_entries_fields_and_order():
    entries = parse_feed(body("rss2.xml"), f"{SITE}/feed")
    assert [e["position"] for e in entries] == [1, 2, 3]
    first, second, third = entries
    # CDATA title, tracking parameters removed from the link, guid kept as written.
    assert first["title"] == "الحكومة تصادق على مشروع قانون المالية للسنة المقبلة"
    assert first["url"] == f"{SITE}/politique/184700.html"
    assert first["guid"] == "akhbar-184700"
    assert first["published_raw"] == "Tue, 07 Oct 2025 18:05:00 +0100"
    assert first["summary"] == "صادق مجلس الحكومة، يوم الثلاثاء، على مشروع قانون المالية."
    # Double-escaped quotes in the title; relative link resolved against the feed URL; escaped HTML summary.
    assert second["title"] == 'وزير التعليم: "الإصلاح" سيشمل كل المؤسسات'
    assert second["url"] == f"{SITE}/societe/184699.html"
    assert "<p>" not in second["summary"] and "&" not in second["summary"]
    # No <link>: the guid is a URL; an HTML entity (&nbsp;) that XML does not know does not break the feed.
    assert third["url"] == f"{SITE}/societe/184698.html"
    assert third["title"] == "أمطار رعدية مرتقبة بعدد من الأقاليم ابتداء من الغد"
    assert third["summary"] == "توقعت المديرية العامة للأرصاد الجوية أمطاراً رعدية."


def test_rss2_skips_entries_without_url_and_duplicates():
    urls = [e["url"] for e in parse_feed(body("rss2.xml"), f"{SITE}/feed")]
    assert len(urls) == len(set(urls)) == 3  # "no-link-1" guid is not a URL; the duplicate keeps position 1


def test_atom_xml_base_alternate_link_and_dates():
    entries = parse_feed(body("atom.xml"), f"{SITE}/ar/sport/atom.xml")
    assert [e["url"] for e in entries] == [
        f"{SITE}/ar/sport/184710-raja-victoire.html",  # rel=alternate, not the image enclosure
        f"{SITE}/ar/sport/184711.html",  # link without rel
        f"{SITE}/ar/sport/184712.html",  # no link: id is a URL
    ]
    assert entries[0]["title"] == "الرجاء يفوز بثلاثية ويتصدر الترتيب"  # type="html" markup removed
    assert entries[0]["published_raw"] == "2025-10-07T17:30:00+01:00"  # published wins over updated
    assert entries[1]["published_raw"] == "2025-10-07T16:00:00+01:00"
    assert entries[1]["summary"] == "يخوض المنتخب النسوي مباراة ودية."
    assert entries[0]["guid"] == "tag:akhbar-watan.example,2025:184710"


def test_rss1_rdf():
    entries = parse_feed(body("rss1.rdf"), f"{SITE}/rss1")
    assert [e["url"] for e in entries] == [f"{SITE}/economie/184720.html", f"{SITE}/economie/184721.html"]
    assert entries[0]["published_raw"] == "2025-10-07T12:00:00+01:00"
    assert entries[1]["title"] == "بنك المغرب يبقي على سعر الفائدة الرئيسي دون تغيير"  # link from rdf:about


def test_broken_feed_is_recovered_item_by_item():
    entries = parse_feed(body("broken.xml"), f"{SITE}/feed")
    assert [e["url"] for e in entries] == [
        f"{SITE}/economie/184730.html",
        f"{SITE}/culture/184731.html",
        f"{SITE}/societe/184732.html",  # after an unclosed <p>, and in a truncated file
    ]
    assert entries[0]["title"] == "الدرهم يستقر أمام الأورو & الدولار"  # bare ampersand kept
    assert entries[1]["title"] == "افتتاح معرض الكتاب بالرباط » برنامج غني"  # &raquo; known to HTML only


def test_json_feed():
    entries = parse_feed(body("feed.json"), f"{SITE}/feed.json")
    assert [e["url"] for e in entries] == [f"{SITE}/societe/184740.html", f"{SITE}/societe/184741.html"]
    assert entries[0]["published_raw"] == "2025-10-08T10:00:00+01:00"
    assert entries[1]["summary"] == "افتتح مستشفى جامعي جديد."


@pytest.mark.parametrize("payload", [b"", b"   ", b"<html><body>x</body></html>", b"just text", b'{"a": 1}'])
def test_not_a_feed_raises_feed_error(payload):
    with pytest.raises(FeedError):
        parse_feed(payload, f"{SITE}/feed")


def test_html_page_raises_feed_error_which_is_a_value_error():
    with pytest.raises(DiscoveryError) as exc:
        parse_feed(body("not_a_feed.html"), f"{SITE}/feed")
    assert isinstance(exc.value, ValueError)
    assert "not a feed" in str(exc.value)


def test_empty_feed_is_an_empty_list():
    assert parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                      f"{SITE}/feed") == []


def test_news_sitemap():
    result = parse_sitemap(body("news_sitemap.xml"), f"{SITE}/sitemap-news.xml")
    assert isinstance(result, SitemapResult)
    assert result.sitemaps == []
    assert result.urls[0] == {
        "url": f"{SITE}/politique/184750.html",
        "lastmod": "2025-10-08T12:10:00+01:00",
        "title": "مجلس النواب يصادق على مشروع قانون يتعلق بالصحافة والنشر",
        "published_raw": "2025-10-08T12:00:00+01:00",
    }
    assert result.urls[1]["url"] == f"{SITE}/sport/184751.html"
    assert result.urls[1]["title"] == 'المنتخب المغربي "يحلم" بالتتويج القاري'
    assert result.urls[2] == {"url": f"{SITE}/culture/184752.html", "lastmod": "2025-10-08", "title": None,
                              "published_raw": None}


def test_sitemap_index_relative_and_duplicate_children():
    result = parse_sitemap(body("sitemap_index.xml"), f"{SITE}/sitemap_index.xml")
    assert result.urls == []
    assert result.sitemaps == [f"{SITE}/sitemap-news.xml", f"{SITE}/sitemap-posts-2025-10.xml.gz"]


def test_gzipped_sitemap_by_magic_bytes():
    raw = body("sitemap.xml.gz")
    assert raw[:2] == b"\x1f\x8b"
    result = parse_sitemap(raw, f"{SITE}/sitemap-posts.xml.gz")
    assert [u["url"] for u in result.urls] == [f"{SITE}/economie/184770.html", f"{SITE}/economie/184771.html"]
    assert is_sitemap(raw)


def test_text_sitemap():
    result = parse_sitemap(body("sitemap.txt"), f"{SITE}/sitemap.txt")
    assert [u["url"] for u in result.urls] == [f"{SITE}/politique/184760.html", f"{SITE}/politique/184761.html"]


def test_feed_served_as_sitemap():
    result = parse_sitemap(body("rss2.xml"), f"{SITE}/sitemap.xml")
    assert result.urls[0]["url"] == f"{SITE}/politique/184700.html"
    assert result.urls[0]["title"].startswith("الحكومة")


@pytest.mark.parametrize("payload", [b"", b"<html><head></head><body>404</body></html>",
                                     gzip.compress(b"<html><body>x</body></html>"), b"no urls here"])
def test_not_a_sitemap_raises(payload):
    with pytest.raises(SitemapError):
        parse_sitemap(payload, f"{SITE}/sitemap.xml")


def test_broken_gzip_raises_sitemap_error():
    with pytest.raises(SitemapError):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", f"{SITE}/sitemap.xml.gz")


def test_sitemaps_from_robots():
    text = body("robots.txt").decode("utf-8")
    assert sitemaps_from_robots(text, f"{SITE}/robots.txt") == [
        f"{SITE}/sitemap_index.xml",  # upper-case SITEMAP:, listed twice
        f"{SITE}/news-sitemap.xml",  # relative value, trailing comment
    ]
    assert sitemaps_from_robots(b"Sitemap: https://a.example/s.xml\n", "https://a.example/robots.txt") == [
        "https://a.example/s.xml"
    ]
    assert sitemaps_from_robots("", f"{SITE}/robots.txt") == []


def test_is_feed_and_is_sitemap_dispatch():
    assert is_feed(body("rss2.xml")) and is_feed(body("atom.xml")) and is_feed(body("rss1.rdf"))
    assert is_feed(body("feed.json"))
    assert not is_feed(body("not_a_feed.html")) and not is_feed(b"")
    assert not is_feed(body("news_sitemap.xml"))
    assert is_sitemap(body("news_sitemap.xml")) and is_sitemap(body("sitemap_index.xml"))
    assert is_sitemap(body("sitemap.txt"), url=f"{SITE}/sitemap.txt")
    assert not is_sitemap(body("sitemap.txt"))  # plain text needs the URL hint
    assert not is_sitemap(body("rss2.xml")) and not is_sitemap(body("not_a_feed.html"))


def test_bom_and_leading_whitespace():
    feed = b"\xef\xbb\xbf\n  " + body("rss2.xml")
    assert len(parse_feed(feed, f"{SITE}/feed")) == 3
    assert is_feed(feed)


def test_sitemap_index_keeps_child_lastmod():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://akhbar.example/sitemap-2019.xml</loc><lastmod>2019-03-01</lastmod></sitemap>
  <sitemap><loc>https://akhbar.example/sitemap-news.xml</loc></sitemap>
</sitemapindex>"""
    result = parse_sitemap(body, "https://akhbar.example/sitemap.xml")
    assert result.sitemaps == ["https://akhbar.example/sitemap-2019.xml", "https://akhbar.example/sitemap-news.xml"]
    assert result.sitemap_lastmod == {"https://akhbar.example/sitemap-2019.xml": "2019-03-01"}


def test_read_discovery_page_dispatches_by_kind():
    from newscrawler.discover import read_discovery_page

    robots = read_discovery_page("robots", b"User-agent: *\nSitemap: /news.xml\n", "https://akhbar.example/robots.txt")
    assert robots.sitemaps == ["https://akhbar.example/news.xml"] and robots.urls == []
    listing = read_discovery_page(
        "listing", "<ul><li><a href='/news/2025/10/07/123.html'>وزير الفلاحة يعلن عن برنامج جديد للسقي</a></li></ul>"
        .encode("windows-1256"), "https://akhbar.example/", encoding="windows-1256")
    assert [e["url"] for e in listing.urls] == ["https://akhbar.example/news/2025/10/07/123.html"]
    with pytest.raises(FeedError):
        read_discovery_page("feed", b"<html><body>moved</body></html>", "https://akhbar.example/feed")
    with pytest.raises(ValueError, match="unknown discovery page kind"):
        read_discovery_page("podcast", b"", "https://akhbar.example/")


def test_a_feed_link_that_urllib_cannot_parse_is_skipped_not_raised():
    # Found by tests/test_fuzz.py: a stray "[" makes the host an unterminated IPv6 literal.
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b'<item><title>a</title><link>http://[news.example/1</link></item>'
            b'<item><title>b</title><link>https://news.example/2</link></item></channel></rss>')
    assert [e["url"] for e in parse_feed(feed, "https://news.example/feed")] == ["https://news.example/2"]
