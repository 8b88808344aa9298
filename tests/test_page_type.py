"""Page types on Arabic portal pages written by the team (``portal_pages.py``): stories inside heavy navigation are
articles, pages whose main block is a list of links are listings, in every markup family."""

from __future__ import annotations

import pytest

from newscrawler.extract import extract_article
from tests import portal_pages as P

FAMILIES = ("legacy", "wp", "modern", "portal")


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("attribution", ["label", "line", "span", "link", "none"])
def test_aggregator_copy_in_a_ticker_of_forty_headlines_is_an_article(family: str, attribution: str) -> None:
    html = P.aggregator_copy(family, attribution)
    r = extract_article(html, "https://multaqa.example/news.php?id=99")
    assert r["is_article"] and r["page_type"] == "article"
    # the headline the page shows (an h1, an h2, a bold line), not the <title> with the aggregator's name
    assert r["title"] == P.HEADLINES[4]
    assert r["source_url"] == "https://www.sahil-news.example/regions/2024/03/02/lajna.html"
    assert P.PROSE[0] in r["body"] and P.PROSE[4] in r["body"]
    for headline in P.HEADLINES[:3]:  # the ticker is not the story
        assert headline not in r["body"]


@pytest.mark.parametrize("family", FAMILIES)
def test_short_copy_is_an_article_when_linked_as_a_headline(family: str) -> None:
    html = P.aggregator_copy(family, paras=2)  # about 400 characters of story
    assert extract_article(html, "https://multaqa.example/news.php?id=98", linked_as_headline=True)["is_article"]


@pytest.mark.parametrize("family", FAMILIES)
def test_publisher_story_without_metadata_in_heavy_navigation_is_an_article(family: str) -> None:
    r = extract_article(P.publisher_article(family), "https://sahil.example/news.php?id=5")
    assert r["page_type"] == "article"
    # A short one (about 600 characters) needs more: the site listing it as a headline.
    short = P.publisher_article(family, paras=3)
    assert extract_article(short, "https://sahil.example/news.php?id=7", linked_as_headline=True)["is_article"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("url", ["https://portal.example/", "https://portal.example/index.php?lang=ar",
                                 "https://portal.example/portal/2011/index.html"])
def test_home_pages_are_listings(family: str, url: str) -> None:
    for lead in range(3):
        r = extract_article(P.home_page(family, lead, cards=6 + 5 * lead), url)
        assert r["page_type"] == "listing", (family, lead)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("url", ["https://portal.example/index.php?lang=ar", "https://portal.example/portal/2011/"])
def test_home_pages_whose_teasers_link_through_a_picture_and_a_details_link_are_listings(family: str, url: str) -> None:
    # Few long links (the headlines are plain text), a long run of dated excerpts: only the "details" links that
    # close each excerpt show that the text is a list of other pages.
    r = extract_article(P.picture_home_page(family), url)
    assert r["page_type"] == "listing"


@pytest.mark.parametrize("family", FAMILIES)
def test_section_and_tag_pages_are_listings_even_when_linked_as_headlines(family: str) -> None:
    for html, url in ((P.section_page(family), "https://portal.example/news.php?cat=3"),
                      (P.section_page(family, excerpts=False), "https://portal.example/akhbar/jihawiya"),
                      (P.tag_page(family), "https://portal.example/news.php?tag=77")):
        for linked in (False, True):
            r = extract_article(html, url, linked_as_headline=linked)
            assert r["page_type"] == "listing", (url, linked)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("attribution", ["label", "label_dated", "line", "line_after", "span", "link"])
def test_aggregator_copy_names_the_outlet_the_page_shows(family: str, attribution: str) -> None:
    outlet = P.OUTLETS[2]
    r = extract_article(P.aggregator_copy(family, attribution, outlet=outlet), "https://multaqa.example/news.php?id=9")
    assert r["source_name"] == outlet and r["method"]["source_name"] == "text"


def test_aggregator_copy_without_a_shown_name_falls_back_to_the_host() -> None:
    r = extract_article(P.aggregator_copy("wp", "none"), "https://multaqa.example/news.php?id=9")
    assert r["source_name"] == "sahil-news.example" and r["method"]["source_name"] == "host"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_listing_still_returns_its_text(family: str) -> None:
    r = extract_article(P.tag_page(family), "https://portal.example/news.php?tag=77")
    assert r["is_article"] is False and r["page_type"] == "listing"
    assert r["method"]["body"] == "list"
    for headline in P.HEADLINES[11:20]:  # the tag page's own list
        assert headline in r["body"]


def test_a_lead_that_restates_the_headline_is_kept_only_a_true_repeat_goes() -> None:
    title = P.HEADLINES[0]
    for lead, kept in ((title + ".", False), (title + " صباح اليوم بالرباط.", True),
                       (title + "، وذلك خلال اجتماعه الأسبوعي الذي ترأسه رئيس الحكومة.", True)):
        html = (f'<html><head><title>{title} – موقع</title><meta property="og:description" content="{lead}"></head>'
                f'<body><article class="post"><h1 class="entry-title">{title}</h1><div class="entry-content">'
                f"<p>{lead}</p>" + "".join(f"<p>{t}</p>" for t in P.PROSE[:2]) + "</div></article></body></html>")
        body = extract_article(html, "https://s.example/2024/03/x")["body"]
        assert body.startswith(lead) is kept and P.PROSE[0] in body


def test_listicle_entries_that_link_and_describe_their_item_are_text() -> None:
    title = "عشر وجهات سياحية مغربية تستحق الزيارة هذا الربيع"
    items = "".join(f'<li><a href="/dest/{i}">{h}</a> - {P.EXCERPTS[i % 4][:60]}</li>'
                    for i, h in enumerate(P.HEADLINES[:10]))
    html = (f'<html><head><title>{title}</title><meta property="og:type" content="article"></head><body>'
            f"{P.ticker('wp', 20)}<article><h1>{title}</h1><ol>{items}</ol></article>{P.footer('wp')}</body></html>")
    r = extract_article(html, "https://s.example/2024/03/wijhat")
    assert r["is_article"]
    for headline in P.HEADLINES[:10]:
        assert headline in r["body"]
    # a related box's bare headline links are still not text
    assert P.HEADLINES[20] not in r["body"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("br", [False, True])
def test_copy_whose_headline_the_ticker_also_links_to_the_page_itself_is_an_article(family: str, br: bool) -> None:
    # The ticker above the copy shows the same headline, linked to this page: the headline that heads the story is
    # the plain one below, and a notice above it is no part of the story's prose.
    url = "https://multaqa.example/news.php?id=99"
    html = P.aggregator_copy(family, "line", self_href="/news.php?id=99", br=br)
    for linked in (False, True):
        r = extract_article(html, url, linked_as_headline=linked)
        assert r["page_type"] == "article", (linked, r["reason"])
        assert r["title"] == P.HEADLINES[4]
        assert P.PROSE[0] in r["body"] and P.PROSE[4] in r["body"]


@pytest.mark.parametrize("family", FAMILIES)
def test_headline_written_with_tatweel_and_presentation_forms_is_the_page_headline(family: str) -> None:
    # «المقاولـــات» with tatweel, «ﻣﺠﻠﺲ» in presentation forms: the same words as the <title>'s headline part.
    title = P.HEADLINES[4]
    shown = title.replace("المقاولات", "المقاولـــات").replace("مجلس", "\ufee3\ufea0\ufee0\ufeb2")
    html = P.aggregator_copy(family, "line", self_href="/news.php?id=99", shown=shown)
    r = extract_article(html, "https://multaqa.example/news.php?id=99", linked_as_headline=True)
    assert r["page_type"] == "article" and r["title"] == title
    assert "المقاولات الصغيرة" not in r["body"]  # the headline is not the story's first line


def test_brief_directly_under_its_headline_is_an_article_when_the_site_lists_it() -> None:
    # Two sentences (under 200 characters) under a bold title cell, its date and author, beside a column of twelve
    # "other news" links: too short for a story on its own evidence, a story once the site lists it.
    url = "https://sahil.example/article.php?id=5"
    r = extract_article(P.legacy_brief(), url, linked_as_headline=True)
    assert r["page_type"] == "article" and r["title"] == P.HEADLINES[7]
    assert r["body"].startswith(P.BRIEF[0]) and P.BRIEF[1] in r["body"]
    assert extract_article(P.legacy_brief(), url)["page_type"] == "listing"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_section_page_whose_description_sits_under_its_name_stays_a_listing(family: str) -> None:
    # A brief needs to be the page's main prose: a section's excerpts are cut by their headline links.
    r = extract_article(P.section_page(family), "https://portal.example/news.php?cat=3", linked_as_headline=True)
    assert r["page_type"] == "listing"


_SHORT_STORY = [
    "افتتحت المديرية الجهوية للصحة مركزا جديدا لتصفية الدم بالمستشفى الإقليمي، بطاقة استيعابية تبلغ عشرين سريرا.",
    "ويستقبل المركز المرضى القادمين من الجماعات القروية المجاورة، بعدما كانوا يتنقلون إلى المدينة المجاورة.",
    "وأوضح المدير الجهوي أن المركز سيشتغل بنظام الحصص الثلاث، مع طاقم طبي وتمريضي تلقى تكوينا خاصا.",
]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_read_also_link_inside_a_short_story_does_not_cut_its_prose(family: str) -> None:
    # Three short paragraphs (about 300 characters) with «اقرأ أيضا: <a>…</a>» after the first, inside a ticker of
    # forty headlines: one story, not a first paragraph and a remainder each too short to count.
    title = P.HEADLINES[6]
    paras = [f"<p>{t}</p>" for t in _SHORT_STORY[:3]]
    paras.insert(1, f'<p>اقرأ أيضا: <a href="/news.php?id=77">{P.HEADLINES[9]}</a></p>')
    html = (f"<html><head><title>{title} - جريدة الساحل</title></head><body>{P.ticker(family, 40)}"
            f"<div class='x1'><h1>{title}</h1><span>الثلاثاء 12 مارس 2024</span>{''.join(paras)}</div>"
            f"{P.link_box(family, 'الأكثر قراءة', 12, 10)}{P.footer(family)}</body></html>")
    r = extract_article(html, "https://sahil.example/news.php?id=8", linked_as_headline=True)
    assert r["page_type"] == "article", r["reason"]
    assert r["body"].startswith(_SHORT_STORY[0]) and r["body"].endswith(_SHORT_STORY[2])
