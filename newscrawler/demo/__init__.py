"""Offline demo: generated Arabic news sites and a loopback HTTP server (no Scrapy imports).

See docs/demo.md. Main entry points: `build_demo`, `DemoServer`.
"""

from newscrawler.demo.server import DemoProcess, DemoServer, RequestRecord
from newscrawler.demo.sitegen import (
    AGGREGATOR,
    PUBLISHERS,
    REFERENCE_DATE,
    SITE_IDS,
    DemoPage,
    DemoSite,
    DemoWorld,
    build_demo,
    render_sources_toml,
)

__all__ = [
    "AGGREGATOR", "PUBLISHERS", "REFERENCE_DATE", "SITE_IDS", "DemoPage", "DemoProcess", "DemoServer",
    "DemoSite", "DemoWorld", "RequestRecord", "build_demo", "render_sources_toml",
]
