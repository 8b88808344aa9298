"""The command line never shows a traceback for an ordinary failure (issue 20): one line, a documented exit code.

Each row runs the real command in a subprocess. Exit codes: 0 ok, 1 ran with problems, 2 usage or input error.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.services import missing_service


class NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    not_sqlite = tmp / "notes.db"
    not_sqlite.write_text("these are my notes, not a database\n" * 10)
    good = tmp / "good.db"
    from newscrawler.store import Store

    Store(str(good)).close()
    readonly_dir = tmp / "ro"
    readonly_dir.mkdir()
    readonly = readonly_dir / "news.db"
    Store(str(readonly)).close()
    readonly.chmod(stat.S_IRUSR)
    readonly_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    # root ignores permission bits, not the immutable attribute (ext4, xfs, btrfs: chattr +i)
    immutable = os.geteuid() == 0 and _chattr("+i", readonly, readonly_dir)
    config = tmp / "sources.toml"
    config.write_text('[[source]]\nid = "one"\nname = "موقع"\nhomepage = "https://one.example/"\n'
                      'feeds = ["https://one.example/feed.xml"]\n', encoding="utf-8")
    yield {"tmp": tmp, "http": f"http://127.0.0.1:{server.server_address[1]}", "closed": closed,
           "not_sqlite": not_sqlite, "good": good, "readonly": readonly, "config": config, "immutable": immutable}
    if immutable:
        _chattr("-i", readonly, readonly_dir)
    readonly_dir.chmod(stat.S_IRWXU)
    server.shutdown()


def _chattr(flag: str, *paths: Path) -> bool:
    """True when `chattr` set (or cleared) the flag on every path; False where the filesystem has no such flag."""
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


# (name, argv with {placeholders}, expected exit code, a word the one line must contain)
CASES = [
    ("extract-404", ["extract", "{http}/missing.html"], 1, "HTTP 404"),
    ("extract-refused", ["extract", "http://127.0.0.1:{closed}/a.html"], 1, "could not fetch"),
    ("extract-dns", ["extract", "http://no-such-host.invalid/a.html"], 1, "could not fetch"),
    ("extract-missing-file", ["extract", "{tmp}/nothing.html"], 2, "no such file"),
    ("crawl-not-sqlite", ["crawl", "--config", "{config}", "--db", "{not_sqlite}"], 2, "not a SQLite"),
    ("crawl-read-only", ["crawl", "--config", "{config}", "--db", "{readonly}"], 2, "read-only"),
    ("crawl-db-is-folder", ["crawl", "--config", "{config}", "--db", "{tmp}"], 2, "folder"),
    ("crawl-unknown-source", ["crawl", "--config", "{config}", "--sources", "nope", "--db", "{good}"], 2, "nope"),
    ("stats-not-sqlite", ["stats", "--db", "{not_sqlite}"], 2, "database"),
    ("search-not-sqlite", ["search", "وزير", "--db", "{not_sqlite}"], 2, "database"),
    ("export-not-sqlite", ["export", "--db", "{not_sqlite}"], 2, "database"),
    ("stats-missing-db", ["stats", "--db", "{tmp}/none/news.db"], 2, ""),
    ("export-missing-folder", ["export", "--db", "{good}", "-o", "{tmp}/no/such/folder/out.jsonl"], 2, "folder"),
    ("stats-read-only", ["stats", "--db", "{readonly}"], 0, ""),
    ("search-read-only", ["search", "وزير", "--db", "{readonly}"], 0, ""),
    ("export-read-only", ["export", "--db", "{readonly}", "-o", "{tmp}/from-readonly.jsonl"], 0, ""),
    ("sources-unknown-id", ["sources", "list", "nope", "--config", "{config}"], 2, "nope"),
    ("bad-option", ["stats", "--no-such-option"], 2, "unrecognized"),
]


def run(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    args = [a.format(**env) for a in argv]
    return subprocess.run([sys.executable, "-m", "newscrawler.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize(("name", "argv", "code", "word"), CASES, ids=[c[0] for c in CASES])
def test_an_ordinary_failure_is_one_line_without_traceback(env, name, argv, code, word):
    if name.endswith("read-only") and os.geteuid() == 0 and not env["immutable"]:
        missing_service("a read-only database", "root ignores file permissions and this filesystem has no immutable "
                        "attribute (chattr +i)")
    result = run(argv, env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, (result.returncode, result.stderr)
    if code:
        lines = [line for line in result.stderr.splitlines() if line.startswith("newscrawler:")
                 or "error:" in line]
        assert lines, result.stderr
        assert word.lower() in result.stderr.lower()


def test_debug_shows_the_traceback(env):
    result = run(["extract", "--debug", "http://127.0.0.1:{closed}/a.html"], env)
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_output_piped_into_head_is_not_an_error(env, tmp_path):
    # Output larger than a pipe's buffer (64 KiB), so the writer really meets the closed pipe.
    page = tmp_path / "long.html"
    paragraphs = "".join(f"<p>الفقرة رقم {i} من خبر طويل جدا كتب لهذا الاختبار وحده دون غيره.</p>" for i in range(3000))
    page.write_text(f"<html><body><article><h1>خبر طويل</h1>{paragraphs}</article></body></html>", encoding="utf-8")
    result = subprocess.run(["bash", "-o", "pipefail", "-c",
                             f"{sys.executable} -m newscrawler.cli extract {page} | head -c 100 >/dev/null"],
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == 0


def test_scrapy_crawl_with_an_unknown_source_is_one_error_line(tmp_path):
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "sources=nope", "-s",
                             f"NEWSCRAWLER_DB={tmp_path / 'n.db'}", "-s", "LOG_LEVEL=WARNING"],
                            capture_output=True, text=True, timeout=120, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "no such source" in result.stderr
