"""The `newscrawler` command on files: extract prints the article as JSON; errors are clear."""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawl_runs import newscrawler

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_extract_prints_the_article_as_json():
    result = newscrawler("extract", str(PAGES / "jsonld_article.html"), "--url", "https://akhbar.example/a/1")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["is_article"] is True
    assert article["title"] and article["body"]
    assert article["method"]["title"] == "jsonld"
    assert article["published_at"]


def test_extract_says_when_a_page_is_not_an_article():
    result = newscrawler("extract", str(PAGES / "js_challenge.html"), "--url", "https://akhbar.example/a/2")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["is_article"] is False and article["reason"]


def test_extract_missing_file_is_a_clear_error(tmp_path):
    result = newscrawler("extract", str(tmp_path / "nope.html"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_stats_without_database_is_a_clear_error(tmp_path):
    result = newscrawler("stats", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "no database" in result.stderr


def test_crawl_with_a_bad_config_names_file_source_and_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[[source]]\nid = "x"\nname = "x"\nhomepage = "ftp://x.example/"\n', encoding="utf-8")
    result = newscrawler("crawl", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert f"{config}: source 'x', key 'homepage'" in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was started


def test_extract_gives_the_text_of_a_page_that_is_not_an_article():
    result = newscrawler("extract", str(PAGES / "listing.html"), "--url", "https://sahil24.ma/category/politique")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["is_article"] is False and page["page_type"] == "listing"
    assert "عنوان الخبر رقم 3 حول قضايا الساعة في المغرب" in page["body"]
    assert page["method"]["body"] == "list"
