"""The backfill date and the decision to follow a listing's next page (newscrawler.backfill)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newscrawler.backfill import PageWalk, archive_period_end, parse_since, since_moment


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-09-01", date(2025, 9, 1)),
    (" 2025-09-01 ", date(2025, 9, 1)),
    ("2025-09-01T06:30", datetime(2025, 9, 1, 6, 30)),
    ("2025-09-01 06:30+01:00", datetime.fromisoformat("2025-09-01T06:30+01:00")),
    ("", None),
    (None, None),
])
def test_parse_since(text, expected):
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["2025-13-01", "01/09/2025", "yesterday", "2025-9"])
def test_parse_since_refuses_other_forms(text):
    with pytest.raises(ValueError, match="--since expects an ISO date"):
        parse_since(text)


def test_since_moment_is_the_start_of_the_day_in_the_source_zone():
    moment = since_moment(date(2025, 9, 1), "Africa/Casablanca")
    assert moment.isoformat() == "2025-09-01T00:00:00+01:00"
    assert since_moment(datetime(2025, 9, 1, 6), "UTC") == datetime(2025, 9, 1, 6, tzinfo=UTC)
    aware = datetime(2025, 9, 1, 6, tzinfo=UTC)
    assert since_moment(aware, "Asia/Tokyo") is aware


def test_page_walk_stops_only_when_every_dated_entry_is_older():
    since = datetime(2025, 9, 1, tzinfo=UTC)
    walk = PageWalk("s", "https://x.ma/akhbar/2", 2)
    assert walk.go_on()  # nothing known: no reason to stop
    walk.note(None, since)
    assert walk.go_on()  # undated entries are no evidence
    walk.note(since - timedelta(days=3), since)
    assert not walk.go_on() and walk.oldest == since - timedelta(days=3)
    walk.note(since, since)  # the day itself counts as recent
    assert walk.go_on() and (walk.dated, walk.recent) == (2, 1)


@pytest.mark.parametrize(("url", "end"), [
    ("https://x.ma/sitemap-2019-05.xml", "2019-06-01T00:00:00+00:00"),
    ("https://x.ma/sitemaps/2019/12/", "2020-01-01T00:00:00+00:00"),
    ("https://x.ma/news-201905.xml", "2019-06-01T00:00:00+00:00"),
    ("https://x.ma/sitemap-2019-05-14.xml", "2019-05-15T00:00:00+00:00"),
    ("https://x.ma/sitemap_2019.xml", "2020-01-01T00:00:00+00:00"),
])
def test_archive_period_end(url, end):
    assert archive_period_end(url, "UTC").isoformat() == end


@pytest.mark.parametrize("url", ["https://x.ma/post-sitemap2.xml", "https://x.ma/sitemap-2019051.xml",
                                 "https://x.ma/sitemap.xml?yyyy=2019", "https://x.ma/sitemap-2019-02-30.xml",
                                 "https://x.ma/news-sitemap.xml"])
def test_archive_period_end_needs_a_date_in_the_path(url):
    assert archive_period_end(url, "UTC") is None
