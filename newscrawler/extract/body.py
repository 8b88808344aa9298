"""The article body: pruning, DOM scoring, paragraph flattening and the line filters, JSON-LD articleBody
agreement, and ``read_body``, which puts them together with the standfirst (``standfirst.py``), a JavaScript app's
hydration payload (``hydration.py``) and trafilatura as the last resort."""

from __future__ import annotations

import html as html_lib
import re

from lxml import etree

from newscrawler.extract.common import (
    _INLINE,
    Page,
    _attr_str,
    _clean_key,
    _clean_ml,
    _css,
    _key,
    _safe,
    _sel_list,
    _text,
    _tokens,
)
from newscrawler.extract.hydration import _hydration_doc
from newscrawler.extract.lines import (
    _BOILER_LINE,
    _SECTION_END,
    _cited_link,
    _cut_tail,
    _is_meta_line,
    _short_crumb,
    _trim_info_lines,
)
from newscrawler.extract.page_type import _blocked, _looks_listing
from newscrawler.extract.standfirst import _is_lead_prose, _standfirst
from newscrawler.phrases import READ_MORE_LABELS, READ_MORE_PHRASES

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


# The link that closes a teaser: "mehr", "Read more »", "lire la suite". Its whole text is the phrase: a link that
# says more than that names the story it leads to.
_MORE_LINK = re.compile(rf"^\W*(?:{'|'.join(READ_MORE_PHRASES + READ_MORE_LABELS)})\W*$", re.I)


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


_CODE_TAGS = frozenset({"script", "style", "noscript", "template"})

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
    heads: list[etree._Element] = []
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
        if tag in _CODE_TAGS:  # on an unpruned tree (page typing reads one): scripts are not text
            return
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


def _dom_body(root: etree._Element, title: str, h1_texts: list[str], remove: list[str], ref: str = "") -> str:
    # The headline is not story text, whether it is the title we return or the h1 shown in its place.
    h1 = next((t for t in h1_texts if len(t) > 5), "")
    title_keys = {k for k in (_key(title) if title else "", _key(h1)) if k}
    title_max = 2 * max(map(len, title_keys), default=0) + 20
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
            # A list entry that links its item and describes it in its own words ("<a>Name</a> - what it is") is
            # a listicle's text, not a teaser.
            if link_share > 0.5 and not _cited_link(link_share, lead, tail) and not (
                tag == "li" and len(tail) >= 25 and len(tail.split()) >= 4
            ):
                continue
            if _BOILER_LINE.search(text) or _is_meta_line(text):
                continue
            k = _key(text)
            # Short lines repeat legitimately (table rows, list labels); a repeated sentence is interface text.
            if not k or (k in seen and (len(text) >= 40 or (len(text) >= 20 and text[-1] in ".!?。؟"))):
                continue
            if k in title_keys or (title_keys and len(k) <= title_max and _clean_key(text) in title_keys):
                # the headline, also when written with tatweel or presentation forms
                continue
            # A short line is an interface crumb, unless it is a list entry ("Author, <a>Title</a>").
            if _short_crumb(text) and tag not in ("h2", "h3", "h4", "emph", "li", "blockquote", "td") and not (
                link_share > 0 and lead.endswith(",")
            ):
                continue
            seen.add(k)
            paras.append((text, tag))
    paras = _trim_info_lines(_cut_tail(paras))
    # A lone heading that closes the text heads nothing left: the box it titled ("Latest news") was pruned.
    if len(paras) >= 2 and paras[-1][1] in _HEADINGS and len(paras[-1][0]) < 80 and paras[-2][1] not in _HEADINGS:
        paras.pop()
    return _agree("\n\n".join(t for t, _ in paras), paras, ref)


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


def _hydration_body(html: str, title: str) -> str:
    """The story of a JavaScript app page: its hydration payload (``hydration.py``) read like a page."""
    doc = _hydration_doc(html)
    if doc is None:
        return ""
    return _dom_body(doc, title, [_text(e) for e in doc.iter("h1")], [])


def _trafilatura_body(text: str, url: str) -> str:
    import trafilatura

    out = trafilatura.extract(text, url=url, include_comments=False, include_tables=False, favor_precision=False)
    if not out:
        return ""
    lines = [ln.strip() for ln in out.split("\n") if ln.strip() and not _BOILER_LINE.search(ln)]
    return "\n\n".join(lines)


def _selector_body(p: Page, remove: list[str]) -> bool:
    for sel in _sel_list(p.selectors.get("body")):
        els = _css(p.root, sel)
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
                p.out["body"] = b
                p.method["body"] = "selector"
                return True
    return False


def list_text(root: etree._Element) -> str:
    """The text of a page that is not a story (a home, section or tag page, a list of products): its lines after
    the pruning, the headline links included, without interface lines or repeats. ``extract_article`` returns it
    as the body of a non-article so that library users and ``newscrawler extract`` get the page's text."""
    body = root.find("body")
    if body is None:
        return ""
    main = next((m for m in body.iter("main") if len(m.text_content().strip()) > 200), None)
    out: list[str] = []
    seen: set[str] = set()
    for text, _share, _tag, _lead, _tail in _paragraphs(main if main is not None else body):
        k = _key(text)
        if not k or k in seen or len(text) < 4 or _BOILER_LINE.search(text) or _is_meta_line(text):
            continue
        seen.add(k)
        out.append(text)
    return _clean_ml("\n\n".join(out))


def read_body(p: Page) -> None:
    """The body: the source's selector, else DOM scoring, JSON-LD articleBody, a hydration payload or trafilatura.

    Mutates the tree, so it runs after every other step that reads it."""
    remove = _sel_list(p.selectors.get("remove"))
    if _safe(_selector_body, p, remove, default=False):
        return
    ld_body = ld_text if isinstance(ld_text := p.ld.get("articleBody"), str) else ""
    descs = [*p.meta.get("og:description", []), *p.meta.get("description", []), *p.meta.get("twitter:description", [])]
    if isinstance(p.ld.get("description"), str):
        descs.append(p.ld["description"])
    lead = _safe(_standfirst, p.root, list(dict.fromkeys(descs)), default="") or ""
    dom = _dom_body(p.root, p.out["title"], p.h1_texts, remove, re.sub(r"<[^>]+>", " ", ld_body))
    p.para_len = len(dom)
    if ld_body and len(ld_body) > 1.5 * len(dom) and len(ld_body) > 200 and not _covers(dom, ld_body):
        ld_body = html_lib.unescape(re.sub(r"<[^>]+>", " ", ld_body))
        p.out["body"] = _clean_ml("\n\n".join(para for para in re.split(r"\n\s*", ld_body) if para.strip()))
        p.method["body"] = "jsonld"
        return
    if len(dom) >= 250 or _looks_listing(p.meta, p.ld, p.url, len(dom), p.links) or (
        len(dom) < 500 and _blocked(p.raw_text_len, p.out["title"], p.raw_visible)
    ):
        # Good enough, or not an article at all: the generic fallback would only cost time.
        if dom:
            # The whole lead, not its opening: a summary may start with the story's first sentence.
            if lead and _is_lead_prose(lead) and _key(lead) not in _key(dom):
                dom = lead + "\n\n" + dom
            p.out["body"] = _clean_ml(dom)
            p.method["body"] = "dom"
        return
    hb = _safe(_hydration_body, p.text, p.out["title"], default="") or ""
    if len(hb) >= 250:
        p.out["body"] = _clean_ml(hb)
        p.method["body"] = "hydration"
        p.para_len = len(hb)
        return
    tb = _safe(_trafilatura_body, p.text, p.url, default="") or ""
    if len(tb) > len(dom):
        p.out["body"] = _clean_ml(tb)
        p.method["body"] = "trafilatura"
    elif dom:
        p.out["body"] = _clean_ml(dom)
        p.method["body"] = "dom"
