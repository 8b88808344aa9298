"""Article extraction: one HTML page in, one article dict out (see docs/extraction.md).

The page is decoded once (``newscrawler.encoding``), parsed once with lxml, and every step reads that one tree.
Per field the trust order is: JSON-LD -> OpenGraph / meta -> the source's CSS selectors -> generic DOM rules,
with trafilatura only as the last resort for the body. Every step is wrapped so that a broken part of a page
costs that field only; ``extract_article`` never raises.
"""

from __future__ import annotations

import html as html_lib
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from newscrawler.dates import parse_date, pick_published
from newscrawler.encoding import decode_html
from newscrawler.text import display_clean
from newscrawler.urls import canonical_url, same_site

__all__ = ["extract_article"]

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
    "livebloposting", "liveblogposting", "report", "techarticle", "socialmediaposting", "scholarlyarticle",
    "posting", "satiricalarticle", "medicalscholarlyarticle", "discussionforumposting",
}

# Containers that never hold article text.
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "svg", "button", "select", "textarea", "input", "figcaption",
    "template", "video", "audio", "object", "embed", "canvas", "map",
)
# Structural containers that normally hold interface only, but that some templates wrap around the whole page
# (ASP.NET puts everything in one <form>, some themes the page in a <nav>): dropped unless they hold the story.
_SOFT_DROP_TAGS = ("nav", "footer", "aside", "form", "dialog", "label", "menu")
# Names CMSs give the story container; it and its ancestors are never pruned.
_BODY_HINT = re.compile(
    r"(?:entry|post|article|story|news|blog|single)[\s_\-]*(?:content|body|text|entry)|articlebody|"
    r"rich-?text|body-?copy|name-(?:field-)?body",
    re.I,
)
_HIDDEN_OR_ASIDE = re.compile(
    r"(?:^|[\s_\-])(?:hide|hidden|d-none|modal|popup|cookies?|consent|gdpr|dialog|related|comments?|newsletter)"
    r"(?:$|[\s_\-])",
    re.I,
)
_LABEL_HIDDEN = re.compile(r"label-(?:visually[_\-])?hidden", re.I)
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
    "pre", "table", "tr", "td", "th", "dl", "dt", "dd", "figure", "header", "hr", "br", "center", "address",
    "details", "summary", "tbody", "thead", "body", "html",
})
_BAD_ATTR = re.compile(
    r"(?:^|[\s_\-])(?:share|sharing|sharer|social|socials|related|relateds|comments?|newsletter|subscribe|subscription|"
    r"promo|ads?|advert\w*|adsense|banner|sidebar|widget|breadcrumbs?|tags?|tagcloud|menu|navbar|nav|footer|"
    r"cookies?|consent|popup|modal|outbrain|taboola|recommend\w*|mostread|most-read|trending|popular|"
    r"author-?bio|bio|byline|meta|print|rating|pagination|pager|toolbar|jump|skip|hidden|hide|sr-only|"
    r"read-?more|also|more-?news|latest|prev|previous|next|prev-?next|caption|credit|pictsrc|(?:image|img|photo|picture)-?(?:source|src)|copyright|disclaimer|signup|paywall|teaser-list|"
    r"video-?player|gallery|slider|carousel|login|sponsored|partner|newsletter\w*|donate|donations?)(?=$|[\s_\-])",
    re.I,
)
_GOOD_ATTR = re.compile(
    r"article|body|content|entry|story|post|text|main|news-?details?|detail|field-item|prose|رئيسي", re.I
)
# Lines of interface text, not article text (Arabic and the usual European phrasings).
_BOILER_LINE = re.compile(
    r"^\W*(?:اقرأ|إقرأ|اقرا|إقرا)\s+(?:أيضا|أيضاً|ايضا|المزيد)|انقر\s+هنا\s+لقراءة|لقراءة\s+الخبر\s+من\s+مصدره|"
    r"شكرا\s+على\s+(?:الإبلاغ|التبليغ|تبليغك)|سيتم\s+إخفاء\s+هذه\s+الصورة|"
    r"^\W*(?:شارك|مشاركة|تابعونا|تابعنا|[اإ]شترك|التعليقات|تعليقات|الوسوم|كلمات\s+مفتاحية|المصدر\s*:)|"
    r"^\W*(?:حم[ّ]?ل|نزّ?ل)\s+(?:الآن\s+)?تطبيق|"
    r"^\W*(?:read\s+(?:also|more)|see\s+also|related\s*:|share\s+(?:this|on)|sign\s+up|subscribe|"
    r"advertisement|lire\s+aussi|à\s+lire\s+aussi|voir\s+aussi|lesen\s+sie\s+auch|mehr\s+zum\s+thema|"
    r"download\s+(?:the|our)\s+app|(?:got|have|do\s+you\s+have)\s+a\s+story|for\s+more\s+stories\s+like\s+this|"
    r"follow\s+\S+(?:\s+\S+)?\s+on\s+(?:twitter|facebook|instagram|x)|stay\s+up\s+to\s+date\s+with|"
    r"hat\s+ihnen\s+dieser\s+artikel\s+gefallen)\b|ich\s+bin\s+damit\s+einverstanden,\s+dass\s+mir\s+(?:der\s+)?externe|"
    r"^\W*\d+\s*(?:تعليق|تعليقات|comments?|kommentare?|commentaires?|comentarios?|reacties|kommentarer)\W*$|"
    r"^\W*newsletter\s*:",
    re.I,
)
# Short lines that carry no story text: a dateline ("Stand: 17.06.2025 18:24 Uhr", "آخر تحديث: 2025/10/07"),
# a reading time ("3 min read", "5 دقائق"), a photo credit closing a caption ("... Photo: Jane Doe").
_META_LINE = re.compile(
    r"^\W*(?:[^\W\d]+\s*){0,3}[:：]?\s*\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}(?:\s*[,|–\-]?\s*\d{1,2}[:.h]\d{2}"
    r"(?:\s*(?:uhr|h|am|pm))?)?\W*$|"
    r"^\W*\d+\s*(?:min\.?|mins?|minutes?|minuten|دقائق|دقيقة|د)(?:\s+[^\W\d]+){0,2}\W*$|"
    r"\b(?:bild|foto|photo|image|credit|crédit|quelle|صورة|الصورة|تصوير)\s*[:：]\s*[^.!?؟]{2,60}$|"
    # A Japanese caption closes with its photographer: "...＝13日、東京で（山田太郎撮影）".
    r"[（(][^（）()]{0,20}撮影[）)]\W*$",
    re.I,
)
# Digit lookarounds rather than \b: live-blog entries glue the time to the words around it ("5 hours ago07:32
# Jane Doe", "21:00Jane Doe").
_DATETIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)|(?<!\d)\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}(?!\d)|(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
# Short lines that are never story text: picture rights, paywall notices, "additional reporting" notes. (Embedded
# tweets are left alone: some publishers count them as part of the story, others do not.)
_NOT_STORY = re.compile(
    r"^\W*(?:©|\(c\)\s)|\b(?:bildrechte|rechte|fotos?\s*\[\w+\])\s*:|getty\s+images\W*$|"
    r"^\W*(?:article\s+)?réservée?\s+aux\s+abonnés|^\W*il\s+vous\s+reste\s+\d|^\W*nur\s+für\s+abonnenten|"
    r"^\W*empfohlener\s+redaktioneller\s+inhalt|ich\s+bin\s+damit\s+einverstanden,\s+dass\s+mir|"
    r"an\s+dieser\s+stelle\s+findest\s+du\s+einen\s+externen|daten\s+(?:können\s+)?an\s+drittplattformen|"
    r"^\W*للمشتركين\s+فقط|^\W*(?:additional\s+reporting|with\s+reporting)\b|会員登録|会員の方のみ|会員限定|"
    # Prompts to follow the publisher elsewhere: newsletters, WhatsApp, Google News, a bookmark.
    r"\bsign(?:ing)?\s+up\s+(?:for|to)\b.{0,60}\bnewsletters?\b|\bsubscribe\s+to\s+(?:our|\S+['’]s)\s.{0,30}"
    r"newsletters?\b|\b(?:delivered|straight|right)\s+(?:in|to)\s+your\s+inbox\b|\bnews\s+meet\s+your\s+inbox\b|"
    r"\bjoin\s+us\s+on\s+whatsapp\b|\bwhatsapp[-\s]channel\b|\bauf\s+whatsapp\?|\bon\s+google\s+news\b|"
    r"\bbookmark\s+(?:our\s+homepage|[a-z]+\.(?:com|ca|co\.uk|de)\b)|"
    # Credits under the story: who reported, edited, translated; where the copy came from.
    r"^\W*reporting\s+by\b|\bediting\s+by\b|^\W*(?:this\s+(?:article|story)\s+was\s+)?edited\s+by\b|"
    r"\bcontributed\s+(?:reporting|to\s+this\s+(?:report|story))|^\W*with\s+reports?\s+from\b|"
    r"\bwriters?\s+.{0,80}\bcontributed\b|^\W*(?:redaktion|übersetzung|schlussredaktion)\s*:|"
    r"^\W*mit\s+informationen\s+(?:der|von)\b|^\W*dieser\s+artikel\s+(?:ist\s+)?(?:zuerst|erstmals)\b|"
    r"\bmaschinelle\s+übersetzung\b|^\W*(?:lest|lesen\s+sie)\s+den\s+original|"
    # Subscription, trial and app promos, paywall counters, blog and browser interface.
    r"\bfor\s+only\s+\S+\s+(?:a|per)\s+month\b|\bkostenlos\s+testen\b|^\W*jetzt\s+abonnieren\b|"
    r"\blesen\s+gerade\s+auf\s+die\s+zweitbeste\s+art|^\W*pozostało\s+jeszcze\s+\d|"
    r"^\W*fehler\s+gefunden\s*\?|\bnotifications\s+can\s+be\s+managed\b|"
    r"\bresponses\s+to\s+this\s+entry\b|\bantworten\s+zu\s+diesem\s+eintrag\b|"
    # Video teasers: a blurb closing with its date and running time ("18.04.2024 | 0:21 min"), a "WATCH |" label,
    # and the consent placeholder of an embedded player.
    r"\b\d{1,2}:\d{2}\s*min\.?\W*$|^\W*watch\s*\||\bein\s+klick\s+für\s+den\s+datenschutz\b|"
    # Page furniture that lands inside a story container: skip-link and table-of-contents labels, a bare URL, an
    # app interstitial's "no thanks", a broadcast-slot line, a newsroom credit with initials ("MDR (dst)").
    r"^\W*(?:hauptinhalt|zum\s+inhalt(?:\s+springen)?|skip\s+to\s+(?:the\s+)?(?:main\s+)?content|auf\s+dieser\s+seite|"
    r"on\s+this\s+page|inhaltsverzeichnis|table\s+of\s+contents)\W*$|^\s*https?://\S+\s*$|"
    r"^\W*(?:no,?\s+thanks|nein,?\s+danke|non,?\s+merci)\b|^\W*dieses\s+thema\s+im\s+programm\s*:|"
    r"^\W*copyright\s*[:©]|\bsend(?:en\s+sie)?\s+uns\s+ihr\s+feedback\b|\bsend\s+us\s+your\s+feedback\b|"
    r"^\W*übersetzung\s+und\s+\w+\s*:|"
    r"^\W*(?-i:[A-ZÄÖÜ][A-Za-zÄÖÜ]{1,7}\s*\([a-zäöü]{2,4}\))\W*$",
    re.I,
)


_DATE_LABEL_LINE = re.compile(
    r"^\W*(?:uppdaterad|publicerad|oppdatert|publisert|opdateret|udgivet|aktualisiert|veröffentlicht|updated|"
    r"published|publié|mis\s+à\s+jour)\s*:?\s*(?:\d{1,2}[.:]\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b",
    re.I,
)


def _is_meta_line(text: str) -> bool:
    """Datelines, reading times, credits: short lines around the story that are not part of it."""
    if len(text) < 300 and (_META_LINE.search(text) or _NOT_STORY.search(text)):
        return True
    # "Friday 22 November 2024 08:49 GMT", "20:24 Jane Doe", "Do 25.04.24 | 14:07 Uhr | Von ...": a date or a
    # time and a handful of words.
    if len(text) < 90 and bool(_DATETIME.search(text)) and len(re.findall(r"[^\W\d_]{2,}", text)) <= 6:
        return True
    # "Uppdaterad 15.59 | Publicerad 14.14": a publication label and a time written with a dot.
    return len(text) < 60 and bool(_DATE_LABEL_LINE.match(text))


# A short heading that opens the page's "more stories" block: what follows it is not the story.
_SECTION_END = re.compile(
    r"^\W*(?:more\s+(?:from|on|in|stories|news|articles|[^\W\d]+\s*$)|related\s+(?:articles?|stories|posts|news|"
    r"content|coverage|reading)|read\s+next|recommended(?:\s+for\s+you)?\W*$|you\s+(?:may|might)\s+also\s+"
    r"(?:like|enjoy)|most\s+(?:read|popular|viewed)|latest\s+(?:news|stories)|top\s+stories|"
    r"(?:مقالات|أخبار|اخبار|مواضيع|مواد)\s+(?:ذات\s+صلة|متعلقة|مشابهة)|ذات\s+صلة|الأكثر\s+(?:قراءة|مشاهدة)|"
    r"اقرأ\s+المزيد|قد\s+يهمك|المزيد\s+من|آخر\s+الأخبار|sur\s+le\s+même\s+sujet|les\s+plus\s+lus|"
    r"weitere\s+(?:artikel|nachrichten|themen)|das\s+könnte\s+sie\s+auch\s+interessieren)",
    re.I,
)
_SOURCE_LINK_TEXT = re.compile(
    r"لقراءة\s+(?:الخبر|المقال|الموضوع)\s+من\s+(?:مصدره|المصدر)|من\s+مصدره|المصدر\s+الأصلي|"
    r"read\s+(?:the\s+)?(?:full\s+)?(?:story|article|more)\s+(?:at|on)|original\s+source|lire\s+la\s+suite\s+sur",
    re.I,
)
_SOURCE_NAME_LABEL = re.compile(r"^\s*(?:المصدر|مصدر\s+الخبر|source)\s*[:：\-]\s*(.{2,60}?)\s*$", re.I)

_CHALLENGE = re.compile(
    r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)|"
    r"enable javascript and cookies to continue|please (?:turn on|enable) javascript|"
    r"javascript (?:is )?(?:required|disabled)|ddos protection by|attention required! \| cloudflare|"
    r"verify(?:ing)? you are (?:a )?human|cf-browser-verification|challenge-platform|_cf_chl_opt|"
    r"يرجى\s+(?:تفعيل|تمكين)\s+(?:جافا\s*سكريبت|javascript)|الرجاء\s+(?:تفعيل|تمكين)\s+(?:جافا\s*سكريبت|javascript)|"
    r"جار[ٍي]?\s+التحقق\s+من\s+(?:متصفحك|المتصفح)|تحقق\s+من\s+أنك\s+إنسان",
    re.I,
)
_CONSENT = re.compile(
    r"cookie|consent|gdpr|privacy settings|accept all|tout accepter|accepter et continuer|"
    r"ملفات\s+تعريف\s+الارتباط|الكوكيز|ملفات\s+الكوكيز|موافق(?:ة)?\s+على|قبول\s+الكل",
    re.I,
)
_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|»|«|·|•|:)\s+")
_LISTING_URL = re.compile(r"/(?:tag|tags|category|categories|categorie|section|search|topics?|archive|author|page)(?:\.php|\.html?|\.aspx?)?(?:/|$|\?)|[?&](?:s|q|search)=", re.I)


# --------------------------------------------------------------------------------------------- small helpers


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


# --------------------------------------------------------------------------------------------- parsing


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


# --------------------------------------------------------------------------------------------- JSON-LD


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


# --------------------------------------------------------------------------------------------- meta


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


# --------------------------------------------------------------------------------------------- selectors


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


# --------------------------------------------------------------------------------------------- title


def _strip_site(title: str, site_names: Iterable[str], host: str) -> str:
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    names = {_key(n) for n in site_names if n}
    host_key = host.split(":")[0].removeprefix("www.")
    host_label = host_key.split(".")[0] if host_key else ""

    def is_site(p: str) -> bool:
        k = _key(p)
        if not k:
            return True
        if k in names or any(k and (k in n or n in k) for n in names if len(n) >= 3):
            return True
        kk = k.replace(" ", "")
        return bool(host_label) and (kk == host_label or kk == host_key.replace(".", "") or host_key in p.lower())

    changed = True
    while changed and len(parts) > 1:
        changed = False
        if is_site(parts[-1]):
            parts.pop()
            changed = True
        elif is_site(parts[0]):
            parts.pop(0)
            changed = True
    # Re-join with the original separators: find the span covered by the kept parts.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else title




_LABEL_END = re.compile(r"(?:\||-|–|—|::|»|«|·|•|/|,)$")
_LABEL_START = re.compile(r"^(?:\||-|–|—|::|»|«|·|•|/|,)")


def _is_kicker_of(meta_title: str, h1: str) -> bool:
    """True when ``meta_title`` is the h1 with more headline words around it: ``Kicker: <h1>``,
    ``<h1>: subtitle``, ``The <h1> for your Business``. False when the extra words are set off by a label
    separator (``<h1> | Section``, ``Blog - <h1>``): those are site, section or blog labels."""
    i = meta_title.casefold().find(h1.casefold())
    if i < 0:
        return False
    prefix, suffix = meta_title[:i].strip(), meta_title[i + len(h1):].strip()
    if prefix and (_LABEL_END.search(prefix) or not re.search(r"\w", prefix)):
        return False
    if suffix and (_LABEL_START.match(suffix) or not re.search(r"\w", suffix)):
        return False
    return bool(prefix or suffix)


def _is_label_h1(h1: str, meta_title: str) -> bool:
    """An h1 of at most three words sharing no word with a longer metadata title is a blog, section or widget
    label ("Our Blog", "0 Comments"), not the headline."""
    hw = set(_key(h1).split())
    mw = set(_key(meta_title).split())
    return 0 < len(hw) <= 3 and len(mw) >= 4 and not hw & mw


# --------------------------------------------------------------------------------------------- body (DOM scoring)


def _attr_str(el: etree._Element) -> str:
    i = el.get("id") or ""
    return f"{el.get('class') or ''} {'' if _is_slug_id(i) else i}"


def _is_slug_id(i: str) -> bool:
    """An id made from a sentence (a slideshow slide's anchor, ``she-also-wore-a-white-shirtdress-in-2021``)
    names the content, not a widget: its words ("also", "related") say nothing about the element."""
    return i.count("-") >= 6 and sum(w.isalpha() for w in i.split("-")) >= 7


def _prune(root: etree._Element, remove: list[str]) -> None:
    for sel in remove:
        for el in _css(root, sel):
            _drop(el)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    body = root.find("body")
    total = len(body.text_content()) if body is not None else 0
    keep = _story_ancestors(root)
    h1s = [h for h in root.iter("h1") if len(h.text_content().strip()) > 10]
    if len(h1s) == 1:
        # A wrapper around the page's only headline is layout ("content-main-sidebar"), not a sidebar.
        keep.update(h1s[0].iterancestors())
    for el in list(root.iter(*_SOFT_DROP_TAGS)):
        if el not in keep and len(el.text_content()) <= 0.5 * total:
            _drop(el)
    total = len(body.text_content()) if body is not None else 0
    doomed = []
    groups: dict[tuple[etree._Element, str], int] = {}
    for el in root.iter(etree.Element):
        tag = el.tag
        if tag in ("html", "body", "main", "article", "p") or not isinstance(tag, str) or el in keep:
            continue
        # Controls drawn with a div ("expand box", "show more"): their labels are interface text.
        if el.get("role") in ("button", "menubar", "toolbar", "tablist") and len(el.text_content()) < 200:
            doomed.append(el)
            box = el.getparent()
            if el.get("role") == "button" and _is_disclosure_box(box, el) and box not in keep:
                doomed.append(box)
            continue
        # Drupal's "field--label-hidden" hides the field's label, not the field.
        a = _LABEL_HIDDEN.sub("", _attr_str(el))
        if len(a) < 3:
            if el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
                doomed.append(el)
            elif el.get("role") in ("navigation", "complementary", "banner", "contentinfo", "dialog", "alert"):
                doomed.append(el)
            continue
        if _BAD_ATTR.search(a):
            # A link inside a sentence ("auto-tag_..." on a name the CMS links to its topic page) is story text.
            if tag in _INLINE and any(x.tag == "p" for x in el.iterancestors()):
                continue
            if _GOOD_ATTR.search(a) and _class_group_len(el, groups) > 0.3 * total:
                continue
            if tag in ("h2", "h3", "h4") and _opens_prose(el):
                continue
            if len(el.text_content()) > 0.5 * total:
                continue
            doomed.append(el)
        elif el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
            doomed.append(el)
    for el in _rescue_story(body if body is not None else root, doomed):
        _drop(el)
    _drop_more_teasers(body if body is not None else root)
    _drop_teaser_boxes(body if body is not None else root, keep)


# The link that closes a teaser: "mehr", "Read more »", "lire la suite".
_MORE_LINK = re.compile(
    r"^\W*(?:more|read\s+more|continue\s+reading|mehr|weiterlesen|lire\s+la\s+suite|leer\s+más|lees\s+meer|"
    r"المزيد|اقرأ\s+المزيد)\W*$",
    re.I,
)


def _drop_more_teasers(body: etree._Element) -> None:
    """Drop the short paragraphs that end in a "more" link: teasers of other stories, not the story."""
    for a in list(body.iter("a")):
        if (a.tail or "").strip() or a.getnext() is not None or not _MORE_LINK.match(a.text_content()):
            continue
        block = a.getparent()
        while block is not None and block.tag in _INLINE:
            if (block.tail or "").strip() or block.getnext() is not None:
                block = None
                break
            block = block.getparent()
        if block is None or block.tag not in ("p", "div", "li") or block.getparent() is None:
            continue
        if len(block.text_content()) - len(a.text_content()) < 40 or len(block.text_content()) > 400:
            continue
        _drop(block)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _is_disclosure_box(box: etree._Element | None, head: etree._Element) -> bool:
    """A box opened by clicking its header (a "person" or "background" box beside the text): the header is a
    control and the box its panel, an aside to the story."""
    # A heading drawn as a button opens an FAQ answer: the question and its answer are text.
    if box is None or box.tag not in ("div", "section") or head is not box[0] or head.tag in _HEADINGS:
        return False
    kids = [c for c in box if isinstance(c.tag, str)]
    return len(kids) == 2 and kids[1].tag in ("div", "section") and len(box.text_content()) < 3000


def _opens_prose(head: etree._Element) -> bool:
    """A heading followed (past a picture or two) by a prose paragraph is a subheading of the text, whatever
    its class says ("widget-title" in a CMS that builds stories from widgets)."""
    for sib in list(head.itersiblings())[:3]:
        if sib.tag == "p":
            t = sib.text_content()
            return len(t.strip()) >= 80 and sum(len(a.text_content()) for a in sib.iter("a")) < 0.3 * len(t)
        if sib.tag in ("h1", "h2", "h3", "h4", "ul", "ol"):
            return False
    return False


def _class_group_len(el: etree._Element, memo: dict[tuple[etree._Element, str], int]) -> int:
    """Text length of the element and its siblings of the same class: a story split into many blocks
    ("article-widget-text" between ads and pictures) is judged as a whole."""
    cls = el.get("class")
    parent = el.getparent()
    if not cls or parent is None:
        return len(el.text_content())
    key = (parent, cls)
    if key not in memo:
        memo[key] = sum(len(s.text_content()) for s in parent if s.get("class") == cls)
    return memo[key]


def _rescue_story(body: etree._Element, doomed: list[etree._Element]) -> list[etree._Element]:
    """Spare the blocks doomed only by a name that the page gives to more prose than the pruning leaves.

    Page builders name every text block "widget" (``elementor-widget-text-editor``), some CMSs name the story's
    block "jump-link" or "meta": a name that covers most of the page's prose is layout, not interface.
    Comments, consent dialogs and hidden copies (long prose too) are never spared.
    """
    prose = _prose_lengths(body)
    marked = set(doomed)
    by_word: dict[str, int] = {}
    blocks: dict[str, int] = {}
    words_of: dict[etree._Element, set[str]] = {}
    for el in doomed:
        a = _LABEL_HIDDEN.sub("", _attr_str(el))
        words = {m.group().strip(" _-\t\n").lower() for m in _BAD_ATTR.finditer(a)}
        if not words or _HIDDEN_OR_ASIDE.search(a):
            continue
        words_of[el] = words
        if not any(x in marked for x in el.iterancestors()):
            for w in words:
                by_word[w] = by_word.get(w, 0) + prose.get(el, 0)
                blocks[w] = blocks.get(w, 0) + 1
    tops = [el for el in doomed if not any(x in marked for x in el.iterancestors())]
    left = prose.get(body, 0) - sum(prose.get(el, 0) for el in tops)
    # Story blocks hold paragraphs; a name shared by many one-line blurbs (forum or teaser lists) is not one.
    layout = {w for w, n in by_word.items() if n >= 1000 and n >= 2 * max(left, 0) and n >= 200 * blocks[w]}
    return [el for el in doomed if not (el in words_of and (words_of[el] <= layout or (
        prose.get(el, 0) >= 2000 and _link_density(el) < 0.2)))]


def _prose_lengths(body: etree._Element) -> dict[etree._Element, int]:
    """Non-link text of the page's <p> elements, summed on each of their ancestors (the body included)."""
    acc: dict[etree._Element, int] = {}
    for p in body.iter("p"):
        n = len(p.text_content().strip()) - sum(len(a.text_content()) for a in p.iter("a"))
        if n < 25:
            continue
        for a in p.iterancestors():
            acc[a] = acc.get(a, 0) + n
            if a is body:
                break
    return acc


_HEADING_LIKE = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "header", "b", "a"})


def _drop_teaser_boxes(body: etree._Element, keep: set[etree._Element]) -> None:
    """Drop the box that a "Related coverage" / "أخبار ذات صلة" / "More from ..." heading opens: the heading's
    parent (its grandparent when the parent only wraps the heading), unless that box holds the story."""
    total = len(body.text_content()) or 1
    boxes = []
    heads = []
    # Only short text nodes can open such a box: test those, then take the widest heading-like element that
    # holds nothing else (text_content on every element of the page would cost more than the rest of the step).
    for node in body.xpath(".//text()"):
        if not node.is_text or len(node) > 200:
            continue
        st = node.strip()
        if not st or len(st) > 60 or not _SECTION_END.search(st):
            continue
        el, cand = None, node.getparent()
        while cand is not None and cand.tag in _HEADING_LIKE and len(cand) <= 2:
            if len(cand.text_content().strip()) > len(st) + 10:
                break
            el, cand = cand, cand.getparent()
        if el is not None and not any(el is h for h in heads):
            heads.append(el)
    for el in heads:
        t = el.text_content()
        if not _SECTION_END.search(" ".join(t.split())):
            continue
        head = el
        box = el.getparent()
        if box is not None and len(box.text_content()) < len(t) + 10:
            head, box = box, box.getparent()
        if box is None:
            continue
        # Teaser boxes link to the stories they announce; a box without links is the page's own text.
        if box not in keep and box.tag not in ("body", "html", "main", "article"):
            if len(box.text_content()) < 0.4 * total and _link_density(box) >= 0.15:
                boxes.append(box)
                continue
        # The heading sits in the story container itself: the teasers are the siblings after it.
        after = list(head.itersiblings())
        after_len = sum(len(x.text_content()) for x in after)
        before_len = sum(len(x.text_content()) for x in head.itersiblings(preceding=True))
        after_links = sum(len(a.text_content()) for x in after for a in x.iter("a"))
        if after and before_len >= 500 and after_links >= 0.15 * max(after_len, 1):
            boxes += [head, *after]
    for box in boxes:
        if box.getparent() is not None:
            _drop(box)


def _story_ancestors(root: etree._Element) -> set[etree._Element]:
    """The largest visible element named like a story container (``entry-content``, ``itemprop=articleBody``...),
    the blocks with the same class (stories split between ads), and all their ancestors: a "widget", "sidebar" or
    <nav> wrapper around them must not take the story along."""
    cands: list[tuple[int, etree._Element]] = []
    for el in root.iter("div", "section", "article", "td"):
        a = _attr_str(el)
        if el.get("itemprop") != "articleBody" and (len(a) < 5 or not _BODY_HINT.search(a)):
            continue
        n = len(el.text_content())
        if n < 100 or _link_density(el) > 0.3:
            continue
        # Hidden copies, modals and "related" cards reuse the same class names.
        if any(_HIDDEN_OR_ASIDE.search(_attr_str(a)) or a.get("hidden") is not None
               or "display:none" in (a.get("style") or "").replace(" ", "") for a in (el, *el.iterancestors())):
            continue
        cands.append((n, el))
    if not cands:
        return set()
    n, best = max(cands, key=lambda c: c[0])
    if n < 400:
        return set()
    keep: set[etree._Element] = set()
    cls = best.get("class")
    for _, el in cands:
        if el is best or (cls and el.get("class") == cls):
            keep.add(el)
            keep.update(el.iterancestors())
    return keep


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


_COMMA = re.compile(r"[,،؛;]")


def _score_candidates(root: etree._Element) -> etree._Element | None:
    scores: dict[etree._Element, float] = {}
    for el in root.iter("p", "pre", "td", "div", "section", "blockquote", "li"):
        if el.tag in ("div", "section", "td", "li"):
            # Only the element's own inline text: <br>-separated bodies live directly in a div.
            own = (el.text or "") + "".join(
                (c.tail or "") + (c.text_content() if c.tag in _INLINE else "")
                for c in el if isinstance(c.tag, str)
            )
            length = len(own.strip())
            if length < 60:
                continue
            text = own
        else:
            text = el.text_content()
            length = len(text.strip())
            if length < 25:
                continue
        links = sum(len(a.text_content()) for a in el.iter("a"))
        if links > 0.5 * max(length, 1):
            continue
        s = 1 + len(_COMMA.findall(text)) + min(length / 100, 3)
        parent = el.getparent()
        if el.tag in ("div", "section", "td", "li"):
            scores[el] = scores.get(el, 0) + s
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + s
            gp = parent.getparent()
            if gp is not None:
                scores[gp] = scores.get(gp, 0) + s / 2
    if not scores:
        return None
    best, best_s = None, 0.0
    for el, s in scores.items():
        a = _attr_str(el)
        if _GOOD_ATTR.search(a):
            s *= 1.25
        if _BAD_ATTR.search(a):
            s *= 0.6
        if el.tag in ("article", "main"):
            s *= 1.2
        text_len = len(el.text_content()) or 1
        link_len = sum(len(a.text_content() or "") for a in el.iter("a"))
        s *= 1 - min(link_len / text_len, 0.9)
        if s > best_s:
            best, best_s = el, s
    return best


# Ruby annotations (furigana over Japanese names) sit inside a sentence: treating them as blocks would cut the
# paragraph in front of every annotated word.
_INLINE = frozenset({
    "a", "span", "strong", "b", "em", "i", "u", "font", "small", "big", "sup", "sub", "mark", "abbr", "cite", "q",
    "code", "time", "ins", "del", "s", "bdi", "bdo", "var", "kbd", "tt", "nobr", "wbr", "ruby", "rb", "rt", "rp",
    "rtc", "dfn", "data", "samp", "strike", "acronym",
})


def _paragraphs(container: etree._Element) -> list[tuple[str, float, str, str, str]]:
    """Flatten a container into paragraphs: (text, link share, tag of the enclosing block, the text before its
    first link, the text after its last link). A <p> wholly in bold or italics
    (``<p><strong>Mail the invitations</strong>``) is a subheading the CMS did not mark up as one: its tag is
    ``emph``."""
    out: list[tuple[str, float, str, str, str]] = []
    buf: list[str] = []
    link_chars = [0]
    plain_chars = [0]  # characters outside <strong>, <b>, <em>, <i>
    # Offsets in the paragraph's raw text where its first link starts and its last link ends.
    pos, first, last = [0], [-1], [-1]
    block_tag = ["p"]

    def flush() -> None:
        raw = "".join(buf)
        t = " ".join(raw.split())
        if t:
            lead = " ".join(raw[:first[0]].split()) if first[0] >= 0 else ""
            tail = " ".join(raw[last[0]:].split()) if last[0] >= 0 else ""
            tag = block_tag[0]
            if tag == "p" and not plain_chars[0]:
                tag = "emph"
            out.append((t, link_chars[0] / max(len(t), 1), tag, lead, tail))
        buf.clear()
        link_chars[0] = pos[0] = plain_chars[0] = 0
        first[0] = last[0] = -1

    def add(s: str, link: bool, emph: bool) -> None:
        buf.append(s)
        if not emph:
            plain_chars[0] += len(s.strip())
        if link and s.strip():
            link_chars[0] += len(s.strip())
            if first[0] < 0:
                first[0] = pos[0]
            last[0] = pos[0] + len(s)
        pos[0] += len(s)

    def walk(el: etree._Element, in_link: bool, in_emph: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        is_block = tag in _BLOCK_TAGS or (tag not in _INLINE and tag != "")
        outer = block_tag[0]
        if is_block:
            flush()
            # A <p> inside a table cell is still a cell (short lines are kept there).
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt") or (
                tag == "p" and outer not in ("td", "dd")
            ):
                block_tag[0] = tag
        link = in_link or tag == "a"
        emph = (in_emph and not is_block) or tag in ("strong", "b", "em", "i")
        if el.text and tag:
            add(el.text, link, emph)
        for c in el:
            if isinstance(c.tag, str):
                walk(c, link, emph)
            if c.tail:
                add(c.tail, link, emph)
        if is_block:
            flush()
            block_tag[0] = outer

    walk(container, False, False)
    flush()
    return out


def _content_lengths(body: etree._Element) -> dict[etree._Element, int]:
    """Length of the paragraph-like text under every element (counted once per paragraph, links excluded).

    A paragraph whose enclosing block is mostly link text is a teaser card ("more stories"), not story text,
    and does not count.
    """
    acc: dict[etree._Element, int] = {}
    dens: dict[etree._Element, float] = {}
    for el in body.iter("p", "pre", "blockquote", "h2", "h3", "li", "div", "td", "section"):
        if el.tag in ("div", "td", "section", "li"):
            own = (el.text or "") + "".join(
                (c.tail or "") + (c.text_content() if c.tag in _INLINE and c.tag != "a" else "")
                for c in el if isinstance(c.tag, str)
            )
            n = len(own.strip())
            if n < 60:
                continue
        else:
            if any(a.tag in ("p", "pre", "blockquote") for a in el.iterancestors()):
                continue
            t = el.text_content()
            n = len(t.strip())
            links = sum(len(a.text_content()) for a in el.iter("a"))
            if n < 25 or links > 0.5 * n:
                continue
            n -= links
        parent = el.getparent()
        if parent is not None:
            d = dens.get(parent)
            if d is None:
                d = dens[parent] = _link_density(parent)
            if d > 0.25:
                continue
        for a in el.iterancestors():
            acc[a] = acc.get(a, 0) + n
    return acc


def _same_class_run(best: etree._Element, cont: dict[etree._Element, int]) -> list[etree._Element]:
    """The story's block and the siblings before it of the same tag and class that hold paragraph text, in page
    order: page builders cut one story into a row of identical blocks ("sqs-block html-block"), the intro in
    one, the rest in another, too small a share of the whole for the climb above. Looks up to three levels above
    the chosen block; empty when there is no such run."""
    anc = best
    for _ in range(4):
        parent = anc.getparent()
        cls = anc.get("class")
        if parent is None or anc.tag in ("body", "html"):
            break
        if cls:
            # Only the blocks before it: after a story come promos and teasers in the same boxes.
            run = [s for s in anc.itersiblings(preceding=True) if (
                s.tag == anc.tag and s.get("class") == cls and cont.get(s, 0) >= 100 and _link_density(s) < 0.3)]
            if run:
                return [*reversed(run), anc]
        anc = parent
    return []


def _summary_list(el: etree._Element) -> bool:
    """A list of two or more full sentences (a "key points" summary above the story), alone in its block."""
    lst = el
    if el.tag not in ("ul", "ol"):
        kids = [c for c in el if isinstance(c.tag, str)]
        if len(kids) != 1 or kids[0].tag not in ("ul", "ol") or (el.text or "").strip():
            return False
        lst = kids[0]
    items = [" ".join(li.text_content().split()) for li in lst if isinstance(li.tag, str)]
    return len(items) >= 2 and all(li.tag == "li" for li in lst if isinstance(li.tag, str)) and all(
        len(t) >= 30 and re.search(r"[.!?。！？؟]$", t) for t in items)


def _link_density(el: etree._Element) -> float:
    total = len(el.text_content()) or 1
    return sum(len(a.text_content()) for a in el.iter("a")) / total


def _dom_body(root: etree._Element, title: str, remove: list[str], ref: str = "") -> str:
    # The headline is not story text, whether it is the title we return or the h1 shown in its place.
    h1 = next((t for t in (_text(e) for e in root.iter("h1")) if len(t) > 5), "")
    title_keys = {k for k in (_key(title) if title else "", _key(h1)) if k}
    _prune(root, remove)
    body = root.find("body")
    if body is None:
        body = root
    best = _score_candidates(body)
    if best is None:
        return ""
    # Stories split over several sibling blocks (one div per paragraph group, live blogs): climb while the
    # parent holds clearly more paragraph text and is not a link farm.
    cont = _content_lengths(body)
    cur = best
    for anc in best.iterancestors():
        if anc.tag in ("html", "body"):
            break
        if cont.get(anc, 0) >= 1.2 * max(cont.get(cur, 0), 1) and _link_density(anc) < 0.3:
            cur = anc
    best = cur
    containers = _same_class_run(best, cont) or [best]
    parent = best.getparent()
    if len(containers) == 1 and parent is not None and best.tag not in ("article", "main", "body"):
        containers = []
        for sib in parent:
            if not isinstance(sib.tag, str):
                continue
            if sib is best:
                containers.append(sib)
                continue
            # A loose paragraph before the story block is its intro; after it come notices (comment rules,
            # donation appeals) that a template prints as plain paragraphs.
            if any(c is best for c in containers):
                continue
            if sib.tag == "p" or _summary_list(sib):
                t = _text(sib)
                links = sum(len(a.text_content()) for a in sib.iter("a"))
                if len(t) > 80 and links < 0.25 * len(t):
                    containers.append(sib)
    paras: list[tuple[str, str]] = []
    seen: set[str] = set()
    for c in containers:
        for text, link_share, tag, lead, tail in _paragraphs(c):
            if link_share > 0.5 and not _cited_link(link_share, lead, tail):
                continue
            if _BOILER_LINE.search(text) or _is_meta_line(text):
                continue
            k = _key(text)
            # Short lines repeat legitimately (table rows, list labels); a repeated sentence is interface text.
            if not k or (k in seen and (len(text) >= 40 or (len(text) >= 20 and text[-1] in ".!?。؟"))):
                continue
            if k in title_keys:
                continue
            # A short line is an interface crumb, unless it is a list entry ("Author, <a>Title</a>").
            if _short_crumb(text) and tag not in ("h2", "h3", "h4", "emph", "li", "blockquote", "td") and not (
                link_share > 0 and lead.endswith(",")
            ):
                continue
            seen.add(k)
            paras.append((text, tag))
    paras = _cut_tail(paras)
    # A lone heading that closes the text heads nothing left: the box it titled ("Latest news") was pruned.
    if len(paras) >= 2 and paras[-1][1] in _HEADINGS and len(paras[-1][0]) < 80 and paras[-2][1] not in _HEADINGS:
        paras.pop()
    return _agree("\n\n".join(t for t, _ in paras), paras, ref)


def _short_crumb(text: str) -> bool:
    """A short line without closing punctuation (Latin, Arabic or CJK): an interface crumb ("Share", "Top
    news")."""
    return len(text) < 25 and not re.search(r"[.!?؟:»\"”。！？」』]$", text)


_CREDIT_WORD = re.compile(r"^(?:by|von|par|di|door|av|بقلم|ل)\s+\w", re.I)


def _cited_link(link_share: float, lead: str, tail: str) -> bool:
    """A line that names something and links it ("Author, <a>Book title</a>", "<a>Title</a> by Author" in a
    reading list): the link goes with the line's own words, unlike a teaser that is only a link or a label and a
    link ("Read also: <a>...</a>", "Can you relate? <a>Join the programme</a>")."""
    if link_share >= 0.9:
        return False
    return (len(lead) >= 8 and bool(re.search(r"[\w,;(\"“']$", lead))) or bool(_CREDIT_WORD.search(tail))


# Headings that open what follows a story on its page: author and reviewer boxes, disclaimers, topic lists.
_TAIL_START = re.compile(
    r"^\W*(?:about\s+the\s+(?:author|reviewer|writer)s?|(?:published|written|posted)\s+by\W*$|"
    r"disclaimers?(?:\s*(?:&|and)\s*disclosures?)?\W*$|related\s+topics|you\s+might\s+also\s+(?:be\s+interested|like)|"
    r"عن\s+الكاتب|نبذة\s+عن\s+الكاتب|über\s+(?:den|die)\s+autor(?:in)?|à\s+propos\s+de\s+l['’]auteur|"
    r"dieses\s+thema\s+im\s+programm|schlagwörter|ähnliche(?:\s+artikel)?\W*$)",
    re.I,
)


def _cut_tail(paras: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cut at such a heading when it comes after most of the text (early on it is more likely a real
    subheading)."""
    total = sum(len(t) for t, _ in paras)
    seen = 0
    for i, (text, _) in enumerate(paras):
        if len(text) < 60 and seen >= 0.6 * total and _TAIL_START.search(text):
            return paras[:i]
        seen += len(text)
    return paras


def _tokens(s: str) -> Counter:
    return Counter(re.findall(r"\w+", s.casefold()))


def _covers(dom: str, ref: str) -> bool:
    """The DOM text already holds nearly every distinct word of ``ref`` (an articleBody that only looks longer
    because the CMS repeated the story in it)."""
    ref_w = set(re.findall(r"\w+", ref.casefold()))
    return bool(ref_w) and len(ref_w & set(re.findall(r"\w+", dom.casefold()))) >= 0.9 * len(ref_w)


def _agree(body: str, paras: list[tuple[str, str]], ref: str) -> str:
    """Keep the DOM paragraphs that JSON-LD ``articleBody`` vouches for, when that articleBody is the whole story.

    The DOM keeps the page's paragraphs and subheadings, the articleBody is free of captions, teasers and
    datelines: when the articleBody is about as long as the DOM text and the DOM holds nearly all of it, a DOM
    paragraph mostly absent from it is interface text. A truncated or different articleBody changes nothing.
    """
    if len(ref) < 200 or not paras:
        return body
    ref_t = _tokens(ref)
    body_t = _tokens(body)
    n_ref, n_body = sum(ref_t.values()), sum(body_t.values())
    if n_ref < 0.6 * n_body or sum((ref_t & body_t).values()) < 0.8 * n_ref:
        return body
    kept = []
    agreed = False
    for text, tag in paras:
        t = _tokens(text)
        n = sum(t.values())
        if tag in ("h2", "h3", "h4") or not n or sum((t & ref_t).values()) >= 0.7 * n:
            kept.append(text)
            agreed = True
        elif not agreed and len(text) >= 100 and re.search(r"[.!?؟…\"”»]$", text):
            # The standfirst: prose above the story that many CMSs leave out of articleBody.
            kept.append(text)
    return "\n\n".join(kept)


# A subtitle ("dek", "subhead") under the headline belongs to the headline, not to the story text.
_DEK_ATTR = re.compile(r"dek|sub-?(?:title|head|line)", re.I)


def _standfirst(root: etree._Element, descs: list[str]) -> str:
    """The standfirst shown above the story: the visible block whose text is the page's description.

    Many templates print the lead (the meta description) in its own block above the story container, where the
    container scoring does not reach it. Found by text, before pruning: lead blocks are often classed "teaser" or
    "intro". Read only text nodes (no text_content() over the page).
    """
    body = root.find("body")
    if body is None:
        return ""
    nodes = [(n, " ".join(n.split())) for n in body.xpath(".//text()") if len(n) >= 40]
    for desc in descs:
        # Metadata is often escaped twice ("CD&amp;amp;V"): the page shows "CD&V".
        d = " ".join(html_lib.unescape(desc).split())
        if len(d) < 60:
            continue
        probe = d[:40]
        for node, nt in nodes:
            # The lead may open with a link ("<a>Samsung</a> lost its appeal..."): then the text node after the
            # link is a piece of the description.
            if probe not in nt and (len(nt) < 40 or nt[:40] not in d):
                continue
            block = node.getparent()
            if node.is_tail and block is not None:
                block = block.getparent()  # the text after an inline element belongs to that element's parent
            while block is not None and block.tag in _INLINE:
                if block.tag == "a":
                    block = None
                    break
                block = block.getparent()
            if block is None or block.tag in ("script", "style", "title", "textarea", "template", "noscript"):
                continue
            if _DEK_ATTR.search(_attr_str(block)):
                return ""
            bt = " ".join(block.text_content().split())
            # A meta copy cut short (with "...", or at a fixed length for a long lead): the block opens with it
            # word for word, up to the word the cut split.
            cut = d.endswith(("...", "…"))
            opening = d.rstrip(".… ").rsplit(" ", 1)[0] if cut else d
            if (cut or len(d) >= 300) and len(bt) <= 2 * len(d) and _key(bt).startswith(_key(opening)):
                return "" if _is_header_deck(block, bt) else bt
            # Otherwise the whole block is the description.
            if len(bt) > 1.2 * len(d) + 20:
                continue
            bt_w, d_w = _tokens(bt), _tokens(d.rstrip(".… "))
            if sum((bt_w & d_w).values()) >= 0.85 * max(sum(bt_w.values()), 1) and \
                    sum((bt_w & d_w).values()) >= 0.85 * sum(d_w.values()):
                return "" if _is_header_deck(block, bt) else bt
    return ""


_HEADER_ATTR = re.compile(r"(?:^|[\s_\-])(?:header|heading)(?:$|[\s_\-])", re.I)


def _is_header_deck(block: etree._Element, text: str) -> bool:
    """One sentence printed in the page header with the headline is a deck (a subtitle); the same sentence in the
    story's column opens the story (measured: scrapinghub-aeb leaves header decks out, fundus keeps one-line
    leads printed above the text)."""
    if len(re.findall(r"[.!?…؟](?:\s|$)|[。！？]", text)) >= 2:
        return False
    for a in itertools.islice(itertools.chain([block], block.iterancestors()), 4):
        if a.tag == "header" or _HEADER_ATTR.search(_attr_str(a)):
            return True
    return False


def _is_lead_prose(lead: str) -> bool:
    """A full sentence: a standfirst the story opens with. A label without closing punctuation is a subtitle, and
    so is a single sentence printed in the page header (``_is_header_deck``)."""
    return len(re.findall(r"[.!?…؟](?:\s|$)|[。！？]", lead)) >= 1


_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_JS_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _hydration_body(html: str, title: str) -> str:
    """The story of a JavaScript app page, read from the data its scripts hydrate the page with.

    Next.js, Nuxt and similar apps ship the article as an HTML string inside an inline script
    (``self.__next_f.push([1, "...<p>...</p>..."])``, ``__NEXT_DATA__``) and render nothing in the markup. The
    string literal (or, one level down, the JSON it holds) with the most paragraph text is parsed and read like
    a page. Used only when the markup itself gave no body."""
    best, best_len = "", 0
    for m in _INLINE_SCRIPT.finditer(html):
        script = m.group(1)
        if script.count("\\u003cp") + script.count("<p") < 3:
            continue
        for frag in _html_strings(script, depth=2):
            n = sum(len(p) for p in re.findall(r"<p[\s>].*?</p>", frag, re.S))
            if n > best_len:
                best, best_len = frag, n
    if best_len < 250:
        return ""
    doc = lxml.html.document_fromstring(f"<html><body><article>{best}</article></body></html>")
    # Text between the HTML elements is the payload's own syntax (`2:["$","div",...]`), not story.
    for holder in doc.iter("article"):
        holder.text = None
        for child in holder:
            child.tail = None
    return _dom_body(doc, title, [])


def _html_strings(script: str, depth: int) -> Iterator[str]:
    """Decoded string literals of a script that hold HTML paragraphs, looking ``depth`` levels of escaping deep."""
    for lit in _JS_STRING.finditer(script):
        raw = lit.group()
        if len(raw) < 400:
            continue
        try:
            decoded = json.loads(raw)
        except ValueError:
            continue
        if decoded.count("<p") >= 3:
            yield decoded
        elif depth > 1 and decoded.count('\\u003cp') + decoded.count("<p") + decoded.count('\\"') >= 3:
            yield from _html_strings(decoded, depth - 1)


def _trafilatura_body(text: str, url: str) -> str:
    import trafilatura

    out = trafilatura.extract(text, url=url, include_comments=False, include_tables=False, favor_precision=False)
    if not out:
        return ""
    lines = [ln.strip() for ln in out.split("\n") if ln.strip() and not _BOILER_LINE.search(ln)]
    return "\n\n".join(lines)


# --------------------------------------------------------------------------------------------- page types


def _blocked(text_len: int, title: str, raw_text: str) -> tuple[str, str] | None:
    """JavaScript challenges and consent walls: little visible text and the telltale phrases."""
    if text_len >= 3000:
        return None
    sample = (title + " " + raw_text[:20000]).lower()
    if _CHALLENGE.search(sample):
        return "blocked", "blocked: javascript challenge"
    if _CONSENT.search(raw_text[:5000]) and text_len < 1500:
        return "blocked", "blocked: consent wall"
    return None


def _link_stats(root: etree._Element) -> tuple[int, int]:
    """Number and total text length of headline-like links (link text longer than 25 characters)."""
    n = total = 0
    for a in root.iter("a"):
        t = a.text_content()
        if len(t) > 25:
            t = " ".join(t.split())
            if len(t) > 25:
                n += 1
                total += len(t)
    return n, total


def _has_article_meta(meta: dict, ld: dict | None) -> bool:
    og_type = (_m(meta, "og:type") or "").lower()
    return bool(ld) or og_type == "article" or bool(_m(meta, "article:published_time", "datepublished"))


def _looks_listing(
    meta: dict, ld: dict | None, url: str, para_len: int, links: tuple[int, int]
) -> bool:
    if _has_article_meta(meta, ld):
        return False
    n, link_text = links
    # Many headline links and little paragraph text: a home, section, tag or search page.
    if n >= 15 and link_text > 1.2 * para_len:
        return True
    # A handful of headline links and next to no paragraph text (a small tag or search page).
    if n >= 5 and para_len < 250 and link_text > 2 * max(para_len, 1):
        return True
    return bool(_LISTING_URL.search(url)) and n >= 10 and para_len < 1500


def _page_type(
    root: etree._Element | None, text_len: int, title: str, body: str, meta: dict, ld: dict | None,
    ld_objs: list[dict], url: str, raw_text: str, para_len: int, links: tuple[int, int],
    sig: dict[str, int] | None = None, dated: bool = True, has_authors: bool = True,
) -> tuple[str, str | None]:
    if root is None or (text_len < 20 and not body):
        return "empty", "empty: no text"
    if len(body) < 500:
        blocked = _blocked(text_len, title, raw_text)
        if blocked:
            return blocked
    og_type = (_m(meta, "og:type") or "").lower()
    types = set().union(*(_ld_types(o) for o in ld_objs)) if ld_objs else set()
    if (og_type.startswith("video") or ("videoobject" in types and not ld)) and len(body) < 400:
        return "video", "not_article: video"
    # A dated story of some length at an article address is an article even under a wall of headline links
    # (a broadcaster's mega-menu outweighs a short report).
    story = dated and len(body) >= 2000 and bool(_ARTICLE_URL.search(url.split("?", 1)[0]))
    if not story and _looks_listing(meta, ld, url, para_len, links):
        return "listing", "not_article: listing"
    if len(body) < 80 and not (_has_article_meta(meta, ld) and body):
        return "empty", "not_article: no article text"
    if sig is not None:
        other = _other_page_type(sig, meta, ld, types, url, dated, has_authors, links)
        if other:
            return other, f"not_article: {other}"
    return "article", None


_FORUM_TYPES = {"discussionforumposting", "qapage", "question"}
_PRODUCT_TYPES = {"product", "offer", "aggregateoffer", "productgroup", "individualproduct"}
_NEWS_TYPES = ARTICLE_TYPES - {"discussionforumposting", "techarticle", "socialmediaposting", "posting"}
# Fixed phrases counted with str.count on the lower-cased page: a regex alternation over 300 kB costs more than
# the rest of page typing together.
_PRICE_MARKERS = (
    "add to cart", "add to bag", "add to basket", "in stock", "out of stock", 'itemprop="price"', "product:price",
    "أضف إلى السلة", "أضف الى السلة", "ajouter au panier", "in den warenkorb",
)
_CTA = (
    "get a quote", "get a free quote", "get your free quote", "free estimate", "request a quote", "request a demo",
    "book a demo", "book a call", "book an appointment", "contact us today", "call now", "call us today",
    "schedule a", "schedule your",
)
_MONEY = re.compile(r"[$£€]\s?\d")
_FORUM_URL = re.compile(r"forum|thread|topic|communit|discussion|/t/|showthread|viewtopic|/board", re.I)
_DOC_URL = re.compile(
    r"/(?:docs?|documentation|reference|api|manual|wiki|kb|knowledge-?base|support|help|tutorials?)(?:/|$|\.)", re.I
)
# Paths under which evergreen articles live even when they carry no date or byline.
_ARTICLE_URL = re.compile(
    r"/(?:blogs?|articles?|news|posts?|stor(?:y|ies)|learn|resources?|insights?|magazine|akhbar|"
    r"\u0623\u062e\u0628\u0627\u0631)/|/20\d\d/|/\d{5,}",
    re.I,
)
_POST_CLASS = re.compile(r"(?:^|[\s_\-])(?:post|message|reply|replies|comment-body|topic)(?:$|[\s_\-])", re.I)


def _page_signals(root: etree._Element, html: str, visible: str) -> dict[str, int]:
    """Cheap counts, read before the body step prunes the tree, that tell shops, forums, docs and service pages
    from articles."""
    sig = {"inputs": 0, "tel": 0, "code": 0, "paras": 0, "posts": 0}
    for el in root.iter("input", "textarea", "select", "a", "pre", "code", "p", "div", "article", "li"):
        tag = el.tag
        if tag == "a":
            if (el.get("href") or "").startswith("tel:"):
                sig["tel"] += 1
        elif tag in ("input", "textarea", "select"):
            if (el.get("type") or "").lower() != "hidden":
                sig["inputs"] += 1
        elif tag in ("pre", "code"):
            sig["code"] += 1
        elif tag == "p":
            if len(el.text_content().strip()) > 80:
                sig["paras"] += 1
        elif _POST_CLASS.search(el.get("class") or "") or (el.get("id") or "").startswith(("post-", "post_")):
            sig["posts"] += 1
    page = html[:300000].lower()
    vis = visible.lower()
    sig["price"] = sum(page.count(m) for m in _PRICE_MARKERS)
    sig["cta"] = sum(vis.count(m) for m in _CTA)
    sig["money"] = len(_MONEY.findall(visible))
    return sig


def _other_page_type(
    sig: dict[str, int], meta: dict, ld: dict | None, types: set[str], url: str, dated: bool, has_authors: bool,
    links: tuple[int, int],
) -> str | None:
    """Shop, forum, documentation and service pages. Rejecting a real article costs more than keeping a
    brochure, so every rule but the explicit metadata ones needs the absence of all article evidence (a
    publication date, a byline, article metadata, an article-like URL) as well as its own positive signals."""
    og_type = (_m(meta, "og:type") or "").lower()
    news = bool(types & _NEWS_TYPES) or og_type == "article"
    if types & _FORUM_TYPES and not news:
        return "forum"
    if (types & _PRODUCT_TYPES or og_type.startswith("product")) and not news and not dated:
        return "product"
    path = url.split("?", 1)[0]
    if _FORUM_URL.search(path) and sig["posts"] >= 5 and og_type != "article":
        return "forum"
    # A site's front page (dated teasers, a footer byline) is a landing page, not a story, unless the site
    # itself says it is one.
    if re.fullmatch(r"[a-z][a-z0-9+.\-]*://[^/?#]+/?", path, re.I) and not _has_article_meta(meta, ld):
        return "listing"
    if dated or has_authors or _has_article_meta(meta, ld) or _ARTICLE_URL.search(path):
        return None
    if sig["price"] or sig["money"] >= 3:
        return "product"
    if sig["code"] >= 3 or _DOC_URL.search(path):
        return "documentation"
    if sig["tel"] or sig["cta"] or sig["inputs"] >= 3:
        return "service"
    if sig["paras"] < 8 and links[0] >= 10:
        return "listing"
    return None


# --------------------------------------------------------------------------------------------- main entry


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


_RELATIVE_DATE = re.compile(r"منذ|قبل|أمس|البارحة|اليوم|\bago\b|\byesterday\b|\bil y a\b|\bhier\b", re.I)
_DATE_HINT = re.compile(r"date|time|publish|posted|تاريخ", re.I)
_DATE_HINT_WEAK = re.compile(r"meta|byline|info", re.I)
# Machine-readable publication dates, in trust order (standard first, then the common CMS and analytics
# names). `date` alone is last: some sites use it for the page's crawl or build date.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "datecreated", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_on", "published_time", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date",
    "dcterms.date", "citation_publication_date", "citation_date", "og:published_time", "article.published",
    "cxenseparse:recs:publishtime", "date",
)
_UPDATED = re.compile(r"updated|modified|latest\s+version|last\s+reviewed|mis\s+à\s+jour|mise\s+à\s+jour|تحديث|تعديل|محدث", re.I)
_PUBLISHED_WORD = re.compile(r"publi|posted|created|نشر", re.I)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\d)\d{1,2}[/.]\d{1,2}[/.]\d{2}(?!\d)")
_DATE_TAGS = frozenset({"span", "div", "p", "time", "small", "li", "h2", "h3", "h4", "h5", "h6", "strong", "b",
                        "em", "i", "dd", "td", "address", "a", "header"})
_DATE_LABEL = re.compile(r"\b(?:date\s+posted|posted\s+on|published(?:\s+on)?|publication\s+date)\b|تاريخ\s+النشر|نشر\s+في", re.I)
_NO_DATE_SCOPE = re.compile(
    r"comment|related|sidebar|footer|recommend|popular|trending|more-?stories|carousel|slider|swiper", re.I
)


def _english_locale(root: etree._Element, meta: dict[str, list[str]]) -> str | None:
    """The page's locale when it is English (``en``, ``en-US``, ``en-GB``...), which decides how ``3/4/2025``
    reads. Other languages give None: their numeric dates are day first, the parser's default."""
    lang = (root.get("lang") or "").strip().replace("_", "-")
    og = (_m(meta, "og:locale") or "").strip().replace("_", "-")
    # `lang="en"` with `og:locale="en_GB"`: the one that names a region, when both are English.
    loc = og if "-" in og and lang.lower() in ("", og.lower().split("-")[0]) else lang
    return loc if loc.lower().split("-")[0] == "en" else None


def _microdata_published(root: etree._Element) -> list[str]:
    """``itemprop="datePublished"`` (or ``dateCreated``) on page elements, and RDFa ``dc:date``/``dc:created``:
    the attribute value when present, else the element's text. ``<meta itemprop>`` is already read as meta."""
    found: list[str] = []
    for el in root.xpath("//*[@itemprop or @property][not(self::meta)]"):
        names = f"{el.get('itemprop') or ''} {el.get('property') or ''}".lower().split()
        if not {"datepublished", "datecreated", "dc:created", "dc:date", "dcterms:created"} & set(names):
            continue
        if any(_NO_DATE_SCOPE.search(_attr_str(a)) for a in el.iterancestors()):
            continue  # a comment's or a teaser's own datePublished
        v = el.get("content") or el.get("datetime") or _text(el)
        if v and len(v) <= 80 and v not in found:
            found.append(v)
        if len(found) >= 2:
            break
    return found


def _time_published(root: etree._Element, headline: etree._Element | None) -> tuple[list[str], list[str]]:
    """``<time datetime>`` values, publication first (a time marked as the update or modification date goes
    last; a ``<time>`` without ``datetime`` gives its text), split into the ones around the headline and the
    rest. A ``<time>`` far from the headline is mostly a teaser card's or a comment's: the visible date next to
    the headline is more trustworthy. Without a headline every ``<time>`` counts as near."""
    near_els = set(_near_h1(root, headline, after=60, before=30)) if headline is not None else None
    scope = _headline_scope(headline)
    first: list[tuple[bool, str]] = []
    last: list[tuple[bool, str]] = []
    for t in root.iter("time"):
        v = (t.get("datetime") or "").strip() or _text(t)
        if not v or len(v) > 80:
            continue
        ancestors = list(t.iterancestors())
        if _in_comment_box(t, headline):
            continue  # a reader's comment, never the article's date
        near = (near_els is None or t in near_els or any(a is scope for a in ancestors)) and not any(
            _NO_DATE_SCOPE.search(_attr_str(a)) for a in ancestors)
        marks = f"{_attr_str(t)} {t.get('itemprop') or ''}"
        parent = t.getparent()
        if parent is not None:
            marks += f" {_attr_str(parent)} {parent.get('itemprop') or ''} {parent.text or ''}"
        if t.get("pubdate") is not None or re.search(r"publish|created", marks, re.I):
            first.insert(0, (near, v))
        elif _UPDATED.search(marks):
            last.append((near, v))
        else:
            first.append((near, v))
        if len(first) + len(last) >= 4:
            break
    ordered = first + last
    return [v for near, v in ordered if near], [v for near, v in ordered if not near]


_COMMENT_BOX = re.compile(r"comment|disqus|(?:^|[\s_-])repl(?:y|ies)(?:$|[\s_-])", re.I)


def _in_comment_box(el: etree._Element, headline: etree._Element | None) -> bool:
    """Inside a readers' comment box: the nearest comment-named ancestor, unless it also holds the headline
    (then it is the article's own wrapper, ``<article class="post has-comments">``)."""
    for a in el.iterancestors():
        if _COMMENT_BOX.search(_attr_str(a)):
            return headline is None or not any(x is a for x in headline.iterancestors())
    return False


def _headline_scope(headline: etree._Element | None) -> etree._Element | None:
    """The headline's grandparent: the article header, where the byline and the date usually sit."""
    scope = headline.getparent() if headline is not None else None
    if scope is not None and scope.getparent() is not None:
        scope = scope.getparent()
    return None if scope is None or scope.tag in ("body", "html") else scope


def _short_date_text(el: etree._Element) -> str | None:
    if el.tag not in _DATE_TAGS or len(el) > 8:
        return None
    n = 0
    for piece in el.itertext():  # cheap bail-out on containers: never build their whole text
        n += len(piece)
        if n > 400:
            return None
    t = _text(el)
    if not 6 <= len(t) <= 90:
        return None
    return t if _YEAR.search(t) or _RELATIVE_DATE.search(t) else None


def _capped_text(el: etree._Element, cap: int) -> str | None:
    """The element's text with a space between child elements (bylines put a label, a name and a role in
    separate spans), or None when it exceeds ``cap`` characters (big containers are never joined)."""
    n = 0
    for piece in el.itertext():
        n += len(piece)
        if n > cap * 3:
            return None
    t = " ".join(" ".join(el.itertext()).split())
    return t if len(t) <= cap else None


def _visible_date_candidates(
    root: etree._Element, headline: etree._Element | None, far_times: list[str]
) -> Iterator[tuple[str, str]]:
    """``(rule, text)`` date candidates from the visible page, best first: date-classed elements around the
    headline, then any short dated text in document order right after it (the byline) or just above it, then
    the ``<time>`` values far from the headline, then date-classed or date-labelled elements anywhere
    (``Date Posted`` under a bare ``17/08/2025``). "Updated ..." texts go after the others: the publication
    date is wanted. A generator: ``pick_published`` stops at the first text that parses, so the page is only
    walked as far as needed."""
    scope = _headline_scope(headline)
    seen: set[str] = set()
    updated: list[str] = []

    def emit(t: str | None) -> Iterator[tuple[str, str]]:
        if not t or t in seen:
            return
        seen.add(t)
        pub = _PUBLISHED_WORD.search(t)
        if pub and _UPDATED.search(t[: pub.start()]):
            # "Last updated: X  Published: Y": the publication part on its own, first.
            yield "text", t[pub.start():]
        if _UPDATED.search(t) and not pub:
            updated.append(t)
        else:
            yield "text", t

    def hinted(scope_el: etree._Element, hint: re.Pattern[str]) -> Iterator[tuple[str, str]]:
        for el in scope_el.iter("span", "div", "p", "time", "small", "li", "h3", "h4", "h5", "h6"):
            if hint.search(_attr_str(el)):
                t = _capped_text(el, 80)
                if t and len(t) >= 6 and (re.search(r"\d", t) or _RELATIVE_DATE.search(t)) and not _in_comment_box(el, headline):
                    yield from emit(t)

    if scope is not None:
        for hint in (_DATE_HINT, _DATE_HINT_WEAK):
            yield from hinted(scope, hint)
    for el in _near_h1(root, headline):
        t = _short_date_text(el)
        if t and not any(_NO_DATE_SCOPE.search(_attr_str(a)) for a in el.iterancestors()):
            yield from emit(t)
    for v in far_times:
        yield "time", v
    for hint in (_DATE_HINT, _DATE_HINT_WEAK):
        yield from hinted(root, hint)
    yield from _labelled_dates(root, headline, emit)
    for t in updated:
        yield "text", t


def _labelled_dates(
    root: etree._Element, headline: etree._Element | None, emit: Callable[[str], Iterator[tuple[str, str]]]
) -> Iterator[tuple[str, str]]:
    """A date with a publication label (``Date Posted``, ``(Re)Published:``, ``تاريخ النشر``) in the same
    short element or, for a bare date, in a sibling element of its box, as page builders lay out "info
    blurbs"."""
    for el in root.iter(*_DATE_TAGS):
        if len(el) > 3:
            continue
        t = _short_date_text(el)
        if not t or len(t) > 50 or _in_comment_box(el, headline):
            continue
        if _DATE_LABEL.search(t):
            yield from emit(t)
            continue
        if len(el) or len(t) > 30:
            continue
        box = el.getparent()
        for _ in range(3):
            if box is None:
                break
            label = _capped_text(box, 80)
            if label is not None and _DATE_LABEL.search(label.replace(t, " ")):
                yield from emit(t)
                break
            box = box.getparent()


_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\+|&|\band\b|\bund\b|\bet\b|\bog\b|\by\b|\be\b|\sو\s)\s*", re.I)
_BYLINE_PREFIX = re.compile(
    r"^\W*(?:(?:written|authored|posted|published|reported|words|story|text|photos?|reviewed|researched)\s+by|by|von|"
    r"par|por|door|av|af|bij|بقلم|كتب|كتبه|كتبته|كتبت|بواسطة|إعداد|اعداد|تحرير|authors?|auteur|autor)\b\s*[:：]?\s*",
    re.I,
)
_ROLE_WORD = re.compile(
    r"^(?:staff|senior|chief|contributing|associate|managing|executive|deputy|lead|editor|editors|writer|writers|"
    r"reporter|correspondent|contributor|journalist|columnist|producer|manager|coordinator|specialist|director|"
    r"founder|ceo|team|desk|newsroom|redaktion|rédaction|مراسل|مراسلة|محرر|محررة|صحفي|صحفية|الصحفي|الصحفية|"
    r"فريق|هيئة|مدير|رئيس)$",
    re.I,
)
_NOT_NAME = re.compile(
    r"@|https?:|www\.|\d|\b(?:view|posts?|more|comments?|says|said|share|follow|read|subscribe|menu|home|login|"
    r"sign|profile|about|bio|contact|admin|guest|anonymous|unknown|click|here|minutes?|min)\b",
    re.I,
)
# "Name Edited by Other": the other credits are not the author.
_CREDIT_TAIL = re.compile(r"\s+(?:edited|reviewed|fact[- ]?checked|updated|illustrated|photos?)\s+by\b.*$", re.I)
_AUTHOR_ATTR = re.compile(r"author|byline|writer|contributor|\bfn\b|kateb|katib|كاتب", re.I)
_NOT_AUTHOR_ATTR = re.compile(r"avatar|bio|box|image|img|photo|pic|social|desc|about|label|prefix|comment|date|time", re.I)
_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|auteur|autor|autores|writer|writers|kottab|kuttab|staff|reviewer|contributors?|"
    r"journalists?|columnists?|blogger|people|profiles?|u|user|users|team)/[^/?#]+", re.I
)


def _author_part(part: str) -> str:
    """One name from a byline fragment: prefix, brackets and a trailing role removed ("Keith B. Senior Reporter")."""
    part = _clean(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", part))
    part = _CREDIT_TAIL.sub("", part)
    part = _BYLINE_PREFIX.sub("", part).strip(" -–—|:·•.")
    words = part.split()
    if words and _ROLE_WORD.match(words[0].strip(".,")):
        return ""  # "Senior Autos Reporter", "Staff writer": a job title, not a name
    # A role after a full name is cut ("Keith B. Senior Reporter"); after a single word ("MND Staff",
    # "Guardian staff reporter", "Gear Team") the role is part of a desk byline and stays.
    j = next((i for i, w in enumerate(words) if _ROLE_WORD.match(w.strip(".,"))), len(words))
    if j >= 2:
        words = words[:j]
    return " ".join(words)


def _plausible_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 6 or not 2 <= len(name) <= 60 or _NOT_NAME.search(name):
        return False
    if re.search("[A-Za-zÀ-ÿ]", name) and not any(w[:1].isupper() for w in words):
        return False  # Latin-script names are capitalised; "by admin", "staff" are not names
    return True


def _clean_authors(names: list[str], site_names: Iterable[str]) -> list[str]:
    """Split "A, B and C" / "أ و ب", drop roles, e-mails, URLs and (when given) site names; keep the order."""
    sites = {_key(s) for s in site_names if s}
    cleaned: list[str] = []
    seen: set[str] = set()
    for n in names:
        if not isinstance(n, str) or n.strip().lower().startswith(("http", "/", "@")) or "@" in n:
            continue
        n = _BYLINE_PREFIX.sub("", _clean(n))
        for part in re.split(r"\s+[|–—-]\s+|\s*[|·•⋅]\s*", n)[:1]:  # "Name | Role | date": the name
            for piece in _AUTHOR_SPLIT.split(part):
                name = _author_part(piece)
                k = _key(name)
                if not k or k in seen or k in sites or not _plausible_name(name):
                    continue
                seen.add(k)
                cleaned.append(name)
    return cleaned


def _headline_el(root: etree._Element, title: str | None) -> etree._Element | None:
    """The element showing the headline: the h1/h2/h3 whose text is the extracted title, else the first h1,
    else the first h2 (pages whose only h1 is a logo or a "0 Comments" widget, or that have no h1)."""
    tk = _key(title) if title else ""
    first: dict[str, etree._Element] = {}
    for h in root.iter("h1", "h2", "h3"):
        if tk and _key(_text(h)) == tk:
            return h
        first.setdefault(h.tag, h)
    return first.get("h1") if "h1" in first else first.get("h2")


def _near_h1(root: etree._Element, h1: etree._Element | None, after: int = 250,
             before: int = 60) -> list[etree._Element]:
    """Elements in document order right after the headline element, then the ones just above it, nearest
    first: where bylines and dates sit."""
    if h1 is None:
        return []
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    try:
        i = els.index(h1)
    except ValueError:
        return []
    return els[i + 1: i + after] + els[max(0, i - before): i][::-1]


def _in_comments(el: etree._Element) -> bool:
    return any(re.search(r"comment|respon|repl", _attr_str(a), re.I) for a in el.iterancestors())


def _byline_authors(root: etree._Element, title: str | None = None) -> list[str]:
    """Names from the visible byline: author-page links, author/byline-classed elements and "By ..." texts
    next to the h1 first, then ``rel=author`` / ``itemprop=author`` / author-classed elements anywhere."""

    def link_names(scope: etree._Element) -> list[str]:
        return [_text(a) or (a.get("title") or "") for a in scope.iter("a")
                if _AUTHOR_HREF.search(a.get("href") or "") and len(_text(a)) <= 60]

    for el in _near_h1(root, _headline_el(root, title)):
        if el.tag == "a" and _AUTHOR_HREF.search(el.get("href") or "") and _text(el):
            if _in_comments(el):
                continue
            scope = el.getparent()
            if scope is not None and scope.getparent() is not None and len(_text(scope.getparent())) <= 200:
                scope = scope.getparent()
            names = link_names(scope if scope is not None else el)
            if _clean_authors(names, []):
                return names
        attr = _attr_str(el)
        if _AUTHOR_ATTR.search(attr) and not _NOT_AUTHOR_ATTR.search(attr) and len(el) <= 8:
            t = _capped_text(el, 100) or ""
            if 2 <= len(t) and not _in_comments(el):
                inner = [_text(x) for x in el.xpath(".//*[@itemprop='name']")] or link_names(el)
                if _clean_authors(inner or [t], []):
                    return inner or [t]
        if len(el) <= 4:
            t = _capped_text(el, 100) or ""
            if 4 <= len(t) and _BYLINE_PREFIX.match(t) and _clean_authors([t], []):
                return [t]
    found: list[str] = []
    for el in root.xpath("//*[@rel='author' or @itemprop='author']"):
        if _in_comments(el):
            continue
        inner = [_text(x) for x in el.xpath(".//*[@itemprop='name']")]
        found += inner or [el.get("content") or _text(el)]
        if len(found) >= 3:
            break
    return found


def _source_name_near(root: etree._Element, anchor: etree._Element | None) -> str | None:
    scope = anchor.getparent() if anchor is not None else None
    for s in (scope, scope.getparent() if scope is not None else None, root):
        if s is None:
            continue
        for el in s.iter("span", "div", "p", "a", "strong", "b", "li"):
            t = _text(el)
            if len(t) > 80:
                continue
            m = _SOURCE_NAME_LABEL.match(t)
            if m:
                return m.group(1)
        if s is root:
            break
    return None


# Listing extraction lives in its own module (owned separately); re-exported here per docs/architecture.md.
from newscrawler.listing import extract_listing  # noqa: E402, F401
