"""Requests that get no usable response are filed by the failure's type: a real crawl against a loopback server.

Each article URL of the feed fails in its own way: a chunked body that grows past DOWNLOAD_MAXSIZE (no
Content-Length to refuse it up front), a Content-Length over the limit, an answer slower than DOWNLOAD_TIMEOUT,
and a port where nothing listens.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

MAXSIZE = 64 * 1024
CHUNK = b"<p>" + "كلام ".encode() * 800 + b"</p>\n"  # ~8 KiB per chunk


class FailingSite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    closed_port = 0  # set by the fixture: an article link to a port where nothing listens

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        try:
            if self.path == "/feed.xml":
                links = [f"{base}/news/chunked.html", f"{base}/news/announced.html", f"{base}/news/slow.html",
                         f"http://127.0.0.1:{self.closed_port}/news/refused.html"]
                items = "".join(f"<item><title>خبر رقم {i}</title><link>{link}</link></item>"
                                for i, link in enumerate(links, 1))
                self._send(200, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                f"<title>موقع</title><link>{base}/</link>{items}</channel></rss>".encode(),
                           "application/rss+xml")
            elif self.path == "/news/chunked.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(4 * MAXSIZE // len(CHUNK)):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                self.wfile.write(b"0\r\n\r\n")
            elif self.path == "/news/announced.html":
                self._send(200, CHUNK * (4 * MAXSIZE // len(CHUNK)))
            elif self.path == "/news/slow.html":
                time.sleep(3)
                self._send(200, b"<html><body><h1>late</h1></body></html>")
            else:
                self._send(404, b"not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on an oversized body: that is the point


@pytest.fixture(scope="module")
def failing_crawl(tmp_path_factory):
    with socket.socket() as probe:  # a port that was free a moment ago and that nobody listens on
        probe.bind(("127.0.0.1", 0))
        FailingSite.closed_port = probe.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingSite)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tmp_path_factory.mktemp("failures")
    port = server.server_address[1]
    config = tmp / "sources.toml"
    config.write_text(f'''[[source]]
id = "failing"
name = "موقع التجارب"
homepage = "http://127.0.0.1:{port}/"
feeds = ["http://127.0.0.1:{port}/feed.xml"]
allowed_domains = ["127.0.0.1"]
allow_loopback = true
''', encoding="utf-8")
    db = tmp / "news.db"
    settings = {"DOWNLOAD_MAXSIZE": MAXSIZE, "DOWNLOAD_WARNSIZE": 0, "DOWNLOAD_TIMEOUT": 1, "RETRY_ENABLED": False,
                "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "NEWSCRAWLER_EXTRACT_WORKERS": 0}
    args = [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]
    try:
        result = subprocess.run([sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config),
                                 "--db", str(db), *args], capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def rejects(db: Path) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, reason, fetched FROM rejects").fetchall()
    return {url.rsplit("/", 1)[-1]: (reason, fetched) for url, reason, fetched in rows}


def test_a_chunked_page_over_the_size_limit_is_too_large(failing_crawl):
    assert rejects(failing_crawl)["chunked.html"] == ("too_large", 0)


def test_a_page_announced_over_the_size_limit_is_too_large(failing_crawl):
    assert rejects(failing_crawl)["announced.html"] == ("too_large", 0)


def test_a_page_slower_than_the_download_timeout_is_a_timeout(failing_crawl):
    assert rejects(failing_crawl)["slow.html"] == ("timeout", 0)


def test_a_refused_connection_is_a_connection_reject(failing_crawl):
    assert rejects(failing_crawl)["refused.html"] == ("connection", 0)
