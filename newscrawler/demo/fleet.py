"""Many demo hosts from the same templates: `replicas` copies of the four demo sites, each on its own port.

The distributed crawl's benchmark needs forty hosts (per-host politeness is what it measures) and its integration
test thousands of pages; the demo's four hand-designed sites stay as they are and are repeated instead. Replica
`r` (1-based) is `build_demo` with seed `seed + r - 1` on its own base URLs, its site ids suffixed `-01`, `-02`,
... so every host has its own source; the stories differ between replicas (except the hand-written pool of the
first ~30 stories, which every replica publishes again: the store keeps those as duplicates, one row per URL).

    world = build_fleet(base_urls, replicas=10, articles_per_site=50)   # base_urls keyed by fleet_site_ids(10)
    DemoServer(articles_per_site=50, replicas=10)                       # the same, served
"""

from __future__ import annotations

from typing import Any

from newscrawler.demo.sitegen import SITE_IDS, DemoWorld, build_demo


def fleet_site_ids(replicas: int) -> tuple[str, ...]:
    """Site ids of a fleet in server order; one replica is the classic demo with its ids unchanged."""
    if replicas < 1:
        raise ValueError("replicas must be >= 1")
    if replicas == 1:
        return SITE_IDS
    return tuple(f"{sid}-{r:02d}" for r in range(1, replicas + 1) for sid in SITE_IDS)


def _rename_sites(value: Any, names: dict[str, str], replica: str) -> Any:
    """A copy of a manifest fragment with every `site` reference and story name made replica-specific."""
    if isinstance(value, list):
        return [_rename_sites(v, names, replica) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "site" and isinstance(item, str):
            out[key] = names.get(item, item)
        elif key == "story" and isinstance(item, str) and item:
            out[key] = f"{item}@{replica}"  # story-3 of replica 01 is not story-3 of replica 02
        else:
            out[key] = _rename_sites(item, names, replica)
    return out


def build_fleet(base_urls: dict[str, str], *, replicas: int, articles_per_site: int = 12,
                seed: int = 7) -> DemoWorld:
    """`replicas` demo worlds merged into one; `base_urls` is keyed by `fleet_site_ids(replicas)`."""
    if replicas == 1:
        return build_demo(base_urls, articles_per_site=articles_per_site, seed=seed)
    ids = fleet_site_ids(replicas)
    missing = [s for s in ids if s not in base_urls]
    if missing:
        raise ValueError(f"base_urls lacks {missing[:3]}{'...' if len(missing) > 3 else ''}")
    sites: dict[str, Any] = {}
    sources: list[dict[str, Any]] = []
    manifest: dict[str, Any] = {"seed": seed, "articles_per_site": articles_per_site, "replicas": replicas,
                                "sites": {}, "groups": [], "aggregator_copies": [], "exact_duplicates": []}
    for r in range(1, replicas + 1):
        tag = f"{r:02d}"
        names = {sid: f"{sid}-{tag}" for sid in SITE_IDS}
        world = build_demo({sid: base_urls[names[sid]] for sid in SITE_IDS},
                           articles_per_site=articles_per_site, seed=seed + r - 1)
        for sid, site in world.sites.items():
            site.id = names[sid]
            sites[site.id] = site
        for src in world.sources():
            src["id"] = names[src["id"]]
            sources.append(src)
        part = _rename_sites(world.manifest(), names, tag)
        manifest["reference_date"] = part["reference_date"]
        manifest["sites"].update({names[sid]: site for sid, site in part["sites"].items()})
        for key in ("groups", "aggregator_copies", "exact_duplicates"):
            manifest[key] += part[key]
    return DemoWorld(sites, seed, world.articles_per_site, sources, manifest)
