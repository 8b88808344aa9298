"""Headlines of home, section and aggregator pages (newscrawler.listing) on fixtures we wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawler.listing import extract_listing, looks_like_article_url
from newscrawler.text import display_clean

FIX = Path(__file__).parent / "fixtures" / "listing"
SITE = "https://www.akhbar-watan.example"


def page(name: str) -> bytes:
    return (FIX / name).read_bytes()


@pytest.fixture(scope="module")
def home() -> list[dict]:
    return extract_listing(page("home.html"), f"{SITE}/")


def test_home_headlines_in_page_order(home):
    assert [h["position"] for h in home] == list(range(1, len(home) + 1))
    assert [h["url"] for h in home] == [
        f"{SITE}/politique/2025/10/07/le-parlement-ouvre-la-session",
        f"{SITE}/politique/184502.html",
        f"{SITE}/economie/184490-bourse-casablanca-hausse.html",
        f"{SITE}/economie/184477-prix-carburants.html",
        f"{SITE}/economie/184463-port-tanger-med.html",
        f"{SITE}/sport/2025/10/06/selection-u17-qualification",
        f"{SITE}/sport/184455.html",
        f"{SITE}/sport/184448.html",  # "#comments" fragment dropped
        f"{SITE}/societe/184440.html",  # utm_* parameters dropped
        "https://akhbar-watan.example/societe/184431.html",  # protocol-relative, same site without www
        f"{SITE}/culture/184399-festival-cinema-rabat.html",  # only in "most read", so kept there
    ]


def test_home_leaves_out_boilerplate(home):
    urls = " ".join(h["url"] for h in home)
    for bad in ("/category/", "/tag/", "/author/", "/page/", "page=", "/login", "/contact", "/about", "/privacy",
                "/ads/", "other-outlet", "facebook", "twitter", "184300", "javascript", "mailto"):
        assert bad not in urls, bad


def test_home_titles_and_sections(home):
    by_url = {h["url"].rsplit("/", 1)[-1]: h for h in home}
    featured = by_url["184502.html"]
    # The image link comes first but has no text; "اقرأ المزيد" is not a title: the heading wins.
    assert featured["title"] == "الحكومة تعلن برنامجاً جديداً لدعم تشغيل الشباب في المناطق القروية"
    assert featured["section"] == "سياسة"  # the card's category label
    assert featured["position"] == 2  # not the "most read" position
    bourse = by_url["184490-bourse-casablanca-hausse.html"]
    assert bourse["title"] == "أداء إيجابي لبورصة الدار البيضاء في ختام تداولات الأسبوع"  # not the sidebar's shorter one
    assert bourse["section"] == "اقتصاد"
    assert by_url["selection-u17-qualification"]["title"] == "المنتخب الوطني U17 يتأهل إلى الدور الموالي بعد فوز مستحق"
    assert by_url["selection-u17-qualification"]["section"] == "رياضة"
    # Quotes glued to a word are spaced by the text rules (docs/text.md): compare with display_clean's spelling.
    assert by_url["184431.html"]["title"] == display_clean('جمعيات تطالب ب"الإسراع" في إصلاح منظومة الصحة العمومية')
    assert by_url["184431.html"]["section"] == "مجتمع"
    assert by_url["184399-festival-cinema-rabat.html"]["section"] == "الأكثر قراءة"
    assert all(h["title"] for h in home)


def test_section_page_relative_links_base_href_breadcrumbs_pager():
    heads = extract_listing(page("section.html"), f"{SITE}/category/sport")
    assert [h["url"] for h in heads] == [
        f"{SITE}/sport/184601-raja-wydad-derby.html",  # relative to <base href>
        f"{SITE}/sport/184598-marathon-marrakech.html",
        f"{SITE}/sport/184590-botola-journee-5.html",  # "التفاصيل" link merged into the title link
        "https://akhbar-watan.example/sport/184585-tennis-rabat.html",
        "https://sport.akhbar-watan.example/football/2025/10/05/coupe-du-trone-finale",  # subdomain: same site
    ]
    assert {h["section"] for h in heads} == {"رياضة"}  # the page's h1
    assert heads[0]["title"] == "موعد ديربي الرجاء والوداد يثير جدلاً بين الجماهير"


def test_aggregator_page_like_the_seed():
    heads = extract_listing(page("aggregator.html"), f"{SITE}/")
    assert len(heads) == 9  # the repeated weather headline counted once
    assert heads[0]["title"] == "حزب معارض يطلب حضور وزير الصحة أمام لجنة القطاعات الاجتماعية"  # spaces folded
    assert heads[2] == {"title": "", "url": f"{SITE}/article/5501232", "position": 3, "section": None}
    assert heads[3]["title"].startswith("كيوسك الأربعاء | ")
    assert heads[4]["title"] == display_clean('شباب "جيل Z" يعرضون مطالبهم.. التعليم والصحة أولاً')
    assert all("/section/" not in h["url"] and "p=2" not in h["url"] for h in heads)
    assert all(h["title"] != "جريدة الصباح" for h in heads)  # outlet names are not headlines


def test_bytes_in_windows_1256_are_decoded():
    heads = extract_listing(page("cp1256_section.html"), "http://old-site.example/culture")
    assert [h["url"] for h in heads] == [
        "http://old-site.example/culture/article.php?id=3120",
        "http://old-site.example/culture/article.php?id=3119",
    ]
    assert heads[0]["title"] == "معرض للفنون التشكيلية يحتفي بالتراث الأمازيغي في أكادير"
    assert heads[0]["section"] == "ثقافة وفنون"


def test_str_input_gives_the_same_result(home):
    assert extract_listing(page("home.html").decode("utf-8"), f"{SITE}/") == home


def test_listing_selector_is_used_first():
    heads = extract_listing(page("home.html"), f"{SITE}/", selectors={"listing": "aside .most-read li a"})
    assert [h["url"].rsplit("/", 1)[-1] for h in heads] == [
        "184490-bourse-casablanca-hausse.html", "184502.html", "184399-festival-cinema-rabat.html"
    ]
    assert heads[0]["title"] == "أداء إيجابي لبورصة الدار البيضاء"


def test_listing_selector_matching_nothing_falls_back(home):
    assert extract_listing(page("home.html"), f"{SITE}/", selectors={"listing": ".no-such-block a"}) == home
    assert extract_listing(page("home.html"), f"{SITE}/", selectors={"listing": "[[[bad"}) == home


@pytest.mark.parametrize("html", [b"", b"   ", "<html", b"\x00\xff\xfe garbage", "<a href='/1234567'>",
                                  "<?xml version='1.0' encoding='utf-8'?><html><body></body></html>",
                                  b"<html><body>" + b"<div>" * 3000 + b"</body></html>"])
def test_never_raises_on_bad_html(html):
    assert isinstance(extract_listing(html, f"{SITE}/"), list)


def test_unclosed_tags_still_give_headlines():
    html = ('<html><body><div class="news"><h3><a href="/societe/184801.html">سكان حي شعبي يطالبون بإصلاح '
            'الطريق المؤدية إلى المدرسة<div><h3><a href="/societe/184802.html">افتتاح سوق أسبوعي جديد بضواحي '
            'مدينة فاس')
    heads = extract_listing(html, f"{SITE}/")
    assert [h["url"] for h in heads] == [f"{SITE}/societe/184801.html", f"{SITE}/societe/184802.html"]


# The "read more" phrases are shared with the article body (newscrawler.phrases): the body's "Continue reading" and
# "Weiterlesen" are not titles here either.
@pytest.mark.parametrize("text", ["اقرأ المزيد", "التفاصيل", "« المزيد", "Continue reading", "Weiterlesen",
                                  "Read more »", "» Read more", "اقرأ المزيد عن الحدث"])
def test_read_more_text_is_not_a_title(text):
    html = (f'<html><body><div class="news"><article><a href="/societe/184900.html" '
            f'title="سكان حي شعبي يطالبون بإصلاح الطريق">{text}</a></article></div></body></html>')
    assert [h["title"] for h in extract_listing(html, f"{SITE}/")] == ["سكان حي شعبي يطالبون بإصلاح الطريق"]


@pytest.mark.parametrize("text", ["More than 100 boats return to the port of Agadir",
                                  "المزيد من الأمطار المرتقبة في شمال المملكة", "قراءة في الصحف المغربية ليوم الأربعاء",
                                  "التفاصيل الكاملة لمشروع قانون المالية"])
def test_headline_opening_with_a_read_more_label_is_a_title(text):
    html = f'<html><body><div class="news"><h3><a href="/societe/184901.html">{text}</a></h3></div></body></html>'
    assert [h["title"] for h in extract_listing(html, f"{SITE}/")] == [text]


@pytest.mark.parametrize("url", [
    f"{SITE}/politique/184502.html",
    f"{SITE}/economie/184490-bourse-casablanca-hausse.html",
    f"{SITE}/politique/2025/10/07/le-parlement-ouvre-la-session",
    f"{SITE}/article/5501234",
    f"{SITE}/?p=18450",
    f"{SITE}/news/article.php?id=9",
    f"{SITE}/category/politique/184502-slug",  # section path but an id
    f"{SITE}/%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D8%A9-%D8%AA%D8%B9%D9%84%D9%86-%D8%A8%D8%B1%D9%86%D8%A7%D9%85%D8%AC",
    f"{SITE}/how-the-new-budget-changes-rural-schools",
    f"{SITE}/news/a7f3k29x81",
])
def test_looks_like_article_url_true(url):
    assert looks_like_article_url(url)


@pytest.mark.parametrize("url", [
    f"{SITE}/", f"{SITE}", f"{SITE}/sport", f"{SITE}/category/sport", f"{SITE}/category/sport/page/2",
    f"{SITE}/tag/المغرب", f"{SITE}/author/ahmed-benali-el-idrissi", f"{SITE}/search?q=نوبل",
    f"{SITE}/?page=4", f"{SITE}/?p=2", f"{SITE}/2025/10/", f"{SITE}/2025/10/07/", f"{SITE}/img/184502.jpg",
    f"{SITE}/contact", f"{SITE}/index.html", f"{SITE}/feed", "mailto:a@b.example", "javascript:void(0)",
    f"{SITE}/videos",
])
def test_looks_like_article_url_false(url):
    assert not looks_like_article_url(url)
