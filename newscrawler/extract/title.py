"""Titles: site names stripped from metadata titles, and the h1 against metadata comparisons."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawler.extract.common import _key

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
