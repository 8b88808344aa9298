"""Offline demo: generated Arabic news sites and a loopback HTTP server (no Scrapy imports).

See docs/demo.md. Main entry points: `build_demo`, `DemoServer`.
"""

from typing import Any

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


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m newscrawler.demo.server` does not import the server module twice (runpy warning).
    if name in ("DemoServer", "DemoProcess", "RequestRecord"):
        from newscrawler.demo import server

        return getattr(server, name)
    raise AttributeError(name)
