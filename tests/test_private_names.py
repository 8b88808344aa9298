"""A public-looking NAME that resolves to a loopback address (issue 20's "no link or redirect is followed to loopback,
link-local or private addresses unless the source allows it", through DNS and not only for literal hosts).

Real crawls, each in its own mount namespace where a bind-mounted hosts file makes the names resolve: the machine's
/etc/hosts is never touched. Needs `unshare -m` and `mount --bind` (root, as in CI); skipped with the reason where
they are not permitted.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newscrawler.hostile.cases import article_html, now, rss, story
from tests.services import missing_service

NAME = "akhbar-public.example"  # resolves to 127.0.0.1 only inside the test's namespace
MISSING = "no-such-host.invalid"  # in no hosts file: its lookup fails


def _namespaces_work(tmp: Path) -> str | None:
    """None when a mount namespace with a bind-mounted /etc/hosts can be made here, else why not."""
    if not shutil.which("unshare"):
        return "unshare is not installed"
    hosts = tmp / "probe-hosts"
    hosts.write_text(f"127.0.0.1 {NAME}\n", encoding="utf-8")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind "$1" /etc/hosts && getent hosts "$2"', "sh",
                            str(hosts), NAME], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0 or "127.0.0.1" not in probe.stdout:
        return f"a mount namespace with its own /etc/hosts is not permitted here (unshare -m needs root): " \
               f"{probe.stderr.strip()[:200]}"
    return None


class _Site(BaseHTTPRequestHandler):
    """One feed and one article, linked by the name the request came in under (its Host header)."""

    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.paths.append(self.path)
        base = f"http://{self.headers['Host']}"
        if self.path == "/feed.xml":
            title, _ = story(0)
            body = rss(base, [(title, f"{base}/news/1.html", format_datetime(now()))])
            kind = "application/rss+xml"
        elif self.path == "/news/1.html":
            body = article_html(*story(0)).encode("utf-8")
            kind = "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[int, list[str]]]:
    reason = _namespaces_work(tmp_path_factory.mktemp("probe"))
    if reason:
        missing_service("mount and network namespaces", reason)
    handler = type("Site", (_Site,), {"paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler.paths
    server.shutdown()
    server.server_close()


def _crawl(tmp: Path, host: str, port: int, *, allow_loopback: bool) -> tuple[subprocess.CompletedProcess, sqlite3.Connection]:
    base = f"http://{host}:{port}"
    config = tmp / "sources.toml"
    config.write_text(f'''[[source]]
id = "named"
name = "موقع باسم عام"
homepage = "{base}/"
kind = "publisher"
feeds = ["{base}/feed.xml"]
allowed_domains = ["{host}:{port}"]
allow_loopback = {"true" if allow_loopback else "false"}
[source.politeness]
download_delay = 0.0
download_timeout = 5.0
''', encoding="utf-8")
    hosts = tmp / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n127.0.0.1 {NAME}\n", encoding="utf-8")
    db = tmp / "news.db"
    result = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind "$1" /etc/hosts && shift && exec "$@"', "sh",
                             str(hosts), sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config),
                             "--db", str(db)], capture_output=True, text=True, timeout=120)
    return result, sqlite3.connect(db)


def test_a_name_resolving_to_loopback_is_refused_without_allow_loopback(site, tmp_path):
    port, paths = site
    before = len(paths)
    result, conn = _crawl(tmp_path, NAME, port, allow_loopback=False)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    rejects = conn.execute("SELECT url, reason FROM rejects").fetchall()
    assert (f"http://{NAME}:{port}/feed.xml", "private_address") in rejects, (rejects, result.stderr[-3000:])
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    assert len(paths) == before, f"the private host was asked for {paths[before:]}"  # not even robots.txt


def test_the_same_name_is_crawled_when_the_source_allows_loopback(site, tmp_path):
    port, paths = site
    before = len(paths)
    result, conn = _crawl(tmp_path, NAME, port, allow_loopback=True)
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [url for (url,) in conn.execute("SELECT url FROM articles")]
    assert urls == [f"http://{NAME}:{port}/news/1.html"], (urls, result.stderr[-3000:])
    assert "/news/1.html" in paths[before:]
    assert not conn.execute("SELECT reason FROM rejects WHERE reason = 'private_address'").fetchall()


def test_a_failed_lookup_keeps_its_reason(site, tmp_path):
    port, _paths = site
    result, conn = _crawl(tmp_path, MISSING, port, allow_loopback=False)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    rejects = conn.execute("SELECT url, reason FROM rejects").fetchall()
    assert (f"http://{MISSING}:{port}/feed.xml", "dns") in rejects, (rejects, result.stderr[-3000:])
