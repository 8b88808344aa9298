"""End to end: listing pagination, `crawl --since` backfill and the per-source page cap, with the real
`newscrawler crawl` command against a small paginated site served on 127.0.0.1 by the demo server.

The site is written here (not the demo's): one listing of five pages, three articles a page, ten days apart from
one page to the next; a sitemap index with a fresh and an archive child sitemap of articles no listing links.
Two pagination styles: "numbered" (/akhbar/N, «التالي», article URLs without a date: the backfill dates a page by
its fetched articles) and "rel" (<link rel=next>, ?page=N, an arrow, article URLs with the date in the path).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newscrawler.demo import DemoServer
from newscrawler.demo.sitegen import DemoPage, DemoSite, DemoWorld
from newscrawler.demo.texts import STORIES
from tests.crawl_runs import newscrawler, run_crawl, write_sources

SITE = "paged"
PAGES = 5
PER_PAGE = 3
DAYS_PER_PAGE = 10
SITEMAP_ONLY_DAYS = (1, 12, 22, 35)  # articles only the sitemaps list, this many days old
SINCE_DAYS = 25  # the backfill date: pages 1-3 hold newer articles, page 4 only older ones
TZ = ZoneInfo("Africa/Casablanca")


@dataclass
class Art:
    path: str
    title: str
    paragraphs: list[str]
    published: datetime


def _html(title: str, body: str, head: str = "") -> bytes:
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>{head}'
            f'</head><body><header><a href="/">موقع الصفحات</a> <nav><a href="/akhbar">أخبار</a></nav></header>'
            f'{body}<footer><a href="/contact">اتصل بنا</a></footer></body></html>').encode()


def _article_page(a: Art) -> DemoPage:
    iso = a.published.isoformat(timespec="seconds")
    paragraphs = "".join(f"<p>{p}</p>" for p in a.paragraphs)
    body = f'<main><article><h1>{a.title}</h1><time datetime="{iso}">{iso}</time>{paragraphs}</article></main>'
    head = f'<meta property="og:type" content="article"><meta property="article:published_time" content="{iso}">'
    return DemoPage(200, _html(a.title, body, head), {"Content-Type": "text/html; charset=utf-8"})


def _listing_path(style: str, page: int) -> str:
    if style == "numbered":
        return "/akhbar" if page == 1 else f"/akhbar/{page}"
    return "/news" if page == 1 else f"/news?page={page}"


def _listing_page(style: str, page: int, arts: list[Art], most_read: list[Art]) -> DemoPage:
    items = "".join(f'<li><article><h3><a href="{a.path}">{a.title}</a></h3></article></li>' for a in arts)
    # the same newest headlines in a box on every page: a backfill must not take them for this page's entries
    box = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in most_read)
    head = ""
    if style == "numbered":
        links = [f'<a href="{_listing_path(style, n)}">{n}</a>' if n != page else f"<span>{n}</span>"
                 for n in range(1, PAGES + 1)]
        if page > 1:
            links.insert(0, f'<a href="{_listing_path(style, page - 1)}">« السابق</a>')
        if page < PAGES:
            links.append(f'<a href="{_listing_path(style, page + 1)}">التالي »</a>')
        pager = f'<div class="pagination">{" ".join(links)}</div>'
    else:
        pager = '<div class="pages">'
        if page > 1:
            pager += f'<a href="{_listing_path(style, page - 1)}">‹</a>'
        if page < PAGES:
            head = f'<link rel="next" href="{_listing_path(style, page + 1)}">'
            pager += f'<a href="{_listing_path(style, page + 1)}">›</a>'
        pager += "</div>"
    body = (f'<main><h1 class="section-title">آخر الأخبار</h1><ul class="news">{items}</ul>{pager}</main>'
            f'<aside class="most-read"><h2>الأكثر قراءة</h2><ul>{box}</ul></aside>')
    return DemoPage(200, _html("آخر الأخبار", body, head), {"Content-Type": "text/html; charset=utf-8"})


def _sitemap(entries: list[tuple[str, datetime]], tag: str = "url") -> DemoPage:
    wrapper = "urlset" if tag == "url" else "sitemapindex"
    rows = "".join(f"<{tag}><loc>{loc}</loc><lastmod>{when.isoformat(timespec='seconds')}</lastmod></{tag}>"
                   for loc, when in entries)
    body = f'<?xml version="1.0" encoding="UTF-8"?><{wrapper} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return DemoPage(200, (body + rows + f"</{wrapper}>").encode(), {"Content-Type": "application/xml"})


def build_world(style: str, now: datetime, listing_pages: int | None = None, alias: bool = False):
    """A factory for DemoServer(world_factory=...): the site, its source entry and its ground truth. ``alias``
    adds to page 1 a headline whose URL redirects to another headline of the page (its redirected request is
    dropped by Scrapy's duplicate filter and never reports back)."""

    def factory(base_urls: dict[str, str]) -> DemoWorld:
        base = base_urls[SITE]
        site = DemoSite(id=SITE, name="موقع الصفحات", kind="publisher", base_url=base, encoding="utf-8")
        stories = iter(STORIES)
        truth: dict[str, object] = {"listing": {}, "sitemap_only": {}}

        def art(n: int, published: datetime) -> Art:
            _, title, paragraphs = next(stories)
            clean = [re.sub("[⟦⟧]", "", p) for p in paragraphs]
            if style == "numbered":
                path = f"/article/{10000 + n}-khabar.html"
            else:
                day = published.astimezone(TZ)
                path = f"/{day:%Y/%m/%d}/khabar-{n}"
            return Art(path, re.sub("[⟦⟧]", "", title), clean, published)

        n = 0
        newest: list[Art] = []
        for page in range(1, PAGES + 1):
            arts = []
            for i in range(PER_PAGE):
                n += 1
                arts.append(art(n, now - timedelta(days=(page - 1) * DAYS_PER_PAGE, hours=i)))
            newest = newest or arts[:2]
            for a in arts:
                site.pages[a.path] = _article_page(a)
            listed = list(arts)
            if alias and page == 1:
                twin = Art("/article/20001-alias.html", arts[0].title + " (نسخة)", [], arts[0].published)
                site.pages[twin.path] = DemoPage(301, b"", {"Location": base + arts[0].path})
                listed.append(twin)
            site.pages[_listing_path(style, page)] = _listing_page(style, page, listed, newest)
            truth["listing"][page] = [base + a.path for a in arts]
        fresh, archive = [], []
        for days in SITEMAP_ONLY_DAYS:
            n += 1
            a = art(n, now - timedelta(days=days))
            site.pages[a.path] = _article_page(a)
            truth["sitemap_only"][days] = base + a.path
            (fresh if days < 3 else archive).append((base + a.path, a.published))
        site.pages["/sitemap-fresh.xml"] = _sitemap(fresh)
        site.pages["/sitemap-archive.xml"] = _sitemap(archive)
        # an archive sitemap without <lastmod> whose name says it holds a month long before the backfill date
        n += 1
        old = art(n, now - timedelta(days=SINCE_DAYS + 70))
        site.pages[old.path] = _article_page(old)
        old_name = f"/sitemap-{old.published.astimezone(TZ):%Y-%m}.xml"
        site.pages[old_name] = _sitemap([(base + old.path, old.published)])
        truth["old_month_sitemap"] = old_name
        index = _sitemap([(base + "/sitemap-fresh.xml", now), (base + "/sitemap-archive.xml", now - timedelta(days=12))],
                         "sitemap")
        site.pages["/sitemap.xml"] = DemoPage(200, index.body.replace(
            b"</sitemapindex>", f"<sitemap><loc>{base}{old_name}</loc></sitemap></sitemapindex>".encode()), index.headers)
        site.pages["/__404__"] = DemoPage(404, _html("404", "<p>غير موجود</p>"), {"Content-Type": "text/html"})
        source = {"id": SITE, "name": site.name, "homepage": base + "/", "listings": [base + _listing_path(style, 1)],
                  "sitemaps": [base + "/sitemap.xml"], "allow_loopback": True}
        if listing_pages is not None:
            source["listing_pages"] = listing_pages
        return DemoWorld(sites={SITE: site}, seed=0, articles_per_site=n, _sources=[source], _manifest=truth)

    return factory


SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING"]


def crawl(server: DemoServer, tmp: Path, *extra: str) -> tuple[subprocess.CompletedProcess, Path, list[str]]:
    """One real crawl into a new database; returns the result, the database and the paths the site served."""
    config, db = write_sources(server, tmp / "sources.toml"), tmp / "news.db"
    before = len(server.requests)
    result = run_crawl(config, db, SETTINGS, extra)
    served = [r.path for r in server.requests[before:] if r.path != "/robots.txt"]
    return result, db, served


def stored_urls(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def last_run(db: Path) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
    finally:
        conn.close()


def listing_pages_served(style: str, served: list[str]) -> list[int]:
    paths = {_listing_path(style, p): p for p in range(1, PAGES + 1)}
    return sorted(paths[p] for p in served if p in paths)


def expected_articles(truth: dict, pages: int, sitemap_days: tuple[int, ...]) -> set[str]:
    urls = {u for p in range(1, pages + 1) for u in truth["listing"][p]}
    return urls | {truth["sitemap_only"][d] for d in sitemap_days}


@pytest.fixture(params=["numbered", "rel"])
def style(request) -> str:
    return request.param


def test_scheduled_run_follows_the_first_listing_pages(style, tmp_path):
    listing_pages = 2 if style == "numbered" else 3  # the default, and a per-source setting
    now = datetime.now(UTC)
    with DemoServer(world_factory=build_world(style, now, None if style == "numbered" else 3),
                    site_ids=(SITE,)) as server:
        truth = server.manifest()
        _, db, served = crawl(server, tmp_path)
    assert listing_pages_served(style, served) == list(range(1, listing_pages + 1))
    # the archive sitemap (12 days old) is skipped on a scheduled run, the fresh one is read
    assert "/sitemap-archive.xml" not in served and "/sitemap-fresh.xml" in served
    assert truth["old_month_sitemap"] not in served
    assert stored_urls(db) == expected_articles(truth, listing_pages, (1,))
    run = last_run(db)
    assert run["pages_capped"] == 0 and run["unaccounted"] == 0


def test_since_walks_back_to_the_date_and_stops(style, tmp_path):
    now = datetime.now(UTC)
    since = (now.astimezone(TZ) - timedelta(days=SINCE_DAYS)).date().isoformat()
    with DemoServer(world_factory=build_world(style, now), site_ids=(SITE,)) as server:
        truth = server.manifest()
        _, db, served = crawl(server, tmp_path, "--since", since)
    # pages 1-3 hold articles newer than the date; page 4 is the first whose articles are all older: the walk
    # stops there and never asks for page 5
    assert listing_pages_served(style, served) == [1, 2, 3, 4]
    assert "/sitemap-archive.xml" in served and truth["old_month_sitemap"] not in served
    # sitemap entries back to the date (1, 12 and 22 days old), not the 35-day-old one
    assert stored_urls(db) == expected_articles(truth, 4, (1, 12, 22))
    assert last_run(db)["pages_capped"] == 0


def test_since_walk_goes_on_when_an_article_never_reports_back(tmp_path):
    now = datetime.now(UTC)
    since = (now.astimezone(TZ) - timedelta(days=SINCE_DAYS)).date().isoformat()
    with DemoServer(world_factory=build_world("numbered", now, alias=True), site_ids=(SITE,)) as server:
        truth = server.manifest()
        _, db, served = crawl(server, tmp_path, "--since", since)
    assert "/article/20001-alias.html" in served
    assert listing_pages_served("numbered", served) == [1, 2, 3, 4]
    assert stored_urls(db) == expected_articles(truth, 4, (1, 12, 22))


def test_page_cap_is_honoured_and_reported(tmp_path):
    now = datetime.now(UTC)
    cap = 6
    since = (now.astimezone(TZ) - timedelta(days=SINCE_DAYS)).date().isoformat()
    with DemoServer(world_factory=build_world("numbered", now), site_ids=(SITE,)) as server:
        result, db, served = crawl(server, tmp_path, "-s", f"NEWSCRAWLER_SINCE={since}",
                                   "-s", f"NEWSCRAWLER_MAX_PAGES_PER_SOURCE={cap}")
    assert len(served) == cap  # every request of the source counts: sitemaps, listing pages, articles
    run = last_run(db)
    assert run["pages_capped"] > 0
    import json

    assert json.loads(run["stats"])["pages_capped_by_source"] == {SITE: run["pages_capped"]}
    assert f"Requests not made (per-source cap reached): {run['pages_capped']} ({SITE} {run['pages_capped']})" \
        in result.stdout


@pytest.mark.parametrize("args", [["--since", "2025-13-45"], ["--since", "yesterday"],
                                  ["-s", "NEWSCRAWLER_SINCE=1/10/2025"]])
def test_bad_since_is_one_clear_line(args, tmp_path):
    result = newscrawler("crawl", "--db", str(tmp_path / "x.db"), *args)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--since expects an ISO date" in result.stderr
    assert not (tmp_path / "x.db").exists()
