"""Helpers shared by the extraction steps: text normalisation, parsing, JSON-LD, meta tags, CSS selectors."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import lxml.html
from lxml import etree

from newscrawler.text import display_clean

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
    "livebloposting", "liveblogposting", "report", "techarticle", "socialmediaposting", "scholarlyarticle",
    "posting", "satiricalarticle", "medicalscholarlyarticle", "discussionforumposting",
}


def _clean(s: str | None) -> str:
    if not s:
        return ""
    try:
        return display_clean(s)
    except Exception:
        return " ".join(s.split())


def _clean_ml(s: str) -> str:
    try:
        return display_clean(s, multiline=True)
    except Exception:
        return "\n\n".join(" ".join(p.split()) for p in s.split("\n\n") if p.strip())


def _key(s: str) -> str:
    return re.sub(r"\W+", " ", s.casefold()).strip()


# What display cleaning changes inside words: tatweel, presentation forms, invisible joiners and soft hyphens.
_DISPLAY_ONLY = re.compile("[\u00ad\u0640\u200b-\u200f\u2060-\u2064\ufb50-\ufdff\ufe70-\ufeff]")


def _clean_key(s: str) -> str:
    """``_key`` of the text as displayed: a heading written with tatweel, presentation forms or a glued prefix
    («بـالرباط», «ﻭﺯﻳﺮ») compares equal to the display-cleaned title it shows."""
    return _key(_clean(s)) if _DISPLAY_ONLY.search(s) else _key(s)


def _tokens(s: str) -> Counter:
    return Counter(re.findall(r"\w+", s.casefold()))


def _safe(fn: Callable[..., Any], *args: Any, default: Any = None) -> Any:
    try:
        return fn(*args)
    except Exception:
        return default


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _parse(text: str) -> etree._Element | None:
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        return None
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        try:
            root = lxml.html.fromstring(text.encode("utf-8", "replace"), parser=_PARSER_BYTES)
        except Exception:
            return None
    return root


_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, recover=True)

_PARSER_BYTES = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, recover=True, encoding="utf-8")


def _text(el: etree._Element) -> str:
    try:
        return " ".join(el.text_content().split())
    except Exception:
        return ""


# Tags whose text belongs to the paragraph around them (the body's paragraphs, the standfirst's block). Ruby
# annotations (furigana over Japanese names) sit inside a sentence: treating them as blocks would cut the paragraph
# in front of every annotated word.
_INLINE = frozenset({
    "a", "span", "strong", "b", "em", "i", "u", "font", "small", "big", "sup", "sub", "mark", "abbr", "cite", "q",
    "code", "time", "ins", "del", "s", "bdi", "bdo", "var", "kbd", "tt", "nobr", "wbr", "ruby", "rb", "rt", "rp",
    "rtc", "dfn", "data", "samp", "strike", "acronym",
})


def _loads_lenient(raw: str) -> Any:
    raw = raw.strip()
    raw = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", raw)
    raw = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)\s*$", "", raw).strip()
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    # Trailing commas and raw newlines are the usual CMS mistakes.
    fixed = re.sub(r",\s*([}\]])", r"\1", raw)
    try:
        return json.loads(fixed, strict=False)
    except ValueError:
        pass
    # Several objects written back to back.
    try:
        return json.loads("[" + re.sub(r"}\s*{", "},{", fixed) + "]", strict=False)
    except ValueError:
        return None


def _walk_ld(obj: Any, out: list[dict], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(obj, list):
        for o in obj:
            _walk_ld(o, out, depth + 1)
    elif isinstance(obj, dict):
        out.append(obj)
        if "@graph" in obj:
            _walk_ld(obj["@graph"], out, depth + 1)
        main = obj.get("mainEntity")
        if isinstance(main, (dict, list)):
            _walk_ld(main, out, depth + 1)


def _ld_types(obj: dict) -> set[str]:
    return {str(t).rsplit("/", 1)[-1].lower() for t in _as_list(obj.get("@type"))}


def _jsonld(root: etree._Element) -> tuple[dict | None, list[dict]]:
    objs: list[dict] = []
    for s in root.iter("script"):
        if (s.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _loads_lenient(s.text or "")
        if data is not None:
            _walk_ld(data, objs)
    best = None
    best_score = -1
    for o in objs:
        types = _ld_types(o)
        if types & ARTICLE_TYPES:
            score = 2 + bool(o.get("articleBody")) + bool(o.get("datePublished")) + bool(o.get("headline"))
            if score > best_score:
                best, best_score = o, score
    return best, objs


def _ld_name(v: Any) -> list[str]:
    names: list[str] = []
    for a in _as_list(v):
        if isinstance(a, str):
            names.append(a)
        elif isinstance(a, dict):
            n = a.get("name")
            if isinstance(n, list):
                n = " ".join(str(x) for x in n)
            if n:
                names.append(str(n))
            elif a.get("givenName") or a.get("familyName"):
                names.append(f"{a.get('givenName', '')} {a.get('familyName', '')}")
    return names


def _ld_str(v: Any) -> str | None:
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, dict):
        v = v.get("url") or v.get("@id") or v.get("contentUrl") or v.get("name")
    return v if isinstance(v, str) and v.strip() else None


def _meta(root: etree._Element) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for m in root.iter("meta"):
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            k = m.get(attr)
            if k:
                meta.setdefault(k.strip().lower(), []).append(content.strip())
    return meta


def _m(meta: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        for v in meta.get(k, ()):
            if v:
                return v
    return None


def _css(root: etree._Element, sel: str) -> list[etree._Element]:
    try:
        return root.cssselect(sel)
    except Exception:
        try:
            return root.xpath(sel)
        except Exception:
            return []


def _sel_list(v: Any) -> list[str]:
    if not v:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)):
        return [x for x in v if isinstance(x, str) and x]
    return []


def _sel_first_text(root: etree._Element, sels: Any) -> tuple[str | None, etree._Element | None]:
    for sel in _sel_list(sels):
        for el in _css(root, sel):
            t = el.get("datetime") or el.get("content") if el.tag in ("time", "meta") else None
            t = t or _text(el)
            if t:
                return t, el
    return None, None


def _attr_str(el: etree._Element) -> str:
    """The class and id words that the pruning rules read (called for every element of a page)."""
    i = el.get("id")
    if i and _is_slug_id(i):
        i = None
    return f"{el.get('class') or ''} {i or ''}"


def _is_slug_id(i: str) -> bool:
    """An id made from a sentence (a slideshow slide's anchor, ``she-also-wore-a-white-shirtdress-in-2021``)
    names the content, not a widget: its words ("also", "related") say nothing about the element."""
    return i.count("-") >= 6 and sum(w.isalpha() for w in i.split("-")) >= 7


@dataclass
class Page:
    """One parsed page, what was read from its head, and the article fields the extraction steps fill in.

    Each step (``read_title``, ``read_dates``, ``read_body``...) reads the tree and the metadata and writes its
    fields to ``out`` and the rule that produced them to ``method``."""

    root: etree._Element
    text: str
    url: str
    host: str
    selectors: dict
    tz: str
    now: datetime
    source_name: str | None
    ld: dict
    ld_objs: list[dict]
    meta: dict[str, list[str]]
    out: dict
    method: dict[str, str] = field(default_factory=dict)
    site_names: list[str] = field(default_factory=list)
    raw_visible: str = ""
    raw_text_len: int = 0
    links: tuple[int, int] = (0, 0)
    para_len: int = 0  # paragraph text the DOM scoring found (the page-type rules read it)

    @cached_property
    def headings(self) -> list[tuple[etree._Element, str]]:
        """The page's h1, h2 and h3 elements with their text, in page order. Read once, from the tree as parsed
        (before the body step prunes it): the title, the body's headline filter and the byline's headline search
        all compare them with the title."""
        return [(h, _text(h)) for h in self.root.iter("h1", "h2", "h3")]

    @cached_property
    def h1_texts(self) -> list[str]:
        return [t for h, t in self.headings if h.tag == "h1"]
