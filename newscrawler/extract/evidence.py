"""Structural evidence for page typing, read from the tree as parsed (before the body step prunes it): does the
page show its own headline followed by a block of running prose, or is its text a list of links?

Link density alone cannot tell an aggregator's short copy inside a ticker of forty headlines from a home page:
both carry more link text than prose. What differs is the shape. A story has one headline that links nowhere and,
a few lines below it, paragraphs that follow each other without a headline link in between; a home, section or
tag page breaks its prose (a featured lead, teaser excerpts) with a headline link every few lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from lxml import etree

from newscrawler.extract.body import _MORE_LINK, _paragraphs
from newscrawler.extract.common import _clean_key, _key
from newscrawler.phrases import READ_MORE_LABELS, READ_MORE_PHRASES
from newscrawler.urls import canonical_url

# A prose line: running text of some length with little link text in it.
_PROSE_MIN = 60
_PROSE_WORDS = 8
# How many lines below the headline its story may start (date, byline, share bar, picture credit, standfirst).
_NEAR = 12


# The label of a cross-link set inside a story («اقرأ أيضا: <a>…</a>», "Read also:"): the story goes on below it.
_ALSO_LABEL = re.compile(
    r"^\W*(?:(?:اقرأ|إقرأ|اقرا|إقرا)\s+(?:أيضا|أيضاً|ايضا)|read\s+also|see\s+also|à?\s*lire\s+aussi|voir\s+aussi|"
    r"lesen\s+sie\s+auch)\W*$", re.I)

# The end of a line that closes with a "more" link ("... المزيد", "... Read more »").
_MORE_END = re.compile(rf"(?:{'|'.join(READ_MORE_PHRASES + READ_MORE_LABELS)})\W*$", re.I)


@dataclass(frozen=True)
class Evidence:
    """``headline``: the page shows its own headline (the title's text, not a link to another page);
    ``run``: characters of contiguous prose starting within a few lines below that headline (0 without one);
    ``longest``: the longest contiguous prose anywhere; ``link_lines``: lines that are mostly a link (headlines of
    other pages, menus); ``direct``: characters of the run that follows a headline shown as plain text with no link
    line in between (a story's own text, as opposed to a listing's first excerpt under its first teaser link)."""

    headline: bool = False
    run: int = 0
    longest: int = 0
    link_lines: int = 0
    direct: int = 0


def read_evidence(root: etree._Element, url: str, title: str, h1_texts: list[str]) -> Evidence:
    body = root.find("body")
    if body is None:
        return Evidence()
    lines = _paragraphs(body)
    keys = _headline_keys(title, h1_texts)
    self_linked = _self_linked_keys(body, url, keys)
    # Lines of a length that may show the headline (cleaning every line of a page would cost too much).
    lo, hi = min(map(len, keys), default=0) // 2, 2 * max(map(len, keys), default=0) + 20
    # The lines that show the headline: the first one in plain text (the page's own heading) wins over the same
    # title linked to the page itself in a ticker or a "most read" box above it; a theme that links its
    # entry-title to the permalink shows no plain one, and then the self-links are all candidates.
    plain: list[int] = []
    linked: list[int] = []
    breaks: list[int] = []  # link lines: a headline link, a menu entry, a teaser's "more" link
    runs: list[tuple[int, int]] = []  # (index of the first line, characters)
    start, size = -1, 0
    link_lines = 0
    for i, (text, link_share, _tag, lead, tail) in enumerate(lines):
        k = _key(text)
        if not plain and keys and lo <= len(k) <= hi and len(k) >= 10 and not any(_same_headline(k, h) for h in keys):
            k = _clean_key(text)  # a heading written with tatweel or presentation forms
        if not plain and len(k) >= 10 and any(_same_headline(k, h) for h in keys) and (
            link_share < 0.5 or k in self_linked
        ):
            (plain if link_share < 0.5 else linked).append(i)
            # The headline ends the prose above it (a notice, a standfirst of the box before): the story starts
            # below.
            if size:
                runs.append((start, size))
            start, size = -1, 0
            continue
        if link_share >= 0.5 and lead and _ALSO_LABEL.match(lead):
            continue  # a "read also" cross-link inside the story neither ends its run nor lists other pages
        if link_share >= 0.5:
            # Any link line ends a run; a headline link, or a teaser's "details" / "read more" link under a
            # picture-linked teaser whose headline is plain text, counts as a link to another page.
            link_lines += len(text) >= 15 or bool(_MORE_LINK.match(text))
            breaks.append(i)
            if size:
                runs.append((start, size))
            start, size = -1, 0
        elif 0 < link_share < 0.3 and not tail and _MORE_END.search(text):
            # A teaser's excerpt closing with its "more" link: it ends the run like a headline link does.
            link_lines += 1
            breaks.append(i)
            if size:
                runs.append((start, size))
            start, size = -1, 0
        elif link_share < 0.3 and len(text) >= _PROSE_MIN and len(text.split()) >= _PROSE_WORDS:
            if not size:
                start = i
            size += len(text)
    if size:
        runs.append((start, size))
    heads = plain or linked
    run = max((n for s, n in runs if any(h < s <= h + _NEAR for h in heads)), default=0)
    # The first link line below each plain headline: a run starting before it follows the headline directly.
    first_break = {h: breaks[j] if j < len(breaks) else len(lines) for h in plain
                   for j in (bisect_right(breaks, h),)}
    direct = max((n for s, n in runs if any(h < s <= h + _NEAR and s < first_break[h] for h in plain)), default=0)
    return Evidence(headline=bool(heads), run=run, longest=max((n for _, n in runs), default=0),
                    link_lines=link_lines, direct=direct)


def _same_headline(line: str, title: str) -> bool:
    """The line shows the title: the same words, the title with a kicker, or the title without the site name
    that the ``<title>`` tag adds."""
    return line == title or (title in line and len(line) <= 1.3 * len(title) + 10) or (
        line in title and len(line) >= 0.6 * len(title))


def _headline_keys(title: str, h1_texts: list[str]) -> set[str]:
    """The texts the page's own headline may show: the title, else the page's only h1."""
    keys = {_key(title)} if title and len(title) > 5 else set()
    h1s = [t for t in h1_texts if len(t) > 10]
    if len(h1s) == 1:
        keys.add(_clean_key(h1s[0]))
    return {k for k in keys if k}


def _self_linked_keys(body: etree._Element, url: str, keys: set[str]) -> set[str]:
    """Headline texts linked to the page itself (a theme that links every ``entry-title`` to its permalink)."""
    if not keys:
        return set()
    here = canonical_url(url)
    found: set[str] = set()
    for a in body.iter("a"):
        href = a.get("href")
        if not href or href.startswith("#"):
            continue
        text = a.text_content()
        k, ck = _key(text), _clean_key(text)
        if (k in keys or ck in keys) and canonical_url(href, url) == here:
            found.update((k, ck))
    return found


