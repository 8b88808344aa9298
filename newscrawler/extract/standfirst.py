"""The standfirst: the lead a template prints above the story container, found by the page's own description.

Many templates print the lead (the meta or JSON-LD description) in its own block above the story container, where
the DOM scoring of ``body.py`` does not reach it. It is found by its text, not by its block's name, in the tree as
parsed, before ``read_body`` prunes it: lead blocks are often classed "teaser" or "intro". A subtitle is not a
lead: a block classed as a dek, a one-sentence deck in the page header and a label without closing punctuation
are left out. ``read_body`` puts the lead in front of the DOM body when that body does not already hold it.
"""

from __future__ import annotations

import html as html_lib
import itertools
import re

from lxml import etree

from newscrawler.extract.common import _INLINE, _attr_str, _key, _tokens

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
