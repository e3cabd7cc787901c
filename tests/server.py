"""A real `streamlit run app.py` on a free localhost port, for tests that need the server itself
(many browsers at once, its memory), not Streamlit's in-process AppTest."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerError(RuntimeError):
    """The server exited or never answered; the message names its log."""


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def rss(pid: int, children: bool = True) -> int:
    """Resident memory (VmRSS) of a process in bytes, with that of its descendants unless
    ``children`` is False; a process that is gone counts 0."""
    pids, total = [pid], 0
    while pids:
        pid = pids.pop()
        try:
            # statm's second field is resident pages: one small read, no parsing of status lines.
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
        if children:
            pids += _children(pid)
    return total


class StreamlitServer:
    """``with StreamlitServer(log) as server:`` runs the app until the block ends.

    ``server.url`` is its address, ``server.rss()`` the resident memory of the server process and
    any processes it started, in bytes.  Its output goes to ``log``.
    """

    def __init__(self, log: Path, script: str = "app.py", startup_timeout: float = 60.0):
        self.log, self.script, self.startup_timeout = log, script, startup_timeout
        self.url, self.process = None, None

    def __enter__(self) -> "StreamlitServer":
        port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
                 "--server.port", str(port), "--server.address", "127.0.0.1"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        try:
            self._wait_for_health()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()

    def _wait_for_health(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"streamlit exited with code {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise ServerError(f"streamlit did not answer {self.url}/_stcore/health within "
                          f"{self.startup_timeout:.0f} s; see {self.log}")

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss(self) -> int:
        """Resident memory of the server and its descendants, in bytes."""
        return rss(self.process.pid)
