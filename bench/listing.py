"""Listing benchmark: newscrawler.listing.extract_listing on the wcxb-test listing and collection pages.

Usage (from the repository root):

    python bench/listing.py ../shared/realdata          # or the wcxb-test folder itself
    python bench/listing.py ../shared/realdata --pages  # also one line per page

wcxb-test has no per-link ground truth, only the main content text of each page. The figures are proxies:

* in-main precision: share of extracted headlines whose title occurs in the ground-truth main content
  (after NFKC, casefold, mark removal and whitespace folding). A link whose text the annotators kept as main
  content is part of the page's list, not navigation, footer or sidebar. Micro (all headlines) and macro
  (mean over pages with at least one headline).
* article-like URL: share of extracted URLs for which ``looks_like_article_url`` is true (our own shape test,
  so it says how often the context rules let a non-article-shaped link in, not whether the link is right).
* main-link recall: the "reference links" of a page are its same-site anchors whose text has at least three
  words and occurs in the main content; recall is the share of them (by URL key) that were extracted.
* headlines per page (mean, median, pages with none), mean milliseconds per page, errors.

The set is English and mixed (course catalogues, product grids, review lists, news indexes): product grids
with two-word names are not headlines by our rules, so recall there is low by design.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lxml import html as lxml_html  # noqa: E402

from newscrawler.encoding import decode_html  # noqa: E402
from newscrawler.listing import extract_listing, looks_like_article_url  # noqa: E402
from newscrawler.urls import canonical_url, same_site, url_key  # noqa: E402

LISTING_TYPES = ("listing", "collection")


def norm(s: str) -> str:
    """NFKC, casefold, no combining marks, punctuation to spaces, whitespace folded."""
    s = unicodedata.normalize("NFKC", s or "").casefold()
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(s.split())


def find_set(data_dir: str) -> str | None:
    for cand in (os.path.join(data_dir, "wcxb-test"), data_dir):
        if os.path.isdir(os.path.join(cand, "test", "ground-truth")):
            return cand
    return None


def reference_links(text: str, url: str, main: str) -> set[str]:
    """Same-site links with a three-word-or-longer text that the annotators kept in the main content."""
    try:
        root = lxml_html.document_fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return set()
    out: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        t = norm(a.text_content())
        if len(t.split()) < 3 or f" {t} " not in main:
            continue
        target = canonical_url(href, base=url)
        if urlsplit(target).scheme in ("http", "https") and same_site(target, url):
            out.add(url_key(target))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", help="the realdata folder (or its wcxb-test subfolder)")
    ap.add_argument("--pages", action="store_true", help="print one line per page")
    args = ap.parse_args(argv)

    root = find_set(args.data_dir)
    if root is None:
        print(f"wcxb-test: MISSING (no wcxb-test/test/ground-truth under {args.data_dir})")
        return 2

    rows = []
    errors = 0
    types: Counter[str] = Counter()
    for gt_path in sorted(glob.glob(os.path.join(root, "test", "ground-truth", "*.json"))):
        with open(gt_path, encoding="utf-8") as f:
            gt = json.load(f)
        ptype = (gt.get("_internal", {}).get("page_type", {}) or {}).get("primary")
        if ptype not in LISTING_TYPES:
            continue
        types[ptype] += 1
        html_path = os.path.join(root, "test", "html", os.path.basename(gt_path)[:-5] + ".html.gz")
        try:
            with gzip.open(html_path, "rb") as f:
                body = f.read()
        except OSError:
            errors += 1
            continue
        url = gt["url"]
        main_text = " " + norm((gt.get("ground_truth") or {}).get("main_content") or "") + " "
        t0 = time.perf_counter()
        try:
            heads = extract_listing(body, url)
        except Exception:  # noqa: BLE001 - the contract says it never raises; count it if it does
            errors += 1
            heads = []
        ms = (time.perf_counter() - t0) * 1000
        in_main = sum(1 for h in heads if norm(h["title"]) and f" {norm(h['title'])} " in main_text)
        article_like = sum(1 for h in heads if looks_like_article_url(h["url"]))
        refs = reference_links(decode_html(body)[0], url, main_text)
        got = {url_key(h["url"]) for h in heads}
        rows.append(
            {
                "id": gt.get("file_id") or os.path.basename(gt_path)[:-5],
                "type": ptype,
                "host": urlsplit(url).hostname or "",
                "n": len(heads),
                "in_main": in_main,
                "article_like": article_like,
                "refs": len(refs),
                "refs_found": len(refs & got),
                "ms": ms,
            }
        )

    if args.pages:
        print(f"{'id':>6} {'type':<10} {'heads':>5} {'in_main':>7} {'art_url':>7} {'refs':>5} {'found':>5}  host")
        for r in rows:
            print(f"{r['id']:>6} {r['type']:<10} {r['n']:>5} {r['in_main']:>7} {r['article_like']:>7} "
                  f"{r['refs']:>5} {r['refs_found']:>5}  {r['host']}")
        print()

    def summary(label: str, rs: list[dict]) -> None:
        if not rs:
            print(f"{label}: no pages")
            return
        total = sum(r["n"] for r in rs)
        with_heads = [r for r in rs if r["n"]]
        micro = sum(r["in_main"] for r in rs) / total if total else 0.0
        macro = statistics.mean(r["in_main"] / r["n"] for r in with_heads) if with_heads else 0.0
        art = sum(r["article_like"] for r in rs) / total if total else 0.0
        ref_total = sum(r["refs"] for r in rs)
        recall = sum(r["refs_found"] for r in rs) / ref_total if ref_total else 0.0
        counts = [r["n"] for r in rs]
        print(
            f"{label:<11} pages {len(rs):>3}  headlines {total:>5}  per page mean {statistics.mean(counts):5.1f} "
            f"median {statistics.median(counts):4.1f}  pages with none {len(rs) - len(with_heads):>2}  "
            f"in-main precision micro {micro:.3f} macro {macro:.3f}  article-like URL {art:.3f}  "
            f"main-link recall {recall:.3f} ({sum(r['refs_found'] for r in rs)}/{ref_total})  "
            f"ms/page {statistics.mean(r['ms'] for r in rs):.1f}"
        )

    print(f"wcxb-test listing pages: {dict(types)}  errors {errors}")
    for t in LISTING_TYPES:
        summary(t, [r for r in rs_ if r["type"] == t] if (rs_ := rows) else [])
    summary("all", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
