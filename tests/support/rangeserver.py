"""A small HTTPS file server with single-range support that records each request's Cookie header.

It stands in for the datastore file API where the vCenter simulator cannot help: the simulator ignores
the cookie, so this server shows which cookie qemu-img really sent; `delay` slows each answer so that a
copy lasts long enough to be watched or cut.
"""

from __future__ import annotations

import os
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class RangeServer:
    """Serves the files under `root` at https://127.0.0.1:<port>/<name>."""

    def __init__(self, root: Path, certfile: str, keyfile: str, delay: float = 0.0) -> None:
        self.root, self.delay = root, delay
        self.cookies: list[str | None] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"https://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: RangeServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            server.cookies.append(self.headers.get("Cookie"))
            path = server.root / self.path.split("?", 1)[0].lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            size = path.stat().st_size
            start, end, status = 0, size - 1, 200
            found = RANGE.match(self.headers.get("Range", ""))
            if found:
                start, end, status = int(found.group(1)), min(int(found.group(2) or size - 1), size - 1), 206
            time.sleep(server.delay)
            self.send_response(status)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            if body:
                with open(path, "rb") as source:
                    self.wfile.write(os.pread(source.fileno(), end - start + 1, start))

    return Handler
