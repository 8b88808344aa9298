"""Date benchmark: how each rule of the publication-date cascade does on real pages, and how the visible-text rules
do when the machine-readable dates are taken away.

Usage (from the repository root):

    python bench/dates.py ../shared/realdata [--half tune|held|all] [--sets fundus,wcxb] [--visible-only] [--no-url]

Per rule (``jsonld``, ``meta``, ``time``, ``selector``, ``attribution``, ``text``, ``url``, ``bare``), on the dated
article pages of the half: the share of pages where that rule alone gives a date (coverage) and the share of those
dates on the right day (precision). The cascade in ``read_dates`` tries the rules in the order of this precision.

``--visible-only`` removes JSON-LD, ``<meta>`` tags and ``datetime``/``content``/``data-*date*`` attributes before
extraction, so only the visible text (and the URL, unless ``--no-url``) can give the date: a stress test of the
visible-date rules on every language of the sets. Scored like ``bench/extraction.py`` (same day in the ground
truth's offset), with the day accuracy per language folder (fundus) or page language (wcxb).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import extraction as B  # noqa: E402

import newscrawler.extract.byline as byline  # noqa: E402
from newscrawler.encoding import decode_html  # noqa: E402
from newscrawler.extract import extract_article  # noqa: E402

_LD = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script>", re.S | re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"\s(?:datetime|content|data-[\w-]*(?:date|time)[\w-]*)\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)


def visible_only(html: str) -> str:
    return _ATTR.sub(" ", _META.sub("", _LD.sub("", html)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    ap.add_argument("--half", choices=("tune", "held", "all"), default="tune")
    ap.add_argument("--sets", default="fundus,wcxb")
    ap.add_argument("--visible-only", action="store_true")
    ap.add_argument("--no-url", action="store_true", help="with --visible-only: hide the URL too")
    args = ap.parse_args(argv)

    # Each rule's own first date: the candidates are split by rule and given to pick_published one rule at a time.
    per_rule: dict[str, object] = {}
    pick = byline.pick_published

    def split_pick(cands, **kw):  # type: ignore[no-untyped-def]
        items = list(cands)
        groups: dict[str, list] = defaultdict(list)
        for rule, raw in items:
            groups[rule].append((rule, raw))
        per_rule.update({r: pick(iter(v), **kw) for r, v in groups.items()})
        return pick(iter(items), **kw)

    attribution, bare = byline._attribution_dates, byline._bare_dates
    byline.pick_published = split_pick
    byline._attribution_dates = lambda *a: (("attribution", t) for _, t in attribution(*a))
    byline._bare_dates = lambda *a: (("bare", t) for _, t in bare(*a))

    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    right, total = Counter(), Counter()
    n = ok = 0
    elapsed = 0.0
    for key in args.sets.split(","):
        for p in B.SETS[key][1](args.data_dir):
            if args.half != "all" and B.half_of(p["id"]) != args.half:
                continue
            if not p["article"] or not p.get("date") or B.parse_iso(p["date"]) is None:
                continue
            html, _ = decode_html(gzip.open(p["path"]).read())
            url = p["url"]
            if args.visible_only:
                html = visible_only(html)
                url = "https://example.invalid/a" if args.no_url else url
            per_rule.clear()
            t0 = time.perf_counter()
            r = extract_article(html, url, now=p.get("now"))
            elapsed += time.perf_counter() - t0
            day, _ = B.date_scores(r["published_at"], p["date"])
            n += 1
            ok += day
            lang = p["id"].split("/")[0] if key == "fundus" else (r.get("language") or "?")
            total[lang] += 1
            right[lang] += day
            for rule, res in per_rule.items():
                if res.value is not None:
                    stats[rule][0] += 1
                    stats[rule][1] += B.date_scores(res.value.isoformat(), p["date"])[0]
    mode = "visible-only" + (", no URL" if args.no_url else "") if args.visible_only else "pages as recorded"
    print(f"{args.sets}, {args.half} half, {mode}: {n} dated article pages, date day {ok / max(n, 1):.3f}, "
          f"{1000 * elapsed / max(n, 1):.1f} ms/page")
    print("per language: " + " ".join(f"{k} {right[k]}/{total[k]}" for k in sorted(total)))
    print("\n| rule | coverage | precision (day) |\n|---|---|---|")
    for rule, (c, good) in sorted(stats.items(), key=lambda x: -x[1][1] / max(x[1][0], 1)):
        print(f"| {rule} | {c} ({c / max(n, 1):.2f}) | {good / c:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
