"""Extraction benchmark: newscrawler.extract.extract_article vs trafilatura on real recorded pages.

Usage (from the repository root):

    python bench/extraction.py ../shared/realdata [--limit N] [--repeat R] [--sets fundus,aeb,wcxb,chardet]

Sets (see the data folder's MANIFEST.md): ``fundus-test-data`` (title, body, date, authors), ``scrapinghub-aeb``
(body), ``wcxb-test`` (title, body, date, author, page type) and ``chardet-arabic-encodings`` (decoding).

Body: bag of tokens after NFKC, casefold and removal of combining marks; precision / recall / F1 averaged per
page (an empty extraction scores 0). Title: exact match of the word sequence after HTML entities are decoded,
invisible format characters (soft hyphens, zero-width and word joiners) removed and the same normalisation applied,
so punctuation, quote, dash and spacing variants do not count but every word does (no containment). Date: same
calendar day in the ground truth's offset (ground-truth dates without a day are not scored); same minute where the
ground truth has a time. Future dates: dates returned (on any page) later than the fetch time (the recorded crawl
time, else the run's start). Authors: F1 over names normalised like titles. The same normalisation is applied to
both tools and to the ground truth.
On wcxb-test the article metrics use the pages labelled ``article``; page type (article vs the rest) uses all,
with a confusion matrix of the ground-truth type against ours; "body F1, all pages" scores the main text of every
labelled page (listings, products and forums included: a non-article's text is returned too). Article recall: the share of true articles that
extract_article keeps as articles (all fundus and aeb pages, the wcxb ``article`` pages).
Timing: mean milliseconds per page, the median over ``--repeat`` runs.

Halves: every set is split, fixed by page id (``half_of``), into a tuning half and a held-back half. Rules are
tuned on the tuning half only; the held-back half is what the targets are judged on. Both are reported
(``--half tune|held|both|all``; default ``both``).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import json
import os
import re
import statistics
import sys
import time
import unicodedata
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from html import unescape as html_unescape

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from newscrawler.encoding import decode_html  # noqa: E402
from newscrawler.extract import extract_article  # noqa: E402

warnings.filterwarnings("ignore")


# ------------------------------------------------------------------------------------------ normalisation


def norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "").casefold()
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s)


def tokens(s: str | None) -> Counter:
    return Counter(re.findall(r"\w+", norm(s)))


def prf(pred: str | None, gold: str) -> tuple[float, float, float]:
    g, p = tokens(gold), tokens(pred)
    if not p or not g:
        return 0.0, 0.0, 0.0
    common = sum((g & p).values())
    if not common:
        return 0.0, 0.0, 0.0
    pr, rc = common / sum(p.values()), common / sum(g.values())
    return pr, rc, 2 * pr * rc / (pr + rc)


def title_key(s: str | None) -> str:
    """Titles and author names: entities decoded, invisible format characters (soft hyphen, zero-width
    joiners, word joiner) removed so that a hyphenation point does not split a word, then the words of
    ``norm`` joined by one space (punctuation, quotes, dashes and spacing variants do not count)."""
    s = "".join(c for c in html_unescape(s or "") if unicodedata.category(c) != "Cf")
    return " ".join(re.findall(r"\w+", norm(s)))


def author_f1(pred: list[str], gold: list[str]) -> float:
    p = {title_key(a) for a in pred if title_key(a)}
    g = {title_key(a) for a in gold if title_key(a)}
    if not g and not p:
        return 1.0
    if not g or not p:
        return 0.0
    tp = len(p & g)
    if not tp:
        return 0.0
    pr, rc = tp / len(p), tp / len(g)
    return 2 * pr * rc / (pr + rc)


def parse_iso(s: str | None) -> datetime | None:
    if not s:
        return None
    s = s.strip().replace("Z", "+00:00")
    for cand in (s, s[:19], s[:16], s[:10]):
        try:
            return datetime.fromisoformat(cand)
        except ValueError:
            continue
    return None


def date_scores(pred: str | None, gold: str) -> tuple[bool, bool | None]:
    """(same day, same minute or None when the gold has no time)."""
    g = parse_iso(gold)
    p = parse_iso(pred)
    has_time = bool(re.search(r"\d[T ]\d\d:\d\d", gold))
    if g is None:
        return False, None
    if p is None:
        return False, (False if has_time else None)
    if p.tzinfo is not None and g.tzinfo is not None:
        p_local = p.astimezone(g.tzinfo)
    else:
        p_local = p.replace(tzinfo=None)
    day = p_local.date() == g.date()
    if not has_time:
        return day, None
    if p.tzinfo is not None and g.tzinfo is not None:
        minute = abs((p - g).total_seconds()) < 60
    else:
        minute = p.replace(tzinfo=None, second=0, microsecond=0) == g.replace(tzinfo=None, second=0, microsecond=0)
    return day, minute


# ------------------------------------------------------------------------------------------ data sets


def half_of(page_id: str) -> str:
    """``tune`` or ``held``, fixed by the page's id (a path relative to the set, or the set's own id), so the
    split never changes between runs, machines or sessions."""
    return "tune" if hashlib.sha1(page_id.encode()).digest()[0] % 2 == 0 else "held"



def load_fundus(root: str) -> list[dict]:
    base = os.path.join(root, "fundus-test-data", "tests", "resources", "parser", "test_data")
    pages = []
    for country in sorted(glob.glob(os.path.join(base, "*"))):
        meta_path = os.path.join(country, "meta.info")
        meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
        for gt_path in sorted(glob.glob(os.path.join(country, "*.json"))):
            pub = os.path.basename(gt_path)[:-5]
            gt = json.load(open(gt_path))
            htmls = sorted(glob.glob(os.path.join(country, f"{pub}_*.html.gz")))
            versions = sorted(gt, key=lambda v: [int(x) for x in re.findall(r"\d+", v)])
            for ver, html in zip(versions, htmls, strict=False):
                g = gt[ver]
                body = g.get("body") or {}
                parts = list(body.get("summary") or [])
                for sec in body.get("sections") or []:
                    parts += list(sec.get("headline") or []) + list(sec.get("paragraphs") or [])
                m = meta.get(os.path.basename(html), {})
                crawl = parse_iso(m.get("crawl_date"))
                pages.append({
                    "id": os.path.relpath(html, base), "path": html, "url": m.get("url") or "https://example.invalid/",
                    "now": crawl.replace(tzinfo=UTC) if crawl and crawl.tzinfo is None else crawl,
                    "title": g.get("title"), "body": "\n".join(parts), "date": g.get("publishing_date"),
                    "authors": g.get("authors") if "authors" in g else None, "article": True,
                })
    return pages


def load_aeb(root: str) -> list[dict]:
    base = os.path.join(root, "scrapinghub-aeb")
    gt = json.load(open(os.path.join(base, "ground-truth.json")))
    return [{
        "id": k, "path": os.path.join(base, "html", f"{k}.html.gz"), "url": v.get("url") or "https://example.invalid/",
        "now": None, "title": None, "body": v.get("articleBody") or "", "date": None, "authors": None,
        "article": True,
    } for k, v in sorted(gt.items())]


def load_wcxb(root: str) -> list[dict]:
    base = os.path.join(root, "wcxb-test", "test")
    pages = []
    for gt_path in sorted(glob.glob(os.path.join(base, "ground-truth", "*.json"))):
        d = json.load(open(gt_path))
        g = d.get("ground_truth") or {}
        ptype = ((d.get("_internal") or {}).get("page_type") or {}).get("primary") or "article"
        is_art = ptype == "article"
        fid = os.path.basename(gt_path)[:-5]
        author = g.get("author")
        pages.append({
            "id": fid, "path": os.path.join(base, "html", f"{fid}.html.gz"), "url": d.get("url") or "https://example.invalid/",
            "now": None, "title": g.get("title") if is_art else None, "body": g.get("main_content") or "",
            "date": g.get("publish_date") if is_art else None,
            "authors": ([a.strip() for a in re.split(r",| and |;", author) if a.strip()] if author else [])
            if is_art else None,
            "article": is_art, "ptype": ptype,
        })
    return pages


SETS = {
    "fundus": ("fundus-test-data", load_fundus),
    "aeb": ("scrapinghub-aeb", load_aeb),
    "wcxb": ("wcxb-test", load_wcxb),
}


# ------------------------------------------------------------------------------------------ tools


def run_ours(html: bytes, page: dict) -> dict:
    r = extract_article(html, page["url"], now=page.get("now"))
    return {"title": r["title"], "body": r["body"], "date": r["published_at"], "authors": r["authors"],
            "is_article": r["is_article"], "page_type": r["page_type"]}


def run_trafilatura(html: bytes, page: dict) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=page["url"], with_metadata=True,
        date_extraction_params={"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                                "extensive_search": True},
    )
    if doc is None:
        return {"title": None, "body": "", "date": None, "authors": [], "is_article": None}
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in (d.get("author") or "").split(";") if a.strip()]
    return {"title": d.get("title"), "body": d.get("text") or "", "date": d.get("date"), "authors": authors,
            "is_article": None}


TOOLS = {"newscrawler": run_ours, "trafilatura": run_trafilatura}


def score_set(pages: list[dict], tool: str, repeat: int) -> dict:
    fn = TOOLS[tool]
    htmls = [gzip.open(p["path"]).read() for p in pages]
    results: list[dict | None] = [None] * len(pages)
    errors = 0
    means = []
    for r in range(repeat):
        total = 0.0
        for i, (p, h) in enumerate(zip(pages, htmls, strict=True)):
            t0 = time.perf_counter()
            try:
                out = fn(h, p)
            except Exception:
                out = None
            total += time.perf_counter() - t0
            if r == 0:
                if out is None:
                    errors += 1
                results[i] = out
        means.append(1000 * total / max(len(pages), 1))
    acc: dict[str, list] = {k: [] for k in ("p", "r", "f", "title", "day", "minute", "authors", "ptype", "keep",
                                            "f_all")}
    confusion: Counter = Counter()
    future = 0
    run_start = datetime.now(UTC)
    for p, out in zip(pages, results, strict=True):
        out = out or {"title": None, "body": "", "date": None, "authors": [], "is_article": None}
        # A date after the fetch (the recorded crawl time, or this run for sets without one) is always wrong.
        returned = parse_iso(out["date"])
        if returned is not None:
            fetched = p.get("now") or run_start
            if returned.tzinfo is None or fetched.tzinfo is None:
                returned, fetched = returned.replace(tzinfo=None), fetched.replace(tzinfo=None)
            future += returned > fetched + timedelta(minutes=5)
        if "ptype" in p and out["is_article"] is not None:
            acc["ptype"].append(out["is_article"] == p["article"])
            confusion[(p["ptype"], out.get("page_type") or "?")] += 1
        if p["article"] and out["is_article"] is not None:
            # Article recall: the share of true articles the crawler keeps (a false "not an article" loses a story).
            acc["keep"].append(bool(out["is_article"]))
        if p["body"] and "ptype" in p:
            # Every page's main text, listings and product pages included (wcxb labels them all).
            acc["f_all"].append(prf(out["body"], p["body"])[2])
        if not p["article"]:
            continue
        if p["body"]:
            pr, rc, f = prf(out["body"], p["body"])
            acc["p"].append(pr)
            acc["r"].append(rc)
            acc["f"].append(f)
        if p.get("title"):
            acc["title"].append(title_key(out["title"]) == title_key(p["title"]))
        # A ground-truth date without a day (wcxb has one `2015-11`) cannot be matched to a day: not scored.
        if p.get("date") and parse_iso(p["date"]) is not None:
            day, minute = date_scores(out["date"], p["date"])
            acc["day"].append(day)
            if minute is not None:
                acc["minute"].append(minute)
        if p.get("authors") is not None and (p["authors"] or tool):
            if p["authors"]:
                acc["authors"].append(author_f1(out["authors"] or [], p["authors"]))
    res = {k: (sum(v) / len(v) if v else None) for k, v in acc.items()}
    res["n"] = len(pages)
    res["n_body"] = len(acc["f"])
    res["ms"] = statistics.median(means)
    res["errors"] = errors
    res["future"] = future
    res["confusion"] = confusion
    return res


def fmt(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def print_table(name: str, rows: dict[str, dict]) -> None:
    print(f"\n### {name}\n")
    print("| tool | pages | body P | body R | body F1 | title acc | date day | date minute | authors F1 | "
          "page type acc | article recall | body F1, all pages | future dates | ms/page | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for tool, r in rows.items():
        print(f"| {tool} | {r['n']} | {fmt(r['p'])} | {fmt(r['r'])} | {fmt(r['f'])} | {fmt(r['title'])} | "
              f"{fmt(r['day'])} | {fmt(r['minute'])} | {fmt(r['authors'])} | {fmt(r['ptype'])} | "
              f"{fmt(r['keep'])} | {fmt(r['f_all'])} | {r['future']} | {fmt(r['ms'], 1)} | {r['errors']} |")
    for tool, r in rows.items():
        if r["confusion"]:
            print_confusion(tool, r["confusion"])


def print_confusion(tool: str, confusion: Counter) -> None:
    """Ground-truth page type (rows) against the page_type returned (columns)."""
    gold = sorted({g for g, _ in confusion}, key=lambda g: (g != "article", g))
    pred = sorted({p for _, p in confusion}, key=lambda p: (p != "article", p))
    print(f"\n{tool} page types (rows: ground truth, columns: page_type returned; article vs the rest is what "
          "the crawl acts on)\n")
    print("| ground truth | " + " | ".join(pred) + " | kept as article |")
    print("|---|" + "---|" * (len(pred) + 1))
    for g in gold:
        n = sum(confusion[(g, p)] for p in pred)
        print(f"| {g} | " + " | ".join(str(confusion[(g, p)]) for p in pred)
              + f" | {confusion[(g, 'article')]}/{n} |")


def bench_chardet(root: str) -> tuple[int, int] | None:
    import codecs

    base = os.path.join(root, "chardet-arabic-encodings", "tests")
    if not os.path.isdir(base):
        return None
    ok = n = 0
    for d in sorted(os.listdir(base)):
        expected = codecs.lookup(d.replace("-arabic", "")).name
        for f in sorted(os.listdir(os.path.join(base, d))):
            body = open(os.path.join(base, d, f), "rb").read()
            text, enc = decode_html(body)
            try:
                got = codecs.lookup(enc).name
            except LookupError:
                got = enc
            # Right when the label matches, or the text equals the reference decoding.
            ok += got == expected or text == body.decode(expected, "replace")
            n += 1
    return ok, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    ap.add_argument("--limit", type=int, default=0, help="pages per set (0 = all)")
    ap.add_argument("--repeat", type=int, default=1, help="timing runs per tool; the median is reported")
    ap.add_argument("--sets", default="fundus,aeb,wcxb,chardet")
    ap.add_argument("--tools", default="newscrawler,trafilatura")
    ap.add_argument("--half", choices=("tune", "held", "both", "all"), default="both",
                    help="which half of each set: the tuning half, the held-back half, both side by side, or all")
    args = ap.parse_args(argv)
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    summary = []
    for key in wanted:
        if key == "chardet":
            continue
        folder, loader = SETS[key]
        if not os.path.isdir(os.path.join(args.data_dir, folder)):
            print(f"\n### {folder}\n\nMISSING: {os.path.join(args.data_dir, folder)} not found; set skipped.")
            summary.append(f"{folder}: missing")
            continue
        pages = loader(args.data_dir)
        if args.limit:
            pages = pages[: args.limit]
        halves = ("tune", "held") if args.half == "both" else (args.half,)
        for half in halves:
            part = pages if half == "all" else [p for p in pages if half_of(p["id"]) == half]
            label = folder if half == "all" else f"{folder} ({'tuning' if half == 'tune' else 'held-back'} half)"
            rows = {t: score_set(part, t, args.repeat) for t in tools}
            print_table(label, rows)
            summary.append(f"{label}: " + ", ".join(
                f"{t} F1 {fmt(r['f'])} date {fmt(r['day'])}"
                + (f" article recall {fmt(r['keep'])}" if r["keep"] is not None else "")
                + (f" page type acc {fmt(r['ptype'])}" if r["ptype"] is not None else "")
                for t, r in rows.items()))
    if "chardet" in wanted:
        res = bench_chardet(args.data_dir)
        if res is None:
            print("\n### chardet-arabic-encodings\n\nMISSING: set not found; skipped.")
            summary.append("chardet-arabic-encodings: missing")
        else:
            print(f"\n### chardet-arabic-encodings\n\ndecode_html: {res[0]}/{res[1]} files decoded with the right "
                  f"charset ({res[0] / max(res[1], 1):.3f})")
            summary.append(f"decoding {res[0]}/{res[1]}")
    print("\nSUMMARY: " + " | ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
