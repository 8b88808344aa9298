"""End to end: `newscrawler crawl` on an aggregator whose copies sit inside heavy navigation (a ticker of forty
headlines, most-read and related boxes, a long footer), served on 127.0.0.1, into a real SQLite file.

The copies must be stored as articles (not rejected as listings), and each one's `source_name` must be the outlet's
name as the page shows it; when the page shows none, the configured source that the link belongs to; the host last.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import portal_pages as P
from tests.test_crawl_demo import crawl

PUBLISHER_NAME = "جريدة الساحل الإخبارية"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        page = self.server.pages.get(self.path)
        body = (page or "not found").encode("utf-8")
        self.send_response(200 if page is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


def _serve(pages: dict[str, str]) -> _Server:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.pages = pages
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, str]]:
    publisher = _serve({"/": "<html><body><p>.</p></body></html>"})
    aggregator = _serve({})
    pub = f"http://127.0.0.1:{publisher.server_address[1]}"
    agg = f"http://127.0.0.1:{aggregator.server_address[1]}"
    copies = {
        # no name shown, the link goes to a configured publisher
        "/news.php?id=101": P.aggregator_copy("wp", "none", source_href=f"{pub}/regions/2024/03/02/lajna.html",
                                              title=P.HEADLINES[4]),
        # the attribution line names the outlet
        "/news.php?id=102": P.aggregator_copy("legacy", "line", outlet=P.OUTLETS[1],
                                              source_href="https://wadi-press.example/a/77", title=P.HEADLINES[9]),
        # no name shown, the link goes to a site nobody configured
        "/news.php?id=103": P.aggregator_copy("modern", "none", source_href="https://www.unknown-daily.example/x/5",
                                              title=P.HEADLINES[13]),
    }
    home = P.home_page("portal").replace("</body>", "<ul class='latest'>" + "".join(
        f'<li><a href="{path}">{title}</a></li>' for path, title in (
            ("/news.php?id=101", P.HEADLINES[4]), ("/news.php?id=102", P.HEADLINES[9]),
            ("/news.php?id=103", P.HEADLINES[13]))) + "</ul></body>")
    aggregator.pages.update(copies)
    aggregator.pages["/"] = home
    try:
        yield agg, pub
    finally:
        publisher.shutdown()
        aggregator.shutdown()


def _config(agg: str, pub: str) -> str:
    def host(u: str) -> str:
        return u.split("//", 1)[1]

    return f"""
[[source]]
id = "multaqa-test"
name = "ملتقى الاختبار"
homepage = "{agg}/"
kind = "aggregator"
listings = ["{agg}/"]
allowed_domains = ["{host(agg)}"]
allow_loopback = true

[[source]]
id = "sahil-test"
name = "{PUBLISHER_NAME}"
homepage = "{pub}/"
kind = "publisher"
listings = ["{pub}/"]
allowed_domains = ["{host(pub)}"]
allow_loopback = true
"""


def test_copies_in_heavy_navigation_are_stored_with_the_outlet_name(sites, tmp_path: Path) -> None:
    agg, pub = sites
    config = tmp_path / "sources.toml"
    config.write_text(_config(agg, pub), encoding="utf-8")
    db = tmp_path / "news.db"
    # Only the aggregator is crawled: the publisher is known from the configuration alone.
    crawl(config, db, "--sources", "multaqa-test")
    conn = sqlite3.connect(db)
    try:
        rows = dict(conn.execute("SELECT fetched_url, source_name FROM articles").fetchall())
        rejects = conn.execute("SELECT url, reason FROM rejects WHERE reason = 'not_article'").fetchall()
    finally:
        conn.close()
    assert rows == {
        f"{agg}/news.php?id=101": PUBLISHER_NAME,
        f"{agg}/news.php?id=102": P.OUTLETS[1],
        f"{agg}/news.php?id=103": "unknown-daily.example",
    }
    # the home page's own URL is a listing, not a stored article; no copy was rejected
    assert all("news.php" not in url for url, _ in rejects)
