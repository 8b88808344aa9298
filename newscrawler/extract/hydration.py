"""Hydration payloads: the story of a JavaScript app page, which the page's markup does not hold.

Next.js, Nuxt and similar apps render an empty shell and ship the article as an HTML string inside an inline
script (``self.__next_f.push([1, "...<p>...</p>..."])``, ``__NEXT_DATA__``), escaped once or twice. Neither the
DOM scoring nor trafilatura sees text there, so such a page would have no body. This module only finds that
string and parses it into a document; ``body.py`` scores the document like a page, and only when the markup
itself gave no body (the payload costs a scan of every inline script).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

_JS_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _hydration_doc(html: str) -> etree._Element | None:
    """The payload as a document: the script's string literal (or, one level down, the JSON it holds) with the
    most paragraph text, parsed into an ``<article>``; None when no script holds 250 characters of paragraphs."""
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
        return None
    doc = lxml.html.document_fromstring(f"<html><body><article>{best}</article></body></html>")
    # Text between the HTML elements is the payload's own syntax (`2:["$","div",...]`), not story.
    for holder in doc.iter("article"):
        holder.text = None
        for child in holder:
            child.tail = None
    return doc


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
