"""An HTTPS proxy in front of the vCenter simulator that refuses the datastore file API to ended sessions.

vcsim's `/folder` serves files whatever the cookie, even one whose session was terminated; a real vCenter
answers 401. This proxy passes everything (SOAP and `/folder`) through to the simulator and answers 401 on
`/folder` to a cookie named in `refused`, recording the session key of every `/folder` request it sees.

It also plays a flaky datastore file API (`faults`): an HTTP error status for some `/folder` requests of one file,
or an answer that stops after a few bytes while the connection stays open (a stalled transfer).
"""

from __future__ import annotations

import http.client
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSION_COOKIE = "vmware_soap_session"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


@dataclass
class Fault:
    """What the proxy does to the `/folder` requests whose path holds `path` and whose method is in `methods`:
    answer `status`, or send the first `stall_after` bytes of the simulator's answer and then nothing (the
    connection stays open until the proxy stops); to the first `times` of them (None: to every one)."""

    path: str
    status: int | None = None
    stall_after: int | None = None
    times: int | None = None
    methods: tuple[str, ...] = ("GET", "HEAD")
    hits: int = 0
    requests: list[str] = field(default_factory=list)  # method and Range of each request it hit

    def applies(self, method: str, path: str) -> bool:
        return (self.path in path and method in self.methods
                and (self.times is None or self.hits < self.times))


class VcenterProxy:
    """Listens on https://127.0.0.1:<port> with `certfile`, forwarding to the simulator at `upstream`."""

    def __init__(self, upstream: tuple[str, int], upstream_ca: str, certfile: str, keyfile: str) -> None:
        self.upstream, self.upstream_context = upstream, ssl.create_default_context(cafile=upstream_ca)
        self.refused: set[str] = set()  # session keys whose /folder requests get 401
        self.folder_sessions: list[str | None] = []
        self.refusals = 0
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.released = threading.Event()  # ends the stalled answers
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def session_of(cookie_header: str | None) -> str | None:
    """The session key in a Cookie header (`vmware_soap_session="key"` or without quotes)."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip('"')
    return None


def _handler(proxy: VcenterProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._forward()

        def do_HEAD(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def _forward(self) -> None:
            fault = None
            if self.path.startswith("/folder/"):
                with proxy.lock:
                    fault = next((f for f in proxy.faults if f.applies(self.command, self.path)), None)
                    if fault is not None:
                        fault.hits += 1
                        fault.requests.append(f"{self.command} {self.headers.get('Range')}")
                if fault is not None and fault.status is not None:
                    self.send_response(fault.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                session = session_of(self.headers.get("Cookie"))
                proxy.folder_sessions.append(session)
                if session in proxy.refused:
                    proxy.refusals += 1
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream = http.client.HTTPSConnection(*proxy.upstream, context=proxy.upstream_context, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
                self.send_header("Content-Length", length or "0")
                self.end_headers()
                if fault is not None and fault.stall_after is not None:
                    self.wfile.write(data[:fault.stall_after])
                    self.wfile.flush()
                    proxy.released.wait(timeout=300)  # a stalled transfer: nothing more, the connection open
                    self.close_connection = True
                elif self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                upstream.close()

    return Handler
