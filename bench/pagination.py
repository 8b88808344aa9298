"""Pagination benchmark: newscrawler.pagination.next_page_url on the wcxb-test pages, by page type.

Usage (from the repository root):

    python bench/pagination.py ../shared/realdata            # or the wcxb-test folder itself
    python bench/pagination.py ../shared/realdata --urls      # also each page URL and the next page found
    python bench/pagination.py ../shared/realdata --half tune # one half only (bench/extraction.py's fixed split)

There is no ground truth for next-page links, so the figures are proxies: the share of listing and collection pages
where a next page is found (a listing usually has one), the share of article pages where one is found (a
paginated article has one, most do not: a high share would mean "next article" links slip through), how many of
the found links are numbered siblings of the page (``page_relation``), and milliseconds per page. ``--urls`` lists
the pairs so they can be checked by eye.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import statistics
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.extraction import half_of  # noqa: E402
from newscrawler.pagination import next_page_url, page_relation  # noqa: E402

GROUPS = {"listing": "listing", "collection": "listing", "article": "article"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", help="the realdata folder (or its wcxb-test subfolder)")
    ap.add_argument("--urls", action="store_true", help="print each page URL and the next page found")
    ap.add_argument("--half", choices=["tune", "held", "all"], default="all",
                    help="the tuning half, the held-back half or all pages (split by file id, as bench/extraction.py)")
    args = ap.parse_args(argv)
    root = next((c for c in (os.path.join(args.data_dir, "wcxb-test"), args.data_dir)
                 if os.path.isdir(os.path.join(c, "test", "ground-truth"))), None)
    if root is None:
        print(f"wcxb-test: MISSING (no wcxb-test/test/ground-truth under {args.data_dir})")
        return 2
    pages: Counter[str] = Counter()
    found: Counter[str] = Counter()
    numbered: Counter[str] = Counter()
    times: list[float] = []
    for gt_path in sorted(glob.glob(os.path.join(root, "test", "ground-truth", "*.json"))):
        with open(gt_path, encoding="utf-8") as f:
            gt = json.load(f)
        group = GROUPS.get((gt.get("_internal", {}).get("page_type", {}) or {}).get("primary"))
        if group is None or args.half != "all" and half_of(os.path.basename(gt_path)[:-5]) != args.half:
            continue
        html_path = os.path.join(root, "test", "html", os.path.basename(gt_path)[:-5] + ".html.gz")
        try:
            with gzip.open(html_path, "rb") as f:
                body = f.read()
        except OSError:
            continue
        t0 = time.perf_counter()
        nxt = next_page_url(body, gt["url"])
        times.append((time.perf_counter() - t0) * 1000)
        pages[group] += 1
        if nxt:
            found[group] += 1
            numbered[group] += page_relation(gt["url"], nxt) is not None
            if args.urls:
                print(f"{group:8} {gt['url']}  ->  {nxt}")
    for group in ("listing", "article"):
        n = pages[group]
        print(f"{group:8} pages {n:4}  next page found {found[group]:4} ({found[group] / max(n, 1):.1%})"
              f"  of which numbered siblings {numbered[group]}")
    if times:
        print(f"ms per page: mean {statistics.mean(times):.2f}, median {statistics.median(times):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
