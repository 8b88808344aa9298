"""Titles: site names stripped from metadata titles, and the h1 against metadata comparisons."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawler.extract.common import (
    Page,
    _clean,
    _clean_key,
    _key,
    _m,
    _sel_first_text,
    _text,
)

_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|»|«|·|•|:)\s+")


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


def read_title(p: Page) -> None:
    """The title: the source's selector, else the metadata title and the h1 weighed against each other."""
    st, _ = _sel_first_text(p.root, p.selectors.get("title"))
    if st and _clean(st):
        p.out["title"], p.method["title"] = _clean(st), "selector"
        return
    h = p.ld.get("headline") or p.ld.get("name")
    tt = p.root.find(".//title")
    raw = {"jsonld": h if isinstance(h, str) else "", "meta": _m(p.meta, "og:title", "twitter:title") or "",
           "title_tag": _text(tt) if tt is not None else ""}
    # Metadata titles in trust order, site names stripped; the first non-empty one is compared with the h1.
    cleaned = {rule: _clean(_strip_site(_clean(v), p.site_names, p.host)) if v.strip() else "" for rule, v in raw.items()}
    meta_rule, meta_t = next(((r, t) for r, t in cleaned.items() if t), ("", ""))
    names_k = {_key(n) for n in p.site_names}
    h1c = [t for t in p.h1_texts if 6 <= len(t) <= 300 and _key(t) not in names_k]
    # The visible headline and the metadata title often differ by a kicker or a site suffix: when one
    # contains the other, keep the shorter, cleaner one; otherwise trust a single h1 over SEO metadata.
    pick = None
    mk = _key(meta_t)
    for h in h1c:
        hk = _key(h)
        if hk and hk == mk:
            p.out["title"], p.method["title"] = meta_t, meta_rule  # both agree: record the metadata rule
            return
        if hk and mk and hk in mk:
            if _is_kicker_of(meta_t, h):
                # "Kicker: headline" or "headline: subtitle" in the metadata is the full headline; the
                # h1 drops the kicker only because the page shows it in a separate element.
                p.out["title"], p.method["title"] = meta_t, meta_rule
                return
            # The JSON-LD may set the kicker off with a dash where og:title writes the same words with a
            # colon: the colon form says it is a kicker, not a section label.
            alt = cleaned.get("meta", "")
            if alt and alt != meta_t and _key(alt) == mk and _is_kicker_of(alt, h):
                p.out["title"], p.method["title"] = alt, "meta"
                return
            pick = h
            break
    if pick is None and mk and any(mk in _key(h) for h in h1c):
        p.out["title"], p.method["title"] = meta_t, meta_rule
        return
    if pick is None and h1c and mk and _is_label_h1(h1c[0], meta_t):
        p.out["title"], p.method["title"] = meta_t, meta_rule
        return
    # The JSON-LD headline is the article's declared headline (schema.org); an h1 that differs (a longer web
    # headline, a regional variant) is display copy. Measured on fundus: +18 titles, -9 where the publisher's
    # parser takes the h1 (docs/benchmarks.md). og:title alone is a social-share title and loses to an h1.
    if pick is None and mk and meta_rule == "jsonld":
        p.out["title"], p.method["title"] = meta_t, meta_rule
        return
    if pick is None and len(h1c) == 1:
        pick = h1c[0]
    if pick:
        p.out["title"], p.method["title"] = _clean(pick), "h1"
        return
    if meta_t:
        shown = _shown_part(p, meta_t) if meta_rule == "title_tag" else None
        if shown:
            # "<headline> - <site>" in the <title> of a page without og:site_name, whose headline is an h2 or a
            # bold line: the part the page shows is the headline.
            p.out["title"], p.method["title"] = shown, "title_tag"
            return
        if meta_rule == "title_tag" and " | " in meta_t:
            head = meta_t.rsplit(" | ", 1)[0]
            if len(head) >= 15:
                meta_t = head
        p.out["title"], p.method["title"] = meta_t, meta_rule


def _shown_part(p: Page, title: str) -> str | None:
    """The part of a separated ``<title>`` that the page shows as a heading or a bold line: one part, or several
    adjacent ones when the headline itself holds a separator ("<kicker> | <headline>" under "<site> - ")."""
    if not _TITLE_SEP.search(title):
        return None
    shown = {_clean_key(t) for _, t in p.headings} | {
        _clean_key(_text(e)) for e in p.root.iter("b", "strong", "font") if 15 <= len(e.text_content()) <= 300}
    # Offsets of each part: the title minus its separators, cut into spans of adjacent parts.
    bounds = [0]
    for m in _TITLE_SEP.finditer(title):
        bounds += [m.start(), m.end()]
    bounds.append(len(title))
    spans = [(bounds[2 * i], bounds[2 * j + 1]) for i in range(len(bounds) // 2) for j in range(i, len(bounds) // 2)]
    found = {title[a:b] for a, b in spans if b - a >= 15 and (a, b) != (0, len(title)) and _key(title[a:b]) in shown}
    # The longest shown span: a headline with its kicker beats the headline alone.
    return max(found, key=len) if found else None
