"""Politeness that reads the server (issue 18): Retry-After on 429/503 is waited for (up to a maximum, beyond which
the URL stays pending for the next run), and the User-Agent carries the contact URL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.politeness import retry_after_seconds, user_agent
from tests.crawl_runs import run_crawl

SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_EXTRACT_WORKERS=0"]


class AnswersWaitFirst:
    """A demo page that answers its first request with ``status`` and ``Retry-After: wait``, then normally; it
    records when each request came (server side)."""

    def __init__(self, page, status: int, wait: str):
        self.page, self.first_status, self.wait = page, status, wait
        self.times: list[float] = []

    @property
    def status(self) -> int:  # read once per request by the demo server
        self.times.append(time.monotonic())
        return self.first_status if len(self.times) == 1 else self.page.status

    @property
    def headers(self) -> dict[str, str]:
        return {**self.page.headers, "Retry-After": self.wait} if len(self.times) == 1 else self.page.headers

    @property
    def body(self) -> bytes:
        return self.page.body


def crawl(config: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, [*SETTINGS, *extra], ["--sources", "akhbar-demo"])


def _source(sid: str, base: str, *, sitemap: bool = False, **politeness: float) -> str:
    """One [[source]] table: the loopback site at ``base`` read from its feed (and news sitemap), with these
    [source.politeness] values."""
    text = f'[[source]]\nid = "{sid}"\nname = "{sid}"\nhomepage = "{base}/"\nfeeds = ["{base}/feed.xml"]\n'
    if sitemap:
        text += f'sitemaps = ["{base}/sitemap-news.xml"]\n'
    text += "allow_loopback = true\n"
    if politeness:
        text += "[source.politeness]\n" + "".join(f"{name} = {value}\n" for name, value in politeness.items())
    return text


def _recording_site(tmp_path: Path, articles: int = 10, **politeness: float):
    """A loopback site (a feed listing ``articles`` short pages) that records each request (when it arrived, its
    path, its User-Agent), and its sources file with these [source.politeness] values."""
    requests: list[tuple[float, str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            if self.path == "/feed.xml":
                items = "".join(f"<item><title>خبر رقم {i}</title><link>{base}/a/{i}.html</link></item>"
                                for i in range(articles))
                body = f'<?xml version="1.0"?><rss><channel><title>t</title>{items}</channel></rss>'.encode()
                kind = "application/rss+xml"
            elif self.path.startswith("/a/"):
                body = ("<html><body><article><h1>عنوان الخبر</h1><p>" + "كلمة " * 60 + "</p></article></body>"
                        "</html>").encode()
                kind = "text/html; charset=utf-8"
            else:
                body, kind = b"", "text/plain"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = tmp_path / "sources.toml"
    config.write_text(_source("timed", base, **politeness), encoding="utf-8")
    return server, config, requests


def _page_times(requests: list[tuple[float, str, str]]) -> list[float]:
    # Scrapy's robots.txt request has a slot of its own: the pages' times only
    return [at for at, path, _ in requests if path != "/robots.txt"]


@pytest.fixture()
def site(tmp_path):
    with DemoServer(articles_per_site=4, seed=2) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        pages = server.world.sites["akhbar-demo"].pages
        path = next(p for p in pages if p.startswith("/news/") and pages[p].status == 200)
        yield server, config, pages, path


@pytest.mark.parametrize("status", [503, 429])
def test_a_retry_after_of_3_s_is_waited_for(site, tmp_path, status):
    server, config, pages, path = site
    flaky = pages[path] = AnswersWaitFirst(pages[path], status, "3")
    db = tmp_path / "news.db"
    crawl(config, db)
    assert len(flaky.times) == 2  # retried once, not given up on and not retried at once
    waited = flaky.times[1] - flaky.times[0]
    assert 2.9 <= waited < 6, waited
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles WHERE fetched_url = ?", [server.url("akhbar-demo", path)]
                        ).fetchone() == (1,)
    conn.close()


def test_a_retry_after_beyond_the_maximum_leaves_the_url_pending(site, tmp_path):
    server, config, pages, path = site
    flaky = pages[path] = AnswersWaitFirst(pages[path], 503, "600")
    db = tmp_path / "news.db"
    crawl(config, db, "NEWSCRAWLER_RETRY_AFTER_MAX=10")
    assert len(flaky.times) == 1  # not waited for, not retried at once either
    url = server.url("akhbar-demo", path)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT state FROM frontier WHERE url = ?", [url]).fetchone() == ("pending",)
    assert conn.execute("SELECT reason FROM rejects WHERE url = ?", [url]).fetchall() == [("http_503",)]
    conn.close()
    crawl(config, db)  # the next run asks again: the server answers now
    assert len(flaky.times) == 2
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT state FROM frontier WHERE url = ?", [url]).fetchone() == ("done",)
    assert conn.execute("SELECT count(*) FROM articles WHERE fetched_url = ?", [url]).fetchone() == (1,)
    conn.close()


def test_the_user_agent_carries_the_contact_url(tmp_path):
    server, config, requests = _recording_site(tmp_path, articles=0)
    try:
        run_crawl(config, tmp_path / "news.db", ["NEWSCRAWLER_CONTACT_URL=https://example.org/our-crawler",
                                                  "LOG_LEVEL=WARNING", "NEWSCRAWLER_PROGRESS_INTERVAL=0"], check=False)
    finally:
        server.shutdown()
        server.server_close()
    agents = [agent for _, _, agent in requests]
    assert agents and set(agents) == {
        "newscrawler/0.1 (+https://example.org/our-crawler; news research crawler; obeys robots.txt)"}


def test_retry_after_values():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b" 3 ") == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None and retry_after_seconds("") is None


def test_user_agent_contact():
    base = "newscrawler/0.1 (news research crawler; obeys robots.txt)"
    assert user_agent(base, "") == base
    assert user_agent(base, "https://example.org/bot") == \
        "newscrawler/0.1 (+https://example.org/bot; news research crawler; obeys robots.txt)"
    assert user_agent("bot/1", "https://example.org/bot") == "bot/1 (+https://example.org/bot)"


@pytest.mark.parametrize("delay", [0.05, 0.5])
def test_autothrottle_keeps_the_source_s_own_delay_as_its_floor(tmp_path, delay):
    """AutoThrottle is on by default with DOWNLOAD_DELAY 2 s. A source's own download_delay is its floor both ways:
    never faster than asked (0.5 s stays >= 0.5 s), and not pushed up to the global 2 s when it may go faster
    (Scrapy's AutoThrottle raised every slot to DOWNLOAD_DELAY at its first response)."""
    server, config, requests = _recording_site(tmp_path, download_delay=delay, concurrency=1)
    try:
        run_crawl(config, tmp_path / "news.db", ["LOG_LEVEL=WARNING", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
                                                  "NEWSCRAWLER_EXTRACT_WORKERS=0"])
    finally:
        server.shutdown()
        server.server_close()
    times = _page_times(requests)
    gaps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    assert len(gaps) >= 10
    median = gaps[len(gaps) // 2]
    # RANDOMIZE_DOWNLOAD_DELAY (Scrapy's default) spreads each wait over 0.5-1.5 x the delay
    assert gaps[0] >= delay * 0.45 and median >= delay * 0.8  # never below the source's delay
    assert median < 1.0  # nor at the global DOWNLOAD_DELAY (2 s)
class Recorded:
    """A demo page that records when each request for it came; ``gate`` answers the first article request of the
    site with ``status`` and ``Retry-After``."""

    def __init__(self, page, path: str, gate: dict):
        self.page, self.path, self.gate = page, path, gate
        self.answer: list[bool] = []

    @property
    def status(self) -> int:
        gate = self.gate
        with gate["lock"]:
            gate["log"].append((time.monotonic(), self.path))
            first = gate["first"] is None
            if first:
                gate["first"] = (time.monotonic(), self.path)
        self.answer.append(first)
        return gate["status"] if first else self.page.status

    @property
    def headers(self) -> dict[str, str]:
        if self.answer and self.answer[-1]:
            return {**self.page.headers, "Retry-After": self.gate["wait"]}
        return self.page.headers

    @property
    def body(self) -> bytes:
        return self.page.body


@pytest.fixture()
def feed_only(tmp_path):
    """One demo site read from its feed and sitemap, one request at a time, every article page recorded."""
    with DemoServer(articles_per_site=8, seed=3) as server:
        base = server.url("akhbar-demo", "")
        config = tmp_path / "sources.toml"
        config.write_text(_source("akhbar-demo", base, sitemap=True, download_delay=0.2, concurrency=1),
                          encoding="utf-8")
        # (a delay: Scrapy 2.19 starts every queued request of a slot at once when its delay is 0, whatever its
        # concurrency, so nothing would be queued to hold back)
        pages = server.world.sites["akhbar-demo"].pages
        gate = {"lock": threading.Lock(), "log": [], "first": None, "status": 503, "wait": "3"}
        for path in [p for p in pages if p.startswith("/news/") and pages[p].status == 200]:
            pages[path] = Recorded(pages[path], path, gate)
        yield server, config, gate


def _crawl_feed_only(config: Path, db: Path, *extra: str) -> None:
    run_crawl(config, db, [*SETTINGS, "AUTOTHROTTLE_ENABLED=0", *extra])


def test_a_retry_after_pauses_the_whole_source(feed_only, tmp_path):
    server, config, gate = feed_only
    db = tmp_path / "news.db"
    _crawl_feed_only(config, db)
    started, first_path = gate["first"]
    later = [(at - started, path) for at, path in gate["log"] if at > started]
    assert len({path for _, path in later}) >= 3  # the source had more articles queued
    # none of them was asked for while the server wanted us to wait, the 503's own retry included
    assert min(at for at, _ in later) >= 2.9, later
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs").fetchone()[0])
    conn.close()
    assert stored == len({path for _, path in gate["log"]})
    assert stats["retry_after_waits"] == 1 and stats["retry_after_source_pauses"] == 1
    assert stats["retry_after_paused_requests"] >= 1


def test_a_retry_after_beyond_the_maximum_leaves_the_source_pending_for_the_next_run(feed_only, tmp_path):
    server, config, gate = feed_only
    gate["wait"] = "600"
    db = tmp_path / "news.db"
    _crawl_feed_only(config, db, "NEWSCRAWLER_RETRY_AFTER_MAX=10")
    assert len(gate["log"]) == 1  # after the 503, nothing more of this source in this run
    conn = sqlite3.connect(db)
    pending = conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0]
    rejects = conn.execute("SELECT reason, count(*) FROM rejects GROUP BY 1").fetchall()
    conn.close()
    assert pending >= 4 and rejects == [("http_503", 1)]  # the others are not rejects: they wait
    _crawl_feed_only(config, db)  # the next run fetches what waited
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == pending
    conn.close()



class _Silent:
    """Accepts connections, notes when, and never answers anything."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.accepted: list[float] = []
        self.held: list = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(time.monotonic())
            self.held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_a_silent_robots_txt_does_not_hold_another_source_s(tmp_path):
    # Scrapy's robots.txt requests carry no source: they went in one download slot per host NAME, shared on
    # loopback by every source, at the global delay (2 s), where two silent hosts held the others' robots.txt
    # (and so their first pages) for seconds. Each now goes in its own source's slot.
    silent = [_Silent(), _Silent()]
    server, _config, requests = _recording_site(tmp_path, articles=2)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    tables = [(f"silent{i}", s.url) for i, s in enumerate(silent)] + [("timed", base)]
    config = tmp_path / "three.toml"
    config.write_text("".join(_source(sid, url, download_delay=0.0, download_timeout=2.0) for sid, url in tables),
                      encoding="utf-8")
    try:
        result = run_crawl(config, tmp_path / "news.db", check=False)
    finally:
        server.shutdown()
        for s in silent:
            s.close()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    times = _page_times(requests)
    first = min(t for s in silent for t in s.accepted[:1])
    assert times, result.stderr[-3000:]
    # the good source's feed (after its robots.txt) comes while the silent robots.txt are still waited for (2 s)
    assert times[0] - first < 1.5, (times[0] - first, result.stderr[-2000:])
