"""Randomised worlds: the real `newscrawler crawl` against fresh template-randomised sites (docs/world.md).

    python bench/world.py [--seeds 11,12,13,14,15 | --count 5] [--articles 40]

For every seed it builds the world (`newscrawler.world`), serves it on 127.0.0.1 and crawls it twice with the
`newscrawler crawl` command in a subprocess, each time into a fresh SQLite file:

- scheduled: no `--since`; scored on the articles a scheduled run must find (linked from the configured feeds
  and from the first two pages of each configured listing);
- since: `--since DATE` with DATE a day before the oldest article; scored on every article (printed as
  "not supported" when the command does not know `--since` yet).

Scores (per seed, then the median over seeds): coverage of the expected article pages; over the stored
articles of the world: title (word sequence equal, `title_key`), body F1 (token bag, `prf`), date within the
same minute (`date_scores`), `source_url` (same `url_key`), `source_name` (same words); the share of stored
rows that are no article of the world; duplicate precision/recall over pairs of stored articles (the
crawler's clusters, `coalesce(duplicate_of, id)`, against the generator's story groups). Title, body and date
are scored against the ground truth through the same functions as bench/extraction.py. Default seeds are drawn
at random on every run and printed, so nobody can tune to them; `--seeds` repeats a run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.extraction import date_scores, prf, title_key  # noqa: E402
from newscrawler.text import display_clean  # noqa: E402
from newscrawler.urls import url_key  # noqa: E402
from newscrawler.world import ground_truth, world_server  # noqa: E402

# A loopback server needs no politeness; one extraction worker as a default crawl on 2+ cores.
CRAWL_SETTINGS = {"DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "NEWSCRAWLER_PROGRESS_INTERVAL": "0",
                  "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": "0"}
METRICS = ["coverage", "title", "body_f1", "date", "source_url", "source_name", "non_articles", "dup_precision",
           "dup_recall"]
TARGETS = {"coverage": 0.98, "title": 0.98, "body_f1": 0.97, "date": 0.97, "source_url": 1.0, "source_name": 0.98}


def crawl_command(config: Path, db: Path, since: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config), "--db", str(db)]
    if since:
        cmd += ["--since", since]
    for key, value in CRAWL_SETTINGS.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def supports_since() -> bool:
    out = subprocess.run([sys.executable, "-m", "newscrawler.cli", "crawl", "--help"], capture_output=True,
                         text=True, cwd=ROOT, env=_env())
    return "--since" in out.stdout


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_crawl(config: Path, db: Path, since: str | None = None) -> float:
    started = time.perf_counter()
    out = subprocess.run(crawl_command(config, db, since), capture_output=True, text=True, cwd=ROOT, env=_env(),
                         timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"crawl failed ({out.returncode}): {out.stderr[-2000:]}")
    return time.perf_counter() - started


def since_date(manifest: dict[str, Any]) -> str:
    """A day before the oldest article of the world."""
    oldest = min(datetime.fromisoformat(r["published"]) for r in ground_truth(manifest).values())
    return (oldest - timedelta(days=1)).date().isoformat()


def expected_urls(manifest: dict[str, Any], *, since: bool) -> set[str]:
    truth = ground_truth(manifest)
    return set(truth) if since else {u for u, r in truth.items() if r["reach"] != "deep"}


def _rows(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM articles")]
    finally:
        conn.close()


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_run(db: Path, manifest: dict[str, Any], expected: set[str]) -> dict[str, Any]:
    """Scores of one crawl's database against the world's ground truth (also per template family)."""
    truth = ground_truth(manifest)
    by_key = {url_key(u): r for u, r in truth.items()}
    rows = _rows(db)
    matched: dict[str, dict[str, Any]] = {}  # truth url -> row
    extra = 0
    for row in rows:
        rec = by_key.get(row["url_key"]) or by_key.get(row.get("fetched_url_key") or "")
        if rec is None:
            extra += 1
        else:
            matched[rec["url"]] = row
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for url in expected:
        per[truth[url]["family"]]["coverage"].append(float(url in matched))
    for url, row in matched.items():
        rec = truth[url]
        fam = per[rec["family"]]
        fam["title"].append(float(title_key(row["title"]) == title_key(display_clean(rec["title"]))))
        fam["body_f1"].append(prf(row["body"], display_clean(rec["body"], multiline=True))[2])
        fam["date"].append(float(bool(date_scores(row["published_at"], rec["published"])[1])))
        fam["source_url"].append(float(url_key(row["source_url"] or "") == url_key(rec["source_url"])))
        fam["source_name"].append(float(title_key(row["source_name"]) == title_key(rec["source_name"])))
    result: dict[str, Any] = {"stored": len(rows), "articles_stored": len(matched), "expected": len(expected)}
    for m in METRICS[:6]:
        result[m] = _mean([v for fam in per.values() for v in fam[m]])
    result["non_articles"] = extra / len(rows) if rows else 0.0
    result.update(_dup_scores(matched, truth))
    result["families"] = {f: {m: _mean(v) for m, v in d.items()} for f, d in sorted(per.items())}
    for f, d in per.items():  # the worst page of a family shows a systematic miss that a mean can hide
        result["families"][f]["body_f1_min"] = min(d["body_f1"]) if d["body_f1"] else None
    return result


def _dup_scores(matched: dict[str, dict[str, Any]], truth: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Pairwise precision/recall of the crawler's duplicate clusters against the story groups."""
    def pairs(cluster_of: dict[str, Any]) -> set[tuple[str, str]]:
        groups: dict[Any, list[str]] = defaultdict(list)
        for url, c in cluster_of.items():
            groups[c].append(url)
        return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}

    predicted = pairs({u: r["duplicate_of"] or r["id"] for u, r in matched.items()})
    true = pairs({u: truth[u]["story"] for u in matched})
    both = len(predicted & true)
    return {"dup_precision": both / len(predicted) if predicted else None,
            "dup_recall": both / len(true) if true else None, "dup_pairs": len(true)}


def run_seed(seed: int, articles: int, since_ok: bool, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"seed": seed}
    with world_server(seed=seed, articles_per_site=articles) as server:
        manifest = server.manifest()
        config = tmp / f"world-{seed}.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp / f"world-{seed}-scheduled.db"
        seconds = run_crawl(config, db)
        out["scheduled"] = {**score_run(db, manifest, expected_urls(manifest, since=False)), "seconds": seconds}
        if since_ok:
            db = tmp / f"world-{seed}-since.db"
            seconds = run_crawl(config, db, since_date(manifest))
            out["since"] = {**score_run(db, manifest, expected_urls(manifest, since=True)), "seconds": seconds}
    return out


def fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def print_table(results: list[dict[str, Any]], since_ok: bool) -> None:
    head = ["seed", "run", *METRICS, "stored", "s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    runs = ["scheduled", "since"]
    for r in results:
        for run in runs:
            if run not in r:
                print(f"| {r['seed']} | {run} | since: not supported |" + " |" * (len(head) - 3))
                continue
            s = r[run]
            print(f"| {r['seed']} | {run} | " + " | ".join(fmt(s[m]) for m in METRICS)
                  + f" | {s['stored']} | {s['seconds']:.1f} |")
    for run in runs:
        have = [r[run] for r in results if run in r]
        if not have:
            print(f"| **median** | {run} | since: not supported |" + " |" * (len(head) - 3))
            continue
        med = [statistics.median(v) if (v := [h[m] for h in have if h[m] is not None]) else None for m in METRICS]
        print(f"| **median** | {run} | " + " | ".join(f"**{fmt(v)}**" for v in med) + " | | |")


def print_families(results: list[dict[str, Any]]) -> None:
    """Mean per template family over all seeds (the scheduled run, and --since when it ran)."""
    for run in ("scheduled", "since"):
        fams: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for r in results:
            for fam, scores in r.get(run, {}).get("families", {}).items():
                for m, v in scores.items():
                    if v is not None:
                        fams[fam][m].append(v)
        if not fams:
            continue
        cols = METRICS[:6]
        print(f"\nper family ({run}, mean over seeds)\n\n| family | " + " | ".join(cols) + " |")
        print("|" + "---|" * (len(cols) + 1))
        for fam, d in sorted(fams.items()):
            print(f"| {fam} | " + " | ".join(fmt(_mean(d[m])) for m in cols) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", help="comma-separated seeds (default: --count seeds drawn at random)")
    ap.add_argument("--count", type=int, default=5, help="number of random seeds (default 5)")
    ap.add_argument("--articles", type=int, default=40, help="articles per site (default 40)")
    ap.add_argument("--json", help="also write the full results as JSON to this file")
    ap.add_argument("--keep", metavar="DIR", help="keep the sources files and databases in DIR (to inspect them)")
    args = ap.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else \
            random.SystemRandom().sample(range(1, 1_000_000), args.count)
    except ValueError:
        print(f"bench/world.py: --seeds expects integers separated by commas, got {args.seeds!r}", file=sys.stderr)
        return 2
    since_ok = supports_since()
    print(f"seeds: {','.join(map(str, seeds))}  articles per site: {args.articles}  "
          f"--since: {'supported' if since_ok else 'not supported'}")
    results = []
    with tempfile.TemporaryDirectory(prefix="newscrawler-world-") as tmp:
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            tmp = args.keep
        for seed in seeds:
            results.append(run_seed(seed, args.articles, since_ok, Path(tmp)))
            s = results[-1]["scheduled"]
            print(f"seed {seed}: scheduled crawl {s['seconds']:.1f} s, {s['stored']} rows", flush=True)
    print()
    print_table(results, since_ok)
    print_families(results)
    print(f"\ntargets: {', '.join(f'{k} >= {v}' for k, v in TARGETS.items())}, non_articles <= 0.01")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
