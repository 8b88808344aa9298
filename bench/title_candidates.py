"""Title ceiling: how often each headline candidate on the page matches the ground truth, and what fixed choices score.

Usage (from the repository root):

    python bench/title_candidates.py ../shared/realdata [--sets fundus,wcxb] [--half tune|held|all]

For every article with a ground-truth title it reads the page's candidates -- JSON-LD ``headline``, ``og:title``,
``twitter:title``, the first h1, ``<title>`` -- with the site name stripped the way ``extract_article`` strips it,
and compares each with the ground truth under the benchmark's title key (``bench/extraction.py``). It prints, per
set: how often each candidate matches, the "oracle" (some candidate matches: the ceiling of any rule that picks
one of them), a few fixed preference orders and a majority vote, ``extract_article`` itself, and, where two of
JSON-LD, og:title and the h1 agree against the third, which side the ground truth takes. It answers the
question whether a page-independent rule can reach a title target, not how fast anything runs.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from extraction import SETS, half_of, title_key  # noqa: E402

from newscrawler.encoding import decode_html  # noqa: E402
from newscrawler.extract import extract_article  # noqa: E402
from newscrawler.extract.common import _jsonld, _ld_name, _m, _meta, _parse, _text  # noqa: E402
from newscrawler.extract.title import _strip_site  # noqa: E402

CANDIDATES = ("jsonld", "og", "twitter", "h1", "title_tag")


def page_candidates(html: bytes, url: str) -> dict[str, str | None]:
    """The page's headline candidates as ``extract_article`` reads them (the same JSON-LD object, meta tags and
    site names), site names stripped from the metadata ones."""
    root = _parse(decode_html(html)[0])
    if root is None:
        return {}
    ld, _ = _jsonld(root)
    ld = ld or {}
    meta = _meta(root)
    site = [n.lstrip("@") for n in (_m(meta, "og:site_name", "application-name", "twitter:site"),
                                    *_ld_name(ld.get("publisher"))) if n]
    host = (urlsplit(url).hostname or "").lower()
    headline = ld.get("headline") or ld.get("name")
    title_el = root.find(".//title")
    raw = {
        "jsonld": headline if isinstance(headline, str) else None, "og": _m(meta, "og:title"),
        "twitter": _m(meta, "twitter:title"), "h1": next((t for t in map(_text, root.iter("h1")) if t), None),
        "title_tag": _text(title_el) if title_el is not None else None,
    }
    return {k: (_strip_site(" ".join(v.split()), site, host) if v and k != "h1" else v) for k, v in raw.items()}


def _first(order: tuple[str, ...]) -> Callable[[dict[str, str]], str | None]:
    return lambda keys: next((keys[k] for k in order if keys.get(k)), None)


def _vote(order: tuple[str, ...]) -> Callable[[dict[str, str]], str | None]:
    def pick(keys: dict[str, str]) -> str | None:
        counts = Counter(v for v in keys.values() if v)
        if not counts:
            return None
        best = max(counts.values())
        return next((keys[k] for k in order if keys.get(k) and counts[keys[k]] == best), None)

    return pick


POLICIES: dict[str, Callable[[dict[str, str]], str | None]] = {
    "JSON-LD > og > h1 > <title>": _first(("jsonld", "og", "h1", "twitter", "title_tag")),
    "og > JSON-LD > h1 > <title>": _first(("og", "jsonld", "h1", "twitter", "title_tag")),
    "h1 > JSON-LD > og > <title>": _first(("h1", "jsonld", "og", "twitter", "title_tag")),
    "majority vote, ties JSON-LD first": _vote(("jsonld", "og", "h1", "twitter", "title_tag")),
    "majority vote, ties h1 first": _vote(("h1", "jsonld", "og", "twitter", "title_tag")),
}


# Two of JSON-LD, og:title and the h1 agree and the third differs: which side the ground truth takes tells whether
# "two agreeing candidates win" could be a rule.
SPLITS = (("jsonld", "h1", "og"), ("og", "h1", "jsonld"), ("jsonld", "og", "h1"))


def _split(keys: dict[str, str], gold: str) -> tuple[str, str] | None:
    for a, b, odd in SPLITS:
        if keys.get(a) and keys.get(a) == keys.get(b) and keys.get(odd) and keys[odd] != keys[a]:
            side = "pair" if keys[a] == gold else "odd" if keys[odd] == gold else "neither"
            return f"{a} = {b} != {odd}", side
    return None


def score(pages: list[dict]) -> dict[str, float]:
    hits: Counter = Counter()
    present: Counter = Counter()
    splits: Counter = Counter()
    n = 0
    for page in pages:
        if not page.get("article") or not page.get("title"):
            continue
        n += 1
        html = gzip.open(page["path"]).read()
        gold = title_key(page["title"])
        keys = {k: title_key(v) for k, v in page_candidates(html, page["url"]).items() if v}
        for k, v in keys.items():
            present[k] += 1
            hits[k] += v == gold
        hits["oracle"] += gold in keys.values()
        split = _split(keys, gold)
        if split:
            splits[split] += 1
        for name, policy in POLICIES.items():
            hits[name] += policy(keys) == gold
        hits["extract_article"] += title_key(extract_article(html, page["url"])["title"]) == gold
    out = {"pages": n}
    for k in CANDIDATES:
        out[f"{k} matches (of {present[k]} present)"] = hits[k] / max(n, 1)
    out["oracle: some candidate matches"] = hits["oracle"] / max(n, 1)
    for name in (*POLICIES, "extract_article"):
        out[name] = hits[name] / max(n, 1)
    out["splits"] = splits
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir")
    ap.add_argument("--sets", default="fundus,wcxb")
    ap.add_argument("--half", choices=("tune", "held", "all"), default="all",
                    help="the tuning half, the held-back half (bench/extraction.py's split), or all pages")
    args = ap.parse_args(argv)
    for key in args.sets.split(","):
        folder, loader = SETS[key]
        if not os.path.isdir(os.path.join(args.data_dir, folder)):
            print(f"### {folder}: missing, skipped")
            continue
        pages = [p for p in loader(args.data_dir) if args.half == "all" or half_of(p["id"]) == args.half]
        result = score(pages)
        splits = result.pop("splits")
        half = "" if args.half == "all" else f", {'tuning' if args.half == 'tune' else 'held-back'} half"
        print(f"### {folder} ({result.pop('pages')} articles with a title{half})")
        for name, value in result.items():
            print(f"  {value:.3f}  {name}")
        for a, b, odd in SPLITS:
            label = f"{a} = {b} != {odd}"
            if any(splits[(label, side)] for side in ("pair", "odd", "neither")):
                print(f"  pages where {label}: the ground truth is the pair on {splits[(label, 'pair')]}, "
                      f"{odd} on {splits[(label, 'odd')]}, neither on {splits[(label, 'neither')]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
