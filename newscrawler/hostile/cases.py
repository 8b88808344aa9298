"""The hostile site's pages, each with the outcome the crawl must give it (docs/reliability.md).

Every case is a `Case`: a path on one of the hostile sites, what the server does there (`respond`), and its
expected outcome, written next to it: `stored` (an article with the given title), `reject` (a row in `rejects`
with the named reason), `cycle` (fetched exactly once, and a `discovery_cycle` reject for the second link),
`fetched_once`, `bounded` (requested at most `limit` times), `page` (read as a discovery page), or `site_crawled`
(a site with a bad robots.txt whose article is still stored). The good articles are the demo's own invented stories
(`newscrawler.demo.texts`), so no third-party text is involved.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newscrawler.demo.texts import STORIES

GOOD_ARTICLES = 20  # the first 20 stories, on the main site, linked from the main feed and the sitemaps


@dataclass
class Reply:
    """A plain answer: status, headers, body (sent with a Content-Length unless a header says otherwise)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


# A responder gets the request handler (for raw writes: drip, never-ending) and the site's base URL.
Responder = Callable[[Any, str], Reply | None]


@dataclass
class Case:
    name: str
    site: str  # main, flood, robots500, robotshuge, robotsbad, silent
    path: str
    respond: Responder
    expect: str  # stored | reject | cycle | fetched_once | bounded | page | site_crawled
    reason: str = ""  # the reject reason, for expect == "reject" (or "cycle")
    title: str = ""  # the stored title, for expect == "stored"
    limit: int = 0  # for expect == "bounded": most requests allowed
    note: str = ""
    linked: bool = True  # listed in the site's feed of cases (articles); discovery documents are linked otherwise


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def article_html(title: str, paragraphs: list[str], *, published: str | None = None, head: str = "",
                 body_extra: str = "", charset: str | None = "utf-8", title_html: str | None = None) -> str:
    """An ordinary article page: <title>, h1, a dated article element with its paragraphs."""
    published = published or (now() - timedelta(hours=2)).isoformat()
    meta = f'<meta charset="{charset}">' if charset else ""
    shown = title_html if title_html is not None else html.escape(title)
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>{meta}<title>{shown}</title>{head}</head><body>"
            f"<header><nav><a href=\"/\">الرئيسية</a></nav></header><main><article><h1>{shown}</h1>"
            f"<time datetime=\"{published}\">{published}</time>{paras}</article></main>{body_extra}"
            "<footer><p>جميع الحقوق محفوظة لموقع التجارب</p></footer></body></html>")


def story(i: int) -> tuple[str, list[str]]:
    _section, title, paragraphs = STORIES[i % len(STORIES)]
    return title, paragraphs


def ok(body: str | bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(200, data, {"Content-Type": content_type, **headers})


def page(i: int, **kwargs: Any) -> Responder:
    title, paragraphs = story(i)
    return lambda handler, base: ok(article_html(title, paragraphs, **kwargs))


def status(code: int, **headers: str) -> Responder:
    return lambda handler, base: Reply(code, b"<html><body><h1>error</h1></body></html>",
                                       {"Content-Type": "text/html; charset=utf-8", **headers})


def redirect(target: Callable[[str], str], code: int = 302) -> Responder:
    return lambda handler, base: Reply(code, b"", {"Location": target(base), "Content-Type": "text/html"})


def _encoded(i: int, encoding: str, *, declared: str | None, meta: str | None, bom: bytes = b"") -> Responder:
    title, paragraphs = story(i)
    text = article_html(title, paragraphs, charset=meta)
    content_type = "text/html" + (f"; charset={declared}" if declared else "")
    return lambda handler, base: ok(bom + text.encode(encoding), content_type)


def _mixed(i: int) -> Responder:
    # A UTF-8 page whose sidebar was pasted from a windows-1256 template: the story itself is clean UTF-8.
    title, paragraphs = story(i)
    good = article_html(title, paragraphs, body_extra="<aside>@@</aside>")
    before, after = good.split("@@")
    return lambda handler, base: ok(before.encode() + "روابط ذات صلة".encode("cp1256") + after.encode())


def _truncated_gzip(i: int) -> Responder:
    title, paragraphs = story(i)
    packed = gzip.compress(article_html(title, paragraphs * 3).encode())
    return lambda handler, base: ok(packed[: int(len(packed) * 0.7)], "text/html; charset=utf-8",
                                    **{"Content-Encoding": "gzip"})


def _gzip_bomb() -> Responder:
    # 64 MiB of zeros in about 64 KiB: over DOWNLOAD_MAXSIZE (8 MiB) once inflated.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    packed = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()
    return lambda handler, base: ok(packed, "text/html", **{"Content-Encoding": "gzip"})


def _huge_page() -> Responder:
    body = b"<html><body>" + b"<p>" + "حشو ".encode() * 2_600_000 + b"</p></body></html>"  # ~20 MB
    return lambda handler, base: ok(body)


def _binary() -> Responder:
    noise = random.Random(20).randbytes(40_000)
    return lambda handler, base: ok(b"%PDF-1.4\n" + noise)


def _never_ends(handler: Any, base: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"<html><head><title>")
    handler.wfile.flush()
    handler.server.stopping.wait(60)  # holds the connection until the client gives up or the server stops


def _drip(i: int) -> Responder:
    title, paragraphs = story(i)
    data = article_html(title, paragraphs).encode()

    def respond(handler: Any, base: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        step = max(1, len(data) // 20)
        for start in range(0, len(data), step):  # the whole page in ~1 s, a slice every 50 ms
            handler.wfile.write(data[start:start + step])
            handler.wfile.flush()
            if handler.server.stopping.wait(0.05):
                return

    return respond


def _jsonld(i: int, data: str) -> Responder:
    title, paragraphs = story(i)
    head = f'<script type="application/ld+json">{data}</script>'
    return lambda handler, base: ok(article_html(title, paragraphs, head=head))


def _lying_dates(i: int) -> Responder:
    title, paragraphs = story(i)
    data = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                       "datePublished": "2099-01-01T10:00:00+00:00", "dateModified": "2099-06-01T10:00:00+00:00"})
    head = (f'<script type="application/ld+json">{data}</script>'
            '<meta property="article:modified_time" content="2099-06-01T10:00:00+00:00">')
    return lambda handler, base: ok(article_html(title, paragraphs, head=head, published="2099-01-01T10:00:00+00:00"))


def _epoch(i: int) -> Responder:
    title, paragraphs = story(i)
    return lambda handler, base: ok(article_html(title, paragraphs, published="1970-01-01T00:00:00+00:00"))


INJECTION_TITLE = "مجلس المدينة يناقش '); DROP TABLE articles; -- <script>alert('x')</script> ميزانية السنة"
CONTROL_TITLE = "نشرة الطقس\x07 تتوقع\x00 أمطارا\x1b[31m غزيرة بالشمال"


def _injection(i: int) -> Responder:
    _, paragraphs = story(i)
    extra = [p + " <img src=x onerror=alert(1)> \"; DELETE FROM articles; --" for p in paragraphs]
    return lambda handler, base: ok(article_html(INJECTION_TITLE, extra))


def _controls(i: int) -> Responder:
    _, paragraphs = story(i)
    dirty = [p.replace(" ", " \x0b", 2) + "\x01\x02" for p in paragraphs]
    return lambda handler, base: ok(article_html(CONTROL_TITLE, dirty))


def _challenge(handler: Any, base: str) -> Reply:
    return ok("<html><head><title>Just a moment...</title></head><body><div id='challenge-platform'>"
              "Checking your browser before accessing the site. Please enable JavaScript and cookies to continue."
              "</div></body></html>")


def _cookie_wall(handler: Any, base: str) -> Reply:
    return ok("<html lang='ar'><head><title>موافقة</title></head><body><div class='consent'>"
              "نستخدم ملفات تعريف الارتباط لتحسين تجربتك. قبول الكل أو إدارة الخيارات.</div>"
              "<button>Accept all</button></body></html>")


def _malformed(i: int) -> Responder:
    title, paragraphs = story(i)
    broken = (f"<html><head><title>{html.escape(title)}</title><body><h1>{html.escape(title)}</h2><article><div><p>"
              + "<p>".join(html.escape(p) + "<b><i>" for p in paragraphs) + "</span></td></html>")
    return lambda handler, base: ok(broken)


# -- discovery documents ------------------------------------------------------------------------------------------


def rss(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link><pubDate>{d}</pubDate></item>"
                      for t, u, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>موقع التجارب</title>'
            f"<link>{base}/</link>{entries}</channel></rss>").encode()


def _rfc822(when: datetime) -> str:
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _sitemap_index(children: list[str]) -> Responder:
    def respond(handler: Any, base: str) -> Reply:
        body = "".join(f"<sitemap><loc>{base}{c}</loc></sitemap>" for c in children)
        return ok('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                  f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>', "application/xml")
    return respond


def _urlset(paths: list[str]) -> Responder:
    def respond(handler: Any, base: str) -> Reply:
        lastmod = (now() - timedelta(hours=3)).isoformat()
        body = "".join(f"<url><loc>{base}{p}</loc><lastmod>{lastmod}</lastmod></url>" for p in paths)
        return ok('<?xml version="1.0" encoding="UTF-8"?><urlset '
                  f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>', "application/xml")
    return respond


def _feed_of(paths: list[tuple[str, str]], when: datetime | None = None) -> Responder:
    def respond(handler: Any, base: str) -> Reply:
        date = _rfc822(when or now() - timedelta(hours=1))
        return ok(rss(base, [(t, base + p, date) for t, p in paths]), "application/rss+xml")
    return respond


XXE_FEED = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title>'
            "<link>{base}/news/good-1.html</link></item></channel></rss>")
LAUGHS_FEED = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                         for i in range(1, 10))
               + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
               "<link>{base}/news/good-2.html</link></item></channel></rss>")


def _text(template: str, content_type: str = "application/rss+xml") -> Responder:
    return lambda handler, base: ok(template.replace("{base}", base), content_type)


def _truncated_feed() -> Responder:
    def respond(handler: Any, base: str) -> Reply:
        whole = rss(base, [(story(i)[0], f"{base}/news/good-{i + 1}.html", _rfc822(now())) for i in range(4)])
        return ok(whole[: len(whole) * 2 // 3], "application/rss+xml")
    return respond


def _trap(prefix: str, label: str) -> Responder:
    """A listing whose 'next' link never ends: page N links to page N+1 (a calendar or an endless pagination)."""
    def respond(handler: Any, base: str) -> Reply:
        n = int(handler.path.rsplit("/", 1)[-1] or 1) if handler.path.rsplit("/", 1)[-1].isdigit() else 1
        links = "".join(f'<li><a href="/news/good-{k}.html">{html.escape(story(k - 1)[0])}</a></li>'
                        for k in range(1, 4))
        return ok(f"<html lang='ar'><head><title>{label} {n}</title></head><body><h1>{label}</h1><ul>{links}</ul>"
                  f'<a rel="next" class="next" href="{prefix}{n + 1}">التالي</a></body></html>')
    return respond


def _loop_listing(handler: Any, base: str) -> Reply:
    # Page 2 says its next page is page 1: a pagination cycle back to the start URL.
    links = "".join(f'<li><a href="/news/good-{k}.html">{html.escape(story(k - 1)[0])}</a></li>' for k in (4, 5, 6))
    nxt = "/loop/page/1" if handler.path.endswith("/2") else "/loop/page/2"
    return ok(f"<html lang='ar'><head><title>قسم</title></head><body><ul>{links}</ul>"
              f'<a rel="next" href="{nxt}">التالي</a></body></html>')


def _flood(handler: Any, base: str) -> Reply:
    date = _rfc822(now())
    return ok(rss(base, [(f"خبر عاجل رقم {i}", f"{base}/flood/{i}.html", date) for i in range(3000)]),
              "application/rss+xml")


def _robots(text: str | bytes, code: int = 200) -> Responder:
    data = text.encode() if isinstance(text, str) else text
    return lambda handler, base: Reply(code, data, {"Content-Type": "text/plain"})


# -- the table ----------------------------------------------------------------------------------------------------


def cases() -> list[Case]:
    """Every hostile case with its expected outcome. Story numbers 20.. are the bad cases' own text."""
    private = "http://10.11.12.13/news/1.html"
    return [
        # markup
        Case("malformed", "main", "/case/malformed.html", _malformed(20), "stored", title=story(20)[0],
             note="unclosed and mismatched tags"),
        Case("empty", "main", "/case/empty.html", lambda h, b: ok(b""), "reject", "not_article", note="empty body"),
        Case("binary", "main", "/case/binary.html", _binary(), "reject", "not_article",
             note="PDF bytes served as text/html"),
        # charsets
        Case("wrong-charset", "main", "/case/wrong-charset.html",
             _encoded(21, "cp1256", declared="utf-8", meta=None), "stored", title=story(21)[0],
             note="windows-1256 bytes under a utf-8 header"),
        Case("no-charset", "main", "/case/no-charset.html", _encoded(22, "cp1256", declared=None, meta=None),
             "stored", title=story(22)[0], note="windows-1256, no charset anywhere"),
        Case("bom", "main", "/case/bom.html",
             _encoded(23, "utf-8", declared="iso-8859-1", meta="iso-8859-1", bom=b"\xef\xbb\xbf"),
             "stored", title=story(23)[0], note="UTF-8 BOM under a latin-1 header and meta"),
        Case("utf16", "main", "/case/utf16.html", _encoded(24, "utf-16", declared=None, meta=None), "stored",
             title=story(24)[0], note="UTF-16 with its BOM"),
        Case("mixed", "main", "/case/mixed.html", _mixed(25), "stored", title=story(25)[0],
             note="UTF-8 story, windows-1256 sidebar"),
        # size and compression
        Case("huge", "main", "/case/huge.html", _huge_page(), "reject", "too_large", note="a 20 MB page"),
        Case("gzip-bomb", "main", "/case/gzip-bomb.html", _gzip_bomb(), "reject", "too_large",
             note="64 MiB inflated from 64 KiB"),
        Case("truncated-gzip", "main", "/case/truncated-gzip.html", _truncated_gzip(26), "stored",
             title=story(26)[0], note="gzip stream cut at 70%: stored up to its last whole character"),
        # time
        Case("never-ends", "main", "/case/never-ends.html", _never_ends, "reject", "timeout",
             note="headers, then silence (source politeness download_timeout = 2 s)"),
        Case("slow-drip", "main", "/case/slow-drip.html", _drip(27), "stored", title=story(27)[0],
             note="the page in 20 slices over ~1 s"),
        # redirects
        Case("redirect-loop", "main", "/case/loop.html",
             lambda h, b: Reply(302, b"", {"Location": b + ("/case/loop.html?x=b" if "x=a" in h.path or "?" not in
                                                            h.path else "/case/loop.html?x=a")}),
             "reject", "redirect_loop", note="a -> b -> a"),
        Case("redirect-chain", "main", "/case/chain.html",
             lambda h, b: Reply(302, b"", {"Location": f"{b}/case/chain.html?hop={_hop(h.path) + 1}"}),
             "reject", "too_many_redirects", note="an endless chain of new URLs"),
        Case("redirect-offsite", "main", "/case/offsite.html", redirect(lambda b: "http://example.com/news/1.html"),
             "reject", "offsite_redirect", note="to another domain"),
        Case("redirect-private", "main", "/case/private.html", redirect(lambda b: private), "reject",
             "private_address", note="to 10.11.12.13"),
        Case("redirect-metadata", "main", "/case/metadata.html",
             redirect(lambda b: "http://169.254.169.254/latest/meta-data/", 301), "reject", "private_address",
             note="to the link-local cloud metadata address"),
        Case("redirect-ok", "main", "/case/moved.html", redirect(lambda b: b + "/case/moved-here.html", 301),
             "stored", title=story(28)[0], note="an ordinary move on the same site"),
        Case("moved-here", "main", "/case/moved-here.html", page(28), "stored", title=story(28)[0], linked=False),
        # HTTP errors
        Case("404", "main", "/case/404.html", status(404), "reject", "http_404"),
        Case("410", "main", "/case/410.html", status(410), "reject", "http_410"),
        Case("500", "main", "/case/500.html", status(500), "reject", "http_500", note="retried, then rejected"),
        Case("503", "main", "/case/503.html", status(503, **{"Retry-After": "1"}), "reject", "http_503",
             note="with Retry-After: 1"),
        Case("429", "main", "/case/429.html", status(429, **{"Retry-After": "1"}), "reject", "http_429"),
        # walls
        Case("challenge", "main", "/case/challenge.html", _challenge, "reject", "blocked",
             note="a JavaScript challenge page"),
        Case("cookie-wall", "main", "/case/cookie-wall.html", _cookie_wall, "reject", "blocked",
             note="a consent wall"),
        # JSON-LD
        Case("jsonld-invalid", "main", "/case/jsonld-invalid.html",
             _jsonld(29, '{"@type": "NewsArticle", "headline": "broken, '), "stored", title=story(29)[0],
             note="JSON-LD that does not parse"),
        Case("jsonld-dates-2099", "main", "/case/dates-2099.html", _lying_dates(0), "stored", title=story(0)[0],
             note="datePublished and dateModified in 2099: stored without either"),
        Case("date-1970", "main", "/case/date-1970.html", _epoch(1), "stored", title=story(1)[0],
             note="dated 1 January 1970 (an epoch zero): stored, never in the future"),
        # content that must stay text
        Case("injection", "main", "/case/injection.html", _injection(2), "stored", title=INJECTION_TITLE,
             note="SQL, HTML and script in title and body: stored as text"),
        Case("controls", "main", "/case/controls.html", _controls(3), "stored", title=CONTROL_TITLE,
             note="control characters: stored without them"),
        # URL variants of good articles
        Case("tracking-variant", "main", "/news/good-5.html?utm_source=feed&utm_medium=rss&fbclid=abc",
             page(4), "fetched_once", note="tracking parameters: the same article, fetched once"),
        Case("case-variant", "main", "/news/good-6.html#comments", page(5), "fetched_once",
             note="a fragment and an upper-case host: the same article"),
        # feeds
        Case("feed-not-xml", "main", "/feeds/not-xml.xml",
             lambda h, b: ok("<html><body><p>ليست خلاصة</p></body></html>"), "reject", "parse_error",
             linked=False, note="an HTML page where a feed should be"),
        Case("feed-truncated", "main", "/feeds/truncated.xml", _truncated_feed(), "page", linked=False,
             note="cut mid-item: the whole items before the cut are read"),
        Case("feed-xxe", "main", "/feeds/xxe.xml", _text(XXE_FEED), "reject", "parse_error", linked=False,
             note="an external entity naming /etc/passwd: never resolved (the feed is refused whole)"),
        Case("feed-laughs", "main", "/feeds/laughs.xml", _text(LAUGHS_FEED), "page", linked=False,
             note="billion laughs: never expanded"),
        Case("feed-2099", "main", "/feeds/future.xml",
             _feed_of([(story(7)[0], "/news/good-8.html")], datetime(2099, 1, 1, tzinfo=UTC)), "page", linked=False,
             note="items dated 2099: their articles keep their own dates"),
        Case("feed-1970", "main", "/feeds/epoch.xml",
             _feed_of([(story(8)[0], "/news/good-9.html")], datetime(1970, 1, 1, tzinfo=UTC)), "page", linked=False,
             note="items dated 1970"),
        Case("feed-flood", "flood", "/feed.xml", _flood, "bounded", limit=500, linked=False,
             note="3,000 items: the source stops at NEWSCRAWLER_MAX_PAGES_PER_SOURCE; the main site is unaffected"),
        # sitemaps
        Case("sitemap-self", "main", "/sitemaps/self.xml", _sitemap_index(["/sitemaps/self.xml", "/sitemaps/a.xml"]),
             "cycle", "discovery_cycle", linked=False, note="an index that lists itself"),
        Case("sitemap-a", "main", "/sitemaps/a.xml", _sitemap_index(["/sitemaps/b.xml"]), "cycle",
             "discovery_cycle", linked=False, note="a lists b"),
        Case("sitemap-b", "main", "/sitemaps/b.xml", _sitemap_index(["/sitemaps/a.xml", "/sitemaps/urls.xml"]),
             "fetched_once", linked=False, note="b lists a again: a cycle"),
        Case("sitemap-urls", "main", "/sitemaps/urls.xml",
             _urlset([f"/news/good-{k}.html" for k in range(10, GOOD_ARTICLES + 1)]), "fetched_once", linked=False),
        # listing traps
        Case("calendar-trap", "main", "/calendar/day/1", _trap("/calendar/day/", "أرشيف اليوم"), "bounded",
             limit=2, linked=False, note="day after day forever: listing_pages (2) pages"),
        Case("pagination-loop", "main", "/loop/page/1", _loop_listing, "fetched_once", linked=False,
             note="page 2's next page is page 1 again: each page fetched once"),
        # robots.txt on sites of their own: their article is still crawled
        Case("robots-500", "robots500", "/robots.txt", _robots("oops", 500), "site_crawled", linked=False,
             note="robots.txt answers 500"),
        Case("robots-huge", "robotshuge", "/robots.txt",
             _robots("User-agent: *\nDisallow: /nothing-here/\n" + "# padding\n" * 300_000),
             "site_crawled", linked=False, note="a 3 MB robots.txt"),
        Case("robots-malformed", "robotsbad", "/robots.txt",
             _robots(b"\x00\xff<html>User-agent *\nDisallow /\n\x89PNG\r\n\x1a\n"), "site_crawled", linked=False,
             note="binary and HTML in robots.txt, no valid rule"),
        # a source that never answers: its requests time out, and the other sources keep their pace
        Case("silent-source", "silent", "/feed.xml", lambda h, b: None, "reject", "timeout", linked=False,
             note="accepts connections, never answers (download_timeout 2 s, robots.txt included)"),
    ]


def _hop(path: str) -> int:
    _, _, value = path.partition("hop=")
    return int(value) if value.isdigit() else 0
