"""Serve one seed's world by hand: `python -m newscrawler.world --seed 11 --sources-out /tmp/world.toml`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from newscrawler.world import world_server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newscrawler.world",
                                 description="Serve a template-randomised world of news sites on loopback.")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--articles", type=int, default=40, help="articles per site (default 40)")
    ap.add_argument("--sources-out", help="write the sources (sources.toml format) here")
    ap.add_argument("--manifest-out", help="write the ground truth (JSON) here")
    args = ap.parse_args(argv)
    # SIGTERM stops the servers through the same path as Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with world_server(seed=args.seed, articles_per_site=args.articles) as srv:
        if args.sources_out:
            with open(args.sources_out, "w", encoding="utf-8") as f:
                f.write(srv.sources_toml())
        if args.manifest_out:
            with open(args.manifest_out, "w", encoding="utf-8") as f:
                json.dump(srv.manifest(), f, ensure_ascii=False, indent=1)
        families = srv.manifest()["families"]
        print(f"world {args.seed}: serving (Ctrl-C to stop)")
        for sid, url in srv.base_urls.items():
            print(f"  {sid:14} {families[sid]:11} {url}/")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
