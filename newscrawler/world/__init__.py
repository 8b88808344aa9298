"""Template-randomised worlds of news sites with ground truth (see docs/world.md). A sibling of
`newscrawler.demo`: same data model and server, but every seed draws new sites from five template families.

    from newscrawler.world import world_server, ground_truth
    with world_server(seed=11, articles_per_site=40) as srv:
        srv.sources_toml(); truth = ground_truth(srv.manifest())
"""

from __future__ import annotations

from functools import partial
from typing import Any

from newscrawler.demo.server import DemoServer
from newscrawler.demo.sitegen import REFERENCE_DATE
from newscrawler.world.build import build_world, page_path
from newscrawler.world.style import FAMILIES, SiteStyle, plan_sites, site_ids

__all__ = ["FAMILIES", "REFERENCE_DATE", "SiteStyle", "build_world", "ground_truth", "non_article_urls",
           "page_path", "plan_sites", "site_ids", "world_server"]


def world_server(*, seed: int, articles_per_site: int = 40, host: str = "127.0.0.1") -> DemoServer:
    """A `DemoServer` (not started) serving the world of `seed`, one loopback port per site."""
    return DemoServer(partial(build_world, seed=seed, articles_per_site=articles_per_site), host=host,
                      site_ids=site_ids(seed))


def ground_truth(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every article of the world, by URL (each record carries its `site`, `family` and `reach`)."""
    return {rec["url"]: rec for site in manifest["sites"].values() for rec in site["articles"].values()}


def non_article_urls(manifest: dict[str, Any]) -> dict[str, str]:
    """URL -> kind (`listing`, `tag`, `author`, `outlet`, `contact`, `about`) of every page that is no article."""
    return {p["url"]: p["kind"] for site in manifest["sites"].values() for p in site["non_article"]}
