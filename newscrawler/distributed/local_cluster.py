"""A distributed crawl on one machine: `seed`, N workers and one ingest as child processes of the CLI.

For the integration test and the benchmark (and for trying the set-up before spreading it over machines): every
process is the real `newscrawler` command, exactly as an operator starts it on each machine (docs/distributed.md);
this class only starts, kills and waits for them, and keeps each one's output in `workdir/NAME.log`.

    cluster = LocalCluster(redis_url, config=Path("sources.toml"), db=Path("news.db"), workdir=Path("run"))
    cluster.seed(); cluster.start_ingest(); cluster.start_worker("w1"); cluster.start_worker("w2")
    cluster.wait(timeout=300)      # every process exits by itself after `idle_exit` seconds with nothing to do
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ClusterError(RuntimeError):
    """A child process failed (its log's tail is in the message)."""


class LocalCluster:
    """Child processes of one distributed crawl; `settings` go to every worker as `-s KEY=VALUE`."""

    def __init__(self, redis_url: str, *, config: Path, db: Path, workdir: Path,
                 settings: dict[str, str] | None = None, idle_exit: float = 5.0):
        self.redis_url = redis_url
        self.config = config
        self.db = db
        self.workdir = workdir
        self.settings = dict(settings or {})
        self.idle_exit = idle_exit
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        workdir.mkdir(parents=True, exist_ok=True)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # the children import this same package even from a source checkout that is not installed
        env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        return env

    def _cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "newscrawler.cli", *args]

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def _spawn(self, name: str, args: list[str], prefix: Sequence[str] = ()) -> subprocess.Popen[bytes]:
        if name in self.procs and self.procs[name].poll() is None:
            raise ClusterError(f"{name} is already running")
        with open(self.workdir / f"{name}.log", "ab") as out:
            # cwd: whatever a child writes by default (a stray news.db, a log file) stays in the workdir
            proc = subprocess.Popen([*prefix, *self._cmd(*args)], stdout=out, stderr=subprocess.STDOUT, env=self._env(),
                                    cwd=self.workdir)
        self.procs[name] = proc
        return proc

    def seed(self, *extra: str, timeout: float = 120.0) -> None:
        """`newscrawler seed --redis URL --config F` once; raises ClusterError unless it exits 0."""
        done = subprocess.run(self._cmd("seed", "--redis", self.redis_url, "--config", str(self.config), *extra),
                              capture_output=True, text=True, env=self._env(), cwd=self.workdir, timeout=timeout)
        if done.returncode != 0:
            raise ClusterError(f"seed exited {done.returncode}: {(done.stdout + done.stderr)[-2000:]}")

    def start_worker(self, name: str, settings: dict[str, str] | None = None,
                     prefix: Sequence[str] = ()) -> subprocess.Popen[bytes]:
        """`newscrawler crawl --redis URL --config F --idle-exit S -s ...` as `name`; `prefix` runs it through a
        wrapper, e.g. ``ip netns exec NS`` to put it on another (virtual) host."""
        merged = {**self.settings, **(settings or {})}
        sets = [arg for key, value in merged.items() for arg in ("-s", f"{key}={value}")]
        return self._spawn(name, ["crawl", "--redis", self.redis_url, "--config", str(self.config),
                                  "--idle-exit", str(self.idle_exit), *sets], prefix)

    def start_ingest(self, name: str = "ingest") -> subprocess.Popen[bytes]:
        """`newscrawler ingest --redis URL --db PATH --idle-exit S`."""
        return self._spawn(name, ["ingest", "--redis", self.redis_url, "--db", str(self.db),
                                  "--idle-exit", str(self.idle_exit)])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (default: kill -9, no chance to clean up) and reap the process."""
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(sig)
        proc.wait(30)

    def running(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is None]

    def wait(self, names: list[str] | None = None, *, timeout: float = 300.0) -> dict[str, int]:
        """Wait for the processes (default: all) to exit by themselves; ClusterError on a timeout or an exit
        code other than 0 (a process killed on purpose is left out: name it in neither list)."""
        names = list(self.procs) if names is None else names
        deadline = time.monotonic() + timeout
        codes: dict[str, int] = {}
        for name in names:
            try:
                codes[name] = self.procs[name].wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise ClusterError(f"{name} still running after {timeout:.0f} s: {self.log(name)[-2000:]}") from None
        failed = {n: c for n, c in codes.items() if c != 0}
        if failed:
            tails = "; ".join(f"{n} exited {c}: {self.log(n)[-1500:]}" for n, c in failed.items())
            raise ClusterError(tails)
        return codes

    def stop(self) -> None:
        """SIGTERM (a drain) to whatever still runs, SIGKILL after 20 s."""
        for name in self.running():
            self.procs[name].terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
