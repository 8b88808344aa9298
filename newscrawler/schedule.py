"""`newscrawler schedule`: crawl in the foreground for ever, one `crawl --due` run whenever something is due.

For operators without cron or systemd timers. The loop reads the poll schedule (`poll_schedule`, written by every
run: newscrawler.polling) of the configured feeds, sitemaps and listings and the revisit times of their articles
(newscrawler.revisits), sleeps until the earliest is due, then
runs `newscrawler crawl --due` as a child process: a Scrapy crawl cannot be restarted in one process (Twisted's
reactor runs once), and a child keeps a crashed run from taking the loop with it. One run at a time: the loop
waits for its child, and the child takes the database's run lock (a run it finds locked by a cron crawl exits 3
and is tried again later).

SIGTERM or SIGINT stops the loop after the current run, exit 0. The child hears the same signal from the terminal
(Ctrl-C reaches the foreground process group) or from systemd (which signals the whole control group) and stops
cleanly, leaving what it had not fetched pending; a loop signalled alone (`kill PID`) lets its run finish. A
second signal passes SIGTERM on to the child.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from newscrawler import exitcodes
from newscrawler.store.queries import StoreReader
from newscrawler.store.rows import parse_utc


def next_due(db: str | Path, start_urls: Iterable[str], now: datetime | None = None,
             source_ids: list[str] | None = None) -> datetime:
    """The earliest next-due time of these feeds, sitemaps and listings, and of the revisits of these sources'
    articles (newscrawler.revisits); ``now`` when a page was never polled (or the database does not exist yet)."""
    now = now or datetime.now(UTC)
    reader = StoreReader(db)
    try:
        times = []
        for url in start_urls:
            poll = reader.poll_state(url)
            if poll is None:
                return now
            times.append(str(poll["next_due_at"]))
        revisit = reader.next_revisit_at(source_ids) if source_ids else None
        times += [revisit] if revisit else []
        moments = [moment for moment in map(parse_utc, times) if moment is not None]
        return min(moments) if moments else now
    finally:
        reader.close()


class Schedule:
    """The loop: ``run()`` returns the exit code (0 after a signal or ``max_runs`` runs; 2 when a run says the
    command line or the database is unusable: running it again would fail the same way)."""

    def __init__(self, *, db: str, start_urls: list[str], crawl_argv: list[str], min_wait: float,
                 source_ids: list[str] | None = None, max_runs: int | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.start_urls = start_urls
        self.source_ids = source_ids or []
        self.crawl_argv = crawl_argv  # the `crawl --due ...` command line of one run
        self.min_wait = min_wait  # seconds between the end of a run and the start of the next, at least
        self.max_runs = max_runs
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.stopping = False
        self.child: subprocess.Popen[Any] | None = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping and self.child is not None and self.child.poll() is None:
            self.log(f"newscrawler schedule: {signal.Signals(signum).name} again: stopping the current run")
            self.child.terminate()
            return
        self.stopping = True
        self.log(f"newscrawler schedule: {signal.Signals(signum).name}: stopping after the current run")

    def _sleep_until(self, when: float) -> None:
        # short naps: a signal handler runs between them, and the loop stops within a second
        while not self.stopping and time.time() < when:
            time.sleep(min(1.0, max(0.0, when - time.time())))

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            return self._loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self) -> int:
        runs = 0
        earliest_next = 0.0
        while not self.stopping:
            due = max(next_due(self.db, self.start_urls, source_ids=self.source_ids).timestamp(), earliest_next)
            if due > time.time():
                self.log(f"newscrawler schedule: next run at "
                         f"{datetime.fromtimestamp(due, UTC).isoformat(timespec='seconds')}")
            self._sleep_until(due)
            if self.stopping:
                break
            self.child = subprocess.Popen(self.crawl_argv)
            code = self.child.wait()
            self.child = None
            runs += 1
            earliest_next = time.time() + self.min_wait
            if code == exitcodes.LOCKED:
                self.log("newscrawler schedule: another crawl holds the database; trying again later")
            elif code == exitcodes.USAGE:
                self.log("newscrawler schedule: the run refused its command line or database (exit 2); stopping")
                return exitcodes.USAGE
            elif code not in (exitcodes.OK, exitcodes.UNHEALTHY):
                self.log(f"newscrawler schedule: the run ended with exit code {code}")
            if self.max_runs is not None and runs >= self.max_runs:
                break
        self.log(f"newscrawler schedule: stopped after {runs} run(s)")
        return exitcodes.OK
