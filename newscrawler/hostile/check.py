"""Whether each hostile case came out as its table says, read from the crawl's database and the server's log.

Shared by tests/test_hostile.py and bench/reliability.py, so the figures and the test judge the same way.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

from newscrawler.hostile.cases import Case
from newscrawler.hostile.server import HostileServer
from newscrawler.text import display_clean


def _path(url: str) -> str:
    return urlsplit(url).path


def outcome(case: Case, server: HostileServer, conn: sqlite3.Connection) -> str | None:
    """None when the case came out as expected, else a line saying what happened instead."""
    base = server.base_urls[case.site]
    path = _path(case.path)
    rejects = [reason for url, reason in conn.execute("SELECT url, reason FROM rejects")
               if url.startswith(base) and _path(url) == path]
    articles = [(url, title) for url, title in conn.execute("SELECT fetched_url, title FROM articles")
                if url.startswith(base)]
    requests = server.requests_for(case.site, path)
    if case.expect == "stored":
        landed = "/case/moved-here.html" if case.name == "redirect-ok" else path  # a redirect stores where it lands
        titles = [title for url, title in articles if _path(url) == landed]
        if not titles:
            return f"not stored (rejects: {rejects})"
        return None if titles[0] == display_clean(case.title) else f"stored with title {titles[0]!r}"
    if case.expect == "reject":
        return None if case.reason in rejects else f"expected reject {case.reason}, got {rejects or 'none'}"
    if case.expect == "cycle":
        if requests != 1:
            return f"requested {requests} times"
        return None if "discovery_cycle" in rejects else "no discovery_cycle reject"
    if case.expect == "fetched_once":
        return None if requests == 1 else f"requested {requests} times"
    if case.expect == "bounded":
        prefix = path.rsplit("/", 1)[0] + "/" if path.endswith("/1") else "/flood/"
        made = sum(n for (site, p), n in server.log.items() if site == case.site and p.startswith(prefix))
        return None if 1 <= made <= case.limit else f"{made} requests (limit {case.limit})"
    if case.expect == "page":
        items = conn.execute("SELECT items FROM pages WHERE url = ?", (base + case.path,)).fetchone()
        return None if items and items[0] >= 1 else f"page record: {items}"
    if case.expect == "site_crawled":
        return None if any(_path(url) == "/news/1.html" for url, _ in articles) else "the site's article is missing"
    return f"unknown expectation {case.expect}"
