"""HTML of the world's pages, one template family at a time (WordPress-like, legacy tables, modern component
markup, Moroccan portal, seed-page-like aggregator). Markup follows what such sites really emit: themes with
widget sidebars, `<font>` and nested tables, hashed class names and `data-*` attributes, tickers and long
footers. Nothing here is shaped to the crawler's rules; the roles' class names come from the site's style.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from newscrawler.demo import texts as T
from newscrawler.demo.sitegen import _iso
from newscrawler.world.dates import attribution_line, format_date
from newscrawler.world.style import SiteStyle


@dataclass
class WArticle:
    site: str
    id: int
    path: str
    title: str
    paras: list[str]
    category: str
    section: str  # section slug on this site
    published: datetime
    modified: datetime | None
    author: str
    author_slug: str
    story: str
    edit: str
    url: str = ""
    source_url: str = ""
    source_name: str = ""
    copy_of: dict[str, str] | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)  # (path, label)
    outlet: str = ""  # aggregator copies: the outlet's Latin slug

    @property
    def body(self) -> str:
        return "\n\n".join(self.paras)


def e(s: str) -> str:
    return escape(s, quote=False)


def a(s: str) -> str:
    return escape(s, quote=True)


@dataclass
class Nav:
    """Links every page of a site carries (navigation, sidebars, footers)."""

    sections: list[tuple[str, str, str]]
    most_read: list[WArticle]
    ticker: list[WArticle]
    footer_links: list[tuple[str, str]]  # (path, label)
    outlets: list[tuple[str, str]] = field(default_factory=list)  # aggregator: (path, outlet name)


class Theme:
    """Renders one site's pages from its `SiteStyle`. Per-site details that are not in the style (table
    layout of a legacy page, where the aggregator puts its attribution line) come from the site's own rng."""

    def __init__(self, style: SiteStyle, base_url: str, rng: random.Random, reference: datetime):
        self.s = style
        self.base = base_url
        self.c = style.classes
        self.reference = reference
        self.br_paras = rng.random() < 0.5  # legacy and aggregator bodies: <br><br> between paragraphs
        self.date_cell_alone = rng.random() < 0.6
        self.attribution_first = rng.random() < 0.5
        self.agg_title_tag = rng.choice(["h1", "h2"])
        self.portal_topdate = rng.random() < 0.7

    # ------------------------------------------------------------------ shared bits
    def url(self, path: str) -> str:
        return self.base + path

    def cls(self, role: str) -> str:
        v = self.c.get(role, "")
        return f' class="{v}"' if v else ""

    def date_text(self, dt: datetime) -> str:
        return format_date(dt, self.s.date_form, indic=self.s.digits == "indic")

    def page_title(self, title: str) -> str:
        return e(self.s.title_pattern.format(title=title, site=self.s.name))

    def charset_meta(self) -> str:
        if self.s.encoding == "utf-8":
            return '<meta charset="utf-8">'
        if self.s.charset == "meta":
            return f'<meta http-equiv="Content-Type" content="text/html; charset={self.s.encoding}">'
        return ""

    def feed_link(self) -> str:
        if self.s.feed == "none":
            return ""
        t = "application/atom+xml" if self.s.feed == "atom" else "application/rss+xml"
        return f'<link rel="alternate" type="{t}" title="{a(self.s.name)}" href="{self.url(self.s.feed_path)}">'

    def meta_block(self, art: WArticle) -> str:
        """Head metadata of an article page: canonical, OpenGraph, and JSON-LD or article:* meta per style."""
        s, u = self.s, art.url
        out = [f'<link rel="canonical" href="{a(u)}">',
               f'<meta property="og:type" content="article"><meta property="og:title" content="{a(art.title)}">',
               f'<meta property="og:url" content="{a(u)}"><meta property="og:site_name" content="{a(s.name)}">',
               f'<meta name="description" content="{a(art.paras[0][:150])}">']
        if s.date_meta == "meta":
            out.append(f'<meta property="article:published_time" content="{_iso(art.published)}">')
            if art.modified:
                out.append(f'<meta property="article:modified_time" content="{_iso(art.modified)}">')
        if s.date_meta == "jsonld":
            ld: dict[str, Any] = {"@type": "NewsArticle", "headline": art.title, "datePublished": _iso(art.published),
                                  "author": {"@type": "Person", "name": art.author},
                                  "publisher": {"@type": "Organization", "name": s.name},
                                  "mainEntityOfPage": {"@type": "WebPage", "@id": u}, "inLanguage": "ar"}
            if art.modified:
                ld["dateModified"] = _iso(art.modified)
            if s.family == "wordpress":  # Yoast-style graph
                doc = {"@context": "https://schema.org", "@graph": [
                    {"@type": "WebSite", "@id": self.url("/#website"), "name": s.name, "url": self.url("/")},
                    {"@type": "WebPage", "@id": u, "url": u, "name": art.title, "isPartOf": {"@id": self.url("/#website")}},
                    {**ld, "@type": "Article", "@id": u + "#article"}]}
            else:
                doc = {"@context": "https://schema.org", **ld}
            out.append(f'<script type="application/ld+json">{_json(doc)}</script>')
        elif s.family in ("modern", "wordpress"):
            crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": self.url("/")}]}
            out.append(f'<script type="application/ld+json">{_json(crumbs)}</script>')
        return "\n".join(out)

    def visible_date(self, art: WArticle) -> str:
        """The date as the reader sees it: label + text; in `<time datetime>` when the style says so."""
        text = e(self.s.date_label) + self.date_text(art.published)
        if self.s.date_meta in ("time", "jsonld") and self.s.family in ("wordpress", "modern", "portal"):
            return f'<time{self.cls("date")} datetime="{_iso(art.published)}">{text}</time>'
        return f'<span{self.cls("date")}>{text}</span>'

    def modified_line(self, art: WArticle) -> str:
        if not (self.s.show_modified and art.modified):
            return ""
        return f' <span class="updated">آخر تحديث: {self.date_text(art.modified)}</span>'

    def paragraphs(self, paras: list[str], pcls: str = "") -> str:
        return "".join(f"<p{pcls}>{e(p)}</p>\n" for p in paras)

    def links_ul(self, arts: list[WArticle], ul_cls: str = "") -> str:
        items = "".join(f'<li><a href="{a(x.path)}">{e(x.title)}</a></li>' for x in arts)
        return f"<ul{ul_cls}>{items}</ul>"

    def footer(self, nav: Nav) -> str:
        links = " | ".join(f'<a href="{a(p)}">{e(label)}</a>' for p, label in nav.footer_links)
        secs = "".join(f'<li><a href="{a(p)}">{e(label)}</a></li>' for _, label, p in nav.sections)
        return (f'<footer{self.cls("footer")}><div class="footer-sections"><h4>الأقسام</h4><ul>{secs}</ul></div>'
                f'<div class="footer-links">{links}</div><p>© 2025 {e(self.s.name)}. جميع الحقوق محفوظة. '
                "يمنع نسخ أو إعادة نشر المحتوى دون إذن مكتوب من إدارة الموقع.</p></footer>\n")

    def nav_bar(self, nav: Nav) -> str:
        items = "".join(f'<li><a href="{a(p)}">{e(label)}</a></li>' for _, label, p in nav.sections)
        return f'<nav{self.cls("nav")}><ul><li><a href="/">الرئيسية</a></li>{items}</ul></nav>'

    def most_read(self, nav: Nav) -> str:
        if not nav.most_read:
            return ""
        return (f'<div{self.cls("mostread")}><h3>الأكثر قراءة</h3>'
                + self.links_ul(nav.most_read).replace("<ul>", "<ol>").replace("</ul>", "</ol>") + "</div>")

    # ------------------------------------------------------------------ article pages
    def article(self, art: WArticle, nav: Nav, related: list[WArticle], read_also: WArticle | None) -> str:
        fam = self.s.family
        if fam == "wordpress":
            return self._wp_article(art, nav, related)
        if fam == "legacy":
            return self._legacy_article(art, nav, related)
        if fam == "modern":
            return self._modern_article(art, nav, related)
        if fam == "portal":
            return self._portal_article(art, nav, related, read_also)
        return self._agg_article(art, nav, related)

    def _head(self, title: str, extra: str = "", *, lang: bool = True) -> str:
        attrs = ' lang="ar" dir="rtl"' if lang else ' dir="rtl"'
        return (f"<!DOCTYPE html>\n<html{attrs}><head>{self.charset_meta()}<title>{title}</title>\n"
                f'<meta name="viewport" content="width=device-width, initial-scale=1">{self.feed_link()}\n{extra}'
                "</head>\n")

    def _tags_html(self, art: WArticle, label: str = "الوسوم: ") -> str:
        tags = " ".join(f'<a href="{a(p)}" rel="tag">{e(t)}</a>' for p, t in art.tags)
        return f'<div{self.cls("tags")}>{label}{tags}</div>' if tags else ""

    def _share(self) -> str:
        return (f'<div{self.cls("share")}><span>شارك:</span> <a href="#facebook">فيسبوك</a> <a href="#twitter">تويتر</a> '
                '<a href="#whatsapp">واتساب</a></div>')

    def _wp_article(self, art: WArticle, nav: Nav, related: list[WArticle]) -> str:
        c = self.c
        sec_label = next((lab for slug, lab, _ in nav.sections if slug == art.section), "")
        sec_path = next((p for slug, _, p in nav.sections if slug == art.section), "/")
        paras = self.paragraphs(art.paras[:2]) + '<div class="code-block code-block-2">إعلان</div>\n' \
            + self.paragraphs(art.paras[2:])
        rel = "".join(f'<li><a href="{a(x.path)}">{e(x.title)}</a></li>' for x in related)
        return (self._head(self.page_title(art.title), self.meta_block(art))
                + f'<body class="post-template-default single single-post postid-{art.id} single-format-standard">\n'
                f'<div id="page" class="site"><header id="masthead" class="site-header"><div class="site-branding">'
                f'<p class="site-title"><a href="/" rel="home">{e(self.s.name)}</a></p></div>{self.nav_bar(nav)}</header>\n'
                f'<div{self.cls("ticker")}><span>عاجل</span>{self.links_ul(nav.ticker[:5])}</div>\n'
                f'<div id="content" class="site-content"><main id="main"{self.cls("main")}>\n'
                f'<article id="post-{art.id}" class="post-{art.id} post type-post status-publish format-standard hentry">\n'
                f'<header class="entry-header"><span class="cat-links"><a href="{a(sec_path)}" rel="category tag">'
                f'{e(sec_label)}</a></span>\n<h1 class="{c["title"]}">{e(art.title)}</h1>\n'
                f'<div class="entry-meta"><span class="posted-on">{self.visible_date(art)}</span>{self.modified_line(art)} '
                f'<span class="byline"> بواسطة <span class="{c["author"]}"><a class="url fn n" href="/author/{art.author_slug}/">'
                f'{e(art.author)}</a></span></span></div></header>\n'
                f'<div class="{c["body"]}">\n{paras}</div>\n'
                f'<footer class="entry-footer">{self._tags_html(art)}</footer></article>\n{self._share()}\n'
                f'<div{self.cls("related")}><h3>مقالات ذات صلة</h3><ul>{rel}</ul></div>\n'
                '<div id="comments" class="comments-area"><h3 class="comment-reply-title">أضف تعليقا</h3>'
                '<form class="comment-form"><p>لن يتم نشر عنوان بريدك الإلكتروني.</p><textarea name="comment"></textarea>'
                '<input type="submit" value="إرسال التعليق"></form></div>\n</main>\n'
                f'<aside id="secondary"{self.cls("sidebar")}><section class="widget">{self.most_read(nav)}</section></aside>'
                f"</div>\n{self.footer(nav)}</div></body></html>\n")

    def _legacy_body(self, paras: list[str]) -> str:
        if self.br_paras:
            return '<font face="Tahoma" size="2">' + "<br><br>\n".join(e(p) for p in paras) + "</font>"
        return "".join(f'<p><font face="Tahoma" size="2">{e(p)}</font></p>\n' for p in paras)

    def _legacy_frame(self, title: str, main: str, nav: Nav, extra_head: str = "", side: list[WArticle] | None = None) -> str:
        secs = " | ".join(f'<a href="{a(p)}"><font color="#FFFFFF">{e(label)}</font></a>' for _, label, p in nav.sections)
        side_html = "".join(f'<tr><td><font size="2">&raquo; <a href="{a(x.path)}">{e(x.title)}</a></font></td></tr>'
                            for x in (side or []))
        foot = " - ".join(f'<a href="{a(p)}">{e(label)}</a>' for p, label in nav.footer_links)
        return (f'<html dir="rtl"><head>{self.charset_meta()}<title>{title}</title>{extra_head}</head>\n'
                '<body bgcolor="#FFFFFF" topmargin="0" leftmargin="0">\n'
                '<table width="780" border="0" align="center" cellpadding="0" cellspacing="0">\n'
                f'<tr><td colspan="2"><img src="/images/banner.gif" width="780" height="90" alt="{a(self.s.name)}"></td></tr>\n'
                f'<tr><td colspan="2" bgcolor="#003366" height="24"><font color="#FFFFFF" size="2"><a href="/">'
                f'<font color="#FFFFFF">الرئيسية</font></a> | {secs}</font></td></tr>\n'
                f'<tr><td valign="top" width="600">{main}</td>\n'
                f'<td valign="top" width="180" bgcolor="#EEEEEE"><table width="100%" cellpadding="3">'
                f'<tr><td bgcolor="#CCCCCC"><b>أخبار أخرى</b></td></tr>{side_html}</table></td></tr>\n'
                f'<tr><td colspan="2" align="center"><font size="1">جميع الحقوق محفوظة &copy; 2004-2025 {e(self.s.name)}'
                f"<br>{foot}</font></td></tr>\n</table></body></html>\n")

    def _legacy_article(self, art: WArticle, nav: Nav, related: list[WArticle]) -> str:
        date = e(self.s.date_label) + self.date_text(art.published)
        title = f'<font size="4" color="#990000" face="Arial"><b>{e(art.title)}</b></font>'
        if self.date_cell_alone:
            top = f"<tr><td>{title}</td></tr>\n<tr><td>{date}</td></tr>\n"
        else:
            top = f'<tr><td>{title}</td></tr>\n<tr><td><font size="1" color="#666666">{date}</font></td></tr>\n'
        main = ('<table width="100%" border="0" cellpadding="4" cellspacing="0">\n' + top
                + f'<tr><td><font size="2" color="#333333">{e(art.author)}</font></td></tr>\n'
                f"<tr><td>{self._legacy_body(art.paras)}</td></tr>\n"
                f'<tr><td><font size="1"><a href="/print.php?id={art.id}">طباعة</a> | '
                f'<a href="/send.php?id={art.id}">أرسل لصديق</a></font></td></tr>\n</table>')
        return self._legacy_frame(self.page_title(art.title), main, nav, side=related + nav.most_read)

    def _modern_article(self, art: WArticle, nav: Nav, related: list[WArticle]) -> str:
        c = self.c
        pcls = f' class="{c["excerpt"].split()[0]}"'
        body = "".join(f'<p{pcls} data-block="paragraph">{e(p)}</p>' for p in art.paras[:2]) \
            + f'<div class="{c["sidebar"].split()[0]}" data-ad-slot="mid-article"></div>' \
            + "".join(f'<p{pcls} data-block="paragraph">{e(p)}</p>' for p in art.paras[2:])
        cards = "".join(f'<a class="{c["card"]}" href="{a(x.path)}" data-track="related"><h3 class="{c["cardtitle"]}">'
                        f"{e(x.title)}</h3></a>" for x in related)
        next_data = {"props": {"pageProps": {"article": {"id": art.id, "title": art.title, "slug": art.path,
                                                         "section": art.section}}}, "page": "/[section]/[slug]"}
        if self.s.date_meta == "jsonld":
            date = self.visible_date(art)
        else:
            date = f'<div class="{c["date"]}">{e(self.s.date_label)}{self.date_text(art.published)}</div>'
        return (self._head(self.page_title(art.title), self.meta_block(art)
                           + "\n<style data-emotion=\"css\">." + c["body"].split()[0] + "{line-height:1.9}</style>")
                + f'<body><div id="__next"><div class="{c["main"]}">\n'
                f'<header class="{c["nav"]}" data-testid="header"><a href="/" data-analytics="logo">{e(self.s.name)}</a>'
                f"{self.nav_bar(nav)}</header>\n<main>\n"
                f'<article class="{c["card"]}" data-article-id="{art.id}">\n'
                f'<h1 class="{c["title"]}" data-testid="headline">{e(art.title)}</h1>\n'
                f'<div class="{c["tags"]}"><div class="{c["author"]}" data-testid="author">'
                f'<a href="/ar/author/{art.author_slug}">{e(art.author)}</a></div>{date}{self.modified_line(art)}</div>\n'
                f'<figure><img src="/_next/image?url=%2Fmedia%2F{art.id}.jpg&amp;w=1200" alt="{a(art.title)}">'
                "<figcaption>صورة: أرشيف</figcaption></figure>\n"
                f'<div class="{c["body"]}" data-testid="article-body">{body}</div>\n'
                f'{self._tags_html(art, "")}{self._share()}\n</article>\n'
                f'<section class="{c["related"]}" data-testid="related"><h2>اقرأ أيضا</h2>{cards}</section>\n</main>\n'
                f'<aside class="{c["sidebar"]}">{self.most_read(nav)}</aside>\n{self.footer(nav)}</div></div>\n'
                f'<script id="__NEXT_DATA__" type="application/json">{_json(next_data)}</script></body></html>\n')

    def _portal_top(self, nav: Nav) -> str:
        top = ""
        if self.portal_topdate:  # the day's date in the top bar: a page date that is no article's date
            top = f'<div class="top-bar"><span>{format_date(self.reference, "ar_std").split(" - ")[0]}</span></div>\n'
        ticker = " ".join(f'<a href="{a(x.path)}">{e(x.title)}</a>' for x in nav.ticker[:8])
        return (top + f'<header><div class="logo"><a href="/">{e(self.s.name)}</a></div>{self.nav_bar(nav)}</header>\n'
                f'<div{self.cls("ticker")}><span class="label">عاجل</span><div class="marquee">{ticker}</div></div>\n')

    def _portal_article(self, art: WArticle, nav: Nav, related: list[WArticle], read_also: WArticle | None) -> str:
        sec = next(((lab, p) for slug, lab, p in nav.sections if slug == art.section), ("", "/"))
        paras = [f"<p>{e(p)}</p>\n" for p in art.paras]
        if read_also is not None and len(paras) > 2:
            paras.insert(2, f'<div class="read-also-inline"><strong>اقرأ أيضا:</strong> '
                            f'<a href="{a(read_also.path)}">{e(read_also.title)}</a></div>\n')
        extra = self.meta_block(art) if self.s.date_meta != "none" else f'<meta name="description" content="{a(art.paras[0][:150])}">'
        rel = "".join(f'<li><a href="{a(x.path)}">{e(x.title)}</a></li>' for x in related)
        return (self._head(self.page_title(art.title), extra) + "<body>\n" + self._portal_top(nav)
                + '<div class="container"><div class="row"><div class="col-md-8">\n'
                f'<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="{a(sec[1])}">{e(sec[0])}</a></li></ol>\n'
                f'<h1{self.cls("title")}>{e(art.title)}</h1>\n'
                f'<div class="post-info"><span{self.cls("author")}>{e(art.author)}</span> {self.visible_date(art)}'
                f"{self.modified_line(art)}</div>\n"
                f'<div class="post-image"><img src="/uploads/{art.id}.jpg" alt=""></div>\n'
                f'<div{self.cls("body")}>\n{"".join(paras)}</div>\n{self._tags_html(art)}{self._share()}\n'
                f'<div{self.cls("related")}><h3>مواضيع ذات صلة</h3><ul>{rel}</ul></div>\n'
                '<div class="comments"><h3>التعليقات</h3><p>لا توجد تعليقات بعد. كن أول من يعلق.</p></div>\n'
                f'</div><div class="col-md-4">{self.most_read(nav)}</div></div></div>\n{self.footer(nav)}</body></html>\n')

    def _agg_chrome_top(self, nav: Nav) -> str:
        outlets = "".join(f'<li><a href="{a(p)}">{e(n)}</a></li>' for p, n in nav.outlets)
        return (f'<header><div class="logo"><a href="/">{e(self.s.name)}</a></div>{self.nav_bar(nav)}'
                f'<ul class="outlets-menu">{outlets}</ul></header>\n'
                f'<div{self.cls("ticker")}>{self.links_ul(nav.ticker)}</div>\n')

    def _agg_footer(self, nav: Nav) -> str:
        outlets = "".join(f'<li><a href="{a(p)}">أخبار {e(n)}</a></li>' for p, n in nav.outlets)
        return (f'<div class="footer-outlets"><h4>المصادر</h4><ul>{outlets}</ul></div>\n' + self.footer(nav)
                + "<p class=\"disclaimer\">جميع الأخبار المنشورة في هذا الموقع منقولة عن مصادرها، والموقع غير "
                "مسؤول عن محتواها. لقراءة الخبر كاملا يرجى زيارة الموقع الأصلي.</p>\n")

    def _agg_article(self, art: WArticle, nav: Nav, related: list[WArticle]) -> str:
        t = self.agg_title_tag
        line = f'<p{self.cls("source")}>{e(attribution_line(art.source_name, art.published, self.s.attribution))}</p>\n'
        body = (f'<div{self.cls("body")}>' + "<br>\n<br>\n".join(e(p) for p in art.paras) + "</div>\n"
                if self.br_paras else f'<div{self.cls("body")}>\n{self.paragraphs(art.paras)}</div>\n')
        rel = "".join(f'<li><a href="{a(x.path)}">{e(x.title)}</a></li>' for x in related)
        return (self._head(self.page_title(art.title), f'<meta name="description" content="{a(art.paras[0][:150])}">')
                + "<body>\n" + self._agg_chrome_top(nav) + '<div class="main-wrap">\n' + self.most_read(nav)
                + f'\n<div class="report-notice"><button>إبلاغ عن الصورة</button><p>{T.REPORT_NOTICE}</p></div>\n'
                f'<div class="news-block">\n<{t}{self.cls("title")}>{e(art.title)}</{t}>\n'
                + (line + body if self.attribution_first else body + line)
                + f'<p class="read-source"><a href="{a(art.source_url)}" rel="nofollow" target="_blank">'
                f"{T.READ_SOURCE}</a></p>\n</div>\n"
                f'<div{self.cls("related")}><h3>أخبار ذات صلة</h3><ul>{rel}</ul></div>\n</div>\n'
                + self._agg_footer(nav) + "</body></html>\n")

    # ------------------------------------------------------------------ listing pages
    def pager(self, links: dict[int, str], current: int, last: int) -> tuple[str, str]:
        """(head links, body pager) for page `current` of `last`; `links` maps page numbers to paths."""
        s = self.s
        head = ""
        nxt = links.get(current + 1)
        prv = links.get(current - 1)
        if s.pager == "relnext":
            head = (f'<link rel="prev" href="{a(self.url(prv))}">' if prv else "") + (
                f'<link rel="next" href="{a(self.url(nxt))}">' if nxt else "")
        parts: list[str] = []
        if s.pager in ("numbers", "numbers+text"):
            window = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
            prev_n = 0
            for n in window:
                if n - prev_n > 1:
                    parts.append('<span class="dots">…</span>')
                parts.append(f'<span class="current">{n}</span>' if n == current else f'<a href="{a(links[n])}">{n}</a>')
                prev_n = n
        if nxt and s.pager in ("text", "numbers+text"):
            parts.append(f'<a class="next" href="{a(nxt)}">{e(s.next_label)}</a>')
        if prv and s.pager == "text":
            parts.insert(0, f'<a class="prev" href="{a(prv)}">السابق</a>')
        if nxt and s.pager == "relnext":
            parts.append(f'<a class="next page-numbers" rel="next" href="{a(nxt)}">»</a>')
        return head, f'<div{self.cls("pager")}>' + " ".join(parts) + "</div>" if parts else ""

    def card(self, x: WArticle, nav: Nav) -> str:
        fam, c = self.s.family, self.c
        if fam == "aggregator":
            return (f'<li><a href="{a(x.path)}">{e(x.title)}</a> <span{self.cls("source")}>{e(x.source_name)}</span> '
                    f'<span class="time">{x.published:%H:%M}</span></li>')
        excerpt = e(x.paras[0][:110].rsplit(" ", 1)[0]) + "…"
        date = self.date_text(x.published)
        if fam == "legacy":
            return (f'<tr><td><font size="3"><b><a href="{a(x.path)}">{e(x.title)}</a></b></font><br>'
                    f'<font size="1" color="#666666">{date}</font><br><font size="2">{excerpt}</font></td></tr>')
        tag = x.tags[0] if x.tags else None
        tag_html = f' <a class="tag" href="{a(tag[0])}">{e(tag[1])}</a>' if tag else ""
        if fam == "modern":
            return (f'<div class="{c["card"]}" data-testid="card"><a href="{a(x.path)}" class="{c["cardtitle"]}">'
                    f'<h3>{e(x.title)}</h3></a><p class="{c["excerpt"]}">{excerpt}</p>'
                    f'<span class="{c["date"]}">{date}</span>{tag_html}</div>')
        if fam == "wordpress":
            return (f'<article class="{c["card"]} post-{x.id}"><a href="{a(x.path)}" class="post-thumbnail">'
                    f'<img src="/wp-content/uploads/{x.id}.jpg" alt=""></a><h2 class="{c["cardtitle"]}">'
                    f'<a href="{a(x.path)}" rel="bookmark">{e(x.title)}</a></h2><div class="entry-meta">{date} '
                    f'<a href="/author/{x.author_slug}/">{e(x.author)}</a></div>'
                    f'<div class="{c["excerpt"]}"><p>{excerpt}</p></div></article>')
        return (f'<div class="{c["card"]}"><a href="{a(x.path)}"><img src="/uploads/{x.id}.jpg" alt=""></a>'
                f'<h3 class="{c["cardtitle"]}"><a href="{a(x.path)}">{e(x.title)}</a></h3>'
                f'<span class="{c["date"]}">{date}</span>{tag_html}</div>')

    def listing(self, heading: str, items: list[WArticle], nav: Nav, pager_head: str, pager_html: str) -> str:
        fam = self.s.family
        title = self.page_title(heading)
        if fam == "legacy":
            rows = "\n".join(self.card(x, nav) for x in items)
            main = (f'<table width="100%" cellpadding="4"><tr><td bgcolor="#DDDDDD"><b>{e(heading)}</b></td></tr>\n{rows}\n'
                    f"<tr><td>{pager_html}</td></tr></table>")
            return self._legacy_frame(title, main, nav, pager_head, side=nav.most_read)
        cards = "\n".join(self.card(x, nav) for x in items)
        if fam == "aggregator":
            return (self._head(title, pager_head) + "<body>\n" + self._agg_chrome_top(nav) + '<div class="main-wrap">'
                    + self.most_read(nav) + f'<h1>{e(heading)}</h1>\n<ul{self.cls("list")}>\n{cards}\n</ul>\n{pager_html}'
                    "</div>\n" + self._agg_footer(nav) + "</body></html>\n")
        if fam == "portal":
            top = self._portal_top(nav)
        else:
            top = f'<header class="site-header"><a class="logo" href="/">{e(self.s.name)}</a>{self.nav_bar(nav)}</header>\n'
        return (self._head(title, pager_head) + "<body>\n" + top
                + f'<main{self.cls("main")}><h1 class="page-title">{e(heading)}</h1>\n'
                f'<div{self.cls("list")}>\n{cards}\n</div>\n{pager_html}</main>\n'
                f'<aside{self.cls("sidebar")}>{self.most_read(nav)}</aside>\n{self.footer(nav)}</body></html>\n')

    def simple(self, title: str, paras: list[str], nav: Nav, links: list[WArticle] | None = None) -> str:
        """A non-article page: contact, about, tag, author or outlet page."""
        body = self.paragraphs(paras) + (self.links_ul(links) if links else "")
        if self.s.family == "legacy":
            return self._legacy_frame(self.page_title(title), f"<h2>{e(title)}</h2>{body}", nav, side=nav.most_read)
        return (self._head(self.page_title(title)) + "<body>\n"
                + f'<header><a href="/">{e(self.s.name)}</a>{self.nav_bar(nav)}</header>\n'
                f'<main><h1>{e(title)}</h1>\n{body}</main>\n{self.footer(nav)}</body></html>\n')


def _json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")
