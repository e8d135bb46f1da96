"""A TCP proxy for fault tests: forward, drop, stall or freeze connections to a real server."""

from __future__ import annotations

import socket
import threading
import time

FREEZE_POLL_SECONDS = 0.02


class FaultyProxy:
    """Listens on 127.0.0.1:<port> and forwards to (host, port) while `mode` is "forward".

    Failure modes:

    * "drop": every connection is closed at once and new ones are refused (a database that went away);
    * "stall": existing connections are closed, new ones are accepted and never answered;
    * "freeze": nothing is closed and nothing is relayed: every socket stays open, bytes sent either
      way wait in the proxy, and new connections are accepted and parked (a hung server or a network
      that silently drops packets). `heal()` resumes relaying where it stopped, the way a network
      partition heals: bytes held back are delivered late, not lost.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "forward"
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def cut(self, mode: str = "drop") -> None:
        """Start failing: "drop", "stall" or "freeze" (see the class docstring)."""
        if mode not in ("drop", "stall", "freeze"):
            raise ValueError(f"unknown failure mode {mode!r}")
        self.mode = mode
        if mode == "freeze":
            return  # keep every socket open
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)

    def freeze(self) -> None:
        """Keep every connection open and relay nothing until `heal()`."""
        self.cut("freeze")

    def heal(self) -> None:
        """Forward again."""
        self.mode = "forward"

    def close(self) -> None:
        """Stop listening and drop everything."""
        self._closed = True
        self.mode = "drop"
        self.cut()
        _close(self._listener)

    def _wait_while_frozen(self) -> bool:
        """Block while frozen; False when the proxy was closed or cut meanwhile."""
        while self.mode == "freeze" and not self._closed:
            time.sleep(FREEZE_POLL_SECONDS)
        return self.mode == "forward" and not self._closed

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "drop":
                _close(client)
                continue
            with self._lock:
                self._sockets.add(client)
            if self.mode == "stall":
                continue
            threading.Thread(target=self._connect_upstream, args=(client,), daemon=True).start()

    def _connect_upstream(self, client: socket.socket) -> None:
        # A connection accepted while frozen is parked here until the freeze ends.
        if not self._wait_while_frozen():
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.add(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                if not self._wait_while_frozen():  # frozen: read nothing, so the sender's bytes wait
                    break
                data = source.recv(65536)
                if not data:
                    break
                if not self._wait_while_frozen():  # frozen after the read: hold the bytes back
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
