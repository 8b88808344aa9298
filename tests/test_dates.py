"""Tests for newscrawler.dates. Expected values are the measured outputs of arabic-text.md section 5
(RELATIVE_BASE 2025-10-08 12:00, Africa/Casablanca = UTC+1 outside Ramadan)."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newscrawler.dates import DateResult, date_from_url, parse_date, pick_published, to_utc_iso

CASA = ZoneInfo("Africa/Casablanca")
NOW = datetime(2025, 10, 8, 12, 0)


def d(*args: int) -> datetime:
    return datetime(*args, tzinfo=CASA)


def p(text: str, **kw) -> datetime | None:
    kw.setdefault("now", NOW)
    return parse_date(text, **kw)


# --- section 5.1 / 5.2 sample forms -----------------------------------------------------------------

SECTION_5 = [
    ("الثلاثاء 7 أكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("الثلاثاء، 7 أكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("الثلاثاء 07 أكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("الثلاثاء 7 اكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("الثلاثاء 7 أكتوبر 2025 | 10:30", d(2025, 10, 7, 10, 30)),
    ("٧ أكتوبر ٢٠٢٥", d(2025, 10, 7)),
    ("٧ غشت ٢٠٢٥ - ١٠:٣٠", d(2025, 8, 7, 10, 30)),
    ("٧ أكتوبر ٢٠٢٥ - ١٠:٣٠", d(2025, 10, 7, 10, 30)),
    ("الأحد 12 شتنبر 2025 - 08:15", d(2025, 9, 12, 8, 15)),
    ("الجمعة 19 دجنبر 2025 - 23:59", d(2025, 12, 19, 23, 59)),
    ("الأربعاء 1 يوليوز 2025 - 09:00", d(2025, 7, 1, 9, 0)),
    ("السبت 4 أكتوبر 2025 على الساعة 18:05", d(2025, 10, 4, 18, 5)),
    ("نشر في 04/10/2025 على 18:05", d(2025, 10, 4, 18, 5)),  # "على" (at) alone before the time
    ("04 أكتوبر 2025 - 18h05", d(2025, 10, 4, 18, 5)),
    ("7 غـشـت 2025", d(2025, 8, 7)),
    ("آخر تحديث: 7 أكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("نشر في: الجمعة 19 دجنبر 2025 | 23:59", d(2025, 12, 19, 23, 59)),
    ("07/10/2025", d(2025, 10, 7)),
    ("07/10/2025 10:30", d(2025, 10, 7, 10, 30)),
    ("7 أكتوبر 2025 10:30 صباحاً", d(2025, 10, 7, 10, 30)),
    ("7 أكتوبر 2025 10:30 م", d(2025, 10, 7, 22, 30)),
    ("7 جويلية 2025", d(2025, 7, 7)),
    ("7 تشرين الأول 2025 - 10:30", d(2025, 10, 7, 10, 30)),
    ("7 آب 2025", d(2025, 8, 7)),
    ("الخميس، 9 أكتوبر 2025", d(2025, 10, 9)),
    ("2025-10-07 10:30", d(2025, 10, 7, 10, 30)),
]


@pytest.mark.parametrize("text,expected", SECTION_5)
def test_section5_forms(text, expected):
    got = p(text)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


RELATIVE = [
    ("منذ 3 ساعات", d(2025, 10, 8, 9, 0)),
    ("منذ ساعتين", d(2025, 10, 8, 10, 0)),
    ("منذ ساعة", d(2025, 10, 8, 11, 0)),
    ("منذ ساعة واحدة", d(2025, 10, 8, 11, 0)),
    ("منذ ثلاث ساعات", d(2025, 10, 8, 9, 0)),
    ("منذ 5 دقائق", d(2025, 10, 8, 11, 55)),
    ("قبل 20 دقيقة", d(2025, 10, 8, 11, 40)),
    ("منذ دقيقتين", d(2025, 10, 8, 11, 58)),
    ("قبل يومين", d(2025, 10, 6, 12, 0)),
    ("منذ 3 أيام", d(2025, 10, 5, 12, 0)),
    ("منذ أسبوع", d(2025, 10, 1, 12, 0)),
    ("أمس", d(2025, 10, 7, 12, 0)),
    ("أمس 10:30", d(2025, 10, 7, 10, 30)),
    ("اليوم 10:30", d(2025, 10, 8, 10, 30)),
    ("اليوم على الساعة 09:15", d(2025, 10, 8, 9, 15)),
    ("منذ ٣ ساعات", d(2025, 10, 8, 9, 0)),
    ("il y a 3 heures", d(2025, 10, 8, 9, 0)),
    ("hier à 10h30", d(2025, 10, 7, 10, 30)),
    ("2 hours ago", d(2025, 10, 8, 10, 0)),
]


@pytest.mark.parametrize("text,expected", RELATIVE)
def test_relative_forms(text, expected):
    assert p(text) == expected


def test_relative_with_aware_now_in_other_zone():
    now_utc = datetime(2025, 10, 8, 11, 0, tzinfo=UTC)  # = 12:00 in Casablanca
    got = parse_date("منذ 3 ساعات", now=now_utc)
    assert got == d(2025, 10, 8, 9, 0)
    assert got.utcoffset() == timedelta(hours=1)


def test_coarse_relative_forms_are_none():
    assert p("منذ شهر") is None
    assert p("منذ سنتين") is None


# --- the three regional month sets, all 12 months -------------------------------------------------

STANDARD = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
MOROCCAN = ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"]
ALGERIAN = ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
LEVANTINE = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
FRENCH = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


@pytest.mark.parametrize("names", [STANDARD, MOROCCAN, ALGERIAN, LEVANTINE, FRENCH], ids=["std", "ma", "dz", "lb", "fr"])
def test_month_sets(names):
    for month, name in enumerate(names, start=1):
        assert p(f"7 {name} 2025") == d(2025, month, 7), name
        assert p(f"7 {name} 2025 - 10:30") == d(2025, month, 7, 10, 30), name


def test_standard_spelling_variants():
    for text in ["7 ابريل 2025", "7 إبريل 2025"]:
        assert p(text) == d(2025, 4, 7)
    assert p("7 يونيه 2025") == d(2025, 6, 7)
    assert p("7 يوليه 2025") == d(2025, 7, 7)


def test_levantine_double_name():
    assert p("7 تشرين الأول/أكتوبر 2025") == d(2025, 10, 7)


# --- preparation details ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("نُشر في 7 أكتوبر 2025", d(2025, 10, 7)),
        ("بتاريخ 7 أكتوبر 2025", d(2025, 10, 7)),
        ("تاريخ النشر: 2025-10-07 10:30", d(2025, 10, 7, 10, 30)),
        ("نشر بتاريخ 07/10/2025", d(2025, 10, 7)),
        ("\u200f7 أكتوبر 2025\u200e", d(2025, 10, 7)),
        ("7 أكتوبر 2025 — 10:30", d(2025, 10, 7, 10, 30)),
        ("الثلاثاء 7 أكتوبر 2025م", d(2025, 10, 7)),
        ("السبت 4 أكتوبر 2025 على الساعة 06:05 مساءً", d(2025, 10, 4, 18, 5)),
        ("7 أكتوبر 2025 12:10 ص", d(2025, 10, 7, 0, 10)),
        ("بقلم هسبريس - 7 أكتوبر 2025 - 10:30", d(2025, 10, 7, 10, 30)),
        ("الثلاثاء 15 ربيع الآخر 1447 الموافق 7 أكتوبر 2025", d(2025, 10, 7)),
    ],
)
def test_preparation(text, expected):
    assert p(text) == expected


def test_published_and_updated_in_one_string_takes_the_first():
    assert p("نشر في 7 أكتوبر 2025 - آخر تحديث 8 أكتوبر 2025") == d(2025, 10, 7)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mardi 7 octobre 2025 à 18h05", d(2025, 10, 7, 18, 5)),
        ("Publié le 7 oct. 2025 à 10:30", d(2025, 10, 7, 10, 30)),
        ("Mis à jour le 1er octobre 2025", d(2025, 10, 1)),
        ("le 07.10.2025", d(2025, 10, 7)),
        ("October 7, 2025 10:30 pm", d(2025, 10, 7, 22, 30)),
        ("7 Oct 2025", d(2025, 10, 7)),
    ],
)
def test_latin_forms(text, expected):
    assert p(text) == expected


def test_day_month_without_year_uses_past():
    assert p("7 أكتوبر 10:30") == d(2025, 10, 7, 10, 30)
    assert p("9 أكتوبر") == d(2024, 10, 9)  # "the past" seen from 2025-10-08


@pytest.mark.parametrize("text", ["نونبر 2025", "2025", "أكتوبر", "octobre 2025", "", "   ", "garbage", "10:30", "32/13/2025"])
def test_no_day_no_date(text):
    assert p(text) is None


def test_hijri_is_not_misread():
    assert p("الثلاثاء 15 ربيع الآخر 1447") is None


def test_running_text_refused():
    assert p("أعلنت الوزارة يوم الثلاثاء 7 أكتوبر 2025 " * 20) is None


def test_non_string_input():
    assert parse_date(None) is None  # type: ignore[arg-type]


# --- ISO, RFC 2822 and zones ------------------------------------------------------------------------


def test_iso_with_offset_keeps_offset():
    got = p("2025-10-07T10:30:00+02:00")
    assert got == datetime(2025, 10, 7, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert got.utcoffset() == timedelta(hours=2)
    assert p("2025-10-07T09:30:00Z").utcoffset() == timedelta(0)


def test_iso_naive_in_source_zone():
    assert p("2025-10-07T10:30:00") == d(2025, 10, 7, 10, 30)
    assert p("2025-10-07") == d(2025, 10, 7)
    assert p("2025-10-07T10:30:00.123456") == d(2025, 10, 7, 10, 30, 0, 123456)
    got = parse_date("2025-10-07 10:30", tz="Asia/Beirut")
    assert got.utcoffset() == timedelta(hours=3)


def test_rfc2822_feed_dates():
    got = p("Tue, 07 Oct 2025 10:30:00 +0000")
    assert got == datetime(2025, 10, 7, 10, 30, tzinfo=UTC)
    assert p("Tue, 07 Oct 2025 10:30:00 GMT") == datetime(2025, 10, 7, 10, 30, tzinfo=UTC)


def test_ramadan_offset_from_tzdata():
    # Morocco moves to UTC+0 during Ramadan (2025-02-23 .. 2025-04-06).
    assert p("10 مارس 2025 10:30").utcoffset() == timedelta(0)
    assert p("10 أبريل 2025 10:30").utcoffset() == timedelta(hours=1)


def test_explicit_gmt():
    assert p("10 mars 2025 10:30 GMT") == datetime(2025, 3, 10, 10, 30, tzinfo=UTC)


def test_locale_first():
    assert parse_date("7 أكتوبر 2025", now=NOW, locale="ar-LB") == d(2025, 10, 7)


# --- URL dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://example.ma/2025/10/07/slug.html", date(2025, 10, 7)),
        ("https://example.ma/news/2025/10/7/slug", date(2025, 10, 7)),
        ("https://example.ma/2025-10-07-slug", date(2025, 10, 7)),
        ("https://example.ma/politique/20251007/slug", date(2025, 10, 7)),
        ("https://example.ma/politique/slug-20251007.html", date(2025, 10, 7)),
        ("https://example.ma/2025/10/slug", None),
        ("https://example.ma/2025/slug", None),
        ("https://example.ma/article-123456789.html", None),
        ("https://example.ma/a/202510071234/slug", None),
        ("https://example.ma/a/20251307/slug", None),
        ("https://example.ma/article.php?id=20251007", None),
        ("https://20251007.example.ma/x", None),
        ("", None),
    ],
)
def test_date_from_url(url, expected):
    got = date_from_url(url)
    if expected is None:
        assert got is None
    else:
        assert got == datetime(expected.year, expected.month, expected.day, tzinfo=CASA)


# --- pick_published ---------------------------------------------------------------------------------


def test_trust_order_first_parsable_wins():
    cands = [
        ("jsonld", ""),
        ("meta", "not a date"),
        ("time", "2025-10-07T10:30:00+01:00"),
        ("text", "الأحد 5 أكتوبر 2025 - 08:15"),
        ("url", "https://example.ma/2025/10/01/x"),
    ]
    got = pick_published(cands, now=NOW)
    assert got == DateResult(d(2025, 10, 7, 10, 30), "2025-10-07T10:30:00+01:00", "time")


def test_url_rule_reads_the_url():
    got = pick_published([("meta", "bad"), ("url", "https://example.ma/2025/10/01/x")], now=NOW)
    assert got.rule == "url" and got.value == d(2025, 10, 1)


def test_future_dates_rejected():
    cands = [("jsonld", "2025-12-25T10:00:00+01:00"), ("text", "منذ ساعتين")]
    got = pick_published(cands, now=NOW)
    assert got.rule == "text" and got.value == d(2025, 10, 8, 10, 0)


def test_small_clock_skew_tolerated_as_the_fetch_time():
    # never a date after the fetch: a few minutes ahead is the site's clock, and the fetch time is returned
    got = pick_published([("meta", "2025-10-08T12:05:00+01:00")], now=NOW)
    assert got.value == d(2025, 10, 8, 12, 0) and got.rule == "meta"
    assert pick_published([("meta", "2025-10-08T13:00:00+01:00")], now=NOW).value is None


def test_nothing_found():
    assert pick_published([], now=NOW) == DateResult(None, None, None)
    assert pick_published([("meta", "2099-01-01")], now=NOW) == DateResult(None, None, None)


def test_default_now_rejects_far_future():
    assert pick_published([("meta", "2099-01-01T00:00:00Z")]).value is None
    assert pick_published([("meta", "2020-01-01T00:00:00Z")]).rule == "meta"


def test_to_utc_iso():
    assert to_utc_iso(d(2025, 10, 7, 10, 30)) == "2025-10-07T09:30:00+00:00"
    assert to_utc_iso(datetime(2025, 10, 7, 10, 30)) == "2025-10-07T09:30:00+00:00"
    assert to_utc_iso(date(2025, 10, 7)) == "2025-10-06T23:00:00+00:00"
    assert to_utc_iso(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Created on Jul 11, 2025", (2025, 7, 11)),
        ("March 2, 2026 - Words by the desk", (2026, 3, 2)),
        ("October 16, 2020 · 8 min read", (2020, 10, 16)),
        ("Posted on Sept. 3, 2024 by Sam", (2024, 9, 3)),
        ("Nadia K. | Senior Writer | July 2, 2025", (2025, 7, 2)),
    ],
)
def test_month_first_date_inside_a_byline(text: str, expected: tuple[int, int, int]) -> None:
    dt = parse_date(text, tz="Africa/Casablanca", now=datetime(2026, 4, 1, tzinfo=ZoneInfo("Africa/Casablanca")))
    assert dt is not None and (dt.year, dt.month, dt.day) == expected


def test_month_first_search_needs_a_real_month() -> None:
    assert parse_date("Issue 12, 2024 of the review") is None


def test_numeric_date_after_a_name() -> None:
    dt = parse_date("Rachael H. - 12/03/2025", tz="Africa/Casablanca", now=NOW)
    assert dt is not None and (dt.year, dt.month, dt.day) == (2025, 3, 12)  # day first, as in the Maghreb
    assert parse_date("كتبه سعيد - 2025-10-07", tz="Africa/Casablanca", now=NOW) == d(2025, 10, 7)
    assert parse_date("v1.2.2025", tz="Africa/Casablanca", now=NOW) is None


@pytest.mark.parametrize(
    ("locale", "expected"),
    [(None, (2025, 4, 3)), ("ar-MA", (2025, 4, 3)), ("fr", (2025, 4, 3)), ("en-GB", (2025, 4, 3)),
     ("en-US", (2025, 3, 4)), ("en", (2025, 3, 4)), ("en_US", (2025, 3, 4))],
)
def test_ambiguous_numeric_date_follows_the_locale(locale: str | None, expected: tuple[int, int, int]) -> None:
    for text in ("3/4/2025", "Yucy 3/4/2025"):
        dt = parse_date(text, tz="Africa/Casablanca", now=NOW, locale=locale)
        assert dt is not None and (dt.year, dt.month, dt.day) == expected
    # An impossible month-first reading falls back to day first, whatever the locale says.
    assert parse_date("17/08/2025", tz="Africa/Casablanca", now=NOW, locale="en-US") == d(2025, 8, 17)


def test_pick_published_passes_the_locale() -> None:
    res = pick_published([("text", "3/4/2025")], tz="Africa/Casablanca", now=NOW, locale="en-US")
    assert (res.value.month, res.value.day) == (3, 4) and res.rule == "text"


def test_german_byline_with_weekday_two_digit_year_and_time() -> None:
    # `Do 25.04.24 | 14:07 Uhr | Von ...`: weekday, dotted two-digit year, then the time after a separator.
    assert parse_date("Do 25.09.25 | 14:07 Uhr | Von Nadia Amrani", tz="Africa/Casablanca", now=NOW) == d(
        2025, 9, 25, 14, 7
    )
    assert parse_date("Mi., 24.09.2025, 09:30 Uhr", tz="Africa/Casablanca", now=NOW) == d(2025, 9, 24, 9, 30)
    # Not a date: version numbers, and two-digit years between slashes stay with the slower, stricter reader.
    assert parse_date("Version 1.2.24", tz="Africa/Casablanca", now=NOW) is None
