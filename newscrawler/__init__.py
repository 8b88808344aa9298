"""newscrawler: Arabic news crawler (Scrapy) with normalised, deduplicated SQLite output."""

__version__ = "0.1.0"
