"""Start a throw-away redis-server on 127.0.0.1 (tests, benchmarks, trying the distributed crawl on one machine).

    with LocalRedis(Path("/tmp/r")) as server:
        server.url    # redis://127.0.0.1:PORT/0

The server keeps no files unless asked (`appendonly`), binds loopback only, and takes a free port. Production
Redis is the operator's own service (docs/distributed.md); this is not it.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path


class RedisNotInstalled(RuntimeError):
    """No redis-server binary on PATH."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class LocalRedis:
    """A real redis-server on 127.0.0.1, on a free port, its files in `workdir`; no persistence unless asked.

    On another local address (`host`: the network-namespace test binds a private test address) clients come from
    other hosts, which Redis's protected mode refuses without a password: there it requires a random one, and
    `url` carries it."""

    def __init__(self, workdir: Path, *, port: int | None = None, maxmemory: str | None = None,
                 appendonly: bool = False, host: str = "127.0.0.1"):
        self.workdir = workdir
        self.host = host
        self.password = "" if host == "127.0.0.1" else secrets.token_hex(12)
        self.port = port or free_port(host)
        self.maxmemory = maxmemory
        self.appendonly = appendonly
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/0"

    def start(self) -> LocalRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisNotInstalled("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [binary, "--port", str(self.port), "--bind", self.host, "--dir", str(self.workdir),
                "--save", "", "--appendonly", "yes" if self.appendonly else "no", "--daemonize", "no",
                "--logfile", str(self.workdir / "redis.log")]
        if self.maxmemory:
            args += ["--maxmemory", self.maxmemory]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.workdir / "redis.log"
                raise RuntimeError(f"redis-server exited: {log.read_text()[-500:] if log.exists() else ''}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as conn:
                    auth = f"AUTH {self.password}\r\n".encode() if self.password else b""
                    conn.sendall(auth + b"PING\r\n")
                    answer = b""
                    while b"PONG" not in answer and b"-" not in answer and len(answer) < 256:
                        chunk = conn.recv(64)  # AUTH's +OK and PING's +PONG may come in two reads
                        if not chunk:
                            break
                        answer += chunk
                    if b"+PONG" in answer:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
