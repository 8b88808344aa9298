"""The hostile sites on 127.0.0.1: one threaded HTTP server per site, answering from `cases.cases()`.

    with HostileServer() as srv:
        srv.sources_toml(); srv.requests_for("main", "/case/loop.html")

Raw writes (a body that never ends, a slow drip) go straight to the handler's socket; `stop()` releases them.
"""

from __future__ import annotations

import html
import threading
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from newscrawler.hostile.cases import (
    GOOD_ARTICLES,
    Case,
    Reply,
    _rfc822,
    article_html,
    cases,
    now,
    ok,
    rss,
    story,
)

SITES = ("main", "flood", "robots500", "robotshuge", "robotsbad", "silent")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    site: str
    owner: HostileServer
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is what several cases are about


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Hostile/1.0"
    sys_version = ""
    timeout = 20
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        owner = self.server.owner
        path = urlsplit(self.path).path
        with owner.lock:
            owner.log[(self.server.site, path)] += 1
            owner.log_full[(self.server.site, self.path)] += 1
        base = owner.base_urls[self.server.site]
        try:
            reply = owner.respond(self.server.site, path, self, base)
            if reply is not None:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up (a size limit, a timeout): that is the case working


class HostileServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.cases = cases()
        self.routes: dict[tuple[str, str], Case] = {(c.site, urlsplit(c.path).path): c for c in self.cases}
        self.lock = threading.Lock()
        self.log: Counter[tuple[str, str]] = Counter()  # (site, path without query) -> requests
        self.log_full: Counter[tuple[str, str]] = Counter()  # (site, path with query) -> requests
        self.base_urls: dict[str, str] = {}
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> HostileServer:
        for site in SITES:
            server = _Server((self.host, 0), _Handler)
            server.site, server.owner, server.stopping = site, self, self._stopping
            self.base_urls[site] = f"http://{self.host}:{server.server_address[1]}"
            thread = threading.Thread(target=server.serve_forever, daemon=True, name=f"hostile-{site}")
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_for(self, site: str, path: str) -> int:
        return self.log[(site, path)]

    # -- pages --------------------------------------------------------------------------------------------------

    def respond(self, site: str, path: str, handler: Any, base: str) -> Reply | None:
        if site == "silent":  # accepts the connection, reads the request, never answers
            handler.server.stopping.wait(60)
            return None
        case = self.routes.get((site, path))
        if case is None and site == "main":  # the traps' further pages: /calendar/day/N, /loop/page/N
            case = next((c for c in self.cases if c.expect in ("bounded", "cycle") and c.path.endswith("/1")
                         and path.startswith(c.path[:-1])), None)
        if case is not None:
            return case.respond(handler, base)
        if path == "/robots.txt":
            return Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        if site == "main" and path.startswith("/news/good-"):
            number = path.removeprefix("/news/good-").removesuffix(".html")
            if number.isdigit() and 1 <= int(number) <= GOOD_ARTICLES:
                title, paragraphs = story(int(number) - 1)
                return ok(article_html(title, paragraphs))
        if site == "main" and path == "/feed.xml":
            return self._main_feed(base)
        if site != "main" and path == "/feed.xml":  # the robots sites: one article each
            return ok(rss(base, [(story(10)[0], f"{base}/news/1.html", _rfc822(now()))]), "application/rss+xml")
        if site != "main" and path == "/news/1.html":
            title, paragraphs = story(10 + SITES.index(site))
            return ok(article_html(title, paragraphs))
        if site == "flood" and path.startswith("/flood/"):
            return Reply(404, b"gone", {"Content-Type": "text/plain"})
        return Reply(404, b"<html><body>not here</body></html>", {"Content-Type": "text/html"})

    def _main_feed(self, base: str) -> Reply:
        date = _rfc822(now() - timedelta(hours=1))
        items = [(story(k - 1)[0], f"{base}/news/good-{k}.html", date) for k in range(1, 10)]
        for case in self.cases:
            if case.site == "main" and case.linked:
                link = base + case.path
                if case.name == "case-variant":
                    link = base.upper().replace("HTTP://", "http://") + case.path
                items.append((f"حالة {html.escape(case.name)}", link, date))
        return ok(rss(base, items), "application/rss+xml")

    # -- configuration ------------------------------------------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        """The sources.toml tables: the main site reads its feed, the bad feeds, the sitemaps and the traps;
        the others one feed each. Politeness: no delay (loopback), and a 2 s download timeout so the
        never-ending page costs seconds (the only settings that differ from a scheduled run's)."""
        politeness = {"download_delay": 0.0, "concurrency": 8, "download_timeout": 2.0}
        main = self.base_urls["main"]
        out = [{
            "id": "hostile", "name": "موقع عدائي", "homepage": main + "/", "kind": "publisher",
            "feeds": [main + "/feed.xml"] + [main + c.path for c in self.cases
                                             if c.site == "main" and c.path.startswith("/feeds/")],
            "sitemaps": [main + "/sitemaps/self.xml"],
            "listings": [main + "/calendar/day/1", main + "/loop/page/1"],
            "allowed_domains": [urlsplit(main).netloc], "allow_loopback": True, "politeness": politeness,
        }]
        for site in SITES[1:]:  # silent: a source that never answers anything, not even robots.txt
            base = self.base_urls[site]
            out.append({"id": f"hostile-{site}", "name": f"موقع {site}", "homepage": base + "/",
                        "kind": "publisher", "feeds": [base + "/feed.xml"],
                        "allowed_domains": [urlsplit(base).netloc], "allow_loopback": True,
                        "politeness": politeness})
        return out

    def sources_toml(self) -> str:
        lines = []
        for src in self.sources():
            lines.append("[[source]]")
            for key, value in src.items():
                if key == "politeness":
                    continue
                lines.append(f"{key} = {_toml(value)}")
            lines.append("[source.politeness]")
            lines.extend(f"{key} = {value}" for key, value in src["politeness"].items())
            lines.append("")
        return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
