"""Scrapy settings for newscrawler (`scrapy.cfg` points here).

Defaults are for polite scheduled crawls of news sites; `newscrawler demo` and the tests relax the
politeness for loopback servers. Every NEWSCRAWLER_* setting can be given with `-s` on the command line.
"""

BOT_NAME = "newscrawler"
# spiders/ and pipelines/ at the repository root, under these names (newscrawler/__init__.py says why).
SPIDER_MODULES = ["newscrawler.spiders"]
NEWSPIDER_MODULE = "newscrawler.spiders"

USER_AGENT = "newscrawler/0.1 (news research crawler; obeys robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: per source (download slot = source id), overridable per source in sources.toml [politeness].
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page over 8 MiB is a reject (too_large), not a hang
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
# AutoThrottle: each source's delay follows its server's latency (never below DOWNLOAD_DELAY or the source's
# download_delay), so a slow or struggling site gets fewer requests at once.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output (default 100); our callbacks yield
# a handful of items per page, so 100 tasks per page is pure overhead (measured: ~25% of a crawl's CPU).
CONCURRENT_ITEMS = 8
# Scrapy checks each callback for a generator that returns a value, caching the answer under a weak reference to
# the callable: a bound method (every callback here) is a new object per request, so each response re-read and
# re-parsed its callback's source: 2.7 ms per feed, sitemap or listing and 3.4 ms per error page, measured (1.7 s
# of the reactor for the hostile flood's 500 pages). Our callbacks are tested; the warning is for spider authors.
WARN_ON_GENERATOR_RETURN_VALUE = False
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Recent Scrapy (2.19 here) starts an HTTP server in every crawl that runs Python code it is sent (token in a job file under
# ~/.local/state/scrapy, left behind by every killed run): no place in an unattended crawler, like the telnet console.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Conditional GET on feeds and listing pages (ETag / Last-Modified stored in the pages table).
DOWNLOADER_MIDDLEWARES = {
    "newscrawler.middlewares.ConditionalGetMiddleware": 560,
    "newscrawler.middlewares.SourceDeadlineMiddleware": 50,
    # a name that resolves to a loopback or private address: refused before robots.txt (100) asks that host
    "newscrawler.middlewares.PrivateAddressMiddleware": 60,
    # Redirects that loop, leave the source or go to a private address are rejects with their own reason.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawler.middlewares.GuardedRedirectMiddleware": 600,
    # before Scrapy's RetryMiddleware (550): a 429/503 with Retry-After waits for the server's delay
    "newscrawler.middlewares.RetryAfterMiddleware": 555,
}

ITEM_PIPELINES = {
    "newscrawler.pipelines.validate.ValidatePipeline": 100,
    "newscrawler.pipelines.normalise.NormalisePipeline": 200,
    "newscrawler.pipelines.store.StorePipeline": 300,
}

EXTENSIONS = {
    "newscrawler.progress.CrawlProgress": 500,
    # AutoThrottle, but never below a source's own download_delay (newscrawler.throttle)
    "scrapy.extensions.throttle.AutoThrottle": None,
    "newscrawler.throttle.SourceAutoThrottle": 0,
}

# newscrawler's own settings
NEWSCRAWLER_DB = "data/news.db"
NEWSCRAWLER_SOURCES = ""  # empty: data/sources.toml
NEWSCRAWLER_REFETCH_KNOWN = False  # True: fetch articles already stored again (to refresh them)
NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS = 3  # sitemap entries older than this (by lastmod / news date) are skipped
NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE = 0  # article requests per source per run; 0: no limit
# Requests of any kind (feeds, sitemaps, listing pages and their pagination, articles) per source per run;
# 0: no limit. What a cap refuses is counted in crawl_runs.pages_capped.
NEWSCRAWLER_MAX_PAGES_PER_SOURCE = 500
# Article URLs scheduled and never stored or rejected stay pending in the frontier and are requested first by the
# next runs; after this many days of waiting they expire (frontier.state = 'expired', reason max_age). 0: never.
NEWSCRAWLER_PENDING_MAX_AGE_DAYS = 7.0
NEWSCRAWLER_SINCE = ""  # backfill: an ISO date; pagination and sitemaps are walked back to it (`crawl --since`)
NEWSCRAWLER_PROGRESS_INTERVAL = 10.0  # seconds between progress lines; 0 turns them off
NEWSCRAWLER_PROGRESS_ECHO = False  # also print progress lines to stderr (the demo does)
NEWSCRAWLER_EXTRACT_WORKERS = "auto"  # extraction processes; auto = 1 on a machine with 2+ cores, 0 = inline
NEWSCRAWLER_BATCH_SIZE = 200  # SQLite writes per transaction
NEWSCRAWLER_NEAR_DUPLICATES = True  # second-level dedup: the same story republished with small edits
NEWSCRAWLER_NEAR_DUP_WINDOW_DAYS = 7.0  # near-duplicate candidates: articles first seen this recently
# Adaptive polling (`crawl --due`): each feed, sitemap and listing is next due after an interval that grows when its
# entries were mostly seen and shrinks when mostly new, within this range (per source: [source.politeness]
# poll_min_minutes / poll_max_hours). NEWSCRAWLER_DUE_ONLY (set by --due) skips what is not due.
NEWSCRAWLER_DUE_ONLY = False
NEWSCRAWLER_POLL_MIN_MINUTES = 10.0
NEWSCRAWLER_POLL_MAX_HOURS = 24.0
# Retry-After on 429/503: waited for up to this many seconds; a longer delay leaves the URL pending for the next run
NEWSCRAWLER_RETRY_AFTER_MAX = 120.0
# A page where site operators can read who crawls them and how to reach you; added to the User-Agent as "+URL"
NEWSCRAWLER_CONTACT_URL = ""
# Revisits of young articles (newscrawler.revisits): each original article is fetched again this many hours after
# it was first seen (empty: never), while within NEWSCRAWLER_REVISIT_WINDOW_HOURS of its publication; an edited title
# or body is stored as a revision (article_revisions). At most NEWSCRAWLER_MAX_REVISITS_PER_SOURCE per source and
# run (0: no limit), within the per-source caps.
NEWSCRAWLER_REVISIT_HOURS = "1,6,24"
NEWSCRAWLER_REVISIT_WINDOW_HOURS = 48.0
NEWSCRAWLER_MAX_REVISITS_PER_SOURCE = 50
NEWSCRAWLER_CRAWL_STATE_CLASS = "newscrawler.store.crawlstate.SqliteCrawlState"  # known articles, page validators, frontier
# Bounds of one run (docs/reliability.md): discovery documents (feeds, sitemaps, robots.txt, listing pages) per
# source, each also fetched at most once per run; and the wall time a source may take, counted from its first
# request (requests still queued then stay pending for the next run). 0: no limit.
NEWSCRAWLER_MAX_DISCOVERY_PER_SOURCE = 100
NEWSCRAWLER_MAX_SECONDS_PER_SOURCE = 3600
NEWSCRAWLER_EXTRACT_TIMEOUT = 60.0  # seconds of extraction per page in a worker; over it: extract_timeout reject
# A distributed crawl (docs/distributed.md): the Redis server the workers, the seeder and the ingest share
# (`--redis`; empty: a single-process crawl), and the prefix of every key newscrawler keeps there.
NEWSCRAWLER_REDIS_URL = ""
NEWSCRAWLER_REDIS_PREFIX = "newscrawler"
# A worker (`crawl --redis`): seconds without a heartbeat after which its in-flight requests go back to the queue;
# hours a request fingerprint stays in the shared seen-set (stored articles stay known through the ingest's set);
# seconds with nothing to do anywhere in the crawl before a worker exits (`--idle-exit`; 0: run until stopped).
NEWSCRAWLER_WORKER_LEASE_SECONDS = 60.0
NEWSCRAWLER_SEEN_TTL_HOURS = 48.0
NEWSCRAWLER_IDLE_EXIT = 0.0
NEWSCRAWLER_SEED_INTERVAL = 30.0  # `seed --watch`: seconds between two passes over the sources' due times
# `newscrawler ingest`: stream entries per read, SQLite commit and acknowledgement (--batch), and how long an entry
# read by another ingest consumer stays unacknowledged before this one takes it over (that consumer died).
NEWSCRAWLER_INGEST_BATCH = 500
NEWSCRAWLER_INGEST_CLAIM_IDLE_SECONDS = 300.0
