"""Many crawler processes on one Redis (scrapy-redis), one ingest process writing SQLite: docs/distributed.md.

Nothing here is imported by a single-process crawl: `redis` and `scrapy-redis` are the optional extra
``newscrawler[redis]``.
"""
