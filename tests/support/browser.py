"""A local file opened in a real headless Chromium (Debian's `chromium`), offline: the DOM after load, what the
page printed to its console, every request it tried to make, and a screenshot.

Every connection Chromium tries goes to a recording proxy on loopback (loopback included), and host names
resolve to nothing, so a page that fetches anything is caught, not served.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND"]


@dataclass
class Opened:
    dom: str
    console: list[str]
    requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


class _Recorder:
    """Accepts every connection and keeps its first line (`CONNECT host:443 ...` or `GET http://...`)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.lines.append(connection.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    self.lines.append("(a connection that sent nothing)")

    def close(self) -> None:
        self.server.close()


def chromium() -> str | None:
    return shutil.which("chromium")


def open_file(path: Path, screenshot: Path | None = None, size: tuple[int, int] = (1280, 4200)) -> Opened:
    recorder = _Recorder()
    try:
        with tempfile.TemporaryDirectory() as profile:
            base = [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{recorder.port}",
                    "--proxy-bypass-list=<-loopback>", "--enable-logging=stderr", "--v=0"]
            dumped = subprocess.run([*base, "--dump-dom", path.resolve().as_uri()], capture_output=True, text=True,
                                    timeout=120)
            if screenshot is not None:
                subprocess.run([*base, f"--window-size={size[0]},{size[1]}", f"--screenshot={screenshot}",
                                path.resolve().as_uri()], capture_output=True, text=True, timeout=120, check=True)
    finally:
        recorder.close()
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return Opened(dumped.stdout, console, recorder.lines, screenshot)
