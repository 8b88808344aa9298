"""Distributed crawls with real processes: `newscrawler seed` and `newscrawler crawl --redis` workers on a real
redis-server against the demo sites, counted in the demo server's request log.

robots.txt is fetched once per worker process (Scrapy's robots middleware keeps its parser in the process), so
the "once" counts leave it out. Retries are off (RETRY_TIMES=0): a 500 page is then fetched once too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawler.demo import DemoServer
from newscrawler.distributed.item_codec import decode_item
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.items import Article
from newscrawler.urls import url_key
from tests.services import free_port
from tests.test_politeness import AnswersWaitFirst

KEYS = RedisKeys()
ROOT = Path(__file__).resolve().parent.parent
BASE = ["NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0", "NEWSCRAWLER_EXTRACT_WORKERS=0",
        "RETRY_TIMES=0", "LOG_LEVEL=INFO"]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "newscrawler.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NEWSCRAWLER_REDIS_URL": ""}


def seed(url: str, config: Path, *extra: str) -> None:
    result = subprocess.run(cli("seed", "--redis", url, "--config", str(config), *extra), capture_output=True,
                            text=True, env=env(), timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def worker(url: str, config: Path, log: Path, *settings: str, idle_exit: float = 4,
           lease: float = 2) -> subprocess.Popen:
    args = [a for s in [*BASE, f"NEWSCRAWLER_WORKER_LEASE_SECONDS={lease}", *settings] for a in ("-s", s)]
    return subprocess.Popen(cli("crawl", "--redis", url, "--config", str(config), "--idle-exit", str(idle_exit),
                                *args), stdout=subprocess.DEVNULL, stderr=log.open("w"), env=env())


def workers_up(url: str, count: int, timeout: float = 60) -> None:
    """Wait until `count` workers have sent their first heartbeat: a test that checks that every worker took part
    seeds only then, or the first worker up (Scrapy's start takes seconds on a loaded machine) does all the work."""
    client = redis_client(url)
    deadline = time.monotonic() + timeout
    while client.hlen(KEYS.workers) < count:
        assert time.monotonic() < deadline, f"{count} workers not up after {timeout} s"
        time.sleep(0.1)


def finish(proc: subprocess.Popen, log: Path, timeout: float = 120) -> str:
    assert proc.wait(timeout) == 0, log.read_text()[-3000:]
    return log.read_text()


def requests_made(log: str) -> int:
    return int(next(line for line in log.splitlines() if "'downloader/request_count'" in line).split(":")[1]
               .strip(" ,"))


def streamed(client) -> list:
    return [decode_item(fields[b"item"]) for _, fields in client.xrange(KEYS.items)]


def article_urls(server: DemoServer) -> set[str]:
    return {a["url"] for site in server.manifest()["sites"].values() for a in site["articles"].values()}


def fetched(server: DemoServer) -> Counter:
    """(site, path) -> times requested, robots.txt left out (once per worker process)."""
    return Counter((r.site, urlsplit(r.path).path + (f"?{urlsplit(r.path).query}" if urlsplit(r.path).query else ""))
                   for r in server.requests if r.path != "/robots.txt")


def with_delay(server: DemoServer, delay: float) -> str:
    return server.sources_toml().replace("download_delay = 0.0", f"download_delay = {delay}")


def assert_drained(client) -> None:
    assert client.zcard(KEYS.requests) == 0 and client.llen(KEYS.start_urls) == 0
    assert not list(client.scan_iter(KEYS.inflight("*"))) and client.hlen(KEYS.workers) == 0


def test_two_workers_fetch_every_page_once_and_stream_every_article(redis_server, tmp_path):
    with DemoServer(articles_per_site=10, seed=11) as server:
        config = tmp_path / "sources.toml"
        config.write_text(with_delay(server, 0.05), encoding="utf-8")
        logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
        procs = [worker(redis_server.url, config, log, "DOWNLOAD_DELAY=0.05", idle_exit=8) for log in logs]
        workers_up(redis_server.url, 2)
        seed(redis_server.url, config)
        outputs = [finish(proc, log) for proc, log in zip(procs, logs, strict=True)]
        counts = fetched(server)
        assert counts and max(counts.values()) == 1, [k for k, n in counts.items() if n > 1]
        fetched_paths = {(site, path) for site, path in counts}
        for site_id, site in server.manifest()["sites"].items():
            for path in site["articles"]:
                assert (site_id, path) in fetched_paths
        assert all(requests_made(out) > 10 for out in outputs)  # both workers took part
        # no INFO line per start entry (scrapy-redis writes one; a seed of thousands flooded the log)
        assert not [out for out in outputs if "start req url" in out]
        client = redis_client(redis_server.url)
        items = streamed(client)
        articles = [i for i in items if isinstance(i, Article)]
        keys = Counter(url_key(a.fetched_url) for a in articles)
        assert max(keys.values()) == 1
        assert {url_key(u) for u in article_urls(server)} <= set(keys)
        assert_drained(client)


def test_a_worker_killed_mid_crawl_loses_nothing(redis_server, tmp_path):
    with DemoServer(articles_per_site=10, seed=5) as server:
        config = tmp_path / "sources.toml"
        config.write_text(with_delay(server, 0.25), encoding="utf-8")
        seed(redis_server.url, config)
        client = redis_client(redis_server.url)
        victim_log = tmp_path / "victim.log"
        victim = worker(redis_server.url, config, victim_log, "DOWNLOAD_DELAY=0.25")
        deadline = time.monotonic() + 30
        held: list[bytes] = []
        while time.monotonic() < deadline and victim.poll() is None:
            busy = [k for k in client.scan_iter(KEYS.inflight("*"))]
            if client.xlen(KEYS.items) > 20 and busy:
                held = [v for k in busy for v in client.hvals(k)]
                if len(held) >= 3:
                    break
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = time.monotonic()  # RequestRecord.at is monotonic
        assert len(held) >= 3, victim_log.read_text()[-2000:]
        # what it held when it died: read again now (a lease seen above may have ended before the kill landed)
        held = [v for k in client.scan_iter(KEYS.inflight("*")) for v in client.hvals(k)]
        assert held
        held_urls = {json.loads(v.split(b" ", 1)[1])["url"] for v in held}
        survivor_log = tmp_path / "survivor.log"
        finish(worker(redis_server.url, config, survivor_log, "DOWNLOAD_DELAY=0.25"), survivor_log)
        assert "requeued" in survivor_log.read_text()
        # what the victim held was fetched again after it died ...
        after = {server.url(r.site, r.path) for r in server.requests if r.at > killed_at}
        assert held_urls <= after
        # ... and every article reached the stream, by one worker or the other
        articles = {url_key(i.fetched_url) for i in streamed(client) if isinstance(i, Article)}
        assert {url_key(u) for u in article_urls(server)} <= articles
        assert_drained(client)


@pytest.fixture(scope="module")
def polite_crawl(tmp_path_factory):
    """Two workers on sites that ask for 0.5 s between requests; one article answers 503 with Retry-After: 2 the
    first time."""
    from tests.services import RedisServer

    tmp = tmp_path_factory.mktemp("polite")
    with RedisServer(tmp / "redis") as redis_server, DemoServer(articles_per_site=6, seed=4) as server:
        config = tmp / "sources.toml"
        config.write_text(with_delay(server, 0.5), encoding="utf-8")
        pages = server.world.sites["akhbar-demo"].pages
        path = next(p for p in pages if p.startswith("/news/") and pages[p].status == 200)
        pages[path] = AnswersWaitFirst(pages[path], 503, "2")
        seed(redis_server.url, config)
        logs = [tmp / "w1.log", tmp / "w2.log"]
        # DOWNLOAD_DELAY 0: the sources' own delay applies, to robots.txt as well
        procs = [worker(redis_server.url, config, log, "DOWNLOAD_DELAY=0", "RETRY_TIMES=2") for log in logs]
        outputs = [finish(proc, log, timeout=90) for proc, log in zip(procs, logs, strict=True)]
        client = redis_client(redis_server.url)
        left = {"queue": client.zcard(KEYS.requests), "inflight": list(client.scan_iter(KEYS.inflight("*"))),
                "tokens": list(client.scan_iter(KEYS.host_active("*")))}
        yield {"server": server, "outputs": outputs, "path": path, "left": left}


def test_the_per_host_delay_holds_across_two_workers(polite_crawl):
    server = polite_crawl["server"]
    assert all(requests_made(out) > 3 for out in polite_crawl["outputs"])
    for site in server.manifest()["sites"]:
        times = sorted(r.at for r in server.requests_for(site))
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # Starts are reserved 0.5 s apart; the server sees them with the workers' send jitter (tens of ms on a
        # loaded machine), so one gap may look shorter, never the average (two workers each keeping only their
        # own delay: gaps of a few ms).
        assert len(times) > 10 and (times[-1] - times[0]) / len(gaps) >= 0.49, (site, sorted(gaps)[:5])
        assert min(gaps) >= 0.35, (site, sorted(gaps)[:5])


def test_a_retry_after_seen_by_one_worker_pauses_the_host_for_both(polite_crawl):
    server, path = polite_crawl["server"], polite_crawl["path"]
    log = server.requests_for("akhbar-demo")
    asked = next(r for r in log if r.path == path and r.status == 503)
    after = [r for r in log if r.at > asked.at]
    assert after, "the crawl went on after the 503"
    # Nobody asked that host anything during its pause, but for at most one request whose start (0.5 s after the
    # 503's) came before the worker that got the 503 had read it (a loaded machine).
    inside = [r.at - asked.at for r in after if r.at - asked.at < 1.9]
    assert len(inside) <= 1 and all(gap < 0.7 for gap in inside), inside
    assert [r.status for r in log if r.path == path] == [503, 200]  # and the page was fetched after it
    # the retry went back to the shared queue with the lease of the request it replaced: nothing stays in flight,
    # and every connection token was given back
    assert polite_crawl["left"] == {"queue": 0, "inflight": [], "tokens": []}


class Metered:
    """A demo page that takes 0.15 s to answer and counts how many of its site's requests are served at once."""

    def __init__(self, page, meter: dict) -> None:
        self.page, self.meter = page, meter

    @property
    def status(self) -> int:  # read once per request by the demo server (a threaded server)
        with self.meter["lock"]:
            self.meter["now"] += 1
            self.meter["max"] = max(self.meter["max"], self.meter["now"])
        time.sleep(0.15)
        with self.meter["lock"]:
            self.meter["now"] -= 1
        return self.page.status

    @property
    def headers(self) -> dict[str, str]:
        return self.page.headers

    @property
    def body(self) -> bytes:
        return self.page.body


def test_the_per_host_concurrency_holds_across_two_workers(redis_server, tmp_path):
    import threading

    # 20 articles: enough work for both workers (one site, one request at a time, 0.15 s each)
    with DemoServer(articles_per_site=20, seed=8) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml().replace("concurrency = 8", "concurrency = 1"), encoding="utf-8")
        pages = server.world.sites["akhbar-demo"].pages
        meter = {"lock": threading.Lock(), "now": 0, "max": 0}
        for path in list(pages):
            pages[path] = Metered(pages[path], meter)
        logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
        procs = [worker(redis_server.url, config, log, "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                        "CONCURRENT_REQUESTS=2", idle_exit=8)
                 for log in logs]
        workers_up(redis_server.url, 2)
        seed(redis_server.url, config, "--sources", "akhbar-demo")
        outputs = [finish(proc, log) for proc, log in zip(procs, logs, strict=True)]
        assert all(requests_made(out) > 3 for out in outputs), [requests_made(out) for out in outputs]  # both took part ...
        assert len(server.requests_for("akhbar-demo")) > 15
        assert meter["max"] == 1  # ... one request at a time between them


def test_bad_or_unreachable_redis_is_one_line_and_exit_2(tmp_path):
    for url, message in (("http://127.0.0.1:1/0", "expected redis://"),
                         (f"redis://127.0.0.1:{free_port()}/0", "cannot reach Redis at")):
        for command in (["crawl", "--redis", url], ["seed", "--redis", url]):
            result = subprocess.run(cli(*command), capture_output=True, text=True, env=env(), timeout=60)
            assert result.returncode == 2 and message in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_seed_pushes_what_is_due_once(redis_server, tmp_path):
    with DemoServer(articles_per_site=2, seed=3) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        client = redis_client(redis_server.url)
        sources = server.sources()
        feed = sources[0]["feeds"][0]
        client.hset(KEYS.polls, feed, json.dumps({"interval_seconds": 600, "failures": 0,
                                                  "next_due_at": "2999-01-01T00:00:00+00:00"}))
        seed(redis_server.url, config)
        entries = [json.loads(e) for e in client.lrange(KEYS.start_urls, 0, -1)]
        urls = [e["url"] for e in entries]
        expected = {u for s in sources for key in ("feeds", "sitemaps", "listings") for u in s.get(key, [])}
        robots = {s["homepage"].rstrip("/") + "/robots.txt" for s in sources if not s.get("sitemaps")}
        assert len(urls) == len(set(urls)) and set(urls) == (expected | robots) - {feed}
        assert {e["kind"] for e in entries} <= {"feed", "sitemap", "listing", "robots"}
        seed(redis_server.url, config)  # again: nothing new is due, nothing is pushed twice
        assert client.llen(KEYS.start_urls) == len(urls)


def test_sigterm_drains_a_worker_and_another_one_finishes_the_crawl(redis_server, tmp_path):
    with DemoServer(articles_per_site=6, seed=6) as server:
        config = tmp_path / "sources.toml"
        config.write_text(with_delay(server, 0.1), encoding="utf-8")
        seed(redis_server.url, config)
        client = redis_client(redis_server.url)
        first_log = tmp_path / "first.log"
        first = worker(redis_server.url, config, first_log, "DOWNLOAD_DELAY=0.1", idle_exit=60)
        deadline = time.monotonic() + 30
        while client.xlen(KEYS.items) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGTERM)
        assert first.wait(30) == 0, first_log.read_text()[-2000:]
        assert "Closing spider (shutdown)" in first_log.read_text()
        # what it held is finished or back in the queue, and it is no longer a worker
        assert not list(client.scan_iter(KEYS.inflight("*"))) and client.hlen(KEYS.workers) == 0
        assert client.zcard(KEYS.requests) > 0  # stopped mid-crawl
        second_log = tmp_path / "second.log"
        finish(worker(redis_server.url, config, second_log, "DOWNLOAD_DELAY=0.1"), second_log)
        articles = {url_key(i.fetched_url) for i in streamed(client) if isinstance(i, Article)}
        assert {url_key(u) for u in article_urls(server)} <= articles
        assert_drained(client)


def test_seed_watch_enqueues_what_becomes_due_until_sigterm(redis_server, tmp_path):
    with DemoServer(articles_per_site=2, seed=3) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        client = redis_client(redis_server.url)
        watch = subprocess.Popen(cli("seed", "--redis", redis_server.url, "--config", str(config), "--watch",
                                     "-s", "NEWSCRAWLER_SEED_INTERVAL=0.5", "-s", "NEWSCRAWLER_POLL_MIN_MINUTES=0.02"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
        try:
            deadline = time.monotonic() + 20
            while not client.llen(KEYS.start_urls) and time.monotonic() < deadline:
                time.sleep(0.05)
            taken = [json.loads(e)["url"] for e in client.lrange(KEYS.start_urls, 0, -1)]
            client.delete(KEYS.start_urls)  # the workers took them ...
            later, now = taken[: len(taken) // 2], taken[len(taken) // 2:]
            for url, due in [(u, "2999-01-01T00:00:00+00:00") for u in later] + [
                    (u, "2000-01-01T00:00:00+00:00") for u in now]:  # ... and the ingest published their polls
                client.hset(KEYS.polls, url, json.dumps({"interval_seconds": 600, "next_due_at": due, "failures": 0}))
            time.sleep(2.5)  # past NEWSCRAWLER_POLL_MIN_MINUTES (1.2 s) and a few passes
            again = [json.loads(e)["url"] for e in client.lrange(KEYS.start_urls, 0, -1)]
            robots = {u for u in taken if u.endswith("/robots.txt")}
            assert set(again) - robots == set(now) - robots and len(again) == len(set(again))
        finally:
            watch.send_signal(signal.SIGTERM)
            out, err = watch.communicate(timeout=10)
        assert watch.returncode == 0, err
        assert "seeded" in out
