"""Virtual hosts for tests: Linux network namespaces joined to this one by veth links (iproute2's `ip`).

`VirtualHosts(n)` makes n namespaces, each with its own address on its own point-to-point link to the test's
namespace, and one service address on this namespace's loopback that every namespace routes to over its link.
Servers bind the service address (never a public interface); a process started under ``prefix(i)`` (``ip netns
exec NAME``) is on host i: its packets leave through its own link and arrive from its own address. Everything is
made under 10.231.0.0/16 with names carrying this process's id, and removed on exit, links first.

Needs root and iproute2: `available()` tells, and the tests skip (or, in CI, fail) without them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

SERVICE_ADDRESS = "10.231.0.1"


def _ip(*args: str, netns: str | None = None) -> None:
    command = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    if done.returncode != 0:
        raise OSError(f"{' '.join(command)}: {done.stderr.strip()}")


def available() -> str:
    """'' when namespaces can be made here, else why not."""
    if shutil.which("ip") is None:
        return "iproute2's ip is not installed"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"nc-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except OSError as exc:
        return f"cannot make a network namespace: {exc}"
    _ip("netns", "del", probe)
    return ""


class VirtualHosts:
    def __init__(self, count: int) -> None:
        self.names = [f"nc{os.getpid()}h{i}" for i in range(count)]
        self.links = [f"nc{os.getpid()}v{i}" for i in range(count)]
        self.service = SERVICE_ADDRESS
        self._made: list[tuple[str, ...]] = []

    def address(self, i: int) -> str:
        """Host i's own address (what a server sees as the peer of its requests)."""
        return f"10.231.{i + 1}.2"

    def prefix(self, i: int) -> Sequence[str]:
        return ("ip", "netns", "exec", self.names[i])

    def __enter__(self) -> VirtualHosts:
        try:
            _ip("address", "add", f"{self.service}/32", "dev", "lo")
            self._made.append(("address", "del", f"{self.service}/32", "dev", "lo"))
            for i, (name, link) in enumerate(zip(self.names, self.links, strict=True)):
                _ip("netns", "add", name)
                self._made.append(("netns", "del", name))
                # the link's far end moves into the namespace; deleting the near end removes both
                _ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", name)
                self._made.insert(0, ("link", "del", link))
                _ip("address", "add", f"10.231.{i + 1}.1/24", "dev", link)
                _ip("link", "set", link, "up")
                _ip("address", "add", f"{self.address(i)}/24", "dev", "eth0", netns=name)
                _ip("link", "set", "eth0", "up", netns=name)
                _ip("link", "set", "lo", "up", netns=name)
                _ip("route", "add", f"{self.service}/32", "via", f"10.231.{i + 1}.1", netns=name)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for undo in self._made:
            try:
                _ip(*undo)
            except OSError:
                pass  # already gone with its namespace
        self._made.clear()
