"""newscrawler's own settings: one list (newscrawler.settings), and a misspelt `-s NEWSCRAWLER_...` is named."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

from newscrawler.setting_names import known_settings, unknown_setting_warnings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_the_code_reads_is_in_the_one_list():
    read = set()
    for path in [*ROOT.joinpath("newscrawler").rglob("*.py"), *ROOT.joinpath("spiders").rglob("*.py"),
                 *ROOT.joinpath("pipelines").rglob("*.py")]:
        read |= set(re.findall(r"""\.get\w*\(\s*["'](NEWSCRAWLER_\w+)["']""", path.read_text(encoding="utf-8")))
    assert read, "the pattern no longer finds the settings the code reads"
    assert sorted(read - set(known_settings())) == []


def test_a_misspelt_setting_is_named_with_the_closest_known_one():
    lines = unknown_setting_warnings(["NEWSCRAWLER_REFETCH_KNWON", "NEWSCRAWLER_DB", "DOWNLOAD_DELAY"])
    assert lines == ["unknown setting NEWSCRAWLER_REFETCH_KNWON is ignored (did you mean NEWSCRAWLER_REFETCH_KNOWN?)"]
    (far,) = unknown_setting_warnings(["NEWSCRAWLER_COLOUR"])
    assert "NEWSCRAWLER_COLOUR" in far and "NEWSCRAWLER_DB" in far  # nothing close: the list of known names


def _crawl_nowhere(tmp_path: Path, *settings: str) -> subprocess.CompletedProcess:
    """A real crawl whose only feed is on a loopback port where nothing listens: it ends at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "sources.toml"
    config.write_text(f'[[source]]\nid = "nowhere"\nname = "لا مكان"\nhomepage = "http://127.0.0.1:{port}/"\n'
                      f'feeds = ["http://127.0.0.1:{port}/feed.xml"]\nallow_loopback = true\n', encoding="utf-8")
    args = [arg for s in ("RETRY_ENABLED=0", "LOG_LEVEL=WARNING", *settings) for arg in ("-s", s)]
    return subprocess.run([sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config),
                           "--db", str(tmp_path / "news.db"), *args], capture_output=True, text=True, timeout=120)


def test_a_crawl_warns_once_about_a_misspelt_setting(tmp_path):
    result = _crawl_nowhere(tmp_path, "NEWSCRAWLER_REFETCH_KNWON=1", "NEWSCRAWLER_REFETCH_KNOWN=1")
    # the run ended (nothing listens there: exit 1, "no source fetched anything"), not refused at the start
    assert result.returncode == 1 and "no source fetched anything" in result.stderr, result.stderr[-2000:]
    warnings = [line for line in result.stderr.splitlines() if "unknown setting" in line]
    assert len(warnings) == 1, result.stderr[-2000:]
    assert "NEWSCRAWLER_REFETCH_KNWON" in warnings[0] and "did you mean NEWSCRAWLER_REFETCH_KNOWN" in warnings[0]
