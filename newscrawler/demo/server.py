"""Loopback HTTP server for the demo sites: one port per site on 127.0.0.1.

In-process (tests, `newscrawler demo`)::

    with DemoServer(articles_per_site=12) as srv:
        srv.base_urls; srv.sources(); srv.manifest(); srv.requests

In a separate process (the benchmark: keeps the server off the crawler's GIL)::

    with DemoServer.start_process(articles_per_site=5000) as proc:
        proc.base_urls; proc.sources()   # the world is rebuilt locally from the same seed (deterministic)

Many hosts and slow answers (the distributed crawl's benchmark): ``DemoServer(replicas=10, latency=0.2)`` serves
forty sites (newscrawler.demo.fleet), each response held back 0.2 s; `start_process(..., request_log=PATH)` makes
the child write its request log there when it stops (`DemoProcess.requests()` reads it).

or by hand: ``python -m newscrawler.demo.server --articles 50 --sources-out demo-sources.toml``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from newscrawler.demo.fleet import build_fleet, fleet_site_ids
from newscrawler.demo.sitegen import DemoPage, DemoSite, DemoWorld

WorldFactory = Callable[[dict[str, str]], DemoWorld]


class RequestRecord(NamedTuple):
    site: str
    method: str
    path: str
    status: int
    at: float = 0.0  # time.monotonic() when the request arrived (per-host intervals; only differences mean anything)
    agent: str = ""  # the User-Agent header: tells apart crawler processes that share the sites
    client: str = ""  # the peer's IP address: which (virtual) host a request came from


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # never block stop() on a client that keeps its connection open
    allow_reuse_address = True
    request_queue_size = 256
    demo_site: DemoSite
    demo_log: list[RequestRecord]
    demo_latency: float

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawler killed mid-request (the distributed crawl's test does it on purpose) resets its connections:
        # that is the client's business, not a server error worth a traceback on stderr.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy uses it
    server_version = "NewsDemo/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go in separate writes; avoid delayed-ACK stalls
    timeout = 30  # idle keep-alive connections
    server: _SiteHTTPServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass  # the request log (DemoServer.requests) replaces stderr noise

    def _lookup(self) -> tuple[str, DemoPage]:
        target = self.path
        if "://" in target:  # absolute-form request target (proxies)
            parts = urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        pages = self.server.demo_site.pages
        page = pages.get(target)
        if page is None and "?" in target:
            # tracking parameters (utm_*) on a path-only page; id-style queries are exact keys above
            page = pages.get(target.split("?", 1)[0])
        return target, page if page is not None else pages["/__404__"]

    def _not_modified(self, page: DemoPage) -> bool:
        etag = page.headers.get("ETag")
        inm = self.headers.get("If-None-Match")
        if inm is not None and etag:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or etag in tags  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        ims, lm = self.headers.get("If-Modified-Since"), page.headers.get("Last-Modified")
        if ims and lm:
            try:
                return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _serve(self, head: bool) -> None:
        arrived = time.monotonic()
        target, page = self._lookup()
        status = page.status
        if status == 200 and self._not_modified(page):
            status = 304
        # Logged before the response goes out, so a client that has its answer always finds it in the log.
        self.server.demo_log.append(RequestRecord(self.server.demo_site.id, self.command, target, status, arrived,
                                                  self.headers.get("User-Agent", ""), self.client_address[0]))
        if self.server.demo_latency > 0:
            # a slow site: the client's concurrency slot stays busy (each connection has its own thread)
            time.sleep(self.server.demo_latency)
        self.send_response(status)
        if status == 304:
            for key in ("ETag", "Last-Modified"):
                if key in page.headers:
                    self.send_header(key, page.headers[key])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            for key, value in page.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            if not head:
                self.wfile.write(page.body)


class DemoServer:
    """Serve a `DemoWorld` on loopback, one ephemeral port per site (or fixed ports from `port`).

    `replicas` > 1 serves that many copies of the demo sites (`newscrawler.demo.fleet`; ignored with a
    `world_factory`); `latency` holds every response back that many seconds."""

    def __init__(self, world_factory: WorldFactory | None = None, *, host: str = "127.0.0.1",
                 articles_per_site: int = 12, seed: int = 7, port: int | None = None,
                 site_ids: tuple[str, ...] | None = None, replicas: int = 1, latency: float = 0.0):
        self.world_factory = world_factory or partial(build_fleet, replicas=replicas,
                                                      articles_per_site=articles_per_site, seed=seed)
        self.host = host
        self.port = port  # first fixed port (sites get port, port+1, ...); None = ephemeral ports
        self.site_ids = site_ids or fleet_site_ids(1 if world_factory else replicas)
        self.latency = max(0.0, float(latency))
        self.world: DemoWorld | None = None
        self.base_urls: dict[str, str] = {}
        self.requests: list[RequestRecord] = []  # every request served, in order (tests check robots etc.)
        self._servers: dict[str, _SiteHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    # -- lifecycle
    def start(self) -> DemoServer:
        if self._servers:
            return self
        try:
            for i, sid in enumerate(self.site_ids):
                srv = _SiteHTTPServer((self.host, 0 if self.port is None else self.port + i), _Handler)
                srv.demo_log = self.requests
                srv.demo_latency = self.latency
                self._servers[sid] = srv
                self.base_urls[sid] = f"http://{self.host}:{srv.server_address[1]}"
            self.world = self.world_factory(dict(self.base_urls))
            for sid, srv in self._servers.items():
                srv.demo_site = self.world.sites[sid]
                t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                     name=f"demo-{sid}", daemon=True)
                t.start()
                self._threads.append(t)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for srv in self._servers.values():
            if self._threads:
                srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- conveniences
    def _w(self) -> DemoWorld:
        if self.world is None:
            raise RuntimeError("DemoServer not started")
        return self.world

    def sources(self) -> list[dict[str, Any]]:
        return self._w().sources()

    def sources_toml(self) -> str:
        return self._w().sources_toml()

    def manifest(self) -> dict[str, Any]:
        return self._w().manifest()

    def url(self, site_id: str, path: str) -> str:
        return self.base_urls[site_id] + path

    def requests_for(self, site_id: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.site == site_id]

    def write_request_log(self, path: str | Path) -> None:
        """The request log as JSON lines (one RequestRecord as a list per line), written atomically."""
        _write_atomic(str(path), "".join(json.dumps(list(r)) + "\n" for r in list(self.requests)))

    @staticmethod
    def start_process(*, articles_per_site: int = 12, seed: int = 7, host: str = "127.0.0.1",
                      timeout: float = 120.0, replicas: int = 1, latency: float = 0.0,
                      request_log: str | Path | None = None) -> DemoProcess:
        """Run the server in a child Python process; returns once it is listening.

        With `request_log`, the child writes its request log there when it stops (`DemoProcess.requests()`)."""
        return DemoProcess.start(articles_per_site=articles_per_site, seed=seed, host=host, timeout=timeout,
                                 replicas=replicas, latency=latency, request_log=request_log)


class DemoProcess:
    """A demo server running in a child process (`python -m newscrawler.demo.server`)."""

    def __init__(self, proc: subprocess.Popen[bytes], info: dict[str, Any]):
        self.proc = proc
        self.info = info
        self.base_urls: dict[str, str] = info["base_urls"]
        self.articles_per_site: int = info["articles_per_site"]
        self.seed: int = info["seed"]
        self.replicas: int = info.get("replicas", 1)
        self.request_log: str | None = info.get("request_log")
        self._world: DemoWorld | None = None

    @classmethod
    def start(cls, *, articles_per_site: int, seed: int, host: str, timeout: float, replicas: int = 1,
              latency: float = 0.0, request_log: str | Path | None = None) -> DemoProcess:
        tmp = tempfile.mkdtemp(prefix="newscrawler-demo-")
        port_file = Path(tmp) / "ports.json"
        err_path = Path(tmp) / "stderr.txt"
        env = dict(os.environ)
        # the child must import this same package even when it is not installed (a source checkout)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "newscrawler.demo.server", "--articles", str(articles_per_site),
               "--seed", str(seed), "--host", host, "--port-file", str(port_file), "--quiet",
               "--replicas", str(replicas), "--latency", str(latency)]
        if request_log is not None:
            cmd += ["--request-log", str(request_log)]
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"demo server process failed: {err_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        return cls(proc, json.loads(port_file.read_text(encoding="utf-8")))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def world(self) -> DemoWorld:
        """The same world the child serves, rebuilt here (build_demo is deterministic)."""
        if self._world is None:
            self._world = build_fleet(self.base_urls, replicas=self.replicas,
                                      articles_per_site=self.articles_per_site, seed=self.seed)
        return self._world

    def requests(self) -> list[RequestRecord]:
        """The child's request log; it is written when the child stops (call `stop()` first)."""
        if self.request_log is None:
            raise RuntimeError("started without request_log")
        if self.proc.poll() is None:
            raise RuntimeError("the request log is written when the server stops: call stop() first")
        with open(self.request_log, encoding="utf-8") as f:
            return [RequestRecord(*json.loads(line)) for line in f if line.strip()]

    def sources(self) -> list[dict[str, Any]]:
        return self.world().sources()

    def sources_toml(self) -> str:
        return self.world().sources_toml()

    def manifest(self) -> dict[str, Any]:
        return self.world().manifest()

    def url(self, site_id: str, path: str) -> str:
        return self.base_urls[site_id] + path

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> DemoProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _write_atomic(path: str, text: str) -> None:
    tmp = f"{path}.tmp"
    Path(tmp).write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # readers polling for the file never see it half-written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newscrawler.demo.server",
                                 description="Serve the newscrawler demo news sites on loopback.")
    ap.add_argument("--articles", type=int, default=12, help="articles per site (default 12)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=None,
                    help="first fixed port (sites use PORT, PORT+1, ...); default: ephemeral")
    ap.add_argument("--replicas", type=int, default=1, help="copies of the four demo sites (default 1)")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds every response is held back (default 0)")
    ap.add_argument("--request-log", help="write the request log (JSON lines) here when stopped")
    ap.add_argument("--port-file", help="write {base_urls, pid, ...} as JSON here once listening")
    ap.add_argument("--sources-out", help="write the demo sources (sources.toml format) here")
    ap.add_argument("--manifest-out", help="write the ground-truth manifest (JSON) here")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    # SIGTERM (DemoProcess.stop) ends serve loop through the same path as Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    t0 = time.perf_counter()
    if args.replicas < 1 or args.latency < 0:
        ap.error("--replicas must be >= 1 and --latency >= 0")
    srv = DemoServer(host=args.host, articles_per_site=args.articles, seed=args.seed, port=args.port,
                     replicas=args.replicas, latency=args.latency).start()
    built = time.perf_counter() - t0
    try:
        world = srv._w()
        if args.sources_out:
            _write_atomic(args.sources_out, world.sources_toml())
        if args.manifest_out:
            _write_atomic(args.manifest_out, json.dumps(world.manifest(), ensure_ascii=False, indent=1))
        if args.port_file:
            _write_atomic(args.port_file, json.dumps({
                "base_urls": srv.base_urls, "pid": os.getpid(), "articles_per_site": world.articles_per_site,
                "seed": args.seed, "build_seconds": round(built, 3), "replicas": args.replicas,
                "request_log": args.request_log}))
        if not args.quiet:
            pages = sum(len(s.pages) for s in world.sites.values())
            print(f"demo: {pages} pages built in {built:.2f}s; serving (Ctrl-C to stop)")
            for sid, url in srv.base_urls.items():
                print(f"  {sid:14} {url}/")
            if args.sources_out:
                print(f"sources written to {args.sources_out}")
            sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        if args.request_log:
            srv.write_request_log(args.request_log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
