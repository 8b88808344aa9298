"""The distributed crawl across (virtual) hosts: two `newscrawler crawl --redis` workers, each in its own network
namespace with its own address and veth link (tests/netns.py), share one redis-server and the demo sites served on
a service address of the test's namespace, where the ingest runs. So every request and every Redis command
crosses a link between hosts, as on several machines: nothing may rely on sharing the loopback.

Checked against the demo server's log (which host each request came from) and the database: both hosts fetched,
every page once, every article stored once, nothing left leased or pending in Redis.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

import pytest

from newscrawler.demo import DemoServer
from newscrawler.distributed.local_cluster import LocalCluster
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.urls import url_key
from tests import netns
from tests.services import RedisServer, missing_service

pytestmark = pytest.mark.distributed

HOSTS = 2
SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS": "0",
            "NEWSCRAWLER_EXTRACT_WORKERS": "0", "NEWSCRAWLER_WORKER_LEASE_SECONDS": "4", "LOG_LEVEL": "INFO",
            "TELNETCONSOLE_ENABLED": "False"}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    why = netns.available()
    if why:
        missing_service("network namespaces", why)
    tmp = tmp_path_factory.mktemp("netns")
    with netns.VirtualHosts(HOSTS) as hosts, RedisServer(tmp / "redis", host=hosts.service) as redis, \
            DemoServer(articles_per_site=25, host=hosts.service) as server:
        config = tmp / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp / "news.db"
        with LocalCluster(redis.url, config=config, db=db, workdir=tmp / "procs", settings=SETTINGS,
                          idle_exit=8) as cluster:
            cluster.seed()
            cluster.start_ingest("ingest")
            for i in range(HOSTS):
                cluster.start_worker(f"host{i}", {"USER_AGENT": f"newscrawler-test/host{i}"}, hosts.prefix(i))
            started = time.monotonic()
            codes = cluster.wait([f"host{i}" for i in range(HOSTS)] + ["ingest"], timeout=240)
        yield {"server": server, "hosts": hosts, "db": db, "redis": redis, "codes": codes,
               "log": list(server.requests), "elapsed": time.monotonic() - started, "cluster": cluster}


def test_each_worker_crawled_from_its_own_host(crawl):
    assert crawl["codes"] == {name: 0 for name in crawl["codes"]}, crawl["codes"]
    hosts, log = crawl["hosts"], crawl["log"]
    by_client = Counter(r.client for r in log)
    # every request came over a link from one of the two hosts, none from the servers' own namespace
    assert set(by_client) == {hosts.address(i) for i in range(HOSTS)}, by_client
    assert min(by_client.values()) > 10  # both took part
    # a worker's requests leave from its own host (a retry keeps the User-Agent of its first try: 500s aside)
    for r in log:
        if r.status != 500:
            assert r.agent == f"newscrawler-test/host{hosts_index(hosts, r.client)}", r


def hosts_index(hosts: netns.VirtualHosts, address: str) -> int:
    return next(i for i in range(HOSTS) if hosts.address(i) == address)


def test_every_page_once_and_every_article_stored_once(crawl):
    server, log = crawl["server"], crawl["log"]
    manifest = server.manifest()
    server_errors = {(sid, p["path"]) for sid, site in manifest["sites"].items() for p in site["server_error"]}
    pages = Counter((r.site, r.path) for r in log if r.path != "/robots.txt")
    assert {page: n for page, n in pages.items() if n > 1 and page not in server_errors} == {}
    expected = {url_key(rec["url"]) for site in manifest["sites"].values() for rec in site["articles"].values()}
    with sqlite3.connect(crawl["db"]) as conn:
        rows = [r[0] for r in conn.execute("SELECT url_key FROM articles")]
    assert len(rows) == len(set(rows)) and set(rows) == expected


def test_nothing_is_left_leased_or_pending(crawl):
    client = redis_client(crawl["redis"].url)
    keys = RedisKeys()
    assert [k for k in client.scan_iter(match=keys.inflight("*")) if client.hlen(k)] == []
    assert client.zcard(keys.requests) == 0 and client.xlen(keys.items) == 0
