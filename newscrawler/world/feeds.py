"""Feeds (RSS 2.0, Atom), sitemaps (news sitemap, monthly archive sitemaps, sitemap index) and robots.txt of
the world's sites. Sitemaps are UTF-8 as the protocol requires; a feed is in its site's charset."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape

from newscrawler.demo.sitegen import _iso
from newscrawler.world.render import WArticle


def _x(s: str) -> str:
    return escape(s, quote=False)


def rss(name: str, home: str, arts: list[WArticle], encoding: str, reference: datetime) -> str:
    items = "\n".join(
        f"<item><title>{_x(x.title)}</title><link>{_x(x.url)}</link><guid isPermaLink=\"true\">{_x(x.url)}</guid>"
        f"<pubDate>{format_datetime(x.published)}</pubDate><description>{_x(x.paras[0])}</description></item>"
        for x in arts)
    built = format_datetime(arts[0].published if arts else reference)
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{_x(name)}</title>'
            f"<link>{_x(home)}</link><description>{_x(name)}</description><language>ar</language>"
            f"<lastBuildDate>{built}</lastBuildDate>\n{items}\n</channel></rss>\n")


def atom(name: str, home: str, self_url: str, arts: list[WArticle], reference: datetime) -> str:
    entries = "\n".join(
        f'<entry><title type="text">{_x(x.title)}</title><link rel="alternate" href="{_x(x.url)}"/><id>{_x(x.url)}</id>'
        f"<published>{_iso(x.published)}</published><updated>{_iso(x.modified or x.published)}</updated>"
        f"<author><name>{_x(x.author)}</name></author><summary>{_x(x.paras[0])}</summary></entry>"
        for x in arts)
    updated = _iso(arts[0].published if arts else reference)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
            f"<title>{_x(name)}</title><id>{_x(home)}</id><updated>{updated}</updated>"
            f'<link rel="self" href="{_x(self_url)}"/>\n{entries}\n</feed>\n')


def news_sitemap(name: str, arts: list[WArticle]) -> str:
    urls = "\n".join(
        f"<url><loc>{_x(x.url)}</loc><lastmod>{_iso(x.modified or x.published)}</lastmod><news:news><news:publication>"
        f"<news:name>{_x(name)}</news:name><news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{_iso(x.published)}</news:publication_date><news:title>{_x(x.title)}</news:title>"
        "</news:news></url>" for x in arts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{urls}\n</urlset>\n')


def archive_sitemap(arts: list[WArticle]) -> str:
    urls = "\n".join(f"<url><loc>{_x(x.url)}</loc><lastmod>{_iso(x.modified or x.published)}</lastmod></url>"
                     for x in arts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}\n</urlset>\n")


def sitemap_index(children: list[tuple[str, datetime]]) -> str:
    body = "\n".join(f"<sitemap><loc>{_x(u)}</loc><lastmod>{_iso(d)}</lastmod></sitemap>" for u, d in children)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"\n{body}\n</sitemapindex>\n")


def robots(sitemap_url: str | None) -> str:
    lines = ["User-agent: *", "Disallow: /wp-admin/", "Disallow: /search", ""]
    if sitemap_url:
        lines.append(f"Sitemap: {sitemap_url}")
    return "\n".join(lines) + "\n"
