"""Security rules (issue 20), tested: SQL is parameterised, XML parsers never resolve entities, no request to a
private address, content-derived values never become SQL, file names or markup.

The SQL check reads the source with `ast`: every f-string or %-/format-built string that looks like SQL may
interpolate only the expressions listed in `SQL_IDENTIFIER_PARTS`, which build column lists and `?` placeholders
from the code's own constants, never a value from a page. Anything new there must be reviewed and listed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from newscrawler.discover import parse_feed, parse_sitemap
from newscrawler.urls import is_loopback_or_private, is_private_ip

ROOT = Path(__file__).resolve().parent.parent
CODE = [p for folder in ("newscrawler", "spiders", "pipelines") for p in (ROOT / folder).rglob("*.py")]
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|PRAGMA|VALUES|CREATE|DROP|ALTER)\b")

# Interpolations in SQL text, each built from code constants (column names, `?`/`:name` placeholders, a WHERE
# clause assembled from fixed fragments whose values go in as parameters).
SQL_IDENTIFIER_PARTS = {
    "BUSY_TIMEOUT_MS", "where", "column", "marks", "placeholders", "\", \".join(cols)",
    "', '.join((':' + c for c in cols))", "', '.join((f'{c} = excluded.{c}' for c in cols[1:]))",
    "', '.join(row)", "', '.join((':' + c for c in row))", "', '.join(('?' for _ in dependants))",
    "', '.join((f'{c} = :{c}' for c in COUNT_COLUMNS))", "c", "', '.join(cols)",
    "', '.join(('?' for _ in wanted))",
    "self.wal_limit_bytes",  # an int (the Store argument), formatted with :d
    "step.sql", "step.version",  # a numbered migration's own SQL text and number (store.schema.MIGRATIONS)
}


def _sql_interpolations(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    # Text printed for the user (the run summary's example queries) is not executed.
    printed = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "print" for arg in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in printed:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL.search(text):
                found += [(node.lineno, ast.unparse(v.value)) for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            if isinstance(node.left.value, str) and SQL.search(node.left.value):
                found.append((node.lineno, "% " + ast.unparse(node.right)))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
              and SQL.search(node.func.value.value)):
            found.append((node.lineno, ".format(...)"))
    return found


def test_sql_is_parameterised_everywhere():
    offending = []
    for path in CODE:
        for line, expr in _sql_interpolations(ast.parse(path.read_text(encoding="utf-8"))):
            if expr not in SQL_IDENTIFIER_PARTS:
                offending.append(f"{path.relative_to(ROOT)}:{line}: {expr}")
    assert offending == []


def test_the_sql_check_catches_a_value_formatted_into_sql():
    bad = 'conn.execute(f"SELECT * FROM articles WHERE title = \'{title}\'")\nconn.execute("DELETE FROM x WHERE id=%s" % i)'
    assert [expr for _, expr in _sql_interpolations(ast.parse(bad))] == ["title", "% i"]


def test_no_execute_call_takes_a_concatenated_string():
    offending = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany", "executescript") and node.args
                    and isinstance(node.args[0], ast.BinOp) and isinstance(node.args[0].op, ast.Mod)):
                offending.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offending == []


XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>a &xxe; b</title><link>https://x.example/1</link></item>
</channel></rss>"""
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10 if i > 1 else b"&lol;" * 10)
                     for i in range(1, 10))
          + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/&lol9;</loc>'
          b"</url></urlset>")


def test_feeds_never_resolve_external_entities():
    try:
        entries = parse_feed(XXE, "https://x.example/feed.xml")
    except Exception:  # noqa: BLE001 - refusing the feed is as good as reading it without the entity
        return
    assert not any("root:" in (entry.get("title") or "") for entry in entries)


def test_sitemaps_never_expand_entity_bombs():
    try:
        result = parse_sitemap(LAUGHS, "https://x.example/sitemap.xml")
    except Exception:  # noqa: BLE001
        return
    assert all(len(entry["url"]) < 2000 for entry in result.urls)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.8/a", "http://169.254.169.254/latest/",
                                 "http://192.168.1.1/", "http://172.16.5.4/", "http://[::1]/", "http://localhost:80/",
                                 "http://[fe80::1]/", "http://0.0.0.0/"])
def test_private_addresses_are_recognised(url):
    assert is_loopback_or_private(url)


def test_a_public_address_is_not_private():
    assert not is_loopback_or_private("https://www.hespress.com/a.html")
    assert not is_loopback_or_private("http://8.8.8.8/")


@pytest.mark.parametrize(("address", "private"), [("127.0.0.1", True), ("10.1.2.3", True), ("169.254.169.254", True),
                                                  ("::1", True), ("::ffff:192.168.0.1", True), ("0.0.0.0", True),
                                                  ("8.8.8.8", False), ("2a00:1450::1", False), ("example.com", False)])
def test_resolved_addresses_are_classified(address, private):
    # what PrivateAddressMiddleware asks of the address a name resolved to (tests/test_private_names.py crawls it)
    assert is_private_ip(address) is private


def test_sources_cannot_name_a_private_start_url_without_allow_loopback(tmp_path):
    from newscrawler.sources import SourceConfigError, load_sources

    config = tmp_path / "s.toml"
    config.write_text('[[source]]\nid = "x"\nname = "x"\nhomepage = "http://10.0.0.1/"\n'
                      'feeds = ["http://10.0.0.1/feed.xml"]\n', encoding="utf-8")
    with pytest.raises(SourceConfigError):
        load_sources(str(config))


def test_no_crawl_opens_a_console_or_code_execution_server():
    # Scrapy's telnet console and its remote control (an HTTP server that runs Python code it is sent) stay off.
    from scrapy.settings import default_settings

    from newscrawler import settings

    for name in ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"):
        assert hasattr(default_settings, name) or name == "REMOTE_CONTROL_ENABLED", name
        assert getattr(settings, name, getattr(default_settings, name, False)) is False, name
