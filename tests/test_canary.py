"""`newscrawler sources test ID` against the demo sites over real HTTP on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import pytest

from newscrawler.canary import check_source
from newscrawler.demo import AGGREGATOR, DemoServer
from newscrawler.sources import load_sources


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with DemoServer(articles_per_site=6) as server:
        config = tmp_path_factory.mktemp("canary") / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        yield server, config


def test_healthy_sources_report_what_would_be_stored(demo):
    server, config = demo
    now = datetime.fromisoformat(server.manifest()["reference_date"])
    for source in load_sources(config):
        report = check_source(source, now=now)
        assert report.ok, (source.id, report.problems)
        assert report.listing["headlines"] > 0
        assert report.article["is_article"] and report.article["title"]
        assert report.article["body_words"] >= 50
        if source.id == AGGREGATOR:
            assert report.article["source_url"] != report.article["url"]


def test_a_moved_feed_and_a_dead_site_are_reported(demo, tmp_path):
    server, config = demo
    [source] = load_sources(config, only=["akhbar-demo"])
    moved = replace(source, feeds=(source.homepage + "gone.xml",), sitemaps=(), listings=())
    report = check_source(moved)
    assert not report.ok
    assert any("HTTP 404" in p for p in report.problems)
    assert "no headline found" in report.problems[-1]


def test_cli_sources_test_exit_codes(demo):
    server, config = demo
    ok = subprocess.run([sys.executable, "-m", "newscrawler.cli", "sources", "test", "sahafa-demo",
                         "--config", str(config)], capture_output=True, text=True, timeout=120)
    # The demo's articles are dated before the reference date, over a year before today: flagged as old.
    assert "source sahafa-demo:" in ok.stdout and "article.title:" in ok.stdout
    assert ok.returncode == (0 if "problem:" not in ok.stdout else 1)
    assert "old" in ok.stdout
