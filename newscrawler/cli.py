"""The `newscrawler` command: demo, crawl, seed, ingest, schedule, extract, sources, stats, health, search, export,
serve, dedup, stories."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newscrawler.sources import DEFAULT_SOURCES, SourceConfigError, load_sources

if TYPE_CHECKING:
    from newscrawler.store import ReadOnlyStore

DEFAULT_DB = "data/news.db"


def crawl_settings(db: str, config: str | None, overrides: dict[str, Any] | None = None) -> Any:
    """Scrapy settings for a crawl: newscrawler.settings plus the command's options."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    settings.set("NEWSCRAWLER_DB", db, priority="cmdline")
    if config:
        settings.set("NEWSCRAWLER_SOURCES", config, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(*, db: str, config: str | None = None, sources: str | None = None,
              overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the news spider to completion in this process; returns the crawl_runs row."""
    from scrapy.crawler import CrawlerProcess

    from newscrawler.runlock import RunLock
    from newscrawler.spiders.news import NewsSpider

    Path(db).parent.mkdir(parents=True, exist_ok=True)
    with RunLock(db) as lock:  # RunLocked when another crawl has this database
        if lock.previous:
            print(f"newscrawler: took over the run lock of pid {lock.previous.get('pid')} (started "
                  f"{lock.previous.get('started_at')}), which ended without releasing it", file=sys.stderr)
        process = CrawlerProcess(crawl_settings(db, config, overrides))
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, sources=sources, config=config)
        process.start()
    run = crawler.stats.get_value("newscrawler/run") or {}
    if run:
        # Scrapy's own start-to-finish time (float seconds; the run row's timestamps are whole seconds).
        run["elapsed_seconds"] = crawler.stats.get_value("elapsed_time_seconds")
    return run


def _parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"newscrawler: -s expects KEY=VALUE, got {pair!r}")
        overrides[key] = value
    return overrides


# -- commands ------------------------------------------------------------------------------------


def cmd_crawl(args: argparse.Namespace) -> int:
    from newscrawler.backfill import parse_since
    from newscrawler.revisits import parse_hours

    overrides = _parse_overrides(args.set)
    redis_url = args.redis or os.environ.get("NEWSCRAWLER_REDIS_URL") or ""
    if args.idle_exit is not None and not redis_url:
        raise CommandError("--idle-exit is for a worker of a distributed crawl (with --redis URL)")
    if redis_url:
        return _distributed(lambda: _worker(args, redis_url, overrides))
    if args.since is not None:
        overrides["NEWSCRAWLER_SINCE"] = args.since
    if args.due:
        overrides["NEWSCRAWLER_DUE_ONLY"] = "1"
    try:
        load_sources(args.config, only=_split(args.sources))  # fail fast, before Scrapy starts
        parse_since(overrides.get("NEWSCRAWLER_SINCE"))
        parse_hours(overrides.get("NEWSCRAWLER_REVISIT_HOURS"))
    except (SourceConfigError, ValueError) as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return 2
    check_writable_db(args.db)
    return _crawl_and_report(db=args.db, config=args.config, sources=args.sources, overrides=overrides)


def _distributed(command: Any) -> int:
    """Run a distributed command; a bad --redis URL or a Redis that does not answer is one line, exit code 2."""
    from newscrawler.distributed.redis_url import RedisUnreachable, RedisUrlError

    try:
        return int(command())
    except (RedisUrlError, RedisUnreachable, SourceConfigError) as exc:
        raise CommandError(str(exc)) from None


def _worker(args: argparse.Namespace, redis_url: str, overrides: dict[str, Any]) -> int:
    from newscrawler.distributed.worker import run_worker

    if args.since is not None or args.due:
        raise CommandError("--since and --due are for a single crawl; a distributed crawl is scheduled by `seed`")
    if args.idle_exit is not None and args.idle_exit < 0:
        raise CommandError("--idle-exit SECONDS must be 0 or more")
    load_sources(args.config, only=_split(args.sources))  # fail fast, before Scrapy starts
    return run_worker(redis_url, config=args.config, sources=args.sources, overrides=overrides,
                      idle_exit=args.idle_exit or 0.0)


def cmd_seed(args: argparse.Namespace) -> int:
    redis_url = args.redis or os.environ.get("NEWSCRAWLER_REDIS_URL") or ""
    if not redis_url:
        raise CommandError("seed needs --redis URL (or NEWSCRAWLER_REDIS_URL)")
    return _distributed(lambda: _seed(args, redis_url))


def _seed(args: argparse.Namespace, redis_url: str) -> int:
    from newscrawler.distributed.redis_url import RedisKeys, connect
    from newscrawler.distributed.seed import seed

    sources = load_sources(args.config, only=_split(args.sources))
    settings = crawl_settings(DEFAULT_DB, args.config, _parse_overrides(args.set))
    client = connect(redis_url)

    def report(counts: dict[str, int]) -> None:
        print(", ".join(f"{name} {count}" for name, count in counts.items()), flush=True)

    seed(client, RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")), sources, watch=args.watch,
         lease_seconds=settings.getfloat("NEWSCRAWLER_WORKER_LEASE_SECONDS"),
         interval=settings.getfloat("NEWSCRAWLER_SEED_INTERVAL"),
         min_interval=settings.getfloat("NEWSCRAWLER_POLL_MIN_MINUTES") * 60, report=report)
    return 0
def cmd_schedule(args: argparse.Namespace) -> int:
    from newscrawler.schedule import Schedule

    overrides = _parse_overrides(args.set)
    try:
        sources = load_sources(args.config, only=_split(args.sources))  # fail fast, not in every run
    except SourceConfigError as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return 2
    if args.min_wait < 0 or (args.max_runs is not None and args.max_runs < 1):
        raise CommandError("--min-wait must be 0 or more and --max-runs 1 or more")
    check_writable_db(args.db)
    argv = [sys.executable, "-m", "newscrawler.cli", "crawl", "--due", "--db", args.db]
    argv += ["--config", args.config] if args.config else []
    argv += ["--sources", args.sources] if args.sources else []
    argv += [a for key, value in overrides.items() for a in ("-s", f"{key}={value}")]
    start_urls = [url for source in sources for _, url in source.start_urls]
    return Schedule(db=args.db, start_urls=start_urls, source_ids=[source.id for source in sources], crawl_argv=argv,
                    min_wait=args.min_wait, max_runs=args.max_runs).run()


def _crawl_and_report(*, db: str, config: str | None, sources: str | None = None,
                      overrides: dict[str, Any] | None = None) -> int:
    """Run a crawl, print its summary and return the exit code (docs/operators.md, "Exit codes")."""
    from newscrawler import exitcodes
    from newscrawler.runlock import RunLocked

    try:
        run = run_crawl(db=db, config=config, sources=sources, overrides=overrides)
    except RunLocked as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return exitcodes.LOCKED
    print_run_summary(run, db)
    problems = exitcodes.crawl_problems(run)
    for problem in problems:
        print(f"newscrawler: unhealthy run: {problem}", file=sys.stderr)
    return exitcodes.UNHEALTHY if problems else exitcodes.OK


def check_writable_db(db: str) -> None:
    """Before a crawl starts: ``db`` is a SQLite file (or an empty or missing one) this user can write, in a folder
    that exists or can be made. Else a `CommandError` (exit 2), not a traceback from inside Scrapy."""
    path = Path(db)
    if path.is_dir():
        raise CommandError(f"--db {db} is a folder; give a file name, e.g. {path / 'news.db'}")
    if path.exists():
        with open(path, "rb") as handle:
            header = handle.read(16)
        if header and header != b"SQLite format 3\x00":
            raise CommandError(f"--db {db} is not a SQLite database; give another file name")
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise CommandError(f"--db {db} is read-only; crawl into a file (and folder) you can write")
        return
    folder = next((p for p in path.absolute().parents if p.exists()), None)
    if folder is None or not os.access(folder, os.W_OK):
        raise CommandError(f"cannot create --db {db}: its folder is not writable")


DEMO_PORT = 8701  # fixed ports (8701-8704) keep demo URLs stable, so a second `newscrawler demo` is incremental


def cmd_demo(args: argparse.Namespace) -> int:
    from newscrawler.demo import DemoServer

    server = DemoServer(articles_per_site=args.articles, port=None if args.any_port else DEMO_PORT)
    try:
        server.start()
    except OSError:
        print(f"Ports {DEMO_PORT}-{DEMO_PORT + 3} are busy; serving the demo on free ports instead.")
        server = DemoServer(articles_per_site=args.articles).start()
    with server:
        config = Path(args.db).parent / "demo-sources.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(server.sources_toml(), encoding="utf-8")
        print(f"Demo sites serving on {', '.join(server.base_urls.values())} (sources in {config})")
        return _crawl_and_report(db=args.db, config=str(config), overrides=DEMO_SETTINGS)


# Loopback servers need no politeness; the real defaults stay for `newscrawler crawl`. No page cap: the demo's
# sites are as big as --articles says, and the demo crawls them whole.
DEMO_SETTINGS = {
    "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "NEWSCRAWLER_PROGRESS_INTERVAL": 1, "NEWSCRAWLER_PROGRESS_ECHO": True, "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS": 0,
    "NEWSCRAWLER_MAX_PAGES_PER_SOURCE": 0, "LOG_LEVEL": "WARNING",
}


def cmd_extract(args: argparse.Namespace) -> int:
    from newscrawler.extract import extract_article

    target = args.target
    if target.startswith(("http://", "https://")):
        import urllib.parse
        import urllib.request

        from newscrawler.settings import USER_AGENT

        if not urllib.parse.urlsplit(target).hostname:
            raise CommandError(f"not a URL: {target}")
        request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the user's URL
            body = response.read()
        url = args.url or target
    else:
        path = Path(target)
        if not path.exists():
            print(f"newscrawler: no such file: {target}", file=sys.stderr)
            return 2
        body = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            body = gzip.decompress(body)
        url = args.url or path.resolve().as_uri()
    article = extract_article(body, url)
    json.dump(article, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    try:
        sources = load_sources(args.config, only=[args.source_id] if args.source_id else None)
    except SourceConfigError as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return 2
    if args.action == "test":
        return _test_sources(sources)
    path = args.config or DEFAULT_SOURCES
    print(f"{len(sources)} sources in {path}: all valid")
    for s in sources:
        print(f"  {s.id:<14} {s.kind:<10} {s.homepage:<34} feeds {len(s.feeds)}  sitemaps {len(s.sitemaps)}  "
              f"listings {len(s.listings)}  {s.name}")
    return 0


def _test_sources(sources: list[Any]) -> int:
    from newscrawler.canary import check_source, format_report

    failed = 0
    for source in sources:
        report = check_source(source)
        print(format_report(report))
        failed += not report.ok
    return 1 if failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    from newscrawler.store import StoreError

    try:
        with _reader(args.db) as store:
            rows = store.stats()
    except StoreError as exc:
        return _db_error(exc)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        return 0
    print_table(rows)
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    from newscrawler import exitcodes
    from newscrawler.health import Thresholds, database_health, prometheus_text, write_atomically
    from newscrawler.store import StoreError

    if args.down_after < 1:
        print("newscrawler: --down-after must be 1 or more", file=sys.stderr)
        return exitcodes.USAGE
    try:
        with _reader(args.db) as store:
            report = database_health(store.conn, sources=_split(args.sources),
                                     thresholds=Thresholds(down_after=args.down_after))
    except StoreError as exc:
        return _db_error(exc)
    if args.prometheus:
        try:
            write_atomically(args.prometheus, prometheus_text(report))
        except OSError as exc:
            print(f"newscrawler: cannot write {args.prometheus}: {exc.strerror or exc}", file=sys.stderr)
            return exitcodes.USAGE
    if args.json:
        json.dump([h.as_dict() for h in report], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_health(report)
    return exitcodes.UNHEALTHY if any(h.flags for h in report) else exitcodes.OK


def print_health(report: list[Any]) -> None:
    if not report:
        print("(no sources in this database)")
        return
    rows = []
    for h in report:
        shares = " ".join(f"{k} {'-' if v is None else f'{v:.0%}'}" for k, v in h.completeness.items())
        rows.append({"source_id": h.source_id, "flags": ",".join(h.flags) or "ok",
                     "last_success": h.last_success or "never",
                     "newest_h": "" if h.newest_article_age_hours is None else h.newest_article_age_hours,
                     "new_7d": sum(h.new_per_day), "per_day": "/".join(map(str, h.new_per_day)),
                     "complete": shares, "failures": h.consecutive_failures, "pending": h.pending,
                     "expired": h.expired})
    print_table(rows)
    for h in report:
        for flag, why in h.why.items():
            print(f"{h.source_id} {flag}: {why}")


def cmd_search(args: argparse.Namespace) -> int:
    from newscrawler.store import StoreError
    from newscrawler.store.filters import ArticleFilter

    options: dict[str, Any] = {"source": args.source, "since": args.since, "until": args.until,
                               "originals_only": args.originals, "stem": args.stem}
    try:
        with _reader(args.db) as store:
            store.check_filter(ArticleFilter(source=args.source, since=args.since, until=args.until))
            rows, total = store.search_page(args.query, limit=args.limit, snippets=True, **options)
    except StoreError as exc:
        return _db_error(exc)
    except ValueError as exc:  # FilterError: a bad date or an unknown source
        return _db_error(exc)
    if args.json:
        json.dump({"query": args.query, "total": total, "results": rows}, sys.stdout, ensure_ascii=False,
                  indent=2, default=str)
        print()
        return 0
    for row in rows:
        date = (row.get("published_at") or row.get("first_seen_at") or "")[:16].replace("T", " ")
        outlet = row.get("outlet") or row.get("source_name") or row.get("source_id") or ""
        copy = f"  (copy of #{row['duplicate_of']})" if row.get("duplicate_of") else ""
        print(f"#{row['id']}  {row['title']}")
        print(f"    {outlet} ({row.get('source_id')})  {date}{copy}")
        print(f"    {row['url']}")
        if row.get("source_url") and row["source_url"] != row["url"]:
            print(f"    original: {row['source_url']}" + (f" ({row['source_name']})" if row.get("source_name") else ""))
        if row.get("snippet"):
            print(f"    {row['snippet']}")
    more = f", showing the first {len(rows)} (--limit)" if total > len(rows) else ""
    print(f"{total} result(s) in all{more}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from newscrawler.export import export_articles, parquet_module, parse_fields
    from newscrawler.store import StoreError
    from newscrawler.store.filters import ArticleFilter

    try:
        store = _reader(args.db)  # before the output file: a bad --db leaves nothing behind
    except StoreError as exc:
        return _db_error(exc)
    with store:
        try:  # every option checked before the output file is created
            fields = parse_fields(args.fields)
            store.check_filter(ArticleFilter(source=args.source, since=args.since, until=args.until))
            if args.bom and args.format != "csv":
                raise ValueError("--bom is for --format csv (a BOM is not valid at the start of JSON Lines)")
            if args.limit is not None and args.limit < 0:
                raise ValueError("--limit must be 0 or more")
            if args.format == "parquet":
                parquet_module()  # the optional extra, before anything is written
        except ValueError as exc:
            return _db_error(exc)
        if args.output and not Path(args.output).absolute().parent.is_dir():
            raise CommandError(f"no folder {Path(args.output).parent} for -o {args.output}; create it first")
        binary = args.format == "parquet"
        out: IO[Any]
        if args.output:
            out = open(args.output, "wb") if binary else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        else:
            out = sys.stdout.buffer if binary else sys.stdout
        try:
            count = export_articles(store, out, fmt=args.format, source=args.source, since=args.since,
                                    until=args.until, originals_only=args.originals, fields=fields,
                                    limit=args.limit, bom=args.bom)
        finally:
            if args.output:
                out.close()
            else:
                out.flush()
    print(f"{count} articles exported", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import importlib.util

    from newscrawler.store import StoreError

    try:
        _reader(args.db).close()  # a missing or unusable database is one line here, not Datasette's traceback
    except StoreError as exc:
        return _db_error(exc)
    if importlib.util.find_spec("datasette") is None:
        print("newscrawler: serve needs Datasette: pip install 'newscrawler[serve]'", file=sys.stderr)
        return 2
    from newscrawler.serve import serve

    print(f"Serving {args.db} read-only on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    return serve(Path(args.db), host=args.host, port=args.port)


def cmd_ingest(args: argparse.Namespace) -> int:
    """The one writer of a distributed crawl (newscrawler.distributed.ingest): exit 0 after SIGTERM/SIGINT or
    --idle-exit, 1 when a write failed or Redis was lost, 2 on a bad option, Redis or database, 3 when locked."""
    import logging

    from newscrawler import exitcodes
    from newscrawler.distributed.redis_url import RedisUrlError, check_redis_url
    from newscrawler.runlock import RunLocked

    overrides = _parse_overrides(args.set)
    settings = crawl_settings(args.db, None, overrides)
    url = args.redis or os.environ.get("NEWSCRAWLER_REDIS_URL") or settings.get("NEWSCRAWLER_REDIS_URL")
    if not url:
        raise CommandError("ingest needs --redis redis://HOST:PORT/DB (or NEWSCRAWLER_REDIS_URL)")
    try:
        check_redis_url(url)
    except RedisUrlError as exc:
        raise CommandError(str(exc)) from None
    if args.batch is not None and args.batch < 1:
        raise CommandError("--batch must be 1 or more")
    if args.idle_exit is not None and args.idle_exit < 0:
        raise CommandError("--idle-exit must be 0 or more seconds")
    try:  # the crawl's sources: their rows in the database, and the sources of each ingest run (health)
        sources = [s.as_row() for s in load_sources(args.config, only=_split(args.sources))]
    except SourceConfigError as exc:
        raise CommandError(str(exc)) from None
    check_writable_db(args.db)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    try:
        from newscrawler.distributed.ingest import IngestError, IngestOptions, run_ingest
    except ImportError as exc:  # redis-py is the optional extra
        raise CommandError(f"ingest needs the [redis] extra: pip install 'newscrawler[redis]' ({exc})") from None
    logging.basicConfig(level=settings.get("LOG_LEVEL") or "INFO", stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    options = IngestOptions.from_settings(settings, redis_url=url, db=args.db, batch=args.batch,
                                          idle_exit=args.idle_exit, sources=sources)
    try:
        result = run_ingest(options)
    except IngestError as exc:
        raise CommandError(str(exc)) from None
    except RunLocked as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return exitcodes.LOCKED
    run, stats = result.run, result.stats
    items = int(stats.get("newscrawler/ingest/items", 0))
    print(f"Ingest run {run.get('id', '?')} ({result.status}): {items} items from "
          f"{stats.get('newscrawler/ingest/entries', 0)} stream entries in {result.seconds:.1f} s; articles new "
          f"{run.get('articles_new')}, re-seen {run.get('articles_seen')}, duplicates {run.get('duplicates')}, "
          f"headlines new {run.get('headlines_new')}, listings/feeds {run.get('pages')}, rejects {run.get('rejects')}; "
          f"undecodable {stats.get('newscrawler/ingest/undecodable', 0)}, failed "
          f"{stats.get('newscrawler/ingest/items_failed', 0)}")
    return result.exit_code
def cmd_dedup(args: argparse.Namespace) -> int:
    """``dedup --explain ID``: the article's story, the rule that made it (not) a duplicate, its nearest candidates."""
    from newscrawler.store import StoreError
    from newscrawler.store.explain import NotFound, explain, render

    try:
        with _reader(args.db) as store:
            report = explain(store.conn, args.explain)
    except (StoreError, NotFound) as exc:
        return _db_error(exc)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        print(render(report))
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    """``stories --rebuild [--since DATE]``: recompute the window's stories (store.rebuild) under the run lock."""
    from newscrawler import exitcodes
    from newscrawler.runlock import RunLock, RunLocked
    from newscrawler.store import Store
    from newscrawler.store.filters import FilterError, date_bound

    if not Path(args.db).is_file():
        raise CommandError(f"no database at --db {args.db}; crawl first or give another path")
    check_writable_db(args.db)
    try:
        since = date_bound(args.since, "--since") if args.since else None
    except FilterError as exc:
        return _db_error(exc)
    try:
        with RunLock(args.db), Store(args.db) as store:
            counts = store.rebuild_stories(since=since)
    except RunLocked as exc:
        print(f"newscrawler: {exc}", file=sys.stderr)
        return exitcodes.LOCKED
    window = f"since {args.since}" if args.since else "all articles"
    print(f"stories rebuilt ({window}): {counts['articles']} articles in {counts['stories']} stories, "
          f"{counts['changed']} articles moved, {counts['headlines']} headlines joined by title")
    return 0


def _reader(db: str) -> ReadOnlyStore:
    """The read-only store: readers never create, migrate or write the database (``ReaderError`` otherwise)."""
    from newscrawler.store import ReadOnlyStore

    return ReadOnlyStore(db)


def _db_error(exc: Exception) -> int:
    print(f"newscrawler: {exc}", file=sys.stderr)
    return 2


# -- output --------------------------------------------------------------------------------------


def print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("(nothing stored yet)")
        return
    columns = [c for c in rows[0] if not isinstance(rows[0][c], dict | list)]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    for row in rows:
        nested = {k: v for k, v in row.items() if isinstance(v, dict) and v}
        for key, value in nested.items():
            print(f"{row.get('source_id', '')} {key}: " + ", ".join(f"{k} {v}" for k, v in value.items()))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def print_run_summary(run: dict[str, Any], db: str) -> None:
    if not run:
        print("The crawl did not finish a run record; see the log above.")
        return
    print()
    print(f"Run {run.get('id')} ({run.get('status')}): pages fetched {run.get('pages_fetched')}, "
          f"articles new {run.get('articles_new')}, re-seen {run.get('articles_seen')}, "
          f"duplicates {run.get('duplicates')}, headlines new {run.get('headlines_new')}, "
          f"listings/feeds {run.get('pages')}, rejects {run.get('rejects')}")
    rejects = run.get("rejects_by_reason")
    if isinstance(rejects, str):
        rejects = json.loads(rejects or "{}")
    if rejects:
        print("Rejects by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(rejects.items())))
    stats = run.get("stats")
    stats = (json.loads(stats or "{}") if isinstance(stats, str) else stats) or {}
    if stats.get("listing_pages_followed"):
        print(f"Listing pagination: {stats['listing_pages_followed']} next pages followed"
              + (f", {stats['listing_walks_reached_since']} listings walked back to --since"
                 if stats.get("listing_walks_reached_since") else ""))
    if run.get("pages_capped"):
        by_source = stats.get("pages_capped_by_source") or {}
        print(f"Requests not made (per-source cap reached): {run['pages_capped']}"
              + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())) + ")" if by_source else "")
              + "; raise NEWSCRAWLER_MAX_PAGES_PER_SOURCE (-s, 0 = no cap) to make them")
    print()
    from newscrawler.store import StoreError

    try:
        with _reader(db) as store:
            print_table(store.stats())
    except StoreError as exc:  # the run's record came back, so this is unexpected: say so in one line
        print(f"newscrawler: {exc}", file=sys.stderr)
    print(f"""
Query the result:
  newscrawler stats --db {db}
  newscrawler search --db {db} "وزير الصحة"
  sqlite3 {db} "SELECT source_id, title, source_url FROM articles WHERE duplicate_of IS NULL LIMIT 5"
  sqlite-utils rows {db} headlines --limit 5
Schema: docs/schema.md""")


def _split(value: str | None) -> list[str] | None:
    return [s.strip() for s in value.split(",") if s.strip()] if value else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawler", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="serve the bundled demo sites on 127.0.0.1 and crawl them")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--articles", type=int, default=12, help="articles per demo site")
    p.add_argument("--any-port", action="store_true", help="use free ports instead of the fixed demo ports")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("crawl", help="crawl the configured sources")
    p.add_argument("--config", help=f"sources file (default {DEFAULT_SOURCES.name} in data/)")
    p.add_argument("--sources", help="comma-separated source ids (default: all)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--since", metavar="DATE",
                   help="backfill: walk listing pagination and sitemaps back to this ISO date, e.g. 2025-09-01 "
                        "(same as -s NEWSCRAWLER_SINCE=DATE)")
    p.add_argument("--due", action="store_true",
                   help="only the feeds, sitemaps and listings that are due (adaptive polling), and pending "
                        "articles; for cron or a systemd timer every few minutes")
    p.add_argument("--redis", metavar="URL",
                   help="be one worker of a distributed crawl on this Redis, redis://HOST:PORT/DB (default: "
                        "NEWSCRAWLER_REDIS_URL); items go to the ingest, not to --db")
    p.add_argument("--idle-exit", type=float, metavar="SECONDS",
                   help="with --redis: stop once the whole crawl had nothing to do for this long")
    p.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a Scrapy or NEWSCRAWLER_* setting, e.g. -s DOWNLOAD_DELAY=5")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("seed", help="put the sources' feeds, sitemaps and listings that are due on a distributed "
                                    "crawl's start list")
    p.add_argument("--redis", metavar="URL", help="the crawl's Redis (default: NEWSCRAWLER_REDIS_URL)")
    p.add_argument("--config", help=f"sources file (default {DEFAULT_SOURCES.name} in data/)")
    p.add_argument("--sources", help="comma-separated source ids (default: all)")
    p.add_argument("--watch", action="store_true", help="keep seeding what becomes due until stopped")
    p.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a NEWSCRAWLER_* setting, e.g. -s NEWSCRAWLER_REDIS_PREFIX=crawl2")
    p.set_defaults(func=cmd_seed)
    p = sub.add_parser("schedule", help="crawl in the foreground for ever: `crawl --due` whenever something is due")
    p.add_argument("--config", help=f"sources file (default {DEFAULT_SOURCES.name} in data/)")
    p.add_argument("--sources", help="comma-separated source ids (default: all)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--min-wait", type=float, default=60.0, metavar="SECONDS",
                   help="at least this long between the end of a run and the next (default 60)")
    p.add_argument("--max-runs", type=int, metavar="N", help="stop after N runs (default: never)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting for every run, as for crawl")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("extract", help="print the article extracted from a file or URL as JSON")
    p.add_argument("target", metavar="FILE_OR_URL")
    p.add_argument("--url", help="the page's URL, when extracting from a file")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("sources", help="list and validate the sources; `sources test ID` checks one live")
    p.add_argument("action", nargs="?", choices=["list", "test"], default="list",
                   help="list (default) or test: fetch one feed/listing and one article and report problems")
    p.add_argument("source_id", nargs="?", metavar="ID", help="only this source")
    p.add_argument("--config")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("stats", help="counts per source in the database")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("health", help="per source: last success, newest article, completeness, failures, "
                                      "backlog and flags; exit 1 when a flag is up")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--json", action="store_true")
    p.add_argument("--prometheus", metavar="FILE", help="also write the figures as a Prometheus textfile")
    p.add_argument("--sources", help="comma-separated source ids (default: all)")
    p.add_argument("--down-after", type=int, default=3, metavar="N",
                   help="flag a source down after N runs in a row got nothing from it (default 3)")
    p.set_defaults(func=cmd_health)

    dates = ("ISO date, e.g. 2025-10-01, or date and time (UTC unless an offset is given); "
             "07/10/2025 is refused as ambiguous")
    p = sub.add_parser("export", help="export articles as JSON Lines, CSV or Parquet (streamed)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl",
                   help="jsonl (default), csv, or parquet (needs the [parquet] extra: pyarrow)")
    p.add_argument("--source", help="only this source id")
    p.add_argument("--since", metavar="DATE", help=f"published (or first seen) on or after DATE: {dates}")
    p.add_argument("--until", metavar="DATE", help="published (or first seen) on or before DATE (that day included)")
    p.add_argument("--originals", action="store_true", help="leave out duplicates")
    p.add_argument("--fields", metavar="A,B,...", help="only these columns, in this order (default: all)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N articles")
    p.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM (for Excel)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", help="Arabic-aware full-text search over stored articles")
    p.add_argument("query", help='words (all must match), "a phrase", prefix*')
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--source", help="only this source id")
    p.add_argument("--since", metavar="DATE", help=f"published (or first seen) on or after DATE: {dates}")
    p.add_argument("--until", metavar="DATE", help="published (or first seen) on or before DATE (that day included)")
    p.add_argument("--originals", action="store_true", help="leave out aggregator copies and other duplicates")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true", help="results and the total as JSON")
    p.add_argument("--stem", action="store_true",
                   help="also match other endings (ة/ات/ين/ون/ي...): more recall, less precision")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("dedup", help="explain why an article is, or is not, a duplicate (its story, the rule, "
                                     "the figures, the nearest candidates)")
    p.add_argument("--explain", type=int, required=True, metavar="ARTICLE_ID", help="the article to explain")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_dedup)

    p = sub.add_parser("stories", help="recompute the stories of a window deterministically (refused, exit 3, "
                                       "while a crawl holds the database)")
    p.add_argument("--rebuild", action="store_true", required=True, help="recompute (the only action for now)")
    p.add_argument("--since", metavar="DATE", help=f"articles published (or first seen) on or after DATE: {dates} "
                   "(default: all)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=cmd_stories)

    p = sub.add_parser("serve", help="browse the database in Datasette (read-only; needs the [serve] extra)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ingest", help="distributed crawl: the one process that stores the workers' items from "
                                      "Redis into the database (docs/distributed.md)")
    p.add_argument("--redis", metavar="URL", help="redis://HOST:PORT/DB (default: NEWSCRAWLER_REDIS_URL)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--config", help="the workers' sources file: its sources' rows in the database")
    p.add_argument("--sources", help="comma-separated source ids of the crawl (default: all)")
    p.add_argument("--idle-exit", type=float, metavar="SECONDS",
                   help="exit 0 after SECONDS with no new item (default: run until SIGTERM or Ctrl-C)")
    p.add_argument("--batch", type=int, metavar="N",
                   help="stream entries per SQLite commit (default NEWSCRAWLER_INGEST_BATCH, 500)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a NEWSCRAWLER_* setting, e.g. -s NEWSCRAWLER_NEAR_DUPLICATES=0")
    p.set_defaults(func=cmd_ingest)
    return parser


class CommandError(Exception):
    """An ordinary failure a command reports in one line: ``exit_code`` 1 (ran with problems) or 2 (usage or input)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 ok, 1 ran with problems, 2 usage or input error (docs/operators.md). An ordinary failure is one
    line on stderr saying what went wrong and what to do; ``--debug`` shows the traceback as well."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line (`newscrawler stats --debug` as well as `newscrawler --debug stats`)
    debug = "--debug" in argv
    args = build_parser().parse_args([arg for arg in argv if arg != "--debug"])
    args.debug = debug
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader of our output went away (`| head`): not an error. Later writes (and the interpreter's final
        # flush) go nowhere instead of raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("newscrawler: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns failures into a line and an exit code
        if args.debug:
            traceback.print_exc()
        message, code = _explain(exc)
        print(f"newscrawler: {message}" + ("" if args.debug else " (--debug shows the details)"), file=sys.stderr)
        return code


def _explain(exc: BaseException) -> tuple[str, int]:
    """One line and an exit code for an exception a command let through."""
    import sqlite3
    import urllib.error

    if isinstance(exc, CommandError):
        return str(exc), exc.exit_code
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} for {exc.url}; check the URL", 1
    if isinstance(exc, urllib.error.URLError):
        return f"could not fetch the page: {exc.reason}; check the URL and the network", 1
    if isinstance(exc, TimeoutError | ConnectionError):
        return f"could not fetch the page: {exc}; check the URL and the network", 1
    if isinstance(exc, sqlite3.Error):
        return f"database error: {exc}; check --db (a SQLite file this user can read and write)", 2
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {exc.filename}; create the folder or give another path", 2
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename}; check the file's permissions", 2
    if isinstance(exc, IsADirectoryError | NotADirectoryError):
        return f"not a file: {exc.filename}", 2
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1
    return f"unexpected error: {type(exc).__name__}: {exc}", 1


if __name__ == "__main__":
    raise SystemExit(main())
