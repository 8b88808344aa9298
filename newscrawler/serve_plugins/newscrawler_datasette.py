"""The Datasette plugin `newscrawler serve` loads (``--plugins-dir``): our SQL functions on every connection, so
canned queries fold spelling and clitics like the CLI (``articles_fts MATCH search_query(:q)``), and Arabic text
laid out right to left."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from newscrawler.store.connection import register_functions

# Each cell takes its direction from its first strong character: Arabic cells read right to left, URLs and
# numbers left to right. A data: URL, so the plugin needs no static files.
_RTL_CSS = (
    "data:text/css,"
    "td,th,.rows-and-columns td,pre{unicode-bidi:plaintext;text-align:start}"
    "td[class*=col-title],td[class*=col-body],td[class*=col-summary],td[class*=col-snippet]"
    "{direction:rtl;font-size:1.05em}"
)


@hookimpl
def prepare_connection(conn: Any) -> None:
    register_functions(conn)


@hookimpl
def extra_css_urls() -> list[str]:
    return [_RTL_CSS]
