"""Article extraction: one HTML page in, one article dict out (see docs/extraction.md).

The page is decoded once (``newscrawler.encoding``), parsed once with lxml, and every step reads that one tree.
Per field the trust order is: JSON-LD -> OpenGraph / meta -> the source's CSS selectors -> generic DOM rules,
with trafilatura only as the last resort for the body. Every step is wrapped so that a broken part of a page
costs that field only; ``extract_article`` never raises.
"""

from __future__ import annotations

import html as html_lib
import itertools
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from newscrawler.dates import parse_date, pick_published
from newscrawler.encoding import decode_html
from newscrawler.extract.body import (
    _BOILER_LINE,
    _covers,
    _dom_body,
    _drop,
    _hydration_body,
    _is_lead_prose,
    _paragraphs,
    _standfirst,
    _trafilatura_body,
)
from newscrawler.extract.byline import (
    _PUBLISHED_META,
    _SOURCE_LINK_TEXT,
    _byline_authors,
    _clean_authors,
    _english_locale,
    _headline_el,
    _microdata_published,
    _source_name_near,
    _time_published,
    _visible_date_candidates,
)
from newscrawler.extract.common import (
    _clean,
    _clean_ml,
    _css,
    _iso,
    _jsonld,
    _key,
    _ld_name,
    _ld_str,
    _m,
    _meta,
    _parse,
    _safe,
    _sel_first_text,
    _sel_list,
    _text,
)
from newscrawler.extract.page_type import _blocked, _link_stats, _looks_listing, _page_signals, _page_type
from newscrawler.extract.title import _is_kicker_of, _is_label_h1, _strip_site
from newscrawler.urls import canonical_url, same_site

__all__ = ["extract_article", "extract_listing"]


def _empty(url: str, encoding: str) -> dict:
    curl = _safe(canonical_url, url, default=url) or url
    return {
        "is_article": False, "page_type": "empty", "reason": "empty: unparsable page",
        "title": "", "body": "", "summary": "",
        "published_at": None, "modified_at": None, "published_raw": None, "published_rule": None,
        "authors": [], "tags": [], "section": None, "image_url": None, "language": None,
        "canonical_url": curl, "source_url": None, "source_name": None, "method": {}, "encoding": encoding,
    }


def extract_article(
    html: bytes | str,
    url: str,
    *,
    selectors: dict | None = None,
    tz: str = "Africa/Casablanca",
    now: datetime | None = None,
    source_name: str | None = None,
) -> dict:
    """Extract one article page; see docs/architecture.md for the keys. Never raises."""
    try:
        return _extract(html, url, selectors or {}, tz, now, source_name)
    except Exception as exc:  # last line of defence: a bug in one step must not stop a crawl
        out = _empty(url, "unknown")
        out["reason"] = f"empty: extraction error {type(exc).__name__}"
        return out


def _extract(
    html: bytes | str, url: str, selectors: dict, tz: str, now: datetime | None, source_name: str | None
) -> dict:
    if isinstance(html, bytes):
        text, encoding = decode_html(html)
    else:
        text, encoding = html or "", "unicode"
    root = _parse(text) if text else None
    if root is None:
        return _empty(url, encoding)
    try:
        zone = ZoneInfo(tz)
    except Exception:
        zone = ZoneInfo("Africa/Casablanca")
        tz = "Africa/Casablanca"
    if now is None:
        now = datetime.now(zone)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=zone)

    out = _empty(url, encoding)
    out.update(is_article=True, page_type="article", reason=None)
    method: dict[str, str] = {}
    host = ""
    try:
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        pass

    ld, ld_objs = _safe(_jsonld, root, default=(None, []))
    meta = _safe(_meta, root, default={}) or {}
    ld = ld or {}

    # ---- canonical url
    def canonical() -> None:
        for rule, cand in (
            ("link", next((lk.get("href") for lk in root.iter("link")
                           if "canonical" in (lk.get("rel") or "").lower().split() and lk.get("href")), None)),
            ("meta", _m(meta, "og:url")),
        ):
            if cand:
                c = canonical_url(cand, url)
                if c.startswith("http") and same_site(c, url):
                    out["canonical_url"] = c
                    method["canonical_url"] = rule
                    return
        out["canonical_url"] = canonical_url(url)
        method["canonical_url"] = "url"

    _safe(canonical)
    site_names = [n for n in (
        _m(meta, "og:site_name", "application-name", "twitter:site"),
        *(_ld_name(ld.get("publisher")) if ld else []),
        source_name,
    ) if n]
    site_names = [n.lstrip("@") for n in site_names]

    # ---- title
    def title() -> None:
        st, _ = _sel_first_text(root, selectors.get("title"))
        if st and _clean(st):
            out["title"], method["title"] = _clean(st), "selector"
            return
        h = ld.get("headline") or ld.get("name")
        tt = root.find(".//title")
        raw = {"jsonld": h if isinstance(h, str) else "", "meta": _m(meta, "og:title", "twitter:title") or "",
               "title_tag": _text(tt) if tt is not None else ""}
        # Metadata titles in trust order, site names stripped; the first non-empty one is compared with the h1.
        cleaned = {rule: _clean(_strip_site(_clean(v), site_names, host)) if v.strip() else "" for rule, v in raw.items()}
        meta_rule, meta_t = next(((r, t) for r, t in cleaned.items() if t), ("", ""))
        names_k = {_key(n) for n in site_names}
        h1c = [t for t in (_text(e) for e in root.iter("h1")) if 6 <= len(t) <= 300 and _key(t) not in names_k]
        # The visible headline and the metadata title often differ by a kicker or a site suffix: when one
        # contains the other, keep the shorter, cleaner one; otherwise trust a single h1 over SEO metadata.
        pick = None
        mk = _key(meta_t)
        for h in h1c:
            hk = _key(h)
            if hk and hk == mk:
                out["title"], method["title"] = meta_t, meta_rule  # both agree: record the metadata rule
                return
            if hk and mk and hk in mk:
                if _is_kicker_of(meta_t, h):
                    # "Kicker: headline" or "headline: subtitle" in the metadata is the full headline; the
                    # h1 drops the kicker only because the page shows it in a separate element.
                    out["title"], method["title"] = meta_t, meta_rule
                    return
                # The JSON-LD may set the kicker off with a dash where og:title writes the same words with a
                # colon: the colon form says it is a kicker, not a section label.
                alt = cleaned.get("meta", "")
                if alt and alt != meta_t and _key(alt) == mk and _is_kicker_of(alt, h):
                    out["title"], method["title"] = alt, "meta"
                    return
                pick = h
                break
        if pick is None and mk and any(mk in _key(h) for h in h1c):
            out["title"], method["title"] = meta_t, meta_rule
            return
        if pick is None and h1c and mk and _is_label_h1(h1c[0], meta_t):
            out["title"], method["title"] = meta_t, meta_rule
            return
        # The JSON-LD headline is the article's declared headline (schema.org); an h1 that differs (a longer web
        # headline, a regional variant) is display copy. Measured on fundus: +18 titles, -9 where the publisher's
        # parser takes the h1 (docs/benchmarks.md). og:title alone is a social-share title and loses to an h1.
        if pick is None and mk and meta_rule == "jsonld":
            out["title"], method["title"] = meta_t, meta_rule
            return
        if pick is None and len(h1c) == 1:
            pick = h1c[0]
        if pick:
            out["title"], method["title"] = _clean(pick), "h1"
            return
        if meta_t:
            if meta_rule == "title_tag" and " | " in meta_t:
                head = meta_t.rsplit(" | ", 1)[0]
                if len(head) >= 15:
                    meta_t = head
            out["title"], method["title"] = meta_t, meta_rule

    _safe(title)

    # ---- summary, image, language, section, tags
    def misc() -> None:
        d = ld.get("description") if isinstance(ld.get("description"), str) else None
        summ = _m(meta, "og:description", "description", "twitter:description") or d
        if summ:
            out["summary"] = _clean(summ)
            method["summary"] = "meta" if summ != d else "jsonld"
        img = _m(meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src") or _ld_str(ld.get("image"))
        if img:
            out["image_url"] = canonical_url(img, url)
            method["image_url"] = "meta"
        lang = root.get("lang") or root.get("xml:lang") or _m(meta, "content-language", "og:locale", "language")
        if not lang and isinstance(ld.get("inLanguage"), str):
            lang = ld["inLanguage"]
        if lang:
            out["language"] = lang.replace("_", "-").split("-")[0].lower().strip() or None
        sec = ld.get("articleSection")
        sec = sec[0] if isinstance(sec, list) and sec else sec
        sec = sec if isinstance(sec, str) else None
        sec = sec or _m(meta, "article:section")
        rule = "jsonld" if ld.get("articleSection") else "meta"
        st, _ = _sel_first_text(root, selectors.get("section"))
        if st and not sec:
            sec, rule = st, "selector"
        if sec:
            out["section"] = _clean(sec)
            method["section"] = rule
        tags: list[str] = []
        kw = ld.get("keywords")
        if isinstance(kw, str):
            tags += kw.split(",")
        elif isinstance(kw, list):
            tags += [str(k) for k in kw]
        tags += meta.get("article:tag", [])
        if not tags:
            for k in ("news_keywords", "keywords"):
                if meta.get(k):
                    tags += meta[k][0].split(",")
                    break
        seen: set[str] = set()
        for t in tags:
            t = _clean(t)
            if t and t.lower() not in seen:
                seen.add(t.lower())
                out["tags"].append(t)

    _safe(misc)

    # ---- authors
    def authors() -> None:
        ld_author = ld.get("author") or next((o.get("author") for o in ld_objs if o.get("author")), None)
        vals = [v for k in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                            "dcterms.creator", "byl", "citation_author") for v in meta.get(k, [])]
        for i in range(1, 4):  # Slack-style labels: twitter:label1 "Written by", twitter:data1 the name
            label = _m(meta, f"twitter:label{i}") or ""
            if re.search(r"written|author|by\b|بقلم|كاتب", label, re.I):
                vals += meta.get(f"twitter:data{i}", [])
        # A handle (no space) in twitter:creator is not a name; a real name there is.
        vals += [v for v in meta.get("twitter:creator", []) if " " in v.strip()]
        def selector_names() -> list[str]:
            for sel in _sel_list(selectors.get("author")):
                found = [_text(e) for e in _css(root, sel)]
                if found:
                    return found
            return []

        # Each source is computed only when the ones before it gave nothing (the DOM walk costs time).
        sources: list[tuple[str, Callable[[], list[str]], bool]] = [
            ("jsonld", lambda: _ld_name(ld_author), True),
            ("meta", lambda: list(dict.fromkeys(vals)), True),
            ("selector", selector_names, False),
            ("dom", lambda: _byline_authors(root, out["title"]), False),
        ]
        for rule, get_names, explicit in sources:
            # An organisation named as the author in metadata is the byline the publisher chose ("AFP",
            # "BBC News"); a site name found by the DOM rules is a logo or a footer, not a byline.
            cleaned = _clean_authors(get_names(), [] if explicit else site_names)
            if cleaned:
                out["authors"] = cleaned[:10]
                method["authors"] = rule
                return

    _safe(authors)

    # ---- dates
    def dates() -> None:
        cands: list[tuple[str, str]] = []
        for k in ("datePublished", "dateCreated"):
            v = ld.get(k)
            if isinstance(v, str) and v.strip():
                cands.append(("jsonld", v))
                break
        if not cands:
            for k in ("datePublished", "dateCreated", "uploadDate"):
                v = next((o.get(k) for o in ld_objs if isinstance(o.get(k), str) and o.get(k).strip()), None)
                if v:
                    cands.append(("jsonld", v))
                    break
        # Every meta value in key order, not only the first: one malformed or future value must not hide
        # the next key.
        for k in _PUBLISHED_META:
            cands += [("meta", v) for v in meta.get(k, ()) if v][:2]
        cands += [("meta", v) for v in _microdata_published(root)]
        headline = _headline_el(root, out["title"])
        near_times, far_times = _time_published(root, headline)
        cands += [("time", v) for v in near_times]
        st, _ = _sel_first_text(root, selectors.get("date"))
        if st:
            cands.append(("selector", st))
        # Lazily: the visible-text search only runs when every machine-readable candidate failed.
        texts = _visible_date_candidates(root, headline, far_times)
        res = pick_published(itertools.chain(cands, texts, [("url", url)]), tz=tz, now=now,
                             locale=_english_locale(root, meta))
        if res is not None and getattr(res, "value", None) is not None:
            out["published_at"] = _iso(res.value)
            out["published_raw"] = res.raw
            out["published_rule"] = res.rule
            method["published_at"] = res.rule
        mod = ld.get("dateModified") or _m(meta, "article:modified_time", "og:updated_time", "datemodified")
        if isinstance(mod, str) and mod:
            v = parse_date(mod, tz=tz, now=now)
            if v is not None:
                out["modified_at"] = _iso(v)

    _safe(dates)

    # ---- aggregator source link
    def source() -> None:
        link = None
        rule = None
        for sel in _sel_list(selectors.get("source_link")):
            for e in _css(root, sel):
                href = e.get("href") or (e.find(".//a").get("href") if e.find(".//a") is not None else None)
                if href:
                    link, rule = href, "selector"
                    break
            if link:
                break
        anchor = None
        if not link:
            for a in root.iter("a"):
                href = a.get("href")
                if href and _SOURCE_LINK_TEXT.search(_text(a) or a.get("title") or ""):
                    absu = canonical_url(href, url)
                    if absu.startswith("http") and not same_site(absu, url):
                        link, rule, anchor = href, "link_text", a
                        break
        if link:
            out["source_url"] = canonical_url(link, url)
            method["source_url"] = rule or "link_text"
            name, nrule = None, None
            st, _ = _sel_first_text(root, selectors.get("source_name"))
            if st:
                name, nrule = st, "selector"
            if not name:
                name = _source_name_near(root, anchor)
                nrule = "text" if name else None
            if not name:
                from urllib.parse import urlsplit

                name, nrule = (urlsplit(out["source_url"]).hostname or "").removeprefix("www.") or None, "host"
            if name:
                out["source_name"] = _clean(name)
                method["source_name"] = nrule or "text"
        else:
            out["source_url"] = out["canonical_url"]
            method["source_url"] = "canonical"
            name = source_name or (site_names[0] if site_names else None)
            if name:
                out["source_name"] = _clean(name)
                method["source_name"] = "argument" if source_name else "meta"

    _safe(source)

    raw_visible = ""
    body_el = root.find("body")
    raw_text_len = 0
    if body_el is not None:
        raw_visible = " ".join(t for t in body_el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]"))
        raw_text_len = len(" ".join(raw_visible.split()))
    links = _safe(_link_stats, root, default=(0, 0)) or (0, 0)
    signals = _safe(_page_signals, root, text, raw_visible)
    state = {"para_len": 0}

    # ---- body (mutates the tree, so it comes after every other step that reads it)
    def selector_body(remove: list[str]) -> bool:
        for sel in _sel_list(selectors.get("body")):
            els = _css(root, sel)
            if els:
                for r in remove:
                    for e in els:
                        for x in _css(e, r):
                            _drop(x)
                paras: list[str] = []
                for e in els:
                    etree.strip_elements(e, "script", "style", "noscript", with_tail=False)
                    paras += [t for t, ls, *_ in _paragraphs(e) if ls <= 0.5 and not _BOILER_LINE.search(t)]
                b = _clean_ml("\n\n".join(paras))
                if b:
                    out["body"] = b
                    method["body"] = "selector"
                    return True
        return False

    def body() -> None:
        remove = _sel_list(selectors.get("remove"))
        if _safe(selector_body, remove, default=False):
            return
        ld_body = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else ""
        descs = [*meta.get("og:description", []), *meta.get("description", []), *meta.get("twitter:description", [])]
        if isinstance(ld.get("description"), str):
            descs.append(ld["description"])
        lead = _safe(_standfirst, root, list(dict.fromkeys(descs)), default="") or ""
        dom = _dom_body(root, out["title"], remove, re.sub(r"<[^>]+>", " ", ld_body))
        state["para_len"] = len(dom)
        if ld_body and len(ld_body) > 1.5 * len(dom) and len(ld_body) > 200 and not _covers(dom, ld_body):
            ld_body = html_lib.unescape(re.sub(r"<[^>]+>", " ", ld_body))
            out["body"] = _clean_ml("\n\n".join(p for p in re.split(r"\n\s*", ld_body) if p.strip()))
            method["body"] = "jsonld"
            return
        if len(dom) >= 250 or _looks_listing(meta, ld, url, len(dom), links) or (
            len(dom) < 500 and _blocked(raw_text_len, out["title"], raw_visible)
        ):
            # Good enough, or not an article at all: the generic fallback would only cost time.
            if dom:
                # The whole lead, not its opening: a summary may start with the story's first sentence.
                if lead and _is_lead_prose(lead) and _key(lead) not in _key(dom):
                    dom = lead + "\n\n" + dom
                out["body"] = _clean_ml(dom)
                method["body"] = "dom"
            return
        hb = _safe(_hydration_body, text, out["title"], default="") or ""
        if len(hb) >= 250:
            out["body"] = _clean_ml(hb)
            method["body"] = "hydration"
            state["para_len"] = len(hb)
            return
        tb = _safe(_trafilatura_body, text, url, default="") or ""
        if len(tb) > len(dom):
            out["body"] = _clean_ml(tb)
            method["body"] = "trafilatura"
        elif dom:
            out["body"] = _clean_ml(dom)
            method["body"] = "dom"

    _safe(body)
    if out["body"] and not out["language"]:
        arabic = len(re.findall("[\u0600-\u06ff]", out["body"]))
        if arabic > 0.5 * len(re.findall(r"\w", out["body"])):
            out["language"] = "ar"

    ptype, reason = _safe(
        _page_type, root, raw_text_len, out["title"], out["body"], meta, ld or None, ld_objs, url, raw_visible,
        state["para_len"] if method.get("body") != "selector" else len(out["body"]), links,
        signals, out["published_rule"] not in (None, "url"), bool(out["authors"]), default=("article", None),
    )
    out["page_type"], out["reason"] = ptype, reason
    out["is_article"] = ptype == "article"
    out["method"] = method
    return out



from newscrawler.listing import extract_listing  # noqa: E402
