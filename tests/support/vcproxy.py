"""An HTTPS proxy in front of the vCenter simulator that refuses the datastore file API to ended sessions.

vcsim's `/folder` serves files whatever the cookie, even one whose session was terminated; a real vCenter
answers 401. This proxy passes everything (SOAP and `/folder`) through to the simulator and answers 401 on
`/folder` to a cookie named in `refused`, recording the session key of every `/folder` request it sees.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSION_COOKIE = "vmware_soap_session"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class VcenterProxy:
    """Listens on https://127.0.0.1:<port> with `certfile`, forwarding to the simulator at `upstream`."""

    def __init__(self, upstream: tuple[str, int], upstream_ca: str, certfile: str, keyfile: str) -> None:
        self.upstream, self.upstream_context = upstream, ssl.create_default_context(cafile=upstream_ca)
        self.refused: set[str] = set()  # session keys whose /folder requests get 401
        self.folder_sessions: list[str | None] = []
        self.refusals = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
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
            if self.path.startswith("/folder/"):
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
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                upstream.close()

    return Handler
