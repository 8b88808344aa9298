"""The Datasette plugin `newscrawler serve` loads (``--plugins-dir``): our SQL functions on every connection, so
canned queries fold spelling and clitics like the CLI (``articles_fts MATCH search_query(:q)``), the table's
search box searching the same way, and Arabic text laid out right to left."""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from newscrawler.search import fts_query
from newscrawler.store.connection import register_functions


def _newscrawler_database(conn: sqlite3.Connection) -> bool:
    """Whether the connection is to a newscrawler database (its ``articles_fts`` indexes the clitic readings)."""
    try:
        return conn.execute(
            "SELECT 1 FROM pragma_table_info('articles_fts') WHERE name = 'search_variants'").fetchone() is not None
    except sqlite3.Error:
        return False


def _search_box_query(text: str | None) -> str:
    """What the search box's ``escape_fts(:search)`` becomes on our database: the CLI's whole query (spelling
    variants, clitics, phrases, prefixes), and a query that matches nothing (not an FTS5 syntax error) when
    nothing searchable was typed."""
    return fts_query(text or "") or '""'

# Each cell takes its direction from its first strong character: Arabic cells read right to left, URLs and
# numbers left to right. A data: URL, so the plugin needs no static files.
_RTL_CSS = (
    "data:text/css,"
    "td,th,.rows-and-columns td,pre{unicode-bidi:plaintext;text-align:start}"
    "td[class*=col-title],td[class*=col-body],td[class*=col-summary],td[class*=col-snippet]"
    "{direction:rtl;font-size:1.05em}"
)


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    register_functions(conn)
    # Datasette's search box (?_search=, escaped mode) runs "rowid in (SELECT rowid FROM articles_fts WHERE
    # articles_fts MATCH escape_fts(:search))". Datasette registers escape_fts (a quoting of each word) in its own
    # prepare_connection; this one runs after it (trylast) and replaces it on our databases only, whose one FTS
    # table is articles_fts: the box then folds spelling and clitics like `newscrawler search`, and the page
    # still shows what was typed. Raw mode (?_searchmode=raw) is untouched.
    if _newscrawler_database(conn):
        conn.create_function("escape_fts", 1, _search_box_query, deterministic=True)


@hookimpl
def extra_css_urls() -> list[str]:
    return [_RTL_CSS]


_COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3", "#6b4c9a", "#c05746", "#2e4057",
            "#a23b72", "#3b8ea5", "#f18f01")


def chart_svg(rows: list[tuple[str, str, int]], width: int = 900, height: int = 320) -> str:
    """Articles per source per day as an SVG line chart, drawn here (no JavaScript, no charting plugin to keep
    up with Datasette's releases): one line per source, days on x, counts on y."""
    from html import escape

    days = sorted({d for d, _, _ in rows})
    sources = sorted({s for _, s, _ in rows})
    if not days:
        return "<p>No articles yet.</p>"
    top = max(n for _, _, n in rows) or 1
    left, bottom, pad = 40, 30, 10
    w, h = width - left - pad, height - bottom - pad

    def x(i: int) -> float:
        return left + (w * i / (len(days) - 1) if len(days) > 1 else w / 2)

    def y(n: int) -> float:
        return pad + h - h * n / top

    counts = {(d, s): n for d, s, n in rows}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20 * len(sources)}" '
             'role="img" aria-label="articles per source per day" direction="ltr">',
             f'<line x1="{left}" y1="{pad + h}" x2="{left + w}" y2="{pad + h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{pad + 4}" text-anchor="end" font-size="11">{top}</text>',
             f'<text x="{left}" y="{pad + h + 18}" font-size="11">{escape(days[0])}</text>',
             f'<text x="{left + w}" y="{pad + h + 18}" text-anchor="end" font-size="11">{escape(days[-1])}</text>']
    for k, source in enumerate(sources):
        colour = _COLOURS[k % len(_COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(counts.get((d, source), 0)):.1f}" for i, d in enumerate(days))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                     f"<title>{escape(source)}</title></polyline>")
        ly = height + 20 * k + 5
        parts.append(f'<rect x="{left}" y="{ly}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{left + 18}" y="{ly + 11}" font-size="12" class="source">{escape(source)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/chart$", _chart_page)]


async def _chart_page(datasette: Any) -> Any:
    from datasette.utils.asgi import Response

    db = datasette.get_database()
    result = await db.execute(
        "SELECT day, source_id, articles FROM articles_per_source_day WHERE day IS NOT NULL ORDER BY day")
    svg = chart_svg([(r[0], r[1] or "", r[2]) for r in result.rows])
    return Response.html(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Articles per source per day</title>'
        '</head><body style="font-family:sans-serif"><h1>Articles per source per day</h1>'
        f'{svg}<p><a href="/">Back to the database</a></p></body></html>')
