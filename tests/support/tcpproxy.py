"""A loopback TCP proxy that can cut a connection part-way through an answer, to test lost connections."""

from __future__ import annotations

import socket
import threading


class CuttingProxy:
    """Forwards to `target`, but cuts any connection once its answers pass `cut_after` bytes.

    TLS hides the requests, so the cut is placed by volume: logging in takes a few kilobytes per
    connection, while the VM collection of a few dozen VMs takes hundreds.
    """

    def __init__(self, target: tuple[str, int], cut_after: int) -> None:
        self.target = target
        self.cut_after = cut_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            upstream = socket.create_connection(self.target)
            threading.Thread(target=_pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client, self.cut_after), daemon=True).start()

    def _pump_down(self, upstream: socket.socket, client: socket.socket, limit: int | None) -> None:
        if _pump(upstream, client, limit):
            self.cuts += 1


def _pump(source: socket.socket, sink: socket.socket, limit: int | None) -> bool:
    """Copy until EOF, or until `limit` bytes have passed; returns whether the limit cut it."""
    passed, cut = 0, False
    try:
        while data := source.recv(65536):
            passed += len(data)
            if limit is not None and passed > limit:
                cut = True
                break
            sink.sendall(data)
    except OSError:
        pass
    for sock in (source, sink):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
    return cut


class SilentServer:
    """Accepts connections and never answers: a hung vCenter."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.connections:
            conn.close()
